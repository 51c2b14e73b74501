"""Partner and program metrics computed from a workspace's imported actuals.

Every function here is pure: it reads an :class:`Actuals` snapshot (the partner list, the
program and the actuals tables as pandas frames) and returns numbers or frames; nothing is
written. ``docs/metrics.md`` gives every formula with a worked example; the docstrings below
give the formula and the unit.

Conventions
-----------
* ``as_of`` is the date the view describes, decided once by :func:`jbp.asof.resolve_as_of`
  (set by the user, else the workspace's pinned date, else today). It is not capped at the
  end of the data: each source of actuals is read only *through* the earlier of ``as_of``
  and the end of its own coverage (:mod:`jbp.coverage`), so a scorecard read on
  15 November from logins that end on 31 October measures logins to 31 October and never
  reads the first half of November as fifteen days without a login.
* Windows end on their source's "through" day ``t``: T12M (trailing twelve months) is
  ``(t - 365 days, t]``; the 90-day windows of leading indicators likewise.
* Money is in the program currency; fractions are 0-1; durations are days.
* Revenue is the deal amount (the ARR of a recurring deal, the value of a one-off deal), on
  the close date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .coverage import Coverage, coverage_from_frames, month_end
from .kinds import ACTIVITY, KINDS
from .model import Program, fiscal_quarter_bounds
from .tiers import TierStanding, assess_tier, gaps, next_tier

if TYPE_CHECKING:
    from pandas.api.typing import NaTType

    from .store import Workspace

__all__ = ["month_end"]  # re-exported: callers measured months with it before coverage

#: Days in the trailing window of revenue, new logos, investment (T12M).
YEAR_DAYS = 365
#: Days in the window of leading indicators (logins, registrations, certifications).
RECENT_DAYS = 90
#: Days of the baseline window of a trend: the window just before the recent one, of the
#: same length, so a trend compares two equal windows (both inside the source's coverage).
BASELINE_DAYS = RECENT_DAYS
#: Days of recent sourced revenue, new logos and certifications used as the run-rate for
#: the tier projection.
RUN_RATE_DAYS = 180
#: Assumed yearly churn of the customers partners bring; CLTV counts recurring revenue for
#: ``1 / CUSTOMER_CHURN`` years (5 years at 20%).
CUSTOMER_CHURN = 0.20
#: Weights of the churn-risk score (see :func:`risk_components`): logins decline,
#: registrations decline, inactivity.
RISK_WEIGHTS = (0.6, 0.2, 0.2)
#: A partner is flagged at risk when its risk score reaches this ...
RISK_THRESHOLD = 0.2
#: ... or it has shown no activity for this many days.
INACTIVE_DAYS = 60

ACTIVITY_DATES = (("logins", "login_date"), ("registrations", "reg_date"),
                  ("deals", "close_date"), ("certifications", "cert_date"))


# --------------------------------------------------------------------------- the snapshot


@dataclass
class Actuals:
    """Everything the metrics read, as one consistent snapshot.

    ``partners``: columns id, name, type, region, manager, signup_date, activated_on,
    churned_on, tier (dates as datetime64). The other frames are the actuals tables as
    :meth:`jbp.store.Workspace.actuals` returns them.
    """

    program: Program
    partners: pd.DataFrame
    deals: pd.DataFrame
    registrations: pd.DataFrame
    logins: pd.DataFrame
    certifications: pd.DataFrame
    mdf: pd.DataFrame
    program_costs: pd.DataFrame
    #: The plans' KPIs (see :func:`kpis_frame`); None when not loaded.
    kpis: pd.DataFrame | None = None
    #: Extract dates given at import, per kind (they extend a source's coverage).
    extract_dates: dict[str, dt.date] | None = None

    @classmethod
    def load(cls, ws: Workspace) -> Actuals:
        """Read the program, the partners, the plans' KPIs, every actuals table and the
        imports' extract dates in one read-only snapshot
        (no write lock: a background load never holds up an edit)."""
        with ws.read():
            program = ws.program()
            partners = partners_frame(ws)
            frames = {k: ws.actuals(k) for k in KINDS}
            kpis = kpis_frame(ws)
            extracts = ws.extract_dates()
        return cls(program=program, partners=partners, kpis=kpis, extract_dates=extracts,
                   **frames)

    @property
    def coverage(self) -> Coverage:
        """Through which day each source is complete (:mod:`jbp.coverage`)."""
        return coverage_from_frames({k: getattr(self, k) for k in KINDS},
                                    self.extract_dates)

    def last_date(self) -> dt.date | None:
        """The latest date found in any actuals table (None when there are none)."""
        found = []
        for kind, col in (*ACTIVITY_DATES, ("mdf", "mdf_date")):
            series = getattr(self, kind)[col]
            if len(series) and series.notna().any():
                found.append(series.max())
        return max(found).date() if found else None

    def first_date(self) -> dt.date | None:
        """The earliest date found in any actuals table (None when there are none)."""
        found = []
        for kind, col in (*ACTIVITY_DATES, ("mdf", "mdf_date")):
            series = getattr(self, kind)[col]
            if len(series) and series.notna().any():
                found.append(series.min())
        return min(found).date() if found else None


def partners_frame(ws: Workspace) -> pd.DataFrame:
    """The workspace's partners as a frame (dates as datetime64)."""
    rows = ws.rows("SELECT id, name, type, region, manager, signup_date, activated_on, "
                   "churned_on, tier FROM partners ORDER BY id")
    frame = pd.DataFrame([dict(r) for r in rows], columns=[
        "id", "name", "type", "region", "manager", "signup_date", "activated_on",
        "churned_on", "tier"])
    for col in ("signup_date", "activated_on", "churned_on"):
        frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame


