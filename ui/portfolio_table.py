"""The Portfolio page's scorecard table: the columns (with their units), the table's
display values built once off the GUI thread, a thin read-only Qt model over them, and the
filter-and-sort proxy.

A program can hold 20,000 partners. So :func:`build_table` (run by the page's background
task) turns the scorecard DataFrame of :func:`jbp.metrics.scorecard` into plain columns:
the text of every cell, a numeric sort key per column, the row tint and the red cells.
``data()`` is then a list index, never a pandas lookup; the proxy filters with numpy masks
and sorts with ``numpy.argsort`` on the keys, so neither calls back into Python per row.

At-risk partners are tinted red across the row; the Plan RAG cell carries its colour.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

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


KINDS = [kind for _, _, kind in COLUMNS]
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
#: The roles ``ScorecardModel.cell`` answers.
_SERVED = frozenset(int(r) for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole, Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole))
#: Columns whose tool tip is a text of their own: column key → the column holding it.
_TIPS = {"risk_flag": "risk_reasons", "risk_reasons": "risk_reasons", "tier_gap": "tier_gap"}


class TextColumn:
    """A column of texts kept as one string and where each text starts in it: it pickles
    as two buffers, so the GUI thread receives the 20,000 texts of a column in a memory
    copy, where a list of 20,000 strings is 20,000 objects to rebuild, holding the
    interpreter lock. ``column[i]`` is the ``i``-th text (a slice of the string)."""

    SEPARATOR = "\n"  # a cell's text is one line (a newline in one is shown as a space)

    __slots__ = ("_blob", "_starts")

    def __init__(self, texts: list[str]):
        texts = [t.replace(self.SEPARATOR, " ") for t in texts]
        starts = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter((len(t) + 1 for t in texts), dtype=np.int64,
                              count=len(texts)), out=starts[1:])
        self._blob, self._starts = self.SEPARATOR.join(texts), starts

    def __reduce__(self):
        return (_text_column, (self._blob, self._starts))

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, row: int) -> str:
        if row < 0:
            row += len(self)
        return self._blob[self._starts[row]:self._starts[row + 1] - 1]

    def __iter__(self):
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, TextColumn)) \
            else NotImplemented

    def tolist(self) -> list[str]:
        return self._blob.split(self.SEPARATOR) if len(self) else []


def _text_column(blob: str, starts: np.ndarray) -> TextColumn:
    column = TextColumn.__new__(TextColumn)
    column._blob, column._starts = blob, starts
    return column


@dataclass
class ScorecardTable:
    """The scorecard as plain columns, in the scorecard's row order (built off the GUI
    thread by :func:`build_table`). Column ``c`` of the table is ``COLUMNS[c]``."""

    #: The DataFrame it was built from (for callers that want a figure by name; a
    #: :class:`PickledFrame` until :attr:`ScorecardModel.frame` first asks for it).
    frame: Any
    #: Per column, the text of each row's cell.
    text: list[TextColumn]
    #: Per column, a float sort key per row (missing values sort first, ascending).
    keys: list[np.ndarray]
    #: Per filter column (tier, region, type): each row's value as a code, and the values
    #: the codes stand for.
    values: dict[str, tuple[np.ndarray, list[str]]]
    #: Per row: at risk; churned; the partner's id; the lower-cased "partner manager".
    at_risk: np.ndarray
    churned: np.ndarray
    partner_id: np.ndarray
    search: TextColumn
    #: Per column index, which rows are drawn in red.
    red: dict[int, np.ndarray] = field(default_factory=dict)
    #: Per row, the Plan RAG (Green, Amber, Red; "" when the partner has no plan).
    rag: TextColumn | list[str] = field(default_factory=list)
    #: Per column index, the column whose text is the cell's tool tip.
    tips: dict[int, int] = field(default_factory=dict)
    #: Per column, its longest text (the column's width is measured on it).
    widest: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.partner_id)


def _rank(strings: list[str]) -> np.ndarray:
    """Float sort keys for texts: each text's rank in sorted order."""
    if not strings:
        return np.zeros(0)
    _, inverse = np.unique(np.array(strings, dtype=object), return_inverse=True)
    return inverse.astype(float)


def _numeric(column) -> np.ndarray:
    import pandas as pd

    out = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(out), -np.inf, out)


