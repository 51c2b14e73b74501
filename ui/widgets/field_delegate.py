"""Cell editors chosen by the domain field's kind: a combo box for enums, a date editor for
dates, a checked list for linked ids, a line edit for everything else.

While an editor is open the edit is "pending" (registered with the context, so the window
shows its modified marker and asks before closing); it is committed or discarded on demand.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QPainter, QPalette, QPolygon
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui.context import AppContext
from ui.plan_editor.models import CELL_STATE_ROLE
from ui.widgets.keyboard import paint_current_frame

#: A QDateEdit cannot be empty; its minimum date stands for "no date".
NO_DATE = QDate(1999, 12, 31)


class IdListEditor(QListWidget):
    """A list of (id, title) with check boxes; the value is the list of checked ids."""

    def __init__(self, choices: list[tuple[int, str]], parent: QWidget | None = None):
        super().__init__(parent)
        for ident, title in choices:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, ident)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        self.setMinimumHeight(min(220, 26 * max(2, len(choices)) + 8))

    def set_ids(self, ids: list[int]) -> None:
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in ids else Qt.CheckState.Unchecked)

    def ids(self) -> list[int]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]


def paint_amended_mark(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """A small triangle in the top-right corner of an amended cell (the spreadsheet
    habit for "changed"): a shape, so the state is not told by colour alone."""
    r = option.rect
    size = max(6, min(9, r.height() // 3))
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    color = option.palette.color(QPalette.ColorRole.HighlightedText if selected
                                 else QPalette.ColorRole.Text)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawPolygon(QPolygon([QPoint(r.right() - size, r.top() + 1),
                                  QPoint(r.right(), r.top() + 1),
                                  QPoint(r.right(), r.top() + 1 + size)]))
    painter.restore()


class FieldDelegate(QStyledItemDelegate):
    """Editors driven by ``model.field_at(index)``; see the module docstring. The current
    cell is framed (:func:`ui.widgets.keyboard.paint_current_frame`)."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        if index.data(CELL_STATE_ROLE) == "amended":
            paint_amended_mark(painter, option)
        paint_current_frame(painter, option)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._editor: QWidget | None = None
        self._index: QPersistentModelIndex | None = None
        self.closeEditor.connect(self._closed)

    # ------------------------------------------------------------------ editors

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:
        field = index.model().field_at(index)
        if field is None:
            return None
        if field.kind == "enum":
            from jbp.undo_text import choice_label

            editor: QWidget = QComboBox(parent)
            if not field.required:  # the blank first item clears the value
                editor.addItem("", "")
            for choice in field.choices:  # shown in words, stored by key
                editor.addItem(choice_label(field.name, choice) or choice, choice)
        elif field.kind == "date":
            editor = QDateEdit(parent)
            editor.setCalendarPopup(True)
            editor.setDisplayFormat("yyyy-MM-dd")
            editor.setMinimumDate(NO_DATE)
            editor.setSpecialValueText("—")
        elif field.kind == "ids" and hasattr(index.model(), "id_choices"):
            editor = IdListEditor(index.model().id_choices(field), parent)
        else:
            editor = QLineEdit(parent)
            if field.unit:
                editor.setPlaceholderText(field.unit)
        editor.setObjectName(f"editor_{field.name}")
        self._editor, self._index = editor, QPersistentModelIndex(index)
        self.ctx.set_pending(self, f"an edit of {field.label} still being typed")
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(str(value or ""))))
        elif isinstance(editor, QDateEdit):
            editor.setDate(value if isinstance(value, QDate) and value.isValid() else NO_DATE)
        elif isinstance(editor, IdListEditor):
            editor.set_ids(list(value or []))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))

    def editor_value(self, editor: QWidget) -> Any:
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            return editor.currentText() if data is None else data
        if isinstance(editor, QDateEdit):
            return None if editor.date() == NO_DATE else editor.date()
        if isinstance(editor, IdListEditor):
            return editor.ids()
        if isinstance(editor, QLineEdit):
            return editor.text()
        return None

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        # A refused value is not written: the model keeps the stored value and shows the
        # domain's message at the cell.
        model.setData(index, self.editor_value(editor), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option, index: QModelIndex) -> None:
        rect = option.rect
        if isinstance(editor, IdListEditor):
            rect = rect.adjusted(0, 0, max(0, 260 - rect.width()), editor.minimumHeight())
        editor.setGeometry(rect)

    @property
    def open_editor(self) -> QWidget | None:
        """The cell editor currently open, if any."""
        return self._editor

    # ------------------------------------------------------------------ pending edit

    def _closed(self, editor: QWidget, hint=None) -> None:
        if editor is self._editor:
            self._editor, self._index = None, None
            self.ctx.set_pending(self, None)

    def commit_pending(self) -> bool:
        """Write the open editor's value; True if the model accepted it."""
        editor, index = self._editor, self._index
        if editor is None or index is None or not index.isValid():
            self._closed(editor)
            return True
        model = index.model()
        ok = bool(model.setData(model.index(index.row(), index.column()),
                                self.editor_value(editor), Qt.ItemDataRole.EditRole))
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self._closed(editor)
        return ok

    def discard_pending(self) -> None:
        editor = self._editor
        if editor is not None:
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
        self._closed(editor)
