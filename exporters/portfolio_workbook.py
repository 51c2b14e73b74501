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
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from jbp.model import Program
from jbp.progress import Progress

from . import styles
from .atomic import build_and_save
from .front_matter import Provenance, banner, header, legend, provenance, sources_sheet
from .stored_values import put_formula, put_row

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


#: Columns shown (and printed) first, in this order; the others follow in the scorecard's.
KEY_COLUMNS = ("partner", "tier", "status", "sourced_revenue", "influenced_revenue",
               "attributed_revenue", "net_revenue", "investment", "ropi", "at_risk",
               "plan_attainment", "plan_rag")

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
    prov: Provenance | None = None


def collect_portfolio(ws, as_of: dt.date | None = None, frame=None) -> PortfolioExport:
    """Read the scorecard of every partner (``jbp.metrics.scorecard``) on the workbook's
    "as of" (:func:`jbp.asof.resolve_as_of` of ``as_of``, the date the user set, if any).

    This reads the whole workspace: the GUI calls it on its worker thread."""
    prov = provenance(ws, as_of)
    if frame is None:
        from jbp.metrics import scorecard

        frame = scorecard(ws, prov.as_of.date)
    return PortfolioExport(frame=frame, program=ws.program(), as_of=prov.as_of.date,
                           exported_at=prov.exported_at, workspace_name=ws.name, prov=prov)


def export_portfolio(ws, path: str | Path, *, as_of: dt.date | None = None,
                     state: Progress | None = None) -> Path:
    """Write the portfolio workbook of the workspace to ``path`` (atomically)."""
    return write_portfolio(collect_portfolio(ws, as_of), path, state)


def write_portfolio(data: PortfolioExport, path: str | Path,
                    state: Progress | None = None) -> Path:
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


def build_portfolio_workbook(data: PortfolioExport, state: Progress | None = None) -> Workbook:
    state = state or Progress()
    frame = data.frame
    key = [c for c in KEY_COLUMNS if c in frame.columns]
    frame = frame[key + [c for c in frame.columns if c not in key]]
    prov = data.prov or _bare_provenance(data)
    wb = Workbook()
    styles.register_styles(wb, data.program.currency)
    formats = [column_format(c, frame[c]) for c in frame.columns]
    columns = _column_values(frame, formats)
    records = list(zip(*columns, strict=True))  # one tuple per partner, the row's cells
    numbers = [_numbers(c) for c in columns]
    summary = wb.active
    summary.title = SUMMARY
    tiers = tier_order(frame, data.program)
    tier_col = list(frame.columns).index("tier") if "tier" in frame else None
    n = len(frame)
    state.step(0.05, "All partners")
    sheet = wb.create_sheet(PARTNERS)
    layout = _write_table(sheet, formats, records, numbers, range(n), data, "All partners",
                          state, 0.05, 0.45, prov, len(key))
    for k, tier in enumerate(tiers):
        state.step(0.5 + 0.3 * k / max(1, len(tiers)), f"Tier {tier}")
        if tier_col is None:
            break
        values = columns[tier_col]
        want = "" if tier == NO_TIER else tier
        rows = [i for i in range(n) if (values[i] or "") == want]
        _write_table(wb.create_sheet(_sheet_name(tier, wb)), formats, records, numbers, rows,
                     data, f"Tier {tier}", None, 0, 0, prov, len(key))
    state.step(0.82, "Summary")
    _summary(summary, data, formats, columns, numbers, layout, tiers, prov)
    _definitions(wb.create_sheet(DEFINITIONS), formats, prov)
    sources_sheet(wb, prov)
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
        elif series.dtype.kind == "i":
            pass  # whole numbers: nothing is missing
        elif series.dtype.kind == "f":
            values = [None if v != v else v for v in values]  # NaN is the one value != itself
        else:
            values = [None if (isinstance(v, float) and math.isnan(v)) or v is None
                      or (isinstance(v, str) and v == "") else v for v in values]
        out.append(values)
    return out


def _numbers(values: list[Any]) -> Any:
    """A column as a float array for totals: NaN where a cell holds no number (text,
    empty, yes/no), as SUM and SUBTOTAL skip them."""
    import numpy as np

    return np.array([v if type(v) is float or type(v) is int else math.nan for v in values],
                    dtype=float)


def _total(numbers: Any, rows: Any = None) -> float:
    """Σ of the numbers of a column (:func:`_numbers`), over ``rows`` (indexes or a mask)
    when given: what the sheet's SUM, SUBTOTAL or SUMIF gives."""
    import numpy as np

    picked = numbers if rows is None else numbers[rows]
    return float(np.nansum(picked))


