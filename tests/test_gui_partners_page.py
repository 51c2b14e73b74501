"""The Partners page with hundreds of partners keeps its work off the GUI thread (issue 17:
20,000 partners without a freeze). Counted, never timed: the partner list is read on a
worker thread; showing, sorting, filtering and sizing the table read no cell the view does
not paint and compute no cell text on the GUI thread; an edit, an archive, an addition and
their undo and redo change one row in place, without reading the list again."""

from __future__ import annotations

import datetime as dt
import sys
import threading

import pytest
from gui_support import ctx, finish_tasks, no_thread_left  # noqa: F401
from PySide6.QtCore import Qt

from jbp import store
from jbp.commands import Editor
from jbp.fields import Field
from jbp.model import Partner

pytestmark = pytest.mark.gui

#: Partners added to the demo's: many more rows than the view shows.
EXTRA = 450


@pytest.fixture
def big_ctx(ctx):
    ws = ctx.workspace
    with ws.transaction():
        for i in range(EXTRA):
            ws.add_partner(Partner(name=f"Scale {i:04d} Cloud", type="Reseller",
                                   region=("EMEA", "APAC", "LATAM")[i % 3],
                                   signup_date=dt.date(2025, 1, 1) + dt.timedelta(days=i)))
    ctx.set_editor(Editor("Ann Example", "vendor"))
    return ctx


class Threads:
    """Wraps a function of a module: the thread of each call (the real function runs)."""

    def __init__(self, monkeypatch, module, name: str):
        self.calls: list[threading.Thread] = []
        real = getattr(module, name)

        def recording(*args, **kwargs):
            self.calls.append(threading.current_thread())
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, recording)

    def on_gui_thread(self) -> int:
        return sum(1 for t in self.calls if t is threading.main_thread())


class CellReads:
    """The rows whose shown text the GUI thread asks the page's model for (every call of a
    ``data`` method on the model with the display role, whoever calls it: Qt's C++ calls
    included), and the cell texts the GUI thread computes (``Field.display``)."""

    def __init__(self, model):
        self.model = model
        self.rows: set[int] = set()
        self.texts = 0

    def _profile(self, frame, event, _arg):
        if event != "call":
            return
        code = frame.f_code
        if code.co_name == "data" and frame.f_locals.get("self") is self.model:
            role = frame.f_locals.get("role", 0)
            if int(getattr(role, "value", role)) == int(Qt.ItemDataRole.DisplayRole.value):
                self.rows.add(frame.f_locals["index"].row())
        elif code is Field.display.__code__:
            self.texts += 1

    def __enter__(self):
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)


def shown_page(qtbot, ctx):
    from ui.partners_page import PartnersPage

    page = PartnersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 500)
    page.show()
    return page


def visible_rows(page) -> int:
    view = page.view
    return view.viewport().height() // max(view.rowHeight(0), 1) + 1


def test_the_partner_list_is_read_off_the_gui_thread(qtbot, big_ctx, monkeypatch):
    reads = Threads(monkeypatch, store, "partner_list")
    page = shown_page(qtbot, big_ctx)
    title = page.title.text()
    assert reads.on_gui_thread() == 0
    assert page.loading and "Reading partners…" in title
    finish_tasks()
    assert reads.calls and reads.on_gui_thread() == 0
    rows = len(big_ctx.workspace.partners())
    assert page.proxy.rowCount() == rows > EXTRA
    assert not page.loading and f"{rows:,} shown, 0 archived" in page.title.text()
    names = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    assert names == sorted(names, key=str.casefold)              # by name, A to Z


def test_showing_sorting_filtering_and_sizing_read_only_the_cells_painted(qtbot, big_ctx):
    page = shown_page(qtbot, big_ctx)
    with CellReads(page.model) as reads:
        finish_tasks()
        qtbot.wait(50)                                           # painted
        rows = page.proxy.rowCount()
        painted = visible_rows(page)
        assert rows > 10 * painted
        page.view.sortByColumn(page.model.column_of("region"), Qt.SortOrder.DescendingOrder)
        qtbot.wait(20)
        page.view.sortByColumn(page.model.column_of("name"), Qt.SortOrder.AscendingOrder)
        qtbot.keyClicks(page.search, "0042")
        qtbot.wait(20)
        page.search.clear()
        page.resize(1300, 560)
        qtbot.wait(50)
    # Only what was painted (the top rows, after each step) was asked; no cell text was
    # computed on the GUI thread (the worker computed them all, once).
    assert len(reads.rows) <= 2 * visible_rows(page), sorted(reads.rows)
    assert reads.texts == 0
    from ui.partners_page import MAX_COLUMN_WIDTH

    widths = [page.view.columnWidth(c) for c in range(page.model.columnCount() - 1)]
    assert all(20 < w <= MAX_COLUMN_WIDTH for w in widths), widths
    name = page.model.column_of("name")
    assert page.view.columnWidth(name) >= page.view.fontMetrics().horizontalAdvance(
        "Scale 0449 Cloud")
    regions = [page.proxy.index(r, page.model.column_of("region")).data()
               for r in range(rows)]
    page.view.sortByColumn(page.model.column_of("region"), Qt.SortOrder.DescendingOrder)
    assert [page.proxy.index(r, page.model.column_of("region")).data()
            for r in range(rows)] == sorted(regions, key=str.casefold, reverse=True)
    qtbot.keyClicks(page.search, "0042")
    assert [page.proxy.index(r, name).data() for r in range(page.proxy.rowCount())] \
        == ["Scale 0042 Cloud"]


