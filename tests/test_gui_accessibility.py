"""Screen readers: every control on every page and plan tab has a name a screen reader
says (form labels are their fields' buddies; tables, lists, charts and the comment box are
named); each chart carries its figures in words; an amended or refused cell says so in
text and an icon, not only in colour."""

from __future__ import annotations

import re

import pytest
from gui_access import accessible_name, describe, interactive_widgets, places, with_baseline
from gui_support import (  # noqa: F401
    demo_window,
    edit_cell,
    finish_tasks,
    no_thread_left,
    settings,
    settle,
    walk_pages,
)
from PySide6.QtCore import Qt

from jbp.chart_text import kpi_chart_text

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, settings, demo_path):
    win = demo_window(qtbot, settings, demo_path)
    with_baseline(qtbot, win)
    yield win
    win.ctx.discard_pending()
    win.close()


def test_every_control_on_every_page_has_a_name(qtbot, window):
    seen, unnamed = set(), {}
    for place in places(window, lambda: settle(qtbot)):
        for w in interactive_widgets(window):
            seen.add(id(w))
            if not accessible_name(w):
                unnamed.setdefault(place, []).append(describe(w))
    assert unnamed == {}
    assert len(seen) > 150  # the walk covered the pages (189 controls at 1366×768)


def test_form_fields_are_named_by_their_labels(qtbot, window):
    window.show_page("Plans")
    settle(qtbot)
    overview = window.plans().editor.overview
    assert accessible_name(overview.editors["title"]) == "Title"
    assert accessible_name(overview.editors["executive_summary"]) == "Executive summary"
    assert accessible_name(window.plans().editor.comments.input) == "New comment"


def _plain(rich: str) -> str:
    return re.sub(r"<[^>]+>", "", rich).replace("&amp;", "&")


def test_charts_carry_their_figures_in_words(qtbot, window):
    window.show_page("Plans")
    editor = window.plans().editor
    editor.show_tab("Goals & KPIs")
    settle(qtbot)
    chart = editor.chart
    kpi = editor.kpis.current()
    assert kpi is not None
    text = chart.canvas.accessibleDescription()
    # the same words the app prints under the chart
    assert _plain(chart.figures.text()) in text
    assert text.endswith(kpi_chart_text(kpi, editor.session.status_of(kpi)))
    assert accessible_name(chart.canvas) == "KPI chart"

    editor.show_tab("QBR")
    settle(qtbot)
    qbr = editor.qbr
    assert qbr.wait_for_charts()
    described = qbr.charts.accessibleDescription()
    assert qbr.card is not None and qbr.card.kpis
    for line in qbr.card.kpis:
        assert line.kpi.name in described

    window.show_page("Portfolio")
    settle(qtbot)
    canvas = window.pages["Portfolio"].charts
    described = canvas.accessibleDescription()
    for title in ("Revenue by tier", "Revenue by partner type", "Tiers and moves",
                  "net return"):
        assert title in described
    assert re.search(r"\d", described)  # figures, not only titles


def test_a_refused_cell_says_so_in_words_and_an_icon(qtbot, window):
    window.show_page("Plans")
    editor = window.plans().editor
    editor.show_tab("Goals & KPIs")
    settle(qtbot)
    edit_cell(qtbot, editor.kpis, 0, "target_q1", "lots")
    model = editor.kpi_model
    index = model.index(0, model.column_of("target_q1"))
    assert index.data(Qt.ItemDataRole.AccessibleTextRole).endswith("(refused)")
    assert index.data(Qt.ItemDataRole.AccessibleDescriptionRole) == index.data(
        Qt.ItemDataRole.ToolTipRole)
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()


def test_a_scenario_lab_chart_is_named_by_its_title_and_described_by_its_figures(qtbot):
    from ui.scenario_lab.canvas import ChartCanvas

    canvas = ChartCanvas(name="chart_test", min_height=200)
    qtbot.addWidget(canvas)
    canvas.resize(400, 300)
    canvas.show()

    def plot(ax):
        ax.plot([1, 2, 3, 4], [100.0, 150.0, 90.0, 2500.0], label="ARR")
        ax.bar([1, 2], [5, 7], label="Wins")
        ax.set_xticks([1, 2], ["Jan", "Feb"])
        ax.set_title("ARR by month")

    canvas.set_plot(plot)
    qtbot.waitUntil(lambda: canvas.image is not None, timeout=20_000)
    assert canvas.accessibleName() == "ARR by month"
    text = canvas.accessibleDescription()
    assert "ARR: 4 points from 100 to 2,500 (lowest 90, highest 2,500)" in text
    assert "Wins: Jan 5, Feb 7" in text
