"""Helpers for the keyboard and screen-reader tests: which widgets a user can reach and
operate, the name a screen reader says for each, and the chain Tab walks."""

from __future__ import annotations

from gui_support import CALIBRATION_WAIT
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

#: What a user operates: buttons, fields, lists and tables, tab bars, sliders; charts
#: (matplotlib canvases) are named too, although they only show.
INTERACTIVE = (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView,
               QPlainTextEdit, QTextEdit, QAbstractSlider, QTabBar)


def is_chart(widget: QWidget) -> bool:
    """A matplotlib canvas, or the Scenario Lab's canvas of pre-rendered charts."""
    name = type(widget).__name__
    return name.startswith("FigureCanvas") or name == "ChartCanvas"


def shown(widget: QWidget, window: QWidget) -> bool:
    """On screen: visible, with some width and height (a collapsed splitter side is not)."""
    if not widget.isVisible() or widget.width() <= 1 or widget.height() <= 1:
        return False
    w = widget.parentWidget()
    while w is not None and w is not window:
        if w.width() <= 1 or w.height() <= 1:
            return False
        w = w.parentWidget()
    return True


def interactive_widgets(window: QWidget) -> list[QWidget]:
    """The shown widgets of ``window`` a user operates (and its charts), not the cell
    editors inside a table, nor the line edit inside a combo or spin box."""
    found = []
    for w in window.findChildren(QWidget):
        if not (isinstance(w, INTERACTIVE) or is_chart(w)) or not shown(w, window):
            continue
        parent = w.parentWidget()
        inner = False
        while parent is not None and parent is not window:
            if isinstance(parent, (QAbstractItemView, QComboBox, QAbstractSpinBox)):
                inner = True
                break
            parent = parent.parentWidget()
        if inner:
            continue
        if not is_chart(w) and w.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        found.append(w)
    return found


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader says (Qt's accessibility interface: the accessible name,
    else a button's text, else a buddy label's text)."""
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def _spot(widget: QWidget | None) -> tuple[int, int]:
    """Where inside ``widget`` Tab is: the link of a read-only text, the section of a
    date field (Tab walks those before it leaves)."""
    if isinstance(widget, QDateTimeEdit):
        return widget.currentSectionIndex(), -1
    if isinstance(widget, QTextEdit):
        cursor = widget.textCursor()
        return cursor.selectionStart(), cursor.selectionEnd()
    return (-1, -1)


def describe(widget: QWidget) -> str:
    return f"{type(widget).__name__}:{widget.objectName() or '?'}"


def focus_chain(window: QWidget, start: QWidget, limit: int = 400,
                backwards: bool = False) -> tuple[list[QWidget], QWidget | None]:
    """Press Tab (Shift+Tab) from ``start`` until the focus is back on it: the widgets
    focused in order, and the first one that kept the focus for a press (a trap) or
    None. Stops after ``limit`` presses."""
    window.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    chain: list[QWidget] = [start]
    modifier = (Qt.KeyboardModifier.ShiftModifier if backwards
                else Qt.KeyboardModifier.NoModifier)
    key = Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab
    for _ in range(limit):
        before = QApplication.focusWidget()
        spot = _spot(before)
        QTest.keyClick(before, key, modifier)
        QApplication.processEvents()
        now = QApplication.focusWidget()
        if now is before:
            if (isinstance(now, QDateTimeEdit) or (isinstance(now, QTextEdit)
                    and now.isReadOnly())) and _spot(now) != spot:
                continue  # Tab walks a text's links or a date's sections: it advances
            return chain, now
        if now is start:
            return chain, None
        chain.append(now)
    return chain, chain[-1]


def places(win, settle):
    """Show every page of the main window ``win`` and every tab of the tab widgets on it
    (the plan editor's, the Scenario Lab's, the Program's) in turn; yields the place's
    name. ``settle()`` runs after each switch."""
    from ui.main_window import PAGES

    for title, _ in PAGES:
        win.show_page(title)
        settle()
        page = win.pages[title]
        tab_widgets = [t for t in page.findChildren(QTabWidget) if t.isVisible()]
        if not tab_widgets:
            yield title
        for tabs in tab_widgets:
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                settle()
                yield f"{title} ▸ {tabs.tabText(i)}"
            tabs.setCurrentIndex(0)


def with_baseline(qtbot, win) -> None:
    """Give the Scenario Lab of ``win`` a (small) baseline, so its list has a row and
    its parameters show."""
    lab = win.pages["Scenario Lab"]
    with qtbot.waitSignal(lab.baseline_created, timeout=CALIBRATION_WAIT):
        lab.create_baseline(show_report=False, horizon_months=12, replications=4)
    qtbot.waitUntil(lambda: lab.calibration_task is None, timeout=10_000)
