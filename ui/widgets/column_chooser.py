"""Which columns of a table are shown: a menu of checkable column titles (on the header's
context menu and on a "Columns" button), remembered in ``QSettings`` under a key of the
caller's. Locked columns (the key columns) cannot be hidden."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QMenu, QTableView, QToolButton, QWidget


class ColumnChooser(QObject):
    """Shows the columns of ``view`` named by ``keys`` (column i ↔ ``keys[i]``): the
    remembered choice, else ``default``. ``locked`` keys are always shown."""

    def __init__(self, view: QTableView, keys: Sequence[str], titles: Sequence[str],
                 default: Sequence[str], settings_key: str, locked: Sequence[str] = (),
                 settings: QSettings | None = None):
        super().__init__(view)
        self.view, self.keys, self.titles = view, list(keys), list(titles)
        self.locked = set(locked)
        self.settings_key = settings_key
        self.settings = settings or QSettings()
        self.default = list(default)
        self.menu = QMenu(view)
        self.menu.setObjectName("column_chooser_menu")
        self.menu.aboutToShow.connect(self._fill)
        header = view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.apply(self.saved())

    def button(self, parent: QWidget) -> QToolButton:
        """A "Columns" button that opens the chooser."""
        button = QToolButton(parent)
        button.setText("Columns")
        button.setObjectName("column_chooser")
        button.setToolTip("Choose the columns of the table (remembered)")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setMenu(self.menu)
        return button

    def saved(self) -> list[str]:
        value = self.settings.value(self.settings_key)
        if value is None:
            return self.default
        if isinstance(value, str):
            value = [value] if value else []
        known = [str(v) for v in value if str(v) in self.keys]
        return known or self.default

    def shown(self) -> list[str]:
        return [k for i, k in enumerate(self.keys) if not self.view.isColumnHidden(i)]

    def apply(self, keys: Sequence[str]) -> None:
        wanted = set(keys) | self.locked
        for i, key in enumerate(self.keys):
            self.view.setColumnHidden(i, key not in wanted)

    def set_shown(self, key: str, on: bool) -> None:
        """Show or hide one column and remember the choice."""
        if key in self.locked:
            return
        self.view.setColumnHidden(self.keys.index(key), not on)
        self.settings.setValue(self.settings_key, self.shown())

    def reset(self) -> None:
        self.apply(self.default)
        self.settings.setValue(self.settings_key, self.shown())

    def _fill(self) -> None:
        self.menu.clear()
        for key, title in zip(self.keys, self.titles, strict=True):
            action = self.menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.view.isColumnHidden(self.keys.index(key)))
            action.setEnabled(key not in self.locked)
            action.setData(key)
            action.toggled.connect(self._toggled)
        self.menu.addSeparator()
        self.menu.addAction("Default columns").triggered.connect(self._reset_clicked)

    def _toggled(self, on: bool) -> None:
        action = self.sender()
        self.set_shown(str(action.data()), on)

    def _reset_clicked(self, _checked: bool = False) -> None:
        self.reset()

    def _header_menu(self, pos) -> None:
        self.menu.popup(self.view.horizontalHeader().mapToGlobal(pos))
