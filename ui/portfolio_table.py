"""The Portfolio page's scorecard table: the columns (with their units), a thin read-only
Qt model over the DataFrame of :func:`jbp.metrics.scorecard`, and the filter.

At-risk partners are tinted red across the row; the Plan RAG cell carries its colour.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

from ui import i18n, theme

#: Columns, in order: (scorecard column, title, kind). Kinds: text, money (workspace
#: currency, named in the title), ratio, fraction, trend, int, days, date. Titles say the
#: unit; "{cur}" is replaced by the workspace currency.
COLUMNS: list[tuple[str, str, str]] = [
    ("partner", "Partner", "text"),
    ("type", "Type", "text"),
    ("region", "Region", "text"),
    ("tier", "Tier", "text"),
    ("sourced_revenue", "Sourced T12M ({cur})", "money"),
    ("influenced_revenue", "Influenced T12M ({cur})", "money"),
    ("attributed_revenue", "Attributed T12M ({cur})", "money"),
    ("net_revenue", "Net revenue ({cur})", "money"),
    ("investment", "Investment ({cur})", "money"),
    ("ropi", "ROPI (%)", "fraction"),
    ("cltv", "CLTV ({cur} per customer)", "money"),
    ("cac", "CAC ({cur})", "money"),
    ("time_to_first_revenue_days", "Days to 1st revenue", "days"),
    ("logins_90d", "Logins 90d", "int"),
    ("logins_trend", "Logins trend (%)", "trend"),
    ("registrations_90d", "Regs 90d", "int"),
    ("certified_people", "Certified", "int"),
    ("mdf_utilisation", "MDF used (%)", "fraction"),
    ("plan_rag", "Plan RAG", "text"),
    ("plan_attainment", "Plan attainment (%)", "fraction"),
    ("plan_forecast_attainment", "Plan forecast (%)", "fraction"),
    ("next_tier", "Next tier", "text"),
    ("tier_gap", "Gap to next tier", "text"),
    ("projected_next_tier_date", "Reaches it", "date"),
    ("risk_score", "Risk score (0–1)", "ratio"),
    ("risk_flag", "At risk", "text"),
    ("risk_reasons", "Why", "text"),
]
#: The columns shown until the user chooses (the rest are in the column chooser): the key
#: columns fit at 1366 pixels without scrolling sideways.
DEFAULT_COLUMNS = ["partner", "type", "tier", "sourced_revenue", "ropi", "plan_rag",
                   "tier_gap", "risk_flag", "risk_reasons"]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "NaT"


def display(value: Any, kind: str) -> str:
    """A scorecard cell in the user's locale (:func:`ui.i18n.number_style`)."""
    if _missing(value):
        return ""
    style = i18n.number_style()
    if kind == "date":
        day = value.date() if hasattr(value, "date") else value
        return style.date(day) if isinstance(day, dt.date) else str(value)
    if kind == "money":
        text = f"{value:,.0f}"
    elif kind == "ratio":
        text = f"{value:.2f}"
    elif kind == "fraction":
        text = f"{value:.0%}"
    elif kind == "trend":
        text = f"{value:+.0%}"
    elif kind in ("int", "days"):
        text = f"{value:,.0f}"
    else:
        return str(value)
    return style.number(text)


class ScorecardModel(QAbstractTableModel):
    """The scorecard DataFrame as a read-only table. ``UserRole`` gives a sort key."""

    def __init__(self, parent=None):
        super().__init__(parent)
        import pandas as pd

        self.frame = pd.DataFrame(columns=[c for c, _, _ in COLUMNS] + ["partner_id",
                                                                           "at_risk", "status"])
        self._cols = [c for c, _, _ in COLUMNS]
        self.currency = ""

    def title(self, section: int) -> str:
        """A column's title with the workspace currency filled in."""
        title = COLUMNS[section][1]
        return title.format(cur=self.currency) if self.currency else title.replace(
            " ({cur})", "").replace("{cur} ", "")

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
        key, _, _ = COLUMNS[section]
        title = self.title(section)
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
            colours = theme.current()
            if key in ("risk_flag", "risk_score") and bool(self.frame.at[index.row(),
                                                                         "at_risk"]):
                return theme.brush(colours.bad)
            if key == "ropi" and not _missing(value) and value < 0:
                return theme.brush(colours.bad)
            if key == "logins_trend" and not _missing(value) and value < -0.25:
                return theme.brush(colours.bad)
            if key == "plan_rag" and str(value) in colours.rag_tint:
                return theme.brush(colours.rag_tint_fg)
            if bool(self.frame.at[index.row(), "at_risk"]):
                return theme.brush(colours.at_risk_fg)
        if role == Qt.ItemDataRole.BackgroundRole:
            colours = theme.current()
            if key == "plan_rag" and str(value) in colours.rag_tint:
                return theme.brush(colours.rag_tint[str(value)])
            if bool(self.frame.at[index.row(), "at_risk"]):
                return theme.brush(colours.at_risk_bg)
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


