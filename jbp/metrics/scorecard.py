"""The scorecard: one row per partner with every metric on a day."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..kinds import ACTIVITY, KINDS
from ..model import Program
from ..tiers import TierStanding, assess_tier, gaps, next_tier
from .activity import last_dates, window_counts
from .investment import allocated_costs, tier_rates
from .plans import _plan_columns
from .snapshot import (
    BASELINE_DAYS,
    CUSTOMER_CHURN,
    INACTIVE_DAYS,
    RECENT_DAYS,
    RISK_THRESHOLD,
    RISK_WEIGHTS,
    RUN_RATE_DAYS,
    YEAR_DAYS,
    Actuals,
    _as_of,
    _per_partner,
    _ts,
    _upto,
    _window,
)

if TYPE_CHECKING:
    from pandas.api.typing import NaTType

    from ..store import Workspace


# --------------------------------------------------------------------------- scorecard


SCORECARD_COLUMNS = (
    "partner_id", "partner", "type", "region", "manager", "status", "stored_tier", "tier",
    "next_tier", "sourced_revenue", "influenced_revenue", "attributed_revenue", "margins",
    "rebates", "net_revenue", "mdf_spent", "program_costs", "investment", "ropi", "mdf_roi",
    "customers", "cltv", "new_logos", "cac", "time_to_first_revenue_days", "logins_90d",
    "logins_trend", "registrations_90d", "registrations_trend", "certified_people",
    "certifications_90d", "mdf_approved", "mdf_utilisation", "gap_sourced_revenue",
    "gap_certified_people", "gap_new_logos", "projected_next_tier_date",
    "days_since_activity", "risk_score", "at_risk", "risk_reasons", "plan_id", "plan_status",
    "plan_attainment", "plan_rag", "plan_forecast_attainment", "kpis_red",
)

#: Label and unit of each scorecard column, for views and exports.
SCORECARD_LABELS: dict[str, tuple[str, str]] = {
    "partner_id": ("ID", ""),
    "partner": ("Partner", ""),
    "type": ("Type", ""),
    "region": ("Region", ""),
    "manager": ("Partner manager", ""),
    "status": ("Status", ""),
    "stored_tier": ("Tier on record", ""),
    "tier": ("Tier by rules", ""),
    "next_tier": ("Next tier", ""),
    "sourced_revenue": ("Sourced revenue T12M", "currency"),
    "influenced_revenue": ("Influenced revenue T12M", "currency"),
    "attributed_revenue": ("Attributed revenue T12M", "currency"),
    "margins": ("Margins T12M", "currency"),
    "rebates": ("Rebates T12M", "currency"),
    "net_revenue": ("Net partner revenue T12M", "currency"),
    "mdf_spent": ("MDF spent T12M", "currency"),
    "program_costs": ("Allocated program costs T12M", "currency"),
    "investment": ("Partner investment T12M", "currency"),
    "ropi": ("ROPI", "fraction"),
    "mdf_roi": ("MDF ROI (revenue ÷ MDF)", "ratio"),
    "customers": ("Customers brought", "count"),
    "cltv": ("CLTV per customer", "currency"),
    "new_logos": ("New logos T12M", "count"),
    "cac": ("CAC via this partner", "currency"),
    "time_to_first_revenue_days": ("Time to first revenue", "days"),
    "logins_90d": ("Logins 90d", "count"),
    "logins_trend": ("Logins trend", "fraction"),
    "registrations_90d": ("Registrations 90d", "count"),
    "registrations_trend": ("Registrations trend", "fraction"),
    "certified_people": ("Certified people", "count"),
    "certifications_90d": ("Certifications 90d", "count"),
    "mdf_approved": ("MDF approved T12M", "currency"),
    "mdf_utilisation": ("MDF utilisation", "fraction"),
    "gap_sourced_revenue": ("Gap: sourced revenue", "currency"),
    "gap_certified_people": ("Gap: certified people", "count"),
    "gap_new_logos": ("Gap: new logos", "count"),
    "projected_next_tier_date": ("Projected next tier", "date"),
    "days_since_activity": ("Days since activity", "days"),
    "risk_score": ("Risk score", "fraction"),
    "at_risk": ("At risk", "bool"),
    "risk_reasons": ("Risk reasons", ""),
    "plan_id": ("Plan", ""),
    "plan_status": ("Plan status", ""),
    "plan_attainment": ("Plan: sourced revenue attainment", "fraction"),
    "plan_rag": ("Plan RAG", ""),
    "plan_forecast_attainment": ("Plan: forecast ÷ year target", "fraction"),
    "kpis_red": ("Plan KPIs in Red", "count"),
}


def scorecard(ws: Workspace, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per partner with every scorecard metric on ``as_of`` (see the module doc and
    :func:`scorecard_from` for the columns and their units).

    ``as_of`` None means the workspace's own "as of" (:func:`jbp.asof.resolve_as_of`). The
    date used is in ``frame.attrs["as_of"]``, the coverage in ``frame.attrs["coverage"]``.
    """
    from ..asof import resolve_as_of

    actuals = Actuals.load(ws)
    if as_of is None:
        as_of = resolve_as_of(ws).date
    return scorecard_from(actuals, as_of)


