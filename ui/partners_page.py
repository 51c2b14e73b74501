"""The Partners page: the partner list the user brings and keeps.

Partners are imported from a PRM or CRM export (Import partner list…, the import wizard's
``partners`` kind), added by hand, edited in place and archived; every change is a command
of :mod:`jbp.partners` on the undo stack, logged in the program's change log. Archived
partners keep their history and are hidden unless "Show archived" is ticked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
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
from ui.command_table import CommandTableModel
from ui.context import AppContext
from ui.plan_editor.models import field_columns
from ui.widgets.field_delegate import FieldDelegate
from ui.widgets.keyboard import keyboard_view, tab_order
from ui.widgets.part_table import ErrorLine

#: How many rows the column widths are measured on (the visible ones first).
SIZE_SAMPLE_ROWS = 60

COLUMNS = ("name", "source_id", "type", "region", "tier", "manager", "signup_date",
           "activated_on", "churned_on", "competencies")


class _Proxy(QSortFilterProxyModel):
    """Sorting and filtering that still tells the cell delegate each column's field.

    A program can hold 20,000 partners: the sort keys (each cell's text) and the filter's
    text of each row are read from the model once per partner list, not twice per
    comparison and once per cell per keystroke (a sort asked the model for ~600,000
    cells)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._keys: dict[int, tuple[object, list[str]]] = {}
        self._hay: tuple[object, list[str]] | None = None
        self._needle = ""

    def field_at(self, index):
        return self.sourceModel().field_at(self.mapToSource(index))

    def _column_texts(self, column: int) -> list[str]:
        model = self.sourceModel()
        return [str(model.index(r, column).data() or "") for r in range(model.rowCount())]

    def _sort_keys(self, column: int) -> list[str]:
        # The model's element list is a new list after every reload: a cache for another
        # list is stale.
        elements = self.sourceModel().elements
        cached = self._keys.get(column)
        if cached is None or cached[0] is not elements:
            cached = (elements, self._column_texts(column))
            self._keys[column] = cached
        return cached[1]

    def lessThan(self, left, right) -> bool:
        keys = self._sort_keys(left.column())
        return keys[left.row()] < keys[right.row()]

    def setFilterFixedString(self, text: str) -> None:
        self._needle = text.lower()
        super().setFilterFixedString(text)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self._needle:
            return True
        elements = self.sourceModel().elements
        if self._hay is None or self._hay[0] is not elements:
            columns = [self._column_texts(c) for c in range(self.sourceModel().columnCount())]
            self._hay = (elements, ["\t".join(row).lower() for row in zip(*columns,
                                                                           strict=True)])
        return self._needle in self._hay[1][source_row]


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
        self.model = CommandTableModel(
            ctx, field_columns(Partner, COLUMNS), self._command, set(COLUMNS),
            muted=lambda p: bool(p.archived) or p.churned_on is not None, parent=self)
        self.proxy = _Proxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QTableView(self)
        self.view.setObjectName("partners_table")
        self.view.setModel(self.proxy)
        self.delegate = FieldDelegate(ctx, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.verticalHeader().setVisible(False)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.search = QLineEdit(self)
        self.search.setObjectName("partners_search")
        self.search.setPlaceholderText("Filter partners…")
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        keyboard_view(self.view, "Partners")
        self.search.setAccessibleName("Filter partners")
        self.show_archived = QCheckBox("Show archived", self)
        self.show_archived.setObjectName("partners_show_archived")
        self.show_archived.toggled.connect(self.reload)
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
        ctx.workspace_changed.connect(self.reload)
        ctx.data_changed.connect(self._data_changed)
        self.dialog: AddPartnerDialog | None = None
        self._stale = True
        self.reload()

    def _data_changed(self, what: str) -> None:
        if what in ("partners", "program"):
            self.reload()

    def reload(self) -> None:
        ws = self.ctx.workspace
        if ws is None:
            self.model.set_elements([])
            return
        if not self.isVisible():
            # A program can hold 20,000 partners: the list is read when the page is shown,
            # not on every change while another page is in view (opening a workspace
            # reloads every page).
            self._stale = True
            return
        self._stale = False
        partners = store.partner_list(ws, include_archived=self.show_archived.isChecked())
        self.model.set_elements(partners)
        program = ws.program()
        archived = ws.rows("SELECT COUNT(*) FROM partners WHERE archived = 1")[0][0]
        self.title.setText(f"<span style='font-size:14pt;font-weight:600'>Partners</span>"
                           f"&nbsp;&nbsp;{program.name} · amounts in <b>{program.currency}</b>"
                           f" · {len(partners)} shown, {archived} archived")
        self.note.setText(
            "“Tier” is the tier as your PRM holds it; the Portfolio computes each partner's "
            "tier by the program's rules. Re-importing the partner list updates partners by "
            "their account id (or name) and never adds one twice. Archived partners keep "
            "their deals and history.")
        if not self.view.property("sized") and partners:
            # Widths from a sample of rows (the visible ones and a few more), never all.
            self.view.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
            self.view.resizeColumnsToContents()
            self.view.setProperty("sized", True)
        self._current_changed()

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
