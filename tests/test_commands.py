"""Plan edits as commands: undo/redo, revision rows, agreement, amendments, new plans."""

from __future__ import annotations

import datetime as dt

import pytest

from jbp.commands import (
    AddComment,
    AddPart,
    ChangeStatus,
    DeletePart,
    Editor,
    History,
    Macro,
    ResolveComment,
    SetField,
    SignOffPlan,
)
from jbp.errors import TransitionError, ValidationError
from jbp.model import Goal, Kpi, Plan, TargetAccount
from jbp.plans import (
    CreatePlan,
    PlanDraft,
    amendments,
    draft_from_template,
    draft_rolled_forward,
)

VENDOR = Editor("Dana Whitfield", "vendor")
PARTNER = Editor("Alex Meyer", "partner")


@pytest.fixture
def plan_id(small_ws):
    draft = draft_from_template(small_ws, 1, 2026)
    return History(small_ws).run(CreatePlan(VENDOR, draft)).plan_id


def test_set_field_undo_redo_and_revision_rows(small_ws, plan_id):
    h = History(small_ws)
    kpi = small_ws.plan_document(plan_id).kpis[0]
    before = len(small_ws.revisions(plan_id))
    h.run(SetField(PARTNER, "kpi", kpi.id, "target_q1", "60,000"))
    assert small_ws.element("kpi", kpi.id).target_q1 == 60_000
    rev = small_ws.revisions(plan_id)[-1]
    assert (rev.author, rev.side, rev.element_kind, rev.element_id, rev.field, rev.old,
            rev.new, rev.action) == ("Alex Meyer", "partner", "kpi", kpi.id, "target_q1",
                                     kpi.target_q1, 60_000, "edit")
    assert len(small_ws.revisions(plan_id)) == before + 1
    h.undo()
    assert small_ws.element("kpi", kpi.id).target_q1 == kpi.target_q1
    assert small_ws.revisions(plan_id)[-1].action == "undo"
    h.redo()
    assert small_ws.element("kpi", kpi.id).target_q1 == 60_000
    assert len(small_ws.revisions(plan_id)) == before + 3


def test_bad_values_name_the_field_and_change_nothing(small_ws, plan_id):
    kpi = small_ws.plan_document(plan_id).kpis[0]
    with pytest.raises(ValidationError, match="KPI Target Q1: 'lots' is not a number"):
        SetField(VENDOR, "kpi", kpi.id, "target_q1", "lots")
    with pytest.raises(ValidationError, match="KPI Unit: 'miles' is not one of"):
        SetField(VENDOR, "kpi", kpi.id, "unit", "miles")
    with pytest.raises(ValidationError, match="KPI Target Q2: a currency value cannot be "
                                              "negative"):
        History(small_ws).run(SetField(VENDOR, "kpi", kpi.id, "target_q2", -5))
    with pytest.raises(ValidationError, match="Plan Status: is changed through"):
        SetField(VENDOR, "plan", plan_id, "status", "Approved")
    assert small_ws.element("kpi", kpi.id) == kpi


def test_add_and_delete_parts_undo(small_ws, plan_id):
    h = History(small_ws)
    doc = small_ws.plan_document(plan_id)
    goal = doc.goals[0]
    n_kpis = len(doc.kpis_of(goal.id))
    h.run(AddComment(PARTNER, plan_id, "kpi", doc.kpis_of(goal.id)[0].id, "too high"))
    h.run(DeletePart(VENDOR, "goal", goal.id))
    after = small_ws.plan_document(plan_id)
    assert goal.id not in [g.id for g in after.goals]
    assert len(after.kpis) == len(doc.kpis) - n_kpis
    assert after.comments == []
    h.undo()
    restored = small_ws.plan_document(plan_id)
    assert [g.id for g in restored.goals] == [g.id for g in doc.goals]
    assert restored.kpis == doc.kpis
    assert restored.comments[0].text == "too high"
    add = h.run(AddPart(VENDOR, Kpi(goal_id=goal.id, name="New", unit="count")))
    assert small_ws.element("kpi", add.element_id).name == "New"
    h.undo()
    with pytest.raises(ValidationError):
        small_ws.element("kpi", add.element_id)
    h.redo()
    assert small_ws.element("kpi", add.element_id).name == "New"


