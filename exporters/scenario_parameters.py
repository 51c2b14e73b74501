"""The Parameters and Starting partners sheets of the scenario workbook.

Parameters lists every input of each scenario side by side, differences from the first (the
baseline) highlighted and named at the top. A calibrated baseline holds some inputs once per
starting partner (its registration rate, trailing bookings, tenure, idle months, conflict
age): each is one summary row there, and the values themselves are a compact table on the
Starting partners sheet (a row per starting partner, a column per input), so the sheet a
finance reader prints is a few pages, not forty pages of one partner after another.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.worksheet.pagebreak import Break

from . import styles

PARAMETERS = "Parameters"
STARTING_PARTNERS = "Starting partners"
HEADER_ROW = 4
FIRST_ROW = 5
#: How many differences the line above the Parameters table names before "and N more".
NAMED_DIFFERENCES = 6


@dataclass(frozen=True)
class ParamRow:
    """One row of the Parameters sheet: where it belongs, what it is, its unit, and the
    value of each scenario (None where a scenario does not have it). A per-partner input
    (one value per starting partner) has a summary text as its values and the scenarios'
    values by starting partner in ``per_partner``."""

    group: str
    label: str
    unit: str
    doc: str
    values: tuple[Any, ...]
    per_partner: tuple[dict, ...] = ()

    def differs(self, k: int) -> bool:
        """True when scenario ``k`` (k > 0) differs from the baseline in this row."""
        if self.per_partner:
            return self.per_partner[k] != self.per_partner[0]
        return self.values[k] != self.values[0]


_TIER_TERMS = (("min_sourced_revenue", "Min T12M sourced revenue", "currency"),
               ("min_certifications", "Min certified people", "people"),
               ("min_new_logos", "Min net new logos", "logos"),
               ("margin", "Margin", "fraction"), ("rebate", "Rebate", "fraction"),
               ("lead_sharing", "Lead sharing", "yes/no"),
               ("mdf_eligible", "MDF eligible", "yes/no"),
               ("priority_support", "Priority support", "yes/no"))


def is_per_partner(unit: str) -> bool:
    """An input held once per starting partner ("multiplier per partner", ...)."""
    return unit.endswith(" per partner")


def parameter_rows(results: list[Any]) -> tuple[list[ParamRow], list[ParamRow]]:
    """(parameters, tier terms) of the scenarios of ``results`` side by side: one row per
    parameter (a table-valued parameter gives a row per key, a per-partner one a single
    summary row) and one per tier and term (thresholds, margin, rebate, benefits). No JSON:
    every cell is one number or word."""
    from simulation.scenario import Scenario

    scenarios = []
    for r in results:
        try:
            scenarios.append(Scenario.from_dict(r.scenario))
        except Exception:  # results of an older parameter set: shown with the defaults
            scenarios.append(None)
    order: dict[tuple[str, str], tuple[str, str]] = {}
    values: list[dict[tuple[str, str], Any]] = []
    tables: list[dict[tuple[str, str], dict]] = []
    for sc in scenarios:
        mine: dict[tuple[str, str], Any] = {}
        per: dict[tuple[str, str], dict] = {}
        if sc is not None:
            for group in _groups(sc):
                title = type(group).TITLE or "Scenario"
                for f in type(group).params():
                    if group is sc and f.name == "name":
                        continue  # the names head the scenario columns
                    value = getattr(group, f.name)
                    label = f.name.replace("_", " ").capitalize()
                    unit, doc = f.metadata.get("unit", ""), f.metadata.get("doc", "")
                    if isinstance(value, dict) and is_per_partner(unit):
                        order.setdefault((title, label), (unit, doc))
                        per[(title, label)] = {str(k): v for k, v in value.items()}
                        continue
                    items = value.items() if isinstance(value, dict) else [(None, value)]
                    for key, v in items:
                        name = label if key is None else f"{label}: {key}"
                        order.setdefault((title, name), (unit, doc))
                        mine[(title, name)] = _plain_value(v)
        values.append(mine)
        tables.append(per)
    params = []
    for (g, n), (u, d) in order.items():
        if any((g, n) in t for t in tables):
            dicts = tuple(t.get((g, n), {}) for t in tables)
            if any(dicts):
                d += f". One value per starting partner: see the '{STARTING_PARTNERS}' sheet"
            params.append(ParamRow(g, n, u, d, tuple(_summary(x) for x in dicts), dicts))
        else:
            params.append(ParamRow(g, n, u, d, tuple(v.get((g, n)) for v in values)))
    tiers: dict[tuple[str, str], tuple[str, str]] = {}
    tier_values: list[dict[tuple[str, str], Any]] = []
    for sc in scenarios:
        mine = {}
        for t in (sc.tiers.levels if sc is not None else ()):
            for name, label, unit in _TIER_TERMS:
                tiers.setdefault((t.name, label), (unit, name))
                mine[(t.name, label)] = _plain_value(getattr(t, name, None))
        tier_values.append(mine)
    tier_rows = [ParamRow(tier, label, unit, "", tuple(v.get((tier, label))
                                                        for v in tier_values))
                 for (tier, label), (unit, _) in tiers.items()]
    return params, tier_rows


def _summary(values: dict) -> str:
    numbers = [float(v) for v in values.values() if isinstance(v, int | float)]
    if not numbers:
        return "none"
    mean = sum(numbers) / len(numbers)
    return (f"{len(numbers)} partners: mean {_short(mean)} "
            f"({_short(min(numbers))}–{_short(max(numbers))})")


def _short(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _groups(scenario) -> list[Any]:
    out = [scenario]
    for f in dataclasses.fields(scenario):
        value = getattr(scenario, f.name)
        if dataclasses.is_dataclass(value) and hasattr(type(value), "params"):
            out.append(value)
    return out


def _plain_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | str) or value is None:
        return value
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


_TOP = Alignment(vertical="top")
_WRAP_TOP = Alignment(vertical="top", wrap_text=True)


def _unit_text(unit: str, currency: str) -> str:
    return {"currency": currency, "money": currency, "fraction": "%"}.get(unit, unit)


def value_style(unit: str, value: Any) -> str:
    """The named-style suffix of a parameter's value: money for amounts, percent for
    fractions, whole numbers as counts, any other number with up to four decimals (a churn
    hazard of 0.0036 a month is not 0.0)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "text"
    if unit in ("currency", "money") or unit.startswith("currency per "):
        return "money"
    if unit == "fraction" or unit.startswith("fraction "):
        return "percent"
    if isinstance(value, int):
        return "count"
    return "precise"


