"""Whatever someone types into a returned plan workbook, the workspace stays whole: the
import is refused without a change, or applied as a whole and the plan then exports and
re-imports with no difference."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import MergedCell

from exporters import plan_workbook as pw
from exporters.roundtrip import WorkbookError, apply_import, read_plan_workbook
from jbp.commands import Editor
from jbp.demo import AS_OF
from jbp.errors import JbpError
from jbp.store import Workspace

SHEETS = (pw.INITIATIVES, pw.ACCOUNTS, pw.KPIS, pw.RULES_RISKS, pw.COVER, pw.COMMENTS)

values = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(["Done", "partner", "joint", "High", "Won", "yes", "currency", "lower",
                     "12%", "$5k", "(300)", "G1", "G1, G2", "=1+1", "#N/A", "  "]),
    st.integers(min_value=-1000, max_value=10**7),
    st.floats(min_value=-1e6, max_value=1e9, allow_nan=False),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)).map(
        lambda d: dt.datetime.combine(d, dt.time())),
)

edits = st.lists(st.tuples(
    st.sampled_from(("set", "set", "set", "delete", "append", "tamper")),
    st.sampled_from(SHEETS),
    st.integers(min_value=0, max_value=40),  # row offset from the first data row
    st.integers(min_value=1, max_value=14),  # column
    values,
), min_size=1, max_size=6)


@pytest.fixture(scope="module")
def base(demo_master, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hypo")
    ws_path = folder / "base.jbp"
    shutil.copy2(demo_master, ws_path)
    with Workspace.open(ws_path) as ws:
        plan = next(p for p in ws.plans() if p.status == "Active")
        book = pw.export_plan(ws, plan.id, folder / "base.xlsx", as_of=AS_OF)
    return folder, ws_path, book, plan.id


def apply_edits(book: Path, out: Path, ops) -> None:
    wb = openpyxl.load_workbook(book)
    for op, sheet_name, offset, col, value in ops:
        sheet = wb[sheet_name]
        row = pw.FIRST_ROW + offset % max(1, sheet.max_row - pw.FIRST_ROW + 1)
        if op == "set":
            cell = sheet.cell(row, col)
            if not isinstance(cell, MergedCell):
                cell.value = value
        elif op == "delete" and sheet_name != pw.COVER:
            sheet.delete_rows(row)
        elif op == "append":
            sheet.cell(sheet.max_row + 1, col).value = value
        elif op == "tamper":
            marks = next((c.column for c in sheet[pw.HEADER_ROW]
                          if c.value == pw.ID_MARK), None)
            if marks:
                sheet.cell(row, marks).value = value
    wb.save(out)


def snapshot(ws, plan_id):
    doc = ws.plan_document(plan_id)
    return doc.snapshot(), [(c.id, c.text, c.resolved) for c in doc.comments]


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=edits)
def test_random_edits_never_corrupt_the_workspace(base, tmp_path, ops):
    _folder, master, book, plan_id = base
    ws_path = tmp_path / "ws.jbp"
    shutil.copy2(master, ws_path)
    edited = tmp_path / "edited.xlsx"
    apply_edits(book, edited, ops)
    with Workspace.open(ws_path) as ws:
        before = snapshot(ws, plan_id)
        try:
            review = read_plan_workbook(ws, edited)
        except WorkbookError as exc:
            assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
            assert snapshot(ws, plan_id) == before
            return
        try:
            apply_import(ws, review, review.changes, Editor("Hypo Thesis", "partner"))
        except JbpError:
            assert snapshot(ws, plan_id) == before
            return
        again = tmp_path / "again.xlsx"
        pw.export_plan(ws, plan_id, again, as_of=AS_OF)
        assert read_plan_workbook(ws, again).changes == []
        ws.plan_document(plan_id)  # every stored element still loads and validates
