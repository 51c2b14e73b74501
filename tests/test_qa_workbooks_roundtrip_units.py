"""A partner's edits to percent and currency KPIs, read back from the real workbook file, are
listed in the KPI's unit (a win rate as 52%, not 0.52), as the plan editor shows them; a
whole number typed into a percent KPI (55 meant as 55%) is flagged with the sheet, row and
column, because the cell holds a fraction and 55 is 5500%. A goal row deleted while its KPI
rows stay is refused (deleting a goal deletes its KPIs), and a resolved comment reads yes/no."""

from __future__ import annotations

import openpyxl
import pytest

from exporters import plan_workbook as pw
from exporters.plan_workbook import export_plan
from exporters.roundtrip import WorkbookError, read_plan_workbook, review_as_text
from jbp.demo import AS_OF


def header_col(sheet, text):
    return next(c.column for c in sheet[pw.HEADER_ROW] if c.value == text)


@pytest.fixture
def exported(demo_ws, tmp_path):
    plan = next(p for p in demo_ws.plans() if p.status == "Active")
    doc = demo_ws.plan_document(plan.id)
    percent = next(k for k in doc.kpis if k.unit == "percent" and k.target_q2 is not None)
    money = next(k for k in doc.kpis if k.unit == "currency" and k.target_q1 is not None)
    path = tmp_path / "plan.xlsx"
    export_plan(demo_ws, plan.id, path, as_of=AS_OF)
    return demo_ws, plan.id, path, percent, money


def edit_kpis(path, cells):
    """Type ``cells`` ({(KPI name, header): value}) into the Goals & KPIs sheet and save."""
    wb = openpyxl.load_workbook(path)
    sheet = wb[pw.KPIS]
    rows = {sheet.cell(r, 1).value: r for r in range(pw.FIRST_ROW, sheet.max_row + 1)}
    for (name, header), value in cells.items():
        sheet.cell(rows[name], header_col(sheet, header), value)
    wb.save(path)
    return rows


def test_percent_and_money_changes_are_listed_in_the_kpis_unit(exported):
    ws, plan_id, path, percent, money = exported
    edit_kpis(path, {(percent.name, "Target Q2"): "52.5%",
                     (money.name, "Target Q1"): money.target_q1 + 1500})
    review = read_plan_workbook(ws, path, plan_id=plan_id)
    by_kpi = {c.element.split(": ", 1)[1]: c for c in review.changes}
    rate = by_kpi[percent.name]
    assert rate.new == pytest.approx(0.525)  # stored as a fraction, as the app keeps it
    assert rate.old_text == f"{percent.target_q2 * 100:.1f}%".replace(".0%", "%")
    assert rate.new_text == "52.5%"
    assert f"'{rate.old_text}' → '52.5%'" in review_as_text(review)
    cash = by_kpi[money.name]
    assert cash.new_text == f"{money.target_q1 + 1500:,.0f}"
    assert not review.notes


def test_a_whole_number_typed_into_a_percent_kpi_is_flagged(exported):
    ws, plan_id, path, percent, _ = exported
    rows = edit_kpis(path, {(percent.name, "Target Q2"): 55})
    review = read_plan_workbook(ws, path, plan_id=plan_id)
    (change,) = review.changes
    assert change.new == 55 and change.new_text == "5500%"
    (note,) = review.notes
    row = rows[percent.name]
    assert note.startswith(f"{pw.KPIS} row {row}, column 'Target Q2': 55 in a percent KPI "
                           "is 5500%")
    assert "if you meant 55%" in note
    assert f"note: {note}" in review_as_text(review)


def test_a_new_percent_kpi_row_with_whole_numbers_is_flagged(exported):
    ws, plan_id, path, _, _ = exported
    wb = openpyxl.load_workbook(path)
    sheet = wb[pw.KPIS]
    last = max(r for r in range(pw.FIRST_ROW, sheet.max_row + 1) if sheet.cell(r, 1).value)
    for header, value in (("Goal / KPI", "Renewal rate"), ("Kind", "lagging"),
                          ("Unit", "percent"), ("Direction", "higher"), ("Target Q1", 0.9),
                          ("Target Q2", 90)):
        sheet.cell(last + 1, header_col(sheet, header), value)
    wb.save(path)
    review = read_plan_workbook(ws, path, plan_id=plan_id)
    (added,) = review.changes
    assert "Target Q1: 90%; Target Q2: 9000%" in added.new_text
    (note,) = review.notes
    assert note.startswith(f"{pw.KPIS} row {last + 1}, column 'Target Q2': 90 in a percent")


