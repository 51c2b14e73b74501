"""Charts in words: the text alternative of each chart (what a screen reader says, and the
figures the app prints under a chart), built from the same data the chart draws."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .formatting import attainment as format_attainment
from .formatting import kpi_value as format_kpi_value
from .formatting import money, percent
from .kpi import KpiStatus
from .model import Kpi

if TYPE_CHECKING:
    import pandas as pd


def _plain(text: str) -> str:
    return text


def kpi_chart_text(kpi: Kpi, status: KpiStatus,
                   strong: Callable[[str], str] = _plain) -> str:
    """The KPI's standing in one paragraph: actual to date against the pro-rated target,
    attainment and RAG, the run-rate forecast against the full-year target. ``strong``
    marks the key figures (the GUI passes bold rich text; plain by default)."""
    unit = kpi.unit
    if status.actual_to_date is None:
        return (f"{strong(kpi.name)}: no actual reported yet; full-year target "
                f"{format_kpi_value(status.full_target, unit)}.")
    period = ""
    if status.partial is not None:  # the quarter in progress: to date, never finished
        period = f" ({status.partial.label()}, measured to {status.through})"
    elif status.through is not None:
        period = f" (measured to {status.through})"
    return (
        f"{strong(kpi.name)} ({kpi.kind}, {kpi.direction} is better){period}: actual to date "
        f"{strong(format_kpi_value(status.actual_to_date, unit))} against a pro-rated target "
        f"of {format_kpi_value(status.target_to_date, unit)} — "
        f"{strong(format_attainment(status.attainment))} ({status.rag or 'not judged'}). "
        f"Run-rate forecast to period end: {strong(format_kpi_value(status.forecast, unit))} "
        f"vs full-year target {format_kpi_value(status.full_target, unit)}"
        f" ({format_attainment(status.forecast_attainment)})."
    )


def kpi_grid_text(items: Sequence[tuple[Kpi, KpiStatus]]) -> str:
    """The QBR's chart grid in words: one sentence per KPI chart."""
    if not items:
        return "No KPI charts: the plan has no KPIs."
    head = f"{len(items)} KPI chart{'s' if len(items) != 1 else ''}, targets and actuals " \
           "per quarter. "
    return head + " ".join(kpi_chart_text(kpi, status) for kpi, status in items)


def _stacked_text(table: pd.DataFrame, title: str, currency: str) -> str:
    if table.empty:
        return f"{title}: no revenue."
    last = table.index[-1]
    row = table.loc[last]
    parts = ", ".join(f"{col} {money(float(row[col]), currency, short=True)}"
                      for col in table.columns)
    total = money(float(row.sum()), currency, short=True)
    return f"{title} per quarter; {last}: {total} ({parts})."


def portfolio_charts_text(data: dict[str, Any]) -> str:
    """The Portfolio's four charts in words (the data of ``jbp.dashboard.dashboard_from``):
    revenue by tier and by partner type (the latest quarter), tier moves, the return."""
    cur = data.get("currency", "")
    moves = data["moves"]
    move_text = "; ".join(
        f"{tier}: {int(r['stay'])} stay, {int(r['up'])} would move up, "
        f"{int(r['down'])} would move down" for tier, r in moves.iterrows()) or "no partners"
    steps = data["ropi_steps"]
    net = sum(amount for _label, amount in steps)
    step_text = ", ".join(f"{label} {money(amount, cur, short=True)}"
                          for label, amount in steps)
    ropi = data["summary"].get("ropi")
    return " ".join([
        _stacked_text(data["by_tier"], "Revenue by tier", cur),
        _stacked_text(data["by_type"], "Revenue by partner type", cur),
        f"Tiers and moves: {move_text}.",
        f"Return: {step_text}; net return {money(net, cur, short=True)}"
        f"{', ROPI ' + percent(ropi) if ropi is not None and ropi == ropi else ''}.",
    ])
