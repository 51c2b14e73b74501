"""Run long work off the GUI thread, with progress and cooperative cancel.

The work is a plain function that takes a :class:`jbp.progress.Progress` as its ``state``
keyword argument (Orange's pattern: a pure ``run(..., state)`` testable without an event
loop; the CLI and tests pass a plain ``Progress()``)::

    def generate(path, *, state: Progress):
        for i, step in enumerate(steps):
            state.check()                      # raises jbp.progress.Cancelled when cancelled
            ...
            state.report((i + 1) / len(steps), f"step {i + 1}")
        return result

    task = start_task(generate, path, title="Creating demo workspace", parent=window)
    task.succeeded.connect(on_result)          # result object, on the GUI thread
    task.failed.connect(show_error)            # (message, exception) on the GUI thread
    task.progress.connect(bar.set)             # (fraction 0-1, text)
    task.cancel()                              # cooperative: the function checks state

Functions that cannot report progress are wrapped with ``uses_state=False``. A
:class:`Task` owns its ``QThread``; signals reach the GUI thread as queued signals. Every
running task is listed by :func:`running_tasks` (a test fixture uses it to fail a test that
leaves work running); :func:`wait_all` cancels and joins them (window close).
"""

from __future__ import annotations

import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from jbp.progress import Cancelled, Progress

__all__ = ["Cancelled", "Progress", "Task", "error_message", "monitor", "running_tasks",
           "start_task", "wait_all"]

_LIVE: weakref.WeakSet[Task] = weakref.WeakSet()
# Tasks keep themselves alive while their thread runs (a caller may drop the reference).
_RUNNING: set[Task] = set()


class _Monitor(QObject):
    """Announces every task that starts (the main window's status bar shows them)."""

    started = Signal(object)


_monitor: _Monitor | None = None


def monitor() -> _Monitor:
    """The process-wide task monitor: ``monitor().started`` carries each new Task."""
    global _monitor
    if _monitor is None:
        _monitor = _Monitor()
    return _monitor


class _Thread(QThread):
    reported = Signal(float, str)

    def __init__(self, task: Task):
        super().__init__()
        self.task = task
        self.result: Any = None
        self.error: BaseException | None = None
        self.trace = ""

    def run(self) -> None:
        task = self.task
        try:
            if task.uses_state:
                self.result = task.fn(*task.args, state=task.state, **task.kwargs)
            else:
                self.result = task.fn(*task.args, **task.kwargs)
        except BaseException as exc:  # handed to the GUI thread, never swallowed
            self.error = exc
            self.trace = traceback.format_exc()


class Task(QObject):
    """One piece of work on its own ``QThread``. Emits exactly one of
    :attr:`succeeded`, :attr:`failed` or :attr:`was_cancelled`, then :attr:`finished`."""

    #: (fraction 0-1, text) while running.
    progress = Signal(float, str)
    #: The function's return value.
    succeeded = Signal(object)
    #: (user-facing message, exception).
    failed = Signal(str, object)
    #: The work stopped because :meth:`cancel` was called.
    was_cancelled = Signal()
    #: Always last, whatever the outcome.
    finished = Signal()

    def __init__(self, fn: Callable[..., Any], *args: Any, title: str = "",
                 uses_state: bool = True, parent: QObject | None = None, **kwargs: Any):
        super().__init__(parent)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.title = title or getattr(fn, "__name__", "Working")
        self.uses_state = uses_state
        # The work's Progress: its reports travel to the GUI thread through a queued signal.
        self.state = Progress(self._report)
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False
        self._thread: _Thread | None = None
        _LIVE.add(self)

    def _report(self, fraction: float, text: str) -> None:
        if self._thread is not None:
            self._thread.reported.emit(fraction, text)

    def start(self) -> Task:
        if self._thread is not None:
            raise RuntimeError("a Task runs once")
        self._thread = _Thread(self)
        self._thread.reported.connect(self.progress)
        self._thread.finished.connect(self._on_finished)
        _RUNNING.add(self)
        # Announced before the thread runs: a listener sees the task before any of its work.
        monitor().started.emit(self)
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop; it does so at its next ``state.check()``."""
        self.state.cancel()

    @property
    def running(self) -> bool:
        return self._thread is not None and not self.done

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the thread ends (and deliver its outcome). True if it ended."""
        if self._thread is None or self.done:
            return True
        ended = self._thread.wait(msecs)
        if ended:
            self._on_finished()
        return ended

    def _on_finished(self) -> None:
        if self.done or self._thread is None:
            return
        self.done = True
        _RUNNING.discard(self)
        thread = self._thread
        self.result, self.error = thread.result, thread.error
        if isinstance(self.error, Cancelled) or (self.error is None and self.state.cancelled):
            self.was_cancelled.emit()
        elif self.error is not None:
            self.failed.emit(error_message(self.error), self.error)
        else:
            self.succeeded.emit(self.result)
        self.finished.emit()
        thread.task = None  # break the cycle
        thread.deleteLater()


def error_message(exc: BaseException) -> str:
    """The text to show a user for an exception raised by background work."""
    from jbp.errors import JbpError

    if isinstance(exc, JbpError):
        return str(exc)
    if isinstance(exc, OSError):
        name = f"{exc.filename}: " if exc.filename else ""
        return f"{name}{exc.strerror or exc}"
    return f"Unexpected error ({type(exc).__name__}): {exc}"


def start_task(fn: Callable[..., Any], *args: Any, title: str = "", uses_state: bool = True,
               parent: QObject | None = None, **kwargs: Any) -> Task:
    """Create a :class:`Task` and start it. Connect to its signals right after: outcomes
    are delivered through the event loop, so nothing is missed."""
    return Task(fn, *args, title=title, uses_state=uses_state, parent=parent,
                **kwargs).start()


def running_tasks() -> list[Task]:
    """Tasks whose thread has not yet finished."""
    return [t for t in list(_RUNNING) if t.running]


def wait_all(msecs: int = 30_000) -> bool:
    """Cancel every running task and wait for them (used when a window closes)."""
    tasks = running_tasks()
    for t in tasks:
        t.cancel()
    return all(t.wait(msecs) for t in tasks)
