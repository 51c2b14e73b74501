"""The state and the table helpers every sheet of the plan workbook is written with."""

from __future__ import annotations

import datetime as dt

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jbp.coverage import measured_through
from jbp.kpi import quarter_progress, status_on
from jbp.model import (
    Element,
    element_class,
    fiscal_quarter_bounds,
)

from .. import styles
from ..front_matter import header, sources_sheet
from ..stored_values import put_formula
from ..workbook_keys import row_check
from .collect import PlanExport, _bare_provenance
from .formulas import _source_of
from .layout import (
    CHECK_MARK,
    HEADER_MARK,
    ID_MARK,
    TOTAL,
    Col,
    ref,
)

_INDENT = Alignment(indent=1)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")


class PlanBuilder:
    """What the sheets share: the workbook, the plan's data, its KPIs' statuses and where
    things were put (KPI rows, the quarter labels)."""

    def __init__(self, wb: Workbook, data: PlanExport):
        self.wb, self.data = wb, data
        self.doc, self.program = data.doc, data.program
        self.plan_id = data.doc.plan.id
        self.money = styles.currency_format(data.program.currency)
        self.kpi_rows: dict[int, int] = {}
        self.quarter_label_row = 0
        self.goal_titles = {g.id: g.title for g in self.doc.goals}
        self.s = styles.FastStyles()
        self.prov = data.prov or _bare_provenance(data)
        self.header = header(self.prov, data.doc.partner.name, data.doc.plan.title)
        bounds = fiscal_quarter_bounds(data.doc.plan.fiscal_year,
                                       data.program.fiscal_year_start_month)
        self.bounds = bounds
        self.elapsed = quarter_progress(bounds, data.as_of)
        # The one computation the app's plan page, QBR and Portfolio share.
        self.statuses = {k.id: status_on(k, data.program, data.doc.plan.fiscal_year,
                                         data.as_of, data.coverage) for k in data.doc.kpis}
        self.through = {k.id: measured_through(k, data.coverage, data.as_of)
                        for k in data.doc.kpis}
        #: Source kind → Cover cell of the day its data ends (named ``DataEnd_<kind>``).
        self.data_ends: dict[str, dt.date] = {}
        for k in data.doc.kpis:
            source = _source_of(k)
            end = data.coverage.end(source) if data.coverage and source else None
            if source and end is not None:
                self.data_ends[source] = end

    def page_setup(self, sheet, title_rows: str | None = None,
                   last_col: int | None = None) -> None:
        styles.page_setup(sheet, self.header, title_rows=title_rows, last_col=last_col)

    def sources(self) -> None:
        sources_sheet(self.wb, self.prov)

    # -- helpers ---------------------------------------------------------------

    def check(self, kind: str, element_id: int) -> str:
        return row_check(self.data.key, self.plan_id, kind, element_id)

    def heading(self, ws, title: str, subtitle: str) -> None:
        ws["A1"] = title
        ws["A1"].style = "jbp title"
        ws["A2"] = subtitle
        ws["A2"].style = "jbp subtitle"
        ws.row_dimensions[1].height = 24
        ws.sheet_view.showGridLines = False

    def header_row(self, ws, row: int, cols: list[Col], kind: str, marks_at: int) -> None:
        for c, col in enumerate(cols, start=1):
            cell = ws.cell(row, c, col.header)
            self.s(cell, "jbp header")
        for offset, text in enumerate((HEADER_MARK + kind, ID_MARK, CHECK_MARK)):
            self.s(ws.cell(row, marks_at + offset, text), "jbp hidden")
        ws.row_dimensions[row].height = 28

    def marks(self, ws, row: int, marks_at: int, kind: str, element_id: int | None) -> None:
        self.s(ws.cell(row, marks_at, kind), "jbp hidden")
        if element_id is not None:
            self.s(ws.cell(row, marks_at + 1, element_id), "jbp hidden")
            self.s(ws.cell(row, marks_at + 2, self.check(kind, element_id)), "jbp hidden")

    def validation(self, ws, choices: tuple[str, ...] | str, cell_range: str,
                   prompt: str = "") -> None:
        formula = choices if isinstance(choices, str) else '"' + ",".join(choices) + '"'
        dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                            showErrorMessage=True, errorTitle="Not in the list",
                            error="Pick a value from the drop-down list.")
        if prompt:
            dv.promptTitle, dv.prompt, dv.showInputMessage = "JBP Studio", prompt, True
        ws.add_data_validation(dv)
        dv.add(cell_range)

    def write_value(self, cell, element: Element, col: Col) -> None:
        value = getattr(element, col.field)
        f = type(element).field(col.field)
        if f.kind == "ids":
            value = ", ".join(ref("goal", v) for v in value) if value else None
        elif f.kind == "bool":
            value = "yes" if value else "no"
        elif value == "":
            value = None
        cell.value = value
        self.s(cell, f"jbp input {col.style}")

    def table(self, ws, top: int, cols: list[Col], kind: str, elements: list[Element],
              marks_at: int, totals: dict[int, str] | None = None) -> tuple[int, int]:
        """Write a header and one row per element from ``top``; return (first, last) data
        rows (last is the totals row when ``totals`` is given)."""
        self.header_row(ws, top, cols, kind, marks_at)
        row = top + 1
        first = row
        for element in elements:
            for c, col in enumerate(cols, start=1):
                cell = ws.cell(row, c)
                if col.field is not None:
                    self.write_value(cell, element, col)
                elif col.formula is not None:
                    put_formula(ws, row, c, col.formula(row), col.value(element))
                    self.s(cell, f"jbp calc {col.style}")
            self.marks(ws, row, marks_at, kind, element.id)
            lines = wrapped_lines(element, cols)
            if lines > 1:  # a spreadsheet does not grow a row for wrapped text by itself
                ws.row_dimensions[row].height = 13.5 * lines
                for c in range(1, len(cols) + 1):  # the row reads along its top line
                    cell = ws.cell(row, c)
                    a = cell.alignment
                    if a.vertical != "top":
                        cell.alignment = Alignment(horizontal=a.horizontal, vertical="top",
                                                   wrap_text=a.wrap_text, indent=a.indent)
            row += 1
        if not elements:
            row += 1  # one empty row to type into (and for the totals' range)
        last_data = row - 1
        for c, col in enumerate(cols, start=1):
            if col.choices:
                letter = get_column_letter(c)
                self.validation(ws, col.choices, f"{letter}{first}:{letter}{last_data}")
        if totals is not None:
            self.s(ws.cell(row, 1, "Total"), "jbp total text")
            for c in range(2, len(cols) + 1):
                self.s(ws.cell(row, c), "jbp total text")
            for c, style in totals.items():
                letter = get_column_letter(c)
                col = cols[c - 1]
                parts = [col.value(e) if col.field is None else getattr(e, col.field)
                         for e in elements]
                total = sum(v for v in parts if isinstance(v, int | float))
                # To the row above the total, wherever that is: a row the partner inserts
                # above the total (as the sheet says to) is summed too; a plain range
                # ending at the last exported row would leave it out.
                cell = put_formula(ws, row, c, f"=SUM({letter}{first}:INDEX({letter}:{letter},"
                                   "ROW()-1))", total)
                self.s(cell, f"jbp total {style}")
            self.s(ws.cell(row, marks_at, TOTAL), "jbp hidden")
            return first, row
        return first, last_data

    def target_labels(self) -> dict[tuple[str, int], str]:
        """What a comment can be about, as "<ref> · <kind>: <name>" labels."""
        out = {("plan", self.plan_id): f"Plan · {self.doc.plan.title}"[:250]}
        for kind in ("goal", "kpi", "initiative", "account", "rule", "risk"):
            cls = element_class(kind)
            for e in self.doc.parts(kind):
                name = getattr(e, cls.FIELDS[0].name)
                out[(kind, e.id)] = f"{ref(kind, e.id)} · {cls.LABEL}: {name}"[:250]
        return out


def wrapped_lines(element: Element, cols: list[Col]) -> int:
    """How many lines the tallest wrapped cell of ``element``'s row needs (about one
    character per unit of column width, so long words are not cut)."""
    lines = 1
    for col in cols:
        if col.style != "wrap" or col.field is None:
            continue
        text = str(getattr(element, col.field) or "")
        per_line = max(1, int(col.width * 1.05))
        lines = max(lines, sum(-(-max(1, len(p)) // per_line) for p in text.split("\n")))
    return lines
