"""The Partners page's table: 20,000 partners without a stall (issue 17).

The partner list is read off the GUI thread (:func:`read_partner_rows`, run by
:func:`start_reading` on a :mod:`ui.workers` task), and everything a cell, a sort, a filter
or a column width needs is computed there, once, as plain lists (:class:`PartnerRows`):
each cell's text, each cell's sort key, each row's lower-cased text for the filter and each
column's longest text. On the GUI thread ``data()`` is a list index, a sort is one
``sorted()`` over a key list (the model sorts itself: a ``QSortFilterProxyModel`` asks a
Python ``lessThan`` about 300,000 times for 20,000 rows, seconds), a filter is one list
comprehension, and an edited partner has its one row's texts computed again in place.

Rows: the model's rows are the partners shown, in the order shown (sorted, then filtered by
the search text and the archived flag). ``elements`` is that list, so the editing machinery
of :class:`CommandTableModel` (``setData``, refusals) works on it unchanged.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QIdentityProxyModel, QModelIndex, QPersistentModelIndex, Qt

from jbp import store
from jbp.locale_numbers import NumberStyle
from jbp.model import Partner
from jbp.undo_text import choice_label
from ui import i18n
from ui.command_table import CommandTableModel
from ui.plan_editor.models import MARKED_ROLES, Column

_INDEX = QModelIndex | QPersistentModelIndex
_ASC = Qt.SortOrder.AscendingOrder
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)


def cell_text(element: Any, column: Column, style: NumberStyle) -> str:
    """A cell's shown text, as :meth:`ElementTableModel.data` shows it (a check box column
    has none)."""
    f = column.field
    if f is None:
        return column.value(element) if column.value else ""
    if f.kind == "bool":
        return ""
    value = getattr(element, f.name)
    text = choice_label(f.name, value) if f.kind == "enum" else f.display(value, style)
    return " ".join(text.split()) if f.kind == "longtext" else text


@dataclass
class PartnerRows:
    """Partners and what the table shows of them, column by column, computed once.

    ``texts[c][i]``: the text of partner ``i`` in column ``c``; ``keys[c][i]``: its sort
    key (case aside); ``hay[i]``: the row's texts, lower-cased, for the filter;
    ``longest[c]``: the column's longest text (its width); ``archived[i]``; ``order``: the
    partners' indexes sorted by ``sorted_by`` (column, descending); ``mark``: the newest
    entry of the program's change log when the list was read (changes after it are caught
    up partner by partner)."""

    partners: list[Partner] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)
    keys: list[list[str]] = field(default_factory=list)
    hay: list[str] = field(default_factory=list)
    longest: list[str] = field(default_factory=list)
    archived: list[bool] = field(default_factory=list)
    order: list[int] = field(default_factory=list)
    sorted_by: tuple[int, bool] = (-1, False)
    mark: int = 0


def row_texts(partner: Partner, columns: Sequence[Column], style: NumberStyle) -> list[str]:
    return [cell_text(partner, c, style) for c in columns]


def sort_order(keys: list[list[str]], indexes: Sequence[int], column: int,
               descending: bool) -> list[int]:
    """``indexes`` sorted by ``column``'s keys (stable; -1: as read)."""
    if 0 <= column < len(keys):
        return sorted(indexes, key=keys[column].__getitem__, reverse=descending)
    return sorted(indexes, reverse=descending)


def partner_rows(partners: list[Partner], columns: Sequence[Column], style: NumberStyle,
                 sorted_by: tuple[int, bool] = (-1, False), mark: int = 0,
                 state: Any = None) -> PartnerRows:
    """:class:`PartnerRows` of ``partners`` (a pure function: run it off the GUI thread)."""
    by_row = []
    for i, p in enumerate(partners):
        if state is not None and i % 2000 == 0:
            state.check()
        by_row.append(row_texts(p, columns, style))
    texts = [list(col) for col in zip(*by_row, strict=True)] if by_row \
        else [[] for _ in columns]
    keys = [[t.casefold() for t in col] for col in texts]
    hay = ["\t".join(row).lower() for row in by_row]
    longest = [max(col, key=len, default="") for col in texts]
    rows = PartnerRows(partners, texts, keys, hay, longest,
                       [bool(p.archived) for p in partners], [], sorted_by, mark)
    rows.order = sort_order(keys, range(len(partners)), *sorted_by)
    return rows


