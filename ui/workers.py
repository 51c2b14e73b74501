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

import atexit
import itertools
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from jbp.errors import JbpError
from jbp.progress import Cancelled, Progress

__all__ = ["Cancelled", "Progress", "Task", "error_message", "in_process", "monitor",
           "running_tasks", "start_process_task", "start_task", "wait_all"]

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


# ---------------------------------------------------------------------- in a process
# The figures of a large workspace are seconds of pandas work. On a thread of this process
# that work holds the interpreter lock for long stretches (C code that does not release it)
# and fills the garbage collector that ui.gc_guard runs on the GUI thread: the window
# stalls. In a process of its own it does neither; this process only takes the result,
# unpickled in pieces of a few milliseconds each.

#: A DataFrame or list longer than this is sent in pieces (a column or an item each).
_PIECE_ROWS = 2000


class _FiguresProcess:
    """One worker process, kept while runs follow one another (a run that starts while
    another waits reuses it), the queue its progress comes back on, and the id of the
    latest task it should cancel."""

    def __init__(self):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # fork is unsafe once a GUI has started threads.
        ctx = mp.get_context("forkserver" if "forkserver" in mp.get_all_start_methods()
                             else "spawn")
        self.queue = ctx.Queue()
        self.cancelled_up_to = ctx.Value("q", 0)
        self.executor = ProcessPoolExecutor(max_workers=1, mp_context=ctx,
                                            initializer=_init_figures_process,
                                            initargs=(self.queue, self.cancelled_up_to))
        self.broken = False


_figures: _FiguresProcess | None = None
_figures_lock = threading.Lock()
_task_ids = itertools.count(1)
_child: tuple[Any, Any] | None = None


def _figures_process() -> _FiguresProcess:
    global _figures
    with _figures_lock:
        if _figures is None or _figures.broken:
            _figures = _FiguresProcess()
        return _figures


def shutdown_figures_process() -> None:
    """Stop the figures process (also done at interpreter exit)."""
    global _figures
    with _figures_lock:
        process, _figures = _figures, None
    if process is not None:
        process.executor.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_figures_process)


def _init_figures_process(queue: Any, cancelled_up_to: Any) -> None:
    global _child
    _child = (queue, cancelled_up_to)


def _run_in_child(task_id: int, fn: Callable[..., Any], args: tuple) -> Any:
    assert _child is not None
    queue, cancelled_up_to = _child

    def report(fraction: float, text: str) -> None:
        queue.put((task_id, fraction, text))
        if cancelled_up_to.value >= task_id:
            state.cancel()

    state = Progress(report)
    if cancelled_up_to.value >= task_id:
        raise Cancelled()
    try:
        return _pieces(fn(*args, state=state))
    except Cancelled:
        raise Cancelled() from None
    except Exception as exc:  # sent as its message: not every exception unpickles
        return ("failed", error_message(exc), traceback.format_exc())


def in_process(fn: Callable[..., Any], *args: Any, state: Progress) -> Any:
    """``fn(*args, state=…)`` run in the figures process, waited for here (on a worker
    thread of this process): its reports reach ``state``, cancelling ``state`` cancels it.
    ``fn`` and ``args`` must pickle (a module-level function); so must its result. The
    process ends when no work is left for it."""
    global _users, _figures
    with _figures_lock:
        _users += 1
    try:
        return _wait_in_process(fn, args, state)
    finally:
        # No worker is left while nothing runs: a window closes with no process behind it
        # (and the Scenario Lab's tests find no child process but their own).
        idle = None
        with _figures_lock:
            _users -= 1
            if _users == 0:
                idle, _figures = _figures, None
        if idle is not None:
            idle.executor.shutdown(wait=True, cancel_futures=True)


_users = 0


