"""How well the risk score ranks the partners who did churn."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from .scorecard import scorecard_from
from .snapshot import RECENT_DAYS, Actuals

# --------------------------------------------------------------------------- churn backtest


def churn_backtest(actuals: Actuals, lead_days: int = RECENT_DAYS) -> dict[str, Any]:
    """How well the risk score ranks the partners who did churn.

    For each churned partner, the scorecard is computed as of ``lead_days`` before its churn
    date, and its risk score is compared with the scores, on that same date, of every partner
    that never churned and was active then. Returns ``auc`` (the share of such
    (churner, non-churner) pairs where the churner scored higher, ties counting half),
    ``flagged`` (churners flagged at risk), and ``rows`` (per churner: partner, churned_on,
    as_of, risk_score, rank among the active partners (1 = riskiest), active partners,
    at_risk, risk_reasons).
    """
    partners = actuals.partners
    churners = partners[partners["churned_on"].notna()]
    stayers = set(partners[partners["churned_on"].isna()]["id"].astype(int))
    rows, wins, pairs = [], 0.0, 0
    for _, p in churners.iterrows():
        as_of = (p["churned_on"] - pd.Timedelta(days=lead_days)).date()
        card = scorecard_from(actuals, as_of)
        active = card[card["status"] == "active"]
        me = card[card["partner_id"] == int(p["id"])].iloc[0]
        if me["status"] != "active":
            continue
        others = active[active["partner_id"].isin(stayers)]["risk_score"].to_numpy()
        score = float(me["risk_score"])
        wins += float((others < score).sum() + 0.5 * (others == score).sum())
        pairs += len(others)
        rank = int((active["risk_score"] > score).sum()) + 1
        rows.append({"partner": p["name"], "churned_on": p["churned_on"].date(),
                     "as_of": as_of, "risk_score": score, "rank": rank,
                     "active_partners": len(active), "at_risk": bool(me["at_risk"]),
                     "risk_reasons": me["risk_reasons"]})
    return {"auc": wins / pairs if pairs else math.nan, "lead_days": lead_days,
            "flagged": sum(r["at_risk"] for r in rows), "churners": len(rows),
            "rows": pd.DataFrame(rows)}
