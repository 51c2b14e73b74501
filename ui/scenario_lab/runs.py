"""Running scenarios in the background: a queue of runs, each a :class:`ui.workers.Task`
with its own progress bar and cancel button.

The work function :func:`simulate_scenario` is plain Python (no Qt): it rebuilds the
scenario from its stored document, calls :func:`simulation.runner.run` (which spreads the
replications over worker processes) with a state object that forwards progress and asks for
cancellation, and serialises the result — all on the worker thread, so the GUI thread only
stores the bytes and draws. Runs go one at a time (each already uses every worker process
it is given); the queue starts the next when one ends.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.workers import Progress, Task, start_task


@dataclass
class RunOutcome:
    """What a finished run hands back: the result, its stored form, and the parameters it
    was run with (results are fresh only if the scenario still has them)."""

    result: Any  # simulation.results.ScenarioResult
    blob: bytes
    params: dict[str, Any]
    summary: Any = None  # result.summary(HEADLINE), computed off the GUI thread


def simulate_scenario(params: dict[str, Any], name: str, *, replications: int | None = None,
                      workers: int = 1, state: Progress) -> RunOutcome:
    """Run the scenario stored as ``params`` under the name ``name`` (the list's name wins
    over the one in the document); ``replications`` overrides the scenario's. Raises
    :class:`jbp.progress.Cancelled` when cancelled."""
    from simulation.results import HEADLINE
    from simulation.runner import run
    from simulation.scenario import Scenario

    scenario = Scenario.from_dict(params)
    if scenario.name != name:
        scenario = dataclasses.replace(scenario, name=name)
    state.report(0.0, name)
    result = run(scenario, state, replications=replications, workers=workers)
    blob = result.to_bytes()
    summary = result.summary(list(HEADLINE))  # here, not on the GUI thread
    return RunOutcome(result, blob, params, summary)


@dataclass
class RunJob:
    scenario_id: int
    name: str
    params: dict[str, Any]
    replications: int | None
    workers: int
    workspace: Any
    task: Task | None = None
    progress: float = 0.0


class RunQueue(QObject):
    """Scenario runs, one at a time. Every job emits :attr:`job_added`, then
    :attr:`job_started` and :attr:`job_progress`…, then one of :attr:`job_succeeded`,
    :attr:`job_failed`, :attr:`job_cancelled`, then :attr:`job_done`; :attr:`idle` when the
    queue empties."""

    job_added = Signal(int, str)
    job_started = Signal(int)
    job_progress = Signal(int, float)
    job_succeeded = Signal(int, object)  # scenario id, RunOutcome
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    job_done = Signal(int)
    idle = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.queued: list[RunJob] = []
        self.current: RunJob | None = None

    def enqueue(self, job: RunJob) -> bool:
        """Add a run; False if that scenario is already queued or running."""
        if job.scenario_id in self.scenario_ids():
            return False
        self.queued.append(job)
        self.job_added.emit(job.scenario_id, job.name)
        self._next()
        return True

    def scenario_ids(self) -> list[int]:
        """Scenarios running or waiting, running first."""
        return ([self.current.scenario_id] if self.current else []) + \
            [j.scenario_id for j in self.queued]

    def is_busy(self) -> bool:
        return self.current is not None or bool(self.queued)

    def cancel(self, scenario_id: int | None = None) -> None:
        """Cancel one scenario's run (queued or running), or every run."""
        for job in list(self.queued):
            if scenario_id is None or job.scenario_id == scenario_id:
                self.queued.remove(job)
                self.job_cancelled.emit(job.scenario_id)
                self.job_done.emit(job.scenario_id)
        if self.current is not None and self.current.task is not None and (
                scenario_id is None or self.current.scenario_id == scenario_id):
            self.current.task.cancel()
        if not self.is_busy():
            self.idle.emit()

    def _next(self) -> None:
        if self.current is not None or not self.queued:
            return
        job = self.current = self.queued.pop(0)
        task = start_task(simulate_scenario, job.params, job.name,
                          replications=job.replications, workers=job.workers,
                          title=f"Simulating {job.name}", parent=self)
        job.task = task
        sid = job.scenario_id
        task.progress.connect(lambda f, _t, sid=sid: self._progress(sid, f))
        task.succeeded.connect(lambda out, sid=sid: self.job_succeeded.emit(sid, out))
        task.failed.connect(lambda msg, _e, sid=sid: self.job_failed.emit(sid, msg))
        task.was_cancelled.connect(lambda sid=sid: self.job_cancelled.emit(sid))
        task.finished.connect(self._finished)
        self.job_started.emit(sid)

    def _progress(self, scenario_id: int, fraction: float) -> None:
        if self.current is not None and self.current.scenario_id == scenario_id:
            self.current.progress = fraction
        self.job_progress.emit(scenario_id, fraction)

    def _finished(self) -> None:
        job, self.current = self.current, None
        if job is not None:
            if job.task is not None:
                job.task.deleteLater()  # it holds the result; Qt deletes it after this slot
                job.task = None
            self.job_done.emit(job.scenario_id)
        self._next()
        if not self.is_busy():
            self.idle.emit()

    def wait(self, msecs: int = 30_000) -> bool:
        """Cancel everything and wait for the running task (closing, switching workspace)."""
        self.queued.clear()
        job = self.current
        if job is None or job.task is None:
            return True
        job.task.cancel()
        return job.task.wait(msecs)


