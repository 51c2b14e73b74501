"""Undo per document (as Qt's QUndoGroup intends): each plan, the scenario set and the program keep their
own history in one QUndoGroup, Ctrl+Z acts on the one in view, texts are in words, and an
undo that fails is never reported as undone."""

from __future__ import annotations

import pytest
from gui_support import ctx, finish_tasks, no_thread_left  # noqa: F401

from jbp.commands import Editor, SetField
from jbp.scenarios import CreateScenario, scenario_by_name
from ui.context import SCENARIOS, plan_document

pytestmark = pytest.mark.gui


@pytest.fixture
def editing(ctx):
    ctx.set_editor(Editor("Dana Whitfield", "vendor"))
    return ctx


def first_kpi(ws):
    plan = ws.plans()[0]
    doc = ws.plan_document(plan.id)
    return plan.id, doc.kpis[0]


def test_each_document_has_its_own_history_and_ctrl_z_acts_on_the_one_in_view(editing):
    ctx = editing
    ws = ctx.workspace
    plan_id, kpi = first_kpi(ws)
    before = kpi.target_q1
    assert ctx.run(SetField(ctx.editor, "kpi", kpi.id, "target_q1", 650_000))
    assert ctx.run(CreateScenario("Bigger MDF", {}))
    assert ctx.stack(plan_document(plan_id)).count() == 1
    assert ctx.stack(SCENARIOS).count() == 1
    ctx.activate(plan_document(plan_id))      # the plan is in view
    ctx.undo_group.undo()
    assert ws.element("kpi", kpi.id).target_q1 == before
    assert scenario_by_name(ws, "Bigger MDF") is not None
    assert ctx.stack(SCENARIOS).canUndo()     # the scenario edit was not touched
    ctx.activate(SCENARIOS)
    assert ctx.undo_group.undoText() == "New scenario Bigger MDF"


def test_undo_text_is_in_words(editing):
    ctx = editing
    ws = ctx.workspace
    plan_id, kpi = first_kpi(ws)
    old = kpi.target_q1
    assert ctx.run(SetField(ctx.editor, "kpi", kpi.id, "target_q1", 650_000))
    text = ctx.stack(plan_document(plan_id)).undoText()
    assert text == f"Target Q1 of {kpi.name} {old:,.0f} → 650,000"
    action = ctx.undo_group.createUndoAction(ctx, "Undo:")
    assert action.text() == f"Undo: {text}"
    assert "_" not in text and "kpi" not in text


def test_undo_text_of_a_percent_kpi_reads_in_percent(editing):
    ctx = editing
    ws = ctx.workspace
    for plan in ws.plans():
        doc = ws.plan_document(plan.id)
        rate = next((k for k in doc.kpis if k.unit == "percent"), None)
        if rate is not None:
            break
    assert rate is not None
    assert ctx.run(SetField(ctx.editor, "kpi", rate.id, "target_q2", 0.3))
    old = "empty" if rate.target_q2 is None else f"{rate.target_q2 * 100:.1f}%".replace(
        ".0%", "%")
    assert ctx.stack(plan_document(plan.id)).undoText() == \
        f"Target Q2 of {rate.name} {old} → 30%"


def test_an_undo_that_fails_is_marked_obsolete_the_history_cleared_and_the_user_told(
        qtbot, editing, demo_path):
    from jbp.store import Workspace

    ctx = editing
    ws = ctx.workspace
    plan_id, kpi = first_kpi(ws)
    assert ctx.run(SetField(ctx.editor, "kpi", kpi.id, "target_q1", 650_000))
    assert ctx.run(SetField(ctx.editor, "kpi", kpi.id, "target_q2", 700_000))
    stack = ctx.stack(plan_document(plan_id))
    # another session deletes the KPI
    with Workspace.open(demo_path) as other, other.transaction(plan_id):
        other.delete_part("kpi", kpi.id)
    messages = []
    ctx.error.connect(messages.append)
    stack.undo()
    assert messages and "Could not undo" in messages[-1]
    assert "history of this document was cleared" in messages[-1]
    qtbot.waitUntil(lambda: stack.count() == 0, timeout=2_000)
    assert not stack.canUndo() and not stack.canRedo()
