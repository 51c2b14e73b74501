"""A table view whose first column stays in place while the others scroll sideways
(Qt's "Frozen Column" example): a second view over the first column shares the model, the
selection and the vertical scroll of the main one."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui import theme


class FrozenTableView(QTableView):
    """A ``QTableView`` with its first column frozen (see the module doc). Use it like a
    ``QTableView``; :attr:`frozen` is the overlay showing the first column."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.frozen = QTableView(self)
        self.frozen.setObjectName("frozen_column")
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.verticalHeader().hide()
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        theme.style(self.frozen, "QTableView{border:none;border-right:1px solid $frame;}")
        self.viewport().stackUnder(self.frozen)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(self._row_resized)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.doubleClicked.connect(self.doubleClicked)
        self.frozen.horizontalHeader().sectionClicked.connect(self._sort_first)
        self.frozen.show()

    # the overlay follows the main view ---------------------------------------------------

    def setModel(self, model) -> None:
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self._columns_changed()
        model.modelReset.connect(self._columns_changed)
        model.layoutChanged.connect(self._columns_changed)

    def setSelectionBehavior(self, behavior) -> None:
        super().setSelectionBehavior(behavior)
        self.frozen.setSelectionBehavior(behavior)

    def setSelectionMode(self, mode) -> None:
        super().setSelectionMode(mode)
        self.frozen.setSelectionMode(mode)

    def setAlternatingRowColors(self, on: bool) -> None:
        super().setAlternatingRowColors(on)
        self.frozen.setAlternatingRowColors(on)

    def setEditTriggers(self, triggers) -> None:
        super().setEditTriggers(triggers)
        self.frozen.setEditTriggers(triggers)

    def setSortingEnabled(self, on: bool) -> None:
        super().setSortingEnabled(on)
        self.frozen.horizontalHeader().setSortIndicatorShown(on)
        self.horizontalHeader().sortIndicatorChanged.connect(self._sort_indicator)

    def _sort_indicator(self, column: int, order) -> None:
        self.frozen.horizontalHeader().setSortIndicator(column, order)

    def _sort_first(self, column: int) -> None:
        header = self.horizontalHeader()
        order = (Qt.SortOrder.AscendingOrder
                 if header.sortIndicatorSection() != column
                 or header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
                 else Qt.SortOrder.DescendingOrder)
        self.sortByColumn(column, order)

    def _columns_changed(self, *_args) -> None:
        model = self.model()
        if model is None:
            return
        for col in range(model.columnCount()):
            self.frozen.setColumnHidden(col, col != 0)
        self.frozen.setColumnWidth(0, self.columnWidth(0))
        self._place()

    def _section_resized(self, index: int, _old: int, new: int) -> None:
        if index == 0:
            self.frozen.setColumnWidth(0, new)
            self._place()

    def _row_resized(self, index: int, _old: int, new: int) -> None:
        self.frozen.setRowHeight(index, new)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        self._place()

    def resizeColumnsToContents(self) -> None:
        super().resizeColumnsToContents()
        self.frozen.setColumnWidth(0, self.columnWidth(0))
        self._place()

    def _place(self) -> None:
        if not hasattr(self, "frozen"):
            return
        self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())
        self.frozen.setGeometry(self.verticalHeader().width() + self.frameWidth(),
                                self.frameWidth(), self.columnWidth(0),
                                self.viewport().height() + self.horizontalHeader().height())

    def moveCursor(self, action, modifiers) -> QModelIndex:
        current = super().moveCursor(action, modifiers)
        if (action == QAbstractItemView.CursorAction.MoveLeft and current.column() > 0
                and self.visualRect(current).topLeft().x() < self.frozen.columnWidth(0)):
            value = (self.horizontalScrollBar().value() + self.visualRect(current).topLeft().x()
                     - self.frozen.columnWidth(0))
            self.horizontalScrollBar().setValue(value)
        return current

    def scrollTo(self, index, hint=QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        if index.column() > 0:
            super().scrollTo(index, hint)
