"""A baseline calibrated from the workspace, and the report of what it was estimated from.

The worker thread reads the workspace through a connection of its own
(:meth:`WorkspaceSnapshot.read`) and :func:`simulation.calibrate.baseline_from_workspace`
runs there against the snapshot: nothing is read on the GUI thread and the GUI's SQLite
connection is never shared between threads. :class:`CalibrationDialog` shows the report: every figure, whether it was estimated
and from how much data, or kept its default and why.
"""

from __future__ import annotations

import html
import re
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.numbers import humanise, param_text
from ui.widgets.keyboard import keyboard_view
from ui.workers import Progress

from .models import Cell, FigureTableModel
from .params import unit_text

ACTUAL_KINDS = ("deals", "registrations", "certifications", "mdf", "program_costs")


class WorkspaceSnapshot:
    """What calibration reads of a workspace (program, partners, actuals), read once."""

    def __init__(self, ws: Any):
        self._program = ws.program()
        self._partners = ws.partners()
        self._frames: dict[str, Any] = {}
        for kind in ACTUAL_KINDS:
            try:
                self._frames[kind] = ws.actuals(kind)
            except Exception:
                self._frames[kind] = None
        self.name = getattr(ws, "name", "")
        self.pinned_as_of = getattr(ws, "pinned_as_of", None)

    @classmethod
    def read(cls, path) -> WorkspaceSnapshot:
        """Read the workspace at ``path`` through a connection of its own: called on the
        worker thread, so the GUI thread does not wait for the actuals."""
        from jbp.store import Workspace

        with Workspace.open(path) as ws:
            return cls(ws)

    def program(self):
        return self._program

    def partners(self):
        return self._partners

    def actuals(self, kind: str):
        frame = self._frames.get(kind)
        if frame is None:
            raise KeyError(kind)
        return frame


def calibrate(snapshot: WorkspaceSnapshot | Any, *, state: Progress, **kwargs: Any):
    """Worker-thread half: a :class:`simulation.calibrate.Calibration` of ``snapshot`` (or
    of the workspace file at that path, read here through its own connection: nothing of
    it is read on the GUI thread). ``kwargs`` go to ``baseline_from_workspace``: name,
    horizon_months, replications, seed, as_of — a past date calibrates from what was known
    then."""
    from simulation.calibrate import baseline_from_workspace

    if not isinstance(snapshot, WorkspaceSnapshot):
        state.report(0.0, "Reading the workspace")
        snapshot = WorkspaceSnapshot.read(snapshot)
    state.report(0.05, "Calibrating the baseline")
    cal = baseline_from_workspace(snapshot, progress=state, **kwargs)
    state.report(1.0, "Calibrated")
    return cal


#: A number written with more than three decimals in a basis text ("0.488889").
_LONG_DECIMAL = re.compile(r"(?<![\d.])(\d+\.\d{4,})(?![\d.])")


def _reference() -> dict[str, dict[str, Any]]:
    """Unit and documentation of each scenario figure, by path."""
    from simulation.scenario import field_reference

    return {row["path"]: row for row in field_reference()}


def figure_name(path: str) -> str:
    """A scenario figure as the Lab's tabs name it: "tiers.review_months" → "Tiers ▸
    Review months", "influence_weight" → "Influence weight"."""
    *section, leaf = path.split(".")
    name = humanise(leaf)
    return " ▸ ".join([*(humanise(s) for s in section), name]) if section else name


