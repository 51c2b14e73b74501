"""The Plans page: every plan of the workspace in a list, the selected one in the editor."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jbp.model import Plan
from ui.context import AppContext
from ui.plan_editor.editor import PlanEditor
from ui.plan_editor.models import RecordTableModel
from ui.plan_editor.new_plan import NewPlanDialog
from ui.widgets.keyboard import keyboard_view


class PlansPage(QWidget):
    """Plan list (filterable) and the :class:`PlanEditor`."""

    message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.partner_names: dict[int, str] = {}
        self.model = RecordTableModel([
            ("Partner", lambda p: self.partner_names.get(p.partner_id, "")),
            ("FY", lambda p: str(p.fiscal_year)), ("Status", lambda p: p.status)], self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter plans…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.filter.setAccessibleName("Filter plans")
        self.list = QTableView(self)
        self.list.setObjectName("plan_list")
        self.list.setModel(self.proxy)
        self.list.verticalHeader().setVisible(False)
        self.list.setWordWrap(False)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        keyboard_view(self.list, "Plans")
        self.new_button = QPushButton("New plan…", self)
        self.new_button.setObjectName("new_plan")
        self.new_button.clicked.connect(self._new_clicked)
        self.roll_button = QPushButton("Roll forward…", self)
        self.roll_button.setObjectName("roll_forward")
        self.roll_button.setToolTip("Copy the selected plan into the next fiscal year")
        self.roll_button.clicked.connect(self._roll_clicked)
        self.editor = PlanEditor(ctx, self)
        self.editor.message.connect(self.message)
        self.new_plan_dialog: NewPlanDialog | None = None

        left = QWidget(self)
        llayout = QVBoxLayout(left)
        llayout.setContentsMargins(0, 0, 0, 0)
        llayout.addWidget(self.filter)
        llayout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.roll_button)
        llayout.addLayout(buttons)
        from ui.widgets.side_panels import CollapsingPanel, PanelSplitter

        # A PanelSplitter: the collapsed list does not hold the window wider than a
        # 1024-pixel screen.
        splitter = PanelSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.editor)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 1100])
        self.splitter = splitter
        # Below ~1650-pixel windows the plan list gives its width to the KPI table.
        self.list_panel = CollapsingPanel(splitter, 0, below=1500, width=300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self.list.selectionModel().currentRowChanged.connect(self._selected)
        # Tab: the plan list and its buttons, the editor's tab bar, the tab's contents,
        # then the comments (the tab bar is made after the tables it shows).
        QWidget.setTabOrder(self.roll_button, self.editor.tabs)
        self.editor.session.loaded.connect(self._sync_undo)
        ctx.plan_changed.connect(self._plans_changed)
        ctx.workspace_changed.connect(self.reload)
        #: The list waits to be read until the page is shown (or asked for a plan).
        self._stale = False
        self._read_for = None
        self.reload()

    # ------------------------------------------------------------------ undo

    def undo_document(self) -> str | None:
        """Ctrl+Z here acts on the open plan's history."""
        from ui.context import plan_document

        plan_id = self.editor.plan_id
        return plan_document(plan_id) if plan_id is not None else None

    def _sync_undo(self) -> None:
        if self.isVisible():
            self.ctx.activate(self.undo_document())

    def select_first(self) -> None:
        """Open the first plan of the list (when none is open)."""
        self.ensure_read()
        if self.model.elements:
            self.select_plan(self.model.elements[0].id)

    # ------------------------------------------------------------------ list

    def reload(self) -> None:
        """Read the plan list again and keep (or pick) the open plan. While the page is
        hidden this waits until it is shown or asked for a plan: opening a plan (its tables
        and chart) on a workspace's open, behind the Portfolio, stalled the window."""
        ws = self.ctx.workspace
        if ws is not None and not self.isVisible():
            if ws is not self._read_for and self.editor.plan_id is not None:
                self.editor.open_plan(None)  # never show a plan of the workspace before
            self._stale = True
            return
        self._reload_now()

    def ensure_read(self) -> None:
        if self._stale:
            self._reload_now()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.ensure_read()

    def _reload_now(self) -> None:
        self._stale = False
        ws = self.ctx.workspace
        self._read_for = ws
        current = self.editor.plan_id
        if ws is None:
            self.model.set_elements([])
            return
        # The names of the partners with a plan only: building every Partner of a
        # 20,000-partner program (or reading every name) stalls the window.
        self.partner_names = dict(ws.rows(
            "SELECT DISTINCT partners.id, partners.name FROM partners "
            "JOIN plans ON plans.partner_id = partners.id"))
        plans = sorted(ws.plans(), key=lambda p: (self.partner_names.get(p.partner_id, ""),
                                                  -p.fiscal_year))
        self.model.set_elements(plans)
        self.list.resizeColumnToContents(1)
        if current is not None and self.select_plan(current):
            return
        if current is None and plans:
            # A workspace just opened: start on the most recent plan still being worked on.
            live = [p for p in plans if p.status != "Closed"] or plans
            self.select_plan(max(live, key=lambda p: (p.fiscal_year <= self.ctx.as_of.year,
                                                      p.status == "Active", p.fiscal_year)).id)
            return
        if self.editor.plan_id is not None and not any(p.id == self.editor.plan_id
                                                       for p in plans):
            self.editor.open_plan(None)

    def _plans_changed(self, plan_id: int) -> None:
        if self._stale:
            return  # read whole when shown
        if plan_id == 0:
            self.reload()
        else:  # a status change shows in the list
            row = self.model.row_of(plan_id)
            if row >= 0 and self.ctx.workspace is not None:
                try:
                    self.model.elements[row] = self.ctx.workspace.plan(plan_id)
                except Exception:
                    return
                self.model.dataChanged.emit(self.model.index(row, 0),
                                            self.model.index(row, 2))

    def plans(self) -> list[Plan]:
        self.ensure_read()
        return list(self.model.elements)

    def select_plan(self, plan_id: int) -> bool:
        self.ensure_read()
        row = self.model.row_of(plan_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.list.setCurrentIndex(index)
        if self.editor.plan_id != plan_id:
            self.editor.open_plan(plan_id)
        return True

    def show_partner(self, partner_id: int) -> bool:
        """Open the partner's most recent plan (used when a partner is activated on the
        portfolio page). False if the partner has no plan."""
        self.ensure_read()
        plans = [p for p in self.model.elements if p.partner_id == partner_id]
        if not plans:
            return False
        return self.select_plan(max(plans, key=lambda p: p.fiscal_year).id)

    def _selected(self, current, _previous) -> None:
        if not current.isValid():
            return
        plan = self.model.element(self.proxy.mapToSource(current).row())
        if plan is not None and plan.id != self.editor.plan_id:
            self.editor.open_plan(plan.id)

    # ------------------------------------------------------------------ new plans

    def _new_clicked(self) -> None:
        self.new_plan()

    def _roll_clicked(self) -> None:
        self.roll_forward()

    def new_plan(self, partner_id: int | None = None, roll_from: int | None = None
                 ) -> NewPlanDialog | None:
        """Open the New plan dialog (non-blocking); the created plan is then selected."""
        if self.ctx.workspace is None:
            return None
        dialog = NewPlanDialog(self.ctx, partner_id=partner_id, roll_from=roll_from,
                               parent=self)
        dialog.plan_created.connect(self._created)
        self.new_plan_dialog = dialog
        dialog.open()
        return dialog

    def roll_forward(self) -> NewPlanDialog | None:
        return self.new_plan(roll_from=self.editor.plan_id)

    def _created(self, plan_id: int) -> None:
        self.reload()
        self.select_plan(plan_id)
        self.editor.tabs.setCurrentIndex(0)
        self.message.emit("Plan created (Ctrl+Z to undo)")
