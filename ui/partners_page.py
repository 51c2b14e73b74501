"""The Partners page: the partner list the user brings and keeps.

Partners are imported from a PRM or CRM export (Import partner list…, the import wizard's
``partners`` kind), added by hand, edited in place and archived; every change is a command
of :mod:`jbp.partners` on the undo stack, logged in the program's change log. Archived
partners keep their history and are hidden unless "Show archived" is ticked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jbp import store
from jbp.errors import JbpError
from jbp.model import PARTNER_TYPES, REGIONS, Partner
from jbp.partners import AddPartner, ArchivePartner, EditPartner
from ui import i18n
from ui.context import AppContext
from ui.partner_table import PartnerProxy, PartnerRows, PartnerTableModel, read_partner_rows
from ui.plan_editor.models import field_columns
from ui.widgets.field_delegate import FieldDelegate
from ui.widgets.keyboard import keyboard_view, tab_order
from ui.widgets.part_table import ErrorLine
from ui.workers import Task, start_task

#: The widest a column starts (pixels), however long its longest text.
MAX_COLUMN_WIDTH = 320
#: Partners changed since the list was read that are caught up one by one; more (an
#: import) and the list is read again.
CATCH_UP_LIMIT = 100

COLUMNS = ("name", "source_id", "type", "region", "tier", "manager", "signup_date",
           "activated_on", "churned_on", "competencies")


class AddPartnerDialog(QDialog):
    """Name, type, region and sign-up date (the rest is edited in the table)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("add_partner_dialog")
        self.setWindowTitle("Add partner")
        self.name = QLineEdit(self)
        self.name.setObjectName("new_partner_name")
        self.type = QComboBox(self)
        self.type.setObjectName("new_partner_type")
        self.type.addItems(list(PARTNER_TYPES))
        self.region = QComboBox(self)
        self.region.setObjectName("new_partner_region")
        self.region.addItems(list(REGIONS))
        self.signup = QDateEdit(QDate.currentDate(), self)
        self.signup.setObjectName("new_partner_signup")
        self.signup.setCalendarPopup(True)
        self.signup.setDisplayFormat("yyyy-MM-dd")
        self.manager = QLineEdit(self)
        self.source_id = QLineEdit(self)
        self.source_id.setPlaceholderText("the PRM's or CRM's account id (optional)")
        self.error = ErrorLine(self)
        form = QFormLayout(self)
        form.addRow("Name", self.name)
        form.addRow("Type", self.type)
        form.addRow("Region", self.region)
        form.addRow("Sign-up date", self.signup)
        form.addRow("Partner manager", self.manager)
        form.addRow("Account ID", self.source_id)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        d = self.signup.date()
        try:
            partner = Partner(name=self.name.text(), type=self.type.currentText(),
                              region=self.region.currentText(),
                              signup_date=dt.date(d.year(), d.month(), d.day()),
                              manager=self.manager.text(), source_id=self.source_id.text())
            command = AddPartner(self.ctx.editor, partner)
        except (JbpError, TypeError) as exc:
            self.error.show_message(str(exc))
            return
        if self.ctx.editor is None:
            self.error.show_message("Say who you are first (Edit ▸ Switch editor…)")
            return
        if not self.ctx.run(command):
            self.error.show_message(str(self.ctx.last_error))
            return
        super().accept()


