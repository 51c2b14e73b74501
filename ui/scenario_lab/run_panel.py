"""The run/cancel plumbing of a Scenario Lab view that runs one background task at a time
(the sensitivity and the back-test views): start it with its progress bar, status line and
Run/Cancel buttons, say how it ended, and let the page cancel or wait for it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from ui.workers import Task, start_process_task, start_task


class RunPanel:
    """Mixed into a view (a QWidget with a ``message`` signal) that has ``progress``,
    ``status``, ``run_button`` and ``cancel_button``, and implements ``_succeeded`` and
    :meth:`_can_run`. ``_what`` names the work in messages ("Back-test")."""

    task: Task | None
    progress: QProgressBar
    status: QLabel
    run_button: QPushButton
    cancel_button: QPushButton
    _what = "Run"

    def start_run(self, fn: Callable[..., Any], *args: Any, title: str, status: str,
                  in_process: bool = False, **kwargs: Any) -> Task:
        """Run ``fn`` on a worker thread, or in the figures process (``in_process``: work
        that holds the interpreter lock for seconds, such as calibrating a large program)."""
        if in_process:
            self.task = start_process_task(partial(fn, **kwargs) if kwargs else fn, *args,
                                           title=title, parent=self)
        else:
            self.task = start_task(fn, *args, title=title, parent=self, **kwargs)
        self.task.progress.connect(self._run_progress)
        self.task.succeeded.connect(self._succeeded)
        self.task.failed.connect(self._run_failed)
        self.task.was_cancelled.connect(self._run_cancelled)
        self.task.finished.connect(self._run_finished)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText(status)
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def is_running(self) -> bool:
        return self.task is not None

    def wait(self, msecs: int = 30_000) -> bool:
        if self.task is None:
            return True
        self.task.cancel()
        return self.task.wait(msecs)

    def _can_run(self) -> bool:
        raise NotImplementedError

    def _succeeded(self, result: Any) -> None:
        raise NotImplementedError

    def _run_progress(self, fraction: float, _text: str) -> None:
        self.progress.setValue(round(fraction * 1000))

    def _run_failed(self, message: str, _exc: object) -> None:
        self._ended(f"{self._what} failed: {message}")

    def _run_cancelled(self) -> None:
        self._ended(f"{self._what} cancelled.")

    def _ended(self, text: str) -> None:
        self.status.setText(text)
        self.message.emit(text)  # type: ignore[attr-defined]  # the view's signal

    def _run_finished(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            task.deleteLater()
        self.run_button.setEnabled(self._can_run())
        self.cancel_button.setEnabled(False)
