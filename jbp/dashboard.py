"""The figures of the Portfolio dashboard: headline tiles with their change against the prior
period, revenue by tier and by partner type over time, the tier distribution with the moves
the program's rules call for, and the at-risk list.

Everything here is computed from one :class:`jbp.metrics.Actuals` snapshot; the charts that
draw these figures are in :mod:`jbp.charts_portfolio`. Money is in the program currency.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .metrics import Actuals

#: The prior period of a tile: the twelve months before the current twelve.
PRIOR_DAYS = 365


@dataclass(frozen=True)
class Tile:
    """One headline figure. ``unit``: currency, ratio (shown as a percent), count, fraction.
    ``better``: "higher" or "lower" (colours the change)."""

    key: str
    label: str
    value: float
    prior: float
    unit: str
    better: str = "higher"

    @property
    def change(self) -> float:
        """Current − prior, in the tile's unit (NaN when either is unknown)."""
        if _bad(self.value) or _bad(self.prior):
            return math.nan
        return self.value - self.prior

    @property
    def improved(self) -> bool | None:
        """Whether the change is good news (None when there is none to judge)."""
        c = self.change
        if _bad(c) or c == 0:
            return None
        return (c > 0) == (self.better == "higher")


def _bad(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def mdf_utilisation(card: pd.DataFrame) -> float:
    """Program MDF utilisation (fraction): paid claims ÷ approved requests over T12M,
    summed over partners (NaN when nothing was approved)."""
    approved = float(card["mdf_approved"].sum())
    return float(card["mdf_spent"].sum()) / approved if approved > 0 else math.nan


def tiles(summary: dict[str, Any], card: pd.DataFrame, prior_summary: dict[str, Any],
          prior_card: pd.DataFrame) -> list[Tile]:
    """The six headline figures of the dashboard, each against the twelve months before."""
    return [
        Tile("sourced_revenue", "Partner-sourced revenue", summary["sourced_revenue"],
             prior_summary["sourced_revenue"], "currency"),
        Tile("influenced_revenue", "Influenced revenue", summary["influenced_revenue"],
             prior_summary["influenced_revenue"], "currency"),
        Tile("ropi", "Return on partner investment", summary["ropi"], prior_summary["ropi"],
             "ratio"),
        Tile("active_partners", "Active partners", summary["active_partners"],
             prior_summary["active_partners"], "count"),
        Tile("at_risk", "Partners at risk", summary["at_risk_partners"],
             prior_summary["at_risk_partners"], "count", better="lower"),
        Tile("mdf_utilisation", "MDF utilisation", mdf_utilisation(card),
             mdf_utilisation(prior_card), "fraction"),
    ]


def quarter_starts(as_of: dt.date, quarters: int) -> list[dt.date]:
    """The first days of the last ``quarters`` calendar quarters to ``as_of``, oldest first."""
    q = (as_of.month - 1) // 3
    year, out = as_of.year, []
    for i in range(quarters):
        k = q - i
        y = year + (k // 4)
        out.append(dt.date(y, (k % 4) * 3 + 1, 1))
    return out[::-1]


def revenue_by(actuals: Actuals, card: pd.DataFrame, as_of: dt.date, by: str,
               quarters: int = 6, order: list[str] | None = None) -> pd.DataFrame:
    """Partner-sourced plus influenced revenue closed per calendar quarter (rows: quarter
    labels like "Q3 26"; columns: the partners' current ``by`` — "tier" or "type"), to
    ``as_of``, read no further than the deals' coverage. Currency.

    The quarter in progress is to date: its label says so ("Q4 26 to date") and
    ``table.attrs["partial"]`` gives the days counted and the quarter's days, so charts
    mark it instead of drawing a finished quarter that collapsed."""
    import pandas as pd

    through = actuals.coverage.through("deals", as_of)
    starts = quarter_starts(through, quarters)
    deals = actuals.deals
    deals = deals[(deals["close_date"] >= pd.Timestamp(starts[0]))
                  & (deals["close_date"] <= pd.Timestamp(through))
                  & deals["attribution"].isin(["sourced", "influenced"])]
    group = card.set_index("partner_id")[by].fillna("").replace("", "none")
    keyed = deals.assign(group=deals["partner_id"].map(group).fillna("none"),
                         quarter=deals["close_date"].dt.to_period("Q"))
    table = keyed.pivot_table(index="quarter", columns="group", values="amount",
                              aggfunc="sum", fill_value=0.0)
    periods = pd.PeriodIndex([pd.Period(s, freq="Q") for s in starts])
    table = table.reindex(periods, fill_value=0.0)
    columns = list(table.columns)
    if order:
        columns = [c for c in order if c in columns] + [c for c in columns if c not in order]
    table = table[columns].astype(float)
    labels = [f"Q{p.quarter} {p.year % 100:02d}" for p in periods]
    last = periods[-1]
    q_end = last.end_time.date()
    if through < q_end:
        q_start = last.start_time.date()
        days, total = (through - q_start).days + 1, (q_end - q_start).days + 1
        labels[-1] += " to date"
        table.attrs["partial"] = {"label": labels[-1], "days": days, "of": total}
    table.index = labels
    return table


#: Why tier moves are not judged, when the workspace has no deals: the tier rules count
#: sourced revenue and new logos, so every partner would "move down" on the day its partner
#: list is imported.
NO_DEALS = "not judged: no deals imported yet (the tier rules count sourced revenue)"


def tier_moves(card: pd.DataFrame, tier_order: list[str]) -> pd.DataFrame:
    """Active partners per tier held (``stored_tier``) and how many the program's rules
    would move: ``up`` (they qualify for a higher tier), ``down`` (they fall short of the
    one they hold), ``stay``. Index: tiers, lowest first. Without any deal in the
    workspace (``card.attrs["coverage"]``) nobody is judged: every partner counts as
    ``held`` and ``attrs["not_judged"]`` says why (:data:`NO_DEALS`)."""
    import pandas as pd

    rank = {t: i for i, t in enumerate(tier_order)}
    active = card[card["status"] == "active"]
    held = active["stored_tier"].fillna("").map(lambda t: rank.get(t, -1))
    qualifies = active["tier"].fillna("").map(lambda t: rank.get(t, -1))
    coverage = card.attrs.get("coverage")
    judged = coverage is None or coverage.first("deals") is not None
    frame = pd.DataFrame({"tier": active["stored_tier"].fillna(""),
                          "up": ((qualifies > held) & judged).astype(int),
                          "down": ((qualifies < held) & judged).astype(int)})
    frame["stay"] = 1 - frame["up"] - frame["down"]
    out = frame.groupby("tier")[["stay", "up", "down"]].sum()
    out = out.reindex([t for t in tier_order], fill_value=0)
    if not judged:
        out.attrs["not_judged"] = NO_DEALS
    return out


def at_risk_list(card: pd.DataFrame) -> pd.DataFrame:
    """The partners at risk, riskiest first: partner_id, partner, tier, risk_score (0-1),
    risk_reasons."""
    risky = card[card["at_risk"].astype(bool) & (card["status"] == "active")]
    return risky.sort_values("risk_score", ascending=False)[
        ["partner_id", "partner", "tier", "risk_score", "risk_reasons"]].reset_index(drop=True)


def ropi_steps(summary: dict[str, Any]) -> list[tuple[str, float]]:
    """The ROPI waterfall: attributed revenue ("Revenue"), minus margins and rebates (= net partner
    revenue), minus each investment (MDF, people, enablement, overhead, recruitment); the
    last step is the net return, ROPI = net return ÷ investment. Currency."""
    return [
        ("Revenue", summary["attributed_revenue"]),
        ("Margins", -summary["margins"]),
        ("Rebates", -summary["rebates"]),
        ("MDF", -summary["mdf_spent"]),
        ("People", -summary["people"]),
        ("Enablement", -summary["enablement"]),
        ("Overhead", -summary["overhead"]),
        ("Recruitment", -summary["recruitment"]),
    ]


def dashboard_from(actuals: Actuals, as_of: dt.date) -> dict[str, Any]:
    """Everything the dashboard shows, as of ``as_of`` (see the module doc)."""
    from . import metrics

    card = metrics.scorecard_from(actuals, as_of)
    summary = metrics.program_summary_from(actuals, as_of, card)
    prior_as_of = as_of - dt.timedelta(days=PRIOR_DAYS)
    prior_card = metrics.scorecard_from(actuals, prior_as_of)
    prior_summary = metrics.program_summary_from(actuals, prior_as_of, prior_card)
    order = [t.name for t in actuals.program.tiers_by_rank()]
    return {
        "tiles": tiles(summary, card, prior_summary, prior_card),
        "prior_as_of": prior_as_of,
        "by_tier": revenue_by(actuals, card, as_of, "stored_tier", order=order),
        "by_type": revenue_by(actuals, card, as_of, "type"),
        "moves": tier_moves(card, order),
        "at_risk": at_risk_list(card),
        "ropi_steps": ropi_steps(summary),
        "card": card,
        "summary": summary,
    }
