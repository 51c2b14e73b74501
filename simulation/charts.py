"""Charts of simulation results, drawn on a matplotlib ``Axes`` the caller owns.

Every function takes an ``Axes`` and data and draws; none creates figures or touches pyplot
state, so the same chart goes into the GUI (a ``FigureCanvas``), an export and a test
(``matplotlib.figure.Figure().subplots()``). Bands are P10–P90 across replications around the
mean; months run 1..H.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from jbp.charts_portfolio import TIER_COLOURS  # defined once, with the Portfolio's charts

from .results import METRICS, ScenarioResult

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f")


def money(value: float, _pos: Any = None) -> str:
    """Axis label for an amount: 1.2M, 350k."""
    a = abs(value)
    # A value that rounds up to 1000 of one unit is shown in the next (1.0M, not 1000k).
    if a >= 1e9 or round(a / 1e6, 1) >= 1000:
        return f"{value / 1e9:.1f}B"
    if a >= 1e6 or round(a / 1e3) >= 1000:
        return f"{value / 1e6:.1f}M"
    if a >= 1e3 or round(a) >= 1000:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def _format_axis(ax, unit: str, currency: str = "") -> None:
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if unit == "currency":
        ax.yaxis.set_major_formatter(FuncFormatter(money))
        if currency:
            ax.set_ylabel(currency)
    elif unit == "fraction":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    elif unit:
        ax.set_ylabel(unit)


def plot_band(ax, result: ScenarioResult, metric: str, *, color: str | None = None,
              label: str | None = None, band: tuple[float, float] = (10, 90),
              cumulative: bool = False) -> None:
    """Mean line and a P10–P90 band of a monthly metric (optionally cumulative)."""
    x = result.series(metric)
    if cumulative:
        x = np.cumsum(x, axis=1)
    months = np.arange(1, result.months + 1)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=0)
        lo, hi = np.nanpercentile(x, band, axis=0)
    meta = METRICS.get(metric)
    name = label or (meta.label if meta else metric)
    (line,) = ax.plot(months, mean, color=color, label=name, lw=1.8)
    ax.fill_between(months, lo, hi, color=line.get_color(), alpha=0.2, lw=0,
                    label=f"{name} P{band[0]:g}–P{band[1]:g}")
    ax.set_xlabel("Month")
    ax.set_xlim(1, max(2, result.months))
    _format_axis(ax, meta.unit if meta else "", result.currency)


def _line_legend(ax, **kwargs: Any) -> None:
    """A legend of the lines only: every band is P10–P90 (the caller's heading says so),
    and an entry per band doubled a legend that, in a laptop-sized chart, ran past its
    right edge and covered the lines."""
    from matplotlib.lines import Line2D

    handles, labels = ax.get_legend_handles_labels()
    keep = [(h, lab) for h, lab in zip(handles, labels, strict=True) if isinstance(h, Line2D)]
    kwargs.setdefault("loc", "upper left")
    kwargs.setdefault("fontsize", "small")
    ax.legend([h for h, _ in keep], [lab for _, lab in keep], **kwargs)


def plot_revenue(ax, result: ScenarioResult, *, cumulative: bool = False) -> None:
    """Partner-sourced and -influenced recognised revenue per month, with bands."""
    plot_band(ax, result, "sourced_revenue", color=PALETTE[0], cumulative=cumulative)
    plot_band(ax, result, "influenced_revenue", color=PALETTE[1], cumulative=cumulative)
    ax.set_title("Recognised revenue" + (" (cumulative)" if cumulative else " per month"))
    _line_legend(ax)


def plot_arr(ax, result: ScenarioResult) -> None:
    """ARR at each month end (sourced + influenced), with band."""
    plot_band(ax, result, "arr", color=PALETTE[2])
    plot_band(ax, result, "arr_sourced", color=PALETTE[0])
    ax.set_title("Recurring revenue (ARR)")
    _line_legend(ax)


def plot_ropi(ax, result: ScenarioResult) -> None:
    """Cumulative ROPI by month, with band; the zero line marks break-even."""
    plot_band(ax, result, "ropi", color=PALETTE[3])
    ax.axhline(0.0, color="0.4", lw=0.8, ls="--")
    ax.set_title("ROPI, cumulative")


def plot_partners_by_tier(ax, result: ScenarioResult) -> None:
    """Active partners by tier (mean over replications), stacked."""
    months = np.arange(1, result.months + 1)
    means = result.tier_counts.mean(axis=0).T
    colours = [TIER_COLOURS[i % len(TIER_COLOURS)] for i in range(len(result.tier_names))]
    ax.stackplot(months, means, labels=result.tier_names, colors=colours, alpha=0.9)
    ax.set_title("Active partners by tier (mean)")
    ax.set_xlabel("Month")
    ax.set_ylabel("partners")
    ax.set_xlim(1, max(2, result.months))
    ax.legend(loc="upper left", fontsize="small", reverse=True)


def plot_onboarding_queue(ax, result: ScenarioResult) -> None:
    """Recruits waiting for a partner manager and partners onboarding, with bands."""
    plot_band(ax, result, "partners_waiting", color=PALETTE[3])
    plot_band(ax, result, "partners_onboarding", color=PALETTE[4])
    ax.set_title("Onboarding queue")
    _line_legend(ax)


def plot_days_to_first_revenue(ax, result: ScenarioResult, *, color: str | None = None,
                               label: str | None = None) -> None:
    """Histogram of recruits' days from sign-up to first won deal (mean count per
    replication); the mean is marked."""
    edges, counts = result.days_to_first_revenue_histogram()
    last = int(np.max(np.nonzero(counts)[0])) + 1 if counts.any() else 1
    ax.bar(edges[:last], counts[:last], width=result.hist_bin_days, align="edge",
           color=color or PALETTE[0], alpha=0.7, label=label or result.name)
    mean = float(np.nanmean(result.total("mean_days_to_first_revenue")))
    if np.isfinite(mean):
        ax.axvline(mean, color="0.2", lw=1, ls="--")
        ax.annotate(f"mean {mean:.0f} d", (mean, 0.95), xycoords=("data", "axes fraction"),
                    ha="left", va="top", fontsize="small")
    ax.set_xlabel("Days from sign-up to first revenue")
    ax.set_ylabel("recruits per replication")
    ax.set_title("Time to first revenue")


def plot_overlay(ax, results: Sequence[ScenarioResult], metric: str, *,
                 cumulative: bool = False) -> None:
    """One metric for several scenarios: mean lines with P10–P90 bands."""
    for i, res in enumerate(results):
        plot_band(ax, res, metric, color=PALETTE[i % len(PALETTE)], label=res.name,
                  cumulative=cumulative)
    meta = METRICS.get(metric)
    ax.set_title((meta.label if meta else metric) + (" (cumulative)" if cumulative else ""))
    _line_legend(ax)


def plot_deltas(ax, results: Sequence[ScenarioResult], metric: str) -> None:
    """Difference of each variant from the first result in a metric's total, with its 95%
    confidence interval as an error bar."""
    from .results import delta

    names, d, err = [], [], []
    for res in results[1:]:
        m, lo, hi, _ = delta(results[0], res, metric)
        names.append(res.name)
        d.append(m)
        err.append((m - lo, hi - m) if np.isfinite(lo) else (0.0, 0.0))
    y = np.arange(len(names))
    colours = [PALETTE[2] if v >= 0 else PALETTE[3] for v in d]
    ax.barh(y, d, xerr=np.array(err).T if err else None, color=colours, capsize=4)
    ax.set_yticks(y, names)
    ax.axvline(0.0, color="0.3", lw=0.8)
    meta = METRICS.get(metric)
    ax.set_title(f"{meta.label if meta else metric}: change from {results[0].name}")
    from matplotlib.ticker import FuncFormatter

    # The axis in the comparison table's units: money with its currency, a fraction's
    # difference in percentage points ("+3.2 pp" in the table, not "3%").
    if meta and meta.unit == "currency":
        ax.xaxis.set_major_formatter(FuncFormatter(money))
        if results[0].currency:
            ax.set_xlabel(results[0].currency)
    elif meta and meta.unit == "fraction":
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:g} pp"))
    elif meta and meta.unit:
        ax.set_xlabel(meta.unit)


def plot_tornado(ax, sens, *, top: int | None = None) -> None:
    """Tornado chart of a :class:`~simulation.sensitivity.SensitivityResult`: for each lever
    (largest swing on top) the change in the outcome with the lever lowered and raised."""
    effects = list(sens.effects[:top] if top else sens.effects)[::-1]
    y = np.arange(len(effects))
    low = np.array([e.low_delta[0] for e in effects], float)
    high = np.array([e.high_delta[0] for e in effects], float)
    pct = round(sens.pct * 100)
    ax.barh(y, np.nan_to_num(low), color=PALETTE[3], label=f"lever −{pct}%")
    ax.barh(y, np.nan_to_num(high), color=PALETTE[2], label=f"lever +{pct}%")
    ax.set_yticks(y, [e.label for e in effects])
    ax.axvline(0.0, color="0.2", lw=0.8)
    ax.set_title(f"What moves {sens.outcome_label} most")
    ax.legend(loc="lower right", fontsize="small")
    if sens.unit == "currency":
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(money))
    elif sens.unit == "fraction":
        from matplotlib.ticker import FuncFormatter

        # A change of a fraction is in percentage points, as the table beside it says.
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v * 100:+.0f} pp"))


def plot_backtest(ax, series, *, title: str | None = None, currency: str = "",
                  color: str = PALETTE[0], train_until: dt.date | None = None) -> None:
    """A back-tested metric month by month: the simulated P10–P90 band and P50, and the
    actuals as dots (filled inside the band, hollow outside). ``series`` is a
    :class:`simulation.backtest.Series`. With ``train_until`` a month end the months are
    calendar months and named ("May 26"); otherwise they are counted from the date."""
    rows = series.monthly
    months = np.array([r["month"] for r in rows])
    lo, mid, hi = (np.array([r[k] for r in rows]) for k in ("p10", "p50", "p90"))
    act = np.array([r["actual"] for r in rows])
    inside = np.array([r["inside_80"] for r in rows], bool)
    ax.fill_between(months, lo, hi, color=color, alpha=0.2, linewidth=0, label="P10–P90")
    ax.plot(months, mid, color=color, label="P50")
    ax.plot(months[inside], act[inside], "o", color="black", label="actual (in band)")
    ax.plot(months[~inside], act[~inside], "o", mfc="white", color="black",
            label="actual (outside)")
    ax.set_xticks(months)
    if train_until is not None and (train_until + dt.timedelta(days=1)).day == 1:
        first = train_until.year * 12 + train_until.month  # the month after, 0-based
        ax.set_xticklabels([f"{calendar.month_abbr[(first + m - 1) % 12 + 1]}\n"
                            f"{(first + m - 1) // 12}" for m in months])
    else:
        ax.set_xlabel("month after the training date")
    _format_axis(ax, "currency" if "bookings" in series.metric else "", currency)
    ax.set_title(title or series.metric.replace("_", " ").capitalize())
