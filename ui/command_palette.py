"""The command palette (Ctrl+K): type a few letters of any menu command, Enter runs it.

Every action of the window's menus is listed by its menu path ("File ▸ Export plan to
Excel…") with its shortcut; words typed match in any order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QVBoxLayout,
)


def plain(text: str) -> str:
    """A menu text without its mnemonic ampersands."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def menu_actions(window: QMainWindow) -> list[tuple[str, QAction]]:
    """(menu path, action) of every enabled command in the window's menus."""
    out: list[tuple[str, QAction]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            if action.menu() is not None:
                walk(action.menu(), f"{path} ▸ {plain(action.text())}")
            elif action.text():
                out.append((f"{path} ▸ {plain(action.text())}", action))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), plain(top.text()))
    return out


def matches(query: str, text: str) -> bool:
    """Every word of ``query`` occurs in ``text`` (case-insensitive)."""
    hay = text.lower()
    return all(word in hay for word in query.lower().split())


class CommandPalette(QDialog):
    """See the module doc."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.setWindowTitle("Find a command")
        self.setObjectName("command_palette")
        self.search = QLineEdit(self)
        self.search.setObjectName("palette_search")
        self.search.setPlaceholderText("Type a command, e.g. export, QBR, undo…")
        self.list = QListWidget(self)
        self.list.setObjectName("palette_list")
        self.actions_found = menu_actions(window)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.run_current)
        self.list.itemActivated.connect(self._run_item)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(560, 420)
        self.filter("")

    def filter(self, query: str) -> None:
        self.list.clear()
        for path, action in self.actions_found:
            if not matches(query, path):
                continue
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            item = QListWidgetItem(f"{path}{f'    ({keys})' if keys else ''}")
            item.setData(Qt.ItemDataRole.UserRole, action)
            if not action.isEnabled():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        for row in range(self.list.count()):
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsEnabled:
                self.list.setCurrentRow(row)
                break

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.list.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def run_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._run_item(item)

    def _run_item(self, item: QListWidgetItem) -> None:
        action = item.data(Qt.ItemDataRole.UserRole)
        if action is None or not action.isEnabled():
            return
        self.accept()
        action.trigger()
