"""The Data page: where each source's data ends (the coverage strip), past imports of
actuals, the import wizard, and filling bound KPI actuals of the plans from the imports (one
undoable step, :mod:`jbp.bindings`)."""

from __future__ import annotations

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
from ui.widgets.coverage_strip import CoverageStrip
from ui.widgets.keyboard import keyboard_view, tab_order
from ui.workers import Task, start_task

IMPORT_COLUMNS = [("id", "#"), ("imported_at", "Imported at"), ("kind", "Kind"),
                  ("file", "File"), ("rows_taken", "Taken"), ("rows_duplicate", "Duplicates"),
                  ("rows_rejected", "Rejected"), ("extract_date", "Extracted on")]


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
        # Every column as wide as its contents and the file name taking the rest: the table
        # fills the page's width whatever is imported (a resize to contents after an import
        # once left it half as wide).
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        keyboard_view(self.table, "Imports")
        self.import_button = QPushButton("Import actuals…", self)
        self.import_button.setObjectName("import_actuals")
        self.import_button.clicked.connect(self.open_wizard)
        self.refresh_button = QPushButton("Refresh KPI actuals", self)
        self.refresh_button.setObjectName("refresh_kpis")
        self.refresh_button.setToolTip("Fill the actuals of every KPI bound to a metric from "
                                       "the imported actuals (quarters that have started; "
                                       "one undoable step)")
        self.refresh_button.clicked.connect(self.refresh_kpis)
        tab_order(self, [self.refresh_button, self.table])  # the buttons are above it
        self.status = QLabel(self)
        self.status.setObjectName("data_status")
        self.status.setWordWrap(True)
        self.totals = QLabel(self)
        self.totals.setObjectName("actuals_totals")
        self.totals.setWordWrap(True)
        self.as_of_label = QLabel(self)
        self.as_of_label.setObjectName("data_as_of")
        self.as_of_label.setWordWrap(True)
        self.coverage_strip = CoverageStrip(self)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("<span style='font-size:14pt;font-weight:600'>Data</span>"))
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.as_of_label)
        layout.addWidget(self.coverage_strip)
        layout.addWidget(self.totals)
        layout.addWidget(QLabel("Past imports", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        ctx.workspace_changed.connect(self.reload)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.as_of_changed.connect(self.reload)
        ctx.coverage_changed.connect(self._show_coverage)
        self.reload()

    def _on_data_changed(self, what: str) -> None:
        if what == "actuals":
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
        extracts = {r["id"]: r["extract_date"] for r in ws.rows(
            "SELECT id, extract_date FROM imports")}
        frame["extract_date"] = [extracts.get(i) or "" for i in frame["id"]]
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
        self._show_coverage()

    def _show_coverage(self) -> None:
        """The coverage and totals; "reading…" while the context reads them off the GUI
        thread (it emits ``coverage_changed`` when they are there)."""
        from jbp import formatting as fmt

        if self.ctx.workspace is None:
            return
        coverage = self.ctx.coverage()
        as_of = self.ctx.as_of_info
        self.coverage_strip.set_coverage(coverage, as_of.date)
        if coverage is None:
            error = self.ctx.coverage_error
            self.as_of_label.setText(f"Figures {as_of.label()} · " + (
                f"could not read where the actuals end: {error}" if error
                else "reading where the actuals end…"))
            self.totals.setText("Actuals in this workspace: reading…")
            return
        self.as_of_label.setText(f"Figures {as_of.label()} · {coverage.summary(as_of.date)}")
        self.totals.setText("Actuals in this workspace: " + ", ".join(
            f"{s.label.lower()} {fmt.count(s.rows)}"
            + (f" ({s.first} – {s.end})" if s.rows else "")
            for s in coverage.sources.values()))

    def open_wizard(self, path: str | None = None, kind: str | None = None):
        from ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self, path=path, kind=kind)
        wizard.imported.connect(self._imported)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard = wizard
        wizard.open()
        return wizard

    def _imported(self, result) -> None:
        self.status.setText(result.text())

    def refresh_kpis(self) -> None:
        ws = self.ctx.workspace
        if ws is None or (self.task is not None and self.task.running):
            return
        self.refresh_button.setEnabled(False)
        self.status.setText("Computing bound KPI actuals…")
        from jbp.bindings import updates_for_file

        task = start_task(updates_for_file, ws.path, self.ctx.as_of,
                          title="Refresh KPI actuals", parent=self)
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
        from jbp.bindings import refresh_command

        if self.ctx.run(refresh_command(updates)):
            plans = len({u.plan_id for u in updates})
            self.status.setText(f"Updated {len(updates)} KPI actuals in {plans} plans "
                                "(Edit › Undo takes them back).")
            self.kpis_refreshed.emit(len(updates))
        else:
            self.status.setText("The KPI actuals could not be updated (see the message).")
