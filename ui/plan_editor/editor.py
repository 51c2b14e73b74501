"""The plan editor: one tab per part of the plan, the comment thread of the selected
element beside them. Every edit is a domain command run through the context (saved at
once, logged under the editor's name and side, undoable)."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from jbp.commands import AddPart, DeletePart
from jbp.errors import JbpError
from jbp.model import Goal, Initiative, Kpi, Risk, Rule, TargetAccount
from ui import theme
from ui.context import AppContext
from ui.plan_editor.agreement import AgreementPanel
from ui.plan_editor.chart import KpiChart
from ui.plan_editor.comments import CommentsPanel
from ui.plan_editor.history import HistoryPanel
from ui.plan_editor.models import (
    GoalTableModel,
    InitiativeTableModel,
    KpiTableModel,
    PartTableModel,
)
from ui.plan_editor.overview import OverviewForm
from ui.plan_editor.qbr import QbrView
from ui.plan_editor.session import PlanSession
from ui.widgets.part_table import PartTable

#: The quarterly target and actual columns of the KPI table.
KPI_QUARTER_FIELDS = [f"{kind}_{q}" for kind in ("target", "actual")
                      for q in ("q1", "q2", "q3", "q4")]

def _label(element) -> str:
    """An element's kind in a sentence: "goal", "target account", but "KPI"."""
    label = element.LABEL
    return label if label.isupper() else label.lower()


#: The key that shows the plan's n-th tab (see the shortcut list in ui.help).
TAB_KEY = "Alt+{n}"