def read_partner_rows(path: Path, columns: Sequence[Column], style: NumberStyle,
                      sorted_by: tuple[int, bool] = (-1, False), *, state: Any) -> PartnerRows:
    """Every partner of the workspace at ``path`` (archived ones too: "Show archived" is
    then a filter) and its :class:`PartnerRows`, on a read-only connection of its own (safe
    off the GUI thread)."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                           timeout=store.BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        conn.row_factory = sqlite3.Row
        # The log's newest entry first: a change committed after it is caught up from the
        # log, whether or not the list below already holds it.
        mark = conn.execute("SELECT coalesce(max(id), 0) FROM program_revisions").fetchone()[0]
        partners = store.partner_list(store.Workspace(Path(path), conn), include_archived=True)
    finally:
        conn.close()
    state.check()
    state.report(0.5, f"{len(partners):,} partners read")
    return partner_rows(partners, columns, style, sorted_by, int(mark), state)


class PartnerTableModel(CommandTableModel):
    """The partners shown (see the module docstring). Fill it with :meth:`set_rows` (rows
    read off the GUI thread) or :meth:`set_elements` (a short list, computed here)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = PartnerRows(texts=[[] for _ in self.columns],
                                keys=[[] for _ in self.columns])
        #: The partners in sort order (indexes into ``rows``); ``_order``: those shown.
        self._sorted: list[int] = []
        self._order: list[int] = []
        self._index_of: dict[int, int] = {}          # partner id -> index into rows
        self._row_of: dict[int, int] | None = None   # index into rows -> shown row (lazy)
        self.sort_column, self.sort_order = -1, _ASC
        self.needle = ""
        self.show_archived = False
        self.style = i18n.number_style()
        # What a painted cell asks beyond its text, answered without the general chain:
        # the roles no column of this table uses (while no cell holds a refused value),
        # and each column's flags (they depend on the column only).
        R = Qt.ItemDataRole
        unused = [R.FontRole, R.SizeHintRole, R.DecorationRole, *MARKED_ROLES]
        fields = [c.field for c in self.columns]
        if not any(f is not None and f.kind == "bool" for f in fields):
            unused.append(R.CheckStateRole)
        if not any(c.numeric for c in self.columns):
            unused.append(R.TextAlignmentRole)
        if not any(c.rag is not None for c in self.columns):
            unused.append(R.BackgroundRole)
        self._unused_roles = frozenset(int(getattr(r, "value", r)) for r in unused)
        self._flags: dict[int, Qt.ItemFlag] = {}

    # ------------------------------------------------------------------ contents

    @property
    def sorted_by(self) -> tuple[int, bool]:
        return self.sort_column, self.sort_order != _ASC

    def set_elements(self, elements: Sequence[Any]) -> None:
        self.set_rows(partner_rows(list(elements), self.columns, self.style, self.sorted_by))

    def set_rows(self, rows: PartnerRows) -> None:
        self.beginResetModel()
        self.errors.clear()
        self.rows = rows
        self._index_of = {p.id: i for i, p in enumerate(rows.partners)}
        self._sorted = rows.order if rows.sorted_by == self.sorted_by else sort_order(
            rows.keys, range(len(rows.partners)), *self.sorted_by)
        self._show()
        self.endResetModel()

    def _visible(self, i: int) -> bool:
        return (self.show_archived or not self.rows.archived[i]) and (
            not self.needle or self.needle in self.rows.hay[i])

    def _show(self) -> None:
        """The rows shown: the sorted partners that pass the filter."""
        hay, archived, needle = self.rows.hay, self.rows.archived, self.needle
        if self.show_archived:
            self._order = [i for i in self._sorted if needle in hay[i]] if needle \
                else list(self._sorted)
        else:
            self._order = [i for i in self._sorted if not archived[i] and needle in hay[i]]
        partners = self.rows.partners
        self.elements = [partners[i] for i in self._order]
        self._row_of = None

    def set_filter(self, text: str) -> None:
        """Show the partners whose row holds ``text`` (case aside)."""
        needle = text.lower()
        if needle != self.needle:
            self._refilter(needle, self.show_archived)

    def set_show_archived(self, show: bool) -> None:
        if show != self.show_archived:
            self._refilter(self.needle, show)

    def _refilter(self, needle: str, show_archived: bool) -> None:
        self.beginResetModel()
        self.errors.clear()
        self.needle, self.show_archived = needle, show_archived
        self._show()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = _ASC) -> None:
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        held = [self._order[i.row()] if 0 <= i.row() < len(self._order) else -1
                for i in before]
        self.errors.clear()
        self._sorted = sort_order(self.rows.keys, self._sorted, *self.sorted_by)
        self._show()
        if before:
            where = self._shown_rows()
            self.changePersistentIndexList(before, [
                self.index(where[i], p.column()) if i in where else QModelIndex()
                for i, p in zip(held, before, strict=True)])
        self.layoutChanged.emit()

    def _shown_rows(self) -> dict[int, int]:
        if self._row_of is None:
            self._row_of = {i: r for r, i in enumerate(self._order)}
        return self._row_of

    def _row_at(self, i: int) -> int | None:
        """The row showing partner ``i`` (None: not shown), without building the whole
        map after each insert or removal (a scan in C)."""
        if self._row_of is not None:
            return self._row_of.get(i)
        try:
            return self._order.index(i)
        except ValueError:
            return None

    def row_of(self, element_id: int) -> int:
        i = self._index_of.get(element_id)
        return -1 if i is None else self._shown_rows().get(i, -1)

    def archived_count(self) -> int:
        archived = self.rows.archived
        return sum(1 for i in self._sorted if archived[i])

    # ------------------------------------------------------------------ one partner

    def put_partner(self, partner_id: int, partner: Partner | None) -> None:
        """Partner ``partner_id`` as it is now stored (None: deleted): its row's texts are
        computed again in place. An edited row stays where it is (re-sorted with the next
        sort); an archived one leaves the table unless archived ones are shown."""
        i = self._index_of.get(partner_id)
        if partner is None:
            if i is not None:
                self._hide(i)
                self._sorted.remove(i)
                del self._index_of[partner_id]
            return
        texts = row_texts(partner, self.columns, self.style)
        rows = self.rows
        if i is None:
            i = len(rows.partners)
            rows.partners.append(partner)
            for c, t in enumerate(texts):
                rows.texts[c].append(t)
                rows.keys[c].append(t.casefold())
            rows.hay.append("\t".join(texts).lower())
            rows.archived.append(bool(partner.archived))
            self._index_of[partner_id] = i
            self._sorted.insert(self._position(self._sorted, i), i)
            if self._visible(i):
                self._insert(i)
            return
        rows.partners[i] = partner
        for c, t in enumerate(texts):
            rows.texts[c][i] = t
            rows.keys[c][i] = t.casefold()
        rows.hay[i] = "\t".join(texts).lower()
        rows.archived[i] = bool(partner.archived)
        row = self._row_at(i)
        hidden = rows.archived[i] and not self.show_archived
        if row is not None and hidden:
            self._hide(i)
        elif row is not None:
            self.elements[row] = partner
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))
        elif not hidden and self._visible(i):
            self._insert(i)

    def _position(self, order: list[int], i: int) -> int:
        """Where partner ``i`` goes in ``order`` (sorted by the current sort)."""
        column, descending = self.sorted_by
        keys = self.rows.keys[column] if 0 <= column < len(self.rows.keys) else None
        if keys is None:
            if descending:
                return next((n for n, j in enumerate(order) if j < i), len(order))
            return bisect.bisect_right(order, i)
        if descending:
            key = keys[i]
            return next((n for n, j in enumerate(order) if keys[j] < key), len(order))
        return bisect.bisect_right(order, keys[i], key=keys.__getitem__)

    def _insert(self, i: int) -> None:
        row = self._position(self._order, i)
        self.beginInsertRows(QModelIndex(), row, row)
        self.errors.clear()
        self._order.insert(row, i)
        self.elements.insert(row, self.rows.partners[i])
        self._row_of = None
        self.endInsertRows()

    def _hide(self, i: int) -> None:
        row = self._row_at(i)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        self.errors.clear()
        del self._order[row]
        del self.elements[row]
        self._row_of = None
        self.endRemoveRows()

    # ------------------------------------------------------------------ Qt model API

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == _DISPLAY and index.isValid():
            column = index.column()
            f = self.columns[column].field
            if f is not None and f.kind == "bool":
                return None
            return self.rows.texts[column][self._order[index.row()]]
        if role in self._unused_roles and not self.errors:
            return None
        return super().data(index, role)

    def flags(self, index: _INDEX) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        column = index.column()
        flags = self._flags.get(column)
        if flags is None:
            flags = self._flags[column] = super().flags(index)
        return flags


class PartnerProxy(QIdentityProxyModel):
    """The view's model: the table as it is (the model sorts and filters itself), and what
    the cell delegate asks of it."""

    def field_at(self, index: _INDEX):
        return self.sourceModel().field_at(self.mapToSource(index))

    def refuse_typed(self, index: _INDEX, message: str) -> bool:
        return self.sourceModel().refuse_typed(self.mapToSource(index), message)

    def setFilterFixedString(self, text: str) -> None:
        self.sourceModel().set_filter(text)