def build_table(frame) -> ScorecardTable:
    """The display values of the scorecard DataFrame ``frame`` (one row per partner):
    pure Python and numpy, no Qt object, so it runs on a worker thread."""
    import pandas as pd

    frame = frame.reset_index(drop=True)
    n = len(frame)
    cells_of: list[list[str]] = []
    keys: list[np.ndarray] = []
    for key, _, kind in COLUMNS:
        column = frame[key] if key in frame.columns else pd.Series([None] * n, dtype=object)
        raw = column.tolist()
        cells = [display(v, kind) for v in raw]
        cells_of.append(cells)
        if kind == "text":
            keys.append(_rank(cells))
        elif kind == "date":
            keys.append(_rank([c or "9999" for c in cells]))
        else:
            keys.append(_numeric(column))
    at_risk = (frame["at_risk"].fillna(False).astype(bool).to_numpy() if "at_risk" in frame
               else np.zeros(n, dtype=bool))
    col = {key: i for i, (key, _, _) in enumerate(COLUMNS)}
    red = {col["risk_flag"]: at_risk, col["risk_score"]: at_risk}
    for key, limit in (("ropi", 0.0), ("logins_trend", -0.25)):
        values = keys[col[key]]
        red[col[key]] = np.isfinite(values) & (values < limit)
    managers = (frame["manager"].fillna("").astype(str).tolist() if "manager" in frame
                else [""] * n)
    return ScorecardTable(
        frame=frame, text=[TextColumn(cells) for cells in cells_of], keys=keys,
        values={k: _codes(cells_of[col[k]]) for k in ("tier", "region", "type")},
        at_risk=at_risk,
        churned=(frame["status"] == "churned").to_numpy() if "status" in frame
        else np.zeros(n, dtype=bool),
        partner_id=frame["partner_id"].to_numpy(dtype=np.int64) if "partner_id" in frame
        else np.zeros(n, dtype=np.int64),
        search=TextColumn([f"{p} {m}".lower() for p, m in zip(
            cells_of[col["partner"]], managers, strict=True)]),
        red=red,
        rag=TextColumn([v if v in ("Green", "Amber", "Red") else ""
                        for v in cells_of[col["plan_rag"]]]),
        tips={col[k]: col[source] for k, source in _TIPS.items()},
        widest=[max(cells, key=len, default="") for cells in cells_of])


def _codes(cells: list[str]) -> tuple[np.ndarray, list[str]]:
    """Each row's text as a code into the sorted distinct texts."""
    names, codes = np.unique(np.array(cells, dtype=object), return_inverse=True) \
        if cells else (np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64))
    return codes.astype(np.int32), [str(v) for v in names]


class PickledFrame:
    """A DataFrame sent pickled, unpickled only when asked for (:meth:`load`): the page
    shows the table's prepared columns, so the GUI thread rebuilds no DataFrame to fill
    it."""

    def __init__(self, frame):
        import pickle

        self.data = pickle.dumps(frame, protocol=5)

    def load(self):
        import pickle

        return pickle.loads(self.data)


class ScorecardModel(QAbstractTableModel):
    """The scorecard's :class:`ScorecardTable` as a read-only table. ``UserRole`` gives
    the cell's numeric sort key."""

    def __init__(self, parent=None):
        super().__init__(parent)
        import pandas as pd

        self.table = build_table(pd.DataFrame(
            columns=[c for c, _, _ in COLUMNS] + ["partner_id", "at_risk", "status"]))
        self._cols = [c for c, _, _ in COLUMNS]
        self.currency = ""
        self._rag_col = self._cols.index("plan_rag")

    @property
    def frame(self):
        """The scorecard DataFrame shown (figures by name, for callers and tests;
        unpickled on first use when it came from the figures process)."""
        if isinstance(self.table.frame, PickledFrame):
            self.table.frame = self.table.frame.load()
        return self.table.frame

    def title(self, section: int) -> str:
        """A column's title with the workspace currency filled in."""
        title = COLUMNS[section][1]
        return title.format(cur=self.currency) if self.currency else title.replace(
            " ({cur})", "").replace("{cur} ", "")

    def set_table(self, table: ScorecardTable) -> None:
        """Show ``table`` (one reset; every cell is served from its lists)."""
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def set_frame(self, frame) -> None:
        """Show the scorecard DataFrame ``frame`` (builds its table here: prefer
        :meth:`set_table` with a table built off the GUI thread)."""
        self.set_table(build_table(frame))

    def column_of(self, key: str) -> int:
        return self._cols.index(key)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table)

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
        return int(self.table.partner_id[row])

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, column: int, role: int) -> Any:
        """What ``data()`` answers for a cell: list and array lookups only."""
        t = self.table
        if role == Qt.ItemDataRole.DisplayRole:
            return t.text[column][row]
        if role == Qt.ItemDataRole.UserRole:
            return float(t.keys[column][row])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return None if KINDS[column] == "text" else _RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            colours = theme.current()
            red = t.red.get(column)
            if red is not None and red[row]:
                return theme.brush(colours.bad)
            if column == self._rag_col and t.rag[row] in colours.rag_tint:
                return theme.brush(colours.rag_tint_fg)
            return theme.brush(colours.at_risk_fg) if t.at_risk[row] else None
        if role == Qt.ItemDataRole.BackgroundRole:
            colours = theme.current()
            if column == self._rag_col and t.rag[row] in colours.rag_tint:
                return theme.brush(colours.rag_tint[t.rag[row]])
            return theme.brush(colours.at_risk_bg) if t.at_risk[row] else None
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = t.tips.get(column)
            return t.text[tip][row] if tip is not None else None
        return None


