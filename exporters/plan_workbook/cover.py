"""The Cover: the plan's fields, sign-offs, executive summary, the measurement inputs of the
KPI formulas (as of, RAG thresholds, each quarter's elapsed fraction, each source's last day),
the legend and the version banner."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from jbp.model import (
    Plan,
    Program,
)

from .. import styles
from ..front_matter import banner, legend
from ..stored_values import put_formula
from .base import _INDENT, _WRAP_TOP, PlanBuilder
from .formulas import (
    quarter_state,
)
from .layout import (
    COVER,
    COVER_FIELDS,
    FIELD_MARK,
)


class CoverSheet(PlanBuilder):
    def cover(self) -> None:
        ws = self.wb.active
        ws.title = COVER
        plan, partner, program = self.doc.plan, self.doc.partner, self.program
        bounds = self.bounds
        styles.set_widths(ws, {1: 26, 2: 24, 3: 13, 4: 13, 5: 13, 6: 24, 7: 4, 8: 22})
        ws.sheet_view.showGridLines = False
        ws["A2"] = f"Joint business plan · {partner.name} × {program.name} · FY{plan.fiscal_year}"
        ws["A2"].style = "jbp subtitle"
        ws.row_dimensions[1].height = 26
        row = 4
        ws.cell(row, 1, "Plan").style = "jbp section"
        for c in range(2, 7):
            ws.cell(row, c).style = "jbp section"
        row += 1
        title_row = row

        def field_row(label: str, value: Any, name: str | None, style: str = "text") -> None:
            nonlocal row
            ws.cell(row, 1, label).style = "jbp label"
            cell = ws.cell(row, 2, value if value != "" else None)
            cell.style = "jbp input text" if name else f"jbp calc {style}"
            if name:
                ws.cell(row, 8, FIELD_MARK + name).style = "jbp hidden"
            row += 1

        period = f"{bounds[0][0].isoformat()} – {bounds[3][1].isoformat()}"
        field_row(Plan.field("title").label, plan.title, "title")
        field_row("Partner", f"{partner.name} ({partner.type}, {partner.region}"
                  f"{', ' + partner.tier if partner.tier else ''})", None)
        field_row("Fiscal year", f"FY{plan.fiscal_year}", None)
        field_row("Period", period, None)
        field_row("Status", plan.status, None)
        for name in COVER_FIELDS[1:]:
            field_row(Plan.field(name).label, getattr(plan, name), name)
        field_row("Approved at", plan.approved_at or "not approved yet", None)
        put_formula(ws, 1, 1, f"=B{title_row}", plan.title, "jbp title")

        row += 1
        ws.cell(row, 1, "Sign-offs").style = "jbp section"
        for c in range(2, 7):
            ws.cell(row, c).style = "jbp section"
        row += 1
        for c, text in enumerate(("Signed by", "Side", "Role", "Signed at"), start=1):
            ws.cell(row, c, text).style = "jbp label"
        row += 1
        if not self.doc.signoffs:
            ws.cell(row, 1, "No sign-offs yet (approval needs one from each side).").style = \
                "jbp subtitle"
            row += 1
        for s in self.doc.signoffs:
            for c, value in enumerate((s.name, s.side, s.role or "", s.signed_at), start=1):
                ws.cell(row, c, value).style = "jbp calc text"
            row += 1

        row += 1
        ws.cell(row, 1, "Executive summary").style = "jbp section"
        for c in range(2, 7):
            ws.cell(row, c).style = "jbp section"
        row += 1
        ws.cell(row, 1, Plan.field("executive_summary").label).style = "jbp label"
        ws.cell(row, 1).alignment = Alignment(vertical="top")
        cell = ws.cell(row, 2, plan.executive_summary or None)
        cell.style = "jbp input wrap"
        cell.alignment = _WRAP_TOP
        ws.cell(row, 8, FIELD_MARK + "executive_summary").style = "jbp hidden"
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=6)
        lines = sum(max(1, len(p) // 80 + 1) for p in (plan.executive_summary or "").split("\n"))
        ws.row_dimensions[row].height = max(30, 13.5 * lines)
        row += 2

        ws.cell(row, 1, "Measurement (inputs of the KPI formulas)").style = "jbp section"
        for c in range(2, 7):
            ws.cell(row, c).style = "jbp section"
        row += 1
        ws.cell(row, 1, "Measured as of").style = "jbp label"
        ws.cell(row, 2, self.data.as_of).style = "jbp input date"
        ws.cell(row, 3, f"{self.prov.as_of.reason}; change it to see attainment on "
                        "another day").style = "jbp subtitle"
        self._name("AsOf", COVER, 2, row)
        as_of_ref = f"$B${row}"
        row += 1
        ws.cell(row, 1, Program.field("rag_green").label).style = "jbp label"
        ws.cell(row, 2, program.rag_green).style = "jbp input percent"
        self._name("RAG_green", COVER, 2, row)
        row += 1
        ws.cell(row, 1, Program.field("rag_amber").label).style = "jbp label"
        ws.cell(row, 2, program.rag_amber).style = "jbp input percent"
        self._name("RAG_amber", COVER, 2, row)
        row += 2
        for c, text in enumerate(("Quarter", "Starts", "Ends", "Elapsed", "Days elapsed",
                                  "State"), start=1):
            ws.cell(row, c, text).style = "jbp label"
        row += 1
        self.quarter_label_row = row
        for q, (start, end) in enumerate(bounds):
            state = quarter_state(start, end, self.data.as_of)
            partial = 0 < self.elapsed[q] < 1
            ws.cell(row, 1, f"Q{q + 1} to date" if partial else f"Q{q + 1}").style = \
                "jbp text"
            ws.cell(row, 2, start).style = "jbp date"
            ws.cell(row, 3, end).style = "jbp date"
            put_formula(ws, row, 4, f"=MAX(0,MIN(1,({as_of_ref}-B{row}+1)/(C{row}-B{row}+1)))",
                        self.elapsed[q], "jbp calc percent")
            days = max(0, min((end - start).days + 1, (self.data.as_of - start).days + 1))
            put_formula(ws, row, 5, f"=MAX(0,MIN(C{row}-B{row}+1,{as_of_ref}-B{row}+1))",
                        days, "jbp calc count")
            ws.cell(row, 6, state).style = "jbp calc text"
            ws.cell(row, 6).alignment = _INDENT
            self._name(f"Elapsed_Q{q + 1}", COVER, 4, row)
            row += 1
        row += 1
        if self.data_ends:
            from jbp.kinds import KINDS

            ws.cell(row, 1, "Source").style = "jbp label"
            ws.cell(row, 2, "Data through").style = "jbp label"
            row += 1
            for kind in (k for k in KINDS if k in self.data_ends):
                ws.cell(row, 1, KINDS[kind].label).style = "jbp text"
                ws.cell(row, 2, self.data_ends[kind]).style = "jbp date"
                ws.cell(row, 3, "KPIs bound to it are measured to this day when it is "
                        "before the date above").style = "jbp subtitle"
                self._name(f"DataEnd_{kind}", COVER, 2, row)
                row += 1
            row += 1
        row = legend(ws, row)
        ws.cell(row, 1, "Yellow cells can be edited and sent back; grey cells are "
                "calculated. Hidden columns hold the ids JBP Studio needs to take your "
                "edits back: please keep them.").style = "jbp subtitle"
        row += 2
        banner(ws, row, self.prov)
        styles.hide_columns(ws, 8, 8)
        self.page_setup(ws, last_col=6)

    def _name(self, name: str, sheet: str, col: int, row: int) -> None:
        text = f"'{sheet}'!${get_column_letter(col)}${row}"
        self.wb.defined_names[name] = DefinedName(name, attr_text=text)
