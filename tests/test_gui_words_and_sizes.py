"""What a user sees, walked like a user: every page and dialog shows words, not program
identifiers, Python reprs or raw fractions; and the window fits at the sizes people use
(key columns visible without scrolling sideways, the QBR on one screen). The screenshots
taken here at three sizes are the ones in docs/images/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gui_support import (  # noqa: F401
    CALIBRATION_WAIT,
    demo_window,
    finish_tasks,
    no_thread_left,
    settings,
    settle,
    walk_pages,
)
from gui_text import offending, visible_texts
from PySide6.QtWidgets import QApplication

from jbp.commands import Editor
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui

DOCS_IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
#: Window sizes: a small screen, a common laptop, the QBR's one-screen target, a desktop
#: monitor.
SIZES = [(1024, 700), (1366, 768), (1600, 900), (1920, 1080)]


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
    with qtbot.waitSignal(lab.baseline_created, timeout=CALIBRATION_WAIT):
        lab.create_baseline(show_report=False, horizon_months=12, replications=4)
    qtbot.waitUntil(lambda: lab.calibration_task is None, timeout=10_000)
    yield win
    win.ctx.discard_pending()
    win.close()


def test_the_checker_catches_identifiers_reprs_and_raw_fractions():
    bad = offending([("a", "Bound metric sourced_revenue"), ("b", "ROPI 0.488889"),
                     ("c", "value None"), ("d", "see tiers.review_months"),
                     ("e", "defaults (see docs/scenario.md)")])
    assert len(bad) == 5
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
               ("New plan", window.plans().new_plan()),
               ("Calibration report",
                window.pages["Scenario Lab"].show_calibration_report())]
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


def nested_scroll_areas(root) -> list[str]:
    """Scroll areas (tables, lists, scrolled panes) inside another scroll area of the
    window: the wheel scrolls one, then the other, and neither shows all it holds."""
    from PySide6.QtWidgets import QAbstractScrollArea, QHeaderView

    nested = []
    for area in root.findChildren(QAbstractScrollArea):
        if not area.isVisible() or isinstance(area, QHeaderView):  # a table's own header
            continue
        parent = area.parentWidget()
        while parent is not None:
            if isinstance(parent, QAbstractScrollArea):
                nested.append(f"{type(area).__name__}#{area.objectName()} in "
                              f"{type(parent).__name__}#{parent.objectName()}")
                break
            parent = parent.parentWidget()
    return nested


def shows_every_row(view) -> bool:
    """``view`` shows all its rows and columns, with nothing to scroll to."""
    return (view.verticalScrollBar().maximum() == 0
            and view.horizontalScrollBar().maximum() == 0
            and sum(view.columnWidth(c) for c in range(view.model().columnCount()))
            <= view.viewport().width())


def double_click_handle(qtbot, panel) -> None:
    from PySide6.QtCore import Qt

    qtbot.mouseDClick(panel.handle, Qt.MouseButton.LeftButton)
    settle(qtbot)


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
    if w < 1366:  # on a small screen the rest are a scroll (or the column chooser) away
        keys = {"partner", "tier", "sourced_revenue", "ropi"}
    view = portfolio.view
    assert view.horizontalScrollBar().value() == 0
    assert key_columns_visible(view, keys, lambda c: COLUMNS[c][0]) == []
    assert view.frozen.isVisible() and view.frozen.width() == view.columnWidth(0)
    # the at-risk list shows each reason whole, wrapped to the room it has, not cut
    from PySide6.QtCore import QRect, Qt

    risk = portfolio.at_risk
    model = risk.model()
    assert model.rowCount() > 0 and risk.isVisible()
    metrics = risk.fontMetrics()
    for r in range(model.rowCount()):
        text = model.index(r, 1).data()
        room = QRect(0, 0, risk.columnWidth(1) - 8, 10_000)
        need = metrics.boundingRect(room, Qt.TextFlag.TextWordWrap, text).height()
        assert risk.rowHeight(r) >= need, text
    shots = {}

    def shoot(name: str) -> None:
        shots[name] = window.grab()
        if os.environ.get("JBP_SAVE_SCREENSHOTS"):
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shots[name].save(str(DOCS_IMAGES / f"{name}-{w}x{h}.png"))

    def drawn(canvas) -> bool:  # rendered off the GUI thread, at the size it has now
        ratio = canvas.devicePixelRatioF() or 1.0
        return (canvas.image is not None and not canvas.dirty
                and abs(canvas.image.width() - canvas.width() * ratio) <= 2
                and abs(canvas.image.height() - canvas.height() * ratio) <= 2)

    # every chart drawn at the size it has (a chart resized while it was being drawn
    # once stayed stretched from its old size)
    qtbot.waitUntil(lambda: all(drawn(c) for c in portfolio.chart_canvases), timeout=30_000)
    shoot("portfolio")
    window.show_page("Plans")
    assert window.width() <= w, "the Plans page made the window wider than the screen"
    editor = window.plans().editor
    editor.show_tab("Goals & KPIs")
    settle(qtbot)
    kpis = editor.kpis.view
    model = editor.kpi_model
    kpi_keys = {"name", "target_q1", "actual_q1", "target_q4", "actual_q4"}
    titles = {c: getattr(model.columns[c].field, "name", model.columns[c].title)
              for c in range(model.columnCount())}
    qtbot.waitUntil(lambda: drawn(editor.chart.canvas), timeout=30_000)
    shoot("plan-editor")
    if w >= 1600:
        assert key_columns_visible(kpis, kpi_keys, titles.get) == []
    comments = editor.comments_panel
    if w < 1300:
        # the comments panel gave way to the plan, and comes back from its handle
        assert comments.collapsed
        double_click_handle(qtbot, comments)
        assert not comments.collapsed and editor.comments.width() >= 200
        assert window.width() <= w
        double_click_handle(qtbot, comments)
        assert comments.collapsed
    editor.show_tab("QBR")
    settle(qtbot)
    qbr = editor.qbr
    qbr.wait_for_charts()
    settle(qtbot)
    shoot("qbr")
    assert nested_scroll_areas(window) == []
    # the scorecard reads whole: every KPI row and column, the KPI names not cut short
    scorecard = qbr.scorecard_view
    assert shows_every_row(scorecard) or w < 1366
    kpi_names = scorecard.sizeHintForColumn(0)
    assert scorecard.columnWidth(0) >= min(kpi_names, 170) or w < 1366
    for side in (qbr.initiative_view, qbr.comment_view):
        assert side.horizontalScrollBar().maximum() == 0  # cut with "…", never sideways
    if (w, h) == (1600, 900):
        assert qbr.height() <= editor.height()
        area = qbr.chart_scroll
        # once laid out, the charts need no scrolling
        qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() == 0, timeout=3_000)
    window.show_page("Scenario Lab")
    settle(qtbot)
    assert window.width() <= w, "the Scenario Lab made the window wider than the screen"
    lab = window.pages["Scenario Lab"]
    assert lab.tabs.isVisible() and lab.tabs.width() >= lab.tabs.minimumSizeHint().width()
    if w < 1200:
        assert lab.list_panel.collapsed
        shoot("scenario-lab")
        double_click_handle(qtbot, lab.list_panel)
        assert not lab.list_panel.collapsed
    run = lab.run_panel
    for button in (run.run_button, run.cancel_button, lab.new_button):
        assert button.isVisible() and button.visibleRegion().boundingRect().width() >= \
            button.minimumSizeHint().width() * 0.9, button.text()
    if w >= 1200:
        shoot("scenario-lab")
    assert window.width() <= w and window.height() <= h
    assert all(not p.isNull() and p.width() >= w * 0.9 for p in shots.values())
    QApplication.processEvents()


def test_program_units_are_the_users_words_with_the_workspace_currency(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    window.show_page("Program")
    settle(qtbot)
    page = window.pages["Program"]
    currency = window.ctx.workspace.program().currency
    assert page.labels["direct_cac"].text() == f"Direct CAC ({currency} per customer)"
    assert page.labels["influence_weight"].text() == "Influence weight (%)"
    said = [t for _w, t in visible_texts(page)]
    said += [w.toolTip() for w in page.findChildren(QWidget)]
    said += [w.placeholderText() for w in page.editors.values() if hasattr(w, "placeholderText")]
    model = page.tiers
    said += [str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole))
             for c in range(model.columnCount())]
    assert [t for t in said if "currency" in t or "fraction" in t] == []
