"""The portfolio workbook: one row per partner with the scorecard figures, a sheet per tier,
a summary whose totals are live formulas over the partner rows, and charts.

The writer is generic over the scorecard's columns: each column is formatted by its unit,
taken from :data:`jbp.metrics.SCORECARD_LABELS` where it is listed and otherwise from its
name (``*_revenue``, ``cltv``, ``investment``, ``cac`` … → currency; ``ropi``,
``*_utilisation``, ``*_trend``, ``*_score`` → percent; dates → date; ``*_days`` → days).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from jbp.model import Program

from . import styles
from .atomic import build_and_save
from .progress import ExportState

SUMMARY = "Summary"
PARTNERS = "All partners"
DEFINITIONS = "Definitions"
HEADER_ROW = 4
FIRST_ROW = 5
NO_TIER = "No tier"

_CURRENCY_NAMES = re.compile(r"(_revenue|revenue_|^cltv$|^cac$|investment|^margins$|^rebates$|"
                             r"^mdf_spent$|^mdf_approved$|_costs?$|^gap_sourced_revenue$)")
_PERCENT_NAMES = re.compile(r"(^ropi$|_utilisation$|_utilization$|_trend$|_score$|_share$|"
                            r"_rate$|fraction)")


@dataclass(frozen=True)
class ColumnFormat:
    """How one scorecard column is shown: its header and unit (currency, count, fraction,
    ratio, days, date, bool or "" for text)."""

    name: str
    label: str
    unit: str


def column_format(name: str, series=None) -> ColumnFormat:
    """The header and unit of a scorecard column (see the module doc)."""
    try:
        from jbp.metrics import SCORECARD_LABELS
    except ImportError:  # an older domain without the labels
        SCORECARD_LABELS = {}
    if name in SCORECARD_LABELS:
        label, unit = SCORECARD_LABELS[name]
        return ColumnFormat(name, label, unit)
    label = name.replace("_", " ").capitalize()
    kind = str(getattr(series, "dtype", ""))
    if "datetime" in kind:
        unit = "date"
    elif kind == "bool":
        unit = "bool"
    elif _CURRENCY_NAMES.search(name):
        unit = "currency"
    elif _PERCENT_NAMES.search(name):
        unit = "fraction"
    elif name.endswith("_days"):
        unit = "days"
    elif kind.startswith("int"):
        unit = "count"
    elif kind.startswith("float"):
        unit = "decimal"
    else:
        unit = ""
    return ColumnFormat(name, label, unit)


_STYLE_OF_UNIT = {"currency": "money", "count": "count", "fraction": "percent",
                  "percent": "percent", "ratio": "ratio", "days": "decimal", "date": "date",
                  "decimal": "decimal", "bool": "text", "": "text"}


@dataclass
class PortfolioExport:
    """The scorecard frame and what the workbook says about it."""

    frame: Any  # pandas.DataFrame, one row per partner
    program: Program
    as_of: dt.date | None
    exported_at: str
    workspace_name: str = ""


def collect_portfolio(ws, as_of: dt.date | None = None, frame=None) -> PortfolioExport:
    """Read the scorecard of every partner (``jbp.metrics.scorecard``) on ``as_of``."""
    if frame is None:
        from jbp.metrics import scorecard

        frame = scorecard(ws, as_of)
        as_of = frame.attrs.get("as_of", as_of)  # the date the scorecard could describe
    return PortfolioExport(frame=frame, program=ws.program(), as_of=as_of,
                           exported_at=dt.datetime.now().replace(microsecond=0)
                           .isoformat(sep=" "), workspace_name=ws.name)


def export_portfolio(ws, path: str | Path, *, as_of: dt.date | None = None,
                     state: ExportState | None = None) -> Path:
    """Write the portfolio workbook of the workspace to ``path`` (atomically)."""
    return write_portfolio(collect_portfolio(ws, as_of), path, state)


def write_portfolio(data: PortfolioExport, path: str | Path,
                    state: ExportState | None = None) -> Path:
    return build_and_save(build_portfolio_workbook, data, path, state)


def tier_order(frame, program: Program) -> list[str]:
    """Tier names highest first, then any other value found, then "No tier"."""
    ranked = [t.name for t in program.tiers_by_rank()][::-1]
    present = [str(t) for t in frame["tier"].fillna("").unique()] if "tier" in frame else []
    others = sorted(t for t in present if t and t not in ranked)
    names = [t for t in ranked + others if t in present]
    if "" in present:
        names.append(NO_TIER)
    return names


def build_portfolio_workbook(data: PortfolioExport, state: ExportState | None = None) -> Workbook:
    state = state or ExportState()
    frame = data.frame
    wb = Workbook()
    styles.register_styles(wb, data.program.currency)
    formats = [column_format(c, frame[c]) for c in frame.columns]
    columns = _column_values(frame, formats)
    summary = wb.active
    summary.title = SUMMARY
    tiers = tier_order(frame, data.program)
    tier_col = list(frame.columns).index("tier") if "tier" in frame else None
    n = len(frame)
    state.step(0.05, "All partners")
    sheet = wb.create_sheet(PARTNERS)
    layout = _write_table(sheet, formats, columns, range(n), data, "All partners", state, 0.05,
                          0.45)
    for k, tier in enumerate(tiers):
        state.step(0.5 + 0.3 * k / max(1, len(tiers)), f"Tier {tier}")
        if tier_col is None:
            break
        values = columns[tier_col]
        want = "" if tier == NO_TIER else tier
        rows = [i for i in range(n) if (values[i] or "") == want]
        _write_table(wb.create_sheet(_sheet_name(tier, wb)), formats, columns, rows, data,
                     f"Tier {tier}", None, 0, 0)
    state.step(0.82, "Summary")
    _summary(summary, data, formats, columns, layout, tiers)
    _definitions(wb.create_sheet(DEFINITIONS), formats)
    wb.active = 0
    return wb


def _sheet_name(name: str, wb) -> str:
    clean = re.sub(r"[\[\]:*?/\\']", " ", name).strip()[:28] or "Tier"
    candidate, k = clean, 2
    while candidate in wb.sheetnames:
        candidate, k = f"{clean} {k}", k + 1
    return candidate


def _column_values(frame, formats: list[ColumnFormat]) -> list[list[Any]]:
    """Each column as a list of plain Python values ready for a cell (None for missing)."""
    out = []
    for fmt in formats:
        series = frame[fmt.name]
        values = series.tolist()
        if fmt.unit == "date":
            values = [None if v is None or (isinstance(v, float) and math.isnan(v))
                      or str(v) == "NaT" else (v.date() if hasattr(v, "date") else v)
                      for v in values]
        elif fmt.unit == "bool":
            values = ["Yes" if bool(v) else "No" for v in values]
        else:
            values = [None if (isinstance(v, float) and math.isnan(v)) or v is None
                      or (isinstance(v, str) and v == "") else v for v in values]
        out.append(values)
    return out


@dataclass
class _Layout:
    col_of: dict[str, int]
    first: int
    last: int


def _write_table(ws, formats, columns, rows, data: PortfolioExport, title: str,
                 state: ExportState | None, start: float, span: float) -> _Layout:
    ws["A1"] = title
    ws["A1"].style = "jbp title"
    as_of = data.as_of.isoformat() if data.as_of else "the end of the latest month of actuals"
    ws["A2"] = (f"{data.program.name} · scorecards as of {as_of} · T12M = the 12 months to "
                f"that date · exported {data.exported_at}")
    ws["A2"].style = "jbp subtitle"
    ws.sheet_view.showGridLines = False
    for c, fmt in enumerate(formats, start=1):
        ws.cell(HEADER_ROW, c, fmt.label).style = "jbp header"
    ws.row_dimensions[HEADER_ROW].height = 30
    arrays = styles.style_arrays(ws, [f"jbp {_STYLE_OF_UNIT.get(f.unit, 'text')}"
                                      for f in formats])
    width = len(formats)
    r = FIRST_ROW
    rows = list(rows)
    total = max(1, len(rows))
    for k, i in enumerate(rows):
        ws.append([Cell(ws, value=columns[c][i], style_array=StyleArray(arrays[c]))
                   for c in range(width)])
        r += 1
        if state is not None and k % 200 == 199:
            state.step(start + span * k / total, title)
    last = r - 1
    col_of = {f.name: c for c, f in enumerate(formats, start=1)}
    if rows:
        ws.cell(r, 1, "Total").style = "jbp total text"
        for c, fmt in enumerate(formats, start=1):
            letter = get_column_letter(c)
            if c == 1:
                continue
            if fmt.unit in ("currency", "count") and not fmt.name.endswith("_id") \
                    and fmt.name not in ("partner_id",):
                ws.cell(r, c, f"=SUBTOTAL(9,{letter}{FIRST_ROW}:{letter}{last})").style = \
                    f"jbp total {_STYLE_OF_UNIT[fmt.unit]}"
            else:
                ws.cell(r, c).style = "jbp total text"
        if "at_risk" in col_of:
            letter = get_column_letter(col_of["at_risk"])
            rng = f"$A${FIRST_ROW}:${get_column_letter(width)}${last}"
            ws.conditional_formatting.add(rng, FormulaRule(
                formula=[f'${letter}{FIRST_ROW}="Yes"'],
                fill=PatternFill("solid", bgColor="FCE4D6"),
                font=Font(color="9C0006")))
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(width)}{last}"
    else:
        ws.cell(FIRST_ROW, 1, "No partners.").style = "jbp subtitle"
    widths = {}
    for c, fmt in enumerate(formats, start=1):
        widths[c] = {"partner": 26, "risk_reasons": 40, "manager": 16, "region": 13}.get(
            fmt.name, 12.5 if fmt.unit else 12)
    styles.set_widths(ws, widths)
    name_col = col_of.get("partner", 1)
    ws.freeze_panes = ws.cell(FIRST_ROW, name_col + 1)
    styles.landscape(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    return _Layout(col_of, FIRST_ROW, last)


def _summary(ws, data: PortfolioExport, formats, columns, layout: _Layout,
             tiers: list[str]) -> None:
    program = data.program
    ws["A1"] = f"{program.name}: partner portfolio"
    ws["A1"].style = "jbp title"
    ws["A2"] = (f"Scorecards as of {data.as_of.isoformat() if data.as_of else 'the latest month'}"
                f" · exported {data.exported_at}. Every figure below is a formula over the "
                f"'{PARTNERS}' sheet.")
    ws["A2"].style = "jbp subtitle"
    ws.sheet_view.showGridLines = False
    col = layout.col_of
    sheet = f"'{PARTNERS}'"

    def rng(name: str) -> str | None:
        if name not in col or layout.last < layout.first:
            return None
        letter = get_column_letter(col[name])
        return f"{sheet}!${letter}${layout.first}:${letter}${layout.last}"

    row = 4
    ws.cell(row, 1, "Program").style = "jbp section"
    ws.cell(row, 2).style = "jbp section"
    row += 1
    figures = [("Partners", f"=COUNTA({rng('partner')})" if rng("partner") else 0, "count")]
    if rng("status"):
        figures.append(("Active partners", f'=COUNTIF({rng("status")},"active")', "count"))
    if rng("at_risk"):
        figures.append(("At risk", f'=COUNTIF({rng("at_risk")},"Yes")', "count"))
    for name in ("sourced_revenue", "influenced_revenue", "attributed_revenue", "net_revenue",
                 "investment", "mdf_spent"):
        if rng(name):
            figures.append((column_format(name).label, f"=SUM({rng(name)})", "money"))
    program_rows: dict[str, int] = {}
    for label, formula, style in figures:
        ws.cell(row, 1, label).style = "jbp label"
        ws.cell(row, 2, formula).style = f"jbp calc {style}"
        program_rows[label] = row
        row += 1
    if rng("net_revenue") and rng("investment"):
        ws.cell(row, 1, "Program ROPI").style = "jbp label"
        ws.cell(row, 2, f"=IF(SUM({rng('investment')})=0,\"\",(SUM({rng('net_revenue')})-"
                        f"SUM({rng('investment')}))/SUM({rng('investment')}))").style = \
            "jbp calc percent"
        row += 1

    row += 1
    tier_top = row
    heads = ["Tier", "Partners", "At risk", "Sourced revenue T12M", "Attributed revenue T12M",
             "Net partner revenue T12M", "Partner investment T12M", "ROPI"]
    for c, text in enumerate(heads, start=1):
        ws.cell(row, c, text).style = "jbp header"
    ws.row_dimensions[row].height = 30
    row += 1
    tier_rng = rng("tier")
    first_tier_row = row
    for tier in tiers:
        crit = '""' if tier == NO_TIER else f"$A{row}"
        ws.cell(row, 1, tier).style = "jbp text"
        if tier_rng:
            ws.cell(row, 2, f"=COUNTIF({tier_rng},{crit})").style = "jbp calc count"
            if rng("at_risk"):
                ws.cell(row, 3, f'=COUNTIFS({tier_rng},{crit},{rng("at_risk")},"Yes")').style = \
                    "jbp calc count"
            for c, name in ((4, "sourced_revenue"), (5, "attributed_revenue"),
                            (6, "net_revenue"), (7, "investment")):
                if rng(name):
                    ws.cell(row, c, f"=SUMIF({tier_rng},{crit},{rng(name)})").style = \
                        "jbp calc money"
            ws.cell(row, 8, f'=IF(OR(G{row}="",G{row}=0),"",(F{row}-G{row})/G{row})').style = \
                "jbp calc percent"
        row += 1
    last_tier_row = row - 1
    styles.set_widths(ws, {1: 26, 2: 16, 3: 10, 4: 16, 5: 16, 6: 16, 7: 16, 8: 10})

    if tiers and tier_rng:
        chart = BarChart()
        chart.type = "col"
        chart.title = styles.chart_title("Sourced and attributed revenue by tier (T12M)")
        chart.add_data(Reference(ws, min_col=4, max_col=5, min_row=tier_top,
                                 max_row=last_tier_row), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first_tier_row,
                                       max_row=last_tier_row))
        chart.y_axis.number_format = styles.currency_format(program.currency)
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.height, chart.width = 7.5, 15
        chart.legend.position = "b"
        ws.add_chart(chart, "J4")

    # Top partners by attributed revenue: live references to their rows.
    metric = "attributed_revenue" if "attributed_revenue" in col else \
        "sourced_revenue" if "sourced_revenue" in col else None
    if metric and "partner" in col and layout.last >= layout.first:
        values = columns[col[metric] - 1]
        order = sorted(range(len(values)), key=lambda i: -(values[i] or 0))[:15]
        row = max(row, last_tier_row) + 2
        top = row
        ws.cell(row, 1, "Top partners").style = "jbp header"
        ws.cell(row, 2, column_format(metric).label).style = "jbp header"
        row += 1
        name_letter = get_column_letter(col["partner"])
        metric_letter = get_column_letter(col[metric])
        for i in order:
            src = layout.first + i
            ws.cell(row, 1, f"={sheet}!{name_letter}{src}").style = "jbp calc text"
            ws.cell(row, 2, f"={sheet}!{metric_letter}{src}").style = "jbp calc money"
            row += 1
        chart = BarChart()
        chart.type = "bar"
        chart.title = styles.chart_title(f"Top {len(order)} partners: "
                                         f"{column_format(metric).label}")
        chart.add_data(Reference(ws, min_col=2, min_row=top, max_row=row - 1),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=row - 1))
        chart.y_axis.number_format = styles.currency_format(program.currency)
        chart.x_axis.scaling.orientation = "maxMin"  # largest on top
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend = None
        chart.height, chart.width = 9.5, 15
        ws.add_chart(chart, "J21")
    styles.landscape(ws)


def _definitions(ws, formats: list[ColumnFormat]) -> None:
    ws["A1"] = "Definitions"
    ws["A1"].style = "jbp title"
    ws["A2"] = ("Units of each column. Formulas of every metric: docs/metrics.md of JBP "
                "Studio. Money is in the program currency; fractions are shown as percent; "
                "T12M = trailing twelve months.")
    ws["A2"].style = "jbp subtitle"
    for c, text in enumerate(("Column", "Unit", "Field"), start=1):
        ws.cell(HEADER_ROW, c, text).style = "jbp header"
    for r, fmt in enumerate(formats, start=FIRST_ROW):
        ws.cell(r, 1, fmt.label).style = "jbp text"
        ws.cell(r, 2, fmt.unit or "text").style = "jbp text"
        ws.cell(r, 3, fmt.name).style = "jbp text"
    styles.set_widths(ws, {1: 34, 2: 12, 3: 30})