KPI_COLUMNS = ("plan_id", "partner_id", "fiscal_year", "plan_status", "plan_title", "kpi_id",
               "name", "kind", "unit", "direction", "to_date", "metric", "target_q1", "target_q2",
               "target_q3", "target_q4", "actual_q1", "actual_q2", "actual_q3", "actual_q4")


def kpis_frame(ws: Workspace) -> pd.DataFrame:
    """Every KPI of every plan with its plan's partner, fiscal year and status."""
    rows = ws.rows(
        "SELECT p.id AS plan_id, p.partner_id, p.fiscal_year, p.status AS plan_status, "
        "p.title AS plan_title, k.id AS kpi_id, k.name, k.kind, k.unit, k.direction, k.to_date, k.metric, "
        "k.target_q1, k.target_q2, k.target_q3, k.target_q4, k.actual_q1, k.actual_q2, "
        "k.actual_q3, k.actual_q4 FROM kpis k JOIN goals g ON g.id = k.goal_id "
        "JOIN plans p ON p.id = g.plan_id ORDER BY p.id, g.position, k.position, k.id")
    return pd.DataFrame([dict(r) for r in rows], columns=list(KPI_COLUMNS))


def _as_of(actuals: Actuals, as_of: dt.date | None) -> dt.date:
    """``as_of`` when given. Without one (a script or test reading a snapshot, which has no
    workspace to ask :func:`jbp.asof.resolve_as_of`), the latest end of any source: every
    source is then read to its own end."""
    if as_of is not None:
        return as_of
    return actuals.coverage.latest_end() or dt.date.today()


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _window(frame: pd.DataFrame, col: str, as_of: dt.date, days: int,
            offset_days: int = 0) -> pd.DataFrame:
    """Rows with ``col`` in ``(as_of - offset - days, as_of - offset]``."""
    hi = _ts(as_of) - pd.Timedelta(days=offset_days)
    lo = hi - pd.Timedelta(days=days)
    dates = frame[col]
    return frame[(dates > lo) & (dates <= hi)]


