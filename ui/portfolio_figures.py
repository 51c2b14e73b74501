"""The Portfolio page's figures and their smaller parts: :func:`portfolio_data` (run in
the figures process: the dashboard's figures, the scorecard table's display values and the
at-risk rows, all prepared there so the GUI thread receives them ready to show), the
at-risk list's model and the summary line under the tiles."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from ui import i18n, theme
from ui.portfolio_table import PickledFrame, build_table
from ui.workers import Progress


def portfolio_data(path: Path, as_of: dt.date | None, *, state: Progress) -> dict[str, Any]:
    """The dashboard's figures (:func:`jbp.dashboard.dashboard_from`) with the scorecard's
    display helper columns, read on a connection of its own (safe off the GUI thread)."""
    from jbp import dashboard, metrics
    from jbp.store import Workspace

    state.report(0.1, "reading actuals")
    with Workspace.open(path) as ws:
        actuals = metrics.Actuals.load(ws)
    state.check()
    state.report(0.4, "computing scorecards")
    data = dashboard.dashboard_from(actuals, as_of)
    state.check()
    card = data["card"]
    card["tier_gap"] = [gap_text(r, actuals.program.currency) for r in card.itertuples()]
    card["risk_flag"] = ["at risk" if r else "" for r in card["at_risk"]]
    card.loc[card["status"] == "churned", "risk_flag"] = "churned"
    state.check()
    state.report(0.9, "preparing the table")
    data["table"] = build_table(card)
    risky = data["at_risk"]
    shown = risky.head(AT_RISK_SHOWN)
    full = [str(r) for r in shown["risk_reasons"]]
    reasons, window = shared_window(full)
    data["at_risk_rows"] = {
        "total": len(risky), "window": window,
        "rows": [(str(r.partner), reasons[i], int(r.partner_id),
                  f"{r.partner} ({r.tier}): risk score {r.risk_score:.2f}", full[i])
                 for i, r in enumerate(shown.itertuples())]}
    # What the page shows of them is in the table and the at-risk rows: the frames are
    # not sent back (the scorecard goes pickled whole, as the table's frame: the GUI
    # thread unpickles it only if someone asks for it by name).
    del data["at_risk"], data["card"]
    data["table"].frame = PickledFrame(data["table"].frame)
    data["filter_values"] = {col: [v for v in data["table"].values[col][1] if v]
                             for col in ("tier", "region", "type")}
    state.report(1.0, "done")
    data.update(as_of=as_of, coverage=actuals.coverage, currency=actuals.program.currency,
                tier_order=[t.name for t in actuals.program.tiers_by_rank()])
    return data


def gap_text(row: Any, currency: str = "") -> str:
    """'180,000 USD revenue, 1 certified, 2 logos' — what the next tier still needs."""
    if not row.next_tier:
        return "top tier"
    parts = []
    if row.gap_sourced_revenue > 0:
        amount = i18n.number_style().number(f"{row.gap_sourced_revenue:,.0f}")
        parts.append(f"{amount} {currency} revenue".replace("  ", " "))
    if row.gap_certified_people > 0:
        parts.append(f"{row.gap_certified_people:.0f} certified")
    if row.gap_new_logos > 0:
        parts.append(f"{row.gap_new_logos:.0f} logos")
    return ", ".join(parts) or "met"


#: The window a risk reason is measured over, as the reasons write it.
_WINDOW = re.compile(r" in the (\d+) days to (\d{4}-\d{2}-\d{2}) on the \1 before")


def shared_window(reasons: list[str]) -> tuple[list[str], str]:
    """The reasons without the window they all share ("in the 90 days to 2026-10-31 on the
    90 before"), said once for the column instead ("90 d vs prior 90"); the
    reasons unchanged and "" when they do not share one."""
    found = {m.groups() for text in reasons for m in _WINDOW.finditer(text)}
    if len(found) != 1 or not all(_WINDOW.search(t) for t in reasons if t):
        return reasons, ""
    days, _end = found.pop()
    return [_WINDOW.sub("", t) for t in reasons], f"{days} d vs prior {days}"


#: The at-risk list beside the charts shows the riskiest this many (the table's "At risk"
#: filter shows them all): its rows wrap to fit their reasons, measured row by row.
AT_RISK_SHOWN = 50


_AT_RISK_ROLES = frozenset(int(r) for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole))


class AtRiskModel(QAbstractTableModel):
    """The at-risk list, read-only: per row (partner, why — without the window all the
    reasons share, which the header states once —, partner id, the partner's tool tip, the
    full reason). It shows the :data:`AT_RISK_SHOWN` riskiest of ``total``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[tuple[str, str, int, str, str]] = []
        self.total = 0
        self.window = ""

    def set_rows(self, rows: list[tuple[str, str, int, str, str]], total: int | None = None,
                 window: str = "") -> None:
        self.beginResetModel()
        self.rows = rows
        self.total = len(rows) if total is None else total
        self.window = window
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 1)

    def partner_id(self, row: int) -> int:
        return self.rows[row][2]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                shown = len(self.rows)
                return (f"At risk ({self.total})" if shown == self.total
                        else f"At risk ({shown} of {self.total})")
            return f"Why ({self.window})" if self.window else "Why"
        return None

    def multiData(self, index, span) -> None:
        """Every role a view asks of a cell in one Python call (sizing the wrapped rows
        asks each cell for seven)."""
        if not index.isValid():
            return
        for i in range(len(span)):
            slot = span[i]
            if slot.role() in _AT_RISK_ROLES:
                slot.setData(self.data(index, slot.role()))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        name, why, pid, tip, full = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return name if index.column() == 0 else why
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip if index.column() == 0 else full
        if role == Qt.ItemDataRole.UserRole:
            return pid
        return None


def summary_html(s: dict[str, Any]) -> str:
    """One line under the tiles: CAC via channel against direct, and MDF ROI."""
    if not s:
        return ""
    cur = s.get("currency", "")

    def m(key: str) -> str:
        from jbp.charts_portfolio import short_money

        v = s.get(key)
        return "–" if v is None or v != v else f"{n(short_money(v))} {cur}"

    ratio = s.get("cac_ratio")
    n = i18n.number_style().number
    ratio_text = "" if ratio is None or ratio != ratio else f" ({n(f'{ratio:.2f}')}× direct)"
    roi = s.get("mdf_roi")
    roi_text = "–" if roi is None or roi != roi else n(f"{roi:.1f}")
    return (f"<span style='color:{theme.current().muted}'>Twelve months to {s['as_of']:%d %b %Y} · "
            f"CAC via channel {m('cac_channel')} vs direct {m('cac_direct')}{ratio_text}, "
            f"{s.get('new_channel_customers', 0)} new channel customers · MDF ROI "
            f"(revenue ÷ MDF) {roi_text} · ROPI = (net partner revenue − investment) ÷ "
            "investment</span>")