@dataclass
class _Layout:
    col_of: dict[str, int]
    first: int
    last: int


def _bare_provenance(data: PortfolioExport) -> Provenance:
    """The provenance of a workbook built from data read without it (tests, scripts)."""
    from jbp.asof import SET_BY_USER, TODAY, AsOf

    as_of = AsOf(data.as_of, SET_BY_USER) if data.as_of else AsOf(dt.date.today(), TODAY)
    return Provenance(program=data.program.name, currency=data.program.currency,
                      workspace=data.workspace_name, as_of=as_of,
                      exported_at=data.exported_at, exported_by="", app_version="JBP Studio")


def _write_table(ws, formats, records, numbers, rows, data: PortfolioExport, title: str,
                 state: Progress | None, start: float, span: float, prov: Provenance,
                 printed: int) -> _Layout:
    ws["A1"] = title
    ws["A1"].style = "jbp title"
    ws["A2"] = (f"{data.program.name} · scorecards as of {prov.as_of_text} · T12M = the 12 "
                f"months to that date · printed: the first {printed} columns; all "
                f"{len(formats)} are in the file")
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
        put_row(ws, r, records[i], arrays)
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
                total = _total(numbers[c - 1], rows)
                put_formula(ws, r, c, f"=SUBTOTAL(9,{letter}{FIRST_ROW}:{letter}{last})",
                            total, f"jbp total {_STYLE_OF_UNIT[fmt.unit]}")
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
    ws.freeze_panes = f"{get_column_letter(name_col + 1)}{FIRST_ROW}"
    styles.page_setup(ws, header(prov), title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
                      last_col=printed)
    return _Layout(col_of, FIRST_ROW, last)


