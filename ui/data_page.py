"""The Data page: past imports of actuals, the import wizard, and filling bound KPI actuals
of the plans from the imports (one undoable step)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.workers import Progress, Task, start_task

IMPORT_COLUMNS = [("id", "#"), ("imported_at", "Imported at"), ("kind", "Kind"),
                  ("file", "File"), ("rows_taken", "Taken"), ("rows_duplicate", "Duplicates"),
                  ("rows_rejected", "Rejected")]


def kpi_updates(path: Path, as_of: dt.date | None, *, state: Progress) -> list:
    """The bound KPI actuals that differ from the imports (own connection)."""
    from jbp import bindings, metrics
    from jbp.store import Workspace

    state.report(0.1, "reading actuals")
    with Workspace.open(path) as ws:
        actuals = metrics.Actuals.load(ws)
        state.check()
        as_of = metrics.effective_as_of(actuals, as_of)
        return bindings.bound_updates(ws, None, as_of, actuals)


def apply_kpi_updates(ctx: AppContext, updates: list) -> bool:
    """Apply bound-KPI updates as one undoable step under the current editor (or "Actuals
    import"). False when the context refused it (the message went to ``ctx.error``)."""
    from jbp import bindings
    from jbp.commands import Macro

    if not updates:
        return True
    editor = ctx.editor or bindings.IMPORT_EDITOR
    return ctx.run(Macro("Refresh KPI actuals from imports",
                         bindings.refresh_commands(updates, editor)))


class DataPage(QWidget):
    """Past imports, "Import actuals…" and "Refresh KPI actuals"."""

    #: Emitted with the number of KPI actuals changed by a refresh (0: all up to date).
    kpis_refreshed = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.wizard = None
        self.table = QTableWidget(0, len(IMPORT_COLUMNS), self)
        self.table.setObjectName("imports_table")
        self.table.setHorizontalHeaderLabels([t for _, t in IMPORT_COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.import_button = QPushButton("Import actuals…", self)
        self.import_button.setObjectName("import_actuals")
        self.import_button.clicked.connect(self.open_wizard)
        self.refresh_button = QPushButton("Refresh KPI actuals", self)
        self.refresh_button.setObjectName("refresh_kpis")
        self.refresh_button.setToolTip("Fill the actuals of every KPI bound to a metric from "
                                       "the imported actuals (quarters that have started; "
                                       "one undoable step)")
        self.refresh_button.clicked.connect(self.refresh_kpis)
        self.status = QLabel(self)
        self.status.setObjectName("data_status")
        self.status.setWordWrap(True)
        self.totals = QLabel(self)
        self.totals.setObjectName("actuals_totals")
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("<span style='font-size:14pt;font-weight:600'>Data</span>"))
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.totals)
        layout.addWidget(QLabel("Past imports", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        ctx.workspace_changed.connect(self.reload)
        ctx.data_changed.connect(lambda what: what == "actuals" and self.reload())
        self.reload()

    def reload(self) -> None:
        from jbp.importers import past_imports

        ws = self.ctx.workspace
        enabled = ws is not None
        self.import_button.setEnabled(enabled)
        self.refresh_button.setEnabled(enabled)
        if ws is None:
            self.table.setRowCount(0)
            self.totals.clear()
            return
        frame = past_imports(ws)
        self.table.setRowCount(len(frame))
        for r, rec in enumerate(frame.to_dict("records")):
            for c, (key, _) in enumerate(IMPORT_COLUMNS):
                value: Any = rec[key]
                if key == "file":
                    value = Path(str(value)).name
                item = QTableWidgetItem(str(value))
                item.setToolTip(str(rec["file"]))
                if key.startswith("rows") or key == "id":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        info = ws.info()["actuals"]
        self.totals.setText("Actuals in this workspace: " + ", ".join(
            f"{kind} {a['rows']:,}" + (f" ({a['from']} – {a['to']})" if a["rows"] else "")
            for kind, a in info.items()))

    def open_wizard(self, path: str | None = None, kind: str | None = None):
        from ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self, path=path, kind=kind)
        wizard.imported.connect(lambda result: self.status.setText(result.text()))
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard = wizard
        wizard.open()
        return wizard

    def refresh_kpis(self) -> None:
        ws = self.ctx.workspace
        if ws is None or (self.task is not None and self.task.running):
            return
        self.refresh_button.setEnabled(False)
        self.status.setText("Computing bound KPI actuals…")
        task = start_task(kpi_updates, ws.path, self.ctx.as_of, title="Refresh KPI actuals",
                          parent=self)
        self.task = task
        task.succeeded.connect(self._apply_updates)
        task.failed.connect(lambda msg, _e: self.status.setText(f"Could not refresh: {msg}"))
        task.finished.connect(lambda: self.refresh_button.setEnabled(
            self.ctx.workspace is not None))

    def _apply_updates(self, updates: list) -> None:
        if not updates:
            self.status.setText("Bound KPI actuals are up to date.")
            self.kpis_refreshed.emit(0)
            return
        if apply_kpi_updates(self.ctx, updates):
            plans = len({u.plan_id for u in updates})
            self.status.setText(f"Updated {len(updates)} KPI actuals in {plans} plans "
                                "(Edit › Undo takes them back).")
            self.kpis_refreshed.emit(len(updates))
        else:
            self.status.setText("The KPI actuals could not be updated (see the message).")
