"""A partner adds an initiative and an account "above the total", as the sheets say to, and
types its amounts: the totals, recalculated by LibreOffice, include the new rows. (Inserting
a row at the total's place moves the total down; a SUM over the exported rows keeps its old
range in Excel and LibreOffice alike and left the new amount out.)"""

from __future__ import annotations

import openpyxl
import pytest
from office import recalculate, requires_office

from exporters import plan_workbook as pw
from exporters.plan_workbook import export_plan
from jbp.demo import AS_OF

pytestmark = [pytest.mark.office, requires_office]


def insert_above_total(sheet, values: dict[int, object]) -> int:
    """Insert a row where the Total is (it moves down) and type ``values`` (column → value)
    into it, as a spreadsheet user does; return the new total's row."""
    total = next(r for r in range(pw.FIRST_ROW, sheet.max_row + 1)
                 if sheet.cell(r, 1).value == "Total")
    sheet.insert_rows(total)
    for col, value in values.items():
        sheet.cell(total, col, value)
    return total + 1


def test_rows_added_above_the_total_are_summed(demo_ws, tmp_path):
    plan = next(p for p in demo_ws.plans() if p.status == "Active")
    doc = demo_ws.plan_document(plan.id)
    path = export_plan(demo_ws, plan.id, tmp_path / "plan.xlsx", as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    requested = sum(i.mdf_requested or 0 for i in doc.initiatives)
    potential = sum(a.potential or 0 for a in doc.accounts)
    ini_total = insert_above_total(wb[pw.INITIATIVES], {1: "Partner summit booth",
                                                        2: "MDF activity", 3: "partner",
                                                        7: "Planned", 8: 12500})
    acc_total = insert_above_total(wb[pw.ACCOUNTS], {1: "Zenith Bank", 6: 50000})
    wb.save(path)
    recalculated = recalculate([path], tmp_path / "lo")[path]
    values = openpyxl.load_workbook(recalculated, data_only=True)
    assert values[pw.INITIATIVES].cell(ini_total, 8).value == pytest.approx(requested + 12500)
    assert values[pw.ACCOUNTS].cell(acc_total, 6).value == pytest.approx(potential + 50000)
