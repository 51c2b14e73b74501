"""The import wizard: pick a file → map its columns → read the validation report → import.

Reading, checking and writing run off the GUI thread (:mod:`ui.workers`) with a progress
bar and a Cancel button; each worker opens its own connection to the workspace file. The
domain steps are :mod:`jbp.importers`' pure functions; nothing here parses a value.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from jbp import import_partners as lists  # the partner list and costs (issue 11)
from jbp import importers as imp
from jbp.importers.two_pass import StreamedCheck, check_streamed, import_streamed
from ui import theme
from ui.context import AppContext
from ui.import_steps import commit_step, prepare_step, read_step
from ui.import_streamed import large_note
from ui.import_values_page import ValuesPage
from ui.workers import Task, start_task

NONE = "(not in this file)"


class _TaskPage(QWizardPage):
    """A page that runs one background step with a progress bar and Cancel."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(title)
        self.task: Task | None = None
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancel_task")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_task)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.task_row = row

    def run_task(self, fn, *args, title: str, on_done) -> Task:
        self.cancel_task()
        self.progress.setRange(0, 0)  # busy until the work reports a fraction (a large
        self.progress.show()          # file's survey pass reads it all before the first)
        self.cancel_button.show()
        task = start_task(fn, *args, title=title, parent=self)
        self.task = task
        task.progress.connect(self._progress)
        task.succeeded.connect(lambda result, t=task: t is self.task and on_done(result))
        task.failed.connect(lambda msg, _e, t=task: t is self.task and self.failed(msg))
        task.was_cancelled.connect(lambda t=task: t is self.task and self.failed(
            "Cancelled; nothing was imported."))
        task.finished.connect(lambda t=task: t is self.task and self._finished())
        self.completeChanged.emit()
        return task

    def _progress(self, fraction: float, text: str) -> None:
        if not self.busy():  # a report queued before the task ended
            return
        if fraction > 0:
            self.progress.setRange(0, 100)
            self.progress.setValue(int(fraction * 100))
        if text:
            self.status.setText(text + "…")

    def _finished(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.completeChanged.emit()

    def busy(self) -> bool:
        return self.task is not None and self.task.running

    def cancel_task(self) -> None:
        if self.busy():
            self.task.cancel()

    def failed(self, message: str) -> None:
        self.status.setText(theme.span(message, "error_text"))


class FilePage(_TaskPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__("Pick the export to import")
        self.wiz = wizard
        self.setSubTitle("A CSV or XLSX export from your CRM, PRM or LMS.")
        self.path = QLineEdit(self)
        self.path.setObjectName("import_file")
        self.path.setPlaceholderText("File…")
        self.path.textChanged.connect(self._changed)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self.browse)
        self.kind = QComboBox(self)
        self.kind.setObjectName("import_kind")
        self.kind.addItem("Detect from the columns", "")
        for k in (*imp.KINDS, *lists.KINDS):
            self.kind.addItem(imp.KIND_LABELS[k], k)
        self.kind.currentIndexChanged.connect(self._changed)
        pick = QHBoxLayout()
        pick.addWidget(self.path, 1)
        pick.addWidget(browse)
        form = QFormLayout()
        form.addRow("File", pick)
        form.addRow("It holds", self.kind)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(self.task_row)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self._ready = False

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import actuals", "",
                                              "Exports (*.csv *.txt *.tsv *.xlsx);;"
                                              "All files (*)")
        if name:
            self.path.setText(name)

    def _changed(self, *_a) -> None:
        self._ready = False
        self.status.clear()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.path.text().strip()) and not self.busy()

    def validatePage(self) -> bool:
        if self._ready:
            return True
        ws = self.wiz.ctx.workspace
        if ws is None:
            self.failed("Open a workspace first.")
            return False
        self.run_task(read_step, Path(self.path.text().strip()), ws.path,
                      self.kind.currentData() or None, title="Reading export",
                      on_done=self._read)
        return False

    def _read(self, result: dict[str, Any]) -> None:
        self.wiz.read = result
        table = result["table"]
        self.status.setText(large_note(result) or
                            f"{len(table.frame):,} rows, {len(table.headers)} columns.")
        self._ready = True
        self.wiz.next()


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Map the columns")
        self.setSubTitle("Which column of the file feeds each field. Starred fields are "
                         "required. The mapping is saved under the source name, so next "
                         "month's file maps itself.")
        self.source = QLineEdit(self)
        self.source.setObjectName("mapping_source")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("mapping_table")
        self.table.setHorizontalHeaderLabels(["Field", "Column in the file", "First values"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.date_format = QComboBox(self)
        self.date_format.setObjectName("date_format")
        for key, label in imp.DATE_FORMATS.items():
            self.date_format.addItem(label, key)
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout()
        form.addRow("Source name", self.source)
        form.addRow("Dates are written", self.date_format)
        self.decimal = QComboBox(self)
        self.decimal.setObjectName("decimal_separator")
        for key, label in imp.DECIMALS.items():
            self.decimal.addItem(label, key)
        form.addRow("Amounts are written", self.decimal)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        self.missing = QLabel(self)
        self.missing.setObjectName("mapping_missing")
        theme.style(self.missing, "color: $error_text")
        layout.addWidget(self.missing)
        self.completeChanged.connect(self._show_missing)

    def _show_missing(self) -> None:
        if not self.combos:
            return
        missing = self.mapping().missing(self.wiz.read["table"].headers)
        self.missing.setText("Still to map: " + ", ".join(t.label for t in missing)
                             if missing else "")

    def initializePage(self) -> None:
        read = self.wiz.read
        table: imp.RawTable = read["table"]
        mapping: imp.ColumnMapping = read["mapping"]
        self.source.setText(read["source"])
        self.note.setText(
            (f"Using the mapping saved for “{read['source']}”. " if read["saved"] else
             "Columns were guessed from the header names; check them. ")
            + f"This file holds {imp.KIND_LABELS[read['kind']].lower()}."
            + (f"<br>{large_note(read)}" if read.get("large") else "")
            + ("".join(f"<br>Note: {n}" for n in table.notes)))
        self.date_format.setCurrentIndex(max(0, self.date_format.findData(
            mapping.date_format)))
        self.decimal.setCurrentIndex(max(0, self.decimal.findData(mapping.decimal)))
        specs = imp.targets(read["kind"])
        self.table.setRowCount(len(specs))
        self.combos = {}
        for r, t in enumerate(specs):
            item = QTableWidgetItem(t.label + (" *" if t.required else ""))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(r, 0, item)
            box = QComboBox(self.table)
            box.setObjectName(f"map_{t.name}")
            box.addItem(NONE, None)
            for h in table.headers:
                box.addItem(h, h)
            box.setCurrentIndex(max(0, box.findData(mapping.columns.get(t.name))))
            box.currentIndexChanged.connect(lambda _i, row=r, b=box: self._sample(row, b))
            box.currentIndexChanged.connect(self.completeChanged)
            self.table.setCellWidget(r, 1, box)
            self.combos[t.name] = box
            self._sample(r, box)
        self.table.resizeColumnsToContents()
        self.completeChanged.emit()

    def _sample(self, row: int, box: QComboBox) -> None:
        header = box.currentData()
        text = ""
        if header is not None:
            values = self.wiz.read["table"].frame[header].head(3).tolist()
            text = " | ".join(str(v) for v in values)
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.table.setItem(row, 2, item)

    def mapping(self) -> imp.ColumnMapping:
        kind = self.wiz.read["kind"]
        return imp.ColumnMapping(kind, {name: box.currentData() for name, box in
                                        self.combos.items()},
                                 self.date_format.currentData(), self.decimal.currentData())

    def nextId(self) -> int:
        """The values step reviews what the importers' own checking reads (value maps,
        filters, aliases); a partner list or cost file (jbp.import_partners) goes straight to
        its report."""
        pages = self.wiz.pageIds()
        here = pages.index(self.wiz.currentId()) if self.wiz.currentId() in pages else 1
        kind = self.wiz.read.get("kind")
        if kind is not None and kind not in imp.KIND_SPECS:
            return pages[here + 2]
        return pages[here + 1]

    def isComplete(self) -> bool:
        if not self.combos:
            return False
        m = self.mapping()
        return not m.missing(self.wiz.read["table"].headers) and bool(
            self.source.text().strip())


class ReportPage(_TaskPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__("Validation report")
        self.wiz = wizard
        self.setSubTitle("Every value was checked. Nothing is written until you import.")
        self.summary = QLabel(self)
        self.summary.setObjectName("report_summary")
        self.summary.setWordWrap(True)
        self.errors = QTableWidget(0, 4, self)
        self.errors.setObjectName("report_errors")
        self.errors.setHorizontalHeaderLabels(["Row", "Column", "Value", "Reason"])
        self.errors.verticalHeader().setVisible(False)
        self.errors.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.take_valid = QCheckBox(self)
        self.take_valid.setObjectName("take_valid_rows")
        self.take_valid.toggled.connect(self.completeChanged)
        self.take_valid.hide()
        self.refresh_kpis = QCheckBox("Then fill the plans' KPI actuals that are bound to a "
                                      "metric (one undoable step)", self)
        self.refresh_kpis.setObjectName("refresh_kpis_after_import")
        self.refresh_kpis.setChecked(True)
        # Coverage: the day the export was pulled (the source is complete through it).
        self.extract_given = QCheckBox("The export was extracted on", self)
        self.extract_given.setObjectName("extract_date_given")
        self.extract_given.setToolTip("The source then counts as complete through this day, "
                                      "even where its last row is older")
        self.extract_date = QDateEdit(QDate.currentDate(), self)
        self.extract_date.setObjectName("extract_date")
        self.extract_date.setCalendarPopup(True)
        self.extract_date.setDisplayFormat("yyyy-MM-dd")
        self.extract_date.setEnabled(False)
        self.extract_given.toggled.connect(self.extract_date.setEnabled)
        extract_row = QHBoxLayout()
        extract_row.addWidget(self.extract_given)
        extract_row.addWidget(self.extract_date)
        extract_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.task_row)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)
        layout.addWidget(self.errors, 1)
        layout.addWidget(self.take_valid)
        layout.addWidget(self.refresh_kpis)
        layout.addLayout(extract_row)
        self.prepared: imp.PreparedImport | StreamedCheck | None = None

    def extract_day(self):
        """The extract date the user gave (None when not given)."""
        if not self.extract_given.isChecked():
            return None
        q = self.extract_date.date()
        return dt.date(q.year(), q.month(), q.day())

    def initializePage(self) -> None:
        self.prepared = None
        self.summary.clear()
        self.errors.setRowCount(0)
        self.take_valid.hide()
        self.take_valid.setChecked(False)
        self.status.setText("Checking…")
        mapping = self.wiz.values_page.mapping()
        if self.wiz.read.get("large"):  # every row, chunk by chunk; nothing is written
            self.run_task(check_streamed, self.wiz.ctx.workspace.path, self.wiz.read["path"],
                          mapping, self.wiz.mapping_page.source.text().strip(),
                          title="Checking export", on_done=self._show)
            return
        self.run_task(prepare_step, self.wiz.ctx.workspace.path, self.wiz.read["table"],
                      mapping, title="Checking export", on_done=self._show)

    def cleanupPage(self) -> None:
        self.cancel_task()

    def _show(self, prepared: imp.PreparedImport | StreamedCheck) -> None:
        self.prepared = prepared
        report = prepared.report
        self.status.clear()
        later = ""
        if isinstance(prepared, StreamedCheck) and prepared.counts:
            later = self._whole_file(prepared)
        self.summary.setText(later +
            f"<b>{report.rows:,}</b> rows: <b>{report.new:,}</b> new, "
            f"<b>{report.changed:,}</b> changed since the last import, "
            f"<b>{report.duplicates + report.in_file_duplicates:,}</b> already imported "
            f"(counted once), <b>{report.filtered:,}</b> filtered out, "
            f"<b>{report.rejected:,}</b> rejected."
            + "".join(f"<br>Note: {n}" for n in report.notes)
            + "<br><b>Assumed</b>:<br>" + "<br>".join(
                ("&nbsp;" * 4 if a.startswith("  ") else "") + html.escape(a.strip(), quote=False)
                for a in report.assumed))
        errors = report.errors
        self.errors.setRowCount(len(errors))
        for r, e in enumerate(errors):
            for c, v in enumerate((str(e.row), e.column, e.value, e.reason)):
                item = QTableWidgetItem(v)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.errors.setItem(r, c, item)
        self.errors.resizeColumnsToContents()
        if errors:
            self.take_valid.setText(
                f"Import the {_rows(report.valid)} that passed and leave out the "
                f"{_rows(report.rejected)} rejected")
            self.take_valid.show()
        self.completeChanged.emit()

    def _whole_file(self, checked: StreamedCheck) -> str:
        """The values step now lists every row's values; what the report says of those the
        head did not have (and so could not be mapped there)."""
        from jbp.importers.values import unseen_texts

        self.wiz.values_page.show_whole_file(checked.counts)
        unseen = unseen_texts(self.wiz.read["table"], checked.mapping, checked.counts,
                              checked.report)
        if not unseen:
            return ""
        shown = ", ".join(f"“{html.escape(text)}” ({html.escape(column)}, {_rows(n)})"
                          for column, text, n in unseen[:5])
        more = f" and {len(unseen) - 5:,} more" if len(unseen) > 5 else ""
        return (f"<b>Values first seen past the rows the values step showed</b>: {shown}{more}."
                " Go <b>Back</b> to map them: that step now lists every row's values.<br>")

    def isComplete(self) -> bool:
        if self.busy() or self.prepared is None:
            return False
        report = self.prepared.report
        if report.new + report.changed == 0:
            return False
        return not report.errors or self.take_valid.isChecked()


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


class ResultPage(_TaskPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__("Import")
        self.wiz = wizard
        self.result: imp.ImportResult | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self.task_row)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.result = None
        self.status.setText("Writing…")
        checked = self.wiz.report_page.prepared
        if isinstance(checked, StreamedCheck):  # the file is read again, chunk by chunk
            self.run_task(import_streamed, self.wiz.ctx.workspace.path, checked,
                          self.wiz.mapping_page.source.text().strip(),
                          self.wiz.report_page.extract_day(),
                          self.wiz.report_page.take_valid.isChecked(),
                          title="Importing actuals", on_done=self._done)
            return
        self.run_task(commit_step, self.wiz.ctx.workspace.path, self.wiz.report_page.prepared,
                      self.wiz.mapping_page.source.text().strip(),
                      self.wiz.report_page.extract_day(), title="Importing actuals",
                      on_done=self._done)

    def _done(self, result: imp.ImportResult) -> None:
        self.result = result
        self.status.setText(result.text())
        ws = self.wiz.ctx.workspace
        if ws is not None:
            ws.notify("actuals")  # this session's views recompute
        self.wiz.imported.emit(result)
        if ws is not None and self.wiz.report_page.refresh_kpis.isChecked() and (
                result.inserted or result.updated):
            from jbp.bindings import updates_for_file

            task = start_task(updates_for_file, ws.path, self.wiz.ctx.as_of,
                              title="Refresh KPI actuals", parent=self)
            self.task = task
            task.succeeded.connect(self._kpis)
            task.failed.connect(lambda msg, _e: self.failed(
                f"{result.text()}<br>The KPI actuals were not updated: {msg}"))
            task.finished.connect(self._finished)
            self.completeChanged.emit()

    def _kpis(self, updates: list) -> None:
        from jbp.bindings import import_editor, refresh_command

        text = self.result.text() if self.result else ""
        command = refresh_command(updates, import_editor(self.result.file if self.result
                                                         else None))
        if command is None:
            self.status.setText(f"{text}<br>The bound KPI actuals were already up to date.")
        elif self.wiz.ctx.run(command):
            plans = len({u.plan_id for u in updates})
            self.status.setText(f"{text}<br>Updated {len(updates)} KPI actuals in {plans} "
                                "plans (Edit › Undo takes them back).")
        self.wiz.kpis_refreshed.emit(len(updates))

    def isComplete(self) -> bool:
        return not self.busy()


class ImportWizard(QWizard):
    """Import an export of actuals into the context's workspace; emits :attr:`imported`."""

    imported = Signal(object)
    #: After an import, the number of bound KPI actuals filled in (when asked to).
    kpis_refreshed = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, path: str | None = None,
                 kind: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.read: dict[str, Any] = {}
        self.setWindowTitle("Import actuals")
        self.setObjectName("import_wizard")
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.values_page = ValuesPage(self)
        self.report_page = ReportPage(self)
        self.result_page = ResultPage(self)
        for page in (self.file_page, self.mapping_page, self.values_page, self.report_page,
                     self.result_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.NextButton, "Next >")
        self.report_page.setButtonText(QWizard.WizardButton.NextButton, "Import")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.resize(820, 560)
        if path:
            self.file_page.path.setText(str(path))
        if kind:
            self.file_page.kind.setCurrentIndex(self.file_page.kind.findData(kind))

    def reject(self) -> None:
        for page in (self.file_page, self.report_page, self.result_page):
            page.cancel_task()
        if self.result_page.busy():
            return  # a cancelled write rolls back; close once it has
        super().reject()