def _trend(current: pd.Series, previous: pd.Series) -> pd.Series:
    """Relative change (fraction) of the recent window over the baseline (both per
    RECENT_DAYS); NaN when the baseline is 0."""
    prev = previous.astype(float)
    return (current - prev) / prev.where(prev > 0)


def risk_components(logins_now: pd.Series, logins_before: pd.Series, regs_now: pd.Series,
                    regs_before: pd.Series, idle_days: pd.Series) -> pd.DataFrame:
    """The three parts of the churn-risk score, each 0-1.

    * ``logins_decline`` = clip(1 - (L90 + 1) / (B90 + 1), 0, 1): the fall in portal
      logins of the 90 days to the logins' through day against the baseline B90 = logins in
      the 90 days before them (the +1 keeps a quiet partner with no logins in either window
      at 0; 0 when the baseline window starts before the logins data does);
    * ``registrations_decline``: the same for deal registrations;
    * ``inactivity`` = clip(days since the last login, registration, won deal or
      certification (:func:`idle_days`) / 90, 0, 1) (0 when no source has data).
    """
    def decline(now: pd.Series, before: pd.Series) -> pd.Series:
        # A baseline outside the source's coverage (NaN) is not judged: no decline.
        return (1.0 - (now + 1.0) / (before + 1.0)).clip(0.0, 1.0).fillna(0.0)

    return pd.DataFrame({
        "logins_decline": decline(logins_now, logins_before),
        "registrations_decline": decline(regs_now, regs_before),
        "inactivity": (idle_days / RECENT_DAYS).clip(0.0, 1.0).fillna(0.0),
    })