def heading(ws, title: str, subtitle: str) -> None:
    ws["A1"] = title
    ws["A1"].style = "jbp title"
    ws["A2"] = subtitle
    ws["A2"].style = "jbp subtitle"
    ws.sheet_view.showGridLines = False


def differences_line(rows: list[ParamRow], names: list[str]) -> str:
    """"2 differences from Baseline: Onboarding · Mean days, Gold · Margin." (or none)."""
    base = names[0]
    if len(names) < 2:
        return "One scenario: nothing to compare."
    changed = [r for r in rows if any(r.differs(k) for k in range(1, len(names)))]
    if not changed:
        return f"No differences from {base}."
    listed = ", ".join(f"{r.group} · {r.label}" for r in changed[:NAMED_DIFFERENCES])
    more = len(changed) - NAMED_DIFFERENCES
    word = "difference" if len(changed) == 1 else "differences"
    return (f"{len(changed)} {word} from {base}: {listed}"
            + (f" and {more} more" if more > 0 else "") + ".")


def write_parameters(ws, results: list[Any], currency: str, prov_header: str) -> None:
    names = [r.name for r in results]
    n = len(names)
    heading(ws, "Scenario parameters",
            f"Every input of each scenario side by side, then the tiers; cells that differ "
            f"from {names[0]} (the baseline) are highlighted in orange. Money in "
            f"{currency}; % are shares.")
    params, tiers = parameter_rows(results)
    line = differences_line(params + tiers, names)
    ws["A3"] = line
    ws["A3"].style = "jbp label"
    # The line names the differences: it wraps across the table's width, never cut at print.
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=4 + n)
    ws["A3"].alignment = _WRAP_TOP
    ws.row_dimensions[3].height = 13.5 * math.ceil(len(line) / (110 + 14 * n))
    row = HEADER_ROW

    def table(rows: list[ParamRow], first_head: str, with_doc: bool) -> None:
        nonlocal row
        heads = [first_head, "Parameter" if with_doc else "Term", "Unit", *names,
                 *(["Meaning"] if with_doc else [])]
        for c, text in enumerate(heads, start=1):
            ws.cell(row, c, text).style = "jbp header"
        ws.row_dimensions[row].height = 30
        row += 1
        for p in rows:
            ws.cell(row, 1, p.group).style = "jbp text"
            ws.cell(row, 2, p.label).style = "jbp text"
            ws.cell(row, 3, _unit_text(p.unit, currency)).style = "jbp text"
            lines = 1
            for k, value in enumerate(p.values):
                kind = value_style(p.unit, value)
                cell = ws.cell(row, 4 + k, value)
                cell.style = f"jbp changed {kind}" if k > 0 and p.differs(k) else f"jbp {kind}"
                if kind == "text" and isinstance(value, str) and len(value) > 14:
                    cell.alignment = _WRAP_TOP  # long text wraps in its cell, is not cut
                    lines = max(lines, math.ceil(len(value) / 13))
            if with_doc:
                ws.cell(row, 4 + n, p.doc).style = "jbp wrap"
                lines = max(lines, math.ceil(len(p.doc) / 58))
            if lines > 1:
                ws.row_dimensions[row].height = 13.5 * lines
                for c in range(1, 4 + n):
                    if ws.cell(row, c).alignment != _WRAP_TOP:
                        ws.cell(row, c).alignment = _TOP
            row += 1

    table(params, "Group", True)
    row += 2
    ws.row_breaks.append(Break(id=row - 2))  # the tiers start a page
    ws.cell(row - 1, 1, "Tiers: thresholds, margin, rebate and benefits").style = \
        "jbp section"
    table(tiers, "Tier", False)
    widths = {1: 16, 2: 30, 3: 17, 4 + n: 46}
    for k in range(n):
        widths[4 + k] = 14
    styles.set_widths(ws, widths)
    ws.freeze_panes = ws.cell(FIRST_ROW, 4)
    styles.page_setup(ws, prov_header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    per_partner = [p for p in params if p.per_partner and any(p.per_partner)]
    if per_partner:
        write_starting_partners(ws.parent.create_sheet(STARTING_PARTNERS), per_partner,
                                names, currency, prov_header)


def write_starting_partners(ws, rows: list[ParamRow], names: list[str], currency: str,
                            prov_header: str) -> None:
    """A row per starting partner (its index in the scenario file), a column per
    per-partner input of the baseline, and another for each scenario whose values of that
    input differ from the baseline's (highlighted where they differ)."""
    heading(ws, "Starting partners",
            "Calibrated from the workspace: a row per starting partner (its index in the "
            f"scenario file). Money in {currency}.")
    ws["A3"] = (f"A scenario whose values differ from {names[0]} has a column of its own, "
                "highlighted where it differs.")
    ws["A3"].style = "jbp subtitle"
    ws.cell(HEADER_ROW, 1, "Starting partner").style = "jbp header"
    columns: list[tuple[int, ParamRow]] = []  # (scenario index, row)
    for p in rows:
        columns.append((0, p))
        columns += [(k, p) for k in range(1, len(names)) if p.differs(k)]
    keys = sorted({key for p in rows for d in p.per_partner for key in d},
                  key=lambda s: (0, int(s), s) if s.lstrip("-").isdigit() else (1, 0, s))
    for c, (k, p) in enumerate(columns, start=2):
        unit = _unit_text(p.unit.removesuffix(" per partner"), currency)
        head = p.label.removeprefix("Initial ").capitalize()
        if not head.lower().endswith(unit.lower()):
            head += f" ({unit})"
        ws.cell(HEADER_ROW, c, head + (f": {names[k]}" if k else "")).style = "jbp header"
        base = p.per_partner[0]
        mine = p.per_partner[k]
        for r, key in enumerate(keys, start=FIRST_ROW):
            value = mine.get(key)
            kind = value_style(p.unit, value) if value is not None else "text"
            changed = k > 0 and value != base.get(key)
            ws.cell(r, c, value).style = f"jbp changed {kind}" if changed else f"jbp {kind}"
    for r, key in enumerate(keys, start=FIRST_ROW):
        ws.cell(r, 1, int(key) if key.lstrip("-").isdigit() else key).style = "jbp count"
    ws.row_dimensions[HEADER_ROW].height = 45
    styles.set_widths(ws, {1: 10, **{c: 14 for c in range(2, len(columns) + 2)}})
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    styles.page_setup(ws, prov_header, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