def _upto(frame: pd.DataFrame, col: str, as_of: dt.date) -> pd.DataFrame:
    return frame[frame[col] <= _ts(as_of)]


def _per_partner(series: pd.Series, index: pd.Index, fill: float = 0.0) -> pd.Series:
    return series.reindex(index).fillna(fill)


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
    from .asof import resolve_as_of

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
    for pid in idx:
        standing = TierStanding(float(out["sourced_revenue"].loc[pid]),
                                int(out["certified_people"].loc[pid]),
                                int(out["new_logos"].loc[pid]))
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
                                revenue_run_rate=float(rr["revenue_per_year"].loc[pid]),
                                logos_run_rate=float(rr["logos_per_year"].loc[pid]),
                                certs_per_day=float(rr["certs_per_day"].loc[pid]))
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

    logins = _upto(actuals.logins, "login_date", through["logins"])
    regs = _upto(actuals.registrations, "reg_date", through["registrations"])

    def count(kind: str, frame: pd.DataFrame, col: str, days: int = RECENT_DAYS,
              offset: int = 0) -> pd.Series:
        w = _window(frame, col, through[kind], days, offset)
        return _per_partner(w.groupby("partner_id").size(), idx).astype(int)

    def baseline(kind: str, frame: pd.DataFrame, col: str) -> pd.Series:
        """The equal window before the recent one; NaN when it starts before the source's
        data does (a window without data is not a quiet window)."""
        first = cov.first(kind)
        lo = through[kind] - dt.timedelta(days=RECENT_DAYS + BASELINE_DAYS - 1)
        if first is None or lo < first:
            return pd.Series(np.nan, index=idx)
        return count(kind, frame, col, BASELINE_DAYS, RECENT_DAYS).astype(float)

    l_now = count("logins", logins, "login_date")
    l_before = baseline("logins", logins, "login_date")
    r_now = count("registrations", regs, "reg_date")
    r_before = baseline("registrations", regs, "reg_date")
    out["logins_90d"] = l_now
    out["logins_trend"] = _trend(l_now, l_before)
    out["registrations_90d"] = r_now
    out["registrations_trend"] = _trend(r_now, r_before)
    out["certifications_90d"] = count("certifications", certs, "cert_date")
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
        col = KINDS[name].date_column
        frame = _upto(getattr(actuals, name), col, cov.through(name, as_of))
        latest = frame.groupby("partner_id")[col].max().reindex(idx)
        last = pd.concat([last, latest], axis=1).max(axis=1)
    since = pd.concat([last, signup], axis=1).max(axis=1)
    return (_ts(end) - since).dt.days.clip(lower=0).astype(float)


#: Which plan of a partner the scorecard reads, best first.
PLAN_PREFERENCE = ("Active", "Approved", "In review", "Draft", "Closed")


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """The fiscal year ``day`` falls in (fiscal year N starts in ``start_month`` of N)."""
    return day.year if day.month >= start_month else day.year - 1


