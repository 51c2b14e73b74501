"""Table headers of the exported workbooks are tall enough for their wrapped labels: the
portfolio's "Partner investment T12M" and "Plan: sourced revenue attainment" take three lines
in their 12.5-character columns and were cut to two in a 30 pt row, the scenario comparison's
chart-data header "Onboarding 30 days" to one. Checked on the saved files."""

from __future__ import annotations

import openpyxl
import pytest

from exporters import scenario_workbook as sw
from exporters.portfolio_workbook import export_portfolio
from exporters.styles import HEADER_LINE, header_lines
from jbp.demo import AS_OF


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("Partner investment T12M", 12.5, 3),   # "investment T12M" is wider than the column
    ("Sourced revenue T12M", 12.5, 2),      # "revenue T12M" fits on the second line
    ("Onboarding 30 days", 14, 2),
    ("Partner", 26, 1),
    ("Supercalifragilisticexpialidocious", 12, 4),  # 34 letters, 11 a line
])
def test_header_lines(text, width, lines):
    assert header_lines(text, width) == lines


def header_rows(sheet):
    """(row, height, [labels]) of each row holding jbp header cells."""
    rows: dict[int, list[str]] = {}
    for row in sheet.iter_rows(max_row=min(sheet.max_row, 200)):
        for cell in row:
            if cell.style == "jbp header" and isinstance(cell.value, str):
                rows.setdefault(cell.row, []).append(cell.value)
    return [(r, sheet.row_dimensions[r].height, labels) for r, labels in rows.items()]


def test_portfolio_headers_fit_their_labels(demo_ws, tmp_path):
    path = export_portfolio(demo_ws, tmp_path / "portfolio.xlsx", as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    sheet = wb["All partners"]
    ((row, height, labels),) = [h for h in header_rows(sheet) if h[0] == 4]
    assert "Partner investment T12M" in labels
    assert height >= 3 * HEADER_LINE
    # every header row of every sheet holds its longest label
    for sheet in wb.worksheets:
        for row, height, labels in header_rows(sheet):
            widest = max(header_lines(text, sheet.column_dimensions[
                openpyxl.utils.get_column_letter(col)].width or 8.43)
                for col, text in ((c.column, c.value) for c in sheet[row]
                                  if c.value in labels))
            if widest > 1:
                assert height is not None and height >= widest * HEADER_LINE, \
                    (sheet.title, row, labels)


def test_scenario_chart_data_header_fits(tmp_path):
    from simulation.runner import run
    from simulation.scenario import Scenario

    base = Scenario().to_dict()
    base["horizon_months"] = 6
    variant = {**base, "name": "Onboarding 30 days",
               "onboarding": {**base["onboarding"], "mean_days": 30.0}}
    results = [run(Scenario.from_dict(p), replications=2) for p in (base, variant)]
    data = sw.ScenarioExport(results=results, currency="USD", exported_at="2026-11-15")
    wb = openpyxl.load_workbook(sw.write_scenarios(data, tmp_path / "s.xlsx"))
    sheet = wb[sw.COMPARISON]
    rows = [h for h in header_rows(sheet) if "Onboarding 30 days" in h[2]]
    assert rows and all(height and height >= 2 * HEADER_LINE for _, height, _ in rows)


def test_initiatives_sheet_hint_and_type_column(demo_ws, tmp_path):
    """The linked-goals hint names this plan's goals (not "G12", which reads as a cell), and
    the Type column wraps its longest drop-down choice instead of running into the next
    column (widening it would push the sheet from A4 to A3 paper)."""
    from exporters import plan_workbook as pw
    from exporters.plan_workbook import export_plan
    from jbp.model import INITIATIVE_TYPES

    plan = next(p for p in demo_ws.plans() if p.status == "Active")
    goals = demo_ws.plan_document(plan.id).goals
    sheet = openpyxl.load_workbook(export_plan(demo_ws, plan.id, tmp_path / "p.xlsx",
                                               as_of=AS_OF))[pw.INITIATIVES]
    assert f"e.g. {pw.ref('goal', goals[0].id)}, {pw.ref('goal', goals[1].id)}." in \
        sheet["A2"].value
    col = next(c.column_letter for c in sheet[pw.HEADER_ROW] if c.value == "Type")
    longest = max(INITIATIVE_TYPES, key=len)
    rows = [c.row for c in sheet[col] if c.value == longest]
    assert rows, "the demo plan has no initiative of the longest type"
    for row in rows:
        cell = sheet[f"{col}{row}"]
        assert cell.alignment.wrap_text
        assert sheet.row_dimensions[row].height >= 2 * 13.5
        # the whole row reads along its top line, not half at the top, half at the bottom
        assert {sheet.cell(row, c).alignment.vertical for c in range(1, 12)} == {"top"}
    assert sheet.page_setup.paperSize == 9  # A4
