"""The tables that hold a row per partner keep their work off the GUI thread's per-row path
(issue 17: 20,000 partners without a freeze). Counted, never timed: the Portfolio's
``data()`` touches no pandas object, filling, sorting and filtering a table of thousands of
partners asks for fewer cells than it has rows, and a hidden Partners page does not read
the partner list."""

from __future__ import annotations

import sys

import pytest
from gui_support import ctx, finish_tasks, no_thread_left  # noqa: F401
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui

#: Rows in the large scorecard the tests build (the demo's 50 partners, repeated).
ROWS = 4000


@pytest.fixture
def page(qtbot, ctx):
    from ui.portfolio import PortfolioPage

    page = PortfolioPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=20_000):
        pass
    return page


def large_card(card, rows: int = ROWS):
    """The demo's scorecard repeated to ``rows`` partners, each with a name and id of its
    own (the real columns and types of :func:`jbp.metrics.scorecard`)."""
    import pandas as pd

    copies = -(-rows // len(card))
    frame = pd.concat([card] * copies, ignore_index=True).iloc[:rows].copy()
    frame["partner"] = [f"{name} #{i:05d}" for i, name in enumerate(frame["partner"])]
    frame["partner_id"] = range(1, rows + 1)
    return frame


class CellCounter:
    """Counts the cells a ScorecardModel serves (every ``data()``, through the proxy or
    not, goes through ``cell``)."""

    def __init__(self, model):
        self.calls = 0
        self._cell = model.cell
        model.cell = self

    def __call__(self, row, column, role):
        self.calls += 1
        return self._cell(row, column, role)


def test_data_touches_no_pandas_object(page):
    """Every role of every column, through the proxy, after a sort and a filter: no
    function of pandas runs (``data()`` is a list index)."""
    from ui.portfolio_table import COLUMNS, ScorecardFilter, ScorecardModel, build_table

    model = ScorecardModel()
    model.set_table(build_table(large_card(page.model.frame, 500)))
    proxy = ScorecardFilter()
    proxy.setSourceModel(model)
    roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole,
             Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
             Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole]
    pandas_calls: list[str] = []
    served = []

    def watch(frame, event, arg):
        name = frame.f_code.co_filename
        if "pandas" in name.replace("\\", "/").split("/"):
            pandas_calls.append(f"{name}:{frame.f_code.co_name}")

    sys.setprofile(watch)
    try:
        proxy.sort(model.column_of("sourced_revenue"), Qt.SortOrder.DescendingOrder)
        proxy.set(text="cloud", at_risk_only=False)
        proxy.set(text="")
        for row in range(0, proxy.rowCount(), 7):
            for col in range(len(COLUMNS)):
                index = proxy.index(row, col)
                served.extend(index.data(role) for role in roles)
    finally:
        sys.setprofile(None)
    assert served and any(isinstance(v, str) and v for v in served)
    assert pandas_calls == []


def test_filling_sorting_and_filtering_thousands_of_rows_asks_for_few_cells(qtbot, page):
    """A reset with 4,000 partners, the column widths, two sorts and the filters: the
    view asks for the cells it paints, not for every row (the old
    ``resizeColumnsToContents`` asked for each of the 4,000 × 27 cells, each a pandas
    lookup)."""
    from ui.portfolio_table import build_table

    frame = large_card(page.model.frame)
    table = build_table(frame)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    counter = CellCounter(page.model)
    page.model.set_table(table)
    page._size_columns(table.widest)
    page.view.sortByColumn(page.model.column_of("partner"), Qt.SortOrder.AscendingOrder)
    page.view.sortByColumn(page.model.column_of("ropi"), Qt.SortOrder.DescendingOrder)
    page.proxy.set(text="cloud")
    page.proxy.set(text="", tier="Gold")
    page.proxy.set(tier="")
    page.view.viewport().repaint()
    qtbot.wait(50)
    assert page.proxy.rowCount() > 3000
    assert 0 < counter.calls < ROWS, counter.calls


