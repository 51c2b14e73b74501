"""Cell editors chosen by the domain field's kind: a combo box for enums, a checked list for
linked ids, a line edit for everything else — dates too (typed in the locale's short form or
ISO, with a calendar to pick from).

Numbers and dates typed in a line edit are read here in the user's locale
(:func:`ui.i18n.number_style`) by the one parser of typed input
(:mod:`jbp.locale_numbers`), and the model is given the number or the day. Text the parser
refuses (``1.234`` in German reads two ways) is not written: the model's refusal shows the
message at the cell (``refuse_typed``), as for a value the domain refuses.

While an editor is open the edit is "pending" (registered with the context, so the window
shows its modified marker and asks before closing); it is committed or discarded on demand.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QPainter, QPalette, QPolygon
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QCalendarWidget,
    QComboBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyleOptionViewItem,
    QWidget,
)

from jbp.errors import ValidationError
from jbp.locale_numbers import (
    NotANumber,
    UnusableNumber,
    number_text,
    read_date,
    read_number,
)
from ui import i18n
from ui.context import AppContext
from ui.plan_editor.models import CELL_STATE_ROLE
from ui.widgets.elided_tips import ElidedTipDelegate
from ui.widgets.keyboard import paint_current_frame

#: Field kinds typed as numbers.
NUMBER_KINDS = ("int", "float", "money", "fraction")


class DateLineEdit(QLineEdit):
    """A date typed in the locale's short form or ISO (empty for no date), with a calendar
    (the trailing button, or Alt+Down) to pick one."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        style = i18n.number_style()
        self.setPlaceholderText(f"{style.date_example} / 2026-12-31"
                                if style.date_example != "2026-12-31" else "2026-12-31")
        self.calendar_action = QAction(
            self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown), "Calendar", self)
        self.calendar_action.setToolTip("Pick the day from a calendar (Alt+Down)")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.calendar: QCalendarWidget | None = None

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.show_calendar()
            return
        super().keyPressEvent(event)

    def show_calendar(self) -> None:
        calendar = QCalendarWidget(self)
        calendar.setWindowFlags(Qt.WindowType.Popup)
        try:
            day = read_date(self.text(), i18n.number_style())
            calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        except ValidationError:
            pass
        calendar.clicked.connect(self._picked)
        calendar.activated.connect(self._picked)
        calendar.move(self.mapToGlobal(self.rect().bottomLeft()))
        calendar.show()
        self.calendar = calendar

    def _picked(self, day: QDate) -> None:
        self.setText(i18n.number_style().date(dt.date(day.year(), day.month(), day.day())))
        if self.calendar is not None:
            self.calendar.close()
            self.calendar = None
        self.setFocus()


def read_typed(text: str, field, currency: str = "") -> Any:
    """What a user typed for ``field`` (a :class:`jbp.fields.Field`), read in their locale:
    a number for number kinds, a day for dates, the text itself otherwise or when it holds
    no number at all (the domain then refuses it in its own words). Raises
    :class:`ValidationError` for text that reads two ways, an unusable number (``1,5`` in
    English, ``inf``) or a date in no known form."""
    kind = getattr(field, "kind", "")
    if not text.strip() or kind not in (*NUMBER_KINDS, "date"):
        return text
    style = i18n.number_style()
    if kind == "date":
        return read_date(text, style, field=field.label)
    try:
        return read_number(text, style, field=field.label,
                           suffixes=kind in ("money", "float"), currency=currency).value
    except NotANumber as exc:
        if isinstance(exc, UnusableNumber):
            raise
        return text


def localised(text: str) -> str:
    """A number the model gives in English (``1234.5``, ``12.5%``) as the user's locale
    writes it for typing over (``1234,5``, ``12,5%``); other text unchanged."""
    style = i18n.number_style()
    if not text or (style.decimal, style.group) == (".", ","):
        return text
    try:
        typed = read_number(text)
    except ValidationError:
        return text
    if typed.percent:
        return number_text(typed.value * 100, style, decimals=6) + "%"
    return number_text(typed.value, style, decimals=6)


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


class FieldDelegate(ElidedTipDelegate):
    """Editors driven by ``model.field_at(index)``; see the module docstring. The current
    cell is framed (:func:`ui.widgets.keyboard.paint_current_frame`); a cell cut short shows
    its whole text on hover (:class:`ui.widgets.elided_tips.ElidedTipDelegate`)."""

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
            editor = DateLineEdit(parent)
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
        elif isinstance(editor, DateLineEdit):
            day = value.toPython() if isinstance(value, QDate) and value.isValid() else value
            editor.setText(i18n.number_style().date(day) if isinstance(day, dt.date) else "")
        elif isinstance(editor, IdListEditor):
            editor.set_ids(list(value or []))
        elif isinstance(editor, QLineEdit):
            field = index.model().field_at(index)
            text = "" if value is None else str(value)
            editor.setText(localised(text) if field is not None
                           and field.kind in NUMBER_KINDS else text)

    def editor_value(self, editor: QWidget, field=None) -> Any:
        """The editor's value for the model: a number or a day where ``field`` is typed as
        one (read in the user's locale; raises :class:`ValidationError` when refused)."""
        if isinstance(editor, QComboBox):
            data = editor.currentData()
            return editor.currentText() if data is None else data
        if isinstance(editor, IdListEditor):
            return editor.ids()
        if isinstance(editor, QLineEdit):
            return read_typed(editor.text(), field, self._currency())
        return None

    def _currency(self) -> str:
        """The workspace currency's code, which an amount may carry (1.234,56 EUR)."""
        ws = self.ctx.workspace
        return ws.program().currency if ws is not None else ""

    def set_value(self, editor: QWidget, model, index: QModelIndex) -> bool:
        """Write the editor's value; text the locale's parser refuses goes to the model's
        refusal (the message at the cell), and nothing is written."""
        try:
            value = self.editor_value(editor, model.field_at(index))
            typed = getattr(model, "typed_value", None)
            if typed is not None and isinstance(editor, QLineEdit):
                value = typed(index, editor.text(), value)  # the cell's own reading
        except ValidationError as exc:  # reads two ways; a date in no known form
            return self._refuse(model, index, exc)
        return bool(model.setData(index, value, Qt.ItemDataRole.EditRole))

    def _refuse(self, model, index: QModelIndex, exc: ValidationError) -> bool:
        element = getattr(getattr(model, "cls", None), "LABEL", "")
        message = str(ValidationError(exc.field, exc.reason, element=element))
        if hasattr(model, "refuse_typed"):
            model.refuse_typed(index, message)
        else:
            self.ctx.error.emit(message)
        return False

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        # A refused value is not written: the model keeps the stored value and shows the
        # domain's message at the cell.
        self.set_value(editor, model, index)

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
        ok = self.set_value(editor, model, model.index(index.row(), index.column()))
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self._closed(editor)
        return ok

    def discard_pending(self) -> None:
        editor = self._editor
        if editor is not None:
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
        self._closed(editor)