def _number(value: float) -> str:
    """At most three decimals, thousands grouped: 0.3391 → "0.339", 12000.5 → "12,000"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def figure_value(value: Any, unit: str, currency: str) -> str:
    """A calibrated value in its unit, in the user's words: fractions as percent
    (0.0584 → "5.8%"), a mix per tier as "Registered 48.9%, Silver 24.4%", amounts with the
    currency, never more than three decimals."""
    fraction = unit.startswith("fraction")
    if isinstance(value, bool) or value is None:
        return param_text(value) if value is not None else "–"
    many = list(value.values()) if isinstance(value, dict) else value
    if isinstance(many, (list, tuple)) and len(many) > 6 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in many):
        # one figure per partner: its spread, not a wall of numbers (all in the tool tip)
        ordered = sorted(float(v) for v in many)
        median = ordered[len(ordered) // 2]
        return (f"{len(ordered)} values, {figure_value(ordered[0], unit, currency)} to "
                f"{figure_value(ordered[-1], unit, currency)} "
                f"(median {figure_value(median, unit, currency)})")
    if isinstance(value, dict):
        return ", ".join(f"{k} {figure_value(v, unit, currency)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(figure_value(v, unit, currency) for v in value)
    if isinstance(value, (int, float)):
        if fraction:
            return f"{value * 100:.1f}%".replace(".0%", "%")
        text = _number(float(value))
        return f"{text} {currency}" if unit == "currency" and currency else text
    return param_text(value)


def plain_basis(text: str) -> str:
    """The basis of an estimate with its numbers to three decimals at most."""
    return _LONG_DECIMAL.sub(lambda m: _number(float(m.group(1))), text)


class CalibrationDialog(QDialog):
    """The calibration report as a table (non-modal, so the Lab stays usable)."""

    def __init__(self, calibration, workspace_name: str = "", parent: QWidget | None = None,
                 *, as_of: str = ""):
        super().__init__(parent)
        self.setObjectName("calibration_dialog")
        self.setWindowTitle("Baseline calibration")
        self.calibration = calibration
        est, dflt = calibration.estimated(), calibration.defaults()
        where = f" <i>{workspace_name}</i>" if workspace_name else ""
        self.summary = QLabel(
            f"<b>{calibration.scenario.name}</b> was calibrated from the workspace{where}: "
            f"<b>{len(est)}</b> figures estimated from its program and actuals, "
            f"<b>{len(dflt)}</b> kept their defaults because the data cannot support them. "
            "Every other figure has the model's default (its meaning and range are in the "
            "tool tip of its field on the Parameters tab)."
            + (f"<br>{html.escape(as_of)}" if as_of else ""), self)
        self.summary.setWordWrap(True)
        self.model = FigureTableModel(self)
        reference = _reference()
        currency = str(getattr(calibration.scenario, "currency", "") or "")
        rows = []
        for e in est + dflt:
            ref = reference.get(e.path, {})
            unit = str(ref.get("unit", ""))
            unit_words = unit_text(unit, currency) if not unit.startswith("fraction") else ""
            value = figure_value(e.value, unit, currency)
            if unit_words and unit not in ("currency", "text", "flag", "choice",
                                           "policy name", "ISO code", "integer", "count"):
                value = f"{value} {unit_words}"
            basis = plain_basis(e.basis)
            rows.append([
                Cell(figure_name(e.path), e.path, str(ref.get("doc", "")), align_right=False),
                Cell(value, e.value, align_right=False),
                Cell("estimated" if e.estimated else "default", e.estimated,
                     colour="" if e.estimated else "warning_text", align_right=False),
                Cell(basis, basis, basis, align_right=False),
            ])
        self.model.set_rows(["Figure", "Value", "Source", "From what data"], rows,
                            [e.path for e in est + dflt])
        self.table = QTableView(self)
        self.table.setObjectName("calibration_table")
        keyboard_view(self.table, "Calibration")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Interactive,
                                    QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(col, mode)
        header.resizeSection(1, 230)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(1000, 600)
        self.table.resizeRowsToContents()
        # Rows as tall as their wrapped text at the widths the columns end up with (sized at
        # construction, before the stretching column had its width, they came out uneven).
        header.sectionResized.connect(self._fit_rows)

    def _fit_rows(self, *_args: object) -> None:
        self.table.resizeRowsToContents()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit_rows()

    def report(self) -> str:
        return self.calibration.report()
