"""An editable table whose edits are domain commands other than plan edits (tiers,
partners): each typed value becomes the command ``make_command(element, field, value)``
returns, run through :meth:`AppContext.run` (so it is saved, logged and undoable); a refused
value stays out of the workspace and its message is kept at the cell and emitted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt

from jbp.commands import Command
from jbp.errors import JbpError
from ui import theme
from ui.context import AppContext
from ui.plan_editor.models import (
    MARKED_ROLES,
    CellRefusals,
    Column,
    ElementTableModel,
    marked,
)

_INDEX = QModelIndex | QPersistentModelIndex


class CommandTableModel(CellRefusals, ElementTableModel):
    """See the module docstring. ``editable``: the field names a user may change;
    ``confirm(element, field, value)`` may look at an edit first and return False to drop
    it (the tier page shows who a threshold change moves); ``muted(element)`` greys a row."""

    def __init__(self, ctx: AppContext, columns: list[Column],
                 make_command: Callable[[Any, str, Any], Command], editable: set[str],
                 confirm: Callable[[Any, str, Any], bool] | None = None,
                 muted: Callable[[Any], bool] | None = None, parent=None):
        super().__init__(columns, parent)
        self.ctx, self.make_command, self.editable = ctx, make_command, editable
        self.confirm, self.muted = confirm, muted
        #: (row, field name) -> the message of the last refused value.
        self.errors: dict[tuple[int, str], str] = {}

    def set_elements(self, elements) -> None:
        self.errors.clear()
        super().set_elements(elements)

    def flags(self, index: _INDEX) -> Qt.ItemFlag:
        flags = super().flags(index)
        f = self.field_at(index)
        if f is not None and f.name in self.editable:
            flags |= (Qt.ItemFlag.ItemIsUserCheckable if f.kind == "bool"
                      else Qt.ItemFlag.ItemIsEditable)
        return flags

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid():
            f = self.field_at(index)
            key = (index.row(), f.name if f is not None else "")
            if key in self.errors:
                if role == Qt.ItemDataRole.BackgroundRole:
                    return theme.brush(theme.current().error_bg)
                if role == Qt.ItemDataRole.ForegroundRole:
                    return theme.brush(theme.current().error_fg)
                if role == Qt.ItemDataRole.ToolTipRole:
                    return self.errors[key]
                if role in MARKED_ROLES:  # never by colour alone
                    return marked(self, index, role, "refused", self.errors[key])
            if (role == Qt.ItemDataRole.ForegroundRole and self.muted is not None
                    and self.muted(self.elements[index.row()])):
                return theme.brush(theme.current().muted)
        return super().data(index, role)

    def setData(self, index: _INDEX, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        f = self.field_at(index)
        if f is None or f.name not in self.editable or role not in (
                Qt.ItemDataRole.EditRole, Qt.ItemDataRole.CheckStateRole):
            return False
        element = self.elements[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        if isinstance(value, QDate):
            value = dt.date(value.year(), value.month(), value.day()) if value.isValid() \
                else None
        key = (index.row(), f.name)
        if self.ctx.editor is None:
            return self._refuse(index, key, "Say who you are first (Edit ▸ Switch editor…); "
                                            "every change is recorded under a name and side.",
                                emit_error=True)
        try:
            command = self.make_command(element, f.name, value)
        except JbpError as exc:
            return self._refuse(index, key, str(exc), emit_error=True)
        coerced = getattr(command, "value", value)
        if getattr(element, f.name) == coerced:
            self._clear_error(index, key)
            return True
        if self.confirm is not None:
            try:
                if not self.confirm(element, f.name, coerced):
                    return False
            except JbpError as exc:
                return self._refuse(index, key, str(exc), emit_error=True)
        if not self.ctx.run(command):
            return self._refuse(index, key, str(self.ctx.last_error or "refused"))
        self._clear_error(index, key)
        return True