class RunRow(QWidget):
    """One scenario's run: name, progress bar, cancel button."""

    def __init__(self, scenario_id: int, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.scenario_id = scenario_id
        self.label = QLabel(name, self)
        self.label.setMinimumWidth(90)
        self.bar = QProgressBar(self)
        self.bar.setObjectName(f"run_progress_{scenario_id}")
        self.bar.setRange(0, 1000)
        self.bar.setFormat("queued")
        self.bar.setValue(0)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("✕")
        self.cancel_button.setToolTip(f"Cancel the run of {name}")
        self.cancel_button.setObjectName(f"run_cancel_{scenario_id}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)

    def set_progress(self, fraction: float) -> None:
        self.bar.setValue(round(fraction * 1000))
        self.bar.setFormat(f"{fraction * 100:.0f}%")


class RunPanel(QWidget):
    """Run controls (replications, worker processes, Run, Run ticked, Cancel all) and a
    progress row per queued or running scenario."""

    run_selected = Signal()
    run_checked = Signal()

    def __init__(self, queue: RunQueue, parent: QWidget | None = None):
        super().__init__(parent)
        from jbp import bounds
        from simulation.runner import default_workers

        self.queue = queue
        self.replications = QSpinBox(self)
        self.replications.setObjectName("run_replications")
        # 0 shows "scenario's"; otherwise the range every path checks (jbp.bounds).
        self.replications.setRange(0, bounds.REPLICATIONS[1])
        self.replications.setSpecialValueText("scenario's")
        self.replications.setValue(0)
        self.replications.setToolTip("Replications of each run (the scenario's own number "
                                     "when set to \"scenario's\"). Scenarios compared with "
                                     "the same seed and replications share random numbers.")
        self.workers = QSpinBox(self)
        self.workers.setObjectName("run_workers")
        self.workers.setRange(*bounds.WORKERS)
        self.workers.setValue(default_workers())
        self.workers.setToolTip("Worker processes that run replications in parallel")
        self.replications.setAccessibleName("Replications per run")
        self.workers.setAccessibleName("Worker processes")
        self.run_button = QPushButton("Run selected", self)
        self.run_button.setObjectName("run_selected")
        self.run_button.setToolTip("Run the scenario selected in the list (Ctrl+Shift+R)")
        self.run_button.clicked.connect(self.run_selected)
        self.run_checked_button = QPushButton("Run ticked", self)
        self.run_checked_button.setObjectName("run_checked")
        self.run_checked_button.setToolTip("Run every ticked scenario, one after the other")
        self.run_checked_button.clicked.connect(self.run_checked)
        self.cancel_button = QPushButton("Cancel all", self)
        self.cancel_button.setObjectName("run_cancel_all")
        self.cancel_button.clicked.connect(lambda: self.queue.cancel())
        self.cancel_button.setEnabled(False)
        self.rows: dict[int, RunRow] = {}
        # Replications and workers on rows of their own, so "scenario's" is never clipped.
        grid = QGridLayout()
        grid.addWidget(QLabel("Replications", self), 0, 0)
        grid.addWidget(self.replications, 0, 1)
        grid.addWidget(QLabel("Worker processes", self), 1, 0)
        grid.addWidget(self.workers, 1, 1)
        grid.setColumnStretch(2, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.run_checked_button)
        buttons.addWidget(self.cancel_button)
        self.idle_label = QLabel("No run in progress.", self)
        theme.style(self.idle_label, "color:$muted;")
        self.idle_label.setObjectName("run_idle")
        # Progress rows have a place of fixed height below the buttons (scrolling when more
        # than three runs are queued): a row that comes or goes never moves a button, so a
        # click aimed at Cancel lands on Cancel.
        rows_widget = QWidget(self)
        self.rows_box = QVBoxLayout(rows_widget)
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        self.rows_box.setSpacing(2)
        self.rows_box.addWidget(self.idle_label)
        self.rows_box.addStretch(1)
        self.rows_area = QScrollArea(self)
        self.rows_area.setObjectName("run_rows")
        self.rows_area.setWidget(rows_widget)
        self.rows_area.setWidgetResizable(True)
        self.rows_area.setFrameShape(QFrame.Shape.NoFrame)
        self.rows_area.viewport().setAutoFillBackground(False)  # the box's own background
        rows_widget.setAutoFillBackground(False)
        self.rows_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        probe = RunRow(0, "", self)
        row_height = max(probe.sizeHint().height(), 24)
        probe.hide()
        probe.deleteLater()
        self.rows_area.setFixedHeight(3 * row_height + 2 * self.rows_box.spacing() + 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.rows_area)
        queue.job_added.connect(self._added)
        queue.job_started.connect(lambda sid: self._set(sid, 0.0))
        queue.job_progress.connect(self._set)
        queue.job_done.connect(self._done)

    def chosen_replications(self) -> int | None:
        """Replications override, or None for each scenario's own."""
        return self.replications.value() or None

    def _added(self, scenario_id: int, name: str) -> None:
        row = RunRow(scenario_id, name, self)
        row.cancel_button.clicked.connect(lambda: self.queue.cancel(scenario_id))
        self.rows[scenario_id] = row
        self.rows_box.insertWidget(self.rows_box.count() - 1, row)  # above the stretch
        self._refresh()

    def _set(self, scenario_id: int, fraction: float) -> None:
        row = self.rows.get(scenario_id)
        if row is not None:
            row.set_progress(fraction)

    def _done(self, scenario_id: int) -> None:
        row = self.rows.pop(scenario_id, None)
        if row is not None:
            self.rows_box.removeWidget(row)
            row.hide()
            row.deleteLater()
        self._refresh()

    def _refresh(self) -> None:
        busy = bool(self.rows)
        self.cancel_button.setEnabled(busy)
        self.idle_label.setVisible(not busy)

    def is_idle(self) -> bool:
        """No row shown and nothing queued or running."""
        return not self.rows and not self.queue.is_busy()


__all__ = ["RunJob", "RunOutcome", "RunPanel", "RunQueue", "simulate_scenario"]