def test_sorting_is_by_the_numbers_and_the_selection_follows_its_row(qtbot, page):
    from ui.portfolio_table import build_table

    page.model.set_table(build_table(large_card(page.model.frame, 600)))
    col = page.model.column_of("sourced_revenue")
    page.view.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    keys = [page.proxy.index(r, col).data(Qt.ItemDataRole.UserRole)
            for r in range(page.proxy.rowCount())]
    assert keys == sorted(keys, reverse=True) and keys[0] > keys[-1]
    # Money sorts as a number, not as its text ("9,000" after "10,000" when descending).
    texts = [page.proxy.index(r, col).data() for r in range(page.proxy.rowCount())]
    assert texts != sorted(texts, reverse=True)
    page.view.selectRow(5)
    chosen = page.selected_partner()
    page.view.sortByColumn(page.model.column_of("partner"), Qt.SortOrder.AscendingOrder)
    names = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    assert names == sorted(names)
    assert page.selected_partner() == chosen
    row = page.view.selectionModel().selectedRows()[0].row()
    pid = page.model.partner_id(page.proxy.mapToSource(page.proxy.index(row, 0)).row())
    assert pid == chosen
    assert page.proxy.mapFromSource(page.proxy.mapToSource(page.proxy.index(row, 3))).row() \
        == row


def test_the_chosen_columns_survive_a_reload_and_a_filter(qtbot, page):
    from ui.portfolio_table import build_table

    page.chooser.set_shown("cltv", True)
    page.chooser.set_shown("tier", False)
    page.model.set_table(build_table(large_card(page.model.frame, 300)))
    page.proxy.set(text="cloud")
    assert "cltv" in page.chooser.shown() and "tier" not in page.chooser.shown()
    assert not page.view.frozen.isColumnHidden(0)
    page.chooser.reset()


def test_a_hidden_partners_page_reads_the_partner_list_when_shown(qtbot, ctx):
    from jbp.store import Workspace
    from ui.partners_page import PartnersPage

    page = PartnersPage(ctx)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 0           # hidden: nothing read yet
    ctx.data_changed.emit("partners")
    assert page.model.rowCount() == 0
    page.show()
    finish_tasks()                              # read off the GUI thread
    assert page.model.rowCount() == len(ctx.workspace.partners())
    page.hide()
    path = ctx.workspace.path
    ctx.set_workspace(Workspace.open(path))
    assert page._stale
    page.show()
    finish_tasks()
    assert not page._stale and page.model.rowCount() > 0


def test_the_gui_collector_runs_a_full_collection_only_after_growth():
    """A full collection walks every object of the process (a stall with 20,000
    partners' figures in memory): like Python's own collector, the GUI-thread collector
    runs one only when the oldest generation has grown by a quarter since the last."""
    import gc

    from ui.gc_guard import GuiThreadCollector

    collector = GuiThreadCollector(interval_ms=3_600_000)
    try:
        def full_collections() -> int:
            return gc.get_stats()[2]["collections"]

        for _ in range(gc.get_threshold()[2] + 2):
            gc.collect(1)                      # each one counts towards the oldest
        assert gc.get_count()[2] > gc.get_threshold()[2]
        collector.full_size = len(gc.get_objects(generation=2))   # as after a full one
        before = full_collections()
        collector.check()
        assert full_collections() == before
        collector.full_size = 0                # everything is growth since the last one
        collector.check()
        assert full_collections() == before + 1
        assert collector.full_size > 0
    finally:
        collector.timer.stop()
        collector.deleteLater()


def test_the_partners_list_sorts_and_filters_800_partners(qtbot, ctx):
    """Sorting 800 partners by two columns and typing a filter give the right rows. (How
    few cells the GUI thread reads doing it is counted in test_gui_partners_page.py: the
    texts are built off the GUI thread, once.)"""
    import datetime as dt

    from jbp.model import Partner
    from ui.partners_page import PartnersPage

    ws = ctx.workspace
    with ws.transaction():
        for i in range(750):
            ws.add_partner(Partner(name=f"Scale {i:04d} Cloud", type="Reseller",
                                   region="EMEA", signup_date=dt.date(2025, 1, 1)))
    page = PartnersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    finish_tasks()
    rows = page.model.rowCount()
    assert rows >= 800
    name = page.model.column_of("name")
    page.view.sortByColumn(name, Qt.SortOrder.DescendingOrder)
    names = [page.proxy.index(r, name).data() for r in range(page.proxy.rowCount())]
    assert names == sorted(names, key=str.lower, reverse=True)
    region = page.model.column_of("region")
    page.view.sortByColumn(region, Qt.SortOrder.AscendingOrder)
    regions = [page.proxy.index(r, region).data() for r in range(page.proxy.rowCount())]
    assert regions == sorted(regions, key=str.lower)
    qtbot.keyClicks(page.search, "0042")
    assert [page.proxy.index(r, name).data() for r in range(page.proxy.rowCount())] \
        == ["Scale 0042 Cloud"]
    page.search.clear()
    assert page.proxy.rowCount() == rows
