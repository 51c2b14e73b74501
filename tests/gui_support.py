"""Helpers for the GUI tests: drive widgets the way a user does, and keep tests from
leaving background threads running or writing the user's real settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit

from ui import workers

#: How long a test waits for a calibration in the figures process: a fresh process, its
#: imports and the demo's calibration take 7 s on a quiet machine and 15 s with six
#: CPU-bound processes beside it; 20 s failed once on a machine shared by five sessions.
CALIBRATION_WAIT = 90_000


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings in a file of the test's own (never the user's), in English numbers and
    words whatever the machine's locale (a test sets View ▸ Number format to German)."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/number_format", "en")
    return settings


@pytest.fixture(autouse=True)
def no_thread_left():
    """Fail a test that leaves a background task running (after stopping it)."""
    yield
    left = workers.running_tasks()
    if left:
        titles = [t.title for t in left]
        workers.wait_all(10_000)
        pytest.fail(f"test left background work running: {titles}")


@pytest.fixture
def ctx(qtbot, demo_path):
    """An AppContext on a private copy of the demo workspace; its tasks finish first."""
    from jbp.store import Workspace
    from ui.context import AppContext

    context = AppContext()
    context.set_workspace(Workspace.open(demo_path))
    yield context
    finish_tasks()
    context.set_workspace(None)


def finish_tasks(msecs: int = 20_000) -> None:
    """Wait for every running task and deliver its outcome (no cancel)."""
    for _ in range(5):  # a finished task may start the next (create demo → open it)
        tasks = workers.running_tasks()
        if not tasks:
            return
        for task in tasks:
            assert task.wait(msecs), f"{task.title} did not finish"


def edit_cell(qtbot, table, row: int, field: str, text: str) -> None:
    """Open the cell editor of ``field`` in ``row``, type or pick ``text``, press Enter."""
    model = table.model
    col = model.column_of(field)
    assert col >= 0, field
    index = model.index(row, col)
    table.view.setCurrentIndex(index)
    table.view.edit(index)
    editor = table.delegate.open_editor
    assert editor is not None, f"no editor opened for {field}"
    if isinstance(editor, QComboBox):
        editor.setCurrentIndex(editor.findText(text))
        assert editor.currentText() == text
    elif isinstance(editor, QDateEdit):
        from PySide6.QtCore import QDate

        editor.setDate(QDate.fromString(text, "yyyy-MM-dd"))
    else:
        assert isinstance(editor, QLineEdit)
        editor.selectAll()
        qtbot.keyClicks(editor, text)
    press_enter(qtbot, editor)


def press_enter(qtbot, editor) -> None:
    """Enter in a cell editor commits it; Qt delivers that commit through the event
    loop, so let it run once."""
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QCoreApplication.processEvents()


def cell_text(table, row: int, field: str) -> str:
    model = table.model
    return model.index(row, model.column_of(field)).data()


def settle(qtbot) -> None:
    """Let running tasks finish and the events they post be delivered."""
    finish_tasks()
    qtbot.wait(30)
    finish_tasks()


def demo_window(qtbot, settings, demo_path):
    """The main window at 1366×768 on the demo workspace, a returning user (no welcome page)
    signed in as a vendor-side editor: the window most GUI tests start from."""
    from jbp.commands import Editor
    from ui.main_window import MainWindow

    settings.setValue("welcome/seen", True)
    win = MainWindow(settings=settings, ask_identity=False)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    win.open_workspace(demo_path)
    finish_tasks()
    win.ctx.set_editor(Editor("Dana Whitfield", "vendor"))
    return win


def walk_pages(qtbot, win):
    """(place, page) of every page and every tab of the plan editor, shown in turn."""
    from ui.main_window import PAGES

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