def test_comments_thread_and_resolve(small_ws, plan_id):
    h = History(small_ws)
    init = small_ws.plan_document(plan_id).initiatives[0]
    c1 = h.run(AddComment(PARTNER, plan_id, "initiative", init.id, "Need MDF by Jan"))
    h.run(AddComment(VENDOR, plan_id, "initiative", init.id, "Approved next week"))
    thread = [c for c in small_ws.comments(plan_id) if c.element_id == init.id]
    assert [(c.author, c.side) for c in thread] == [("Alex Meyer", "partner"),
                                                    ("Dana Whitfield", "vendor")]
    assert all(c.created_at for c in thread)
    h.run(ResolveComment(VENDOR, plan_id, c1.comment_id))
    assert small_ws.comments(plan_id)[0].resolved is True
    h.undo()
    assert small_ws.comments(plan_id)[0].resolved is False
    with pytest.raises(ValidationError):
        h.run(AddComment(PARTNER, plan_id, "goal", 9999, "?"))


def test_agreement_needs_both_sides_and_freezes_a_baseline(small_ws, plan_id):
    h = History(small_ws)
    with pytest.raises(TransitionError, match="can move to In review, not to Approved"):
        h.run(ChangeStatus(VENDOR, plan_id, "Approved"))
    with pytest.raises(TransitionError, match="Only a plan in review can be signed"):
        h.run(SignOffPlan(VENDOR, plan_id))
    h.run(ChangeStatus(VENDOR, plan_id, "In review"))
    h.run(SignOffPlan(VENDOR, plan_id))
    with pytest.raises(TransitionError, match="vendor side has already signed"):
        h.run(SignOffPlan(Editor("Other", "vendor"), plan_id))
    with pytest.raises(TransitionError, match="missing: partner side"):
        h.run(ChangeStatus(VENDOR, plan_id, "Approved"))
    h.run(SignOffPlan(PARTNER, plan_id))
    h.run(ChangeStatus(PARTNER, plan_id, "Approved"))
    plan = small_ws.plan(plan_id)
    assert plan.status == "Approved" and plan.baseline and plan.approved_at
    doc = small_ws.plan_document(plan_id)
    assert amendments(small_ws, doc) == []
    # Amend: change a target, add an account, delete a risk.
    kpi = doc.kpis[0]
    h.run(SetField(PARTNER, "kpi", kpi.id, "target_q4", 999_000))
    h.run(AddPart(VENDOR, TargetAccount(plan_id=plan_id, name="Polaris")))
    h.run(DeletePart(VENDOR, "risk", doc.risks[0].id))
    diff = amendments(small_ws, small_ws.plan_document(plan_id))
    rows = {(a.kind, a.field): a for a in diff}
    changed = rows[("kpi", "Target Q4")]
    assert (changed.baseline, changed.current, changed.author, changed.side) == (
        "125,000", "999,000", "Alex Meyer", "partner")
    assert rows[("account", "(added)")].author == "Dana Whitfield"
    assert rows[("risk", "(removed)")].baseline == "present"
    assert len(diff) == 3
    # Undo the approval: back in review, signatures restored, baseline gone.
    for _ in range(3):
        h.undo()
    h.undo()
    assert small_ws.plan(plan_id).status == "In review"
    assert small_ws.plan(plan_id).baseline is None
    assert {s.side for s in small_ws.signoffs(plan_id)} == {"vendor", "partner"}


def test_reentering_review_withdraws_signoffs(small_ws, plan_id):
    h = History(small_ws)
    h.run(ChangeStatus(VENDOR, plan_id, "In review"))
    h.run(SignOffPlan(VENDOR, plan_id))
    h.run(ChangeStatus(VENDOR, plan_id, "Draft"))
    h.run(ChangeStatus(VENDOR, plan_id, "In review"))
    assert small_ws.signoffs(plan_id) == []
    h.undo()
    assert [s.side for s in small_ws.signoffs(plan_id)] == ["vendor"]


