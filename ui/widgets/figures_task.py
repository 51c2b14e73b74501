"""A page whose figures are computed off the GUI thread, one task at a time.

The Portfolio and the partner page both start a task that reads the workspace on its own
connection, show its progress in a bar, show the result when it arrives and say why when it
fails. The slots are bound methods of the page (never lambdas: a page closed before its
figures arrive must not be reached through a lambda that keeps its deleted widgets), and a
result is shown only when it comes from the page's latest task (a reload cancels the one
before, whose late result would otherwise overwrite the new one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QProgressBar

from ui.workers import Task, start_process_task, start_task


class FiguresTask:
    """Mixed into a QWidget page that has ``self.progress`` (a QProgressBar) and implements
    :meth:`_show`; ``_failure_label`` and ``_failure_text`` say where and how a failure is
    told."""

    task: Task | None = None
    progress: QProgressBar
    _failure_label: QLabel
    _failure_text = "Could not compute: {message}"

    def start_figures(self, fn: Callable[..., Any], *args: Any, title: str,
                      in_process: bool = False) -> Task:
        """Cancel the running task, if any, and start ``fn(*args, state=…)``: on a thread,
        or with ``in_process`` in the figures process (:func:`ui.workers.in_process`; for
        work on every row of a large workspace, which on a thread would stall the window)."""
        if self.task is not None and self.task.running:
            self.task.cancel()
        self.progress.show()
        task = (start_process_task(fn, *args, title=title) if in_process
                else start_task(fn, *args, title=title))
        self.task = task
        task.progress.connect(self._task_progress)
        task.succeeded.connect(self._task_succeeded)
        task.failed.connect(self._task_failed)
        task.finished.connect(self._task_finished)
        return task

    def _show(self, data: Any) -> None:
        raise NotImplementedError

    def _task_progress(self, fraction: float, _text: str) -> None:
        self.progress.setValue(int(fraction * 100))

    def _task_succeeded(self, data: Any) -> None:
        if self.sender() is self.task:  # type: ignore[attr-defined]  # a QObject's
            self._show(data)

    def _task_failed(self, message: str, _exc: object) -> None:
        self._failure_label.setText(self._failure_text.format(message=message))

    def _task_finished(self) -> None:
        if self.sender() is self.task:  # type: ignore[attr-defined]
            self.progress.hide()