def scorecard_from(actuals: Actuals, as_of: dt.date | None = None) -> pd.DataFrame:
    """The scorecard of every partner on ``as_of`` (default: every source read to its own end).

    Columns (money in the program currency, fractions 0-1, T12M = the 365 days to ``as_of``):

    * ``sourced_revenue`` = Σ amount of the partner's *sourced* deals closed in T12M;
      ``influenced_revenue`` likewise for *influenced* deals;
      ``attributed_revenue`` = sourced + influence_weight × influenced.
    * ``margins`` = margin(tier) × sourced; ``rebates`` = rebate(tier) × sourced, at the tier
      the partner holds by the rules (``tier``); ``net_revenue`` = attributed − margins −
      rebates.
    * ``mdf_spent`` = Σ paid MDF claims in T12M; ``program_costs`` = the partner's share of
      people, enablement, overhead and recruitment costs (:func:`allocated_costs`);
      ``investment`` = mdf_spent + program_costs;
      ``ropi`` = (net_revenue − investment) / investment (NaN when investment is 0).
    * ``mdf_roi`` = attributed revenue ÷ MDF spent (no costs subtracted; NaN without MDF).
    * ``customers``: customers whose first deal was sourced by this partner (all time to
      ``as_of``); ``cltv`` = mean over them of (1 − margin − rebate) × (one-off amounts +
      recurring amounts / CUSTOMER_CHURN).
    * ``new_logos``: distinct customers of sourced deals in T12M (the tier criterion);
      ``cac`` = (investment + margins + rebates) / new_logos.
    * ``time_to_first_revenue_days``: first sourced deal's close date − sign-up date (NaN
      when the partner signed up before the actuals begin, or has no deal yet).
    * ``logins_90d``, ``registrations_90d``, ``certifications_90d``: counts in the 90 days
      to the source's through day; ``*_trend``: relative change against the baseline, the
      90 days before them (fraction; NaN when the baseline is empty or starts before the
      source's data does); ``certified_people``: distinct people certified to date.
    * ``mdf_approved``: approved MDF requests in T12M; ``mdf_utilisation`` = mdf_spent ÷
      mdf_approved.
    * ``tier``/``next_tier``: by :func:`jbp.tiers.assess_tier` on (sourced_revenue,
      certified_people, new_logos); ``gap_*``: what the next tier still needs;
      ``projected_next_tier_date``: :func:`project_tier_date`.
    * ``days_since_activity``: days from the partner's last login, registration, deal or
      certification (or its sign-up) to the *common end* of those four sources
      (:meth:`jbp.coverage.Coverage.activity_end`), 0 when it was active after that day;
      ``risk_score`` (:func:`risk_components` weighted by RISK_WEIGHTS), ``at_risk``
      (active and score ≥ RISK_THRESHOLD or idle ≥ INACTIVE_DAYS days), ``risk_reasons``.

    Each source is read through ``coverage.through(kind, as_of)`` (the module doc);
    ``frame.attrs`` holds ``as_of``, ``coverage`` and ``through`` (kind → day read to).
    """
    as_of = _as_of(actuals, as_of)
    cov = actuals.coverage
    through = {k: cov.through(k, as_of) for k in KINDS}
    t_deals, t_certs = through["deals"], through["certifications"]
    program = actuals.program
    partners = actuals.partners
    idx = pd.Index(partners["id"].astype(int).to_numpy(), name="partner_id")
    out = pd.DataFrame(index=idx)
    out["partner_id"] = idx.to_numpy()
    out["partner"] = partners["name"].to_numpy()
    out["type"] = partners["type"].to_numpy()
    out["region"] = partners["region"].to_numpy()
    out["manager"] = partners["manager"].fillna("").to_numpy()
    signup = pd.Series(partners["signup_date"].to_numpy(), index=idx)
    churned = pd.Series(partners["churned_on"].to_numpy(), index=idx)
    is_churned = churned.notna() & (churned <= _ts(as_of))
    out["status"] = np.where(is_churned, "churned",
                             np.where(signup > _ts(as_of), "not signed up", "active"))
    out["stored_tier"] = partners["tier"].fillna("").to_numpy()

    deals = _upto(actuals.deals, "close_date", t_deals)
    d12 = _window(deals, "close_date", t_deals, YEAR_DAYS)
    src12 = d12[d12["attribution"] == "sourced"]
    inf12 = d12[d12["attribution"] == "influenced"]
    out["sourced_revenue"] = _per_partner(src12.groupby("partner_id")["amount"].sum(), idx)
    out["influenced_revenue"] = _per_partner(inf12.groupby("partner_id")["amount"].sum(), idx)
    out["attributed_revenue"] = (out["sourced_revenue"]
                                 + program.influence_weight * out["influenced_revenue"])

    certs = _upto(actuals.certifications, "cert_date", t_certs)
    out["certified_people"] = _per_partner(
        certs.groupby("partner_id")["person"].nunique(), idx).astype(int)
    out["new_logos"] = _per_partner(src12.groupby("partner_id")["customer"].nunique(),
                                    idx).astype(int)

    # Tier by the program's rules, the next tier and the gaps.
    tiers: list[str] = []
    nexts: list[str] = []
    gap_rev: list[float] = []
    gap_cert: list[float] = []
    gap_logo: list[float] = []
    proj: list[pd.Timestamp | NaTType] = []
    rr = run_rates(actuals, t_deals, idx, t_certs)
    # The tier is measured to the earlier of its two sources; it is projected from there.
    tier_day = min(t_deals, t_certs)
    # Plain lists, not a pandas lookup per partner and field (20,000 partners).
    revenue = out["sourced_revenue"].astype(float).tolist()
    certified = out["certified_people"].astype(int).tolist()
    logos = out["new_logos"].astype(int).tolist()
    rr_revenue = rr["revenue_per_year"].astype(float).tolist()
    rr_logos = rr["logos_per_year"].astype(float).tolist()
    rr_certs = rr["certs_per_day"].astype(float).tolist()
    for i in range(len(idx)):
        standing = TierStanding(revenue[i], certified[i], logos[i])
        tier = assess_tier(program, standing)
        nxt = next_tier(program, tier)
        tiers.append(tier.name if tier else "")
        nexts.append(nxt.name if nxt else "")
        if nxt is None:
            gap_rev.append(0.0)
            gap_cert.append(0.0)
            gap_logo.append(0.0)
            proj.append(pd.NaT)
            continue
        g = gaps(nxt, standing)
        gap_rev.append(g["sourced_revenue"])
        gap_cert.append(g["certified_people"])
        gap_logo.append(g["new_logos"])
        day = project_tier_date(standing, nxt, tier_day,
                                revenue_run_rate=rr_revenue[i], logos_run_rate=rr_logos[i],
                                certs_per_day=rr_certs[i])
        proj.append(pd.Timestamp(day) if day else pd.NaT)
    out["tier"] = tiers
    out["next_tier"] = nexts

    margin, rebate = tier_rates(program, out["tier"])
    out["margins"] = margin * out["sourced_revenue"]
    out["rebates"] = rebate * out["sourced_revenue"]
    out["net_revenue"] = out["attributed_revenue"] - out["margins"] - out["rebates"]

    mdf = _upto(actuals.mdf, "mdf_date", through["mdf"])
    m12 = _window(mdf, "mdf_date", through["mdf"], YEAR_DAYS)
    claims = m12[(m12["kind"] == "claim") & (m12["status"] == "paid")]
    approved = m12[(m12["kind"] == "request") & (m12["status"].isin(["approved", "paid"]))]
    out["mdf_spent"] = _per_partner(claims.groupby("partner_id")["amount"].sum(), idx)
    out["program_costs"] = allocated_costs(actuals, through["program_costs"]).sum(axis=1).reindex(idx).fillna(0.0)
    out["investment"] = out["mdf_spent"] + out["program_costs"]
    inv = out["investment"].where(out["investment"] > 0)
    out["ropi"] = (out["net_revenue"] - out["investment"]) / inv
    out["mdf_roi"] = out["attributed_revenue"] / out["mdf_spent"].where(out["mdf_spent"] > 0)

    cl = customer_values(deals, program, out["tier"])
    out["customers"] = _per_partner(cl.groupby("partner_id")["value"].size(), idx).astype(int)
    out["cltv"] = cl.groupby("partner_id")["value"].mean().reindex(idx)
    out["cac"] = ((out["investment"] + out["margins"] + out["rebates"])
                  / out["new_logos"].where(out["new_logos"] > 0))

    first = deals[deals["attribution"] == "sourced"].groupby("partner_id")["close_date"].min()
    first = first.reindex(idx)
    start = cov.first("deals")
    ttfr = (first - signup).dt.days.astype(float)
    if start is not None:
        ttfr = ttfr.where(signup >= _ts(start))
    out["time_to_first_revenue_days"] = ttfr

    def recent_and_baseline(kind: str) -> tuple[pd.Series, pd.Series]:
        """Rows in the recent window and in the equal window before it; the baseline is NaN
        when it starts before the source's data does (a window without data is not a quiet
        window). One pass over the source (:func:`.activity.window_counts`)."""
        now, before = window_counts(actuals, kind, through[kind],
                                    ((RECENT_DAYS, 0), (BASELINE_DAYS, RECENT_DAYS)), idx)
        first = cov.first(kind)
        lo = through[kind] - dt.timedelta(days=RECENT_DAYS + BASELINE_DAYS - 1)
        if first is None or lo < first:
            return now, pd.Series(np.nan, index=idx)
        return now, before.astype(float)

    l_now, l_before = recent_and_baseline("logins")
    r_now, r_before = recent_and_baseline("registrations")
    out["logins_90d"] = l_now
    out["logins_trend"] = _trend(l_now, l_before)
    out["registrations_90d"] = r_now
    out["registrations_trend"] = _trend(r_now, r_before)
    out["certifications_90d"] = window_counts(actuals, "certifications", t_certs,
                                              ((RECENT_DAYS, 0),), idx)[0]
    out["mdf_approved"] = _per_partner(approved.groupby("partner_id")["amount"].sum(), idx)
    out["mdf_utilisation"] = out["mdf_spent"] / out["mdf_approved"].where(
        out["mdf_approved"] > 0)
    out["gap_sourced_revenue"] = gap_rev
    out["gap_certified_people"] = gap_cert
    out["gap_new_logos"] = gap_logo
    out["projected_next_tier_date"] = pd.to_datetime(pd.Series(proj, index=idx))

    idle = idle_days(actuals, as_of, idx, signup)
    out["days_since_activity"] = idle
    parts = risk_components(l_now, l_before, r_now, r_before, idle)
    w = RISK_WEIGHTS
    score = (w[0] * parts["logins_decline"] + w[1] * parts["registrations_decline"]
             + w[2] * parts["inactivity"])
    active = out["status"] == "active"
    out["risk_score"] = score.where(active)
    out["at_risk"] = active & ((score >= RISK_THRESHOLD) | (idle >= INACTIVE_DAYS))
    out["risk_reasons"] = _reasons(out, parts, churned, through)
    _plan_columns(out, actuals, as_of)
    frame = out.reset_index(drop=True)[list(SCORECARD_COLUMNS)]
    frame.attrs.update(as_of=as_of, coverage=cov, through=through)
    return frame


