"""Keyboard and screen-reader habits every table and text box of the app shares.

- Tab and Shift+Tab move the focus on, out of a table or a multi-line text box (arrows
  move inside a table; Ctrl+Tab still inserts nothing anywhere).
- The current cell of a table is drawn with a frame, also when whole rows are selected.
- A table that sorts does so from the keyboard too: Ctrl+Shift+S sorts by the current
  cell's column (again: the other way round).
- Each widget carries the accessible name a screen reader says.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextEdit,
    QWidget,
)

#: The key that sorts a table by the current cell's column (see the shortcut list).
SORT_KEY = "Ctrl+Shift+S"

_INDEX = QModelIndex | QPersistentModelIndex


def paint_current_frame(painter: QPainter, option: QStyleOptionViewItem) -> None:
    """Frame the cell being painted if it is the view's current one while the view has
    the focus (Qt marks it ``State_HasFocus``): the selection shows the row, the frame the
    cell the arrows and typing act on. Drawn in the text colour of the cell, so it shows
    on a selected row and in any palette."""
    if not option.state & QStyle.StateFlag.State_HasFocus:
        return
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
    painter.save()
    pen = QPen(option.palette.color(role))
    pen.setWidth(2)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
    painter.restore()


class CurrentCellDelegate(QStyledItemDelegate):
    """The default delegate with the current cell framed (:func:`paint_current_frame`)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _INDEX) -> None:
        super().paint(painter, option, index)
        paint_current_frame(painter, option)


def keyboard_view(view: QAbstractItemView, name: str, description: str = "") -> None:
    """Tab leaves ``view`` (arrows move inside), its current cell is framed (unless it
    has a delegate of its own, which then calls :func:`paint_current_frame`), a table
    that sorts does so by keyboard, and a screen reader names it ``name``."""
    view.setTabKeyNavigation(False)
    view.setAccessibleName(name)
    if description:
        view.setAccessibleDescription(description)
    if type(view.itemDelegate()) is QStyledItemDelegate:
        view.setItemDelegate(CurrentCellDelegate(view))
    if isinstance(view, QTableView) and view.isSortingEnabled():
        sort_by_keyboard(view)
        view.setAccessibleDescription(" ".join(filter(None, [
            description, f"{SORT_KEY} sorts by the current cell's column."])))


def sort_by_keyboard(view: QTableView) -> QAction:
    """Ctrl+Shift+S (while the table has the focus) sorts by the current cell's column;
    pressed again on the same column it reverses the order."""
    action = QAction("Sort by this column", view)
    action.setObjectName("sort_by_column")
    action.setShortcut(QKeySequence(SORT_KEY))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(lambda _checked=False: sort_current_column(view))
    view.addAction(action)
    return action


def sort_current_column(view: QTableView) -> None:
    column = max(view.currentIndex().column(), 0)
    header = view.horizontalHeader()
    order = Qt.SortOrder.AscendingOrder
    if header.sortIndicatorSection() == column and \
            header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder:
        order = Qt.SortOrder.DescendingOrder
    view.sortByColumn(column, order)


def keyboard_text(edit: QPlainTextEdit | QTextEdit, name: str) -> None:
    """Tab leaves the multi-line ``edit`` instead of typing a tab; a screen reader names
    it ``name``."""
    edit.setTabChangesFocus(True)
    edit.setAccessibleName(name)


def name_widget(widget: QWidget, name: str, description: str = "") -> None:
    """The name (and description) a screen reader says for ``widget``."""
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)


class _TabOrderOnceShown(QObject):
    def __init__(self, page: QWidget, widgets: list[QWidget]):
        super().__init__(page)
        self.widgets = widgets
        page.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange:
            for first, second in itertools.pairwise(self.widgets):
                QWidget.setTabOrder(first, second)
        return False


def tab_order(page: QWidget, widgets: list[QWidget]) -> None:
    """Tab visits ``widgets`` in this order. While ``page`` is a window of its own its Tab
    order is a ring without a start (Qt takes "the table after the last button" as
    already true), so the order is also set again once the page is placed in a window."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)
    _TabOrderOnceShown(page, widgets)