def test_template_plan_has_every_part(small_ws, plan_id):
    doc = small_ws.plan_document(plan_id)
    assert doc.plan.title == "Acme × Northwind Partner Network JBP FY2026"
    assert doc.plan.status == "Draft"
    assert len(doc.goals) == 3 and len(doc.kpis) >= 6
    assert doc.initiatives and doc.rules and doc.risks
    assert doc.initiatives[0].goal_ids == [doc.goals[0].id]
    assert doc.initiatives[0].start_date == dt.date(2026, 1, 1)


def test_roll_forward_carries_targets_and_clears_actuals(small_ws, plan_id):
    h = History(small_ws)
    kpi = small_ws.plan_document(plan_id).kpis[0]
    h.run(SetField(VENDOR, "kpi", kpi.id, "actual_q1", 40_000))
    new = h.run(CreatePlan(VENDOR, draft_rolled_forward(small_ws, plan_id)))
    old_doc, new_doc = small_ws.plan_document(plan_id), small_ws.plan_document(new.plan_id)
    assert new_doc.plan.fiscal_year == 2027 and new_doc.plan.status == "Draft"
    assert "2027" in new_doc.plan.title
    assert [k.targets for k in new_doc.kpis] == [k.targets for k in old_doc.kpis]
    assert all(a is None for k in new_doc.kpis for a in k.actuals)
    assert new_doc.initiatives[0].start_date == dt.date(2027, 1, 1)
    assert new_doc.initiatives[0].goal_ids == [new_doc.goals[0].id]
    with pytest.raises(ValidationError, match="already has a plan for FY2027"):
        draft_rolled_forward(small_ws, plan_id)
    h.undo()
    assert [p.id for p in small_ws.plans()] == [plan_id]


def test_macro_is_all_or_nothing(small_ws, plan_id):
    kpi = small_ws.plan_document(plan_id).kpis[0]
    good = SetField(PARTNER, "kpi", kpi.id, "target_q1", 1)
    bad = SetField(PARTNER, "kpi", kpi.id, "target_q2", -1)  # refused on apply
    with pytest.raises(ValidationError):
        History(small_ws).run(Macro("Workbook edits", [good, bad]))
    assert small_ws.element("kpi", kpi.id).target_q1 == kpi.target_q1


def test_create_plan_for_unknown_partner(small_ws):
    draft = PlanDraft(plan=Plan(title="X", partner_id=99, fiscal_year=2026))
    with pytest.raises(ValidationError, match="no partner with id 99"):
        History(small_ws).run(CreatePlan(VENDOR, draft))


def test_editor_is_validated():
    with pytest.raises(ValidationError, match="Side: 'customer' is not one of"):
        Editor("Zoe", "customer")
    with pytest.raises(ValidationError, match="Your name: a value is required"):
        Editor("  ", "vendor")


def test_goal_added_to_plan(small_ws, plan_id):
    h = History(small_ws)
    add = h.run(AddPart(VENDOR, Goal(plan_id=plan_id, title="Expand to APAC")))
    doc = small_ws.plan_document(plan_id)
    assert doc.goals[-1].id == add.element_id


def test_deleting_a_goal_unlinks_initiatives_and_undo_relinks(small_ws, plan_id):
    h = History(small_ws)
    doc = small_ws.plan_document(plan_id)
    goal = doc.goals[0]
    linked = [i.id for i in doc.initiatives if goal.id in i.goal_ids]
    assert linked
    h.run(DeletePart(VENDOR, "goal", goal.id))
    assert all(goal.id not in small_ws.element("initiative", i).goal_ids for i in linked)
    h.undo()
    assert all(goal.id in small_ws.element("initiative", i).goal_ids for i in linked)


def test_failed_macro_leaves_no_revisions_and_a_fresh_session(small_ws, plan_id):
    kpi = small_ws.plan_document(plan_id).kpis[0]
    before = small_ws.revisions(plan_id)
    good = SetField(PARTNER, "kpi", kpi.id, "target_q1", 1)
    bad = SetField(PARTNER, "kpi", kpi.id, "target_q2", -1)
    with pytest.raises(ValidationError):
        History(small_ws).run(Macro("Workbook edits", [good, bad]))
    assert small_ws.revisions(plan_id) == before
    assert not small_ws.is_stale(plan_id)
    # The next edit is not refused as stale.
    History(small_ws).run(SetField(PARTNER, "kpi", kpi.id, "target_q1", 2))
    assert small_ws.element("kpi", kpi.id).target_q1 == 2
