"""Trend charts of one partner's actuals, drawn on a caller's matplotlib ``Axes``.

The data is :func:`jbp.metrics.monthly_series` (one row per month). A month after a
source's data ends is empty (no bar: no data is not zero); the month a source ends in is
"to date" (``monthly.attrs["partial"]``): its bars are hatched and its label says so. The same functions draw
into the GUI's canvas, an exported image or a test's ``Figure``; nothing here imports Qt or
pyplot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SOURCED = "#1f6f8b"
INFLUENCED = "#99c1b9"
LOGINS = "#6d597a"
REGISTRATIONS = "#e56b6f"
CERTIFIED = "#2a9d8f"
MDF_APPROVED = "#bcb8b1"
MDF_CLAIMED = "#e9c46a"


def partial_index(monthly: pd.DataFrame, column: str) -> int | None:
    """Position of the month ``column``'s source ends inside (None: it ends on a month's
    last day, or outside the chart)."""
    month = monthly.attrs.get("partial", {}).get(column)
    if month is None or month not in monthly.index:
        return None
    loc = monthly.index.get_loc(month)
    # The months are unique, so get_loc gives a position (not a slice or a mask).
    assert not isinstance(loc, slice | np.ndarray)
    return int(loc)


def _hatch(bars, index: int | None) -> None:
    """Mark the bar of the month in progress: white hatching over its own colour (a lighter
    bar read as the next series' colour: a sourced month "to date" looked influenced)."""
    if index is None:
        return
    patch = bars.patches[index]
    patch.set_hatch("///")
    patch.set_edgecolor("white")
    patch.set_linewidth(0)


def _labels(ax: Axes, monthly: pd.DataFrame, column: str | None = None) -> list[str]:
    labels = [m.strftime("%b %y") for m in monthly.index]
    at = partial_index(monthly, column) if column else None
    if at is not None:
        labels[at] += " to date"
    if column is not None:
        _no_data(ax, monthly[column])
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=60, ha="right", fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return labels


def _no_data(ax: Axes, values: pd.Series) -> None:
    """Shade the months after the source's data ends and say so: an empty slot there is not
    a month of zero."""
    missing = np.flatnonzero(values.isna().to_numpy())
    if not len(missing):
        return
    lo, hi = int(missing[0]) - 0.5, len(values) - 0.5
    ax.axvspan(lo, hi, color="#9aa5b1", alpha=0.15, linewidth=0)
    ax.text((lo + hi) / 2, 0.5, "no data\nyet", transform=ax.get_xaxis_transform(),
            ha="center", va="center", fontsize=6, color="#555555")


def _none_yet(ax: Axes, monthly: pd.DataFrame, columns: list[str], text: str) -> None:
    """All of ``columns`` zero (or no data) in every month shown: one tick at 0 and ``text``
    (an axis scaled to nothing ticks "0, 0, −0")."""
    if monthly[columns].fillna(0).to_numpy().any():
        return
    ax.set_ylim(0, 1)
    ax.set_yticks([0])
    ax.text(0.5, 0.55, text, transform=ax.transAxes, ha="center", va="center", fontsize=7,
            color="#666666")


def _money(value: float, _pos: object = None) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def draw_revenue(ax: Axes, monthly: pd.DataFrame, currency: str = "") -> None:
    """Stacked monthly bars: partner-sourced and influenced revenue (currency)."""
    from matplotlib.ticker import FuncFormatter

    x = range(len(monthly))
    at = partial_index(monthly, "sourced_revenue")
    _hatch(ax.bar(x, monthly["sourced_revenue"], color=SOURCED, label="Sourced"), at)
    _hatch(ax.bar(x, monthly["influenced_revenue"], bottom=monthly["sourced_revenue"],
                  color=INFLUENCED, label="Influenced"), at)
    _labels(ax, monthly, "sourced_revenue")
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title(f"Revenue by month{f' ({currency})' if currency else ''}", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    _none_yet(ax, monthly, ["sourced_revenue", "influenced_revenue"], "No revenue in these months")


def draw_activity(ax: Axes, monthly: pd.DataFrame) -> None:
    """Portal logins (left axis) and deal registrations (right axis) per month (counts)."""
    from matplotlib.ticker import MaxNLocator
    x = list(range(len(monthly)))
    ax.plot(x, monthly["logins"], color=LOGINS, marker="o", markersize=3, label="Logins")
    at = partial_index(monthly, "logins")
    if at is not None:  # the month in progress: an open marker, not a finished month
        ax.plot([at], [monthly["logins"].iloc[at]], marker="o", markersize=6,
                markerfacecolor="white", color=LOGINS)
    _labels(ax, monthly, "logins")
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    _hatch(right.bar(x, monthly["registrations"], color=REGISTRATIONS, alpha=0.45,
                     label="Registrations"), partial_index(monthly, "registrations"))
    right.set_ylim(bottom=0)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.25 of a deal
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.tick_params(axis="y", labelsize=7)
    right.spines["top"].set_visible(False)
    ax.set_zorder(right.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.set_title("Leading indicators: logins and registrations", fontsize=9)
    handles = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(handles[0] + more[0], handles[1] + more[1], fontsize=7, frameon=False,
              loc="upper left")


def draw_certifications(ax: Axes, monthly: pd.DataFrame) -> None:
    """Distinct certified people to each month's end (line) and new completions (bars)."""
    from matplotlib.ticker import MaxNLocator
    x = list(range(len(monthly)))
    _hatch(ax.bar(x, monthly["certifications"], color=CERTIFIED, alpha=0.35,
                  label="Completions"), partial_index(monthly, "certifications"))
    ax.step(x, monthly["certified_people"], where="mid", color=CERTIFIED,
            label="Certified people")
    _labels(ax, monthly, "certifications")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Certifications", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    _none_yet(ax, monthly, ["certifications", "certified_people"], "No one certified yet")


def draw_mdf(ax: Axes, monthly: pd.DataFrame, currency: str = "") -> None:
    """MDF approved (requests) and claimed (paid claims) per month (currency)."""
    from matplotlib.ticker import FuncFormatter

    x = [i for i in range(len(monthly))]
    width = 0.4
    at = partial_index(monthly, "mdf_claimed")
    _hatch(ax.bar([i - width / 2 for i in x], monthly["mdf_approved"], width,
                  color=MDF_APPROVED, label="Approved"), at)
    _hatch(ax.bar([i + width / 2 for i in x], monthly["mdf_claimed"], width,
                  color=MDF_CLAIMED, label="Claimed (paid)"), at)
    _labels(ax, monthly, "mdf_claimed")
    ax.yaxis.set_major_formatter(FuncFormatter(_money))
    ax.set_title(f"MDF{f' ({currency})' if currency else ''}", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    _none_yet(ax, monthly, ["mdf_approved", "mdf_claimed"], "No MDF in these months")


def draw_partner_trends(fig: Figure, monthly: pd.DataFrame, currency: str = "") -> None:
    """The four trend charts of a partner page on a 2 × 2 grid of ``fig``."""
    fig.clear()
    axes = fig.subplots(2, 2)
    draw_revenue(axes[0][0], monthly, currency)
    draw_activity(axes[0][1], monthly)
    draw_certifications(axes[1][0], monthly)
    draw_mdf(axes[1][1], monthly, currency)
    fig.tight_layout()
