"""File → Export / Import of workbooks in the desktop app, driven like a user with pytest-qt:
exports run in the background and can be cancelled; an imported workbook lists its changes
with checkboxes and applies the ticked ones as one undoable step under the named side."""

from __future__ import annotations

import time

import openpyxl
import pytest
from gui_support import finish_tasks, no_thread_left  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from exporters import plan_workbook as pw
from jbp.commands import Editor
from jbp.demo import AS_OF
from jbp.store import Workspace
from ui import workbook_dialogs as wd
from ui.context import AppContext

pytestmark = pytest.mark.gui


@pytest.fixture
def app(qtbot, demo_path):
    window = QMainWindow()
    qtbot.addWidget(window)
    ctx = AppContext(window)
    ctx.set_workspace(Workspace.open(demo_path))
    ctx.as_of = AS_OF
    ctx.set_editor(Editor("Dana Whitfield", "vendor"))
    window.show()
    yield window, ctx
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox):
            w.close()
    ctx.set_workspace(None)


def active_plan(ctx):
    return next(p for p in ctx.workspace.plans() if p.status == "Active")


def test_export_plan_from_the_file_menu(app, tmp_path, monkeypatch):
    window, ctx = app
    target = tmp_path / "out" / "plan.xlsx"
    target.parent.mkdir()
    asked = []
    monkeypatch.setattr(wd, "ask_save_path", lambda *a: asked.append(a[2]) or target)
    task = wd.export_plan(window, ctx, active_plan(ctx).id)
    assert task is not None
    finish_tasks()
    assert asked and asked[0].endswith(".xlsx")
    assert openpyxl.load_workbook(target).sheetnames[0] == pw.COVER
    assert "Saved plan.xlsx" in window.statusBar().currentMessage()
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.xlsx"]


def test_export_portfolio_and_a_refused_choice(app, tmp_path, monkeypatch):
    window, ctx = app
    monkeypatch.setattr(wd, "ask_save_path", lambda *a: None)  # the user pressed Cancel
    assert wd.export_portfolio(window, ctx) is None
    task = wd.export_portfolio(window, ctx, path=tmp_path / "p.xlsx")
    finish_tasks()
    assert task.result == tmp_path / "p.xlsx" and task.result.exists()
    assert wd.export_scenarios(window, ctx, ["No such scenario"]) is None
    box = window.findChild(QMessageBox, "workbook_message")
    assert box is not None and "no scenario named" in box.text()


def test_a_long_export_can_be_cancelled_and_writes_nothing(app, tmp_path, qtbot):
    window, _ctx = app
    started = []

    def slow_write(data, path, state):
        started.append(True)
        for i in range(500):
            state.step(i / 500, "working")
            time.sleep(0.01)
        path.write_text("never")
        return path

    target = tmp_path / "slow.xlsx"
    task = wd.run_export(window, "Export test", slow_write, None, target)
    qtbot.waitUntil(lambda: bool(started), timeout=5000)
    with qtbot.waitSignal(task.was_cancelled, timeout=10_000):
        task.cancel()
    assert not target.exists()


