"""A baseline scenario from a workspace: its program, calibrated from its actuals.

:func:`baseline_from_workspace` reads the program (tiers, review period, influence weight,
currency), the partners (starting cohort and its tier mix, recruits still onboarding) and the
actuals (deals, registrations, certifications, MDF, program costs), estimates what the data
can support, and keeps the defaults of :class:`~simulation.scenario.Scenario` for the rest.
Every figure says whether it was estimated and from how much data (:class:`Estimate`).

A figure is estimated only from enough data (see ``MIN_*``); otherwise the default stays and
the report says why. Time windows: exposure counts active partner-months between the first
and last dated actual.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from jbp.progress import Progress

from . import estimators as est
from .calibrate_churn import ChurnEstimates
from .calibrate_net import NetEstimates
from .scenario import DAYS_PER_MONTH, Scenario
from .state_at import workspace_at

MIN_REGISTRATIONS = 20
MIN_DECIDED = 20
MIN_DEALS = 10
MIN_ONBOARDINGS = 5
MIN_PARTNER_MONTHS = 24
MIN_COST_MONTHS = 3
#: A partner with an IPP fit score at or above this is counted as "fitting the profile".
IPP_FIT_CUTOFF = 0.7


@dataclass
class Estimate:
    """One scenario figure: its path, value, and where it came from."""

    path: str
    value: Any
    estimated: bool
    basis: str

    def line(self) -> str:
        how = "estimated" if self.estimated else "default  "
        return f"{how}  {self.path} = {_fmt(self.value)}  ({self.basis})"


@dataclass
class Calibration:
    """A calibrated baseline: the scenario and the list of figures and their sources."""

    scenario: Scenario
    estimates: list[Estimate] = field(default_factory=list)

    def estimated(self) -> list[Estimate]:
        return [e for e in self.estimates if e.estimated]

    def defaults(self) -> list[Estimate]:
        return [e for e in self.estimates if not e.estimated]

    def report(self) -> str:
        """Plain-text report: what was estimated from how much data, what kept its default."""
        lines = [f"Baseline scenario {self.scenario.name!r}: "
                 f"{len(self.estimated())} figures estimated from the workspace, "
                 f"{len(self.defaults())} left at their defaults."]
        lines += ["  " + e.line() for e in self.estimated()]
        lines += ["  " + e.line() for e in self.defaults()]
        return "\n".join(lines)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) + "}"
    return str(v)


def baseline_from_file(path: str | Path, **kwargs: Any) -> Calibration:
    """Open the workspace at ``path`` and calibrate a baseline (see
    :func:`baseline_from_workspace`)."""
    from jbp.store import Workspace

    with Workspace.open(path) as ws:
        return baseline_from_workspace(ws, **kwargs)


def baseline_from_workspace(ws: Any, *, name: str = "Baseline", horizon_months: int = 36,
                            replications: int = 100, seed: int | None = None,
                            as_of: dt.date | None = None,
                            progress: Progress | None = None) -> Calibration:
    """Calibrate a baseline scenario from workspace ``ws`` (anything with ``program()``,
    ``partners()`` and ``actuals(kind)`` as :class:`jbp.store.Workspace` has).

    ``as_of``: use only what was known on that date (actuals up to it, partners in their
    state and tier then, the registrations open then as the starting pipeline); ``None``
    uses everything and starts from the workspace as it is."""
    progress = progress or Progress()
    progress.step(0.0, "reading the workspace")
    at = workspace_at(ws, as_of)
    program, partners, frames = at.program, at.partners, at.frames
    progress.step(0.4, "estimating")
    cal = _Calibrator(program, partners, frames, as_of)
    changes = cal.estimate(progress.part(0.4, 0.5))
    if at.open_by_age:
        n = sum(at.open_by_age.values())
        cal.put("deals.initial_open_by_age", {str(a): float(c) for a, c in
                                               at.open_by_age.items()},
                f"{n} registrations open on {as_of or 'the last registration date'}, "
                "by age in months")
    progress.step(0.9, "building the scenario")
    base = Scenario()
    data = base.to_dict()
    data.update(name=name, horizon_months=horizon_months, replications=replications,
                currency=program.currency, influence_weight=program.influence_weight,
                description="Calibrated from the workspace's program and actuals")
    if seed is not None:
        data["seed"] = seed
    data["tiers"]["levels"] = [t.values() for t in program.tiers_by_rank()] or \
        data["tiers"]["levels"]
    data["tiers"]["review_months"] = program.review_months
    for path, value in changes.items():
        node = data
        *head, leaf = path.split(".")
        for p in head:
            node = node[p]
        node[leaf] = value
    scenario = Scenario.from_dict(data)
    progress.step(1.0)
    program_items = [
        Estimate("tiers.levels", ", ".join(scenario.tiers.names()), True,
                 "the workspace's program tiers"),
        Estimate("tiers.review_months", program.review_months, True, "the program"),
        Estimate("influence_weight", program.influence_weight, True, "the program"),
    ]
    return Calibration(scenario, program_items + cal.items)


class _Calibrator(NetEstimates, ChurnEstimates):
    def __init__(self, program, partners, frames, as_of=None):
        self.as_of = as_of
        self.program = program
        self.partners = partners
        self.f = frames
        self.items: list[Estimate] = []
        self.changes: dict[str, Any] = {}
        self.defaults = Scenario()

    def put(self, path: str, value: Any, basis: str) -> None:
        self.changes[path] = value
        self.items.append(Estimate(path, value, True, basis))

    def keep(self, path: str, why: str) -> None:
        self.items.append(Estimate(path, self.defaults.get(path), False, why))

    # -------------------------------------------------------------- window and exposure

    def _window(self) -> tuple[np.datetime64, np.datetime64] | None:
        dates = []
        for kind, col in (("registrations", "reg_date"), ("deals", "close_date"),
                          ("certifications", "cert_date"), ("mdf", "mdf_date")):
            df = self.f.get(kind)
            if df is not None and len(df):
                d = df[col].dropna()
                if len(d):
                    dates += [d.min(), d.max()]
        if not dates:
            return None
        return min(dates).to_datetime64(), max(dates).to_datetime64()

    def estimate(self, progress: Progress | None = None) -> dict[str, Any]:
        progress = progress or Progress()
        self._cohort()
        window = self._window()
        if window is None:
            for p in ("deals.registrations_per_month", "deals.win_probability",
                      "deals.deal_size_mean", "churn.base_hazard"):
                self.keep(p, "no dated actuals in the workspace")
            self._onboarding()
            return self.changes
        start, end = window
        if self.as_of is not None:
            end = np.datetime64(self.as_of, "ns")
        self.start, self.end = start, end
        self.months = max(1.0, (end - start) / np.timedelta64(1, "D") / DAYS_PER_MONTH)
        self.exposure = self._exposure(start, end)
        # Each stage reports and honours a cancel (tens of seconds at 20,000 partners).
        stages = [("registrations", self._registrations), ("deals", self._deals),
                  ("recruitment", self._recruitment), ("onboarding", self._onboarding),
                  ("churn", self._churn), ("enablement", self._enablement),
                  ("MDF", self._mdf), ("costs", self._costs),
                  ("registrations net of lead sharing and MDF", self._net_registrations)]
        for i, (label, stage) in enumerate(stages):
            progress.step(i / len(stages), f"estimating {label}")
            stage()
        progress.step(1.0)
        return self.changes


    def _exposure(self, start, end) -> dict[int, float]:
        """Active partner-months per partner id inside the window (in the partners' order)."""
        ids, act, gone = self._partner_dates()
        s, e = start.astype("datetime64[D]"), end.astype("datetime64[D]")
        a = np.maximum(act, s)
        b = np.where(np.isnat(gone), e, np.minimum(gone, e))
        days = (b - a) / np.timedelta64(1, "D")
        keep = ~np.isnat(act) & (days > 0)
        return dict(zip(ids[keep].tolist(), (days[keep] / DAYS_PER_MONTH).tolist(),
                        strict=True))

    def _partner_dates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The partners' ids, activation and churn days as arrays (NaT where none), read
        once: the exposure of each window is then array arithmetic, not a loop over
        20,000 partners per window."""
        cached = getattr(self, "_dates_cache", None)
        if cached is None:
            nat = np.datetime64("NaT", "D")
            cached = (np.array([p.id if p.id is not None else -1 for p in self.partners],
                               np.int64),
                      np.array([np.datetime64(p.activated_on, "D") if p.activated_on else nat
                                for p in self.partners], "datetime64[D]"),
                      np.array([np.datetime64(p.churned_on, "D") if p.churned_on else nat
                                for p in self.partners], "datetime64[D]"))
            self._dates_cache = cached
        return cast("tuple[np.ndarray, np.ndarray, np.ndarray]", cached)

    # -------------------------------------------------------------- groups

    def _cohort(self) -> None:
        active = [p for p in self.partners if p.churned_on is None and p.activated_on]
        waiting = [p for p in self.partners if p.churned_on is None and not p.activated_on]
        self.put("recruitment.initial_partners", len(active),
                 f"active partners in the workspace ({len(self.partners)} in all)")
        self.put("recruitment.initial_onboarding", len(waiting),
                 "signed partners not yet onboarded")
        names = [t.name for t in self.program.tiers_by_rank()]
        if active and names:
            counts = dict.fromkeys(names, 0)
            for p in active:
                counts[p.tier if p.tier in counts else names[0]] += 1
            mix = {k: round(v / len(active), 6) for k, v in counts.items() if v}
            top = max(mix, key=mix.__getitem__)
            mix[top] = round(mix[top] + 1.0 - sum(mix.values()), 6)
            self.put("recruitment.initial_tier_mix", mix,
                     f"current tiers of {len(active)} active partners")
        fits = [p.ipp_fit for p in self.partners if p.ipp_fit is not None]
        if fits:
            share = float(np.mean(np.array(fits) >= IPP_FIT_CUTOFF))
            self.put("recruitment.ipp_fit_share", round(share, 4),
                     f"{len(fits)} partners with an IPP fit score, cut-off {IPP_FIT_CUTOFF}")
        else:
            self.keep("recruitment.ipp_fit_share", "no IPP fit scores")

    def _registrations(self) -> None:
        regs = self.f.get("registrations")
        pm = sum(self.exposure.values())
        if regs is None or len(regs) < MIN_REGISTRATIONS or pm < MIN_PARTNER_MONTHS:
            n = 0 if regs is None else len(regs)
            why = f"only {n} registrations / {pm:.0f} partner-months"
            for p in ("deals.registrations_per_month", "deals.conflict_probability",
                      "deals.win_probability"):
                self.keep(p, why)
            return
        inside = regs[regs["partner_id"].isin(list(self.exposure))]
        rate = len(inside) / pm
        basis = f"{len(inside):,} registrations over {pm:,.0f} active partner-months"
        launch = self._launch_factor(inside, pm)
        if launch is not None:  # the model applies the factor: the base is the other months
            n_l, e_l = launch
            rate = (len(inside) - n_l) / (pm - e_l)
            basis = (f"{len(inside) - n_l:,} registrations over {pm - e_l:,.0f} active "
                     "partner-months after the partners' launch periods")
        self.put("deals.registrations_per_month", round(rate, 4), basis)
        self.put("deals.registrations_cv", round(1 / math.sqrt(len(inside) + 0.5), 4),
                 f"uncertainty of a rate seen {len(inside):,} times (Jeffreys posterior)")
        conflict = float(regs["conflict"].mean())
        self.put("deals.conflict_probability", round(conflict, 4),
                 f"{int(regs['conflict'].sum())} conflicts in {len(regs):,} registrations")
        decided = regs[regs["status"].isin(["won", "lost"]) & ~regs["conflict"]]
        if len(decided) >= MIN_DECIDED:
            self._win_rate(decided)
        else:
            self.keep("deals.win_probability", f"only {len(decided)} decided registrations")
        self._productivity(inside)
        fits = {p.id: (p.ipp_fit or 0) >= IPP_FIT_CUTOFF for p in self.partners}
        by_fit = {True: [0, 0.0], False: [0, 0.0]}
        counts = inside["partner_id"].value_counts()
        for pid, months in self.exposure.items():
            by_fit[fits.get(pid, False)][0] += int(counts.get(pid, 0))
            by_fit[fits.get(pid, False)][1] += months
        (nf, mf), (nn, mn) = by_fit[True], by_fit[False]
        if min(nf, nn) >= MIN_REGISTRATIONS and min(mf, mn) >= MIN_PARTNER_MONTHS:
            ratio = (nf / mf) / (nn / mn)
            self.put("recruitment.ipp_productivity", round(ratio, 3),
                     f"registration rates of IPP-fit ({mf:.0f} partner-months) and other "
                     f"partners ({mn:.0f} partner-months)")
        else:
            self.keep("recruitment.ipp_productivity", "too few registrations to compare "
                      "IPP-fit and other partners")



    def _deals(self) -> None:
        deals = self.f.get("deals")
        if deals is None or not len(deals):
            for p in ("deals.deal_size_mean", "deals.influenced_per_month",
                      "customers.recurring_share", "deals.sales_cycle_months"):
                self.keep(p, "no deals")
            return
        sourced = deals[deals["attribution"] == "sourced"]
        influenced = deals[deals["attribution"] == "influenced"]
        for frame, mean_p, sigma_p, label in (
                (sourced, "deals.deal_size_mean", "deals.deal_size_sigma", "sourced"),
                (influenced, "deals.influenced_size_mean", "deals.influenced_size_sigma",
                 "influenced")):
            amounts = frame["amount"].to_numpy(float)
            amounts = amounts[amounts > 0]
            if len(amounts) >= MIN_DEALS:
                self.put(mean_p, round(float(amounts.mean()), 2),
                         f"{len(amounts)} {label} deals")
                self.put(sigma_p, round(min(3.0, float(np.log(amounts).std(ddof=1))), 4),
                         f"spread of log sizes of {len(amounts)} {label} deals")
                if label == "sourced":
                    cv = float(amounts.std(ddof=1) / np.sqrt(len(amounts)) / amounts.mean())
                    self.put("deals.deal_size_cv", round(cv, 4),
                             f"standard error of the mean of {len(amounts)} sourced deals")
            else:
                self.keep(mean_p, f"only {len(amounts)} {label} deals")
        pm = sum(self.exposure.values())
        if pm >= MIN_PARTNER_MONTHS and len(influenced):
            self.put("deals.influenced_per_month", round(len(influenced) / pm, 4),
                     f"{len(influenced)} influenced deals over {pm:,.0f} partner-months")
        else:
            self.keep("deals.influenced_per_month", "too few influenced deals")
        self.put("customers.recurring_share", round(float(deals["recurring"].mean()), 4),
                 f"{int(deals['recurring'].sum())} of {len(deals)} deals recurring")
        cyc = sourced.dropna(subset=["created_date"])
        if len(cyc) >= MIN_DEALS:
            days = (cyc["close_date"] - cyc["created_date"]).dt.days.to_numpy(float)
            ok = days >= 0
            end = self.end.astype("datetime64[D]")
            window = (end - cyc["created_date"].to_numpy().astype("datetime64[D]")) \
                / np.timedelta64(1, "D")
            mean, shape = est.fit_sales_cycle(days[ok] / DAYS_PER_MONTH,
                                              window[ok] / DAYS_PER_MONTH)
            self.put("deals.sales_cycle_distribution", "gamma",
                     "a fitted distribution, not a fixed step")
            self.put("deals.sales_cycle_months", round(mean.value, 3),
                     f"created-to-close of {int(ok.sum())} sourced deals, gamma fit corrected "
                     f"for deals still open at the end (95% CI {mean.low:.2f}-"
                     f"{mean.high:.2f})")
            self.put("deals.sales_cycle_shape", round(min(100.0, max(0.2, shape.value)), 3),
                     f"gamma shape, 95% CI {shape.low:.2f}-{shape.high:.2f}")
        else:
            self.keep("deals.sales_cycle_months", f"only {len(cyc)} deals with a created date")

    def _onboarding(self) -> None:
        days = np.array([(p.activated_on - p.signup_date).days for p in self.partners
                         if p.activated_on], float)
        days = days[days > 0]
        managers = {p.manager for p in self.partners if p.manager}
        if len(days) >= MIN_ONBOARDINGS:
            sc = self.defaults.onboarding
            # Recruits still onboarding on the date have taken at least this long so far:
            # a Kaplan-Meier mean counts them (censored) instead of leaving them out.
            if self.as_of is not None:
                end = self.as_of
            elif getattr(self, "end", None) is not None:
                end = self.end.astype("datetime64[D]").astype(object)
            else:  # no dated actuals: the recruits' own latest date is what is known
                end = max(d for p in self.partners
                          for d in (p.signup_date, p.activated_on, p.churned_on) if d)
            still = np.array([(end - p.signup_date).days for p in self.partners
                              if not p.activated_on and not p.churned_on], float)
            times = np.concatenate((days, still))
            seen = np.concatenate((np.ones(len(days), bool), np.zeros(len(still), bool)))
            km, _ = est.kaplan_meier_mean(times, seen)
            fit, wait = est.onboarding_net_of_wait(
                days, self.changes.get("recruitment.arrivals_per_month", 0.0),
                len(managers) or sc.managers, sc.manager_share, observed_mean=km)
            self.put("onboarding.mean_days", round(fit.value, 1),
                     f"sign-up to activation of {len(days)} partners and {len(still)} still "
                     f"onboarding (Kaplan-Meier mean {km:.1f} days) less the mean wait for a "
                     f"partner manager the queue adds ({wait:.1f} days, Erlang C)")
            self.put("onboarding.distribution", "lognormal", "sizes of onboarding times")
            self.put("onboarding.sigma", round(min(3.0, float(np.log(days).std(ddof=1))), 4),
                     f"spread of log onboarding days of {len(days)} partners")
        else:
            self.keep("onboarding.mean_days", f"only {len(days)} partners with both dates")
        if managers:
            self.put("onboarding.managers", len(managers),
                     f"distinct partner managers named on {len(self.partners)} partners")
        else:
            self.keep("onboarding.managers", "no partner managers named")

    def _churn(self) -> None:
        pm = sum(self.exposure.values())
        s, e = self.start.astype("datetime64[D]"), self.end.astype("datetime64[D]")
        churned = [p for p in self.partners if p.churned_on
                   and s <= np.datetime64(p.churned_on, "D") <= e]
        self._starting_drivers()
        fit = self._net_churn(churned) if pm >= MIN_PARTNER_MONTHS else None
        if fit is not None:
            # Drawn per replication from its posterior: the posterior mean here, its CV in
            # hazard_cv (estimators.rate_posterior).
            mean, cv = est.rate_posterior(fit.n, self.churn_exposure)
            self.put("churn.base_hazard", round(mean, 5),
                     f"{len(churned)} partners churned over {pm:,.0f} active partner-months, "
                     f"net of the drivers the model multiplies it by ({self.churn_with_drivers:.0%}"
                     f" of partner-months had one, ×{self.churn_factor_mean:.2f} on average); "
                     f"posterior mean (churns + ½) / exposure, maximum likelihood "
                     f"{fit.value:.5f}; 95% CI {fit.low:.4f}-{fit.high:.4f}")
            self.put("churn.hazard_cv", round(cv, 4),
                     f"uncertainty of a hazard seen {len(churned)} times: each replication "
                     f"draws it from its Jeffreys posterior")
            self._churn_bursts(churned)
        else:
            self.keep("churn.base_hazard", f"only {pm:.0f} active partner-months")


    def _recruitment(self) -> None:
        s, e = self.start.astype("datetime64[D]"), self.end.astype("datetime64[D]")
        signups = [p for p in self.partners
                   if s <= np.datetime64(p.signup_date, "D") <= e]
        self.signups = len(signups)
        # Drawn per replication from the posterior of the sign-up rate seen so far (the
        # mean here, the CV in arrivals_cv; estimators.rate_posterior).
        mean, cv = est.rate_posterior(len(signups), self.months)
        self.put("recruitment.arrivals_per_month", round(mean, 4),
                 f"{len(signups)} sign-ups in {self.months:.1f} months of actuals "
                 f"(posterior mean (sign-ups + ½) / months)")
        self.put("recruitment.arrivals_cv", round(cv, 4),
                 f"uncertainty of a rate seen {len(signups)} times: each replication draws "
                 f"it from its Jeffreys posterior")

    def _enablement(self) -> None:
        certs = self.f.get("certifications")
        pm = sum(self.exposure.values())
        if certs is not None and len(certs) and pm >= MIN_PARTNER_MONTHS:
            self._certification_rate(certs)
        else:
            self.keep("enablement.certification_rate", "no certifications")
        self.keep("enablement.certified_win_uplift", "not identifiable from actuals")

    def _certification_rate(self, certs) -> None:
        """Certifications per active partner-month, leaving out the export's leading months
        when they are a backfill (people certified before it began, dated in its first
        weeks: :func:`simulation.estimators.leading_backfill`)."""
        s, e = self.start.astype("datetime64[D]"), self.end.astype("datetime64[D]")
        months = np.arange(s.astype("datetime64[M]"), e.astype("datetime64[M]") + 1)
        bounds = [max(m.astype("datetime64[D]"), s) for m in months] + [e + 1]
        dates = certs["cert_date"].to_numpy().astype("datetime64[D]")
        counts = np.array([np.count_nonzero((dates >= a) & (dates < b))
                           for a, b in itertools.pairwise(bounds)], float)
        expo = np.array([sum(self._exposure(a, b).values())
                         for a, b in itertools.pairwise(bounds)])
        k = est.leading_backfill(counts, expo)
        fit = est.poisson_rate(counts[k:].sum(), expo[k:].sum())
        basis = (f"{int(counts[k:].sum())} certifications over {expo[k:].sum():,.0f} "
                 f"partner-months; 95% CI {fit.low:.3f}-{fit.high:.3f}")
        if k:
            basis += (f" (the export's first {k} month(s), {int(counts[:k].sum())} "
                      "certifications, left out as a backfill of earlier ones)")
        self.put("enablement.certification_rate", round(fit.value, 4), basis)

    def _mdf(self) -> None:
        mdf = self.f.get("mdf")
        if mdf is None or not len(mdf):
            self.keep("mdf.budget_per_period", "no MDF actuals")
            return
        req = mdf[(mdf["kind"] == "request") & (mdf["status"].isin(["approved", "paid",
                                                                      "claimed"]))]
        claims = mdf[mdf["kind"] == "claim"]
        quarters = max(1.0, self.months / 3)
        if len(req):
            self.put("mdf.budget_per_period", round(float(req["amount"].sum()) / quarters, 2),
                     f"{len(req)} approved MDF requests over {quarters:.1f} quarters")
            self.put("mdf.period_months", 3, "MDF budgets are quarterly")
            if len(claims):
                util = min(1.0, float(claims["amount"].sum()) / float(req["amount"].sum()))
                self.put("mdf.utilisation", round(util, 4),
                         f"{len(claims)} claims against {len(req)} approved requests")
        else:
            self.keep("mdf.budget_per_period", "no approved MDF requests")
        self._pipeline_per_dollar(req)


    def _costs(self) -> None:
        costs = self.f.get("program_costs")
        if costs is None or not len(costs):
            for p in ("costs.manager_cost_per_month", "costs.overhead_per_month"):
                self.keep(p, "no program costs")
            return
        months = costs["month"].nunique()
        if months < MIN_COST_MONTHS:
            self.keep("costs.overhead_per_month", f"only {months} months of program costs")
            return
        by = costs.groupby("category")["amount"].sum() / months
        managers = self.changes.get("onboarding.managers", self.defaults.onboarding.managers)
        if by.get("people", 0) > 0:
            self.put("costs.manager_cost_per_month", round(float(by["people"]) / managers, 2),
                     f"people cost over {months} months / {managers} managers")
        if "enablement" in by:
            per_cert = self.defaults.costs.cost_per_certification
            certs = self.f.get("certifications")
            n_cert = 0 if certs is None else len(certs) / self.months
            fixed = max(0.0, float(by["enablement"]) - per_cert * n_cert)
            self.put("costs.enablement_per_month", round(fixed, 2),
                     f"enablement cost over {months} months less "
                     f"{per_cert:,.0f} per certification")
        if "overhead" in by:
            self.put("costs.overhead_per_month", round(float(by["overhead"]), 2),
                     f"overhead over {months} months")
            self.put("costs.overhead_per_partner_month", 0.0,
                     "overhead is taken as a fixed monthly amount")
        if by.get("recruitment", 0) > 0 and getattr(self, "signups", 0):
            total = float(by["recruitment"]) * months
            self.put("costs.recruitment_cost_per_partner", round(total / self.signups, 2),
                     f"recruitment cost over {months} months / {self.signups} sign-ups")
        else:
            self.keep("costs.recruitment_cost_per_partner", "no recruitment costs or sign-ups")
