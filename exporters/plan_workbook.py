"""The plan workbook: a joint business plan as an Excel file that looks finished, keeps
calculating when someone types in it, and can come back (:mod:`exporters.roundtrip`).

Sheets: Cover (plan fields, sign-offs, executive summary, the measurement inputs), Goals &
KPIs (quarterly targets and actuals; full-year target, target and actual to date, attainment,
variance, RAG and forecast as live formulas), KPI charts (target vs actual per KPI), Initiatives
(drop-downs, MDF totals), Target accounts, Rules & risks, Comments, Revision history, and a
hidden sheet ``_jbp`` with what the round trip needs (workspace id, plan id and version, the
values as exported, a signature).

The KPI formulas reproduce :func:`jbp.kpi.kpi_status` exactly: the elapsed fraction of each
fiscal quarter is computed on the Cover from the "Measured as of" date (named ``Elapsed_Q1`` ..
``Elapsed_Q4``), and the RAG thresholds are the program's (``RAG_green``, ``RAG_amber``), all
visible inputs a reader can change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart._chart import ChartBase
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.xml.functions import fromstring, tostring

from jbp.coverage import Coverage, coverage_of, measured_through
from jbp.kpi import partial_quarter, quarter_progress, status_on
from jbp.model import (
    DIRECTIONS,
    KPI_KINDS,
    KPI_TO_DATE,
    KPI_UNITS,
    QUARTERS,
    SIDES,
    Element,
    Initiative,
    Kpi,
    Plan,
    PlanDocument,
    Program,
    Revision,
    Risk,
    Rule,
    TargetAccount,
    element_class,
    fiscal_quarter_bounds,
)
from jbp.progress import Progress

from . import styles
from .atomic import build_and_save
from .front_matter import Provenance, banner, header, legend, provenance, sources_sheet
from .stored_values import put_formula, put_row, register
from .workbook_keys import row_check, sign

FORMAT = "jbp-plan-workbook"
FORMAT_VERSION = 1

COVER = "Cover"
KPIS = "Goals & KPIs"
CHARTS = "KPI charts"
INITIATIVES = "Initiatives"
ACCOUNTS = "Target accounts"
RULES_RISKS = "Rules & risks"
COMMENTS = "Comments"
HISTORY = "Revision history"
META = "_jbp"

#: Marker cells: header rows carry ``jbp:header:<kind>``, ``jbp:id`` and ``jbp:check`` in the
#: hidden columns; data rows carry the element kind, its id and the id's check there.
HEADER_MARK = "jbp:header:"
ID_MARK = "jbp:id"
CHECK_MARK = "jbp:check"
FIELD_MARK = "jbp:field:"
TOTAL = "total"
SKIP = "jbp:skip"  # a row that is neither data nor header (a caption between tables)

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1

#: Short visible references of elements (used by "Linked goals" and the Comments sheet).
REF_PREFIX = {"plan": "P", "goal": "G", "kpi": "K", "initiative": "I", "account": "A",
              "rule": "R", "risk": "RK"}

#: Cover rows that edit plan fields (in this order), and read-only rows between them.
COVER_FIELDS = ("title", "vendor_owner", "partner_owner", "vendor_sponsor", "partner_sponsor")

KPI_GOAL_HEADER = "Goal / KPI"
KPI_REF_HEADER = "Ref"
GOAL_DESCRIPTION_HEADER = "Goal description"
COMMENT_ON_HEADER = "On"
COMMENT_DATE_HEADER = "Date"


def ref(kind: str, element_id: int | None) -> str:
    return f"{REF_PREFIX[kind]}{element_id}" if kind != "plan" else "Plan"


@dataclass(frozen=True)
class Col:
    """One column of a part table: its header, the element field it shows (None when it is
    calculated), the named-style suffix, width in characters and, for calculated columns,
    the formula for a row."""

    header: str
    field: str | None = None
    style: str = "text"
    width: float = 14.0
    formula: Callable[[int], str] | None = None
    choices: tuple[str, ...] = ()
    #: What the formula gives for an element (the value stored beside it).
    value: Callable[[Any], Any] | None = None


def _cols(cls: type[Element], specs: list[tuple]) -> list[Col]:
    out = []
    for spec in specs:
        if isinstance(spec, Col):
            out.append(spec)
            continue
        name, style, width = spec
        f = cls.field(name)
        out.append(Col(f.label, name, style, width, choices=f.choices))
    return out


INITIATIVE_COLS = _cols(Initiative, [
    ("title", "wrap", 30), ("type", "text", 18), ("owner_side", "text", 9),
    ("owner", "text", 14), ("start_date", "date", 10.5), ("end_date", "date", 10.5),
    ("status", "text", 10), ("mdf_requested", "money", 12), ("mdf_approved", "money", 12),
    ("mdf_claimed", "money", 12),
    Col("MDF open", None, "money", 12,
        formula=lambda r: f'=IF(COUNT(I{r}:J{r})=0,"",I{r}-J{r})',
        value=lambda e: "" if e.mdf_approved is None and e.mdf_claimed is None
        else (e.mdf_approved or 0) - (e.mdf_claimed or 0)),
    ("goal_ids", "text", 13),
])
ACCOUNT_COLS = _cols(TargetAccount, [
    ("name", "text", 32), ("industry", "text", 20), ("region", "text", 16),
    ("owner_side", "text", 11), ("stage", "text", 13), ("potential", "money", 15),
    ("notes", "wrap", 44),
])
RULE_COLS = _cols(Rule, [("topic", "wrap", 32), ("rule", "wrap", 90)])
RISK_COLS = _cols(Risk, [
    ("description", "wrap", 32), ("likelihood", "text", 11), ("impact", "text", 11),
    ("mitigation", "wrap", 56), ("owner_side", "text", 11),
])
COMMENT_COLS = [
    Col(COMMENT_ON_HEADER, None, "text", 40),
    Col("Author", "author", "text", 18),
    Col("Side", "side", "text", 9, choices=SIDES),
    Col(COMMENT_DATE_HEADER, None, "text", 17),
    Col("Comment", "text", "wrap", 70),
    Col("Resolved", "resolved", "text", 9, choices=("yes", "no")),
]

# Goals & KPIs columns (1-based), shared with the round-trip reader through the headers.
K_NAME, K_REF, K_KIND, K_UNIT, K_DIR = 1, 2, 3, 4, 5
K_TARGET = 6  # F..I
K_ACTUAL = 10  # J..M
K_FULL, K_TTD, K_ATD, K_ATT, K_VAR, K_RAG, K_FORECAST = range(14, 21)
#: The day the KPI is measured to (a bound KPI: its source's last day when that is before the
#: "as of") and the quarter in progress on that day ("Q4 to date: 31 of 92 days").
K_THROUGH, K_QUARTER = 21, 22
K_METRIC, K_GOALDESC, K_TODATE = 23, 24, 25
K_ELAPSED = 26  # Z..AC: the elapsed fraction of each quarter on the KPI's own day
K_MARKS = 30

THROUGH_HEADER = "Measured through"
QUARTER_HEADER = "Quarter in progress"


@dataclass
class PlanExport:
    """Everything the plan workbook shows, read from the workspace at one moment, so the
    workbook can be written off the GUI thread without touching the workspace."""

    doc: PlanDocument
    program: Program
    as_of: dt.date
    revisions: list[Revision]
    workspace_id: str
    key: bytes
    exported_at: str
    workspace_name: str = ""
    snapshot: dict[str, Any] = field(default_factory=dict)
    prov: Provenance | None = None
    #: Where each source's data ends: a KPI bound to a metric is measured to its source's
    #: end when that is before ``as_of`` (:func:`jbp.kpi.status_on`), as in the app.
    coverage: Coverage | None = None


def collect_plan(ws, plan_id: int, as_of: dt.date | None = None) -> PlanExport:
    """Read a plan and what its workbook needs. ``as_of`` is the date the user set, if any
    (:func:`jbp.asof.resolve_as_of` decides the workbook's "as of")."""
    doc = ws.plan_document(plan_id)
    workspace_id, key = ws.workbook_keys()
    prov = provenance(ws, as_of)
    return PlanExport(
        doc=doc, program=ws.program(), as_of=prov.as_of.date,
        revisions=ws.revisions(plan_id), workspace_id=workspace_id, key=key,
        exported_at=prov.exported_at, workspace_name=ws.name, snapshot=plan_snapshot(doc),
        prov=prov, coverage=coverage_of(ws))


def plan_snapshot(doc: PlanDocument) -> dict[str, Any]:
    """Field values of the plan and its parts (stored form), comments' resolved flags and
    which goal each KPI belongs to: what the round trip compares a returned workbook with."""
    snap: dict[str, Any] = doc.snapshot()
    snap["comment"] = {str(c.id): {"resolved": bool(c.resolved), "text": c.text}
                       for c in doc.comments}
    snap["kpi_goal"] = {str(k.id): k.goal_id for k in doc.kpis}
    return snap


def export_plan(ws, plan_id: int, path: str | Path, *, as_of: dt.date | None = None,
                state: Progress | None = None) -> Path:
    """Write the plan workbook of ``plan_id`` to ``path`` (atomically) and return the path."""
    return write_plan(collect_plan(ws, plan_id, as_of), path, state)


def write_plan(data: PlanExport, path: str | Path, state: Progress | None = None, *,
               charts: bool = True) -> Path:
    """Write the workbook of ``data`` atomically; ``charts=False`` leaves out the chart sheet
    (a lighter file; the round trip is the same)."""
    return build_and_save(build_plan_workbook, data, path, state, charts=charts)


# ---------------------------------------------------------------------- building


def build_plan_workbook(data: PlanExport, state: Progress | None = None, *,
                        charts: bool = True) -> Workbook:
    state = state or Progress()
    wb = Workbook()
    styles.register_styles(wb, data.program.currency)
    builder = _Builder(wb, data)
    steps = [("Cover", builder.cover), ("Goals & KPIs", builder.kpis),
             ("Charts", builder.charts), ("Initiatives", builder.initiatives),
             ("Target accounts", builder.accounts), ("Rules & risks", builder.rules_risks),
             ("Comments", builder.comments), ("Revision history", builder.history),
             ("Sources", builder.sources), ("Hidden data", builder.meta)]
    if not charts:
        steps = [s for s in steps if s[0] != "Charts"]
    for i, (text, step) in enumerate(steps):
        state.step(0.85 * i / len(steps), text)
        step()
    wb.active = 0
    return wb


class _Builder:
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
                cell = put_formula(ws, row, c, f"=SUM({letter}{first}:{letter}{last_data})",
                                   total)
                self.s(cell, f"jbp total {style}")
            self.s(ws.cell(row, marks_at, TOTAL), "jbp hidden")
            return first, row
        return first, last_data

    # -- sheets ----------------------------------------------------------------

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

    def kpis(self) -> None:
        ws = self.wb.create_sheet(KPIS)
        g, a = self.program.rag_green, self.program.rag_amber
        self.heading(ws, "Goals & KPIs", (
            f"Attainment as of the Cover's date; a KPI bound to a metric is measured "
            f"through its source's last day when that is earlier (column "
            f"{get_column_letter(K_THROUGH)}). Currency and count KPIs that sum their "
            f"quarters against the target pro-rated to that day; levels (Year to date = "
            f"latest quarter), percent and days KPIs on the latest reported quarter. "
            f"Green at {g:.0%} or more, Amber at {a:.0%} or more."))
        headers = {K_NAME: (KPI_GOAL_HEADER, 38), K_REF: (KPI_REF_HEADER, 6),
                   K_KIND: ("Kind", 8), K_UNIT: ("Unit", 8.5), K_DIR: ("Direction", 9),
                   K_FULL: ("Full-year target", 12), K_TTD: ("Target to date", 12),
                   K_ATD: ("Actual to date", 12), K_ATT: ("Attainment", 10.5),
                   K_VAR: ("Variance", 11.5), K_RAG: ("RAG", 7.5),
                   K_FORECAST: ("Forecast (year end)", 12),
                   K_THROUGH: (THROUGH_HEADER, 11), K_QUARTER: (QUARTER_HEADER, 14),
                   K_METRIC: (Kpi.field("metric").label, 16),
                   K_TODATE: (Kpi.field("to_date").label, 15),
                   K_GOALDESC: (GOAL_DESCRIPTION_HEADER, 40)}
        for q in range(4):
            headers[K_ELAPSED + q] = (f"Q{q + 1} elapsed", 9)
        for q in range(4):
            headers[K_TARGET + q] = (Kpi.field(f"target_{QUARTERS[q]}").label, 11)
            headers[K_ACTUAL + q] = (Kpi.field(f"actual_{QUARTERS[q]}").label, 11)
            state = quarter_state(*self.bounds[q], self.data.as_of)
            if state.startswith("to date"):
                # The quarter in progress: never shown as a finished quarter.
                for col in (K_TARGET + q, K_ACTUAL + q):
                    ws.cell(3, col, f"Q{q + 1} {state}").style = "jbp subtitle"
        cols = [Col(headers[c][0], width=headers[c][1]) for c in range(1, K_MARKS)]
        self.header_row(ws, HEADER_ROW, cols, "goal", K_MARKS)
        styles.set_widths(ws, {c: headers[c][1] for c in headers})
        row = FIRST_ROW
        unit_style = {"currency": "money", "count": "count", "percent": "percent",
                      "days": "decimal"}
        for goal in self.doc.goals:
            self._goal_row(ws, row, goal)
            row += 1
            for kpi in self.doc.kpis_of(goal.id):
                self.kpi_rows[kpi.id] = row
                self._kpi_row(ws, row, kpi, unit_style.get(kpi.unit, "decimal"))
                row += 1
        last = max(row - 1, FIRST_ROW)
        for col, choices in ((K_KIND, KPI_KINDS), (K_UNIT, KPI_UNITS), (K_DIR, DIRECTIONS),
                             (K_TODATE, KPI_TO_DATE)):
            letter = get_column_letter(col)
            self.validation(ws, choices, f"{letter}{FIRST_ROW}:{letter}{last}")
        rag_letter, att_letter = get_column_letter(K_RAG), get_column_letter(K_ATT)
        styles.rag_rules(ws, f"{rag_letter}{FIRST_ROW}:{rag_letter}{last}",
                         f"${rag_letter}{FIRST_ROW}")
        styles.attainment_rules(ws, f"{att_letter}{FIRST_ROW}:{att_letter}{last}",
                                f"${att_letter}{FIRST_ROW}", "RAG_green", "RAG_amber")
        ws.freeze_panes = f"{get_column_letter(K_KIND)}{FIRST_ROW}"
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(K_TODATE)}{last}"
        styles.hide_columns(ws, K_MARKS, K_MARKS + 2)
        # Printed: the figures (A..Quarter in progress); metric, goal description, "to
        # date" and the per-quarter elapsed fractions are for editing on screen.
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}", last_col=K_QUARTER)

    # Goal and KPI rows are written whole (stored_values.put_row: no cell object per value,
    # the sheet writer writes them as text), a fraction of setting cells one by one.

    def _goal_row(self, ws, r: int, goal) -> None:
        values: list[Any] = [None] * (K_MARKS - 1)
        values[K_NAME - 1], values[K_REF - 1] = goal.title, ref("goal", goal.id)
        values[K_GOALDESC - 1] = goal.description or None
        values += ["goal", goal.id, self.check("goal", goal.id)]
        self._append(ws, r, values, self._row_styles(ws, "goal"))

    def _kpi_row(self, ws, r: int, kpi: Kpi, number: str) -> None:
        formulas = _kpi_formulas_fast(r, self.quarter_label_row)
        status = self.statuses[kpi.id]
        through = self.through[kpi.id]
        source = _source_of(kpi)
        through_formula = (f"=MIN(AsOf,DataEnd_{source})" if source in self.data_ends
                           else "=AsOf")
        partial = partial_quarter(self.bounds, through)
        values_of = {K_FULL: status.full_target, K_TTD: status.target_to_date,
                     K_ATD: status.actual_to_date, K_ATT: status.attainment,
                     K_VAR: None if status.actual_to_date is None or status.target_to_date
                     is None else status.actual_to_date - status.target_to_date,
                     K_RAG: status.rag, K_FORECAST: status.forecast, K_THROUGH: through,
                     K_QUARTER: partial.label() if partial is not None else ""}
        for q, fraction in enumerate(quarter_progress(self.bounds, through)):
            values_of[K_ELAPSED + q] = fraction
        for col, value in values_of.items():
            register(ws, r, col, value)
        values = [kpi.name, ref("kpi", kpi.id), kpi.kind, kpi.unit, kpi.direction,
                  *kpi.targets, *kpi.actuals,
                  *(formulas[c] for c in range(K_FULL, K_FORECAST + 1)),
                  through_formula, formulas[K_QUARTER],
                  kpi.metric or None, None, kpi.to_date,  # K_METRIC, K_GOALDESC, K_TODATE
                  *(formulas[K_ELAPSED + q] for q in range(4)),
                  "kpi", kpi.id, self.check("kpi", kpi.id)]
        self._append(ws, r, values, self._row_styles(ws, number))

    def _row_styles(self, ws, number: str) -> list:
        """The style of each cell of a goal row (``number`` "goal") or of a KPI row whose
        figures are in named style ``jbp <number>``, as internal style arrays."""
        key = ("row", number)
        if key not in self.s.arrays:
            array = self.s.array
            if number == "goal":
                names = [array(ws, "jbp section")] * (K_MARKS - 1)
                names[K_GOALDESC - 1] = array(ws, "jbp section", _WRAP_TOP)
            else:
                calc = {K_ATT: "percent", K_RAG: "text"}
                names = [array(ws, "jbp input text", _INDENT), array(ws, "jbp calc text"),
                         *[array(ws, "jbp input text")] * 3,
                         *[array(ws, f"jbp input {number}")] * 8,
                         *[array(ws, f"jbp calc {calc.get(c, number)}")
                           for c in range(K_FULL, K_FORECAST + 1)],
                         array(ws, "jbp calc date"), array(ws, "jbp calc text"),
                         *[array(ws, "jbp input text")] * 3,
                         *[array(ws, "jbp calc percent")] * 4]
            self.s.arrays[key] = names + [array(ws, "jbp hidden")] * 3
        return self.s.arrays[key]

    @staticmethod
    def _append(ws, r: int, values: list, arrays: list) -> None:
        put_row(ws, r, values, arrays)

    def charts(self) -> None:
        ws = self.wb.create_sheet(CHARTS)
        self.heading(ws, "KPI charts", "Target vs actual per quarter, in each KPI's unit. "
                     "The charts read the Goals & KPIs sheet, so they follow edits there.")
        kpis = {k.id: k for k in self.doc.kpis}
        for n, (kpi_id, r) in enumerate(sorted(self.kpi_rows.items(), key=lambda kv: kv[1])):
            kpi = kpis[kpi_id]
            chart = _TemplateChart(self._chart_template(kpi.unit), r,
                                   f"{kpi.name} ({ref('kpi', kpi.id)})")
            chart.height, chart.width = 6.0, 11.5
            anchor_col = "A" if n % 2 == 0 else "H"
            ws.add_chart(chart, f"{anchor_col}{4 + 13 * (n // 2)}")
        # Two rows of charts (6 cm = 11.3 rows each, 13 rows apart) per page; each break
        # leaves an empty row above the next charts, so none is cut or touches a break.
        pairs = (len(self.kpi_rows) + 1) // 2
        for k in range(2, pairs, 2):
            ws.row_breaks.append(Break(id=2 + 13 * k))
        self.page_setup(ws, last_col=15)
        if not self.doc.kpis:
            ws["A4"] = "This plan has no KPIs yet."

    def _chart_template(self, unit: str) -> str:
        """The XML of the chart of a KPI in ``unit``, with :data:`_TEMPLATE_ROW` and
        :data:`_TEMPLATE_TITLE` standing for its row and title. It depends on nothing else
        than the unit, the currency's format and where the quarter labels are, so it is kept
        for the next export."""
        key = (unit, self.money, self.quarter_label_row)
        template = _CHART_TEMPLATES.get(key)
        if template is None:
            chart = self.kpi_chart(unit, _TEMPLATE_ROW, _TEMPLATE_TITLE)
            template = _CHART_TEMPLATES[key] = tostring(chart._write()).decode("utf-8")
        return template

    def kpi_chart(self, unit: str, r: int, title: str) -> LineChart:
        """Target and actual of the KPI in row ``r`` of the Goals & KPIs sheet by quarter:
        straight lines with markers, the y axis in the KPI's unit."""
        kpi_ws, cover = self.wb[KPIS], self.wb[COVER]
        fmt = {"currency": self.money, "count": "#,##0", "percent": "0%", "days": "0"}
        chart = LineChart()
        chart.title = styles.chart_title(title)
        chart.style = 2
        chart.height, chart.width = 6.0, 11.5
        for name, col, colour, dash in (("Target", K_TARGET, "7F7F7F", "dash"),
                                        ("Actual", K_ACTUAL, "1F3864", None)):
            values = Reference(kpi_ws, min_col=col, max_col=col + 3, min_row=r, max_row=r)
            series = Series(values, title=name)
            series.smooth = False
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 22000
            if dash:
                series.graphicalProperties.line.dashStyle = dash
            series.marker.symbol = "circle"
            series.marker.size = 5
            series.marker.graphicalProperties.solidFill = colour
            series.marker.graphicalProperties.line.solidFill = colour
            chart.series.append(series)
        chart.set_categories(Reference(cover, min_col=1, min_row=self.quarter_label_row,
                                       max_row=self.quarter_label_row + 3))
        chart.y_axis.number_format = fmt.get(unit, "General")
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        return chart

    def initiatives(self) -> None:
        ws = self.wb.create_sheet(INITIATIVES)
        self.heading(ws, "Initiatives", "Status, type and owner side are drop-downs. "
                     "Add rows above the total. Linked goals: goal references from the Goals "
                     "& KPIs sheet, e.g. G12, G14. MDF open = approved − claimed.")
        cols = INITIATIVE_COLS
        marks = len(cols) + 2
        money = [i for i, c in enumerate(cols, start=1) if c.style == "money"]
        self.table(ws, HEADER_ROW, cols, "initiative",
                                      self.doc.initiatives, marks,
                                      totals={c: "money" for c in money})
        styles.set_widths(ws, {i: c.width for i, c in enumerate(cols, start=1)})
        ws.freeze_panes = ws.cell(FIRST_ROW, 2)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")

    def accounts(self) -> None:
        ws = self.wb.create_sheet(ACCOUNTS)
        self.heading(ws, "Target accounts", "Accounts both sides work together. Owner side "
                     "and stage are drop-downs; add rows above the total.")
        cols = ACCOUNT_COLS
        marks = len(cols) + 2
        self.table(ws, HEADER_ROW, cols, "account", self.doc.accounts, marks,
                   totals={6: "money"})
        styles.set_widths(ws, {i: c.width for i, c in enumerate(cols, start=1)})
        ws.freeze_panes = ws.cell(FIRST_ROW, 2)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")

    def rules_risks(self) -> None:
        ws = self.wb.create_sheet(RULES_RISKS)
        self.heading(ws, "Rules of engagement and risks",
                     "Rules both field teams follow, and what could stop the plan. "
                     "Add rows inside each table.")
        marks = 8
        _, last = self.table(ws, HEADER_ROW, RULE_COLS, "rule", self.doc.rules, marks)
        risk_top = last + 3
        ws.cell(risk_top - 1, 1, "Risks").style = "jbp section"
        ws.cell(risk_top - 1, marks, SKIP).style = "jbp hidden"
        for c in range(2, len(RISK_COLS) + 1):
            ws.cell(risk_top - 1, c).style = "jbp section"
        self.table(ws, risk_top, RISK_COLS, "risk", self.doc.risks, marks)
        widths = {1: 34, 2: 14, 3: 12, 4: 56, 5: 12}
        styles.set_widths(ws, widths)
        # The rule text spans the risk table's columns B..E.
        for r in range(FIRST_ROW, last + 1):
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
            text = ws.cell(r, 2).value or ""
            ws.row_dimensions[r].height = max(15, 13.5 * (len(str(text)) // 95 + 1))
        ws.merge_cells(start_row=HEADER_ROW, start_column=2, end_row=HEADER_ROW, end_column=5)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws)

    def comments(self) -> None:
        ws = self.wb.create_sheet(COMMENTS)
        self.heading(ws, "Comments", "Add a comment in a new row: pick what it is about in "
                     "'On', type your name and the comment. Resolved is yes or no.")
        marks = len(COMMENT_COLS) + 2
        labels = self.target_labels()
        self.header_row(ws, HEADER_ROW, COMMENT_COLS, "comment", marks)
        row = FIRST_ROW
        for c in self.doc.comments:
            label = labels.get((c.element_kind, c.element_id),
                               f"{c.element_kind} {c.element_id} (deleted)")
            values = (label, c.author, c.side, c.created_at, c.text,
                      "yes" if c.resolved else "no")
            for col, value in enumerate(values, start=1):
                calc = COMMENT_COLS[col - 1].field in (None, "author", "side", "text")
                self.s(ws.cell(row, col, value), "jbp calc text" if calc else "jbp input text")
            self.s(ws.cell(row, 5), "jbp wrap")
            ws.row_dimensions[row].height = max(15, 13.5 * (len(c.text) // 80 + 1))
            self.marks(ws, row, marks, "comment", c.id)
            row += 1
        end = row + 200  # room to add comments with the drop-downs in place
        n = len(labels)
        self.validation(ws, f"'{META}'!$E$1:$E${max(1, n)}", f"A{FIRST_ROW}:A{end}",
                        prompt="What the comment is about")
        self.validation(ws, SIDES, f"C{FIRST_ROW}:C{end}")
        self.validation(ws, ("yes", "no"), f"F{FIRST_ROW}:F{end}")
        styles.set_widths(ws, {i: c.width for i, c in enumerate(COMMENT_COLS, start=1)})
        ws.freeze_panes = ws.cell(FIRST_ROW, 1)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")

    def target_labels(self) -> dict[tuple[str, int], str]:
        """What a comment can be about, as "<ref> · <kind>: <name>" labels."""
        out = {("plan", self.plan_id): f"Plan · {self.doc.plan.title}"[:250]}
        for kind in ("goal", "kpi", "initiative", "account", "rule", "risk"):
            cls = element_class(kind)
            for e in self.doc.parts(kind):
                name = getattr(e, cls.FIELDS[0].name)
                out[(kind, e.id)] = f"{ref(kind, e.id)} · {cls.LABEL}: {name}"[:250]
        return out

    def history(self) -> None:
        ws = self.wb.create_sheet(HISTORY)
        self.heading(ws, "Revision history", "Every change to the plan: who, which side, "
                     "when, old → new. For reading only; edits here are not taken back.")
        headers = ("When", "Author", "Side", "Action", "Element", "Field", "Old", "New")
        for c, text in enumerate(headers, start=1):
            self.s(ws.cell(HEADER_ROW, c, text), "jbp header")
        names = {(k, e.id): getattr(e, element_class(k).FIELDS[0].name)
                 for k in ("goal", "kpi", "initiative", "account", "rule", "risk")
                 for e in self.doc.parts(k)}
        row = FIRST_ROW
        for rev in reversed(self.data.revisions):
            try:
                cls = element_class(rev.element_kind)
                label = cls.LABEL
                try:
                    fname = cls.field(rev.field).label
                except KeyError:
                    fname = rev.field
            except Exception:
                label, fname = rev.element_kind, rev.field
            name = names.get((rev.element_kind, rev.element_id), "")
            element = f"{label} {ref(rev.element_kind, rev.element_id) if rev.element_kind in REF_PREFIX else rev.element_id}"
            if name:
                element += f": {name}"
            values = (rev.at, rev.author, rev.side, rev.action, element,
                      "" if fname == "*" else fname, _short(rev.old), _short(rev.new))
            for c, value in enumerate(values, start=1):
                self.s(ws.cell(row, c, value), "jbp wrap" if c >= 7 else "jbp text")
            # Old and new values wrap inside their columns (printed, nothing is cut).
            lines = max(-(-len(values[6]) // 28), -(-len(values[7]) // 28), 1)
            if lines > 1:
                ws.row_dimensions[row].height = 13.5 * lines
            row += 1
        styles.set_widths(ws, {1: 18, 2: 18, 3: 9, 4: 9, 5: 40, 6: 20, 7: 28, 8: 28})
        ws.freeze_panes = ws.cell(FIRST_ROW, 1)
        if row > FIRST_ROW:
            ws.auto_filter.ref = f"A{HEADER_ROW}:H{row - 1}"
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")

    def meta(self) -> None:
        ws = self.wb.create_sheet(META)
        ws.sheet_state = "hidden"
        text = json.dumps(self.data.snapshot, sort_keys=True, separators=(",", ":"))
        chunks = [text[i:i + 30000] for i in range(0, len(text), 30000)] or [""]
        meta = meta_values(self.data, len(chunks))
        meta["signature"] = sign(self.data.key, signed_text(meta, text))
        for r, (k, v) in enumerate(meta.items(), start=1):
            ws.cell(r, 1, k)
            ws.cell(r, 2, v)
        for r, chunk in enumerate(chunks, start=1):
            ws.cell(r, 3, chunk)
        for r, label in enumerate(self.target_labels().values(), start=1):
            ws.cell(r, 5, label)
        ws["G1"] = ("Data JBP Studio needs to take this workbook back. Changing it makes "
                    "the workbook unreadable for the round trip.")


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


def quarter_state(start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """How far a quarter is on ``as_of``: "complete", "not started" or, for the quarter in
    progress, "to date, 45 of 92 days" (never shown as a finished quarter)."""
    if as_of < start:
        return "not started"
    if as_of >= end:
        return "complete"
    return f"to date, {(as_of - start).days + 1} of {(end - start).days + 1} days"


def _bare_provenance(data: PlanExport) -> Provenance:
    """The provenance of a workbook built from data read without it (tests, scripts)."""
    from jbp.asof import SET_BY_USER, AsOf

    return Provenance(program=data.program.name, currency=data.program.currency,
                      workspace=data.workspace_name, as_of=AsOf(data.as_of, SET_BY_USER),
                      exported_at=data.exported_at, exported_by="", app_version="JBP Studio")


def meta_values(data: PlanExport, chunks: int) -> dict[str, Any]:
    plan = data.doc.plan
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "workspace_id": data.workspace_id, "workspace": data.workspace_name,
            "plan_id": plan.id, "plan_version": plan.version, "plan_title": plan.title,
            "exported_at": data.exported_at, "as_of": data.as_of.isoformat(),
            "snapshot_chunks": chunks}


def signed_text(meta: dict[str, Any], snapshot_text: str) -> str:
    """What the signature covers: the meta values (without the signature) and the snapshot."""
    lines = [f"{k}={meta[k]}" for k in sorted(meta) if k != "signature"]
    return "\n".join(lines) + "\n" + snapshot_text


def kpi_formulas(r: int, quarter_row: int) -> dict[int, str]:
    """The calculated cells of a KPI row ``r`` (column number → formula); the Cover lists
    the fiscal quarters' first and last days from ``quarter_row``.

    They mirror :func:`jbp.kpi.kpi_status` on the KPI's own "measured through" day (column
    :data:`K_THROUGH`, written per KPI): the elapsed fraction of each quarter on that day
    (:data:`K_ELAPSED` …, :func:`jbp.kpi.quarter_progress`) and the quarter in progress
    (:meth:`jbp.kpi.PartialQuarter.label`); additive KPIs (currency or count summed over
    quarters) pro-rate each reported quarter's target by its elapsed fraction (a reported
    quarter that has not begun counts whole); levels and rate units (percent, days) take the
    latest reported quarter. Direction "lower" inverts the ratio.
    """
    L = get_column_letter
    t = [f"{L(K_TARGET + q)}{r}" for q in range(4)]
    a = [f"{L(K_ACTUAL + q)}{r}" for q in range(4)]
    unit, direction = f"${L(K_UNIT)}{r}", f"${L(K_DIR)}{r}"
    to_date = f"${L(K_TODATE)}{r}"
    ttd, atd, att = f"{L(K_TTD)}{r}", f"{L(K_ATD)}{r}", f"{L(K_ATT)}{r}"
    add = f'AND(OR({unit}="currency",{unit}="count"),{to_date}<>"latest quarter")'
    trange, arange = f"{t[0]}:{t[3]}", f"{a[0]}:{a[3]}"
    through = f"${L(K_THROUGH)}{r}"
    elapsed = [f"${L(K_ELAPSED + q)}{r}" for q in range(4)]
    starts = [f"'{COVER}'!$B${quarter_row + q}" for q in range(4)]
    ends = [f"'{COVER}'!$C${quarter_row + q}" for q in range(4)]
    weights = [f'IF({a[q]}<>"",IF({elapsed[q]}>0,{elapsed[q]},1),0)' for q in range(4)]
    out = {K_ELAPSED + q: f"=MAX(0,MIN(1,({through}-{starts[q]}+1)/({ends[q]}-{starts[q]}+1)))"
           for q in range(4)}
    label = '""'
    for q in reversed(range(4)):
        label = (f'IF(AND({through}>={starts[q]},{through}<{ends[q]}),"Q{q + 1} to date, "'
                 f'&({through}-{starts[q]}+1)&" of "&({ends[q]}-{starts[q]}+1)&" days",{label})')
    out[K_QUARTER] = "=" + label

    def latest(values: list[str], test: list[str], blank_as_empty: bool) -> str:
        expr = f'IF({values[0]}="","",{values[0]})' if blank_as_empty else values[0]
        for q in range(1, 4):
            v = f'IF({values[q]}="","",{values[q]})' if blank_as_empty else values[q]
            expr = f'IF({test[q]}<>"",{v},{expr})'
        return expr

    last_target = f'IF({t[3]}<>"",{t[3]},IF({t[2]}<>"",{t[2]},IF({t[1]}<>"",{t[1]},' \
                  f'IF({t[0]}<>"",{t[0]},""))))'
    full = f'=IF({add},IF(COUNT({trange})=0,"",SUM({trange})),{last_target})'
    prorated = "+".join(f"{t[q]}*{weights[q]}" for q in range(4))
    target_to_date = (f'=IF(COUNT({arange})=0,"",IF({add},{prorated},'
                      f'{latest(t, a, True)}))')
    actual_to_date = (f'=IF(COUNT({arange})=0,"",IF({add},SUM({arange}),'
                      f'{latest(a, a, False)}))')
    ratio = (f'IF({direction}="lower",IF({atd}<=0,IF({ttd}>=0,1,""),{ttd}/{atd}),'
             f'IF({ttd}=0,"",{atd}/{ttd}))')
    attainment = f'=IF(OR({atd}="",{ttd}=""),"",IF(AND({add},{ttd}=0),"",{ratio}))'
    variance = f'=IF(OR({atd}="",{ttd}=""),"",{atd}-{ttd})'
    rag = f'=IF({att}="","",IF({att}>=RAG_green,"Green",IF({att}>=RAG_amber,"Amber","Red")))'
    forecast = f'=IF({atd}="","",IF({add},{atd}/(({"+".join(weights)})/4),{atd}))'
    out.update({K_FULL: full, K_TTD: target_to_date, K_ATD: actual_to_date, K_ATT: attainment,
                K_VAR: variance, K_RAG: rag, K_FORECAST: forecast})
    return out


_FORMULA_ROW = "999983"  # a row number no plan reaches, standing for the row in templates
_FORMULA_TEMPLATES: dict[int, dict[int, str]] = {}


def _kpi_formulas_fast(r: int, quarter_row: int) -> dict[int, str]:
    """:func:`kpi_formulas` of row ``r``, from templates made once per Cover layout (the
    row put in)."""
    templates = _FORMULA_TEMPLATES.get(quarter_row)
    if templates is None:
        templates = _FORMULA_TEMPLATES[quarter_row] = kpi_formulas(int(_FORMULA_ROW),
                                                                   quarter_row)
    row = str(r)
    return {c: f.replace(_FORMULA_ROW, row) for c, f in templates.items()}


def _source_of(kpi: Kpi) -> str | None:
    """The kind of actuals the metric a KPI is bound to reads (None: not bound)."""
    if not kpi.metric:
        return None
    from jbp.metrics import METRICS

    metric = METRICS.get(kpi.metric)
    return metric.source if metric is not None else None


def _short(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        first = next(iter(value.values()), "")
        return f"{first}" if first else "(row)"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


_INDENT = Alignment(indent=1)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")

# A plan can have a hundred KPI charts that differ only in their row and title. The chart is
# built once per unit with openpyxl and its XML reused with the row and title put in, which
# makes the charts ten times cheaper to write than serialising a hundred chart objects.
_TEMPLATE_ROW = 999983
_TEMPLATE_TITLE = "@@jbp-chart-title@@"
_CHART_TEMPLATES: dict[tuple[str, str, int], str] = {}


class _TemplateChart(ChartBase):
    """A KPI chart written from the XML of its unit's template chart (see above), with the
    row and title put in. It carries only what a worksheet's drawing and the workbook writer
    ask of a chart (anchor, size, id and path, all ChartBase's) and its XML, which
    :func:`exporters.atomic.save_workbook` stores as is (``prewritten_xml``)."""

    def __init__(self, template: str, row: int, title: str):
        # No ChartBase.__init__: it builds a plot area and a legend this chart never uses.
        text = template.replace(f"${_TEMPLATE_ROW}", f"${row}")
        self.prewritten_xml = text.replace(_TEMPLATE_TITLE, xml_escape(title)).encode("utf-8")

    def _write(self):
        """The chart's XML element, for openpyxl's own ``Workbook.save``."""
        return fromstring(self.prewritten_xml)
