"""Setting up a batch of the model: arrays, each replication's partners and pre-drawn
numbers, and the starting state (tiers, trailing history, open deals).

Part of :class:`simulation.model.ProgramModel` (a mixin: the methods use its attributes);
see that module for the shape of the model.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .estimators import gamma_pmf_months
from .model_state import ModelState
from .scenario import DAYS_PER_MONTH

if TYPE_CHECKING:
    from .model import Replication


def cycle_months(mean: float, shape: float) -> int:
    """Months a gamma sales cycle's ring covers: up to its 99.9th percentile (2 to 60)."""
    from scipy import stats

    q = stats.gamma.ppf(0.999, shape, scale=max(mean, 1e-9) / shape)
    return int(min(60, max(2, math.ceil(q) + 1)))


def _lognormal_mu(mean: float, sigma: float) -> float:
    """``mu`` of a lognormal with the given mean and log-scale sigma."""
    return math.log(mean) - 0.5 * sigma * sigma


def _monthly_poisson(rng: np.random.Generator, lam: np.ndarray, months: int) -> np.ndarray:
    """Independent Poisson counts (months × partners) with mean ``lam[i]`` for partner ``i``
    in every month: each partner's total over the months (Poisson with mean ``lam[i]`` ×
    months), spread uniformly over the months — the same distribution, at a fraction of
    the cost of one Poisson draw per partner-month."""
    n = len(lam)
    total = rng.poisson(lam * months)
    who = np.repeat(np.arange(n, dtype=np.int32), total)
    cell = rng.integers(0, months, len(who), dtype=np.int16).astype(np.int32)
    cell *= n
    cell += who
    return np.bincount(cell, minlength=months * n).reshape(months, n)


def _sparse_events(rng: np.random.Generator, lam: np.ndarray | float, partners: int,
                   months: int) -> tuple[np.ndarray, np.ndarray]:
    """Events of independent Poisson streams with mean ``lam[i]`` (or ``lam`` for all) for
    each of ``partners`` partners in every month, over ``months`` months, drawn at the cost
    of the events: the month (int16) and the partner of each event."""
    total = (float(np.sum(lam)) if np.ndim(lam) else lam * partners) * months
    k = int(rng.poisson(total)) if total > 0 else 0
    if not k:
        return np.zeros(0, np.int16), np.zeros(0, np.int64)
    if np.ndim(lam):
        c = np.cumsum(lam)
        who = np.minimum(np.searchsorted(c, rng.random(k) * c[-1], side="right"), partners - 1)
    else:
        who = rng.integers(0, partners, k)
    return rng.integers(0, months, k, dtype=np.int16), who


def _by_month(when: list[np.ndarray], *values: list[np.ndarray], months: int) -> tuple:
    """Events of all replications in one list sorted by month (stable: a replication's events
    keep their order): the offsets of each month (``off[m]:off[m + 1]``), then each value
    array in that order."""
    w = np.concatenate(when)
    order = np.argsort(w, kind="stable")
    off = np.searchsorted(w[order], np.arange(months + 1)).tolist()
    return (off, *(np.concatenate(v)[order] for v in values))


def _residual(distribution: str, mean: float, sigma: float, elapsed: np.ndarray,
              z: np.ndarray, dur: np.ndarray) -> np.ndarray:
    """The rest of an onboarding that has lasted ``elapsed`` days: drawn from the duration's
    distribution conditional on exceeding ``elapsed`` (by the same normal ``z`` as the
    unconditional draw). Exponential durations are memoryless (``dur`` stays)."""
    if distribution == "fixed":
        return np.maximum(0.0, mean - elapsed)
    if distribution == "exponential":
        return dur
    from scipy import special

    mu = _lognormal_mu(mean, sigma)
    if sigma <= 0:
        return np.maximum(0.0, mean - elapsed)
    done = special.ndtr((np.log(np.maximum(elapsed, 1e-9)) - mu) / sigma)
    u = done + special.ndtr(z) * (1.0 - done)
    u = np.minimum(u, 1.0 - 1e-12)
    return np.maximum(0.0, np.exp(mu + sigma * special.ndtri(u)) - elapsed)