def test_edit_archive_add_and_their_undo_change_one_row_without_reading_the_list(
        qtbot, big_ctx, monkeypatch):
    ctx = big_ctx
    page = shown_page(qtbot, ctx)
    finish_tasks()
    model, rows = page.model, page.model.rowCount()
    reads = Threads(monkeypatch, store, "partner_list")
    resets: list[str] = []
    model.modelReset.connect(lambda: resets.append("reset"))
    model.layoutChanged.connect(lambda: resets.append("layout"))
    pid = ctx.workspace.partner_by_name("Scale 0042 Cloud").id
    row = model.row_of(pid)
    manager = model.column_of("manager")

    with CellReads(model) as cells:
        assert model.setData(model.index(row, manager), "Rita Ora", Qt.ItemDataRole.EditRole)
    assert model.index(model.row_of(pid), manager).data() == "Rita Ora"
    assert model.row_of(pid) == row                              # in place
    assert cells.texts <= model.columnCount()                    # one row's texts
    name = model.index(row, model.column_of("name"))
    assert not model.setData(name, "Scale 0043 Cloud", Qt.ItemDataRole.EditRole)  # taken
    from ui.plan_editor.models import CELL_STATE_ROLE

    assert "exists already" in name.data(Qt.ItemDataRole.ToolTipRole)
    assert name.data(CELL_STATE_ROLE) == "refused"
    assert name.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert name.data(Qt.ItemDataRole.DecorationRole) is not None  # not by colour alone
    assert model.index(row, manager).data(Qt.ItemDataRole.BackgroundRole) is None
    page.select(pid)
    assert page.current().id == pid
    assert page.archive_current()
    assert model.rowCount() == rows - 1 and model.row_of(pid) < 0
    assert "1 archived" in page.title.text()
    neighbour = page.current().id                                # the archived row's
    page.show_archived.setChecked(True)
    assert model.rowCount() == rows and model.row_of(pid) >= 0
    assert page.current().id == neighbour                        # still the current one
    page.show_archived.setChecked(False)
    ctx.undo_stack.undo()                                        # archive
    assert model.rowCount() == rows and model.row_of(pid) >= 0
    ctx.undo_stack.undo()                                        # manager
    assert model.index(model.row_of(pid), manager).data() == ""
    ctx.undo_stack.redo()
    assert model.index(model.row_of(pid), manager).data() == "Rita Ora"

    from jbp.partners import AddPartner

    assert ctx.run(AddPartner(ctx.editor, Partner(name="Scale 0042 Cloudier", type="MSP",
                                                  region="APAC",
                                                  signup_date=dt.date(2025, 3, 1))))
    new = ctx.workspace.partner_by_name("Scale 0042 Cloudier").id
    assert model.rowCount() == rows + 1
    assert model.row_of(new) == model.row_of(pid) + 1            # in its sorted place
    ctx.undo_stack.undo()
    assert model.rowCount() == rows and model.row_of(new) < 0
    ctx.undo_stack.redo()
    assert model.row_of(new) == model.row_of(pid) + 1
    assert reads.calls == [] and not page.loading and resets.count("reset") == 2  # the
    # two: "Show archived" on and off (a filter), never a read


def test_a_change_the_log_does_not_name_reads_the_list_again_off_the_gui_thread(
        qtbot, big_ctx, monkeypatch):
    ctx = big_ctx
    page = shown_page(qtbot, ctx)
    finish_tasks()
    rows = page.model.rowCount()
    reads = Threads(monkeypatch, store, "partner_list")
    ctx.workspace.add_partner(Partner(name="Zulu Quiet Ltd", type="MSP", region="EMEA",
                                      signup_date=dt.date(2025, 3, 1)))  # not logged
    assert reads.on_gui_thread() == 0 and page.loading
    finish_tasks()
    assert page.model.rowCount() == rows + 1 and reads.on_gui_thread() == 0 < len(reads.calls)


def test_select_while_the_list_is_read_selects_once_it_is_there(qtbot, big_ctx):
    page = shown_page(qtbot, big_ctx)
    pid = big_ctx.workspace.partner_by_name("Scale 0300 Cloud").id
    page.select(pid)
    finish_tasks()
    assert page.current() is not None and page.current().id == pid


def test_a_cancelled_read_says_so_and_the_page_reads_again_when_shown(qtbot, big_ctx):
    page = shown_page(qtbot, big_ctx)
    assert not page.archive_button.isEnabled()                   # nothing to archive yet
    page.task.cancel()                                           # the status bar's Cancel
    finish_tasks()
    assert not page.loading and "was not read" in page.title.text()
    assert "cancelled" in page.error.text()
    page.hide()
    page.show()
    assert page.loading
    finish_tasks()
    assert page.model.rowCount() > EXTRA and page.error.text() == ""
    assert "shown, 0 archived" in page.title.text()
