"""The main window: first start on the demo, workspace switching and its failures, the
identity asked once per workspace session, pages, recent files, window state, About."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import finish_tasks, no_thread_left, settings  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from jbp import demo
from jbp.commands import Editor
from jbp.store import Workspace
from ui.main_window import PAGES, MainWindow, demo_workspace_path
from ui.portfolio import PortfolioPage

pytestmark = pytest.mark.gui


@pytest.fixture
def make_window(qtbot, settings):
    made = []

    def make(welcome_seen: bool = True, **kwargs) -> MainWindow:
        if welcome_seen:
            settings.setValue("welcome/seen", True)
        win = MainWindow(settings=settings, **kwargs)
        qtbot.addWidget(win)
        win.show()
        made.append(win)
        return win

    yield make
    for win in made:
        win.ctx.discard_pending()
        win.close()


def test_first_start_creates_and_opens_the_demo_with_real_content(make_window, settings):
    target = demo_workspace_path()
    if target.exists():  # another test of this session made it already
        target.unlink()
    win = make_window()
    win.start(None)
    finish_tasks()
    assert target.exists()
    assert win.windowTitle() == "demo[*]"
    # Qt adds the application's name once: "demo — JBP Studio", not "JBP Studio — demo — …"
    assert win.windowHandle().title().count("JBP Studio") <= 1
    assert win.ctx.as_of == demo.AS_OF
    plans = win.plans()
    assert plans.model.rowCount() == 6
    assert plans.editor.plan_id is not None  # a plan is open, not an empty editor
    assert plans.editor.goal_model.rowCount() > 0
    portfolio = win.pages["Portfolio"]
    assert isinstance(portfolio, PortfolioPage)  # built with the window, scorecards loaded
    assert portfolio.model.rowCount() >= 40
    # the identity is asked once the workspace is open; the last name is the next default
    dialog = win.identity_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.name.setText("Dana Whitfield")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert win.ctx.editor == Editor("Dana Whitfield", "vendor")
    assert "Dana Whitfield" in win.identity.label.text()
    assert settings.value("identity/name") == "Dana Whitfield"
    assert settings.value("workspace/last") == str(target)


def test_identity_dialog_refuses_an_empty_name_and_read_only_mode(make_window, demo_path):
    win = make_window()
    win.open_workspace(demo_path)
    finish_tasks()
    dialog = win.identity_dialog
    dialog.name.setText("  ")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.error_line.text() == "Your name: a value is required"
    assert win.ctx.editor is None
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()  # "Read only"
    assert "Read only" in win.identity.label.text()
    # edits are refused with a message rather than recorded under nobody
    win.show_page("Plans")  # the window opens on the Portfolio
    editor = win.plans().editor
    editor.show_tab("Goals & KPIs")
    index = editor.kpi_model.index(0, editor.kpi_model.column_of("target_q1"))
    assert not editor.kpi_model.setData(index, "5")
    assert "Say who you are first" in editor.kpis.refused_message()


def test_switch_workspace_then_a_broken_one_falls_back_with_a_message(make_window, demo_path,
                                                                       small_ws, tmp_path):
    win = make_window(ask_identity=False)
    win.open_workspace(demo_path)
    finish_tasks()
    assert win.plans().model.rowCount() == 6
    win.ctx.set_editor(Editor("Dana Whitfield", "vendor"))
    small_path = Path(small_ws.path)

    win.open_workspace(small_path)
    finish_tasks()
    assert win.windowTitle() == "small[*]"
    assert win.ctx.workspace.path == small_path
    assert win.plans().model.rowCount() == 0
    assert win.plans().editor.plan_id is None
    assert win.ctx.as_of != demo.AS_OF  # a real workspace uses today
    assert win.recent()[:2] == [str(small_path), str(demo_path)]
    assert win.recent_menu.actions()[0].text().startswith("&1 small.jbp")
    assert win.ctx.undo_stack.count() == 0

    broken = tmp_path / "notes.jbp"
    broken.write_text("not a workspace")
    win.open_workspace(broken, fall_back_to_demo=True)
    finish_tasks()
    text = win.message_box.text()
    assert str(broken) in text and "not a JBP Studio workspace" in text
    assert win.ctx.workspace.path == demo_workspace_path()  # fell back to the demo
    assert str(broken) not in win.recent()


def test_start_with_a_missing_workspace_names_it_and_opens_the_demo(make_window, tmp_path):
    win = make_window(ask_identity=False)
    missing = tmp_path / "gone.jbp"
    win.start(missing)
    finish_tasks()
    assert str(missing) in win.message_box.text() and "no such file" in win.message_box.text()
    assert win.ctx.workspace is not None and win.ctx.workspace.name == "demo"


def test_pages_navigation_shortcuts_and_window_state(make_window, demo_path, settings):
    win = make_window(ask_identity=False)
    win.open_workspace(demo_path)
    finish_tasks()
    assert [win.nav.item(i).text() for i in range(win.nav.count())] == [t for t, _ in PAGES]
    win.show_page("Program")
    program = win.pages["Program"]
    assert program.tiers.rowCount() == 4
    assert program.values["currency"].text() == "USD"
    view_menu = next(m for m in win.menuBar().actions() if m.text() == "&View").menu()
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString()
                 for a in view_menu.actions()}
    assert shortcuts["Portfolio"] == "Ctrl+1" and shortcuts["Plans"] == "Ctrl+2"
    win.resize(1100, 740)
    win.save_state()
    assert settings.value("window/page") == 3
    again = make_window(ask_identity=False)
    assert again.nav.currentRow() == 3
    assert again.height() == 740  # (the offscreen screen clamps the width)


def test_portfolio_partner_opens_its_plan(make_window, demo_path):
    win = make_window(ask_identity=False)
    win.open_workspace(demo_path)
    finish_tasks()
    ws = win.ctx.workspace
    cascade = ws.partner_by_name("Cascade Integrators")
    win.pages["Portfolio"].partner_activated.emit(cascade.id)
    assert win.stack.currentWidget() is win.plans()
    opened = ws.plan(win.plans().editor.plan_id)
    assert opened.partner_id == cascade.id and opened.fiscal_year == 2027


def test_about_names_versions_and_how_saving_works(make_window):
    win = make_window(ask_identity=False)
    box = win.show_about()
    text = box.text()
    for name in ("JBP Studio", "PySide6", "Qt", "matplotlib", "SQLite", "Python"):
        assert name in text
    assert "saved the moment you finish it" in text
    box.close()


def test_new_workspace_from_file_menu_uses_the_chosen_path(make_window, tmp_path):
    win = make_window(ask_identity=False)
    target = tmp_path / "acme-program"
    win.new_workspace()  # the setup wizard (tests/test_gui_byop.py drives all of it)
    page = win.setup_wizard.program_page
    page.path.setText(str(target))
    page.name.setText("Acme program")
    win.setup_wizard.next()
    assert win.ctx.workspace is not None
    assert win.ctx.workspace.path == Path(str(target) + ".jbp")
    assert win.windowTitle() == "acme-program[*]"
    assert len(win.ctx.workspace.program().tiers) == 4
    win.setup_wizard.reject()


def test_a_second_demo_can_be_made_from_the_file_menu(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    win = make_window(ask_identity=False)
    target = tmp_path / "training.jbp"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    win.new_demo_workspace()
    finish_tasks()
    assert win.ctx.workspace.path == target
    with Workspace.open(target) as ws:
        assert len(ws.partners()) == 50


RUN_APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui import workers
from ui.app import create_application, run_app
from ui.main_window import MainWindow

app = create_application()

def check():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, MainWindow) and w.ctx.workspace is not None and w.isVisible():
            for t in workers.running_tasks():
                t.wait()
            print("TITLE", w.windowTitle())
            print("PLANS", w.plans().model.rowCount())
            print("GOALS", w.plans().editor.goal_model.rowCount())
            if w.identity_dialog is not None:
                w.identity_dialog.reject()
            w.close()
            QApplication.quit()
            return
    QTimer.singleShot(10, check)

QTimer.singleShot(0, check)
sys.exit(run_app(sys.argv[1]))
"""


