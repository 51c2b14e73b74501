"""The Portfolio page: a scorecard per partner, sortable and filterable, with at-risk flags,
the tier gap, and the program's ROPI and CAC above it.

The table is a thin Qt model over the DataFrame of :func:`jbp.metrics.scorecard`; the
scorecard is computed off the GUI thread on a connection of its own. Double-clicking a
partner emits :attr:`PortfolioPage.partner_activated`; "Open partner page" shows its
:class:`~ui.partner_page.PartnerPage` with trend charts.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.workers import Progress, Task, start_task

#: Columns shown, in order: (scorecard column, title, kind). Kinds: text, money, ratio,
#: fraction, int, days, date, bool.
COLUMNS: list[tuple[str, str, str]] = [
    ("partner", "Partner", "text"),
    ("type", "Type", "text"),
    ("region", "Region", "text"),
    ("tier", "Tier", "text"),
    ("sourced_revenue", "Sourced T12M", "money"),
    ("influenced_revenue", "Influenced T12M", "money"),
    ("attributed_revenue", "Attributed T12M", "money"),
    ("net_revenue", "Net revenue", "money"),
    ("investment", "Investment", "money"),
    ("ropi", "ROPI", "fraction"),
    ("cltv", "CLTV / customer", "money"),
    ("cac", "CAC", "money"),
    ("time_to_first_revenue_days", "Days to 1st revenue", "days"),
    ("logins_90d", "Logins 90d", "int"),
    ("logins_trend", "Logins trend", "trend"),
    ("registrations_90d", "Regs 90d", "int"),
    ("certified_people", "Certified", "int"),
    ("mdf_utilisation", "MDF used", "fraction"),
    ("plan_rag", "Plan RAG", "text"),
    ("plan_attainment", "Plan attainment", "fraction"),
    ("plan_forecast_attainment", "Plan forecast", "fraction"),
    ("next_tier", "Next tier", "text"),
    ("tier_gap", "Gap to next tier", "text"),
    ("projected_next_tier_date", "Reaches it", "date"),
    ("risk_score", "Risk", "ratio"),
    ("risk_flag", "At risk", "text"),
    ("risk_reasons", "Why", "text"),
]
RED = QColor("#b3261e")
RAG_COLOURS = {"Green": "#cdebd3", "Amber": "#fde9c4", "Red": "#f6cfcc"}


def portfolio_data(path: Path, as_of: dt.date | None, *, state: Progress) -> dict[str, Any]:
    """The scorecard (with display helper columns) and the program summary, read on a
    connection of its own (safe off the GUI thread)."""
    from jbp import metrics
    from jbp.store import Workspace

    state.report(0.1, "reading actuals")
    with Workspace.open(path) as ws:
        actuals = metrics.Actuals.load(ws)
    state.check()
    as_of = metrics.effective_as_of(actuals, as_of)
    state.report(0.4, "computing scorecards")
    card = metrics.scorecard_from(actuals, as_of)
    state.check()
    summary = metrics.program_summary_from(actuals, as_of)
    card["tier_gap"] = [gap_text(r, actuals.program.currency) for r in card.itertuples()]
    card["risk_flag"] = ["at risk" if r else "" for r in card["at_risk"]]
    card.loc[card["status"] == "churned", "risk_flag"] = "churned"
    state.report(1.0, "done")
    return {"card": card, "summary": summary, "as_of": as_of,
            "tier_order": [t.name for t in actuals.program.tiers_by_rank()]}


def gap_text(row: Any, currency: str = "") -> str:
    """'180,000 USD revenue, 1 certified, 2 logos' — what the next tier still needs."""
    if not row.next_tier:
        return "top tier"
    parts = []
    if row.gap_sourced_revenue > 0:
        parts.append(f"{row.gap_sourced_revenue:,.0f} {currency} revenue".replace("  ", " "))
    if row.gap_certified_people > 0:
        parts.append(f"{row.gap_certified_people:.0f} certified")
    if row.gap_new_logos > 0:
        parts.append(f"{row.gap_new_logos:.0f} logos")
    return ", ".join(parts) or "met"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "NaT"


def display(value: Any, kind: str) -> str:
    if _missing(value):
        return ""
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "fraction":
        return f"{value:.0%}"
    if kind == "trend":
        return f"{value:+.0%}"
    if kind in ("int", "days"):
        return f"{value:,.0f}"
    if kind == "date":
        return value.date().isoformat() if hasattr(value, "date") else str(value)
    return str(value)


class ScorecardModel(QAbstractTableModel):
    """The scorecard DataFrame as a read-only table. ``UserRole`` gives a sort key."""

    def __init__(self, parent=None):
        super().__init__(parent)
        import pandas as pd

        self.frame = pd.DataFrame(columns=[c for c, _, _ in COLUMNS] + ["partner_id",
                                                                           "at_risk", "status"])
        self._cols = [c for c, _, _ in COLUMNS]

    def set_frame(self, frame) -> None:
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self.endResetModel()

    def column_of(self, key: str) -> int:
        return self._cols.index(key)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        key, title, _ = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.ToolTipRole:
            from jbp.metrics import SCORECARD_LABELS

            label, unit = SCORECARD_LABELS.get(key, (title, ""))
            return f"{label}{f' ({unit})' if unit else ''}"
        return None

    def partner_id(self, row: int) -> int:
        return int(self.frame.at[row, "partner_id"])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        key, _, kind = COLUMNS[index.column()]
        value = self.frame.at[index.row(), key]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value, kind)
        if role == Qt.ItemDataRole.UserRole:
            if kind in ("text",):
                return "" if _missing(value) else str(value)
            if kind == "date":
                return "9999" if _missing(value) else value.isoformat()
            return -math.inf if _missing(value) else float(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and kind != "text":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if key in ("risk_flag", "risk_score") and bool(self.frame.at[index.row(),
                                                                         "at_risk"]):
                return QBrush(RED)
            if key == "ropi" and not _missing(value) and value < 0:
                return QBrush(RED)
            if key == "logins_trend" and not _missing(value) and value < -0.25:
                return QBrush(RED)
        if role == Qt.ItemDataRole.BackgroundRole and key == "plan_rag" and value:
            return QBrush(QColor(RAG_COLOURS.get(str(value), "#ffffff")))
        if role == Qt.ItemDataRole.ToolTipRole and key in ("risk_flag", "risk_reasons",
                                                           "tier_gap"):
            return str(self.frame.at[index.row(), "risk_reasons"] if key != "tier_gap"
                       else value)
        return None


class ScorecardFilter(QSortFilterProxyModel):
    """Filters by text (partner, manager), tier, region, type, at-risk only, and hides
    churned partners unless asked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.tier = ""
        self.region = ""
        self.ptype = ""
        self.at_risk_only = False
        self.show_churned = False
        self.setSortRole(Qt.ItemDataRole.UserRole)

    def set(self, **changes: Any) -> None:
        self.beginFilterChange()
        for k, v in changes.items():
            setattr(self, k, v)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        frame = self.sourceModel().frame
        if source_row >= len(frame):
            return False
        row = frame.iloc[source_row]
        if self.text:
            hay = f"{row['partner']} {row.get('manager', '')}".lower()
            if self.text.lower() not in hay:
                return False
        if self.tier and row["tier"] != self.tier:
            return False
        if self.region and row["region"] != self.region:
            return False
        if self.ptype and row["type"] != self.ptype:
            return False
        if self.at_risk_only and not bool(row["at_risk"]):
            return False
        return self.show_churned or row["status"] != "churned"


