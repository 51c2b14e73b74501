"""A baseline calibrated from the workspace, and the report of what it was estimated from.

The worker thread reads the workspace through a connection of its own
(:meth:`WorkspaceSnapshot.read`) and :func:`simulation.calibrate.baseline_from_workspace`
runs there against the snapshot: nothing is read on the GUI thread and the GUI's SQLite
connection is never shared between threads. :class:`CalibrationDialog` shows the report: every figure, whether it was estimated
and from how much data, or kept its default and why.
"""

from __future__ import annotations

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

from ui.numbers import param_text
from ui.widgets.keyboard import keyboard_view
from ui.workers import Progress

from .models import Cell, FigureTableModel

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


class CalibrationDialog(QDialog):
    """The calibration report as a table (non-modal, so the Lab stays usable)."""

    def __init__(self, calibration, workspace_name: str = "", parent: QWidget | None = None):
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
            "Every other field has the model's default (see docs/scenario.md).", self)
        self.summary.setWordWrap(True)
        self.model = FigureTableModel(self)
        rows = []
        for e in est + dflt:
            rows.append([
                Cell(e.path, e.path, align_right=False),
                Cell(param_text(e.value), e.value, align_right=False),
                Cell("estimated" if e.estimated else "default", e.estimated,
                     colour="" if e.estimated else "warning_text", align_right=False),
                Cell(e.basis, e.basis, e.basis, align_right=False),
            ])
        self.model.set_rows(["Field", "Value", "Source", "From what data"], rows,
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

    def report(self) -> str:
        return self.calibration.report()