def _wait_in_process(fn: Callable[..., Any], args: tuple, state: Progress) -> Any:
    from concurrent.futures import TimeoutError as Waiting
    from concurrent.futures.process import BrokenProcessPool

    process = _figures_process()
    task_id = next(_task_ids)
    future = process.executor.submit(_run_in_child, task_id, fn, args)
    while True:
        try:
            pieces = future.result(timeout=0.05)
            break
        except Waiting:
            pass
        except BrokenProcessPool:
            process.broken = True
            raise
        finally:
            _drain(process, task_id, state)
        if state.cancelled:
            with process.cancelled_up_to.get_lock():
                process.cancelled_up_to.value = max(process.cancelled_up_to.value, task_id)
            future.cancel()
            raise Cancelled()
    if pieces[0] == "failed":
        raise FailedInProcess(pieces[1], pieces[2])
    return _whole(pieces)


class FailedInProcess(JbpError):
    """Work in the figures process failed; the message is the one to show the user
    (:func:`error_message` of the exception there) and :attr:`trace` its traceback."""

    def __init__(self, message: str, trace: str = ""):
        super().__init__(message)
        self.trace = trace


def _drain(process: _FiguresProcess, task_id: int, state: Progress) -> None:
    import queue

    while True:
        try:
            tid, fraction, text = process.queue.get_nowait()
        except queue.Empty:
            return
        if tid == task_id:
            state.report(fraction, text)


def _pieces(obj: Any, seen: dict[int, int] | None = None) -> tuple:
    """``obj`` pickled in pieces (see :func:`_whole`): dicts by key, dataclasses by field,
    long DataFrames by column (one sent twice is sent once), long lists of lists by item."""
    import dataclasses
    import pickle

    seen = {} if seen is None else seen
    if isinstance(obj, dict):
        return ("dict", [(k, _pieces(v, seen)) for k, v in obj.items()])
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return ("dataclass", type(obj), [(f.name, _pieces(getattr(obj, f.name), seen))
                                         for f in dataclasses.fields(obj)])
    if type(obj).__name__ == "DataFrame" and len(obj) > _PIECE_ROWS:
        if id(obj) in seen:
            return ("same", seen[id(obj)])
        seen[id(obj)] = len(seen)
        return ("frame", seen[id(obj)], pickle.dumps(obj.iloc[:0]),
                [pickle.dumps(obj.iloc[:, i], protocol=5) for i in range(obj.shape[1])])
    if isinstance(obj, list) and len(obj) and all(isinstance(x, list) for x in obj) \
            and sum(len(x) for x in obj) > _PIECE_ROWS:
        return ("lists", [pickle.dumps(x, protocol=5) for x in obj])
    return ("pickle", pickle.dumps(obj, protocol=5))


def _whole(piece: tuple, made: dict[int, Any] | None = None) -> Any:
    """The object :func:`_pieces` sent, each piece unpickled on its own (the interpreter
    lock is free between two pieces)."""
    import pickle

    made = {} if made is None else made
    kind = piece[0]
    if kind == "dict":
        return {k: _whole(v, made) for k, v in piece[1]}
    if kind == "dataclass":
        return piece[1](**{name: _whole(v, made) for name, v in piece[2]})
    if kind == "same":
        return made[piece[1]]
    if kind == "frame":
        import pandas as pd

        empty = pickle.loads(piece[2])
        columns = [pickle.loads(c) for c in piece[3]]
        frame = pd.concat(columns, axis=1) if columns else empty
        frame.columns = empty.columns
        frame.attrs = dict(empty.attrs)
        made[piece[1]] = frame
        return frame
    if kind == "lists":
        return [pickle.loads(x) for x in piece[1]]
    return pickle.loads(piece[1])


def start_process_task(fn: Callable[..., Any], *args: Any, title: str = "",
                       parent: QObject | None = None) -> Task:
    """:func:`start_task` for work that runs in the figures process (:func:`in_process`):
    the same signals, progress and cancel."""
    return Task(in_process, fn, *args, title=title or getattr(fn, "__name__", ""),
                parent=parent).start()
