"""Round trip of the plan workbook: export, edit as a partner would (openpyxl), import, and
find exactly the edits; refuse untrustworthy workbooks with one message per problem and
change nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import openpyxl
import pytest
from openpyxl.comments import Comment as CellNote

from exporters import plan_workbook as pw
from exporters.plan_workbook import export_plan
from exporters.roundtrip import (
    WorkbookError,
    apply_import,
    build_import,
    read_plan_workbook,
)
from jbp.commands import Editor, History, SetField
from jbp.demo import AS_OF

PARTNER = Editor("Alex Meyer", "partner")
VENDOR = Editor("Dana Whitfield", "vendor")


def active_plan(ws):
    return next(p for p in ws.plans() if p.status == "Active")


def state(ws, plan_id):
    """Everything a failed import must leave as it was."""
    doc = ws.plan_document(plan_id)
    return (doc.snapshot(), [(c.id, c.text, c.resolved) for c in doc.comments],
            len(ws.revisions(plan_id)))


def find_row(sheet, value, col=1):
    for row in sheet.iter_rows(min_col=col, max_col=col):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{value!r} not found in {sheet.title}")


def header_col(sheet, text, row=pw.HEADER_ROW):
    for cell in sheet[row]:
        if cell.value == text:
            return cell.column
    raise AssertionError(f"no column {text!r} in {sheet.title}")


@pytest.fixture
def exported(demo_ws, tmp_path):
    plan = active_plan(demo_ws)
    path = tmp_path / "plan.xlsx"
    export_plan(demo_ws, plan.id, path, as_of=AS_OF)
    return demo_ws, plan.id, path


def edit(path, out, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(out)
    return out


def test_unedited_workbook_has_no_changes(demo_ws, tmp_path):
    for plan in demo_ws.plans():  # every status, with and without accounts or comments
        path = export_plan(demo_ws, plan.id, tmp_path / f"plan{plan.id}.xlsx", as_of=AS_OF)
        review = read_plan_workbook(demo_ws, path, plan_id=plan.id)
        assert review.plan_id == plan.id
        assert review.changes == [] and review.notes == [], plan.title


def test_partner_edits_are_found_exactly(exported, tmp_path):
    ws, plan_id, path = exported
    doc = ws.plan_document(plan_id)
    first, second, third = doc.initiatives[:3]
    kpi = doc.kpis_of(doc.goals[0].id)[0]

    def partner(wb):
        ini = wb[pw.INITIATIVES]
        r1, r2 = find_row(ini, first.title), find_row(ini, second.title)
        ini.cell(r1, header_col(ini, "MDF requested")).value = 22000
        ini.cell(r2, header_col(ini, "Status")).value = "on hold"  # any case, as typed
        ini.cell(r2, header_col(ini, "Owner")).value = "Sam Chen"
        ini.delete_rows(find_row(ini, third.title))
        total = find_row(ini, "Total")
        ini.insert_rows(total)
        for header, value in (("Initiative", "Partner roadshow"), ("Type", "GTM campaign"),
                              ("Owner side", "partner"), ("Status", "Planned"),
                              ("MDF requested", 8000), ("Start", dt.datetime(2026, 12, 1))):
            ini.cell(total, header_col(ini, header)).value = value
        acc = wb[pw.ACCOUNTS]
        total = find_row(acc, "Total")
        acc.cell(total + 2, 1).value = "Helios Energy"  # typed below the total row
        acc.cell(total + 2, header_col(acc, "Stage")).value = "Engaged"
        acc.cell(total + 2, header_col(acc, "Potential")).value = "$45k"
        kpis = wb[pw.KPIS]
        row = find_row(kpis, kpi.name)
        kpis.cell(row, pw.K_ACTUAL + 3).value = 333000
        kpis.cell(row, pw.K_ATT).value = 99  # a calculated cell: ignored
        kpis.cell(row, pw.K_TARGET).comment = CellNote("Q1 started late", "Alex Meyer")
        com = wb[pw.COMMENTS]
        r = com.max_row + 1
        com.cell(r, 1).value = f"{pw.ref('initiative', first.id)} · Initiative: x"
        com.cell(r, 2).value = "Sam Chen"
        com.cell(r, 5).value = "Can MDF be approved by January?"
        cover = wb[pw.COVER]
        cover.cell(find_row(cover, "Partner executive sponsor"), 2).value = "Raj (CEO)"

    out = edit(path, tmp_path / "edited.xlsx", partner)
    review = read_plan_workbook(ws, out, plan_id=plan_id)
    got = {(c.action, c.kind, c.element_id, c.field): c for c in review.changes}
    assert set(got) == {
        ("edit", "initiative", first.id, "mdf_requested"),
        ("edit", "initiative", second.id, "status"),
        ("edit", "initiative", second.id, "owner"),
        ("delete", "initiative", third.id, "*"),
        ("add", "initiative", None, "*"),
        ("add", "account", None, "*"),
        ("edit", "kpi", kpi.id, "actual_q4"),
        ("comment", "kpi", kpi.id, "comment"),
        ("comment", "initiative", first.id, "comment"),
        ("edit", "plan", plan_id, "partner_sponsor"),
    }
    change = got[("edit", "initiative", first.id, "mdf_requested")]
    assert (change.old, change.new) == (first.mdf_requested, 22000.0)
    assert change.sheet == pw.INITIATIVES and change.row == find_row(
        openpyxl.load_workbook(out)[pw.INITIATIVES], first.title)
    assert got[("edit", "initiative", second.id, "status")].new == "On hold"
    added = got[("add", "account", None, "*")].new
    assert added["name"] == "Helios Energy" and added["potential"] == 45000.0
    assert got[("add", "initiative", None, "*")].new["start_date"] == dt.date(2026, 12, 1)

    before = len(ws.revisions(plan_id, side="partner"))
    macro = apply_import(ws, review, review.changes, PARTNER)
    after = ws.plan_document(plan_id)
    assert after.plan.partner_sponsor == "Raj (CEO)"
    assert next(i for i in after.initiatives if i.id == first.id).mdf_requested == 22000
    assert third.id not in {i.id for i in after.initiatives}
    assert "Partner roadshow" in {i.title for i in after.initiatives}
    assert "Helios Energy" in {a.name for a in after.accounts}
    texts = {(c.author, c.side, c.text) for c in after.comments}
    assert ("Sam Chen", "partner", "Can MDF be approved by January?") in texts
    assert ("Alex Meyer", "partner", "Q1 started late") in texts
    revs = ws.revisions(plan_id, side="partner")
    assert len(revs) > before and all(r.side == "partner" for r in revs[before:])

    # The whole import is one undoable step, and redo brings back the same elements.
    applied = state(ws, plan_id)[:2]
    macro.undo(ws)
    assert state(ws, plan_id)[0] == doc.snapshot()
    macro.do(ws)
    assert state(ws, plan_id)[:2] == applied


def test_reimport_after_apply_finds_nothing(exported, tmp_path):
    ws, _plan_id, path = exported

    def partner(wb):
        ini = wb[pw.INITIATIVES]
        ini.cell(pw.FIRST_ROW, header_col(ini, "Owner")).value = "Someone"

    out = edit(path, tmp_path / "e.xlsx", partner)
    review = read_plan_workbook(ws, out)
    apply_import(ws, review, review.changes, PARTNER)
    again = read_plan_workbook(ws, out)
    assert again.changes == []  # the workspace already holds every value


def test_changes_can_be_accepted_one_by_one(exported, tmp_path):
    ws, plan_id, path = exported

    def partner(wb):
        ini = wb[pw.INITIATIVES]
        ini.cell(pw.FIRST_ROW, header_col(ini, "Owner")).value = "A"
        ini.cell(pw.FIRST_ROW + 1, header_col(ini, "Owner")).value = "B"

    review = read_plan_workbook(ws, edit(path, tmp_path / "e.xlsx", partner))
    assert len(review.changes) == 2
    apply_import(ws, review, review.changes[1:], PARTNER)
    owners = [i.owner for i in ws.plan_document(plan_id).initiatives[:2]]
    assert owners[0] != "A" and owners[1] == "B"


def test_new_goal_with_kpis_and_linked_goals(exported, tmp_path):
    ws, plan_id, path = exported
    doc = ws.plan_document(plan_id)
    goal = doc.goals[1]

    def partner(wb):
        kpis = wb[pw.KPIS]
        r = kpis.max_row + 1
        kpis.cell(r, pw.K_NAME).value = "Expand into healthcare"
        kpis.cell(r + 1, pw.K_NAME).value = "Healthcare pipeline"
        kpis.cell(r + 1, pw.K_UNIT).value = "currency"
        kpis.cell(r + 1, pw.K_TARGET).value = 10000
        ini = wb[pw.INITIATIVES]
        ini.cell(pw.FIRST_ROW, header_col(ini, "Linked goals")).value = \
            f"{pw.ref('goal', goal.id)}; g{doc.goals[0].id}"

    review = read_plan_workbook(ws, edit(path, tmp_path / "e.xlsx", partner))
    kinds = sorted((c.action, c.kind) for c in review.changes)
    assert kinds == [("add", "goal"), ("add", "kpi"), ("edit", "initiative")]
    new_kpi = next(c for c in review.changes if c.kind == "kpi")
    with pytest.raises(Exception, match="new goal"):
        build_import(ws, review, [new_kpi], PARTNER)
    apply_import(ws, review, review.changes, PARTNER)
    after = ws.plan_document(plan_id)
    new_goal = next(g for g in after.goals if g.title == "Expand into healthcare")
    assert [k.name for k in after.kpis_of(new_goal.id)] == ["Healthcare pipeline"]
    assert after.initiatives[0].goal_ids == [goal.id, doc.goals[0].id]
    # ... and the new rows come back out with their own ids.
    export_plan(ws, plan_id, tmp_path / "again.xlsx", as_of=AS_OF)
    assert read_plan_workbook(ws, tmp_path / "again.xlsx").changes == []


def test_workspace_edits_since_export_are_kept_and_conflicts_marked(exported, tmp_path):
    ws, plan_id, path = exported
    doc = ws.plan_document(plan_id)
    first, second = doc.initiatives[:2]
    History(ws).run(SetField(VENDOR, "initiative", first.id, "owner", "Vendor Person"))
    History(ws).run(SetField(VENDOR, "initiative", second.id, "owner", "Vendor Two"))

    def partner(wb):
        ini = wb[pw.INITIATIVES]
        ini.cell(find_row(ini, second.title), header_col(ini, "Owner")).value = "Partner Two"

    review = read_plan_workbook(ws, edit(path, tmp_path / "e.xlsx", partner))
    # The first owner was not touched in the workbook: the vendor's change stays.
    assert [(c.element_id, c.field) for c in review.changes] == [(second.id, "owner")]
    change = review.changes[0]
    assert change.old == "Vendor Two" and change.new == "Partner Two"
    assert "changed in the workspace" in change.conflict
    assert review.plan_changed_since and review.notes


def test_cross_field_rules_hold_in_any_order(exported, tmp_path):
    ws, plan_id, path = exported
    doc = ws.plan_document(plan_id)
    ini = next(i for i in doc.initiatives if i.mdf_requested)

    def partner(wb):
        s = wb[pw.INITIATIVES]
        r = find_row(s, ini.title)
        # Approved above the old request is valid only once the request is raised too.
        s.cell(r, header_col(s, "MDF approved")).value = 40000
        s.cell(r, header_col(s, "MDF requested")).value = 50000

    review = read_plan_workbook(ws, edit(path, tmp_path / "e.xlsx", partner))
    apply_import(ws, review, review.changes, PARTNER)
    got = ws.element("initiative", ini.id)
    assert (got.mdf_requested, got.mdf_approved) == (50000, 40000)


def problems_of(ws, path, plan_id=None):
    with pytest.raises(WorkbookError) as info:
        read_plan_workbook(ws, path, plan_id=plan_id)
    return info.value.problems


def test_wrong_types_name_sheet_row_column_and_reason(exported, tmp_path):
    ws, plan_id, path = exported
    before = state(ws, plan_id)

    def partner(wb):
        ini = wb[pw.INITIATIVES]
        ini.cell(pw.FIRST_ROW, header_col(ini, "MDF requested")).value = "lots"
        ini.cell(pw.FIRST_ROW + 1, header_col(ini, "Status")).value = "Finished"
        ini.cell(pw.FIRST_ROW + 1, header_col(ini, "Start")).value = "next week"
        wb[pw.KPIS].cell(pw.FIRST_ROW + 1, pw.K_ACTUAL).value = -5  # a negative count

    problems = problems_of(ws, edit(path, tmp_path / "e.xlsx", partner))
    text = "\n".join(problems)
    assert f"Initiatives row {pw.FIRST_ROW}, column 'MDF requested': 'lots' is not a number" \
        in text
    assert f"Initiatives row {pw.FIRST_ROW + 1}, column 'Status': 'Finished' is not one of" \
        in text
    assert "column 'Start'" in text and "is not a date" in text
    assert "cannot be negative" in text
    assert len(problems) == 4
    assert state(ws, plan_id) == before


def test_tampered_and_copied_ids_are_refused(exported, tmp_path):
    ws, plan_id, path = exported
    other = next(p for p in ws.plans() if p.id != plan_id)
    other_doc = ws.plan_document(other.id)

    def tamper(wb):
        ini = wb[pw.INITIATIVES]
        marks = len(pw.INITIATIVE_COLS) + 2
        ini.cell(pw.FIRST_ROW, marks + 1).value = other_doc.initiatives[0].id  # another plan's
        ini.cell(pw.FIRST_ROW + 1, marks + 1).value = "abc"
        acc = wb[pw.ACCOUNTS]
        amarks = len(pw.ACCOUNT_COLS) + 2
        ids = [acc.cell(r, amarks + 1).value for r in (pw.FIRST_ROW, pw.FIRST_ROW + 1)]
        checks = [acc.cell(r, amarks + 2).value for r in (pw.FIRST_ROW, pw.FIRST_ROW + 1)]
        # A copied row: the same id and check twice.
        acc.cell(pw.FIRST_ROW + 1, amarks + 1).value = ids[0]
        acc.cell(pw.FIRST_ROW + 1, amarks + 2).value = checks[0]

    problems = problems_of(ws, edit(path, tmp_path / "t.xlsx", tamper))
    assert any(f"Initiatives row {pw.FIRST_ROW}: its hidden id was changed" in p
               for p in problems)
    assert any(f"Initiatives row {pw.FIRST_ROW + 1}: its hidden id 'abc' was changed" in p
               for p in problems)
    assert any("carry the same hidden id" in p for p in problems)


def test_workbook_of_another_plan_or_workspace(exported, tmp_path, demo_master):
    ws, plan_id, path = exported
    other = next(p for p in ws.plans() if p.id != plan_id)
    problems = problems_of(ws, path, plan_id=other.id)
    assert f"not of '{other.title}' (plan {other.id})" in problems[0]

    # A workspace made separately (same demo content, its own identity).
    from jbp.store import Workspace

    copy = tmp_path / "elsewhere.jbp"
    shutil.copy(demo_master, copy)
    with Workspace.open(copy) as elsewhere:
        problems = problems_of(elsewhere, path)
    assert "comes from another workspace" in problems[0]


def test_altered_hidden_sheet_is_refused(exported, tmp_path):
    ws, _plan_id, path = exported

    def alter(wb):
        meta = wb[pw.META]
        for row in meta.iter_rows(min_col=1, max_col=2):
            if row[0].value == "plan_version":
                row[1].value = 999

    assert "was changed" in problems_of(ws, edit(path, tmp_path / "m.xlsx", alter))[0]

    def drop(wb):
        del wb[pw.META]

    assert "was not exported by JBP Studio" in problems_of(
        ws, edit(path, tmp_path / "d.xlsx", drop))[0]

    def lose_sheet(wb):
        del wb[pw.INITIATIVES]

    assert "sheet 'Initiatives' is missing" in problems_of(
        ws, edit(path, tmp_path / "s.xlsx", lose_sheet))[0]


def test_damaged_and_foreign_files(exported, tmp_path):
    ws, plan_id, path = exported
    before = state(ws, plan_id)
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(path.read_bytes()[:3000])
    assert "damaged" in problems_of(ws, truncated)[0]
    text = tmp_path / "notes.xlsx"
    text.write_text("partner,revenue\nAcme,1\n")
    assert "is not an Excel workbook" in problems_of(ws, text)[0]
    foreign = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Budget"
    wb.save(foreign)
    assert "was not exported by JBP Studio" in problems_of(ws, foreign)[0]
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet2"):
                data = data[: len(data) // 2]  # cut in the middle of the XML
            dst.writestr(item, data)
    assert "damaged" in problems_of(ws, broken)[0]
    assert problems_of(ws, tmp_path / "missing.xlsx") == ["no such file"]
    assert state(ws, plan_id) == before


def test_failed_apply_changes_nothing(exported, tmp_path):
    ws, plan_id, path = exported
    doc = ws.plan_document(plan_id)
    target = doc.initiatives[1]

    def partner(wb):
        s = wb[pw.INITIATIVES]
        s.cell(find_row(s, doc.initiatives[0].title), header_col(s, "Owner")).value = "X"
        s.cell(find_row(s, target.title), header_col(s, "Owner")).value = "Y"

    review = read_plan_workbook(ws, edit(path, tmp_path / "e.xlsx", partner))
    before = state(ws, plan_id)
    # Someone deletes the second initiative between review and apply.
    from jbp.commands import DeletePart

    History(ws).run(DeletePart(VENDOR, "initiative", target.id))
    before = state(ws, plan_id)
    with pytest.raises(Exception):  # noqa: B017 - whichever domain error the store raises
        apply_import(ws, review, review.changes, PARTNER)
    assert state(ws, plan_id) == before
    # and the session can still edit the plan afterwards (not stale)
    History(ws).run(SetField(VENDOR, "plan", plan_id, "vendor_owner", "Still works"))


def test_cli_import_plan(exported, tmp_path, capsys):
    from ui.cli import main

    ws, plan_id, path = exported
    ws.close()

    def partner(wb):
        s = wb[pw.INITIATIVES]
        s.cell(pw.FIRST_ROW, header_col(s, "Owner")).value = "CLI owner"
        s.cell(pw.FIRST_ROW + 1, header_col(s, "Owner")).value = "Other owner"

    out = edit(path, tmp_path / "e.xlsx", partner)
    ws_path = ws.path
    assert main(["import-plan", str(ws_path), str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "1. Change Initiative" in text and "CLI owner" in text
    assert main(["import-plan", str(ws_path), str(out), "--accept", "2",
                 "--author", "Sam Chen"]) == 0
    from jbp.store import Workspace

    with Workspace.open(ws_path) as again:
        owners = [i.owner for i in again.plan_document(plan_id).initiatives[:2]]
        revs = again.revisions(plan_id, side="partner")
    assert owners[1] == "Other owner" and owners[0] != "CLI owner"
    assert revs[-1].author == "Sam Chen"
    assert main(["import-plan", str(ws_path), str(out), "--accept-all"]) == 0
    bad = tmp_path / "bad.xlsx"
    bad.write_text("nope")
    assert main(["import-plan", str(ws_path), str(bad), "--accept-all"]) == 2
    assert "nothing was changed" in capsys.readouterr().err


def test_deleting_a_goal_takes_its_kpis_and_keeps_the_round_trip_clean(exported, tmp_path):
    ws, plan_id, path = exported
    doc = ws.plan_document(plan_id)
    goal = next(g for g in doc.goals
                if any(goal_ref == g.id for i in doc.initiatives for goal_ref in i.goal_ids))

    def partner(wb):
        kpis = wb[pw.KPIS]
        first = find_row(kpis, goal.title)
        kpis.delete_rows(first, 1 + len(doc.kpis_of(goal.id)))

    review = read_plan_workbook(ws, edit(path, tmp_path / "e.xlsx", partner))
    assert {(c.action, c.kind) for c in review.changes} == {("delete", "goal"),
                                                           ("delete", "kpi")}
    apply_import(ws, review, review.changes, PARTNER)
    after = ws.plan_document(plan_id)
    assert goal.id not in {g.id for g in after.goals}
    assert not after.kpis_of(goal.id)
    export_plan(ws, plan_id, tmp_path / "again.xlsx", as_of=AS_OF)
    assert read_plan_workbook(ws, tmp_path / "again.xlsx").changes == []


def test_a_number_typed_into_linked_goals(exported, tmp_path):
    ws, plan_id, path = exported
    doc = ws.plan_document(plan_id)

    def partner(wb):
        s = wb[pw.INITIATIVES]
        s.cell(pw.FIRST_ROW, header_col(s, "Linked goals")).value = doc.goals[-1].id
        s.cell(pw.FIRST_ROW + 1, header_col(s, "Linked goals")).value = 2.5

    problems = problems_of(ws, edit(path, tmp_path / "e.xlsx", partner))
    assert problems == [f"Initiatives row {pw.FIRST_ROW + 1}, column 'Linked goals': 2.5 is "
                        "not a goal reference like G12"]
