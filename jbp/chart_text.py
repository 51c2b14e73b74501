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
        if status.full_target is None:
            return f"{strong(kpi.name)}: no actual reported yet; no targets set yet."
        return (f"{strong(kpi.name)}: no actual reported yet; full-year target "
                f"{format_kpi_value(status.full_target, unit)}.")
    period = ""
    if status.partial is not None:  # the quarter in progress: to date, never finished
        period = f" ({status.partial.label()}, measured to {status.through})"
    elif status.through is not None:
        period = f" (measured to {status.through})"
    forecast = strong(format_kpi_value(status.forecast, unit))
    if status.full_target is None:  # actuals (from the imports) but no target set yet
        return (f"{strong(kpi.name)} ({kpi.kind}, {kpi.direction} is better){period}: "
                f"actual to date {strong(format_kpi_value(status.actual_to_date, unit))}; "
                f"no targets set, so it is not judged."
                + (f" Run-rate forecast to period end: {forecast}." if forecast else ""))
    forecast_att = format_attainment(status.forecast_attainment)
    return (
        f"{strong(kpi.name)} ({kpi.kind}, {kpi.direction} is better){period}: actual to date "
        f"{strong(format_kpi_value(status.actual_to_date, unit))} against a pro-rated target "
        f"of {format_kpi_value(status.target_to_date, unit)} — "
        f"{strong(format_attainment(status.attainment))} ({status.rag or 'not judged'}). "
        f"Run-rate forecast to period end: {forecast} "
        f"vs full-year target {format_kpi_value(status.full_target, unit)}"
        + (f" ({forecast_att})." if forecast_att else ".")
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
    if moves.attrs.get("not_judged"):
        move_text = ("; ".join(f"{tier}: {int(r['stay'])} held" for tier, r in moves.iterrows())
                     or "no partners") + f" (moves {moves.attrs['not_judged']})"
    else:
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


def _number(value: float) -> str:
    if value != value:  # NaN
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _series_text(label: str, values: Sequence[float], names: Sequence[str]) -> str:
    values = [float(v) for v in values]
    if not values:
        return f"{label}: no values"
    if names and len(names) == len(values) and len(values) <= 12:
        return f"{label}: " + ", ".join(f"{n} {_number(v)}"
                                        for n, v in zip(names, values, strict=True))
    finite = [v for v in values if v == v]
    if not finite:
        return f"{label}: no values"
    return (f"{label}: {len(values)} points from {_number(values[0])} to "
            f"{_number(values[-1])} (lowest {_number(min(finite))}, highest "
            f"{_number(max(finite))})")


def describe_axes(ax: Any) -> str:
    """A drawn matplotlib ``Axes`` in words, for a screen reader: its title, axis labels,
    and each labelled line (first and last value, range) and bar series (value per bar,
    named by the tick labels) — whatever the plotting function drew."""
    parts = [ax.get_title() or "Chart"]
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    if xlabel or ylabel:
        parts.append(f"x: {xlabel or '–'}; y: {ylabel or '–'}")
    for line in ax.get_lines():
        label = str(line.get_label())
        if label.startswith("_"):
            continue  # matplotlib's unlabelled helpers (reference lines)
        parts.append(_series_text(label, list(line.get_ydata()), []))
    for i, container in enumerate(getattr(ax, "containers", [])):
        patches = list(getattr(container, "patches", []))
        if not patches:
            continue
        horizontal = any(p.get_height() < p.get_width() for p in patches[:1]) and \
            len({round(p.get_x(), 6) for p in patches}) <= 1 < len(patches)
        values = [p.get_width() if horizontal else p.get_height() for p in patches]
        ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
        names = [t.get_text() for t in ticks if t.get_text()]
        label = str(container.get_label() or "")
        parts.append(_series_text(label if label and not label.startswith("_")
                                  else f"bars {i + 1}", values, names))
    return ". ".join(parts) + "."