def test_run_app_shows_the_main_window_and_exits_cleanly(demo_path, tmp_path):
    """``jbp --workspace PATH`` as a process: window on the workspace, clean exit code."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "c"),
               XDG_DATA_HOME=str(tmp_path / "d"))
    done = subprocess.run([sys.executable, "-c", RUN_APP, str(demo_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert lines == {"TITLE": "demo[*]", "PLANS": "6", "GOALS": "3"}


def test_file_menu_export_and_import_call_the_workbook_dialogs(make_window, demo_path,
                                                                monkeypatch):
    import ui.workbook_dialogs as wb

    calls = []
    monkeypatch.setattr(wb, "export_plan", lambda parent, ctx, plan_id: calls.append(
        ("plan", plan_id)))
    monkeypatch.setattr(wb, "export_portfolio", lambda parent, ctx: calls.append(("portfolio",)))
    monkeypatch.setattr(wb, "import_plan_workbook", lambda parent, ctx: calls.append(("import",)))
    win = make_window(ask_identity=False)
    win.open_workspace(demo_path)
    finish_tasks()
    names = {a.objectName(): a for a in win.workbook_actions}
    assert set(names) == {"action_export_plan", "action_export_portfolio", "action_import_plan"}
    for action in win.workbook_actions:
        action.trigger()
    assert calls == [("plan", win.current_plan_id()), ("portfolio",), ("import",)]


def test_first_start_shows_the_welcome_page_before_asking_who_edits(make_window, demo_path,
                                                                   settings):
    win = make_window(welcome_seen=False)
    win.open_workspace(demo_path)
    finish_tasks()
    assert win.stack.currentWidget() is win.welcome
    assert win.identity_dialog is None            # nothing on top of the welcome
    win.welcome.buttons["qbr"].click()
    assert win.current_page() is win.plans()
    assert win.plans().editor.tabs.tabText(win.plans().editor.tabs.currentIndex()) == "QBR"
    assert win.identity_dialog is not None        # asked once the user starts
    win.identity_dialog.reject()
    assert settings.value("welcome/seen", False, type=bool)
    again = make_window()
    assert again.stack.currentWidget() is not again.welcome


def test_command_palette_finds_and_runs_a_menu_action(qtbot, make_window, demo_path):
    win = make_window(ask_identity=False)
    win.open_workspace(demo_path)
    finish_tasks()
    palette = win.show_palette()
    qtbot.keyClicks(palette.search, "scenario lab")
    texts = [palette.list.item(i).text() for i in range(palette.list.count())]
    assert texts == ["View ▸ Scenario Lab    (Ctrl+3)"]
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert win.current_page() is win.pages["Scenario Lab"]
    palette = win.show_palette()
    qtbot.keyClicks(palette.search, "export portfolio")
    assert palette.list.count() == 1 and "Export portfolio to Excel" in palette.list.item(
        0).text()
    palette.reject()


def test_shortcut_list_names_actions_not_their_live_text(make_window, demo_path):
    win = make_window(ask_identity=False)
    win.open_workspace(demo_path)
    finish_tasks()
    rows = dict(win.shortcut_rows())
    assert "Undo the last edit of what is in view" in rows
    assert not any(what.startswith("Undo:") for what in rows)
    assert rows["Post the comment being written"] == "Ctrl+Enter"
    assert rows["Find a command"] == "Ctrl+K"


def test_user_guide_renders_the_docs(qtbot, make_window):
    win = make_window(ask_identity=False)
    guide = win.show_guide()
    assert guide.list.count() >= 5
    assert "JBP Studio" in guide.browser.toPlainText()
    guide.list.setCurrentRow(guide.list.count() - 1)
    assert guide.browser.toPlainText().strip()
    assert "#" not in guide.browser.toPlainText().splitlines()[0]  # rendered, not raw
    guide.close()


def test_ctrl_z_acts_on_the_document_in_view(make_window, demo_path):
    from jbp.commands import SetField
    from jbp.scenarios import CreateScenario
    from ui.context import SCENARIOS, plan_document

    win = make_window(ask_identity=False)
    win.open_workspace(demo_path)
    finish_tasks()
    win.ctx.set_editor(Editor("Dana Whitfield", "vendor"))
    win.show_page("Plans")
    plan_id = win.current_plan_id()
    kpi = win.ctx.workspace.plan_document(plan_id).kpis[0]
    assert win.ctx.run(CreateScenario("Bigger MDF", {}))       # a Scenario Lab edit
    win.show_page("Plans")
    assert win.ctx.undo_group.activeStack() is win.ctx.stack(plan_document(plan_id))
    assert not win.undo_action.isEnabled()        # nothing done to this plan yet
    assert win.ctx.run(SetField(win.ctx.editor, "kpi", kpi.id, "target_q1", 123))
    win.show_page("Scenario Lab")
    assert win.undo_action.text().replace("&", "") == "Undo: New scenario Bigger MDF"
    win.show_page("Plans")
    assert win.undo_action.text().replace("&", "").startswith("Undo: Target Q1 of ")
    win.undo_action.trigger()
    assert win.ctx.stack(SCENARIOS).canUndo()     # the scenario edit is still there


def test_the_window_fits_its_screen_on_first_start_and_after_a_bigger_monitor(make_window,
                                                                             settings):
    """On a screen smaller than the 1480×900 first-start size (here the offscreen screen) the
    window shrinks to the screen's available area — as far as its minimum size allows (about
    1,290 px wide today: a 1366×768 laptop fits, 1024 does not yet) — also when its saved
    geometry came from a larger monitor."""
    from PySide6.QtCore import QRect

    def fits(win) -> bool:
        area, least = win.screen().availableGeometry(), win.minimumSizeHint()
        return (win.width() <= max(area.width(), least.width())
                and win.height() <= max(area.height(), least.height()))

    win = make_window()
    area = win.screen().availableGeometry()
    assert area.width() < 1480 or area.height() < 900, "the test needs a smaller screen"
    assert fits(win)
    win.setGeometry(QRect(0, 0, 2500, 1400))
    settings.setValue("window/geometry", win.saveGeometry())
    assert fits(make_window())


def test_the_welcome_page_says_which_workspace_is_open(make_window, demo_path, tmp_path):
    """On a first start on the user's own workspace the welcome page does not say "you are
    looking at the demo workspace": it names theirs, offers the demo, and continues."""
    from jbp.demo import PROGRAM
    from jbp.store import Workspace

    own = tmp_path / "acme-partners.jbp"
    Workspace.create(own, PROGRAM).close()
    win = make_window(welcome_seen=False, ask_identity=False)
    win.open_workspace(own)
    finish_tasks()
    assert win.stack.currentWidget() is win.welcome
    intro = win.welcome.intro.text()
    assert "acme-partners.jbp" in intro and "You are looking at the <b>demo" not in intro
    assert win.welcome.buttons["close"].text() == "Continue with acme-partners.jbp"
    assert not win.welcome.buttons["demo"].isHidden()
    assert "Fifty partners" not in win.welcome.cards["portfolio"].text()
    win.open_workspace(demo_path)
    finish_tasks()
    assert "You are looking at the <b>demo workspace</b>" in win.welcome.intro.text()
    assert win.welcome.buttons["demo"].isHidden()
    assert win.welcome.buttons["close"].text() == "Start with the demo"
