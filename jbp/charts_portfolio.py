"""The Portfolio dashboard's charts, drawn on a caller's matplotlib ``Axes``.

The data comes from :mod:`jbp.dashboard`. The same functions draw into the GUI's canvas, an
exported image or a test's ``Figure``; nothing here imports Qt or pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

#: Tier colours, lowest tier first: distinct hues that also differ in lightness (a grey
#: print or a colour-blind reader tells Registered from Silver); the one definition, the
#: simulation's charts use it too. tests/test_tier_colours.py measures them.
TIER_COLOURS = ("#4a90c8", "#b9bfc6", "#d4a017", "#3b4a63", "#6a4c93", "#2d6a4f")
#: Partner type colours.
TYPE_COLOURS = ("#1f6f8b", "#e56b6f", "#99c1b9", "#6d597a", "#e9c46a", "#2a9d8f", "#bc6c25")
UP, DOWN, STAY = "#2e9d57", "#d1453b", "#9aa5b1"
#: Tiers held while no move is judged (no deals yet): neither green nor red.
NEUTRAL = "#b7c1cc"
GAIN, LOSS, TOTAL = "#2e9d57", "#d1453b", "#1f6f8b"


def short_money(value: float, _pos: object = None) -> str:
    """12.4M, 350k, 870: an axis tick in the currency (code shown in the title)."""
    a = abs(value)
    sign = "−" if value < 0 else ""
    if a >= 1e6:
        return f"{sign}{a / 1e6:.1f}M"
    if a >= 1e3:
        return f"{sign}{a / 1e3:.0f}k"
    return f"{sign}{a:.0f}"


def _style(ax: Axes, title: str) -> None:
    ax.set_title(title, fontsize=9, loc="left")
    ax.tick_params(axis="both", labelsize=7)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def draw_empty(ax: Axes, title: str, text: str) -> None:
    """A chart with nothing to draw yet: its title and ``text`` where the bars would be,
    no axes (an all-zero axis ticks "0, 0, −0", a scale of nothing)."""
    _style(ax, title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=8,
            color="#666666", wrap=True)


def draw_revenue_by(ax: Axes, table: pd.DataFrame, title: str, currency: str = "",
                    colours: Sequence[str] = TYPE_COLOURS) -> None:
    """Stacked quarterly bars of revenue (currency) with one colour per column of
    ``table`` (rows: quarter labels)."""
    from matplotlib.ticker import FuncFormatter

    if not table.size or not table.to_numpy(dtype=float).any():
        draw_empty(ax, f"{title}{f' ({currency})' if currency else ''}", "No revenue yet")
        return

    x = list(range(len(table)))
    bottom = [0.0] * len(table)
    partial = table.attrs.get("partial")
    for i, col in enumerate(table.columns):
        values = [float(v) for v in table[col]]
        bars = ax.bar(x, values, bottom=bottom, color=colours[i % len(colours)],
                      label=str(col), width=0.7)
        if partial and len(bars):  # the quarter in progress: hatched, never a finished one
            bars[-1].set_alpha(0.45)
            bars[-1].set_hatch("//")
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if partial and len(x):
        ax.annotate(f"{partial['days']}/{partial['of']} d", (x[-1], bottom[-1]),
                    textcoords="offset points", xytext=(0, 3), ha="center", va="bottom",
                    fontsize=6, color="#555555")
    ax.set_xticks(x)
    ax.set_xticklabels([str(q).replace(" to date", "\nto date") for q in table.index], fontsize=7)
    ax.yaxis.set_major_formatter(FuncFormatter(short_money))
    _style(ax, f"{title}{f' ({currency})' if currency else ''}")
    if len(table.columns):
        ax.legend(fontsize=6, frameon=False, loc="upper left", ncol=2)
    ax.margins(y=0.25)


def draw_tier_moves(ax: Axes, moves: pd.DataFrame) -> None:
    """Active partners per tier held, split into those who stay, would move up and would
    move down under the program's rules (counts)."""
    y = list(range(len(moves)))
    left = [0] * len(moves)
    not_judged = moves.attrs.get("not_judged")
    kinds = ((("stay", NEUTRAL, "held"),) if not_judged else
             (("stay", STAY, "stay"), ("up", UP, "would move up"),
              ("down", DOWN, "would move down")))
    for col, colour, label in kinds:
        values = [int(v) for v in moves[col]]
        ax.barh(y, values, left=left, color=colour, label=label, height=0.6)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for yi, total in zip(y, left, strict=True):
        ax.text(total, yi, f" {total}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels(list(moves.index), fontsize=7)
    ax.set_xlabel("partners", fontsize=7)
    _style(ax, "Tier moves")
    ax.grid(axis="y", alpha=0)
    ax.grid(axis="x", alpha=0.3)
    # Room above the top tier for the legend: in a narrow chart it covered the top bar.
    ax.set_ylim(-0.6, len(moves) - 0.4 + 1.4)
    if not_judged:  # in the legend's place, short enough for a narrow chart: why
        ax.text(0.5, 0.99, "Moves not judged:\nno deals imported yet", transform=ax.transAxes,
                ha="center", va="top", fontsize=6, color="#555555")
    else:
        ax.legend(fontsize=6, frameon=False, loc="upper right", ncol=1)
    ax.margins(x=0.15)


def draw_ropi_waterfall(ax: Axes, steps: Sequence[tuple[str, float]], ropi: float,
                        currency: str = "") -> None:
    """Attributed revenue, then each deduction (margins, rebates, each investment) as a
    falling bar, ending at the net return (currency). ROPI = net return ÷ investment."""
    from matplotlib.ticker import FuncFormatter

    if not any(amount for _label, amount in steps):
        draw_empty(ax, f"Return{f' ({currency})' if currency else ''}",
                   "No revenue or costs yet")
        return
    labels, level, top, bottom = [], 0.0, 0.0, 0.0
    for i, (label, amount) in enumerate(steps):
        start = level if i else 0.0
        level = start + amount
        top, bottom = max(top, start, level), min(bottom, start, level)
        colour = TOTAL if i == 0 else (GAIN if amount >= 0 else LOSS)
        ax.bar(i, amount, bottom=start, color=colour, width=0.7)
        labels.append(label)
    n = len(steps)
    ax.bar(n, level, color=TOTAL if level >= 0 else LOSS, width=0.7)
    ax.text(n, level, short_money(level), ha="center", va="bottom", fontsize=7)
    labels.append("Net return")
    ax.set_xticks(range(n + 1))
    ax.set_xticklabels(labels, rotation=40, ha="right", fontsize=7)
    ax.yaxis.set_major_formatter(FuncFormatter(short_money))
    ax.axhline(0, color="#555555", linewidth=0.6)
    span = (top - bottom) or 1.0
    ax.set_ylim(bottom - (0.05 * span if bottom < 0 else 0), top + 0.1 * span)
    ropi_text = "" if ropi != ropi else f", ROPI {ropi:.0%}"  # NaN ≠ NaN
    _style(ax, f"Return{f' ({currency})' if currency else ''}{ropi_text}")
