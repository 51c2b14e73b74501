"""The Program page of a channel manager's own program at 1366x768 (qa-program walk): the
tier table's titles are read whole, name the workspace's currency, and the program's name
shows from its start."""

from __future__ import annotations

import pytest
from gui_support import finish_tasks, no_thread_left, settings, settle  # noqa: F401
from PySide6.QtCore import Qt

from jbp.setup import new_workspace
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, settings, tmp_path):  # noqa: F811
    path = tmp_path / "fenwick.jbp"
    new_workspace(path, name="Fenwick Partner Programme International", currency="GBP",
                  fiscal_year_start_month=4).close()
    settings.setValue("welcome/seen", True)
    win = MainWindow(settings=settings, ask_identity=False)
    qtbot.addWidget(win)
    win.show()
    win.open_workspace(path)
    finish_tasks()
    win.resize(1366, 768)
    yield win
    win.close()


def test_header_title_breaks_a_long_title_near_its_middle():
    from ui.program_page import header_title

    assert header_title("Min T12M sourced revenue (GBP)") == "Min T12M sourced\nrevenue (GBP)"
    assert header_title("Margin") == "Margin"
    assert header_title("Lead sharing") == "Lead sharing"


def test_tier_titles_are_read_whole_at_1366_and_name_the_currency(qtbot, window):
    window.show_page("Program")
    settle(qtbot)
    page = window.pages["Program"]
    view, model = page.view, page.tiers
    header = view.horizontalHeader()
    metrics = header.fontMetrics()
    titles = [str(model.headerData(c, Qt.Orientation.Horizontal))
              for c in range(model.columnCount())]
    assert "revenue (GBP)" in titles[1], titles
    cut = []
    for c, title in enumerate(titles):
        need = max(metrics.horizontalAdvance(line) for line in title.split("\n"))
        if header.sectionSize(c) < need:
            cut.append((title, header.sectionSize(c), need))
    assert cut == []
    # ... and every column is on screen, no scrolling sideways to reach Priority support
    assert view.horizontalScrollBar().maximum() == 0
    assert header.sectionViewportPosition(model.columnCount() - 1) < view.viewport().width()


def test_the_program_name_shows_from_its_start(qtbot, window):
    window.show_page("Program")
    settle(qtbot)
    name = window.pages["Program"].editors["name"]
    assert name.text() == "Fenwick Partner Programme International"
    assert name.cursorPosition() == 0


def test_a_percent_typed_without_its_sign_is_refused_in_percent_words(qtbot, window):
    from jbp.commands import Editor

    window.ctx.set_editor(Editor("Harriet Cole", "vendor"))
    window.show_page("Program")
    settle(qtbot)
    page = window.pages["Program"]
    model = page.tiers
    col = next(c for c in range(model.columnCount())
               if model.field_at(model.index(0, c)).name == "margin")
    assert not model.setData(model.index(1, col), "18")     # over "15.0%": meant 18%
    message = page.tier_error.text()
    assert "at most 100%" in message and "type 18%" in message, message
    assert "at most 1 " not in message + " "
    assert model.setData(model.index(1, col), "18%")
    assert window.ctx.workspace.program().tiers_by_rank()[1].margin == pytest.approx(0.18)
    page.editors["rag_green"].setText("95")                # over "95.0%"
    page._line_edited("rag_green")
    assert "at most 500%" in page.settings_error.text()
    assert "type 95%" in page.settings_error.text()


def test_a_partner_page_says_which_sources_are_not_imported_yet(qtbot, tmp_path):
    """Only the partner list and the closed deals imported: the page does not claim zero
    logins 'to <today>', it says none are imported, and the tiles show '–' for them."""
    from jbp import import_partners as ip
    from jbp import importers as imp
    from jbp.store import Workspace
    from ui.context import AppContext
    from ui.partner_page import PartnerPage

    path = tmp_path / "w.jbp"
    new_workspace(path, name="Fenwick", currency="GBP").close()
    partners = tmp_path / "partners.csv"
    partners.write_text("Account Name,Account ID,Partner Type,Billing Country,Partner Since\n"
                        "Northgate Systems,001A,Systems Integrator,Ireland,2023-09-01\n",
                        encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text("Opportunity ID,Partner Account,Account Name,Amount,Close Date,"
                     "Partner Role\nO1,Northgate Systems,Beacon Bank,120500,2026-02-28,"
                     "Sourced\n", encoding="utf-8")
    with Workspace.open(path) as ws:
        ip.run_import(ws, partners, "partners")
        imp.run_import(ws, deals, "deals")
        pid = ws.partners()[0].id
    ctx = AppContext()
    ctx.set_workspace(Workspace.open(path))
    page = PartnerPage(ctx, pid)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.data is not None, timeout=30_000)
    title = page.title.text()
    assert "revenue T12M to 2026-02-28" in title
    assert "no portal logins imported" in title and "logins to" not in title
    assert page.values["sourced_revenue"].text() == "120,500"
    for key in ("logins_90d", "registrations_90d", "certified_people"):
        assert page.values[key].text() == "–", key
        assert "imported" in page.values[key].toolTip()
    page.close()
    finish_tasks()
    ctx.set_workspace(None)