class PlanEditor(QWidget):
    """Edits the plan given to :meth:`open_plan`. Tabs: Overview, Goals & KPIs,
    Initiatives, Target accounts, Rules of engagement, Risks, Agreement, History, QBR."""

    #: A status message for the window's status bar.
    message = Signal(str)

    TABS = ("Overview", "Goals && KPIs", "Initiatives", "Target accounts",
            "Rules of engagement", "Risks", "Agreement", "History", "QBR")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.session = PlanSession(ctx, self)
        s = self.session
        self.header = QLabel(self)
        self.header.setObjectName("plan_header")
        self.header.setWordWrap(True)
        self.banner = QLabel(self)
        self.banner.setObjectName("amendment_banner")
        self.banner.setWordWrap(True)
        theme.style(self.banner, "background:$banner_bg;color:$banner_fg;"
                                 "border:1px solid $banner_border;padding:4px;")
        self.banner.hide()

        self.overview = OverviewForm(s, self)
        self.goal_model = GoalTableModel(ctx, self._goal_summary, self)
        self.goals = PartTable(ctx, self.goal_model, "goal", self.add_goal, self.delete, self)
        self.kpi_model = KpiTableModel(ctx, s.status_of, self)
        self.kpis = PartTable(ctx, self.kpi_model, "KPI", self.add_kpi, self.delete, self)
        # Targets and actuals fit without scrolling sideways; unit, kind, direction, the
        # year-to-date rule and the bound metric are in the column chooser.
        self.kpis.choose_columns(["name", "RAG", "Attainment", *KPI_QUARTER_FIELDS,
                                  "To date", "Forecast"], "plan/kpi_columns")
        self.kpis.compact_columns(KPI_QUARTER_FIELDS, 70)
        self.chart = KpiChart(self)
        self.initiative_model = InitiativeTableModel(ctx, self)
        self.initiatives = PartTable(ctx, self.initiative_model, "initiative",
                                     self._adder(lambda pid: Initiative(
                                         plan_id=pid, title="New initiative")), self.delete,
                                     self)
        self.accounts = PartTable(ctx, PartTableModel(ctx, "account", parent=self),
                                  "account", self._adder(lambda pid: TargetAccount(
                                      plan_id=pid, name="New account")), self.delete, self)
        self.rules = PartTable(ctx, PartTableModel(ctx, "rule", parent=self), "rule",
                               self._adder(lambda pid: Rule(plan_id=pid, topic="New rule",
                                                            rule="Describe the rule")),
                               self.delete, self)
        self.risks = PartTable(ctx, PartTableModel(ctx, "risk", parent=self), "risk",
                               self._adder(lambda pid: Risk(plan_id=pid,
                                                            description="New risk")),
                               self.delete, self)
        self.agreement = AgreementPanel(s, self)
        self.history = HistoryPanel(s, self)
        self.qbr = QbrView(s, self)
        self.comments = CommentsPanel(s, self)
        self.tables = {"goal": self.goals, "kpi": self.kpis, "initiative": self.initiatives,
                       "account": self.accounts, "rule": self.rules, "risk": self.risks}

        goals_tab = QSplitter(Qt.Orientation.Vertical, self)
        goals_tab.addWidget(self._titled("Goals", self.goals))
        goals_tab.addWidget(self._titled("KPIs of the selected goal — targets and actuals per "
                                         "quarter", self.kpis))
        goals_tab.addWidget(self.chart)
        goals_tab.setStretchFactor(0, 2)
        goals_tab.setStretchFactor(1, 3)
        goals_tab.setStretchFactor(2, 4)
        goals_tab.setSizes([150, 200, 330])
        self.goals_splitter = goals_tab

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("plan_tabs")
        for title, widget in zip(self.TABS, (
                self.overview, goals_tab, self.initiatives, self.accounts, self.rules,
                self.risks, self.agreement, self.history, self.qbr), strict=True):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.tabs.tabBar().setAccessibleName("Parts of the plan")
        self.accounts.view.setAccessibleName("Target accounts")
        self.rules.view.setAccessibleName("Rules of engagement")
        self.tab_actions = self._tab_shortcuts()

        from ui.widgets.side_panels import CollapsingPanel, PanelSplitter

        splitter = PanelSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.comments)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 280])
        self.splitter = splitter
        self.comments_panel = CollapsingPanel(splitter, 1, below=1300, width=280)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.header, 1)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        s.loaded.connect(self.refresh)
        self.goals.current_changed.connect(self._goal_selected)
        self.kpis.current_changed.connect(self._kpi_selected)
        for kind in ("initiative", "account", "rule", "risk"):
            self.tables[kind].current_changed.connect(
                lambda e, k=kind: self._focus_element(k, e))
        self._comments_last()
        self.refresh()

    def _comments_last(self) -> None:
        """Tab reaches the comments after the tab's contents (the Goals & KPIs tab is
        assembled after the comments panel exists, so Qt's order had them first)."""
        anchor = self.kpis.findChild(QToolButton, "column_chooser") or self.kpis.delete_button
        c = self.comments
        chain = [anchor, c.show_resolved, c.thread, c.input, c.post_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _titled(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 0)
        label = QLabel(f"<b>{title}</b>", box)
        layout.addWidget(label)
        layout.addWidget(widget, 1)
        return box

    # ------------------------------------------------------------------ plan

    def open_plan(self, plan_id: int | None) -> None:
        self.session.open(plan_id)

    @property
    def plan_id(self) -> int | None:
        return self.session.plan_id

    def refresh(self) -> None:
        s = self.session
        doc = s.doc
        self.setEnabled(doc is not None)
        if doc is None:
            self.header.setText("<i>Select a plan, or create one with Plan ▸ New plan…</i>")
            self.banner.hide()
            for table in self.tables.values():
                table.model.set_elements([])
            self.chart.show_kpi(None, None, [])
            return
        plan = doc.plan
        self.header.setText(
            f"<span style='font-size:15pt;font-weight:600'>{plan.title}</span> &nbsp;"
            f"{theme.status_badge(plan.status)}"
            f"<br>{doc.partner.name} · FY{plan.fiscal_year} · tier {doc.partner.tier or '–'}"
            f" · as of {self.ctx.as_of.isoformat()}")
        if s.is_amendment:
            terms = [a for a in s.amendments if not a.field.startswith("Actual ")]
            n = len(terms)
            self.banner.setText(
                f"Approved on {plan.approved_at}: edits are amendments against the frozen "
                f"baseline — {n} change{'s' if n != 1 else ''} to what was agreed so far "
                f"(highlighted cells; details on the Agreement tab).")
            self.banner.show()
        else:
            self.banner.hide()
        self.initiative_model.goal_titles = {g.id: g.title for g in doc.goals}
        self.goal_model.set_elements(doc.goals)
        if self.goals.current() is None and doc.goals:
            self.goals.select_id(doc.goals[0].id)
        for kind in ("initiative", "account", "rule", "risk"):
            self.tables[kind].model.set_elements(doc.parts(kind))
        self._show_kpis()
        for table in self.tables.values():
            table.model.set_amendments(s.amendments)

    def _goal_summary(self, goal: Goal) -> str:
        kpis = self.session.doc.kpis_of(goal.id) if self.session.doc else []
        rags = [self.session.status_of(k).rag for k in kpis]
        parts = [f"{rags.count(r)} {r}" for r in ("Red", "Amber", "Green") if rags.count(r)]
        text = f"{len(kpis)} KPI{'s' if len(kpis) != 1 else ''}"
        n = self.session.open_comment_count("goal", goal.id)
        return text + (f" ({', '.join(parts)})" if parts else "") + (
            f" · {n} open comment{'s' if n != 1 else ''}" if n else "")

    def _show_kpis(self) -> None:
        doc = self.session.doc
        goal = self.goals.current()
        kpis = doc.kpis_of(goal.id) if doc is not None and goal is not None else []
        self.kpi_model.set_elements(kpis)
        current = self.kpis.current()
        # Show the first KPI's chart, but keep the comments on the goal the user picked.
        self._auto_kpi = True
        try:
            if current is None and kpis:
                self.kpis.select_id(kpis[0].id)
            else:
                self._kpi_selected(current)
        finally:
            self._auto_kpi = False

    def _goal_selected(self, goal: Goal | None) -> None:
        self._show_kpis()
        self._focus_element("goal", goal)

    def _kpi_selected(self, kpi: Kpi | None) -> None:
        if kpi is None:
            self.chart.show_kpi(None, None, [])
            return
        self.chart.show_kpi(kpi, self.session.status_of(kpi), self.session.quarter_labels())
        if not getattr(self, "_auto_kpi", False):
            self._focus_element("kpi", kpi)

    def _focus_element(self, kind: str, element) -> None:
        if element is None:
            return
        if kind in ("goal", "kpi"):
            self._goals_tab_focus = (kind, element)
        label = f"{element.LABEL}: {getattr(element, element.FIELDS[0].name)}"
        self.session.set_focus(kind, element.id, label)

    def _tab_changed(self, index: int) -> None:
        # The QBR lists open comments itself and needs the width for its charts.
        self.comments.setVisible(self.tabs.widget(index) is not self.qbr)
        doc = self.session.doc
        if doc is None:
            return
        widget = self.tabs.widget(index)
        for kind, table in self.tables.items():
            if table is widget and table.current() is not None:
                self._focus_element(kind, table.current())
                return
        if widget is self.goals_splitter:
            # back on this tab: the comments of what was picked here last
            kind, element = getattr(self, "_goals_tab_focus", ("goal", self.goals.current()))
            if element is not None and doc is not None:
                self._focus_element(kind, element)
                return
        self.session.set_focus("plan", doc.plan.id, f"Plan: {doc.plan.title}")

    def _tab_shortcuts(self) -> list[QAction]:
        """Alt+1 … Alt+9 show the plan's tabs in their order (wherever the focus is on the
        Plans page); each tab's tool tip names its key."""
        actions = []
        for i in range(self.tabs.count()):
            key = TAB_KEY.format(n=i + 1)
            action = QAction(f"Show {self.tabs.tabText(i)}", self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _c=False, n=i: self._show_tab_by_key(n))
            self.addAction(action)
            self.tabs.setTabToolTip(i, f"{self.tabs.tabText(i).replace('&&', '&')} ({key})")
            actions.append(action)
        return actions

    def _show_tab_by_key(self, index: int) -> None:
        if self.isVisible():  # only on the Plans page
            self.tabs.setCurrentIndex(index)
            self.tabs.tabBar().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_tab(self, title: str) -> None:
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i).replace("&&", "&") == title.replace("&&", "&"):
                self.tabs.setCurrentIndex(i)
                return
        raise KeyError(title)

    # ------------------------------------------------------------------ add / delete

    def _run_add(self, element, table: PartTable) -> bool:
        if self.ctx.editor is None:
            table.error_line.show_message("Say who you are first (Edit ▸ Switch editor…).")
            return False
        command = AddPart(self.ctx.editor, element)
        if not self.ctx.run(command):
            table.error_line.show_message(str(self.ctx.last_error))
            return False
        table.select_id(command.element_id)
        index = table.view.currentIndex()
        table.view.setFocus()
        table.view.edit(table.model.index(index.row(), 0))
        self.message.emit(f"Added {_label(element)} (Ctrl+Z to undo)")
        return True

    # add/delete are connected to buttons: they return None (see PartTable)

    def _adder(self, build):
        def add() -> None:
            doc = self.session.doc
            if doc is not None:
                element = build(doc.plan.id)
                self._run_add(element, self.tables[element.KIND])
        return add

    def add_goal(self) -> None:
        doc = self.session.doc
        if doc is not None:
            self._run_add(Goal(plan_id=doc.plan.id, title="New goal"), self.goals)

    def add_kpi(self) -> None:
        goal = self.goals.current()
        if goal is None:
            self.kpis.error_line.show_message("Select the goal the KPI measures first.")
            return
        # a plan's KPI names are unique: "New KPI", then "New KPI 2", ...
        taken = {" ".join(k.name.split()).casefold()
                 for k in (self.session.doc.kpis if self.session.doc else [])}
        names = itertools.chain(["New KPI"], (f"New KPI {i}" for i in itertools.count(2)))
        name = next(n for n in names if n.casefold() not in taken)
        self._run_add(Kpi(goal_id=goal.id, name=name), self.kpis)

    def delete(self, element) -> bool:
        if self.ctx.editor is None or element is None:
            return False
        try:
            command = DeletePart(self.ctx.editor, element.KIND, element.id)
        except JbpError as exc:
            self.message.emit(str(exc))
            return False
        ok = self.ctx.run(command)
        if ok:
            self.message.emit(f"Deleted {_label(element)} (Ctrl+Z to undo)")
        return ok
