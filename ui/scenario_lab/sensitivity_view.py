"""Sensitivity: a tornado chart of the chosen levers' effect on a chosen outcome.

Each lever is moved down and up by the chosen percentage around the base scenario (the
baseline unless another is chosen), every run with the base's seed so the differences are
paired (common random numbers); :func:`simulation.sensitivity.sensitivity` does the work on
a worker thread and ranks the levers by swing. Results live as long as the page (they are
quick to recompute and depend on the replications chosen here).
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from simulation.scenario import GROUPS, Scenario
from ui.numbers import interval_text, param_text, value_text
from ui.widgets.keyboard import keyboard_view
from ui.workers import Progress, Task

from .canvas import ChartCanvas
from .models import Cell, FigureTableModel
from .run_panel import RunPanel

#: Tier fields offered as levers, per tier.
TIER_LEVERS = ("min_sourced_revenue", "margin", "rebate")


def lever_paths(scenario: Scenario) -> list[str]:
    """Every numeric field of the program a percentage can move: the groups' numbers and
    each tier's revenue threshold, margin and rebate (tiers above the lowest for the
    threshold)."""
    paths = []
    for g in GROUPS:
        for f in g.params():
            kind = f.metadata["kind"]
            if kind in (int, float) and kind is not bool:
                paths.append(f"{g.SECTION}.{f.name}")
    for i, tier in enumerate(scenario.tiers.levels):
        for name in TIER_LEVERS:
            if name == "min_sourced_revenue" and i == 0:
                continue
            paths.append(f"tiers.{tier.name}.{name}")
    return paths


def run_sensitivity(params: dict[str, Any], levers: list[str], outcome: str, pct: float, *,
                    replications: int | None, workers: int, state: Progress):
    """The work of the view's task (no Qt): :func:`simulation.sensitivity.sensitivity` on
    the scenario stored as ``params``. Raises :class:`ui.workers.Cancelled` when cancelled."""
    from simulation.sensitivity import sensitivity

    scenario = Scenario.from_dict(params)
    state.report(0.0, "Sensitivity")  # the task's state is the run's Progress
    result = sensitivity(scenario, levers, outcome=outcome, pct=pct, state=state,
                         replications=replications, workers=workers)
    result.results = {}  # the per-lever runs are not shown; free them
    return result


class SensitivityView(RunPanel, QWidget):
    """Controls (base scenario, outcome, ± percent, replications, levers), the tornado chart
    and a table of every lever's effect with its 95% confidence intervals."""

    _what = "Sensitivity"

    #: The sensitivity finished (SensitivityResult).
    finished = Signal(object)
    #: A message for the status bar.
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None, workers=lambda: 1):
        super().__init__(parent)
        from simulation.results import METRICS
        from simulation.sensitivity import DEFAULT_LEVERS, OUTCOMES

        self.workers = workers
        self.scenarios: list[tuple[int, str, Scenario]] = []
        self.baseline_id: int | None = None
        self.task: Task | None = None
        self.result = None
        self._dirty = False
        self._checked: set[str] = set(DEFAULT_LEVERS)
        self.base = QComboBox(self)
        self.base.setObjectName("sens_base")
        self.base.currentIndexChanged.connect(lambda _i: self._fill_levers())
        self.outcome = QComboBox(self)
        self.outcome.setObjectName("sens_outcome")
        for name in OUTCOMES:
            meta = METRICS[name]
            self.outcome.addItem(meta.label + (" at the horizon" if meta.kind == "stock"
                                               else ""), name)
        self.pct = QDoubleSpinBox(self)
        self.pct.setObjectName("sens_pct")
        self.pct.setRange(1, 90)
        self.pct.setValue(20)
        self.pct.setSuffix(" %")
        self.pct.setDecimals(0)
        self.replications = QSpinBox(self)
        self.replications.setObjectName("sens_replications")
        self.replications.setRange(2, 10_000)
        self.replications.setValue(30)
        self.replications.setToolTip("Replications of each of the 1 + 2 × levers runs")
        self.levers = QListWidget(self)
        self.levers.setObjectName("sens_levers")
        keyboard_view(self.levers, "Levers to vary")
        self.levers.itemChanged.connect(self._lever_toggled)
        self.run_button = QPushButton("Run sensitivity", self)
        self.run_button.setObjectName("sens_run")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("sens_cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("sens_progress")
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.status = QLabel(self)
        self.status.setObjectName("sens_status")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Around", self.base)
        form.addRow("Outcome", self.outcome)
        form.addRow("Move each lever by ±", self.pct)
        form.addRow("Replications", self.replications)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(QLabel("Levers (ticked ones are varied)", self))
        left_layout.addWidget(self.levers, 1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.progress)
        left_layout.addWidget(self.status)
        left.setMaximumWidth(360)
        self.canvas = ChartCanvas(self, name="chart_tornado", min_height=260)
        self.model = FigureTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("sens_table")
        keyboard_view(self.table, "Sensitivity figures")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.canvas)
        right.addWidget(self.table)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(left)
        layout.addWidget(right, 1)
        self.canvas.set_plot(None, "Choose levers and an outcome, then Run sensitivity")

    # ------------------------------------------------------------------ scenarios

    def set_scenarios(self, scenarios: list[tuple[int, str, Scenario]],
                      baseline_id: int | None) -> None:
        """The scenarios the sensitivity can be centred on: (id, name, scenario)."""
        self.scenarios, self.baseline_id = list(scenarios), baseline_id
        if self.isVisible():
            self._apply_scenarios()
        else:
            self._dirty = True
        self.run_button.setEnabled(bool(scenarios) and self.task is None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._apply_scenarios()

    def _apply_scenarios(self) -> None:
        self._dirty = False
        scenarios, baseline_id = self.scenarios, self.baseline_id
        chosen = self.base.currentData()
        self.base.blockSignals(True)
        self.base.clear()
        for sid, name, _sc in scenarios:
            self.base.addItem(name, sid)
        ids = [s[0] for s in scenarios]
        pick = chosen if chosen in ids else (baseline_id if baseline_id in ids else
                                             (ids[0] if ids else None))
        if pick is not None:
            self.base.setCurrentIndex(ids.index(pick))
        self.base.blockSignals(False)
        self._fill_levers()

    def base_scenario(self) -> Scenario | None:
        if self._dirty:
            self._apply_scenarios()
        sid = self.base.currentData()
        return next((sc for i, _n, sc in self.scenarios if i == sid), None)

    def _fill_levers(self) -> None:
        from simulation.sensitivity import lever_label

        scenario = self.base_scenario()
        self.levers.blockSignals(True)
        self.levers.clear()
        if scenario is not None:
            for path in lever_paths(scenario):
                item = QListWidgetItem(lever_label(path))
                item.setData(Qt.ItemDataRole.UserRole, path)
                item.setToolTip(f"{path} = {param_text(scenario.get(path))}")
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if path in self._checked
                                   else Qt.CheckState.Unchecked)
                self.levers.addItem(item)
        self.levers.blockSignals(False)

    def _lever_toggled(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.add(path)
        else:
            self._checked.discard(path)

    def chosen_levers(self) -> list[str]:
        out = []
        for i in range(self.levers.count()):
            item = self.levers.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def set_levers(self, paths: list[str]) -> None:
        """Tick exactly ``paths`` (others unticked)."""
        self._checked = set(paths)
        self._fill_levers()

    def set_outcome(self, name: str) -> None:
        self.outcome.setCurrentIndex(self.outcome.findData(name))

    # ------------------------------------------------------------------ running

    def start(self) -> Task | None:
        scenario = self.base_scenario()
        levers = self.chosen_levers()
        if scenario is None:
            self.status.setText("Create a scenario first.")
            return None
        if not levers:
            self.status.setText("Tick at least one lever.")
            return None
        if self.task is not None:
            return self.task
        outcome = self.outcome.currentData()
        pct = self.pct.value() / 100
        reps = self.replications.value()
        return self.start_run(run_sensitivity, scenario.to_dict(), levers, outcome, pct,
                              replications=reps, workers=self.workers(),
                              title=f"Sensitivity around {self.base.currentText()}",
                              status=f"{1 + 2 * len(levers)} runs of {reps} replications…")

    def _can_run(self) -> bool:
        return bool(self.scenarios)

    def _succeeded(self, result) -> None:
        from simulation import charts

        self.result = result
        self.progress.setValue(1000)
        if result.effects:
            self._ended(f"Around {self.base.currentText()}: {result.outcome_label} "
                        f"{value_text(result.base, result.unit)}; the lever that moves it "
                        f"most is {result.effects[0].label}.")
        else:
            self._ended("No lever could be run.")
        self.canvas.set_plot(lambda ax, s=result: charts.plot_tornado(ax, s),
                             left_labels=[e.label for e in result.effects])
        self._fill_table(result)
        self.finished.emit(result)

    def _fill_table(self, sens) -> None:
        unit = sens.unit
        pct = round(sens.pct * 100)
        headers = ["Lever", "Base value", f"−{pct}%", f"Δ at −{pct}% [95% CI]", f"+{pct}%",
                   f"Δ at +{pct}% [95% CI]", "Swing"]
        rows, keys = [], []
        for e in sens.effects:
            def delta(d: tuple[float, float, float]) -> str:
                if not math.isfinite(d[0]):
                    return "not run"
                return (f"{value_text(d[0], unit, delta=True)} "
                        f"{interval_text(d[1], d[2], unit, delta=True)}").strip()

            rows.append([
                Cell(e.label, e.lever, e.lever + (f" — {e.note}" if e.note else ""),
                     align_right=False),
                Cell(param_text(e.base_value), e.base_value),
                Cell(param_text(e.low_value), e.low_value),
                Cell(delta(e.low_delta), e.low_delta),
                Cell(param_text(e.high_value), e.high_value),
                Cell(delta(e.high_delta), e.high_delta),
                Cell(value_text(e.swing, unit), e.swing, bold=True),
            ])
            keys.append(e.lever)
        self.model.set_rows(headers, rows, keys, sens.to_frame())
