"""What a person can read in a widget tree, and the words that must not be there: program
identifiers (snake_case), Python reprs, raw fractions (more than three decimals) and paths
into the source tree."""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabBar,
    QTextBrowser,
    QWidget,
)

SNAKE = re.compile(r"(?<![\w./\\-])[a-z][a-z0-9]*_[a-z0-9_]+(?![\w./\\-])")
FIELD_PATH = re.compile(r"\b[a-z]+\.[a-z][a-z0-9]*_[a-z0-9_]+\b")
LONG_DECIMAL = re.compile(r"\d\.\d{4,}")
REPR = re.compile(r"\b(None|nan|NaN|NaT|True|False)\b|<\w+ object at|\{'|\['")
TAG = re.compile(r"<[^>]+>")
#: A pointer into the source tree ("see docs/scenario.md"): the user has the guide, not it.
DOCS_PATH = re.compile(r"\bdocs/\w")


def plain(text: str) -> str:
    return TAG.sub(" ", text or "").replace("&nbsp;", " ").replace("&amp;", "&")


def visible_texts(root: QWidget, max_rows: int = 60) -> list[tuple[str, str]]:
    """(where, text) of everything shown in ``root``: labels, buttons, fields, tabs,
    group titles, combo items and the cells and headers of item views (first rows)."""
    out: list[tuple[str, str]] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not w.isVisibleTo(root) and w is not root:
            continue
        if isinstance(w, QTextBrowser):
            continue  # the user guide renders the docs, which name formulas' fields
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, QLabel):
            out.append((name, plain(w.text())))
        elif isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QLineEdit):
            out.append((name, w.text()))
            out.append((name, w.placeholderText()))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QTabBar):
            out.extend((name, w.tabText(i)) for i in range(w.count()))
        elif isinstance(w, QComboBox):
            out.extend((name, w.itemText(i)) for i in range(w.count()))
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            root_index = QModelIndex()
            try:
                columns = model.columnCount(root_index)
            except TypeError:  # a list model: one column, its count is private
                columns = 1
            for c in range(columns):
                out.append((name, str(model.headerData(c, Qt.Orientation.Horizontal) or "")))
            for r in range(min(model.rowCount(root_index), max_rows)):
                for c in range(columns):
                    value = model.index(r, c).data(Qt.ItemDataRole.DisplayRole)
                    if value is not None:
                        out.append((name, str(value)))
    return [(w, t) for w, t in out if t]


def offending(texts: list[tuple[str, str]]) -> list[str]:
    """The texts that show an identifier, a repr or a raw fraction."""
    bad = []
    for where, text in texts:
        if any(p.search(text) for p in (SNAKE, FIELD_PATH, LONG_DECIMAL, REPR, DOCS_PATH)):
            bad.append(f"{where}: {text[:120]!r}")
    return sorted(set(bad))
