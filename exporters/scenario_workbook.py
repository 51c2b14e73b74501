"""The scenario workbook: what each scenario assumes, what it gives month by month with
uncertainty bands, and how the scenarios compare, for a finance reader.

Sheets: Comparison (totals over the horizon with 95% confidence intervals, the difference from
the first scenario as live formulas next to its confidence interval, and a chart), Parameters
(every parameter of every scenario side by side, differences from the first highlighted and
named), Starting partners (a calibrated scenario's per-partner inputs, when it has them), one
"Monthly" sheet per headline metric (mean, P10, P50, P90 per scenario, with a chart), and
Definitions. Figures come from :class:`simulation.results.ScenarioResult` and
:func:`simulation.results.compare`; nothing is simulated here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.pagebreak import Break

from jbp.errors import ValidationError
from jbp.progress import Progress

from . import styles
from .atomic import build_and_save
from .front_matter import Provenance, banner, header, legend, provenance, sources_sheet
from .scenario_parameters import (  # noqa: F401 - ParamRow, parameter_rows: public here too
    PARAMETERS,
    ParamRow,
    heading,
    parameter_rows,
    write_parameters,
)
from .stored_values import put_formula

COMPARISON = "Comparison"
DEFINITIONS = "Definitions"
HEADER_ROW = 4
FIRST_ROW = 5
#: Metrics that get a monthly sheet with bands.
MONTHLY_METRICS = ("sourced_revenue", "arr", "net_partner_revenue", "ropi", "partners_active")
CHART_METRICS = ("sourced_revenue", "influenced_revenue", "net_partner_revenue", "investment")
SERIES_COLOURS = ("1F3864", "C55A11", "548235", "7030A0", "BF9000", "2E75B6")

_UNIT_STYLE = {"currency": "money", "fraction": "percent", "days": "decimal"}


def _style(unit: str) -> str:
    return _UNIT_STYLE.get(unit, "decimal")


@dataclass
class ScenarioExport:
    """Results of the scenarios to export (the first is the baseline of the comparison)."""

    results: list[Any]  # simulation.results.ScenarioResult
    currency: str
    exported_at: str
    stale: list[str] = dataclasses.field(default_factory=list)
    workspace_name: str = ""
    prov: Provenance | None = None


def collect_scenarios(ws, names: list[str]) -> ScenarioExport:
    """Read the stored results of the scenarios called ``names`` (in that order).

    Raises :class:`ValidationError` for an unknown scenario or one that was never run."""
    from jbp.scenarios import scenario_by_name
    from simulation.results import ScenarioResult

    if not names:
        raise ValidationError("Scenarios", "name at least one scenario to export")
    results, stale = [], []
    for name in names:
        record = scenario_by_name(ws, name)
        if record is None:
            raise ValidationError("Scenario", f"no scenario named {name!r} in {ws.name}")
        if record.results is None:
            raise ValidationError("Scenario", f"{record.name!r} has not been run yet; run it "
                                  "in the Scenario Lab or with jbp simulate first")
        results.append(ScenarioResult.from_bytes(record.results))
        if record.stale:
            stale.append(record.name)
    prov = provenance(ws)
    return ScenarioExport(results=results, currency=ws.program().currency,
                          exported_at=prov.exported_at, stale=stale, workspace_name=ws.name,
                          prov=prov)


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


def export_scenarios(ws, names: list[str], path: str | Path, *,
                     state: Progress | None = None) -> Path:
    """Write the scenario workbook of the scenarios ``names`` to ``path`` (atomically)."""
    return write_scenarios(collect_scenarios(ws, names), path, state)


def write_scenarios(data: ScenarioExport, path: str | Path,
                    state: Progress | None = None) -> Path:
    return build_and_save(build_scenario_workbook, data, path, state)


def build_scenario_workbook(data: ScenarioExport,
                            state: Progress | None = None) -> Workbook:
    from simulation.results import HEADLINE, METRICS, compare

    state = state or Progress()
    results = data.results
    if not results:
        raise ValidationError("Scenarios", "nothing to export")
    wb = Workbook()
    styles.register_styles(wb, data.currency or results[0].currency or "USD", compare=True)
    prov = data.prov or _bare_provenance(data)
    top = header(prov, ", ".join(r.name for r in results))
    state.step(0.05, "Comparison")
    table = compare(results, list(HEADLINE))
    _comparison(wb.active, data, table, METRICS, prov, top)
    state.step(0.25, "Parameters")
    write_parameters(wb.create_sheet(PARAMETERS), results, data.currency, top)
    for k, name in enumerate(MONTHLY_METRICS):
        state.step(0.35 + 0.5 * k / len(MONTHLY_METRICS), f"Monthly {name}")
        _monthly(wb, data, name, METRICS[name], top)
    _definitions(wb.create_sheet(DEFINITIONS), data, METRICS, top)
    sources_sheet(wb, prov)
    wb.active = 0
    return wb


def _bare_provenance(data: ScenarioExport) -> Provenance:
    """The provenance of a workbook built from data read without it (tests, scripts)."""
    from jbp.asof import TODAY, AsOf

    return Provenance(program=data.workspace_name, currency=data.currency,
                      workspace=data.workspace_name, as_of=AsOf(dt.date.today(), TODAY),
                      exported_at=data.exported_at, exported_by="", app_version="JBP Studio")


_heading = heading


def _num(value: Any) -> Any:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    return None if math.isnan(f) or math.isinf(f) else f


def _comparison(ws, data: ScenarioExport, table, metrics, prov: Provenance,
                top_header: str) -> None:
    ws.title = COMPARISON
    results = data.results
    base = results[0]
    reps = ", ".join(f"{r.name}: {r.replications} replications" for r in results)
    _heading(ws, "Scenario comparison",
             f"Totals over {base.months} months (flows summed, stocks at the last month); "
             f"mean with its 95% confidence interval; Δ is against {base.name}. {reps}.")
    if data.stale:
        ws["A3"] = ("Results of " + ", ".join(data.stale) + " were computed before the "
                    "scenario was last edited; run them again for current figures.")
        ws["A3"].style = "jbp subtitle"
    heads = ("Metric", "Scenario", "Mean", "95% CI low", "95% CI high", "Δ vs baseline",
             "Δ 95% CI low", "Δ 95% CI high", "Δ %", "Paired", "Significant")
    for c, text in enumerate(heads, start=1):
        ws.cell(HEADER_ROW, c, text).style = "jbp header"
    ws.row_dimensions[HEADER_ROW].height = 30
    row = FIRST_ROW
    for metric in dict.fromkeys(table.index.get_level_values(0)):
        block = table.loc[metric]
        unit = str(block["unit"].iloc[0])
        style = _style(unit)
        base_row = row
        for scenario_name, rec in block.iterrows():
            ws.cell(row, 1, str(rec["label"])).style = "jbp text"
            ws.cell(row, 2, str(scenario_name)).style = "jbp text"
            for c, key in ((3, "mean"), (4, "ci_low"), (5, "ci_high")):
                ws.cell(row, c, _num(rec[key])).style = f"jbp {style}"
            if row == base_row:
                for c in range(6, 12):
                    ws.cell(row, c, "baseline" if c == 6 else None).style = "jbp calc text"
            else:
                mean, base_mean = _num(rec["mean"]), _num(block.iloc[0]["mean"])
                delta = "" if mean is None or base_mean is None else mean - base_mean
                put_formula(ws, row, 6,
                            f'=IF(OR(C{row}="",C{base_row}=""),"",C{row}-C{base_row})',
                            delta, f"jbp calc {style}")
                ws.cell(row, 7, _num(rec["delta_ci_low"])).style = f"jbp {style}"
                ws.cell(row, 8, _num(rec["delta_ci_high"])).style = f"jbp {style}"
                put_formula(ws, row, 9, f'=IF(OR(F{row}="",C{base_row}="",C{base_row}=0),"",'
                                        f'F{row}/ABS(C{base_row}))',
                            "" if delta == "" or not base_mean else delta / abs(base_mean),
                            "jbp calc percent")
                ws.cell(row, 10, "yes" if rec["paired"] else "no").style = "jbp text"
                ws.cell(row, 11, "yes" if rec["significant"] else "no").style = "jbp text"
            row += 1
        for c in range(1, 12):
            ws.cell(row - 1, c).border = styles.Border(
                bottom=styles.Side(style="thin", color="7F7F7F"))
    last = row - 1
    ws.conditional_formatting.add(f"K{FIRST_ROW}:K{last}", FormulaRule(
        formula=[f'$K{FIRST_ROW}="yes"'], fill=PatternFill("solid", bgColor="C6EFCE")))
    styles.set_widths(ws, {1: 30, 2: 22, 3: 15, 4: 15, 5: 15, 6: 15, 7: 15, 8: 15, 9: 9,
                           10: 8, 11: 11})
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)

    # Chart data: mean totals of the money headline metrics, one column per scenario.
    row = last + 3
    ws.cell(row, 1, "Chart data: mean totals").style = "jbp section"
    row += 1
    top = row
    ws.cell(row, 1, "Metric").style = "jbp header"
    for k, r in enumerate(results, start=2):
        ws.cell(row, k, r.name).style = "jbp header"
    row += 1
    for name in CHART_METRICS:
        ws.cell(row, 1, metrics[name].label).style = "jbp text"
        for k, r in enumerate(results, start=2):
            ws.cell(row, k, _num(r.total(name).mean())).style = "jbp money"
        row += 1
    chart = BarChart()
    chart.type = "col"
    chart.title = styles.chart_title(f"Totals over {base.months} months (mean)")
    chart.add_data(Reference(ws, min_col=2, max_col=1 + len(results), min_row=top,
                             max_row=row - 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=row - 1))
    chart.y_axis.number_format = styles.currency_format(data.currency)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.height, chart.width = 8, 17
    for k, s in enumerate(chart.series):
        s.graphicalProperties.solidFill = SERIES_COLOURS[k % len(SERIES_COLOURS)]
    row += 1
    row = legend(ws, row)
    row = banner(ws, row + 1, prov)
    # The chart below the tables, on a page of its own (no chart is cut by a page break).
    ws.row_breaks.append(Break(id=row))
    ws.add_chart(chart, f"A{row + 1}")
    styles.page_setup(ws, top_header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", last_col=11)


def _monthly(wb, data: ScenarioExport, name: str, meta, top_header: str) -> None:
    short = {"sourced_revenue": "Sourced revenue", "arr": "ARR",
             "net_partner_revenue": "Net partner revenue", "ropi": "ROPI",
             "partners_active": "Active partners"}.get(name, meta.label)[:22]
    ws = wb.create_sheet(f"Monthly {short}")
    _heading(ws, f"{meta.label} by month",
             "Mean across replications with the P10–P90 band (80% of replications fall "
             "inside) and the median (P50)." + (" ROPI is cumulative to each month."
                                                 if name == "ropi" else ""))
    style = _style(meta.unit)
    ws.cell(HEADER_ROW, 1, "Month").style = "jbp header"
    col = 2
    blocks = []
    for r in data.results:
        agg = r.aggregate(name)
        blocks.append((r, agg, col))
        for key in ("mean", "p10", "p50", "p90"):
            ws.cell(HEADER_ROW, col, f"{r.name} {key.upper() if key != 'mean' else 'mean'}"
                    ).style = "jbp header"
            col += 1
    ws.row_dimensions[HEADER_ROW].height = 30
    months = max(r.months for r in data.results)
    for m in range(1, months + 1):
        ws.cell(HEADER_ROW + m, 1, m).style = "jbp count"
    for _r, agg, c0 in blocks:
        for k, key in enumerate(("mean", "p10", "p50", "p90")):
            for m, value in enumerate(agg[key].tolist(), start=1):
                ws.cell(HEADER_ROW + m, c0 + k, _num(value)).style = f"jbp {style}"
    last = HEADER_ROW + months
    chart = LineChart()
    chart.title = styles.chart_title(f"{meta.label}: mean and P10–P90 band")
    for n, (_r, _agg, c0) in enumerate(blocks):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        for k, (label, dash, width) in enumerate((("mean", None, 25000),
                                                  ("P10", "dash", 12000),
                                                  (None, None, 0), ("P90", "dash", 12000))):
            if label is None:
                continue
            ref = Reference(ws, min_col=c0 + k, min_row=HEADER_ROW, max_row=last)
            series = Series(ref, title_from_data=True)
            series.smooth = False
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = width
            if dash:
                series.graphicalProperties.line.dashStyle = dash
            series.marker.symbol = "none"
            chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=last))
    chart.x_axis.title = "Month"
    chart.y_axis.number_format = (styles.currency_format(data.currency)
                                  if meta.unit == "currency" else
                                  "0%" if meta.unit == "fraction" else "#,##0")
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.height, chart.width = 9, 18
    # Below the months, on a page of its own: no chart is cut by a page break.
    ws.row_breaks.append(Break(id=last + 1))
    ws.add_chart(chart, f"A{last + 2}")
    widths = {1: 7}
    for c in range(2, col):
        widths[c] = 13
    styles.set_widths(ws, widths)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    styles.page_setup(ws, top_header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
                      last_col=max(col - 1, 8))


def _definitions(ws, data: ScenarioExport, metrics, top_header: str) -> None:
    _heading(ws, "Definitions", "Every metric a scenario reports: unit, and how it totals "
             "over the horizon (flow: sum of the months; stock: the last month; ratio: "
             "ratio of the summed parts).")
    for c, text in enumerate(("Metric", "Label", "Unit", "Total"), start=1):
        ws.cell(HEADER_ROW, c, text).style = "jbp header"
    for r, m in enumerate(metrics.values(), start=FIRST_ROW):
        for c, value in enumerate((m.name, m.label, m.unit, m.kind), start=1):
            ws.cell(r, c, value).style = "jbp text"
    styles.set_widths(ws, {1: 30, 2: 36, 3: 14, 4: 8})
    styles.page_setup(ws, top_header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
