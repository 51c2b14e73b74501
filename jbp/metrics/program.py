"""Program totals: ROPI with its components and CAC via channel vs direct."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from .scorecard import scorecard_from
from .snapshot import YEAR_DAYS, Actuals, _as_of, _upto, _window

if TYPE_CHECKING:
    from ..store import Workspace


# --------------------------------------------------------------------------- program


def program_summary(ws: Workspace, as_of: dt.date | None = None) -> dict[str, Any]:
    """Program-level ROPI with its components and CAC via channel vs direct (T12M)."""
    return program_summary_from(Actuals.load(ws), as_of)


def program_summary_from(actuals: Actuals, as_of: dt.date | None = None,
                         card: pd.DataFrame | None = None) -> dict[str, Any]:
    """Program totals over T12M to ``as_of`` (money in the program currency):

    * revenue: ``sourced_revenue``, ``influenced_revenue``, ``attributed_revenue`` (sourced +
      influence_weight × influenced), ``margins``, ``rebates``, ``net_revenue``;
    * investment: ``mdf_spent`` (paid claims), ``people``, ``enablement``, ``overhead``,
      ``recruitment`` (all program cost rows in the window, shared or not), ``investment``;
    * ``ropi`` = (net_revenue − investment) / investment; ``mdf_roi`` = attributed revenue ÷
      MDF spent (revenue per MDF dollar, no costs subtracted);
    * ``new_channel_customers``: customers whose first deal ever is a partner-sourced deal
      closed in T12M; ``channel_cost`` = investment + margins + rebates;
      ``cac_channel`` = channel_cost / new_channel_customers; ``cac_direct`` = the program's
      direct CAC (an input); ``cac_ratio`` = cac_channel / cac_direct (below 1: the channel
      acquires customers more cheaply).

    ``card``: the scorecard on the same ``as_of`` when the caller already has it (the
    dashboard), so it is not computed twice.
    """
    as_of = _as_of(actuals, as_of)
    if card is None or card.attrs.get("as_of") != as_of:
        card = scorecard_from(actuals, as_of)
    through = card.attrs["through"]
    program = actuals.program
    costs = _window(actuals.program_costs, "month", through["program_costs"], YEAR_DAYS)
    by_cat = costs.groupby("category")["amount"].sum()
    out: dict[str, Any] = {
        "as_of": as_of,
        "deals_through": through["deals"],
        "window_start": through["deals"] - dt.timedelta(days=YEAR_DAYS - 1),
        "currency": program.currency,
        "partners": len(card),
        "active_partners": int((card["status"] == "active").sum()),
        "at_risk_partners": int(card["at_risk"].sum()),
        "influence_weight": program.influence_weight,
    }
    for col in ("sourced_revenue", "influenced_revenue", "attributed_revenue", "margins",
                "rebates", "net_revenue", "mdf_spent"):
        out[col] = float(card[col].sum())
    for cat in ("people", "enablement", "overhead", "recruitment"):
        out[cat] = float(by_cat.get(cat, 0.0))
    out["investment"] = out["mdf_spent"] + sum(out[c] for c in (
        "people", "enablement", "overhead", "recruitment"))
    inv = out["investment"]
    out["ropi"] = (out["net_revenue"] - inv) / inv if inv > 0 else math.nan
    out["mdf_roi"] = (out["attributed_revenue"] / out["mdf_spent"] if out["mdf_spent"] > 0
                      else math.nan)
    deals = _upto(actuals.deals, "close_date", through["deals"])
    firsts = deals.sort_values("close_date", kind="stable").drop_duplicates("customer")
    new = _window(firsts[firsts["attribution"] == "sourced"], "close_date", through["deals"],
                  YEAR_DAYS)
    out["new_channel_customers"] = len(new)
    out["channel_cost"] = inv + out["margins"] + out["rebates"]
    out["cac_channel"] = (out["channel_cost"] / len(new)) if len(new) else math.nan
    out["cac_direct"] = program.direct_cac if program.direct_cac is not None else math.nan
    out["cac_ratio"] = (out["cac_channel"] / out["cac_direct"]
                        if out["cac_direct"] and not math.isnan(out["cac_direct"]) else math.nan)
    return out
