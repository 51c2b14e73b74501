"""The Portfolio fills a program of 20,000 partners without stalling the window, and the
coverage read after an import stays off the GUI thread (issue 17). Counted and placed,
never timed: which thread reads the coverage, what the GUI thread rebuilds from the
figures' result, how many Python calls a painted cell costs, and when the charts are
handed to the render thread."""

from __future__ import annotations

import pickle
import threading

import pytest
from gui_support import ctx, finish_tasks, no_thread_left  # noqa: F401
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui

FEW_DEALS = ("Deal ID,Partner,Customer,Amount,Revenue Type,Close Date,Sourced or Influenced\n"
             "NOV-1,Cascade Integrators,Aster Bank,48000,ARR,2026-11-03,Sourced\n"
             "NOV-2,Harbor MSP,Birch Health,21000,ARR,2026-11-06,Sourced\n")


@pytest.fixture
def coverage_threads(monkeypatch):
    """The threads :func:`jbp.coverage.coverage_of` runs in (the real function runs)."""
    from jbp import coverage

    threads: list[str] = []
    real = coverage.coverage_of

    def recording(ws):
        threads.append(threading.current_thread().name)
        return real(ws)

    monkeypatch.setattr(coverage, "coverage_of", recording)
    return threads


def test_coverage_after_an_import_is_read_off_the_gui_thread(qtbot, ctx, tmp_path,
                                                             coverage_threads):
    """An import makes the coverage stale; the pages that ask for it get None and a
    "reading" state at once, and the COUNT/MIN/MAX run on a worker, never the GUI
    thread; ``coverage_changed`` brings the new ends (the November deals)."""
    from jbp.importers.writing import run_import
    from ui.data_page import DataPage

    page = DataPage(ctx)
    qtbot.addWidget(page)
    finish_tasks()
    before = ctx.coverage()
    assert before is not None
    coverage_threads.clear()
    f = tmp_path / "deals.csv"
    f.write_text(FEW_DEALS)
    report, result = run_import(ctx.workspace, f, "deals")
    assert result is not None, report
    # The Data page reloaded on the import and asked: nothing was read on this thread.
    assert threading.current_thread().name not in coverage_threads
    assert "reading" in page.as_of_label.text()
    with qtbot.waitSignal(ctx.coverage_changed, timeout=20_000):
        pass
    assert coverage_threads and threading.main_thread().name not in coverage_threads
    after = ctx.coverage()
    assert after is not None and str(after.end("deals")) == "2026-11-06"
    assert "reading" not in page.as_of_label.text()
    assert "2026-11-06" in page.as_of_label.text()
    # Asked again: the cached coverage, no second read.
    count = len(coverage_threads)
    assert ctx.coverage() is after and len(coverage_threads) == count


def test_a_read_for_older_actuals_is_dropped(qtbot, ctx):
    """A coverage offered for a state of the actuals that has since changed (another
    import while it was read) is not kept: the pages never state an older coverage."""
    from jbp.coverage import coverage_of

    old_state = ctx.actuals_state
    ctx.workspace.notify("actuals")
    assert ctx.actuals_state != old_state
    ctx.offer_coverage(coverage_of(ctx.workspace), old_state)
    assert ctx._coverage is None
    finish_tasks()


def test_the_portfolio_offers_the_coverage_it_read_with_its_figures(qtbot, ctx,
                                                                    coverage_threads):
    """The Portfolio's figures read the coverage with their snapshot (in the figures
    process): the context keeps it, so the pages need no read of their own."""
    from ui.portfolio import PortfolioPage

    ctx.workspace.notify("actuals")  # the context's coverage is stale now
    page = PortfolioPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        pass
    assert ctx._coverage is page.data["coverage"]
    assert threading.main_thread().name not in coverage_threads