def kpi_attainment(actuals: Actuals, as_of: dt.date | None = None,
                   plan_ids: list[int] | None = None) -> pd.DataFrame:
    """Attainment, RAG and run-rate forecast of every KPI of the plans (default: the plans
    of the fiscal year containing ``as_of``), by :func:`jbp.kpi.status_on` — the very
    computation the plan page and the QBR make, on the plan's stored actuals (bound KPIs are
    refreshed from the imports when they are imported, :mod:`jbp.bindings`), so the
    Portfolio and the plan cannot disagree. Columns: plan_id, partner_id, fiscal_year, plan_status, kpi_id, name, metric, unit,
    direction, target_to_date, actual_to_date (KPI unit), attainment (fraction), rag,
    forecast (KPI unit), full_target, forecast_attainment (fraction).
    """
    from .kpi import status_on
    from .model import Kpi

    as_of = _as_of(actuals, as_of)
    program = actuals.program
    cov = actuals.coverage
    cols = ["plan_id", "partner_id", "fiscal_year", "plan_status", "kpi_id", "name", "metric",
            "unit", "direction", "target_to_date", "actual_to_date", "attainment", "rag",
            "forecast", "full_target", "forecast_attainment"]
    kpis = actuals.kpis
    if kpis is None or kpis.empty:
        return pd.DataFrame(columns=cols)
    if plan_ids is None:
        fy = fiscal_year_of(as_of, program.fiscal_year_start_month)
        kpis = kpis[kpis["fiscal_year"] == fy]
    else:
        kpis = kpis[kpis["plan_id"].isin(plan_ids)]
    rows = []
    for r in kpis.to_dict("records"):
        # Any: the keys are Kpi's float | None fields, which mypy cannot match to **values.
        values: dict[str, Any] = {str(k): (None if pd.isna(r[k]) else float(r[k]))
                                  for k in r if str(k).startswith(("target_q", "actual_q"))}
        metric = r["metric"] or ""
        kpi = Kpi(goal_id=0, name=r["name"], kind=r["kind"], unit=r["unit"],
                  direction=r["direction"], to_date=r["to_date"], metric=metric, **values)
        st = status_on(kpi, program, int(r["fiscal_year"]), as_of, cov)
        rows.append({"plan_id": int(r["plan_id"]), "partner_id": int(r["partner_id"]),
                     "fiscal_year": int(r["fiscal_year"]), "plan_status": r["plan_status"],
                     "kpi_id": int(r["kpi_id"]), "name": r["name"], "metric": metric,
                     "unit": r["unit"], "direction": r["direction"],
                     "target_to_date": st.target_to_date, "actual_to_date": st.actual_to_date,
                     "attainment": st.attainment, "rag": st.rag, "forecast": st.forecast,
                     "full_target": st.full_target,
                     "forecast_attainment": st.forecast_attainment})
    return pd.DataFrame(rows, columns=cols)


def _plan_columns(out: pd.DataFrame, actuals: Actuals, as_of: dt.date) -> None:
    """plan_id, plan_status: the partner's plan for the fiscal year of ``as_of`` (Active
    first, see PLAN_PREFERENCE); plan_attainment, plan_rag, plan_forecast_attainment: of its
    KPI bound to sourced_revenue (else its first currency KPI); kpis_red: its KPIs in Red."""
    for col in ("plan_id", "plan_attainment", "plan_forecast_attainment"):
        out[col] = np.nan
    out["plan_status"] = ""
    out["plan_rag"] = ""
    out["kpis_red"] = 0
    status = kpi_attainment(actuals, as_of)
    if status.empty:
        return
    rank = {s: i for i, s in enumerate(PLAN_PREFERENCE)}
    status = status.assign(_rank=status["plan_status"].map(rank).fillna(len(rank)))
    for pid, mine in status.groupby("partner_id"):
        if pid not in out.index:
            continue
        best = mine.sort_values(["_rank", "plan_id"], ascending=[True, False])
        plan_id = int(best.iloc[0]["plan_id"])
        kpis = mine[mine["plan_id"] == plan_id]
        head = kpis[kpis["metric"] == "sourced_revenue"]
        if head.empty:
            head = kpis[kpis["unit"] == "currency"]
        out.at[pid, "plan_id"] = plan_id
        out.at[pid, "plan_status"] = str(kpis.iloc[0]["plan_status"])
        out.at[pid, "kpis_red"] = int((kpis["rag"] == "Red").sum())
        if not head.empty:
            h = head.iloc[0]
            out.at[pid, "plan_attainment"] = (np.nan if h["attainment"] is None
                                              else h["attainment"])
            out.at[pid, "plan_rag"] = h["rag"]
            out.at[pid, "plan_forecast_attainment"] = (
                np.nan if h["forecast_attainment"] is None else h["forecast_attainment"])


