"""What a user sees, walked like a user: every page and dialog shows words, not program
identifiers, Python reprs or raw fractions; and the window fits at the sizes people use
(key columns visible without scrolling sideways, the QBR on one screen). The screenshots
taken here at three sizes are the ones in docs/images/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gui_support import finish_tasks, no_thread_left, settings  # noqa: F401
from gui_text import offending, visible_texts
from PySide6.QtWidgets import QApplication

from jbp.commands import Editor
from ui.main_window import PAGES, MainWindow

pytestmark = pytest.mark.gui

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
#: Window sizes: a common laptop, the QBR's one-screen target, a desktop monitor.
SIZES = [(1366, 768), (1600, 900), (1920, 1080)]


@pytest.fixture
def window(qtbot, settings, demo_path):
    settings.setValue("welcome/seen", True)
    win = MainWindow(settings=settings, ask_identity=False)
    qtbot.addWidget(win)
    win.show()
    win.open_workspace(demo_path)
    finish_tasks()
    win.ctx.set_editor(Editor("Dana Whitfield", "vendor"))
    lab = win.pages["Scenario Lab"]   # a baseline, so the lab shows its parameters
    with qtbot.waitSignal(lab.baseline_created, timeout=30_000):
        lab.create_baseline(show_report=False, horizon_months=12, replications=4)
    qtbot.waitUntil(lambda: lab.calibration_task is None, timeout=10_000)
    yield win
    win.ctx.discard_pending()
    win.close()


def settle(qtbot) -> None:
    finish_tasks()
    qtbot.wait(30)
    finish_tasks()


def walk_pages(qtbot, win):
    """(place, widget) of every page and every tab of the plan editor, shown in turn."""
    for title, _ in PAGES:
        win.show_page(title)
        settle(qtbot)
        page = win.pages[title]
        if title == "Plans":
            tabs = page.editor.tabs
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                settle(qtbot)
                yield f"Plans ▸ {tabs.tabText(i)}", page
        else:
            yield title, page


def test_the_checker_catches_identifiers_reprs_and_raw_fractions():
    bad = offending([("a", "Bound metric sourced_revenue"), ("b", "ROPI 0.488889"),
                     ("c", "value None"), ("d", "see tiers.review_months")])
    assert len(bad) == 4
    assert offending([("a", "Partner-sourced revenue 1,234.5 USD"), ("b", "ROPI 48.9%"),
                      ("c", "crm_closed_deals_2026-10.csv"), ("d", "v1.2.3")]) == []


def test_every_page_and_dialog_speaks_the_users_words(qtbot, window):
    found = []
    for place, page in walk_pages(qtbot, window):
        found += [f"{place}: {b}" for b in offending(visible_texts(page))]
    portfolio = window.pages["Portfolio"]
    portfolio.view.selectRow(0)
    partner = portfolio.open_partner(portfolio.selected_partner())
    qtbot.waitUntil(lambda: partner.page.data is not None, timeout=20_000)
    dialogs = [("Partner window", partner), ("About", window.show_about()),
               ("Shortcuts", window.show_shortcuts()), ("Command palette",
                                                        window.show_palette()),
               ("Welcome", window.welcome), ("Identity", window.switch_editor()),
               ("New plan", window.plans().new_plan())]
    for place, dialog in dialogs:
        if place == "Welcome":
            window.show_welcome()
        found += [f"{place}: {b}" for b in offending(visible_texts(dialog))]
    for _place, dialog in dialogs:
        if dialog is not window.welcome:
            dialog.close()
    assert found == []


def key_columns_visible(view, keys, key_of) -> list[str]:
    """The key columns of ``view`` that are hidden or cut off on the right."""
    width = view.viewport().width()
    missing = []
    for col in range(view.model().columnCount()):
        key = key_of(col)
        if key not in keys:
            continue
        x = view.columnViewportPosition(col)
        if view.isColumnHidden(col) or x < 0 or x + min(view.columnWidth(col), 60) > width:
            missing.append(key)
    return missing


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_layout_fits_at_common_window_sizes(qtbot, window, size):
    from ui.portfolio_table import COLUMNS

    w, h = size
    window.resize(w, h)
    settle(qtbot)
    assert window.width() <= w and window.height() <= h, "the window grew past the screen"
    window.show_page("Portfolio")
    settle(qtbot)
    portfolio = window.pages["Portfolio"]
    keys = {"partner", "tier", "sourced_revenue", "ropi", "plan_rag", "risk_flag"}
    view = portfolio.view
    assert view.horizontalScrollBar().value() == 0
    assert key_columns_visible(view, keys, lambda c: COLUMNS[c][0]) == []
    assert view.frozen.isVisible() and view.frozen.width() == view.columnWidth(0)
    shots = {}

    def shoot(name: str) -> None:
        shots[name] = window.grab()
        if os.environ.get("JBP_SAVE_SCREENSHOTS"):
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shots[name].save(str(DOCS_IMAGES / f"{name}-{w}x{h}.png"))

    shoot("portfolio")
    window.show_page("Plans")
    editor = window.plans().editor
    editor.show_tab("Goals & KPIs")
    settle(qtbot)
    kpis = editor.kpis.view
    model = editor.kpi_model
    kpi_keys = {"name", "target_q1", "actual_q1", "target_q4", "actual_q4"}
    titles = {c: getattr(model.columns[c].field, "name", model.columns[c].title)
              for c in range(model.columnCount())}
    shoot("plan-editor")
    if w >= 1600:
        assert key_columns_visible(kpis, kpi_keys, titles.get) == []
    editor.show_tab("QBR")
    settle(qtbot)
    shoot("qbr")
    if (w, h) == (1600, 900):
        qbr = editor.qbr
        assert qbr.height() <= editor.height()
        area = getattr(qbr, "chart_scroll", None)
        if area is not None:
            # once laid out, the charts need no scrolling
            qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() == 0, timeout=3_000)
    window.show_page("Scenario Lab")
    settle(qtbot)
    shoot("scenario-lab")
    assert all(not p.isNull() and p.width() >= w * 0.9 for p in shots.values())
    QApplication.processEvents()
