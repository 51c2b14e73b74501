"""The status-bar indicator of background work: what runs, how far it got, and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from ui.workers import Task, monitor


class BusyIndicator(QWidget):
    """Shows the newest running :class:`~ui.workers.Task` (any task started in the
    process is announced by :func:`ui.workers.monitor`); hidden when nothing runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.tasks: list[Task] = []
        monitor().started.connect(self.track)
        self.hide()

    def track(self, task: Task) -> None:
        self.tasks.append(task)
        # bound methods (not lambdas): Qt drops the connection when this widget goes
        task.progress.connect(self._on_progress)
        task.finished.connect(self._on_finished)
        self._show(task)

    def _on_progress(self, fraction: float, text: str) -> None:
        self._progress(self.sender(), fraction, text)

    def _on_finished(self) -> None:
        self._finished(self.sender())

    def _show(self, task: Task) -> None:
        self.label.setText(task.title + "…")
        self.bar.setRange(0, 0)  # busy until the task reports a fraction
        self.show()

    def _progress(self, task: Task, fraction: float, text: str) -> None:
        if self.tasks and task is self.tasks[-1]:
            self.bar.setRange(0, 100)
            self.bar.setValue(int(fraction * 100))
            if text:
                self.label.setText(f"{task.title}: {text}")

    def _finished(self, task: Task) -> None:
        if task in self.tasks:
            self.tasks.remove(task)
        if self.tasks:
            self._show(self.tasks[-1])
        else:
            self.hide()

    def cancel(self) -> None:
        if self.tasks:
            self.tasks[-1].cancel()