def test_a_goal_row_deleted_while_its_kpis_stay_is_refused(exported):
    """Deleting a goal deletes its KPIs; a partner who deletes only the goal's row keeps the
    KPI rows, so the import must not delete them unlisted: it names the goal and the rows."""
    ws, plan_id, path, _, _ = exported
    doc = ws.plan_document(plan_id)
    goal = next(g for g in doc.goals if sum(k.goal_id == g.id for k in doc.kpis) >= 1
                and g is not doc.goals[0])
    kpis = [k for k in doc.kpis if k.goal_id == goal.id]
    before = doc.snapshot()
    wb = openpyxl.load_workbook(path)
    sheet = wb[pw.KPIS]
    row = next(r for r in range(pw.FIRST_ROW, sheet.max_row + 1)
               if sheet.cell(r, 1).value == goal.title)
    sheet.delete_rows(row)
    wb.save(path)
    with pytest.raises(WorkbookError) as caught:
        read_plan_workbook(ws, path, plan_id=plan_id)
    (problem,) = caught.value.problems
    kept = ", ".join(f"{pw.ref('kpi', k.id)} (row {row + i})" for i, k in enumerate(kpis))
    assert problem.startswith(f"{pw.KPIS}: the row of goal {pw.ref('goal', goal.id)} "
                              f"'{goal.title}' was deleted but its KPIs {kept} are still")
    assert "delete those rows too" in problem
    assert ws.plan_document(plan_id).snapshot() == before
    # Deleting the KPI rows as well is a deletion the review lists, KPIs included.
    wb = openpyxl.load_workbook(path)
    wb[pw.KPIS].delete_rows(row, len(kpis))
    wb.save(path)
    review = read_plan_workbook(ws, path, plan_id=plan_id)
    assert sorted((c.action, c.kind, c.element_id) for c in review.changes) == sorted(
        [("delete", "goal", goal.id)] + [("delete", "kpi", k.id) for k in kpis])


def test_a_resolved_comment_is_listed_as_yes_and_no(exported):
    ws, plan_id, path, _, _ = exported
    wb = openpyxl.load_workbook(path)
    sheet = wb[pw.COMMENTS]
    col = header_col(sheet, "Resolved")
    row = next(r for r in range(pw.FIRST_ROW, sheet.max_row + 1)
               if sheet.cell(r, col).value == "no")
    sheet.cell(row, col, "yes")
    wb.save(path)
    (change,) = read_plan_workbook(ws, path, plan_id=plan_id).changes
    assert (change.old_text, change.new_text) == ("no", "yes")
    assert "Resolved: 'no' → 'yes'" in change.describe()


def test_renamed_sheets_are_found_by_their_hidden_markers(exported):
    """A partner who renames tabs ("Goals & KPIs" → "KPIs FY26") still sends back the plan:
    the sheets are known by the hidden markers in them, and a note says how they are read.
    A deleted sheet is still refused."""
    ws, plan_id, path, _, money = exported
    rows = edit_kpis(path, {(money.name, "Target Q1"): money.target_q1 + 1000})
    wb = openpyxl.load_workbook(path)
    wb[pw.KPIS].title = "KPIs FY26"
    wb[pw.ACCOUNTS].title = "Accounts"
    wb.save(path)
    review = read_plan_workbook(ws, path, plan_id=plan_id)
    (change,) = review.changes
    assert (change.sheet, change.row, change.new) == (pw.KPIS, rows[money.name],
                                                      money.target_q1 + 1000)
    assert sorted(review.notes) == [
        f"sheet 'Accounts' is the plan's '{pw.ACCOUNTS}' sheet, renamed; the changes name "
        f"it '{pw.ACCOUNTS}'",
        f"sheet 'KPIs FY26' is the plan's '{pw.KPIS}' sheet, renamed; the changes name it "
        f"'{pw.KPIS}'"]
    del wb["Accounts"]
    wb.save(path)
    with pytest.raises(WorkbookError) as caught:
        read_plan_workbook(ws, path, plan_id=plan_id)
    assert caught.value.problems == [f"sheet '{pw.ACCOUNTS}' is missing (deleted or "
                                     "renamed?); restore it or export the plan again"]


def test_fields_that_disagree_are_named_by_their_column(exported):
    """An end date typed before the start is refused with the sheet, row and column, the way
    every other bad value is ("Initiatives row 5: Initiative End: is before the start" read
    like a garbled sentence)."""
    import datetime as dt

    ws, plan_id, path, _, _ = exported
    wb = openpyxl.load_workbook(path)
    sheet = wb[pw.INITIATIVES]
    start, end = header_col(sheet, "Start"), header_col(sheet, "End")
    row = next(r for r in range(pw.FIRST_ROW, sheet.max_row + 1)
               if isinstance(sheet.cell(r, start).value, dt.datetime))
    sheet.cell(row, end, sheet.cell(row, start).value - dt.timedelta(days=1))
    wb.save(path)
    with pytest.raises(WorkbookError) as caught:
        read_plan_workbook(ws, path, plan_id=plan_id)
    assert caught.value.problems == [f"{pw.INITIATIVES} row {row}, column 'End': is before "
                                     "the start"]


def test_a_rag_threshold_changed_on_the_cover_is_named_not_kept_silently(exported):
    ws, plan_id, path, _percent, _money = exported
    wb = openpyxl.load_workbook(path)
    sheet, ref = next(iter(wb.defined_names["RAG_green"].destinations))
    wb[sheet][ref.replace("$", "")] = 0.9
    wb.save(path)
    review = read_plan_workbook(ws, path, plan_id=plan_id)
    green = ws.program().rag_green
    assert any(f"green RAG threshold was changed to 90% (the program's is {green:.0%})" in n
               and "not imported" in n for n in review.notes), review.notes
    assert ws.program().rag_green == green