def _summary(ws, data: PortfolioExport, formats, columns, numbers, layout: _Layout,
             tiers: list[str], prov: Provenance) -> None:
    import numpy as np

    program = data.program
    ws["A1"] = f"{program.name}: partner portfolio"
    ws["A1"].style = "jbp title"
    ws["A2"] = (f"Scorecards as of {prov.as_of_text}. Every figure below is a formula over "
                f"the '{PARTNERS}' sheet, stored with the value JBP Studio computed.")
    ws["A2"].style = "jbp subtitle"
    ws.sheet_view.showGridLines = False
    col = layout.col_of
    sheet = f"'{PARTNERS}'"
    n = layout.last - layout.first + 1

    def rng(name: str) -> str | None:
        if name not in col or layout.last < layout.first:
            return None
        letter = get_column_letter(col[name])
        return f"{sheet}!${letter}${layout.first}:${letter}${layout.last}"

    def values(name: str) -> list[Any]:
        return columns[col[name] - 1][:n] if name in col else []

    def total(name: str, keep: Any = None) -> float:
        """SUM (``keep`` None) or SUMIF (``keep`` a mask of the rows) of a column."""
        return _total(numbers[col[name] - 1][:n], keep)

    def lowered(name: str) -> Any:
        return np.array([str(v or "").lower() for v in values(name)], dtype=object)

    def count(name: str, text: str, keep: Any = None) -> int:
        """COUNTIF(S) of ``text`` (any case) in a column, on the rows of ``keep``."""
        hits = lowered(name) == text.lower()
        return int(np.count_nonzero(hits if keep is None else hits & keep))

    row = 4
    ws.cell(row, 1, "Program").style = "jbp section"
    ws.cell(row, 2).style = "jbp section"
    row += 1
    figures: list[tuple[str, str, Any, str]] = []
    if rng("partner"):
        figures.append(("Partners", f"=COUNTA({rng('partner')})",
                        sum(1 for v in values("partner") if v not in (None, "")), "count"))
    if rng("status"):
        figures.append(("Active partners", f'=COUNTIF({rng("status")},"active")',
                        count("status", "active"), "count"))
    if rng("at_risk"):
        figures.append(("At risk", f'=COUNTIF({rng("at_risk")},"Yes")',
                        count("at_risk", "Yes"), "count"))
    for name in ("sourced_revenue", "influenced_revenue", "attributed_revenue", "net_revenue",
                 "investment", "mdf_spent"):
        if rng(name):
            figures.append((column_format(name).label, f"=SUM({rng(name)})", total(name),
                            "money"))
    for label, formula, value, style in figures:
        ws.cell(row, 1, label).style = "jbp label"
        put_formula(ws, row, 2, formula, value, f"jbp calc {style}")
        row += 1
    if rng("net_revenue") and rng("investment"):
        inv, net = total("investment"), total("net_revenue")
        ws.cell(row, 1, "Program ROPI").style = "jbp label"
        put_formula(ws, row, 2, f"=IF(SUM({rng('investment')})=0,\"\",(SUM({rng('net_revenue')})-"
                    f"SUM({rng('investment')}))/SUM({rng('investment')}))",
                    "" if inv == 0 else (net - inv) / inv, "jbp calc percent")
        row += 1
    row += 1
    row = legend(ws, row)
    row += 1
    row = banner(ws, row, prov)

    row += 1
    tier_top = row
    heads = ["Tier", "Partners", "At risk", "Sourced revenue T12M", "Attributed revenue T12M",
             "Net partner revenue T12M", "Partner investment T12M", "ROPI"]
    for c, text in enumerate(heads, start=1):
        ws.cell(row, c, text).style = "jbp header"
    ws.row_dimensions[row].height = 30
    row += 1
    tier_rng = rng("tier")
    tier_values = lowered("tier") if tier_rng else None
    first_tier_row = row
    for tier in tiers:
        crit = '""' if tier == NO_TIER else f"$A{row}"
        want = "" if tier == NO_TIER else tier.lower()
        ws.cell(row, 1, tier).style = "jbp text"
        if tier_rng:
            keep = tier_values == want
            put_formula(ws, row, 2, f"=COUNTIF({tier_rng},{crit})",
                        int(np.count_nonzero(keep)), "jbp calc count")
            if rng("at_risk"):
                put_formula(ws, row, 3, f'=COUNTIFS({tier_rng},{crit},{rng("at_risk")},"Yes")',
                            count("at_risk", "Yes", keep), "jbp calc count")
            sums = {}
            for c, name in ((4, "sourced_revenue"), (5, "attributed_revenue"),
                            (6, "net_revenue"), (7, "investment")):
                if rng(name):
                    sums[c] = total(name, keep)
                    put_formula(ws, row, c, f"=SUMIF({tier_rng},{crit},{rng(name)})", sums[c],
                                "jbp calc money")
            inv, net = sums.get(7), sums.get(6, 0)
            put_formula(ws, row, 8, f'=IF(OR(G{row}="",G{row}=0),"",(F{row}-G{row})/G{row})',
                        "" if not inv else (net - inv) / inv, "jbp calc percent")
        row += 1
    last_tier_row = row - 1
    styles.set_widths(ws, {1: 26, 2: 16, 3: 10, 4: 15, 5: 15, 6: 15, 7: 15, 8: 10})

    # Top partners by attributed revenue: live references to their rows.
    metric = "attributed_revenue" if "attributed_revenue" in col else \
        "sourced_revenue" if "sourced_revenue" in col else None
    top = None
    if metric and "partner" in col and layout.last >= layout.first:
        metric_values = values(metric)
        order = sorted(range(n), key=lambda i: -(metric_values[i] or 0))[:15]
        row += 1
        ws.row_breaks.append(Break(id=row - 1))  # the top partners on a page of their own
        top = row
        ws.cell(row, 1, "Top partners").style = "jbp header"
        ws.cell(row, 2, column_format(metric).label).style = "jbp header"
        row += 1
        name_letter = get_column_letter(col["partner"])
        metric_letter = get_column_letter(col[metric])
        names = values("partner")
        for i in order:
            src = layout.first + i
            put_formula(ws, row, 1, f"={sheet}!{name_letter}{src}", names[i], "jbp calc text")
            put_formula(ws, row, 2, f"={sheet}!{metric_letter}{src}", metric_values[i] or 0,
                        "jbp calc money")
            row += 1
    # The charts go below the tables, each on a page of its own: none is cut by a break.
    row += 1
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
        chart.height, chart.width = 9, 22
        chart.legend.position = "b"
        ws.row_breaks.append(Break(id=row - 1))
        ws.add_chart(chart, f"A{row}")
        row += 22
    if top is not None:
        chart = BarChart()
        chart.type = "bar"
        chart.title = styles.chart_title(f"Top {row and len(order)} partners: "
                                         f"{column_format(metric).label}")
        chart.add_data(Reference(ws, min_col=2, min_row=top, max_row=top + len(order)),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=top + 1,
                                       max_row=top + len(order)))
        chart.y_axis.number_format = styles.currency_format(program.currency)
        chart.x_axis.scaling.orientation = "maxMin"  # largest on top
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend = None
        chart.height, chart.width = 11, 22
        ws.row_breaks.append(Break(id=row - 1))
        ws.add_chart(chart, f"A{row}")
    styles.page_setup(ws, header(prov), last_col=8)


def _definitions(ws, formats: list[ColumnFormat], prov: Provenance) -> None:
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
    styles.set_widths(ws, {1: 40, 2: 12, 3: 30})
    styles.page_setup(ws, header(prov), title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