def _reasons(out: pd.DataFrame, parts: pd.DataFrame, churned: pd.Series,
             through: dict[str, dt.date]) -> list[str]:
    reasons = []
    for pid in out.index:
        if out.at[pid, "status"] == "churned":
            reasons.append(f"churned on {churned[pid].date().isoformat()}")
            continue
        if not out.at[pid, "at_risk"]:
            reasons.append("")
            continue
        why = []
        logins_decline = parts["logins_decline"].loc[pid]
        if logins_decline >= 0.25:
            why.append(f"logins down {logins_decline:.0%} in the 90 "
                       f"days to {through['logins']} on the 90 before")
        registrations_decline = parts["registrations_decline"].loc[pid]
        if registrations_decline >= 0.25:
            why.append(f"registrations down {registrations_decline:.0%} "
                       f"in the 90 days to {through['registrations']} on the 90 before")
        idle = out["days_since_activity"].loc[pid]
        if idle >= 30:
            why.append(f"no activity for {int(idle)} days")
        if not why:
            why.append(f"risk score {out['risk_score'].loc[pid]:.2f}")
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


# --------------------------------------------------------------------------- program


def program_summary(ws: Workspace, as_of: dt.date | None = None) -> dict[str, Any]:
    """Program-level ROPI with its components and CAC via channel vs direct (T12M)."""
    return program_summary_from(Actuals.load(ws), as_of)


