"""A simple Portfolio page: every partner with tier, plan status and headline numbers.

Stands in until the full scorecard page (``ui.portfolio.PortfolioPage``) is there; the main
window prefers that one when it exists. Numbers come from ``jbp.metrics.scorecard``,
computed off the GUI thread on a connection of its own.
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
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.workers import Task, TaskState, start_task

#: (title, key, kind) — kind: "text", "money", "ratio", "int".
COLUMNS = [
    ("Partner", "partner", "text"), ("Type", "type", "text"), ("Region", "region", "text"),
    ("Tier", "tier", "text"), ("Plan", "plan", "text"),
    ("Sourced T12M", "sourced_revenue", "money"),
    ("Influenced T12M", "influenced_revenue", "money"), ("ROPI", "ropi", "ratio"),
    ("Certified", "certified_people", "int"), ("Logins 90d", "logins_90d", "int"),
    ("At risk", "at_risk_text", "text"),
]


def portfolio_rows(path: Path, as_of: dt.date, *, state: TaskState) -> list[dict[str, Any]]:
    """One dict per partner: scorecard headline numbers and the latest plan's status.

    Opens its own connection to the workspace at ``path`` (safe off the GUI thread)."""
    from jbp import metrics
    from jbp.store import Workspace

    state.set_progress(0.1, "reading actuals")
    with Workspace.open(path) as ws:
        frame = metrics.scorecard(ws, as_of)
        state.check_cancelled()
        plans: dict[int, Any] = {}
        for plan in ws.plans():
            if plan.partner_id not in plans or plan.fiscal_year > plans[
                    plan.partner_id].fiscal_year:
                plans[plan.partner_id] = plan
    state.set_progress(0.9, "building table")
    rows = []
    for rec in frame.to_dict("records"):
        plan = plans.get(rec["partner_id"])
        rec["plan"] = f"FY{plan.fiscal_year} {plan.status}" if plan else ""
        rec["at_risk_text"] = "at risk" if rec.get("at_risk") else (
            "churned" if rec.get("status") == "churned" else "")
        rows.append(rec)
    rows.sort(key=lambda r: -(r.get("sourced_revenue") or 0.0))
    return rows


def _fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "ratio":
        return f"{value:.2f}"
    if kind == "int":
        return f"{int(value):,}"
    return str(value)


class PortfolioModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        _, key, kind = COLUMNS[index.column()]
        value = row.get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            return _fmt(value, kind)
        if role == Qt.ItemDataRole.UserRole:  # sort key
            if kind == "text":
                return str(value or "")
            return -math.inf if value is None or value != value else float(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and kind != "text":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and key == "at_risk_text" and value:
            return QBrush(QColor("#b3261e"))
        return None


class BasicPortfolioPage(QWidget):
    """Partners with tier, plan status and headline numbers; double-click opens the
    partner's plan (:attr:`partner_activated`)."""

    partner_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.model = PortfolioModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.view = QTableView(self)
        self.view.setObjectName("portfolio_table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(5, Qt.SortOrder.DescendingOrder)  # biggest sourced revenue
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(self._activated)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter partners…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.summary = QLabel(self)
        self.summary.setObjectName("portfolio_summary")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel("<span style='font-size:14pt;font-weight:600'>Portfolio</span>"))
        top.addWidget(self.filter, 1)
        top.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        ctx.workspace_changed.connect(self.reload)
        ctx.as_of_changed.connect(self.reload)
        ctx.data_changed.connect(self._data_changed)
        ctx.plan_changed.connect(self._plan_changed)
        self.reload()

    def reload(self) -> None:
        ws = self.ctx.workspace
        if self.task is not None and self.task.running:
            self.task.cancel()
        if ws is None:
            self.model.set_rows([])
            return
        self.progress.show()
        task = start_task(portfolio_rows, ws.path, self.ctx.as_of, title="Portfolio",
                          parent=self)
        self.task = task
        task.progress.connect(lambda f, _t: self.progress.setValue(int(f * 100)))
        task.succeeded.connect(self._succeeded)
        task.failed.connect(self._failed)
        task.finished.connect(self._finished)

    # Slots are methods returning None: PySide6 mishandles a bool returned by a lambda slot.
    def _data_changed(self, what: str) -> None:
        if what in ("partners", "actuals", "program"):
            self.reload()

    def _plan_changed(self, plan_id: int) -> None:
        if plan_id == 0:
            self.reload()

    def _succeeded(self, rows) -> None:
        if self.sender() is self.task:
            self._show(rows)

    def _failed(self, message: str, _exc) -> None:
        self.summary.setText(f"Could not compute: {message}")

    def _finished(self) -> None:
        if self.sender() is self.task:
            self.progress.hide()

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        total = sum(r.get("sourced_revenue") or 0 for r in rows)
        risky = sum(1 for r in rows if r.get("at_risk"))
        tiers: dict[str, int] = {}
        for r in rows:
            if r.get("status") != "churned":
                tiers[r.get("tier") or "–"] = tiers.get(r.get("tier") or "–", 0) + 1
        self.summary.setText(
            f"{len(rows)} partners · sourced revenue T12M {total:,.0f} · {risky} at risk · "
            + ", ".join(f"{n} {t}" for t, n in tiers.items())
            + f" · as of {self.ctx.as_of.isoformat()} · double-click a partner to open "
            "its plan")

    def _activated(self, index) -> None:
        row = self.model.rows[self.proxy.mapToSource(index).row()]
        self.partner_activated.emit(int(row["partner_id"]))

    def wait(self, msecs: int = 10_000) -> bool:
        return self.task is None or self.task.wait(msecs)