def _drawn(events: tuple[np.ndarray, ...] | None) -> tuple[np.ndarray, ...]:
    """A replication's pre-drawn events (or history), which ``_init_replication`` sets before
    the batch merges them in ``_init_events``."""
    assert events is not None, "the replication was not initialised"
    return events


class ModelSetup(ModelState):
    """The set-up half of :class:`simulation.model.ProgramModel`."""

    def _allocate_arrays(self) -> None:
        B, W, H = self.B, self.W, self.H
        d = self.sc.deals
        self.own_lam = np.zeros((B, W))  # own registrations per month
        self.active = np.zeros((B, W), bool)  # active (not waiting, onboarding, churned)
        # Per recruit, written by the SimPy callbacks (plain lists: cheaper there): sign-up
        # and manager granted (days).
        self.signup_t = [[math.nan] * r.N for r in self.reps]
        self.start_t = [[math.nan] * r.N for r in self.reps]
        self.act_t = np.full((B, W), np.inf)  # became active (days)
        self.act_m = np.full((B, W), -1, np.int64)  # month of activation (recruits)
        self.first_m = np.full((B, W), -1, np.int64)  # month of the first won deal
        self.awaiting = np.zeros((B, W), bool)  # active recruits without a won deal yet
        self.exposure = np.ones((B, W))  # share of this month a partner was active
        self.tier = np.zeros((B, W), np.int16)
        self.certs = np.zeros((B, W))
        # Trailing 12 months of sourced bookings (row 0) and won deals (row 1) per partner,
        # kept as running sums; what each month added is kept as events (partner, amount)
        # and taken off twelve months later.
        self.t12 = np.zeros((2, B, W))
        self.t12_events = [None] * 12
        # Month of the last registration seen by event (activation, conflict, tier or MDF
        # registration); the partner's own accepted registrations are read from
        # pre_accepted when its inactivity is checked.
        self.last_reg = np.zeros((B, W))
        self.last_conflict = np.full((B, W), -1e9)
        self.mdf_alloc = np.zeros((B, W))
        self.alloc_total = np.zeros(B)
        self.geometric = d.sales_cycle_distribution == "geometric"
        self.L = 0 if self.geometric else round(d.sales_cycle_months)
        # A gamma sales cycle: the probability of closing k whole months after the month of
        # registration (k = 0 .. L-1, the far tail in the last); the ring holds, for each
        # coming month, the deals that will close in it.
        self.cycle_pmf = self.cycle_cdf = None
        if d.sales_cycle_distribution == "gamma":
            self.L = cycle_months(d.sales_cycle_months, d.sales_cycle_shape)
            self.cycle_pmf = gamma_pmf_months(d.sales_cycle_months, d.sales_cycle_shape, self.L)
            self.cycle_cdf = np.cumsum(self.cycle_pmf)
            self.cycle_cdf[-1] = np.inf
        # Open deals by month opened: a ring of L arrays of replications × partners.
        self.pipe = [np.zeros((B, W), np.int64) for _ in range(max(self.L, 1))]
        self.open = np.zeros((B, W), np.int64)  # geometric cycle: open deals per partner
        self.pre_accepted = np.zeros((H, B, W), np.int32)
        # Customers: 12 anniversary cohorts (m % 12) of sourced ARR, influenced ARR, and the
        # margins and rebates paid on the sourced ARR; customers sourced and influenced.
        self.cohort_arr = np.zeros((B, 4, 12))
        self.cohort_cust = np.zeros((B, 2, 12), np.int64)
        # Flat views (replication-major) for indexing by b * W + i.
        for name in ("active", "act_t", "act_m", "first_m", "awaiting", "exposure", "tier",
                     "certs", "last_reg", "last_conflict", "mdf_alloc", "open", "own_lam"):
            setattr(self, name + "_f", getattr(self, name).reshape(-1))
        self.t12_rev_f = self.t12[0].reshape(-1)
        self.t12_logos_f = self.t12[1].reshape(-1)
        self.pre_f = self.pre_accepted.reshape(H, -1)
        self._arange_f = np.arange(B * W)
        self.n_admitted = [0] * B
        self.n_started = [0] * B
        self.n_activated = np.zeros(B, np.int64)
        self.n_churned = np.zeros(B, np.int64)
        self.due = []  # heap of (activation day, flat partner)
        self.pending_first = 0  # active recruits still without a first won deal
        self.thinned = None  # partners activated this month (flat)
        self.duration: list[list[float]] = []
        self.hold: list[list[float]] = []

    def _init_replication(self, b: int, rep: Replication) -> None:
        sc, rng, H, N = self.sc, rep.rng, self.H, rep.N
        rec = sc.recruitment
        n0 = rec.initial_partners
        # Partner attributes: IPP fit and productivity heterogeneity (mean 1).
        pr = rng["partners"]
        fit_u = pr.random(N)
        het = pr.lognormal(-0.5 * rec.productivity_sigma ** 2, rec.productivity_sigma, N)
        ipp_fit = fit_u < rec.ipp_fit_share
        # Normalised so that the average partner of the IPP mix registers at the base rate.
        k, share = rec.ipp_productivity, rec.ipp_fit_share
        norm = 1.0 / (1.0 - share + share * k) if (1.0 - share + share * k) > 0 else 1.0
        prod = het * np.where(ipp_fit, k * norm, norm)
        if len(rec.initial_productivity) == n0 and n0:
            # The starting cohort's own productivities (the workspace's partners).
            prod[:n0] = np.array(list(rec.initial_productivity.values()), float)
        tier_u = pr.random(n0)

        # Onboarding durations (days) and manager holding times, drawn up front so variants
        # that change only the mean scale the same underlying numbers.
        ob = sc.onboarding
        u = rng["onboarding"].random(N)
        z = rng["onboarding"].standard_normal(N)
        mean = ob.effective_mean_days
        if ob.distribution == "fixed":
            dur = np.full(N, mean)
        elif ob.distribution == "exponential":
            dur = -mean * np.log1p(-u)
        else:
            dur = np.exp(_lognormal_mu(mean, ob.sigma) + ob.sigma * z)
        elapsed = rec.initial_onboarding_elapsed_days
        nq = rec.initial_onboarding
        if nq and len(elapsed) == nq:
            # The recruits onboarding at month 0 have been at it for a while: the rest of
            # their onboarding is the duration's residual beyond what has elapsed.
            e = np.array(list(elapsed.values()), float)
            dur[n0:n0 + nq] = _residual(ob.distribution, mean, ob.sigma, e, z[n0:n0 + nq],
                                        dur[n0:n0 + nq])
        self.duration.append(dur.tolist())
        self.hold.append((dur * ob.effective_manager_share).tolist())

        # Starting cohort: active from day 0; tiers by the mix, the most productive partners
        # holding the highest tiers; trailing history set inside the tier's band.
        if n0:
            self.active[b, :n0] = True
            self._starting_history(b, n0)
            names = sc.tiers.names()
            mix = rec.initial_tier_mix or {names[0]: 1.0}
            shares = np.array([mix.get(nm, 0.0) for nm in names])
            counts = np.floor(shares * n0).astype(int)
            rest = n0 - counts.sum()
            if rest:
                order = np.argsort(-(shares * n0 - counts), kind="stable")
                counts[order[:rest]] += 1
            # The workspace's trailing bookings, when given, rank the partners for the mix
            # and are their history; else productivity ranks them and the history is drawn
            # inside the tier's band.
            given = rec.initial_trailing_bookings
            known = len(given) == n0
            booked = np.array(list(given.values()), float) if known else prod[:n0]
            by_prod = np.argsort(booked, kind="stable")
            tier = np.zeros(n0, np.int16)
            tier[by_prod] = np.repeat(np.arange(self.K), counts)
            self.tier[b, :n0] = tier
            lo = self.t_min_rev[tier]
            hi = np.where(tier + 1 < self.K, self.t_min_rev[np.minimum(tier + 1, self.K - 1)],
                          lo * 1.5)
            t12 = booked if known else lo + tier_u * (hi - lo)
            self.t12[0, b, :n0] = t12
            logos = self.t_min_logo[tier]
            self.t12[1, b, :n0] = logos
            # The history months: a twelfth of the revenue each, the logos spread evenly.
            rows = np.arange(12)[:, None]
            rep.history = (t12 / 12, np.floor(logos / 12) + (rows < logos % 12))
            if sc.enablement.initial_certifications:
                self.certs[b, :n0] = self.t_min_cert[tier]
        d = sc.deals
        if n0 and (d.initial_open_by_age or (d.initial_pipeline
                                             and self.cycle_pmf is not None)):
            lam = prod[:n0] * d.registrations_per_month * (1 - d.conflict_probability) \
                * (1 + sc.tiers.lead_sharing_uplift * self.t_lead[self.tier[b, :n0]])
            self._initial_open(b, lam, rng["pipeline"])
        elif n0 and d.initial_pipeline:
            lam = prod[:n0] * d.registrations_per_month * (1 - d.conflict_probability) \
                * (1 + sc.tiers.lead_sharing_uplift * self.t_lead[self.tier[b, :n0]])
            if self.geometric:
                self.open[b, :n0] = rng["pipeline"].poisson(lam * max(d.sales_cycle_months, 1.0))
            elif self.L:
                pipe = rng["pipeline"].poisson(lam, (self.L, n0))
                for j in range(self.L):
                    self.pipe[j][b, :n0] = pipe[j]

        # Per partner-month draws that do not depend on the program, made up front, so
        # variants of a scenario see the same numbers for the same partner-month.
        pc = d.conflict_probability
        own = prod * d.registrations_per_month * rep.reg_factor
        self.own_lam[b, :N] = own
        self.pre_accepted[:, b, :N] = _monthly_poisson(rng["registrations"], own * (1.0 - pc), H)
        # Conflicts and certifications are rare per partner-month: kept as events.
        rep.conf = _sparse_events(rng["conflicts"], own * pc, N, H)
        rep.certs = _sparse_events(rng["certifications"], sc.enablement.certification_rate,
                                   N, H)
        # Churn: one uniform per partner-month; only those below the largest possible churn
        # probability can ever leave, so keep just those candidates.
        # With bursts, month m's hazards are all multiplied by a gamma factor of mean 1.
        # Drawn a year at a time, so memory stays that of a year of partners.
        k, cv = sc.churn.burst_dispersion, sc.churn.hazard_cv
        if k > 0 or cv > 0:
            bursts = rng["churn_bursts"]
            if k > 0:
                self.burst[b] = bursts.gamma(1.0 / k, k, H)
            if cv > 0:  # the hazard itself uncertain: one gamma factor per replication
                shape = 1.0 / cv ** 2
                self.burst[b] *= bursts.gamma(shape, 1.0 / shape)
            p_max = -np.expm1(-self.churn_rate_max * self.burst[b])
        else:
            p_max = np.full(H, self.churn_p_max)
        parts = []
        for m0 in range(0, H, 12):
            u = rng["churn"].random((min(12, H - m0), N))
            below = u < p_max[m0:m0 + 12, None]
            months, who = np.nonzero(below)
            parts.append((months.astype(np.int16) + m0, who, u[below]))
        rep.churn = tuple(np.concatenate(x) for x in zip(*parts, strict=True))

    def _starting_history(self, b: int, n0: int) -> None:
        """The starting cohort's churn drivers as they stood at month 0: how long each has
        been active (seasoned or not), the month of its last registration (inactive or not)
        and of its last conflict, when the scenario gives them (the workspace's partners);
        else each became active a month ago and registered in month 0. A value of ``x``
        months ago falls in model month ``-max(1, ceil(x))``."""
        rec = self.sc.recruitment

        def months_ago(given: dict, default: float) -> np.ndarray:
            if len(given) != n0:
                return np.full(n0, default)
            x = np.array(list(given.values()), float)
            return -np.maximum(1.0, np.ceil(x - 1e-9))

        self.act_t[b, :n0] = months_ago(rec.initial_tenure_months, -1.0) * DAYS_PER_MONTH
        self.last_reg[b, :n0] = months_ago(rec.initial_idle_months, 0.0)
        for key, age in rec.initial_conflict_age.items():
            i = int(float(key))
            if 0 <= i < n0:
                self.last_conflict[b, i] = -max(1.0, math.ceil(float(age) - 1e-9))

    def _initial_open(self, b: int, lam: np.ndarray, rng: np.random.Generator) -> None:
        """The starting pipeline: open deals of the starting cohort and the month each will
        close in. Given by age (``deals.initial_open_by_age``: deals registered ``a`` whole
        months ago, placed on partners in proportion to their rate ``lam``), or else the
        steady state of a gamma cycle (Poisson ``lam`` × P(cycle > a) deals of each age).
        A deal of age ``a`` closes ``k`` months from now with probability ∝ pmf[a + k]."""
        d = self.sc.deals
        n0 = len(lam)
        pmf = self.cycle_pmf
        if pmf is None:  # fixed cycle: every deal closes L months after its month
            pmf = np.zeros(max(self.L, 1) + 1)
            pmf[-1] = 1.0
        L = len(pmf)
        if d.initial_open_by_age:
            ages = np.array([int(float(a)) for a in d.initial_open_by_age], np.int64)
            counts = np.array(list(d.initial_open_by_age.values()), float).astype(np.int64)
            age = np.repeat(ages, counts)
            owner = rng.choice(n0, len(age), p=lam / lam.sum()) if lam.sum() > 0 \
                else rng.integers(0, n0, len(age))
        else:
            surv = 1.0 - np.cumsum(pmf)  # P(closes after month a)
            per = rng.poisson(lam[None, :] * surv[:, None])  # ages × partners
            age, owner = np.nonzero(per)
            age, owner = np.repeat(age, per[age, owner]), np.repeat(owner, per[age, owner])
        if not len(age):
            return
        # Residual cycle: closes k months from now with probability ∝ pmf[a + 1 + k].
        tail = np.concatenate((pmf, [0.0]))
        delay = np.zeros(len(age), np.int64)
        u = rng.random(len(age))
        for a in np.unique(age).tolist():
            sel = age == a
            rest = tail[min(a + 1, L):L]
            if rest.sum() <= 0:
                continue  # overdue: closes this month
            cdf = np.cumsum(rest / rest.sum())
            cdf[-1] = np.inf
            delay[sel] = cdf.searchsorted(u[sel], "right")
        if self.geometric:
            np.add.at(self.open[b], owner, 1)
            return
        if self.L == 0:
            return
        for k in np.unique(delay).tolist():
            np.add.at(self.pipe[k % self.L][b], owner[delay == k], 1)

    def _init_events(self) -> None:
        """Merge the replications' pre-drawn events into month-sorted lists of flat indices,
        and the starting cohort's trailing history into the first twelve months' events."""
        W, H = self.W, self.H
        base = [b * W for b in range(self.B)]
        conf = [_drawn(r.conf) for r in self.reps]
        certs = [_drawn(r.certs) for r in self.reps]
        churn = [_drawn(r.churn) for r in self.reps]
        self.conf_off, self.conf_f = _by_month(
            [c[0] for c in conf], [c[1] + o for c, o in zip(conf, base, strict=True)],
            months=H)
        self.cert_off, self.cert_f = _by_month(
            [c[0] for c in certs], [c[1] + o for c, o in zip(certs, base, strict=True)],
            months=H)
        self.churn_off, self.churn_f, self.churn_u = _by_month(
            [c[0] for c in churn], [c[1] + o for c, o in zip(churn, base, strict=True)],
            [c[2] for c in churn], months=H)
        self.conf_f = self.conf_f.astype(np.int64)
        self.cert_f = self.cert_f.astype(np.int64)
        self.churn_f = self.churn_f.astype(np.int64)
        n0 = self.sc.recruitment.initial_partners
        if n0:
            who = (np.arange(n0) + np.array(base)[:, None]).reshape(-1)
            rev = np.concatenate([_drawn(r.history)[0] for r in self.reps])
            logos = np.concatenate([_drawn(r.history)[1] for r in self.reps], axis=1)
            for s in range(12):
                self.t12_events[s] = (who, rev, logos[s])
        for r in self.reps:
            r.conf = r.certs = r.churn = r.history = None
