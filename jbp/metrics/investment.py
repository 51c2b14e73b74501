"""What partners cost: tier margins and rebates, and program costs allocated to partners."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..coverage import month_end
from ..model import Program
from .snapshot import YEAR_DAYS, Actuals, _ts, _window

# --------------------------------------------------------------------------- tier rates


def tier_rates(program: Program, tier_names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Margin and rebate (fractions of sourced revenue) of each tier name; 0 for none."""
    margin = {t.name: t.margin for t in program.tiers}
    rebate = {t.name: t.rebate for t in program.tiers}
    return (tier_names.map(margin).fillna(0.0).astype(float),
            tier_names.map(rebate).fillna(0.0).astype(float))


# --------------------------------------------------------------------------- investment


def allocated_costs(actuals: Actuals, as_of: dt.date) -> pd.DataFrame:
    """Program costs of the T12M window per partner and category (currency).

    A cost row with a partner goes to that partner. A program-wide row (no partner) is
    split equally among the partners *in the program* that month: signed up on or before
    the month's last day and not churned before its first day. Months are counted in the
    window when their first day is in ``(as_of - 365 days, as_of]``. Returns a frame indexed
    by partner id with columns people, enablement, overhead, recruitment.
    """
    cats = ["people", "enablement", "overhead", "recruitment"]
    ids = actuals.partners["id"].to_numpy()
    out = pd.DataFrame(0.0, index=pd.Index(ids, name="partner_id"), columns=cats)
    costs = _window(actuals.program_costs, "month", as_of, YEAR_DAYS)
    if costs.empty or len(ids) == 0:
        return out
    direct = costs[costs["partner_id"].notna()]
    if not direct.empty:
        sums = direct.groupby([direct["partner_id"].astype(int), "category"])["amount"].sum()
        # pandas takes any scalar fill_value; the stubs allow only int, str or dict.
        d = sums.unstack(fill_value=0.0)  # type: ignore[arg-type]
        d = d.reindex(index=out.index, columns=cats, fill_value=0.0)
        out += d.fillna(0.0)
    shared = costs[costs["partner_id"].isna()]
    if shared.empty:
        return out
    by_month = shared.groupby(["month", "category"])["amount"].sum().unstack(
        fill_value=0.0)  # type: ignore[arg-type]  # as above: any scalar works
    by_month = by_month.reindex(columns=cats, fill_value=0.0)
    months = by_month.index
    signup = actuals.partners["signup_date"].to_numpy()
    churned = actuals.partners["churned_on"].to_numpy()
    starts = months.to_numpy()
    ends = np.array([_ts(month_end(m.date())) for m in months], dtype="datetime64[ns]")
    # members[m, p]: partner p is in the program in month m.
    members = (signup[None, :] <= ends[:, None]) & (
        pd.isna(churned)[None, :] | (churned[None, :] >= starts[:, None]))
    counts = members.sum(axis=1)
    share = np.where(counts > 0, 1.0 / np.maximum(counts, 1), 0.0)
    weights = members * share[:, None]          # months x partners
    alloc = weights.T @ by_month.to_numpy()     # partners x categories
    out += pd.DataFrame(alloc, index=out.index, columns=cats)
    return out
