"""A table of plan parts with its toolbar (add, delete) and the place where a refused
value's message is shown: a tool tip at the cell and a red line under the table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.context import AppContext
from ui.plan_editor.models import PartTableModel
from ui.widgets.field_delegate import FieldDelegate
from ui.widgets.keyboard import keyboard_view


def _call(fn: Callable[[], object]) -> None:
    fn()  # slots return None (PySide6 mishandles a bool returned by a Python slot)


class ErrorLine(QLabel):
    """A one-line message in red under a form or table (empty = hidden)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        theme.style(self, "color: $error_text; font-weight: 600;")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def column_key(column) -> str:
    """A column's key for the chooser: its field's name, else its title."""
    return column.field.name if getattr(column, "field", None) is not None else column.title


class PartTable(QWidget):
    """A :class:`PartTableModel` in a table view with Add / Delete buttons.

    ``add`` and ``delete`` are callbacks the owner provides (they run domain commands).
    Emits :attr:`current_changed` with the selected element (or None).
    """

    current_changed = Signal(object)

    def __init__(self, ctx: AppContext, model: PartTableModel, noun: str,
                 add: Callable[[], None] | None = None,
                 delete: Callable[[object], None] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.model, self.noun = ctx, model, noun
        self.view = QTableView(self)
        self.view.setObjectName(f"table_{model.kind}")
        self.view.setModel(model)
        self.delegate = FieldDelegate(ctx, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setWordWrap(False)
        keyboard_view(self.view, f"{noun[:1].upper()}{noun[1:]}s",
                      f"Arrows move between cells, typing or F2 edits the current cell"
                      f"{', Delete removes the row' if delete is not None else ''}.")
        self.error_line = ErrorLine(self)
        self.add_button = QPushButton(f"Add {noun}", self)
        self.add_button.setObjectName(f"add_{model.kind}")
        self.delete_button = QPushButton(f"Delete {noun}", self)
        self.delete_button.setObjectName(f"delete_{model.kind}")
        self.add_button.setVisible(add is not None)
        self.delete_button.setVisible(delete is not None)
        if add is not None:
            self.add_button.clicked.connect(lambda: _call(add))
        if delete is not None:
            self.delete_button.clicked.connect(lambda: self._delete(delete))
            # Delete on the table (not in an open cell editor, which keeps the key).
            self.delete_action = QAction(f"Delete {noun}", self.view)
            self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
            self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.delete_action.triggered.connect(lambda _c=False: self._delete(delete))
            self.view.addAction(self.delete_action)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        self.buttons = buttons
        self.chooser = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.error_line)
        model.edit_refused.connect(self._show_refusal)
        model.modelAboutToBeReset.connect(self._remember_current)
        model.modelReset.connect(self._after_reset)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        model.dataChanged.connect(self._clear_message_if_fixed)
        self._sized = False

    def _row_changed(self, current, _previous) -> None:
        self.current_changed.emit(self.model.element(current.row()))

    def _delete(self, delete: Callable[[object], object]) -> None:
        if self.current() is not None:
            delete(self.current())

    def current(self) -> object | None:
        index = self.view.currentIndex()
        return self.model.element(index.row()) if index.isValid() else None

    def select_id(self, element_id: int) -> None:
        row = self.model.row_of(element_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))

    def _remember_current(self) -> None:
        current = self.current()
        self._current_id = getattr(current, "id", None)

    def _after_reset(self) -> None:
        # A reload that adds or removes rows keeps the user on the row they were on.
        if getattr(self, "_current_id", None) is not None:
            self.select_id(self._current_id)
        self._sized_once()

    def _sized_once(self) -> None:
        if self._sized or not self.model.elements:
            return
        self._sized = True
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for col in range(self.model.columnCount()):
            f = self.model.columns[col].field
            limit = 360 if f is not None and f.kind in ("text", "longtext") else 180
            header.resizeSection(col, min(limit, max(64, header.sectionSize(col) + 12)))
        self._apply_compact()

    def _show_refusal(self, index: QModelIndex, message: str) -> None:
        self.error_line.show_message(message)
        rect = self.view.visualRect(index)
        pos = self.view.viewport().mapToGlobal(rect.bottomLeft())
        QToolTip.showText(pos, message, self.view.viewport(), rect)

    def _clear_message_if_fixed(self) -> None:
        if not self.model.errors:
            self.error_line.show_message("")

    def refused_message(self) -> str:
        return self.error_line.text() if self.error_line.isVisible() else ""

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.error_line.show_message("")
        super().keyPressEvent(event)

    def choose_columns(self, default: list[str], settings_key: str,
                       locked: list[str] | None = None) -> None:
        """Show only ``default`` columns (keys: field names, else titles) until the user
        chooses others with the "Columns" button (the choice is remembered)."""
        from ui.widgets.column_chooser import ColumnChooser

        columns = self.model.columns
        self.chooser = ColumnChooser(self.view, [column_key(c) for c in columns],
                                     [c.title for c in columns], default, settings_key,
                                     locked=locked or [column_key(columns[0])])
        self.buttons.addWidget(self.chooser.button(self))

    def compact_columns(self, keys: list[str], width: int) -> None:
        """Keep the columns named by ``keys`` at ``width`` pixels (numbers fit; the title
        is in the header's tooltip), so more of them fit side by side."""
        self._compact = ({column_key(c) for c in self.model.columns} & set(keys), width)
        self._apply_compact()

    def _apply_compact(self) -> None:
        keys, width = getattr(self, "_compact", (set(), 0))
        for i, c in enumerate(self.model.columns):
            if column_key(c) in keys:
                self.view.setColumnWidth(i, width)