def test_the_figures_result_reaches_the_gui_as_a_few_buffers(qtbot, ctx):
    """What the figures process sends back unpickles without rebuilding an object per
    cell: each column of texts is one string (and its offsets), the scorecard DataFrame
    is unpickled only when asked for by name."""
    from jbp.progress import Progress
    from ui import workers
    from ui.portfolio import portfolio_data
    from ui.portfolio_table import COLUMNS, PickledFrame, ScorecardModel, TextColumn

    data = portfolio_data(ctx.workspace.path, ctx.as_of, state=Progress())
    table = workers._whole(workers._pieces(data))["table"]
    assert isinstance(table.frame, PickledFrame)
    assert len(table.text) == len(COLUMNS)
    assert all(isinstance(c, TextColumn) for c in table.text)
    assert isinstance(table.search, TextColumn) and isinstance(table.rag, TextColumn)
    # A text column is two objects to unpickle, whatever its length.
    column = table.text[0]
    objects: list[object] = []

    class Counting(pickle.Unpickler):
        def find_class(self, module, name):
            objects.append(name)
            return super().find_class(module, name)

    import io

    Counting(io.BytesIO(pickle.dumps(column, protocol=5))).load()
    assert len(objects) <= 6, objects
    model = ScorecardModel()
    model.set_table(table)
    assert [model.index(r, 0).data() for r in range(len(table))] == \
        model.frame["partner"].tolist()  # the frame, unpickled on asking, matches


def test_text_column_serves_each_row():
    from ui.portfolio_table import TextColumn

    texts = ["Acme", "", "Bolt\nCo", "Ærø 12 %", ""]
    column = pickle.loads(pickle.dumps(TextColumn(texts)))
    assert len(column) == 5
    assert [column[i] for i in range(5)] == ["Acme", "", "Bolt Co", "Ærø 12 %", ""]
    assert list(column) == column.tolist() and column[-1] == ""
    assert TextColumn([]).tolist() == [] and len(TextColumn([])) == 0


def test_a_painted_cell_is_one_python_call(qtbot, ctx, monkeypatch):
    """The view asks each cell for its roles in one ``multiData`` call (a delegate asks
    for seven roles: seven ``data()`` calls each, before)."""
    from ui.portfolio import PortfolioPage

    page = PortfolioPage(ctx)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        pass
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    from ui.portfolio_table import ScorecardFilter

    calls = {"data": 0, "multi": 0}
    real_data, real_multi = ScorecardFilter.data, ScorecardFilter.multiData

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        calls["data"] += 1
        return real_data(self, index, role)

    def multi(self, index, span):
        calls["multi"] += 1
        return real_multi(self, index, span)

    # On the class: Qt's virtual calls look there.
    monkeypatch.setattr(ScorecardFilter, "data", data)
    monkeypatch.setattr(ScorecardFilter, "multiData", multi)
    page.view.grab()  # paints the table now
    assert calls["multi"] > 0
    assert calls["data"] == 0, calls
    # The roles served that way are the model's own.
    row = page.proxy.index(0, page.model.column_of("sourced_revenue"))
    assert row.data(Qt.ItemDataRole.TextAlignmentRole) is not None
    finish_tasks()


def test_charts_are_handed_over_after_the_table_painted(qtbot, ctx):
    """A shown Portfolio fills its table first and gives the charts to the render thread
    only after the table's paint (the renderer holds the interpreter lock: each cell
    painted meanwhile would wait for it)."""
    from ui.portfolio import PortfolioPage

    page = PortfolioPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: getattr(page, "_pending_draw", None) is None,  # the first
                    timeout=5_000)  # fill's charts handed over
    order: list[str] = []
    canvas = page.chart_canvases[0]
    real_set_plot = canvas.set_plot

    def set_plot(*args, **kwargs):
        order.append("charts")
        return real_set_plot(*args, **kwargs)

    canvas.set_plot = set_plot  # called from Python: an instance attribute is enough
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                order.append("table painted")
            return False

    watch = Watch()
    page.view.viewport().installEventFilter(watch)
    with qtbot.waitSignal(page.refreshed, timeout=30_000):
        page.reload()
    assert "charts" not in order  # not yet: the table paints first
    qtbot.waitUntil(lambda: "charts" in order, timeout=5_000)
    assert "table painted" in order
    assert order.index("table painted") < order.index("charts")
    qtbot.waitUntil(lambda: all(c.image is not None for c in page.chart_canvases),
                    timeout=30_000)
    page.view.viewport().removeEventFilter(watch)
    finish_tasks()