class PartnersPage(QWidget):
    """See the module docstring."""

    message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.title = QLabel(self)
        self.title.setObjectName("partners_title")
        self.model = PartnerTableModel(
            ctx, field_columns(Partner, COLUMNS), self._command, set(COLUMNS),
            muted=lambda p: bool(p.archived) or p.churned_on is not None, parent=self)
        self.proxy = PartnerProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setObjectName("partners_table")
        self.view.setModel(self.proxy)
        self.delegate = FieldDelegate(ctx, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSortingEnabled(True)
        # By name, A to Z (Qt's first sort is descending), sorted off the GUI thread.
        self.view.sortByColumn(COLUMNS.index("name"), Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.verticalHeader().setVisible(False)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for column in range(len(COLUMNS)):  # titles readable while the list is read
            self.view.setColumnWidth(column, self.view.horizontalHeader().sectionSizeHint(column))
        self.search = QLineEdit(self)
        self.search.setObjectName("partners_search")
        self.search.setPlaceholderText("Filter partners…")
        self.search.textChanged.connect(self._filter)
        keyboard_view(self.view, "Partners")
        self.search.setAccessibleName("Filter partners")
        self.show_archived = QCheckBox("Show archived", self)
        self.show_archived.setObjectName("partners_show_archived")
        self.show_archived.toggled.connect(self._show_archived)
        add = QPushButton("Add partner…", self)
        add.setObjectName("partners_add")
        add.clicked.connect(lambda: self.add_partner() and None)
        self.archive_button = QPushButton("Archive", self)
        self.archive_button.setObjectName("partners_archive")
        self.archive_button.clicked.connect(lambda: self.archive_current() and None)
        imp = QPushButton("Import partner list…", self)
        imp.setObjectName("partners_import")
        imp.clicked.connect(lambda: self.import_partners() and None)
        tab_order(self, [imp, self.view])  # Tab: the filter and buttons, then the table
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.show_archived)
        bar.addWidget(add)
        bar.addWidget(self.archive_button)
        bar.addWidget(imp)
        self.error = ErrorLine(self)
        self.model.edit_refused.connect(lambda _i, msg: self.error.show_message(msg))
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("partners_note")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        ctx.workspace_changed.connect(self._workspace_changed)
        ctx.data_changed.connect(self._data_changed)
        self.dialog: AddPartnerDialog | None = None
        self._stale = True
        #: The read under way, the newest change-log entry the table holds, whether the
        #: partners changed while they were read, a partner to select once they are read.
        self.task: Task | None = None
        self._mark = 0
        self._changed_while_reading = False
        self._select_when_read: int | None = None
        self._not_read = False
        self.reload()

    @property
    def loading(self) -> bool:
        """True while the partner list is being read."""
        return self.task is not None

    def _data_changed(self, what: str) -> None:
        if what == "partners":
            self._catch_up()
        elif what == "program":  # a tier renamed renames it at its partners too
            self.reload()

    def _workspace_changed(self) -> None:
        self.model.set_elements([])  # the last workspace's partners
        self._mark = 0
        self._select_when_read = None
        self.reload()

    def reload(self) -> None:
        """Read the partner list again, off the GUI thread (the table keeps what it shows
        until the new list is there)."""
        ws = self.ctx.workspace
        if self.task is not None:
            self.task.cancel()
            self.task = None
        if ws is None:
            self.model.set_elements([])
            self._stale = True
            return
        if not self.isVisible():
            # A program can hold 20,000 partners: the list is read when the page is shown,
            # not on every change while another page is in view (opening a workspace
            # reloads every page).
            self._stale = True
            return
        self._stale = False
        self._changed_while_reading = False
        self.model.style = i18n.number_style()
        task = start_task(read_partner_rows, ws.path, self.model.columns, self.model.style,
                          self.model.sorted_by, title="Reading partners", parent=self)
        self.task = task
        task.succeeded.connect(lambda rows, t=task: self._read(t, ws, rows))
        task.failed.connect(lambda message, _e, t=task: self._read_failed(t, message))
        task.was_cancelled.connect(lambda t=task: self._read_failed(
            t, "cancelled; show the page again to read it"))
        self._show_title()
        self._current_changed()

    def _read(self, task: Task, ws, rows: PartnerRows) -> None:
        if task is not self.task or ws is not self.ctx.workspace:
            return  # a later read, or another workspace, replaced this one
        self.task = None
        if self._not_read:
            self._not_read = False
            self.error.show_message("")
        current = self.current()
        self.model.set_rows(rows)
        self._mark = rows.mark
        if not self.view.property("sized") and rows.partners:
            self._size_columns(rows.longest)
            self.view.setProperty("sized", True)
        changed, self._changed_while_reading = self._changed_while_reading, False
        if changed:
            self._catch_up()
        pick = self._select_when_read if self._select_when_read is not None else (
            current.id if current is not None else None)
        self._select_when_read = None
        if pick is not None:
            self.select(pick)
        self._show_title()
        self._current_changed()

    def _read_failed(self, task: Task, message: str) -> None:
        if task is not self.task:
            return
        self.task = None
        self._stale = True  # read again when next shown
        self._not_read = True
        self.error.show_message(f"The partner list was not read: {message}")
        self._show_title()

    def _catch_up(self) -> None:
        """The partners changed (an edit, an undo, an import): the ones the program's change
        log names since the table was read are read again, one row each, in place; an
        import of many, or a change the log does not name, reads the whole list again."""
        ws = self.ctx.workspace
        if ws is None or not self.isVisible():
            self._stale = True
            return
        if self.task is not None:
            self._changed_while_reading = True
            return
        entries = ws.rows("SELECT id, element_id FROM program_revisions WHERE id > ? AND "
                          "element_kind = 'partner' ORDER BY id LIMIT ?",
                          (self._mark, CATCH_UP_LIMIT + 1))
        if not entries or len(entries) > CATCH_UP_LIMIT:
            # Many (an import), or a change the log does not name (nor, after a change
            # while reading, one the list read may miss): read them all.
            self.reload()
            return
        self._mark = entries[-1][0]
        for pid in dict.fromkeys(int(e[1]) for e in entries):
            try:
                partner: Partner | None = store.partner_full(ws, pid)
            except JbpError:  # deleted (an addition undone)
                partner = None
            self.model.put_partner(pid, partner)
        self._show_title()
        self._current_changed()

    def _show_title(self) -> None:
        ws = self.ctx.workspace
        if ws is None:
            self.title.setText("")
            return
        program = ws.program()
        head = (f"<span style='font-size:14pt;font-weight:600'>Partners</span>"
                f"&nbsp;&nbsp;{program.name} · amounts in <b>{program.currency}</b> · ")
        if self.task is not None or self._not_read:
            self.title.setText(head + ("the partner list was not read" if self._not_read
                                       and self.task is None else "Reading partners…"))
            return
        self.title.setText(head + f"{self.model.rowCount():,} shown, "
                                  f"{self.model.archived_count():,} archived")
        self.note.setText(
            "“Tier” is the tier as your PRM holds it; the Portfolio computes each partner's "
            "tier by the program's rules. Re-importing the partner list updates partners by "
            "their account id (or name) and never adds one twice. Archived partners keep "
            "their deals and history.")

    def _size_columns(self, longest: list[str]) -> None:
        """Each column as wide as its longest text (computed with the list, off the GUI
        thread) or its title, at most :data:`MAX_COLUMN_WIDTH`: no cell is read."""
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        pad = 2 * self.view.style().pixelMetric(
            self.view.style().PixelMetric.PM_FocusFrameHMargin, None, self.view) + 16
        for column, text in enumerate(longest):
            width = max(metrics.horizontalAdvance(text) + pad,
                        header.sectionSizeHint(column))
            header.resizeSection(column, min(width, MAX_COLUMN_WIDTH))

    def _filter(self, text: str) -> None:
        self._keeping_selection(lambda: self.model.set_filter(text))

    def _show_archived(self, show: bool) -> None:
        self._keeping_selection(lambda: self.model.set_show_archived(show))

    def _keeping_selection(self, change) -> None:
        """Change what the list shows; the selected partner stays selected if still shown."""
        current = self.current()
        change()
        if current is not None:
            self.select(current.id)
        self._show_title()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _command(self, partner: Partner, field: str, value: Any) -> EditPartner:
        return EditPartner(self.ctx.editor, partner.id, field, value)

    def current(self) -> Partner | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.element(self.proxy.mapToSource(index).row())

    def _current_changed(self, *_a) -> None:
        p = self.current()
        self.archive_button.setEnabled(p is not None)
        self.archive_button.setText("Restore" if p is not None and p.archived else "Archive")

    def select(self, partner_id: int) -> None:
        """Make ``partner_id`` the current row (once the list is read, when it is being
        read)."""
        if self.task is not None:
            self._select_when_read = partner_id
        row = self.model.row_of(partner_id)
        if row >= 0:
            self.view.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row, 0)))

    def add_partner(self) -> AddPartnerDialog:
        self.dialog = AddPartnerDialog(self.ctx, self)
        self.dialog.open()
        return self.dialog

    def archive_current(self) -> bool:
        p = self.current()
        if p is None or self.ctx.editor is None:
            self.error.show_message("Pick a partner, and say who you are (Edit ▸ Switch "
                                    "editor…)" if p is not None else "Pick a partner first")
            return False
        ok = self.ctx.run(ArchivePartner(self.ctx.editor, p.id, not p.archived))
        if ok:
            self.message.emit(f"{'Restored' if p.archived else 'Archived'} {p.name} "
                              "(Edit ▸ Undo takes it back)")
        return ok

    def import_partners(self):
        from ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self, kind="partners")
        wizard.setWindowTitle("Import the partner list")
        wizard.show()
        self.import_wizard = wizard
        return wizard