def edited_workbook(ctx, tmp_path):
    plan = active_plan(ctx)
    doc = ctx.workspace.plan_document(plan.id)
    path = pw.export_plan(ctx.workspace, plan.id, tmp_path / "plan.xlsx", as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    ini = wb[pw.INITIATIVES]
    owner = next(c.column for c in ini[pw.HEADER_ROW] if c.value == "Owner")
    ini.cell(pw.FIRST_ROW, owner).value = "Partner Owner A"
    ini.cell(pw.FIRST_ROW + 1, owner).value = "Partner Owner B"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    return plan.id, doc, edited


def test_import_dialog_applies_ticked_changes_as_one_undo_step(app, tmp_path, qtbot):
    window, ctx = app
    plan_id, doc, edited = edited_workbook(ctx, tmp_path)
    dialog = wd.import_plan_workbook(window, ctx, edited)
    assert isinstance(dialog, wd.WorkbookChangesDialog) and dialog.isVisible()
    model = dialog.table.model()
    assert model.rowCount() == 2
    assert model.index(0, 6).data() == "Partner Owner A"
    assert model.index(0, 0).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    # Reject the first change, keep the second.
    model.setData(model.index(0, 0), Qt.CheckState.Unchecked.value,
                  Qt.ItemDataRole.CheckStateRole)
    assert dialog.side.currentText() == "partner"
    assert dialog.author.text() == doc.plan.partner_owner  # the plan's partner owner
    dialog.author.setText("Sam Chen")
    with qtbot.waitSignal(dialog.applied):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    owners = [i.owner for i in ctx.workspace.plan_document(plan_id).initiatives[:2]]
    assert owners == [doc.initiatives[0].owner, "Partner Owner B"]
    rev = ctx.workspace.revisions(plan_id)[-1]
    assert (rev.author, rev.side, rev.field) == ("Sam Chen", "partner", "owner")
    assert ctx.undo_stack.count() == 1
    ctx.undo_stack.undo()
    assert ctx.workspace.plan_document(plan_id).initiatives[1].owner == doc.initiatives[1].owner


def test_import_dialog_refuses_no_selection_and_bad_names(app, tmp_path):
    window, ctx = app
    _, _, edited = edited_workbook(ctx, tmp_path)
    dialog = wd.import_plan_workbook(window, ctx, edited)
    dialog.model.set_all(False)
    assert dialog.apply() is False and "No change is ticked" in dialog.error_label.text()
    dialog.model.set_all(True)
    dialog.author.setText("   ")
    assert dialog.apply() is False and "Your name" in dialog.error_label.text()
    assert ctx.undo_stack.count() == 0
    dialog.reject()


def test_a_bad_workbook_is_explained_and_changes_nothing(app, tmp_path):
    window, ctx = app
    plan = active_plan(ctx)
    before = ctx.workspace.plan_document(plan.id).snapshot()
    path = pw.export_plan(ctx.workspace, plan.id, tmp_path / "plan.xlsx", as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    wb[pw.INITIATIVES].cell(pw.FIRST_ROW, 8).value = "a lot"
    wb.save(path)
    assert wd.import_plan_workbook(window, ctx, path) is None
    box = window.findChild(QMessageBox, "import_problems")
    assert box is not None and box.isVisible()
    assert "'a lot' is not a number" in box.informativeText()
    assert ctx.workspace.plan_document(plan.id).snapshot() == before
    # An unchanged workbook just says so.
    pw.export_plan(ctx.workspace, plan.id, tmp_path / "same.xlsx", as_of=AS_OF)
    assert wd.import_plan_workbook(window, ctx, tmp_path / "same.xlsx") is None
    assert window.findChild(QMessageBox, "import_no_changes") is not None
    # A workbook whose only edit is not imported says what was left out, and why.
    wb = openpyxl.load_workbook(tmp_path / "same.xlsx")
    sheet, ref = next(iter(wb.defined_names["RAG_amber"].destinations))
    wb[sheet][ref.replace("$", "")] = 0.5
    wb.save(tmp_path / "rag.xlsx")
    assert wd.import_plan_workbook(window, ctx, tmp_path / "rag.xlsx") is None
    boxes = [b for b in window.findChildren(QMessageBox, "import_no_changes")
             if "amber RAG threshold" in b.informativeText()]
    assert boxes and "not imported" in boxes[-1].informativeText()


def test_export_scenarios_from_the_lab(app, tmp_path):
    from jbp.commands import History
    from jbp.scenarios import CreateScenario
    from simulation.runner import run
    from simulation.scenario import Scenario

    window, ctx = app
    params = Scenario().to_dict()
    result = run(Scenario.from_dict(params), replications=3)
    History(ctx.workspace).run(CreateScenario("Baseline", params, result.to_bytes()))
    task = wd.export_scenarios(window, ctx, ["Baseline"], path=tmp_path / "s.xlsx")
    finish_tasks()
    assert task.result.exists()
    names = openpyxl.load_workbook(task.result).sheetnames
    assert names[:2] == ["Comparison", "Parameters"]


def test_export_dialog_starts_in_documents_remembers_the_folder_and_offers_to_open(
        app, tmp_path, monkeypatch):
    window, ctx = app
    plan = active_plan(ctx)
    asked = []
    target = tmp_path / "chosen" / "plan.xlsx"
    target.parent.mkdir()
    monkeypatch.setattr(wd, "ask_save_path", lambda *a: asked.append(a[2]) or target)
    wd.export_plan(window, ctx, plan.id)
    finish_tasks()
    suggested = wd.Path(asked[0])
    assert suggested.parent == wd.documents_folder()       # not the app-data folder
    assert suggested.parent != wd.Path(ctx.workspace.path).parent
    assert suggested.name == f"{plan.title}.xlsx"           # "×" kept, readable
    assert "×" in suggested.name and " _ " not in suggested.name
    box = next(w for w in QApplication.topLevelWidgets()
               if w.objectName() == "export_saved" and w.isVisible())
    buttons = {b.text() for b in box.buttons()}
    assert {"Open", "Show in folder"} <= buttons
    box.close()
    wd.remember_folder(target.parent)                      # what the real dialog does
    assert wd.start_folder() == target.parent


def test_safe_file_names_keep_words_and_drop_only_what_file_systems_refuse():
    assert wd._safe("Acme × Northwind JBP FY2026") == "Acme × Northwind JBP FY2026"
    assert wd._safe('Q1: "big" / small?') == "Q1- -big- - small-"
    assert wd._safe("  ") == "export"
