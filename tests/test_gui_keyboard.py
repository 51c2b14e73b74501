"""Keyboard-first: Tab walks every page and every plan tab and comes back without a trap,
reaching every control on screen in a sensible order; Tab leaves tables and multi-line
text; the current cell is drawn; Alt+1…9 show the plan's tabs; Delete removes a plan row
(undoable); Ctrl+Shift+S sorts a table by the current column."""

from __future__ import annotations

import pytest
from gui_access import describe, focus_chain, interactive_widgets, places, with_baseline
from gui_support import demo_window, finish_tasks, no_thread_left, settings, settle, walk_pages  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ui.plan_editor.editor import PlanEditor

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, settings, demo_path):
    win = demo_window(qtbot, settings, demo_path)
    with_baseline(qtbot, win)  # the Scenario Lab's list has a row, its parameters show
    win.activateWindow()
    yield win
    win.ctx.discard_pending()
    win.close()


def test_tab_walks_every_page_back_to_the_start_without_traps(qtbot, window):
    walked = 0
    for place in places(window, lambda: settle(qtbot)):
        # what a user can reach as the page shows (a button enabled by picking a row
        # counts once the row is picked: the walk itself does that)
        reachable = [w for w in interactive_widgets(window)
                     if w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
        chain, trap = focus_chain(window, window.nav)
        names = [describe(w) for w in chain]
        assert trap is None, f"{place}: Tab is trapped in {describe(trap)} after {names}"
        missed = [describe(w) for w in reachable if w not in chain]
        assert missed == [], f"{place}: Tab never reaches {missed} (chain {names})"
        # Shift+Tab walks the same chain backwards
        back, trap = focus_chain(window, window.nav, backwards=True)
        assert trap is None, f"{place}: Shift+Tab is trapped in {describe(trap)}"
        assert [chain[0], *reversed(chain[1:])] == [w for w in back if w in chain], place
        walked += len(chain)
    assert walked > 300  # the walk saw the pages, not an empty window


def test_plans_page_order_is_list_tab_bar_editor_then_comments(qtbot, window):
    window.show_page("Plans")
    editor: PlanEditor = window.plans().editor
    editor.show_tab("Goals & KPIs")
    settle(qtbot)
    chain, trap = focus_chain(window, window.nav)
    assert trap is None
    order = [window.plans().list, editor.tabs.tabBar(), editor.goals.view,
             editor.kpis.view, editor.comments.input]
    positions = [chain.index(w) for w in order]
    assert positions == sorted(positions), [describe(w) for w in chain]


def test_tab_leaves_tables_and_multi_line_text(qtbot, window):
    window.show_page("Plans")
    editor = window.plans().editor
    settle(qtbot)
    summary = editor.overview.editors["executive_summary"]
    before = summary.toPlainText()
    summary.setFocus()
    QTest.keyClick(summary, Qt.Key.Key_Tab)
    assert summary.toPlainText() == before  # no tab typed
    assert QApplication.focusWidget() is not summary
    editor.show_tab("Goals & KPIs")
    view = editor.goals.view
    view.setFocus()
    view.setCurrentIndex(editor.goal_model.index(0, 0))
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not view
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is view
    QTest.keyClick(view, Qt.Key.Key_Right)  # arrows move inside
    assert view.currentIndex().column() == 1 and QApplication.focusWidget() is view


def test_the_current_cell_is_drawn_distinctly(qtbot, window):
    window.show_page("Plans")
    editor = window.plans().editor
    editor.show_tab("Initiatives")
    settle(qtbot)
    view = editor.initiatives.view
    view.setFocus()
    model = editor.initiative_model
    shots = []
    for column in (0, 1):
        view.setCurrentIndex(model.index(0, column))
        view.viewport().repaint()
        shots.append(view.viewport().grab().toImage())
    rect = view.visualRect(model.index(0, 1))
    edge = rect.left() + 1, rect.center().y()
    # The same cell of the same selected row, drawn differently when it is the current one
    assert shots[0].pixelColor(*edge) != shots[1].pixelColor(*edge)


def test_alt_digits_show_every_plan_tab_and_the_list_says_so(qtbot, window):
    window.show_page("Plans")
    settle(qtbot)
    tabs = window.plans().editor.tabs
    window.plans().list.setFocus()
    for n in range(tabs.count(), 0, -1):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key(Qt.Key.Key_0 + n),
                       Qt.KeyboardModifier.AltModifier)
        assert tabs.currentIndex() == n - 1, n
        assert f"Alt+{n}" in tabs.tabToolTip(n - 1)
    rows = dict(window.shortcut_rows())
    assert "Alt+1 … Alt+9" in rows.values()
    assert any(keys == "Delete" for keys in rows.values())


def test_delete_key_removes_the_selected_row_and_undo_brings_it_back(qtbot, window):
    window.show_page("Plans")
    editor = window.plans().editor
    editor.show_tab("Risks")
    settle(qtbot)
    model = editor.risks.model
    count = model.rowCount()
    assert count > 0
    view = editor.risks.view
    view.setFocus()
    view.setCurrentIndex(model.index(0, 0))
    gone = model.element(0).id
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert model.rowCount() == count - 1
    assert model.row_of(gone) < 0
    window.undo_action.trigger()
    assert model.rowCount() == count and model.row_of(gone) >= 0


def test_ctrl_shift_s_sorts_by_the_current_column_and_again_reverses(qtbot, window):
    window.show_page("Partners")
    settle(qtbot)
    page = window.pages["Partners"]
    view = page.view
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 0))
    names = lambda: [view.model().index(r, 0).data() for r in range(view.model().rowCount())]  # noqa: E731
    QTest.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    header = view.horizontalHeader()
    first = names()
    assert header.sortIndicatorSection() == 0
    QTest.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    second = names()
    assert {header.sortIndicatorOrder()} <= {Qt.SortOrder.AscendingOrder,
                                             Qt.SortOrder.DescendingOrder}
    assert second == list(reversed(first)) and first != second
    assert first == sorted(first, key=str.casefold) or second == sorted(second,
                                                                        key=str.casefold)