def program_summary_from(actuals: Actuals, as_of: dt.date | None = None) -> dict[str, Any]:
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
    """
    as_of = _as_of(actuals, as_of)
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


# --------------------------------------------------------------------------- trends


def monthly_series(actuals: Actuals, partner_id: int, as_of: dt.date | None = None,
                   months: int = 18) -> pd.DataFrame:
    """Month-by-month figures of one partner for the trend charts, the last ``months`` months
    to ``as_of``. Index: month start (datetime64). Columns: sourced_revenue,
    influenced_revenue (currency), registrations, logins, certifications (counts of the
    month), certified_people (distinct people to the month's end), mdf_claimed (paid claims,
    currency), mdf_approved (approved requests, currency).

    Each column reads its source through its own end: a month after it is NaN (no data,
    not zero). ``frame.attrs["partial"]`` maps each column to the month its source ends
    inside (that month is "to date"; charts mark it) and ``attrs["through"]`` to the day."""
    as_of = _as_of(actuals, as_of)
    cov = actuals.coverage
    last = pd.Timestamp(as_of.year, as_of.month, 1)
    index = pd.date_range(end=last, periods=months, freq="MS")

    def monthly(frame: pd.DataFrame, col: str, value: str | None = None) -> pd.Series:
        kind = next(k for k, v in KINDS.items() if v.date_column == col)
        through = _ts(cov.through(kind, as_of))
        mine = frame[(frame["partner_id"] == partner_id) & (frame[col] <= through)]
        key = mine[col].dt.to_period("M").dt.to_timestamp()
        series = mine.groupby(key)[value].sum() if value else mine.groupby(key).size()
        series = series.reindex(index, fill_value=0).astype(float)
        return series.where(index <= through)

    deals = actuals.deals
    mdf = actuals.mdf
    certs = actuals.certifications[actuals.certifications["partner_id"] == partner_id]
    firsts = certs.sort_values("cert_date").drop_duplicates("person")
    new_people = monthly(firsts, "cert_date")
    before = float(((firsts["cert_date"] < index[0])).sum())
    frame = pd.DataFrame({
        "sourced_revenue": monthly(deals[deals["attribution"] == "sourced"], "close_date",
                                   "amount"),
        "influenced_revenue": monthly(deals[deals["attribution"] == "influenced"],
                                      "close_date", "amount"),
        "registrations": monthly(actuals.registrations, "reg_date"),
        "logins": monthly(actuals.logins, "login_date"),
        "certifications": monthly(actuals.certifications, "cert_date"),
        "certified_people": new_people.cumsum() + before,
        "mdf_claimed": monthly(mdf[(mdf["kind"] == "claim") & (mdf["status"] == "paid")],
                               "mdf_date", "amount"),
        "mdf_approved": monthly(mdf[(mdf["kind"] == "request")
                                    & mdf["status"].isin(["approved", "paid"])],
                                "mdf_date", "amount"),
    }, index=index)
    frame.index.name = "month"
    sources = {"sourced_revenue": "deals", "influenced_revenue": "deals",
               "registrations": "registrations", "logins": "logins",
               "certifications": "certifications", "certified_people": "certifications",
               "mdf_claimed": "mdf", "mdf_approved": "mdf"}
    through = {c: cov.through(k, as_of) for c, k in sources.items()}
    frame["certified_people"] = frame["certified_people"].where(
        frame["certifications"].notna())
    frame.attrs["through"] = through
    frame.attrs["partial"] = {c: pd.Timestamp(d.year, d.month, 1) for c, d in through.items()
                              if d != month_end(d)}
    return frame


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


# --------------------------------------------------------------------------- bindable metrics


@dataclass(frozen=True)
class BindableMetric:
    """A metric a plan's KPI can be bound to.

    ``values(actuals, partner_id, start, end)`` gives the metric for one period
    (``start``..``end`` inclusive, dates) in ``unit`` (a KPI unit: currency, count, percent as
    a fraction 0-1, days), or None when there is nothing to measure.
    """

    name: str
    label: str
    unit: str
    kind: str  # "leading" or "lagging"
    direction: str
    value: Callable[[Actuals, int, dt.date, dt.date], float | None]
    description: str = ""
    #: The kind of actuals it reads (its coverage bounds what it measures).
    source: str = "deals"


def _in(frame: pd.DataFrame, col: str, partner_id: int, start: dt.date,
        end: dt.date) -> pd.DataFrame:
    dates = frame[col]
    return frame[(frame["partner_id"] == partner_id) & (dates >= _ts(start))
                 & (dates <= _ts(end))]


def _deal_sum(attribution: str):
    def value(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
        d = _in(a.deals, "close_date", pid, start, end)
        return float(d[d["attribution"] == attribution]["amount"].sum())
    return value


def _attributed(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return (_deal_sum("sourced")(a, pid, start, end)
            + a.program.influence_weight * _deal_sum("influenced")(a, pid, start, end))


def _registrations(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return float(len(_in(a.registrations, "reg_date", pid, start, end)))


def _win_rate(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    r = _in(a.registrations, "reg_date", pid, start, end)
    won = int((r["status"] == "won").sum())
    closed = won + int((r["status"] == "lost").sum())
    return won / closed if closed else None


def _certified_people(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    c = a.certifications
    c = c[(c["partner_id"] == pid) & (c["cert_date"] <= _ts(end))]
    return float(c["person"].nunique())


def _new_certifications(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    c = a.certifications[a.certifications["partner_id"] == pid]
    firsts = c.sort_values("cert_date").drop_duplicates("person")
    return float(len(_in(firsts, "cert_date", pid, start, end)))


def _logins(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return float(len(_in(a.logins, "login_date", pid, start, end)))


def _new_logos(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    d = _in(a.deals, "close_date", pid, start, end)
    return float(d[d["attribution"] == "sourced"]["customer"].nunique())


def _mdf_claimed(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    m = _in(a.mdf, "mdf_date", pid, start, end)
    return float(m[(m["kind"] == "claim") & (m["status"] == "paid")]["amount"].sum())


def _mdf_utilisation(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    m = _in(a.mdf, "mdf_date", pid, start, end)
    approved = float(m[(m["kind"] == "request")
                       & m["status"].isin(["approved", "paid"])]["amount"].sum())
    paid = float(m[(m["kind"] == "claim") & (m["status"] == "paid")]["amount"].sum())
    return paid / approved if approved else None


def _days_to_close(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    d = _in(a.deals, "close_date", pid, start, end)
    d = d[(d["attribution"] == "sourced") & d["created_date"].notna()]
    if d.empty:
        return None
    return float((d["close_date"] - d["created_date"]).dt.days.mean())


#: The metrics a KPI can be bound to, by name (the name stored in ``Kpi.metric``).
METRICS: dict[str, BindableMetric] = {m.name: m for m in (
    BindableMetric("sourced_revenue", "Partner-sourced revenue", "currency", "lagging",
                   "higher", _deal_sum("sourced"),
                   "Σ amount of sourced deals closed in the quarter", source="deals"),
    BindableMetric("influenced_revenue", "Influenced revenue", "currency", "lagging", "higher",
                   _deal_sum("influenced"),
                   "Σ amount of influenced deals closed in the quarter", source="deals"),
    BindableMetric("attributed_revenue", "Attributed revenue", "currency", "lagging",
                   "higher", _attributed,
                   "sourced + influence weight × influenced, closed in the quarter", source="deals"),
    BindableMetric("registrations", "Registered deals", "count", "leading", "higher",
                   _registrations, "deal registrations dated in the quarter", source="registrations"),
    BindableMetric("win_rate", "Win rate of registered deals", "percent", "lagging", "higher",
                   _win_rate,
                   "won ÷ (won + lost) of the registrations dated in the quarter", source="registrations"),
    BindableMetric("certified_people", "Certified people", "count", "leading", "higher",
                   _certified_people,
                   "distinct people certified by the quarter's end (a running total)", source="certifications"),
    BindableMetric("certifications", "New certified people", "count", "leading", "higher",
                   _new_certifications, "people first certified in the quarter", source="certifications"),
    BindableMetric("portal_logins", "Portal logins", "count", "leading", "higher", _logins,
                   "portal logins in the quarter", source="logins"),
    BindableMetric("new_logos", "New logos", "count", "lagging", "higher", _new_logos,
                   "distinct customers of sourced deals closed in the quarter", source="deals"),
    BindableMetric("mdf_claimed", "MDF claimed (paid)", "currency", "leading", "higher",
                   _mdf_claimed, "paid MDF claims dated in the quarter", source="mdf"),
    BindableMetric("mdf_utilisation", "MDF utilisation", "percent", "leading", "higher",
                   _mdf_utilisation, "paid claims ÷ approved requests in the quarter", source="mdf"),
    BindableMetric("days_to_close", "Days to close (sourced deals)", "days", "lagging",
                   "lower", _days_to_close,
                   "mean days from creation to close of sourced deals closed in the quarter", source="deals"),
)}


def quarterly_values(actuals: Actuals, metric: str, partner_id: int, fiscal_year: int,
                     as_of: dt.date | None = None) -> list[float | None]:
    """The bound metric's value in each fiscal quarter of ``fiscal_year`` for a partner;
    None for quarters that have not started on the day its source is read through
    (``coverage.through(source, as_of)``) and for quarters that ended before the source's
    data begins (no data is not zero). A running quarter is measured to that day. Values are rounded as a KPI shows them (3 decimals for percent, whole numbers
    otherwise... days to one decimal)."""
    if metric not in METRICS:
        from .errors import ValidationError

        raise ValidationError("Bound metric", f"unknown metric {metric!r}; known: "
                                              f"{', '.join(METRICS)}")
    as_of = _as_of(actuals, as_of)
    m = METRICS[metric]
    cov = actuals.coverage
    first = cov.first(m.source)
    through = cov.through(m.source, as_of)
    out: list[float | None] = []
    for start, end in fiscal_quarter_bounds(fiscal_year, actuals.program.fiscal_year_start_month):
        if start > through or first is None or end < first:
            out.append(None)
            continue
        v = m.value(actuals, partner_id, start, min(end, through))
        if v is not None:
            v = round(float(v), {"percent": 3, "days": 1}.get(m.unit, 0))
        out.append(v)
    return out