def idle_days(actuals: Actuals, as_of: dt.date, idx: pd.Index,
              signup: pd.Series | None = None) -> pd.Series:
    """Days since each partner's last activity (login, registration, deal, certification,
    or its sign-up), measured to the common end of the activity sources
    (:meth:`jbp.coverage.Coverage.activity_end`); 0 for a partner active after that day; NaN
    when no activity source has data. Each source is read through its own end.

    Measuring to the *earliest* end means a source whose data ends earlier than the others
    cannot make a partner look idle, and rows added to a source that ends later than the
    others (a few November deals) change only the partners they belong to."""
    cov = actuals.coverage
    end = cov.activity_end(as_of)
    if signup is None:
        signup = pd.Series(actuals.partners["signup_date"].to_numpy(), index=idx)
    if end is None:
        return pd.Series(np.nan, index=idx)
    last = pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]")
    for name in ACTIVITY:
        latest = last_dates(actuals, name, cov.through(name, as_of), idx)
        last = pd.concat([last, latest], axis=1).max(axis=1)
    since = pd.concat([last, signup], axis=1).max(axis=1)
    return (_ts(end) - since).dt.days.clip(lower=0).astype(float)


#: Which plan of a partner the scorecard reads, best first.
def _reasons(out: pd.DataFrame, parts: pd.DataFrame, churned: pd.Series,
             through: dict[str, dt.date]) -> list[str]:
    reasons = []
    status = out["status"].tolist()
    at_risk = out["at_risk"].tolist()
    churned_on = churned.reindex(out.index).tolist()
    logins_decline = parts["logins_decline"].reindex(out.index).tolist()
    regs_decline = parts["registrations_decline"].reindex(out.index).tolist()
    idle_days = out["days_since_activity"].tolist()
    score = out["risk_score"].tolist()
    for i in range(len(out.index)):
        if status[i] == "churned":
            reasons.append(f"churned on {churned_on[i].date().isoformat()}")
            continue
        if not at_risk[i]:
            reasons.append("")
            continue
        why = []
        if logins_decline[i] >= 0.25:
            why.append(f"logins down {logins_decline[i]:.0%} in the 90 "
                       f"days to {through['logins']} on the 90 before")
        if regs_decline[i] >= 0.25:
            why.append(f"registrations down {regs_decline[i]:.0%} "
                       f"in the 90 days to {through['registrations']} on the 90 before")
        idle = idle_days[i]
        if idle >= 30:
            why.append(f"no activity for {int(idle)} days")
        if not why:
            why.append(f"risk score {score[i]:.2f}")
        reasons.append("; ".join(why))
    return reasons


