"""The calibration's estimates that net out what the model adds again.

Part of :class:`simulation.calibrate._Calibrator` (a mixin: it uses the calibrator's
``program``, ``partners``, frames ``f``, ``exposure``, ``changes`` and ``put``/``keep``).
Each figure here is one the model would otherwise count twice: the win rate before the
certification and tier uplifts, each starting partner's registration rate before lead
sharing, the base registration rate before lead sharing and MDF and apart from the
partners' launch periods, churn bursts beyond Poisson, and MDF's pipeline per dollar within
partners (docs/simulation.md, "Calibration").
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import estimators as est
from .scenario import DAYS_PER_MONTH
from .state_at import certified_on

#: The launch factor is estimated from at least this many registrations in launch periods
#: and this many partner-months of them (twice as many after them).
MIN_LAUNCH_REGISTRATIONS = 20
MIN_LAUNCH_MONTHS = 12

if TYPE_CHECKING:
    from jbp.model import Partner

    from .calibrate import Estimate
    from .scenario import Scenario


class NetEstimates:
    """Estimates that undo what the model applies itself (see the module docstring)."""

    # The calibrator's state this mixin reads (set by ``_Calibrator``; start and end once
    # the window of the actuals is known).
    program: Any  # the workspace's program as of the date (jbp.model.Program)
    partners: list[Partner]
    f: dict[str, pd.DataFrame | None]
    exposure: dict[int, float]
    changes: dict[str, Any]
    defaults: Scenario
    items: list[Estimate]
    start: np.datetime64
    end: np.datetime64

    def put(self, path: str, value: Any, basis: str) -> None:
        """Record an estimate (the calibrator's)."""
        raise NotImplementedError

    def keep(self, path: str, why: str) -> None:
        """Keep the default, saying why (the calibrator's)."""
        raise NotImplementedError

    def _partner_dates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The partners' ids, activation and churn days as arrays (the calibrator's)."""
        raise NotImplementedError

    def _net_registrations(self) -> None:
        """The observed rate includes what lead sharing and MDF added; the scenario's rate is
        before them, so take them out: observed = base × (1 + lead share × uplift) + MDF."""
        observed = self.changes.get("deals.registrations_per_month")
        if observed is None:
            return
        sc = self.defaults
        tiers = {t.name: t for t in self.program.tiers}
        active = [p for p in self.partners if p.churned_on is None and p.activated_on]
        is_lead = np.array([bool(tiers.get(p.tier) and tiers[p.tier].lead_sharing)
                            for p in active], float)
        # Lead sharing multiplies each partner's own rate: weigh by productivity, since the
        # partners in lead-sharing tiers are the productive ones.
        prod = self.changes.get("recruitment.initial_productivity")
        weight = np.array(list(prod.values()), float) if prod and len(prod) == len(active) \
            else np.ones(len(active))
        lead = float(np.sum(weight * is_lead) / np.sum(weight)) if active else 0.0
        uplift = sc.tiers.lead_sharing_uplift
        budget = self.changes.get("mdf.budget_per_period", sc.mdf.budget_per_period)
        util = self.changes.get("mdf.utilisation", sc.mdf.utilisation)
        period = self.changes.get("mdf.period_months", sc.mdf.period_months)
        size = self.changes.get("deals.deal_size_mean", sc.deals.deal_size_mean)
        ppd = self.changes.get("mdf.pipeline_per_dollar", sc.mdf.pipeline_per_dollar)
        mdf_regs = budget * util / period * ppd / size
        mdf_per_partner = mdf_regs / max(1, len(active))
        base = max(0.0, (observed - mdf_per_partner) / (1.0 + lead * uplift))
        self.put("deals.registrations_per_month", round(base, 4),
                 f"observed {observed:.3f} per partner-month less what lead sharing "
                 f"({lead:.0%} of registrations, +{uplift:.0%}) and MDF "
                 f"({mdf_per_partner:.3f} per partner-month at {ppd:g} "
                 "pipeline per dollar) add")
        if "mdf.pipeline_per_dollar" not in self.changes:
            # The assumption's weight: the share of registrations it gives to MDF. The
            # baseline's totals do not move with it (the base rate absorbs it), but a
            # scenario that changes MDF by x% moves registrations by about share × x%.
            share = mdf_per_partner / observed if observed else 0.0
            item = next(e for e in self.items if e.path == "mdf.pipeline_per_dollar")
            item.basis += (f"; at {ppd:g} per dollar MDF makes {share:.0%} of registrations, "
                           f"so a scenario doubling MDF adds about {share:.0%} to registrations "
                           "and sourced bookings (0% at 0 per dollar)")
        # Keep one line per figure: the last put wins in the report.
        first = next(i for i, e in enumerate(self.items)
                     if e.path == "deals.registrations_per_month")
        basis = self.items[first].basis
        self.items.pop(first)
        self.items[-1].basis = f"{basis}; {self.items[-1].basis}"

    def _productivity(self, regs) -> None:
        """The starting partners' own registration rates relative to the average, net of
        the lead sharing their tier adds (the model adds it again), shrunk towards 1."""
        active = [p for p in self.partners if p.churned_on is None and p.activated_on]
        if not active:
            return
        lead = {t.name for t in self.program.tiers if t.lead_sharing}
        up = self.defaults.tiers.lead_sharing_uplift
        counts = regs["partner_id"].value_counts()
        n = np.array([counts.get(p.id, 0) / (1 + up * (p.tier in lead)) for p in active])
        e = np.array([self.exposure.get(p.id, 0.0) if p.id is not None else 0.0
                      for p in active])
        m, var = est.shrunk_productivity(n, e)
        self.put("recruitment.initial_productivity",
                 {str(i): round(float(x), 4) for i, x in enumerate(m)},
                 f"registrations of each of {len(active)} starting partners over its "
                 f"active months, shrunk towards 1 (variance of true rates {var:.2f})")
        if var > 0:
            self.put("recruitment.productivity_sigma",
                     round(min(3.0, math.sqrt(math.log1p(var))), 4),
                     "spread of the starting partners' registration rates (lognormal)")

    def _win_rate(self, decided) -> None:
        """The base win probability net of the uplifts the model applies again: a partner
        certified on the registration date wins ×(1 + certified uplift), one in a
        priority-support tier ×(1 + priority uplift) (maximum likelihood, see
        :func:`simulation.estimators.net_win_rate`)."""
        sc = self.defaults
        pids = decided["partner_id"].to_numpy()
        cert = certified_on(self.f, pids, decided["reg_date"].to_numpy())
        prio_tiers = {t.name for t in self.program.tiers if t.priority_support}
        tier_of = {p.id: p.tier for p in self.partners}
        prio = np.array([tier_of.get(int(i)) in prio_tiers for i in pids])
        factor = (1 + sc.enablement.certified_win_uplift * cert) \
            * (1 + sc.tiers.priority_support_win_uplift * prio)
        won = (decided["status"] == "won").to_numpy()
        launch = self._in_launch(pids, decided["reg_date"].to_numpy())
        name = "deals.new_partner_win_factor"
        net_of = ""
        if launch.sum() >= MIN_LAUNCH_REGISTRATIONS and (~launch).sum() >= MIN_LAUNCH_REGISTRATIONS:
            fit, lf = est.net_win_rate_launch(won, factor, launch)
            self.put(name, round(lf.value, 3),
                     f"{int(launch.sum()):,} decided registrations made in their partners' "
                     f"launch periods ({won[launch].mean():.1%} won) against "
                     f"{int((~launch).sum()):,} after ({won[~launch].mean():.1%}), jointly with "
                     f"the base win probability; 95% CI {lf.low:.2f}–{lf.high:.2f}")
            net_of = f", and of the launch factor of {launch.mean():.0%} made in launch periods"
        else:
            fit = est.net_win_rate(won, factor)
            self.keep(name, f"only {int(launch.sum())} decided registrations made in partners' "
                            "launch periods")
        self.put("deals.win_probability", round(fit.value, 4),
                 f"{len(decided):,} registrations decided won or lost ({won.mean():.1%} won), "
                 f"net of the uplifts of {cert.mean():.0%} certified and {prio.mean():.0%} "
                 f"priority-support registrations{net_of}; 95% CI "
                 f"{fit.low:.3f}-{fit.high:.3f}")
        if fit.value > 0:
            self.put("deals.win_probability_cv",
                     round((fit.high - fit.low) / 3.92 / fit.value, 4),
                     "standard error of the base win probability over its value")

    def _churn_bursts(self, churned) -> None:
        """Bursts: the month-to-month variance of churn counts beyond Poisson."""
        months = np.arange(self.start.astype("datetime64[M]"),
                           self.end.astype("datetime64[M]") + 1)
        if len(months) < 6 or not churned:
            self.keep("churn.burst_dispersion", "too few months or churned partners")
            return
        left = np.array([np.datetime64(p.churned_on, "M") for p in churned])
        counts = np.array([(left == m).sum() for m in months], float)
        _ids, act, gone = self._partner_dates()
        act_m, gone_m = act.astype("datetime64[M]"), gone.astype("datetime64[M]")
        exposed = np.array([np.count_nonzero(~np.isnat(act_m) & (act_m < m)
                                             & (np.isnat(gone_m) | (gone_m >= m)))
                            for m in months], float)
        _, k = est.churn_dispersion(counts, exposed)
        self.put("churn.burst_dispersion", round(min(20.0, k.value), 3),
                 f"monthly churn counts (at most {int(counts.max())} in a month) against "
                 f"Poisson, negative binomial by moments; 95% CI {k.low:.2f}-{k.high:.2f}")

    def _pipeline_per_dollar(self, req) -> None:
        """Pipeline per unit of MDF, within partners: registrations in quarters with
        approved MDF against the same partner's quarters without (see
        :func:`simulation.estimators.mdf_pipeline_per_dollar`). Used when its 95% CI is
        narrower than the default; otherwise the default stays, flagged as an assumption
        with the share of registrations it attributes to MDF (the baseline's sensitivity)."""
        regs = self.f.get("registrations")
        default = self.defaults.mdf.pipeline_per_dollar
        size = self.changes.get("deals.deal_size_mean", self.defaults.deals.deal_size_mean)
        q = lambda d: (np.datetime64(d, "M").astype(int)) // 3  # noqa: E731
        # Whole quarters only: a partial first quarter has fewer registrations whatever MDF
        # did (the last one is left out below for the same reason).
        q0, q1 = q(self.start), q(self.end)
        first_month = self.start.astype("datetime64[M]")
        if first_month.astype(int) % 3 or self.start.astype("datetime64[D]") != first_month:
            q0 += 1
        rows = []
        if regs is not None and len(regs):
            reg_q = regs["reg_date"].to_numpy().astype("datetime64[M]").astype(int) // 3
            req_q = req["mdf_date"].to_numpy().astype("datetime64[M]").astype(int) // 3
            # Counted per (partner, quarter) in one grouping each, then looked up: not a
            # scan of both tables per partner-quarter (quadratic in the partners).
            n_by = pd.Series(1, index=pd.MultiIndex.from_arrays(
                [regs["partner_id"].to_numpy(), reg_q])).groupby(level=[0, 1]).sum().to_dict()
            spend_by = pd.Series(req["amount"].to_numpy(float), index=pd.MultiIndex.from_arrays(
                [req["partner_id"].to_numpy(), req_q])).groupby(level=[0, 1]).sum().to_dict()
            for p in self.partners:
                if not p.activated_on:
                    continue
                a = q(p.activated_on) + 1
                b = q(p.churned_on) - 1 if p.churned_on else q1 - 1
                for k in range(max(a, q0), b + 1):
                    rows.append((p.id, int(n_by.get((p.id, k), 0)),
                                 float(spend_by.get((p.id, k), 0.0))))
        fit = est.Fit(math.nan, math.nan, math.nan, 0)
        if rows:
            pid, n, spend = (np.array(x) for x in zip(*rows, strict=True))
            fit = est.mdf_pipeline_per_dollar(n, spend, pid, size)
        if fit.n >= 8 and math.isfinite(fit.value) and fit.high - fit.low < default:
            self.put("mdf.pipeline_per_dollar", round(max(0.0, fit.value), 3),
                     f"registrations in {fit.n} partner-quarters with MDF against the same "
                     f"partners' quarters without; 95% CI {fit.low:.2f}-{fit.high:.2f}")
            return
        why = ("no partner-quarters with and without MDF to compare" if not fit.n else
               f"{fit.n} partner-quarters with MDF give {fit.value:.2f} (95% CI "
               f"{fit.low:.2f}-{fit.high:.2f}), too wide")
        self.keep("mdf.pipeline_per_dollar", f"ASSUMPTION: {why}")
    def _in_launch(self, pids: np.ndarray, dates: np.ndarray) -> np.ndarray:
        """Whether each (partner, date) falls in the partner's launch period: its first
        ``deals.new_partner_months`` months after activation."""
        months = self.defaults.deals.new_partner_months
        if months <= 0 or not len(pids):
            return np.zeros(len(pids), bool)
        ids, act, _gone = self._partner_dates()
        span = np.timedelta64(round(months * DAYS_PER_MONTH), "D")
        start = pd.Series(act, index=ids).reindex(pids).to_numpy("datetime64[D]")
        d = dates.astype("datetime64[D]")
        return ~np.isnat(start) & (d >= start) & (d < start + span)

    def _launch_factor(self, inside: pd.DataFrame, pm: float) -> tuple[int, float] | None:
        """A partner's registration rate in its launch period (its first
        ``deals.new_partner_months`` months of activity) relative to its own rate after it,
        from the partners whose data hold both (:func:`estimators.rate_ratio_within`: each
        partner against itself, so the productive partners of the high tiers do not pass
        for a launch effect). Returns the registrations and partner-months of every launch
        period inside the data (taken out of the base rate), or None when it is kept at 1."""
        months = self.defaults.deals.new_partner_months
        name = "deals.new_partner_registration_factor"
        if months <= 0:
            self.keep(name, "no launch period (deals.new_partner_months is 0)")
            return None
        ids, act, gone = self._partner_dates()
        s = self.start.astype("datetime64[D]")
        e = self.end.astype("datetime64[D]")
        day = np.timedelta64(1, "D")
        span = np.timedelta64(round(months * DAYS_PER_MONTH), "D")
        stop = np.where(np.isnat(gone), e, np.minimum(gone, e))
        a, b = np.maximum(act, s), np.minimum(act + span, stop)  # the launch inside the data
        ok = ~np.isnat(act)
        launch_m = np.where(ok & (b > a), (b - a) / day, 0.0) / DAYS_PER_MONTH
        after_m = np.where(ok & (stop > act + span),
                           (stop - np.maximum(act + span, s)) / day, 0.0) / DAYS_PER_MONTH
        window = pd.DataFrame({"a": a, "b": b}, index=pd.Index(ids, name="pid"))
        w = window.reindex(inside["partner_id"].to_numpy())
        dates = inside["reg_date"].to_numpy().astype("datetime64[D]")
        in_launch = (dates >= w["a"].to_numpy("datetime64[D]")) \
            & (dates < w["b"].to_numpy("datetime64[D]"))
        pid_l = pd.Series(inside["partner_id"].to_numpy()[in_launch]).value_counts()
        later = (dates >= w["b"].to_numpy("datetime64[D]"))
        pid_o = pd.Series(inside["partner_id"].to_numpy()[later]).value_counts()
        n_l = pid_l.reindex(ids).fillna(0).to_numpy(float)
        n_o = pid_o.reindex(ids).fillna(0).to_numpy(float)
        both = (launch_m > 0) & (after_m > 0)
        total_l, exposure_l = int(in_launch.sum()), float(launch_m.sum())
        if n_l[both].sum() < MIN_LAUNCH_REGISTRATIONS or launch_m[both].sum() < MIN_LAUNCH_MONTHS:
            self.keep(name, f"only {int(n_l[both].sum())} registrations over "
                            f"{launch_m[both].sum():.0f} partner-months in the launch periods "
                            "of partners also seen after theirs")
            return None
        fit = est.rate_ratio_within(n_l, launch_m, n_o, after_m)
        self.put(name, round(fit.value, 3),
                 f"{fit.n} partners seen in their first {months} months of activity and after: "
                 f"{int(n_l[both].sum()):,} registrations over {launch_m[both].sum():,.0f} "
                 f"partner-months in them, {int(n_o[both].sum()):,} over "
                 f"{after_m[both].sum():,.0f} after, each partner against itself (95% CI "
                 f"{fit.low:.2f}–{fit.high:.2f})")
        return total_l, exposure_l