class PortfolioPage(QWidget):
    """Partner scorecards with the program summary; see the module doc."""

    partner_activated = Signal(int)
    #: Emitted after each recomputation (rows shown).
    refreshed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.summary_data: dict[str, Any] = {}
        self.as_of: dt.date | None = None
        self.partner_pages: list[QDialog] = []
        self.model = ScorecardModel(self)
        self.proxy = ScorecardFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTableView(self)
        self.view.setObjectName("scorecard_table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(self.model.column_of("sourced_revenue"),
                               Qt.SortOrder.DescendingOrder)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(self._activated)

        self.search = QLineEdit(self)
        self.search.setObjectName("scorecard_search")
        self.search.setPlaceholderText("Filter by partner or manager…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda t: self.proxy.set(text=t.strip()))
        self.tier_box = self._combo("All tiers", "tier")
        self.region_box = self._combo("All regions", "region")
        self.type_box = self._combo("All types", "ptype")
        self.risk_box = QCheckBox("At risk only", self)
        self.risk_box.setObjectName("scorecard_at_risk_only")
        self.risk_box.toggled.connect(lambda on: self.proxy.set(at_risk_only=on))
        self.churned_box = QCheckBox("Show churned", self)
        self.churned_box.toggled.connect(lambda on: self.proxy.set(show_churned=on))
        self.open_button = QPushButton("Open partner page", self)
        self.open_button.setObjectName("open_partner_page")
        self.open_button.clicked.connect(self.open_selected)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(180)
        self.progress.hide()
        self.summary = QLabel(self)
        self.summary.setObjectName("program_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.count = QLabel(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("<span style='font-size:14pt;font-weight:600'>Portfolio</span>"))
        top.addWidget(self.search, 1)
        for w in (self.tier_box, self.region_box, self.type_box, self.risk_box,
                  self.churned_box, self.open_button, self.progress):
            top.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)
        self.proxy.rowsInserted.connect(self._count)
        self.proxy.rowsRemoved.connect(self._count)
        self.proxy.modelReset.connect(self._count)
        self.proxy.layoutChanged.connect(self._count)

        ctx.workspace_changed.connect(self.reload)
        ctx.data_changed.connect(lambda what: what in ("partners", "actuals", "program")
                                 and self.reload())
        if hasattr(ctx, "as_of_changed"):
            ctx.as_of_changed.connect(self.reload)
        self.reload()

    def _combo(self, everything: str, attr: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(f"scorecard_{attr}")
        box.addItem(everything, "")
        box.currentIndexChanged.connect(
            lambda _i, b=box, a=attr: self.proxy.set(**{a: b.currentData() or ""}))
        return box

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        ws = self.ctx.workspace
        if self.task is not None and self.task.running:
            self.task.cancel()
        if ws is None:
            return
        self.progress.show()
        task = start_task(portfolio_data, ws.path, self.ctx.as_of, title="Scorecards",
                          parent=self)
        self.task = task
        task.progress.connect(lambda f, _t: self.progress.setValue(int(f * 100)))
        task.succeeded.connect(lambda data, t=task: t is self.task and self._show(data))
        task.failed.connect(lambda msg, _e: self.summary.setText(
            f"Could not compute the scorecards: {msg}"))
        task.finished.connect(lambda t=task: t is self.task and self.progress.hide())

    def _show(self, data: dict[str, Any]) -> None:
        card = data["card"]
        self.as_of = data["as_of"]
        self.summary_data = data["summary"]
        self.model.set_frame(card)
        for box, col in ((self.tier_box, "tier"), (self.region_box, "region"),
                         (self.type_box, "type")):
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            values = sorted(v for v in card[col].dropna().unique() if v)
            if col == "tier":
                order = {t: i for i, t in enumerate(data.get("tier_order", []))}
                values.sort(key=lambda v: order.get(v, 0))
            for v in values:
                box.addItem(v, v)
            idx = box.findData(current)
            box.setCurrentIndex(max(idx, 0))
            box.blockSignals(False)
        self.proxy.set()
        self.summary.setText(summary_html(self.summary_data))
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(self.model.column_of("risk_reasons"), 320)
        self._count()
        self.refreshed.emit()

    def _count(self, *_args) -> None:
        total = len(self.model.frame)
        shown = self.proxy.rowCount()
        at_risk = int(self.model.frame["at_risk"].sum()) if total else 0
        self.count.setText(f"{shown} of {total} partners shown · {at_risk} at risk"
                           + (f" · as of {self.as_of}" if self.as_of else ""))

    # ------------------------------------------------------------------ actions

    def selected_partner(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.partner_id(self.proxy.mapToSource(rows[0]).row())

    def _activated(self, index) -> None:
        pid = self.model.partner_id(self.proxy.mapToSource(index).row())
        self.partner_activated.emit(pid)

    def open_selected(self) -> None:
        pid = self.selected_partner()
        if pid is not None:
            self.open_partner(pid)

    def open_partner(self, partner_id: int) -> QDialog:
        """Show the partner's page with its trend charts in a window of its own."""
        from ui.partner_page import PartnerPage

        dialog = QDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page = PartnerPage(self.ctx, partner_id, dialog)
        layout = QVBoxLayout(dialog)
        layout.addWidget(page)
        dialog.resize(1000, 760)
        dialog.setWindowTitle("Partner")
        dialog.page = page  # type: ignore[attr-defined]
        self.partner_pages.append(dialog)
        dialog.destroyed.connect(lambda *_a, d=dialog: d in self.partner_pages
                                 and self.partner_pages.remove(d))
        dialog.show()
        return dialog


def summary_html(s: dict[str, Any]) -> str:
    """The program's ROPI with its components and CAC via channel vs direct."""
    if not s:
        return ""
    cur = s.get("currency", "")

    def m(key: str) -> str:
        v = s.get(key)
        return "–" if _missing(v) else f"{v:,.0f}"

    def r(key: str, fmt: str = "{:.2f}") -> str:
        v = s.get(key)
        return "–" if _missing(v) else fmt.format(v)

    return (
        f"<b>Program, T12M to {s['as_of']}</b> ({cur}) — "
        f"<b>ROPI {r('ropi', '{:.0%}')}</b> = (net partner revenue {m('net_revenue')} − investment "
        f"{m('investment')}) ÷ investment. Net = attributed {m('attributed_revenue')} "
        f"(sourced {m('sourced_revenue')} + {s['influence_weight']:.0%} × influenced "
        f"{m('influenced_revenue')}) − margins {m('margins')} − rebates {m('rebates')}. "
        f"Investment = MDF {m('mdf_spent')} + people {m('people')} + enablement "
        f"{m('enablement')} + overhead {m('overhead')} + recruitment {m('recruitment')}.<br>"
        f"CAC via channel {m('cac_channel')} vs direct {m('cac_direct')} "
        f"(ratio {r('cac_ratio')}; {s.get('new_channel_customers', 0)} new channel "
        f"customers). MDF ROI (revenue ÷ MDF, no costs subtracted) {r('mdf_roi', '{:.1f}')}. "
        f"{s.get('at_risk_partners', 0)} of {s.get('active_partners', 0)} active partners "
        f"at risk.")
