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