def customer_values(deals: pd.DataFrame, program: Program,
                    partner_tier: pd.Series) -> pd.DataFrame:
    """Lifetime value of each customer a partner brought (currency).

    A partner *brought* a customer when the customer's earliest deal is a sourced deal of
    that partner. Value = (1 − margin − rebate at the partner's tier) × (Σ one-off amounts +
    Σ recurring amounts / CUSTOMER_CHURN) over the customer's sourced deals with that
    partner. Returns columns partner_id, customer, value.
    """
    if deals.empty:
        return pd.DataFrame({"partner_id": [], "customer": [], "value": []})
    ordered = deals.sort_values(["close_date"], kind="stable")
    firsts = ordered.drop_duplicates("customer")
    firsts = firsts[firsts["attribution"] == "sourced"][["customer", "partner_id"]]
    mine = deals[deals["attribution"] == "sourced"].merge(firsts, on=["customer", "partner_id"])
    if mine.empty:
        return pd.DataFrame({"partner_id": [], "customer": [], "value": []})
    worth = np.where(mine["recurring"], mine["amount"] / CUSTOMER_CHURN, mine["amount"])
    mine = mine.assign(worth=worth)
    # With as_index=False the sum is a frame; the stubs type it as a Series.
    per: pd.DataFrame = mine.groupby(  # type: ignore[assignment]
        ["partner_id", "customer"], as_index=False)["worth"].sum()
    margin, rebate = tier_rates(program, per["partner_id"].map(partner_tier))
    per["value"] = (1.0 - margin - rebate) * per["worth"]
    return per[["partner_id", "customer", "value"]]