class ScorecardFilter(QAbstractTableModel):
    """The rows of a :class:`ScorecardModel` that pass the filters, in the sorted order: by
    text (partner, manager), tier, region, type, at-risk only, and churned partners hidden
    unless asked. Filters are numpy masks over the table's arrays and sorting an argsort of
    the column's keys, so a change costs no Python call per row. Answers like a
    ``QSortFilterProxyModel`` (``mapToSource``, ``mapFromSource``, ``sort``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.tier = ""
        self.region = ""
        self.ptype = ""
        self.at_risk_only = False
        self.show_churned = False
        self._source: ScorecardModel | None = None
        #: Source rows in view order.
        self.rows = np.zeros(0, dtype=np.int64)
        self._position: np.ndarray | None = None
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.AscendingOrder

    def setSourceModel(self, model: ScorecardModel) -> None:
        self._source = model
        model.modelReset.connect(self._refilter)
        self._refilter()

    def sourceModel(self) -> ScorecardModel:
        assert self._source is not None
        return self._source

    def configure(self, **changes: Any) -> None:
        """Change filters without showing the change (the next :meth:`set` or source reset
        shows it)."""
        for k, v in changes.items():
            if not hasattr(self, k):
                raise AttributeError(k)
            setattr(self, k, v)

    def set(self, **changes: Any) -> None:
        """Change filters (``text``, ``tier``, ``region``, ``ptype``, ``at_risk_only``,
        ``show_churned``) and show the rows that pass."""
        self.configure(**changes)
        self._refilter()

    def _order(self) -> np.ndarray:
        t = self.sourceModel().table
        n = len(t)
        mask = np.ones(n, dtype=bool)
        if self.text:
            needle = self.text.lower()
            mask &= np.fromiter((needle in h for h in t.search), dtype=bool, count=n)
        for attr, key in (("tier", "tier"), ("region", "region"), ("ptype", "type")):
            wanted = getattr(self, attr)
            if wanted:
                codes, names = t.values[key]
                mask &= codes == (names.index(wanted) if wanted in names else -1)
        if self.at_risk_only:
            mask &= t.at_risk
        if not self.show_churned:
            mask &= ~t.churned
        rows = np.flatnonzero(mask)
        if 0 <= self.sort_column < len(t.keys) and len(rows):
            keys = t.keys[self.sort_column][rows]
            if self.sort_order == Qt.SortOrder.DescendingOrder:
                keys = -keys
            rows = rows[np.argsort(keys, kind="stable")]
        return rows

    def _refilter(self) -> None:
        self.beginResetModel()
        self.rows = self._order()
        self._position = None
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column``'s keys (missing values first when ascending); the selection
        follows its rows."""
        self.sort_column, self.sort_order = column, order
        if self._source is None:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        sources = [int(self.rows[i.row()]) if i.isValid() else -1 for i in old]
        self.rows = self._order()
        self._position = None
        new = []
        for index, source in zip(old, sources, strict=True):
            row = self._row_of(source) if source >= 0 else -1
            new.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _row_of(self, source_row: int) -> int:
        if self._position is None:
            self._position = np.full(len(self.sourceModel().table), -1, dtype=np.int64)
            self._position[self.rows] = np.arange(len(self.rows))
        return int(self._position[source_row]) if source_row < len(self._position) else -1

    def mapToSource(self, index) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        return self.sourceModel().index(int(self.rows[index.row()]), index.column())

    def mapFromSource(self, index) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        row = self._row_of(index.row())
        return self.index(row, index.column()) if row >= 0 else QModelIndex()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        return self.sourceModel().headerData(section, orientation, role)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        return self.sourceModel().cell(int(self.rows[index.row()]), index.column(), role)

    def multiData(self, index, span) -> None:
        """Every role a view asks of a cell in one call (a delegate asks for seven to paint
        one cell: one Python call instead of seven while a 20,000-row table paints)."""
        if not index.isValid():
            return
        cell, row, column = self.sourceModel().cell, int(self.rows[index.row()]), \
            index.column()
        for i in range(len(span)):
            slot = span[i]
            role = slot.role()
            if role in _SERVED:  # the others stay empty (the delegate's own defaults)
                slot.setData(cell(row, column, role))

