"""The Scenario Lab page: scenarios of the workspace on the left (with the run controls),
and on the right their parameters, results, comparison and sensitivity.

Wiring only: the list, editor, views and run queue live in their own modules; scenario edits
are :mod:`jbp.scenarios` commands run through :meth:`AppContext.run` (so Ctrl+Z undoes
them); runs are :mod:`simulation` calls on worker threads.

The *baseline* is the first scenario in the list (the calibrated one the Lab offers to
create on a workspace with none). Its values are shown beside every field of the other
scenarios, and the comparison measures differences from it unless another reference is
picked there.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jbp.errors import ValidationError
from jbp.scenarios import (
    CreateScenario,
    DeleteScenario,
    RenameScenario,
    ScenarioRecord,
    save_results,
    scenarios,
    unique_name,
)
from simulation.scenario import Scenario
from ui import theme
from ui.context import AppContext
from ui.widgets.keyboard import keyboard_view
from ui.workers import Task, start_process_task

from .backtest_view import BacktestView
from .calibration import CalibrationDialog, calibrate
from .compare_view import CompareView, Entry
from .models import ResultStore, ScenarioListModel
from .params import ParameterEditor
from .results_view import ResultsView
from .runs import RunJob, RunOutcome, RunPanel, RunQueue
from .sensitivity_view import SensitivityView


class ScenarioLabPage(QWidget):
    """What-if modelling of the partner program (issue 6). See the module docstring and
    docs/scenario-lab.md."""

    #: Ctrl+Z here acts on the scenario set's history (see ui.context).
    undo_document = "scenarios"

    #: A message for the status bar (the main window connects it).
    message = Signal(str)
    #: A scenario's run finished and its results are stored (scenario id).
    run_finished = Signal(int)
    #: No run is queued or running any more.
    runs_idle = Signal()
    #: A calibrated baseline was created (scenario id).
    baseline_created = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.records: list[ScenarioRecord] = []
        self.parsed: dict[int, Scenario | None] = {}
        self.problems: dict[int, str] = {}
        self.store = ResultStore()
        self.queue = RunQueue(self)
        self.calibration = None
        #: What the calibration shown read: "as of DATE (reason)", or all the actuals.
        self.calibration_as_of = ""
        self.calibration_task: Task | None = None
        self.calibration_dialog: CalibrationDialog | None = None
        self._current_id: int | None = None
        self._reloading = False
        self._build()
        self._wire()
        self.reload()

    # ------------------------------------------------------------------ building

    def _build(self) -> None:
        self.list_model = ScenarioListModel(self)
        self.list_model.describe_result = self._describe_result
        self.list_view = QTableView(self)
        self.list_view.setObjectName("scenario_list")
        self.list_view.setModel(self.list_model)
        self.list_view.verticalHeader().setVisible(False)
        self.list_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                       | QAbstractItemView.EditTrigger.EditKeyPressed)
        keyboard_view(self.list_view, "Scenarios")
        header = self.list_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

        def button(text: str, name: str, tip: str) -> QPushButton:
            b = QPushButton(text, self)
            b.setObjectName(name)
            b.setToolTip(tip)
            return b

        self.new_button = button("From workspace", "scenario_new",
                                 "A new baseline calibrated from this workspace's program "
                                 "and actuals")
        self.duplicate_button = button("Duplicate", "scenario_duplicate",
                                       "A variant: a copy of the selected scenario to change "
                                       "(same seed, so they share random numbers)")
        self.rename_button = button("Rename", "scenario_rename", "Rename (F2)")
        self.delete_button = button("Delete", "scenario_delete",
                                    "Delete the selected scenario (Ctrl+Z brings it back)")
        self.report_button = button("Calibration report", "scenario_report",
                                    "What the baseline estimates from this workspace's data")
        self.export_button = button("Export to Excel…", "scenario_export",
                                    "A workbook of the ticked scenarios: comparison, "
                                    "parameters and monthly bands")
        rows = []
        for pair in ((self.new_button, self.duplicate_button),
                     (self.rename_button, self.delete_button),
                     (self.report_button, self.export_button)):
            row = QHBoxLayout()
            for b in pair:
                row.addWidget(b, 1)
            rows.append(row)
        hint = QLabel("The first scenario is the <b>baseline</b>. "
                      "Tick scenarios to compare them.", self)
        theme.style(hint, "color:$muted;")
        hint.setWordWrap(True)
        scen_box = QGroupBox("Scenarios", self)
        scen_layout = QVBoxLayout(scen_box)
        scen_layout.addWidget(self.list_view, 1)
        scen_layout.addWidget(hint)
        for row in rows:
            scen_layout.addLayout(row)
        self.run_panel = RunPanel(self.queue, self)
        run_box = QGroupBox("Run", self)
        run_layout = QVBoxLayout(run_box)
        run_layout.addWidget(self.run_panel)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(scen_box, 1)
        left_layout.addWidget(run_box)
        left.setMinimumWidth(280)
        left.setMaximumWidth(460)

        self.editor = ParameterEditor(self.ctx, self)
        self.results_view = ResultsView(self)
        self.compare_view = CompareView(self)
        self.sensitivity_view = SensitivityView(self, workers=self.run_panel.workers.value)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("lab_tabs")
        self.tabs.addTab(self.editor, "Parameters")
        self.tabs.addTab(self.results_view, "Results")
        self.tabs.addTab(self.compare_view, "Compare")
        self.tabs.addTab(self.sensitivity_view, "Sensitivity")
        self.backtest_view = BacktestView(self)
        self.tabs.addTab(self.backtest_view, "Back-test")

        self.empty = QWidget(self)
        self.empty_text = QLabel(self.empty)
        self.empty_text.setWordWrap(True)
        # A wrapped label placed with an alignment gets its hint width, not the row's: fix it,
        # or Qt computes the height for a narrow column and clips the text.
        self.empty_text.setFixedWidth(600)
        self.create_baseline_button = QPushButton("Create the baseline from this workspace",
                                                  self.empty)
        self.create_baseline_button.setObjectName("create_baseline")
        self.calibration_status = QLabel(self.empty)
        self.calibration_status.setObjectName("calibration_status")
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_text, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addWidget(self.create_baseline_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addWidget(self.calibration_status, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tabs)

        from ui.widgets.side_panels import CollapsingPanel, PanelSplitter

        splitter = PanelSplitter(Qt.Orientation.Horizontal, self)
        splitter.setObjectName("lab_splitter")
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        splitter.setSizes([340, 1000])
        self.splitter = splitter
        # In a narrow window (1024 pixels) the scenario list and Run panel collapse to the
        # splitter's handle; a double-click on it brings them back.
        self.list_panel = CollapsingPanel(splitter, 0, below=1000, width=340)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter, 1)

    def _wire(self) -> None:
        ctx = self.ctx
        ctx.workspace_changed.connect(self._workspace_changed)
        ctx.data_changed.connect(self._data_changed)
        self.list_view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.list_model.rename_requested.connect(self.rename)
        self.list_model.checked_changed.connect(self._refresh_compare)
        self.new_button.clicked.connect(lambda: self.create_baseline())
        self.create_baseline_button.clicked.connect(lambda: self.create_baseline())
        self.duplicate_button.clicked.connect(lambda: self.duplicate())
        self.rename_button.clicked.connect(self._edit_name)
        self.delete_button.clicked.connect(lambda: self.delete())
        self.report_button.clicked.connect(self.show_calibration_report)
        self.export_button.clicked.connect(self.export_to_excel)
        self.run_panel.run_selected.connect(lambda: self.run_scenarios(self._selected_ids()))
        self.run_panel.run_checked.connect(
            lambda: self.run_scenarios(self.list_model.checked_ids()))
        q = self.queue
        q.job_added.connect(lambda sid, _n: self.list_model.set_run_state(sid, "queued"))
        q.job_started.connect(self._job_started)
        q.job_progress.connect(self._job_progress)
        q.job_succeeded.connect(self._job_succeeded)
        q.job_failed.connect(self._job_failed)
        q.job_cancelled.connect(self._job_cancelled)
        q.job_done.connect(self._job_done)
        q.idle.connect(self.runs_idle)
        self.sensitivity_view.message.connect(self.message)
        self.backtest_view.message.connect(self.message)
        run_shortcut = QShortcut(QKeySequence("Ctrl+Shift+R"), self)
        run_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        run_shortcut.activated.connect(lambda: self.run_scenarios(self._selected_ids()))
        delete_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete),
                                    self.list_view)
        delete_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_shortcut.activated.connect(lambda: self.delete())

    # ------------------------------------------------------------------ state

    @property
    def workspace(self):
        return self.ctx.workspace

    def baseline_id(self) -> int | None:
        """The baseline: the first scenario in the list."""
        return self.records[0].id if self.records else None

    def current_id(self) -> int | None:
        return self._current_id

    def record(self, scenario_id: int) -> ScenarioRecord | None:
        return next((r for r in self.records if r.id == scenario_id), None)

    def id_of(self, name: str) -> int | None:
        return next((r.id for r in self.records if r.name == name), None)

    def scenario(self, scenario_id: int) -> Scenario | None:
        """The stored scenario's parameters, validated (None if they cannot be read)."""
        return self.parsed.get(scenario_id)

    def result(self, scenario_id: int):
        """The stored :class:`~simulation.results.ScenarioResult` (None if never run)."""
        rec = self.record(scenario_id)
        return self.store.get(rec) if rec is not None else None

    def is_running(self) -> bool:
        return self.queue.is_busy() or self.sensitivity_view.is_running()

    def _describe_result(self, record: ScenarioRecord) -> str:
        res = self.store.get(record)
        return f"{res.replications} reps" if res is not None else ""

    def _selected_ids(self) -> list[int]:
        return [self._current_id] if self._current_id is not None else []

    # ------------------------------------------------------------------ loading

    def _workspace_changed(self) -> None:
        self.queue.wait()
        self.sensitivity_view.wait()
        self.backtest_view.wait()
        self.backtest_view.reset()
        self.store.clear()
        self.calibration = None
        self._current_id = None
        self.list_model.set_records([], None)
        self.reload()

    def _data_changed(self, what: str) -> None:
        if what == "scenarios":
            self.reload()

    def reload(self) -> None:
        """Read the workspace's scenarios again and refresh every view."""
        ws = self.ctx.workspace
        records = scenarios(ws) if ws is not None else []
        self.records = records
        self.parsed, self.problems = {}, {}
        for r in records:
            try:
                self.parsed[r.id] = Scenario.from_dict(r.params)
            except ValidationError as exc:
                self.parsed[r.id] = None
                self.problems[r.id] = f"The stored parameters of {r.name} cannot be used: {exc}"
        self._reloading = True
        try:
            self.list_model.set_records(records, self.baseline_id())
            ids = [r.id for r in records]
            if self._current_id not in ids:
                self._current_id = ids[0] if ids else None
            row = self.list_model.row_of(self._current_id) if self._current_id else -1
            if row >= 0:
                self.list_view.selectionModel().setCurrentIndex(
                    self.list_model.index(row, 0),
                    self.list_view.selectionModel().SelectionFlag.ClearAndSelect
                    | self.list_view.selectionModel().SelectionFlag.Rows)
        finally:
            self._reloading = False
        if ws is None:
            self.empty_text.setText("<span style='font-size:13pt'>Open a workspace to model "
                                    "its partner program.</span>")
            self.create_baseline_button.hide()
        else:
            self.empty_text.setText(
                "<p style='font-size:13pt'><b>Model the program before rolling it out.</b></p>"
                "<p>This workspace has no scenarios yet. Start from a <b>baseline</b>: its "
                "program (tiers, margins, rebates) with the figures its actuals support "
                "estimated from them — registrations, win rate, deal sizes, onboarding time, "
                "churn, MDF and costs. Then duplicate it into variants, change one lever at a "
                "time, run and compare.</p>")
            self.create_baseline_button.setVisible(self.calibration_task is None)
        # Rich wrapped text in an aligned layout item: give it the height its width needs.
        self.empty_text.setMinimumHeight(self.empty_text.heightForWidth(600))
        self.stack.setCurrentWidget(self.tabs if records else self.empty)
        has = self._current_id is not None
        for b in (self.duplicate_button, self.rename_button, self.delete_button):
            b.setEnabled(has)
        self.new_button.setEnabled(ws is not None and self.calibration_task is None)
        self.report_button.setEnabled(ws is not None)
        self.export_button.setEnabled(any(r.results is not None for r in records))
        self.run_panel.run_button.setEnabled(has)
        self.run_panel.run_checked_button.setEnabled(bool(records))
        self._show_current()
        self._refresh_compare()
        self.sensitivity_view.set_scenarios(
            [(r.id, r.name, self.parsed[r.id]) for r in records if self.parsed[r.id]],
            self.baseline_id())

    def _row_changed(self, current, _previous) -> None:
        if self._reloading or not current.isValid():
            return
        sid = self.list_model.record(current.row()).id
        if sid != self._current_id:
            self._current_id = sid
            self._show_current()
            for b in (self.duplicate_button, self.rename_button, self.delete_button):
                b.setEnabled(True)
            self.run_panel.run_button.setEnabled(True)

    def _show_current(self) -> None:
        rec = self.record(self._current_id) if self._current_id is not None else None
        if rec is None:
            self.editor.set_scenario(None, None)
            self.results_view.set_result(None, name="")
            return
        base = self.records[0]
        baseline = None if rec.id == base.id else self.parsed.get(base.id)
        self.editor.set_scenario(rec.id, self.parsed.get(rec.id), baseline, name=rec.name,
                                 baseline_name=base.name,
                                 problem=self.problems.get(rec.id, ""))
        result = self.store.get(rec)
        self.results_view.set_result(
            result, name=rec.name, stale=rec.stale, running=rec.id in self.queue.scenario_ids(),
            summary=self.store.summary(rec.id, result) if result is not None
            and self.results_view.isVisible() else None)

    def _refresh_compare(self) -> None:
        checked = set(self.list_model.checked_ids())
        entries = [Entry(r.id, r.name, self.store.get(r), r.stale) for r in self.records
                   if r.id in checked]
        self.compare_view.set_entries(entries, self.baseline_id())

    # ------------------------------------------------------------------ selection

    def select(self, scenario_id: int) -> None:
        """Make ``scenario_id`` the current scenario (editor and results follow)."""
        row = self.list_model.row_of(scenario_id)
        if row >= 0:
            self.list_view.setCurrentIndex(self.list_model.index(row, 0))

    def set_compared(self, ids: list[int]) -> None:
        """Tick exactly these scenarios for the comparison."""
        self.list_model.set_checked(ids)

    # ------------------------------------------------------------------ scenarios

    def create_baseline(self, *, show_report: bool = True, **kwargs: Any) -> Task | None:
        """Calibrate a baseline from the workspace on a worker thread and store it (one
        undoable step); the calibration report is shown when it arrives. ``kwargs`` go to
        :func:`simulation.calibrate.baseline_from_workspace` (horizon_months,
        replications, seed)."""
        ws = self.ctx.workspace
        if ws is None or self.calibration_task is not None:
            return self.calibration_task
        snapshot = ws.path  # read on the worker thread, through its own connection
        name = kwargs.pop("name", None) or unique_name(ws, "Baseline")
        kwargs = self._with_as_of(kwargs)
        # In the figures process: seconds of pandas at 20,000 partners on a thread of this
        # one would hold the interpreter lock and stall the window (ui.workers).
        task = start_process_task(partial(calibrate, name=name, **kwargs), snapshot,
                                  title="Calibrating baseline", parent=self)
        self.calibration_task = task
        self.calibration_status.setText("Calibrating from the workspace's actuals…")
        self.create_baseline_button.hide()
        self.new_button.setEnabled(False)
        as_of = self._as_of_text(kwargs.get("as_of"))
        task.succeeded.connect(lambda cal: self._baseline_ready(ws, cal, show_report, as_of))
        task.failed.connect(lambda msg, _e: self._calibration_failed(msg))
        task.finished.connect(self._calibration_finished)
        return task

    def _calibration_finished(self) -> None:
        task, self.calibration_task = self.calibration_task, None
        if task is not None:
            task.deleteLater()
        self.calibration_status.setText("")
        self.reload()

    def _calibration_failed(self, message: str) -> None:
        self.message.emit(f"Calibration failed: {message}")
        self.calibration_status.setText(f"Calibration failed: {message}")

    def _with_as_of(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` with the "as of" the user set in View ▸ Set "as of" (unless a date is
        given): the whole app shows figures as of it, so the baseline is calibrated from
        what was known then, as ``jbp scenario baseline --as-of`` does. Without one, every
        actual is used and the workspace is taken as it is."""
        if kwargs.get("as_of") is None and self.ctx.as_of_set is not None:
            kwargs = {**kwargs, "as_of": self.ctx.as_of_set}
        return kwargs

    def _as_of_text(self, as_of) -> str:
        """The calibration's date in the words of ``jbp scenario baseline``."""
        from jbp.asof import SET_BY_USER, AsOf

        if as_of is not None:
            return (f"Calibrated {AsOf(as_of, SET_BY_USER).label()}: actuals up to that day, "
                    "partners and tiers as they were then, its open registrations as the "
                    "starting pipeline.")
        return ("Calibrated from all actuals; the workspace as it is (figures "
                f"{self.ctx.as_of_info.label()}).")

    def _baseline_ready(self, ws, calibration, show_report: bool, as_of: str = "") -> None:
        if ws is not self.ctx.workspace:
            return  # the user opened another workspace meanwhile
        self.calibration = calibration
        self.calibration_as_of = as_of
        scenario = calibration.scenario
        command = CreateScenario(unique_name(ws, scenario.name), scenario.to_dict())
        if not self.ctx.run(command):
            return
        self.select(command.scenario_id)
        self.message.emit(f"Created {command.name}: {len(calibration.estimated())} figures "
                          "estimated from the workspace.")
        if show_report:
            self.show_calibration_report()
        self.baseline_created.emit(command.scenario_id)

    def show_calibration_report(self) -> CalibrationDialog | None:
        """Show what the baseline estimates from this workspace (calibrating first if this
        session has not)."""
        if self.calibration is None:
            task = self.create_baseline_report()
            return None if task is None else self.calibration_dialog
        if self.calibration_dialog is not None:
            self.calibration_dialog.close()
            self.calibration_dialog.deleteLater()
        ws = self.ctx.workspace
        self.calibration_dialog = CalibrationDialog(self.calibration,
                                                    ws.name if ws else "", self,
                                                    as_of=self.calibration_as_of)
        self.calibration_dialog.show()
        return self.calibration_dialog

    def create_baseline_report(self) -> Task | None:
        """Calibrate without storing a scenario, then show the report."""
        ws = self.ctx.workspace
        if ws is None or self.calibration_task is not None:
            return None
        kwargs = self._with_as_of({})
        as_of = self._as_of_text(kwargs.get("as_of"))
        task = start_process_task(partial(calibrate, **kwargs), ws.path,
                                  title="Calibrating baseline", parent=self)
        self.calibration_task = task

        def ready(cal) -> None:
            self.calibration = cal
            self.calibration_as_of = as_of
            self.show_calibration_report()

        task.succeeded.connect(ready)
        task.failed.connect(lambda msg, _e: self._calibration_failed(msg))
        task.finished.connect(self._calibration_finished)
        return task

    def duplicate(self, scenario_id: int | None = None, name: str | None = None,
                  changes: dict[str, Any] | None = None) -> int | None:
        """A copy of a scenario (the selected one) as a new variant, optionally with
        ``changes`` (dotted paths, as ``Scenario.with_changes``); returns its id."""
        ws = self.ctx.workspace
        sid = scenario_id if scenario_id is not None else self._current_id
        rec = self.record(sid) if sid is not None else None
        if ws is None or rec is None:
            return None
        name = unique_name(ws, name or f"{rec.name} variant")
        params = dict(rec.params)
        if changes:
            source = self.parsed.get(rec.id)
            if source is None:
                self.message.emit(self.problems.get(rec.id, "Cannot read that scenario"))
                return None
            try:
                params = source.with_changes(changes).to_dict()
            except ValidationError as exc:
                self.message.emit(str(exc))
                return None
        params["name"] = name
        params["description"] = f"Variant of {rec.name}"
        command = CreateScenario(name, params)
        if not self.ctx.run(command):
            return None
        self.select(command.scenario_id)
        self.message.emit(f"Created {name} from {rec.name}: change its parameters, then run "
                          "it.")
        return command.scenario_id

    def new_variant(self, name: str | None = None,
                    changes: dict[str, Any] | None = None) -> int | None:
        """A variant of the baseline (see :meth:`duplicate`)."""
        base = self.baseline_id()
        return None if base is None else self.duplicate(base, name, changes)

    def rename(self, scenario_id: int, name: str) -> bool:
        ok = self.ctx.run(RenameScenario(scenario_id, name))
        if not ok and self.ctx.last_error is not None:
            self.message.emit(str(self.ctx.last_error))
        return ok

    def _edit_name(self) -> None:
        row = self.list_model.row_of(self._current_id) if self._current_id else -1
        if row >= 0:
            self.list_view.edit(self.list_model.index(row, 0))

    def delete(self, scenario_id: int | None = None) -> bool:
        """Delete a scenario (the selected one); Ctrl+Z brings it back with its results."""
        sid = scenario_id if scenario_id is not None else self._current_id
        rec = self.record(sid) if sid is not None else None
        if rec is None:
            return False
        self.queue.cancel(rec.id)
        if not self.ctx.run(DeleteScenario(rec.id)):
            return False
        self.message.emit(f"Deleted {rec.name} (Ctrl+Z to undo).")
        return True

    # ------------------------------------------------------------------ running

    def run_scenarios(self, ids: list[int], replications: int | None = None,
                      workers: int | None = None) -> int:
        """Queue runs of these scenarios (replications and worker processes default to the
        run panel's). Returns how many were queued."""
        ws = self.ctx.workspace
        if ws is None:
            return 0
        reps = replications if replications is not None else \
            self.run_panel.chosen_replications()
        procs = workers if workers is not None else self.run_panel.workers.value()
        queued = 0
        for sid in ids:
            rec = self.record(sid)
            if rec is None:
                continue
            if self.parsed.get(sid) is None:
                self.message.emit(self.problems.get(sid, f"{rec.name} cannot be run"))
                continue
            queued += self.queue.enqueue(RunJob(sid, rec.name, dict(rec.params), reps, procs,
                                                ws))
        if not queued and ids:
            self.message.emit("Already running.")
        return queued

    def cancel_runs(self, scenario_id: int | None = None) -> None:
        self.queue.cancel(scenario_id)

    def wait(self, msecs: int = 30_000) -> bool:
        """Cancel every run of this page and wait for them (used on close)."""
        return self.queue.wait(msecs) and self.sensitivity_view.wait(msecs)

    def _job_started(self, sid: int) -> None:
        self.list_model.set_run_state(sid, "running 0%")
        if sid == self._current_id and self.store.get(self.record(sid)) is None:
            self._show_current()

    def _job_progress(self, sid: int, fraction: float) -> None:
        self.list_model.set_run_state(sid, f"running {fraction * 100:.0f}%")

    def _job_succeeded(self, sid: int, outcome: RunOutcome) -> None:
        job_ws = self.ctx.workspace
        rec = self.record(sid)
        if job_ws is None or rec is None:
            self.message.emit("A run finished for a scenario that no longer exists; its "
                              "results were dropped.")
            return
        self.store.put(sid, outcome.blob, outcome.result, outcome.summary)
        self.list_model.set_run_state(sid, None)
        try:
            save_results(job_ws, sid, outcome.params, outcome.blob)  # notifies: reload
        except ValidationError as exc:
            self.message.emit(f"{rec.name} was deleted while it ran; its results were "
                              f"dropped. {exc!r}")
            return
        res = outcome.result
        self.message.emit(f"{rec.name}: {res.replications} replications × {res.months} "
                          f"months in {res.elapsed_s:.1f} s.")
        self.run_finished.emit(sid)

    def _job_failed(self, sid: int, message: str) -> None:
        rec = self.record(sid)
        self.message.emit(f"Run of {rec.name if rec else 'a scenario'} failed: {message}")

    def _job_cancelled(self, sid: int) -> None:
        rec = self.record(sid)
        self.message.emit(f"Run of {rec.name if rec else 'a scenario'} cancelled.")

    def _job_done(self, sid: int) -> None:
        self.list_model.set_run_state(sid, None)
        if sid == self._current_id:
            self._show_current()

    # ------------------------------------------------------------------ export

    def export_to_excel(self, path=None):
        """Export the ticked scenarios that have results (the comparison's reference first)
        with ``ui.workbook_dialogs.export_scenarios``, which asks where unless ``path`` is
        given; returns its background task (or None)."""
        from ui.workbook_dialogs import export_scenarios as export

        names = self.export_names()
        if not names:
            self.message.emit("Tick scenarios that have results to export them.")
            return None
        if path is None:
            return export(self, self.ctx, names)
        return export(self, self.ctx, names, path)

    def export_names(self) -> list[str]:
        checked = [self.record(i) for i in self.list_model.checked_ids()]
        names = [r.name for r in checked if r is not None and r.results is not None]
        ref = self.compare_view.reference_id()
        ref_rec = self.record(ref) if ref is not None else None
        if ref_rec is not None and ref_rec.name in names:
            names.remove(ref_rec.name)
            names.insert(0, ref_rec.name)
        return names


__all__ = ["ScenarioLabPage"]