def run_rates(actuals: Actuals, as_of: dt.date, idx: pd.Index,
              certs_as_of: dt.date | None = None) -> pd.DataFrame:
    """Recent pace per partner, from the last RUN_RATE_DAYS days:

    ``revenue_per_year`` = sourced revenue in the window × 365 / RUN_RATE_DAYS (currency per
    year); ``logos_per_year`` likewise for distinct new customers (count per year);
    ``certs_per_day`` = newly certified people in the window / RUN_RATE_DAYS (people per day).
    """
    deals = _window(actuals.deals, "close_date", as_of, RUN_RATE_DAYS)
    src = deals[deals["attribution"] == "sourced"]
    scale = YEAR_DAYS / RUN_RATE_DAYS
    certs_as_of = certs_as_of or as_of
    certs = _upto(actuals.certifications, "cert_date", certs_as_of)
    firsts = certs.sort_values("cert_date").drop_duplicates(["partner_id", "person"])
    recent = _window(firsts, "cert_date", certs_as_of, RUN_RATE_DAYS)
    return pd.DataFrame({
        "revenue_per_year": _per_partner(src.groupby("partner_id")["amount"].sum(), idx) * scale,
        "logos_per_year": _per_partner(src.groupby("partner_id")["customer"].nunique(), idx)
        * scale,
        "certs_per_day": _per_partner(recent.groupby("partner_id").size(), idx) / RUN_RATE_DAYS,
    }, index=idx)


def project_tier_date(standing: TierStanding, tier: Any, as_of: dt.date, *,
                      revenue_run_rate: float, logos_run_rate: float,
                      certs_per_day: float) -> dt.date | None:
    """The date the partner would meet every threshold of ``tier`` at its current run-rate,
    or None when it never would.

    Windowed criteria (T12M sourced revenue, new logos): the T12M figure moves in a straight
    line from its value today to the run-rate (per year) over the next 365 days, as the old
    months roll out of the window and run-rate months replace them:
    ``value(t) = now + (run_rate − now) × t / 365`` for 0 ≤ t ≤ 365, then stays at the
    run-rate. Certified people (a stock) grow by ``certs_per_day`` each day. The projected
    date is ``as_of`` + the largest of the days each criterion needs.
    """
    needs = []
    for now, target, rate in ((standing.sourced_revenue, tier.min_sourced_revenue,
                               revenue_run_rate),
                              (float(standing.new_logos), float(tier.min_new_logos),
                               logos_run_rate)):
        if now >= target:
            continue
        if rate < target:
            return None
        needs.append(math.ceil((target - now) / (rate - now) * YEAR_DAYS))
    gap = tier.min_certifications - standing.certified_people
    if gap > 0:
        if certs_per_day <= 0:
            return None
        needs.append(math.ceil(gap / certs_per_day))
    return as_of + dt.timedelta(days=max(needs, default=0))
