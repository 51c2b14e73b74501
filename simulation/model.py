"""The partner-program model: one replication of a :class:`~simulation.scenario.Scenario`.

Shape (DESIGN.md section 6): SimPy processes for what truly queues or waits, and one monthly
process that advances every partner at once with vectorised numpy draws.

- ``_arrivals``: the Poisson stream of recruits (times drawn up front). Each recruit's
  onboarding is a chain of SimPy events: it requests a partner manager (a ``simpy.Resource``
  with ``onboarding.managers`` places), holds one for its share of the onboarding time and
  releases it. The rest of the onboarding is self-paced and waits on nobody, so the moment
  the recruit becomes active is known when its manager is granted (start + duration); the
  monthly step activates the recruits whose moment fell in the month.
- ``_months``: at the end of each month, one vectorised step over arrays indexed by partner:
  activations, registrations (Poisson), conflicts, the open-deal pipeline (a ring buffer of
  registration months × partners), wins (binomial per partner), deal sizes (lognormal, one
  draw per won deal), customers' ARR as 12 anniversary cohorts that renew or churn
  (binomial), certifications, partner churn (a hazard per partner), costs. It then fires
  ``month_closed``.
- ``_tier_review``: a control process woken by ``month_closed``; every ``tiers.review_months``
  it asks the scenario's tier policy for each active partner's tier.
- ``_mdf_periods``: the MDF fund is a ``simpy.Container``; at each period start the budget is
  put in and allocated by the scenario's allocation policy; partners claim from it monthly;
  what is left lapses (or carries over) at the period end.

Cost: per-event Python is spent only on what queues (three SimPy events per recruit); the
monthly step is a fixed number of numpy calls over arrays of partners, and the per-recruit
statistics (waits, days to active, days to first revenue) are kept as per-partner times and
turned into monthly sums once, at the end of the run.

Time: the SimPy clock is in days; a month is ``DAYS_PER_MONTH`` days. Money is in the
scenario currency. Memory is O(partners × months), independent of the number of events.

Randomness: every stream (arrivals, onboarding durations, registrations, ...) has its own
``numpy.random.Generator`` spawned in a fixed order from the replication's ``SeedSequence``,
so two scenarios run with the same seed consume the same streams (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np
import simpy

from .policies import highest_met_tier, mdf_policy, tier_policy
from .scenario import DAYS_PER_MONTH, Scenario

#: Random streams, spawned in this order from each replication's seed. Append new streams at
#: the end so that existing ones keep their numbers.
STREAMS = ("arrivals", "partners", "onboarding", "registrations", "extra_registrations",
           "conflicts", "pipeline", "wins", "sizes", "influenced", "certifications", "churn",
           "renewals")

#: Monthly series recorded per replication (name → unit). Flows are per month, stocks at the
#: end of the month.
MONTHLY = {
    "recruits": "partners",
    "partners_waiting": "partners",
    "partners_onboarding": "partners",
    "partners_active": "partners",
    "partners_churned": "partners",
    "churned": "partners",
    "activations": "partners",
    "days_to_active_sum": "days",
    "onboarding_starts": "partners",
    "onboarding_wait_sum": "days",
    "first_revenues": "partners",
    "days_to_first_revenue_sum": "days",
    "registrations": "registrations",
    "mdf_registrations": "registrations",
    "conflicts": "registrations",
    "open_deals": "deals",
    "wins": "deals",
    "sourced_bookings": "currency",
    "influenced_deals": "deals",
    "influenced_bookings": "currency",
    "sourced_revenue": "currency",
    "influenced_revenue": "currency",
    "arr_sourced": "currency",
    "arr_influenced": "currency",
    "customers": "customers",
    "margins": "currency",
    "rebates": "currency",
    "certifications": "certifications",
    "mdf_budget": "currency",
    "mdf_spent": "currency",
    "mdf_lapsed": "currency",
    "cost_people": "currency",
    "cost_enablement": "currency",
    "cost_overhead": "currency",
    "cost_recruitment": "currency",
    "conflict_cost": "currency",
}

#: Series the monthly step writes, in the order of its row of values (the others are filled
#: from per-partner times at the end of the run, or by the MDF process).
_STEP_SERIES = (
    "partners_waiting", "partners_onboarding", "partners_active", "partners_churned",
    "churned", "registrations", "mdf_registrations", "conflicts", "open_deals", "wins",
    "sourced_bookings", "influenced_deals", "influenced_bookings", "sourced_revenue",
    "influenced_revenue", "arr_sourced", "arr_influenced", "customers", "margins", "rebates",
    "certifications", "mdf_spent", "cost_people", "cost_enablement", "cost_overhead",
    "conflict_cost")

#: Width of the bins of the days-to-first-revenue and days-to-active histograms (days).
HIST_BIN_DAYS = 15.0


def hist_bins(horizon_months: int) -> int:
    return math.ceil(horizon_months * DAYS_PER_MONTH / HIST_BIN_DAYS) + 1


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
    who = np.repeat(np.arange(n), total)
    when = rng.integers(0, months, len(who))
    return np.bincount(when * n + who, minlength=months * n).reshape(months, n)


def _poisson_events(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray | None:
    """Events of independent Poisson streams with means ``lam`` (one per partner), as the
    partner index of each event; None when there are none. Drawn as one
    Poisson total placed on partners with probability ``lam / lam.sum()`` (the same
    distribution), so the cost is that of the events, not of the partners."""
    n = len(lam)
    if n == 0:
        return None
    c = np.cumsum(lam)
    total = c[-1]
    k = int(rng.poisson(total)) if total > 0 else 0
    if k == 0:
        return None
    return np.minimum(np.searchsorted(c, rng.random(k) * total, side="right"), n - 1)


def _sparse_events(rng: np.random.Generator, lam: np.ndarray,
                   months: int) -> tuple[np.ndarray, list[int]]:
    """Events of independent Poisson streams with mean ``lam[i]`` for partner ``i`` in every
    month, over ``months`` months, drawn at the cost of the events: the partner of each
    event, sorted by month, and the offsets of each month's events (``who[off[m]:off[m + 1]]``
    happen in month ``m``)."""
    n = len(lam)
    total = float(lam.sum()) * months
    k = int(rng.poisson(total)) if total > 0 else 0
    if not k:
        return np.zeros(0, np.int64), [0] * (months + 1)
    c = np.cumsum(lam)
    who = np.minimum(np.searchsorted(c, rng.random(k) * c[-1], side="right"), n - 1)
    when = rng.integers(0, months, k)
    order = np.argsort(when, kind="stable")
    return who[order], np.searchsorted(when[order], np.arange(months + 1)).tolist()


class Cancelled(Exception):
    """Raised inside a run when its state asks for cancellation."""


class ProgramModel:
    """One replication. ``run()`` returns a dict of monthly arrays (see :data:`MONTHLY`),
    ``tier_counts`` (months × tiers), and the two histograms."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence):
        self.sc = sc = scenario
        self.H = H = sc.horizon_months
        self.rng = dict(zip(STREAMS, (np.random.Generator(np.random.PCG64(s))
                                      for s in seed.spawn(len(STREAMS))), strict=True))
        self.env = simpy.Environment()
        self.out = {k: np.zeros(H) for k in MONTHLY}
        self.rows: list[tuple[float, ...] | None] = [None] * H  # the step's values by month
        tiers = sc.tiers.levels
        self.K = K = len(tiers)
        self.tier_counts = np.zeros((H, K))

        # Tier attributes by tier index (rank order).
        self.t_min_rev = np.array([t.min_sourced_revenue for t in tiers], float)
        self.t_min_cert = np.array([t.min_certifications for t in tiers], float)
        self.t_min_logo = np.array([t.min_new_logos for t in tiers], float)
        self.t_margin = np.array([t.margin for t in tiers], float)
        self.t_rebate = np.array([t.rebate for t in tiers], float)
        self.t_lead = np.array([t.lead_sharing for t in tiers], float)
        self.t_prio = np.array([t.priority_support for t in tiers], float)
        self.t_mdf = np.array([t.mdf_eligible for t in tiers], bool)
        weights = sc.mdf.tier_weights
        self.t_mdf_weight = np.array([weights.get(t.name, i + 1.0) for i, t in
                                      enumerate(tiers)], float)

        self._init_partners()
        N = self.N
        d = sc.deals
        self.size_mu = _lognormal_mu(d.deal_size_mean, d.deal_size_sigma)
        self.inf_mu = _lognormal_mu(d.influenced_size_mean, d.influenced_size_sigma)
        self.cert_factor = 1.0 + sc.enablement.certified_win_uplift
        self._arange = np.arange(N)
        self.n_churned = 0
        co = sc.costs
        self.people_per_month = sc.onboarding.managers * co.manager_cost_per_month
        self.overhead_per_month = co.overhead_per_month + (
            co.automation_cost_per_month if sc.onboarding.automated else 0.0)
        mdf = sc.mdf
        self.mdf_claim_rate = mdf.utilisation / mdf.period_months
        self.mdf_regs_per_dollar = mdf.pipeline_per_dollar / d.deal_size_mean
        # Per partner-month draws that do not depend on the program, made up front (months ×
        # partners), so variants of a scenario see the same numbers for the same partner-month.
        rng = self.rng
        pc = d.conflict_probability
        self.own_lam = self.prod * d.registrations_per_month
        self.pre_accepted = _monthly_poisson(rng["registrations"], self.own_lam * (1.0 - pc), H)
        # Conflicts and certifications are rare per partner-month: kept as events (partner,
        # month) rather than as months × partners counts.
        self.conf_who, self.conf_off = _sparse_events(rng["conflicts"], self.own_lam * pc, H)
        self.cert_who, self.cert_off = _sparse_events(
            rng["certifications"], np.full(N, sc.enablement.certification_rate), H)
        # Churn: one uniform per partner-month; only those below the largest possible churn
        # probability can ever leave, so keep just those (month-sorted) candidates.
        ch = sc.churn
        self.churn_p_max = -math.expm1(-ch.base_hazard * max(ch.low_profit_multiplier, 1.0)
                                       * max(ch.conflict_multiplier, 1.0)
                                       * max(ch.inactivity_multiplier, 1.0))
        u = rng["churn"].random((H, N))
        below = u < self.churn_p_max
        months, self.churn_cand = np.nonzero(below)
        self.churn_u = u[below]
        self.churn_off = np.searchsorted(months, np.arange(H + 1)).tolist()
        # Churn probability by driver combination: bit 0 unprofitable, bit 1 recent conflict,
        # bit 2 inactive (profitability and inactivity only once seasoned).
        mult = np.array([(ch.low_profit_multiplier if b & 1 else 1.0)
                         * (ch.conflict_multiplier if b & 2 else 1.0)
                         * (ch.inactivity_multiplier if b & 4 else 1.0) for b in range(8)])
        self.churn_p = -np.expm1(-ch.base_hazard * mult)
        self.pending_first = 0  # active recruits still without a first won deal
        self._tier_changed()
        self.tier_policy = tier_policy(sc.tiers.policy)
        self.mdf_policy = mdf_policy(sc.mdf.allocation)

    # ------------------------------------------------------------------ set-up

    def _init_partners(self) -> None:
        sc, rng = self.sc, self.rng
        rec = sc.recruitment
        horizon_days = self.H * DAYS_PER_MONTH
        n_arr = int(rng["arrivals"].poisson(rec.arrivals_per_month * self.H))
        arrival_t = np.sort(rng["arrivals"].uniform(0.0, horizon_days, n_arr))
        n0, nq = rec.initial_partners, rec.initial_onboarding
        self.N = N = n0 + nq + n_arr
        self.n0 = n0
        self.arrival_t = arrival_t

        # Partner attributes: IPP fit and productivity heterogeneity (mean 1).
        pr = rng["partners"]
        fit_u = pr.random(N)
        het = pr.lognormal(-0.5 * rec.productivity_sigma ** 2, rec.productivity_sigma, N)
        self.ipp_fit = fit_u < rec.ipp_fit_share
        # Normalised so that the average partner of the IPP mix registers at the base rate.
        k, share = rec.ipp_productivity, rec.ipp_fit_share
        norm = 1.0 / (1.0 - share + share * k) if (1.0 - share + share * k) > 0 else 1.0
        self.prod = het * np.where(self.ipp_fit, k * norm, norm)
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
        self.duration = dur.tolist()
        self.hold = (dur * ob.effective_manager_share).tolist()

        self.active = np.zeros(N, bool)  # active partners (not waiting, onboarding, churned)
        self.signup_t = np.full(N, np.nan)
        self.start_t = np.full(N, np.nan)  # manager granted (days)
        self.act_t = np.full(N, np.inf)  # becomes active (days), known once onboarding starts
        self.due_t = np.full(N, np.inf)  # act_t while still onboarding
        self.act_m = np.full(N, -1, np.int64)  # month of activation (recruits)
        self.first_m = np.full(N, -1, np.int64)  # month of the first won deal (recruits)
        self.awaiting = np.zeros(N, bool)  # active recruits without a won deal yet
        self.exposure = np.ones(N)  # share of this month a partner was active
        self.thinned: np.ndarray | None = None  # partners activated this month
        self.tier = np.zeros(N, np.int16)
        self.certs = np.zeros(N)
        # Trailing 12 months of sourced bookings (row 0) and won deals (row 1) per partner:
        # a ring of months × partners and its running sum.
        self.ring = np.zeros((2, 12, N))
        self.t12 = np.zeros((2, N))
        self.t12_rev, self.t12_logos = self.t12
        self.last_reg = np.zeros(N)
        self.last_conflict = np.full(N, -1e9)
        self.mdf_alloc = np.zeros(N)
        cyc = sc.deals
        self.geometric = cyc.sales_cycle_distribution == "geometric"
        self.L = 0 if self.geometric else round(cyc.sales_cycle_months)
        self.pipe = np.zeros((max(self.L, 1), N), np.int64)  # open deals by month opened
        self.open = np.zeros(N, np.int64)
        # Customers: 12 anniversary cohorts (m % 12) of sourced ARR, influenced ARR, and the
        # margins and rebates paid on the sourced ARR; customers sourced and influenced.
        # Twelve numbers each: plain lists are cheaper than arrays here.
        self.cohort_arr = [[0.0] * 12 for _ in range(4)]
        self.cohort_cust = [[0] * 12 for _ in range(2)]

        # Starting cohort: active from day 0; tiers by the mix, the most productive partners
        # holding the highest tiers; trailing history set inside the tier's band.
        if n0:
            self.active[:n0] = True
            self.act_t[:n0] = -DAYS_PER_MONTH
            self.signup_t[:n0] = -DAYS_PER_MONTH
            names = sc.tiers.names()
            mix = rec.initial_tier_mix or {names[0]: 1.0}
            shares = np.array([mix.get(nm, 0.0) for nm in names])
            counts = np.floor(shares * n0).astype(int)
            rest = n0 - counts.sum()
            if rest:
                order = np.argsort(-(shares * n0 - counts), kind="stable")
                counts[order[:rest]] += 1
            by_prod = np.argsort(self.prod[:n0], kind="stable")
            tiers = np.repeat(np.arange(self.K), counts)
            self.tier[by_prod] = tiers
            k = self.tier[:n0]
            lo = self.t_min_rev[k]
            hi = np.where(k + 1 < self.K, self.t_min_rev[np.minimum(k + 1, self.K - 1)], lo * 1.5)
            t12 = lo + tier_u * (hi - lo)
            self.ring[0, :, :n0] = t12 / 12
            self.t12_rev[:n0] = t12
            logos = self.t_min_logo[k]
            rows = np.arange(12)[:, None]
            self.ring[1, :, :n0] = np.floor(logos / 12) + (rows < logos % 12)
            self.t12_logos[:n0] = logos
            if sc.enablement.initial_certifications:
                self.certs[:n0] = self.t_min_cert[k]
        if n0 and sc.deals.initial_pipeline:
            d = sc.deals
            lam = self.prod[:n0] * d.registrations_per_month * (1 - d.conflict_probability) \
                * (1 + sc.tiers.lead_sharing_uplift * self.t_lead[self.tier[:n0]])
            if self.geometric:
                self.open[:n0] = rng["pipeline"].poisson(lam * max(d.sales_cycle_months, 1.0))
            elif self.L:
                self.pipe[:, :n0] = rng["pipeline"].poisson(lam, (self.L, n0))
        self.n = n0  # slots in use (arrived partners), in arrival order
        self.n_admitted = self.n_started = self.n_activated = 0

    # ------------------------------------------------------------------ processes

    def _month_of(self, t: np.ndarray) -> np.ndarray:
        return np.clip((t / DAYS_PER_MONTH).astype(np.int64), 0, self.H - 1)

    def _arrivals(self) -> None:
        """Schedule every recruit's sign-up (times drawn up front, in order)."""
        env = self.env
        n0 = self.n0
        for j in range(self.sc.recruitment.initial_onboarding):
            self._admit(n0 + j, 0.0)
        base = n0 + self.sc.recruitment.initial_onboarding
        for j, t in enumerate(self.arrival_t.tolist()):
            env.timeout(t).callbacks.append(partial(self._signed, base + j, t))

    def _signed(self, i: int, t: float, _event) -> None:
        self._admit(i, t)

    # A recruit's onboarding is a chain of SimPy events — sign up, request a manager, hold the
    # manager, release — written as callbacks rather than as a generator process: the same
    # queueing, at half the per-recruit event cost. Sign-up, start and activation times are
    # kept per partner; the monthly counts and sums are made from them at the end.

    def _admit(self, i: int, t: float) -> None:
        self.n = i + 1
        self.signup_t[i] = t
        self.n_admitted += 1
        self.managers.request().callbacks.append(partial(self._start_onboarding, i))

    def _start_onboarding(self, i: int, req) -> None:
        env = self.env
        now = env.now
        self.n_started += 1
        self.start_t[i] = now
        self.act_t[i] = self.due_t[i] = now + self.duration[i]
        env.timeout(self.hold[i]).callbacks.append(partial(self._release_manager, req))

    def _release_manager(self, req, _event) -> None:
        self.managers.release(req)

    def _months(self):
        env = self.env
        for m in range(self.H):
            yield env.timeout((m + 1) * DAYS_PER_MONTH - env.now)
            self._step(m)
            fired, self.month_closed = self.month_closed, env.event()
            fired.succeed(m)

    def _tier_review(self):
        k = self.sc.tiers.review_months
        while True:
            m = yield self.month_closed
            if (m + 1) % k == 0:
                n = self.n
                met = highest_met_tier(self.t12_rev[:n], self.certs[:n], self.t12_logos[:n],
                                       self.t_min_rev, self.t_min_cert, self.t_min_logo)
                self.tier[:n] = self.tier_policy.review(self.tier[:n], met, self.active[:n])
                self._tier_changed()

    def _mdf_periods(self):
        mdf = self.sc.mdf
        fund = self.fund
        m = -1
        while True:
            if m + 1 < self.H:
                if mdf.budget_per_period > 0:
                    yield fund.put(mdf.budget_per_period)
                self.out["mdf_budget"][m + 1] += mdf.budget_per_period
                self._allocate(fund.level)
            for _ in range(mdf.period_months):
                m = yield self.month_closed
            left = fund.level
            if mdf.lapse and left > 0:
                yield fund.get(left)
                self.out["mdf_lapsed"][m] += left
            self.mdf_alloc[:] = 0.0

    def _allocate(self, amount: float) -> None:
        n = self.n
        active = self.active[:n]
        eligible = active & self.t_mdf[self.tier[:n]]
        self.mdf_alloc[:] = 0.0
        if amount > 0 and eligible.any():
            # Trailing sums kept by running addition can sit a rounding error below zero.
            self.mdf_alloc[:n] = self.mdf_policy.allocate(
                amount, eligible, self.tier[:n], np.maximum(self.t12_rev[:n], 0.0),
                self.t_mdf_weight)
            np.maximum(self.mdf_alloc, 0.0, out=self.mdf_alloc)

    # ------------------------------------------------------------------ the monthly step

    def _activate_due(self, m: int, t1: float) -> float:
        """Recruits whose onboarding ended by ``t1`` (the end of month ``m``) become active.
        Returns their unexposed partner-months (the part of the month before activation)."""
        n = self.n
        due = np.flatnonzero(self.due_t[:n] <= t1)
        k = len(due)
        if not k:
            return 0.0
        at = self.act_t[due]
        self.due_t[due] = np.inf
        self.active[due] = True
        self.awaiting[due] = True
        self.act_m[due] = m
        self.last_reg[due] = m
        self.n_activated += k
        self.pending_first += k
        # Active for only part of this month: thin its pre-drawn registrations (a thinned
        # Poisson count is Poisson) by the share of the month left.
        share = (m + 1) - at / DAYS_PER_MONTH
        np.minimum(share, 1.0, out=share)
        np.maximum(share, 0.0, out=share)
        reg = self.rng["registrations"]
        self.pre_accepted[m, due] = reg.binomial(self.pre_accepted[m, due], share)
        self.exposure[due] = share  # conflicts are thinned event by event in the step
        self.thinned = due
        return k - float(share.sum())

    def _step(self, m: int) -> None:
        sc, rng = self.sc, self.rng
        d, cu = sc.deals, sc.customers
        n = self.n
        t1 = (m + 1) * DAYS_PER_MONTH
        slot = m % 12
        unexposed = self._activate_due(m, t1) if self.n_started > self.n_activated else 0.0
        active = self.active[:n]
        n_active = int(np.count_nonzero(active))
        # Partners activated during this month are exposed only for part of it.
        exposure_total = n_active - unexposed

        # Customers: the cohort booked 12, 24, ... months ago renews or churns.
        arr, cust = self.cohort_arr, self.cohort_cust
        for a in (0, 1):
            c = cust[a][slot]
            if c:
                kept = int(rng["renewals"].binomial(c, cu.renewal_rate))
                f = kept / c
                cust[a][slot] = kept
                arr[a][slot] *= f
                if a == 0:
                    arr[2][slot] *= f
                    arr[3][slot] *= f

        # MDF claims: each partner spends its allocation evenly over the period.
        mdf_spent = mdf_regs = 0.0
        mdf_lam = None
        level = self.fund.level
        if level > 0:
            spend = self.mdf_alloc[:n] * self.mdf_claim_rate
            total = float(spend.sum())
            if total > level:  # never claim more than the fund holds
                spend *= level / total
                total = level
            if total > 0:
                self.fund.get(total)
                mdf_spent = total
                mdf_lam = spend * self.mdf_regs_per_dollar
                mdf_regs = total * self.mdf_regs_per_dollar

        # Registrations, split (a thinned Poisson stream is Poisson) into accepted and
        # conflicted ones, from the partner's own rate (drawn up front per partner-month, so
        # variants share them) and from tier benefits and MDF (drawn here).
        pc = d.conflict_probability
        accepted = self.pre_accepted[m, :n] * active
        lo, hi = self.conf_off[m], self.conf_off[m + 1]
        conf = self.conf_who[lo:hi]  # partner of each conflicted registration
        if hi > lo:
            conf = conf[self.active[conf]]
            if self.thinned is not None and len(conf):
                conf = conf[rng["registrations"].random(len(conf)) < self.exposure[conf]]
        if self.thinned is not None:
            self.exposure[self.thinned] = 1.0
            self.thinned = None
        extra_lam = self.lead_lam[:n] * active
        if mdf_lam is not None:
            extra_lam += mdf_lam
        events = _poisson_events(rng["extra_registrations"], extra_lam)
        if events is not None:
            if pc > 0:
                rejected = rng["conflicts"].random(len(events)) < pc
                if rejected.any():
                    conf = np.concatenate((conf, events[rejected]))
                    events = events[~rejected]
            accepted += np.bincount(events, minlength=n)
        n_conf = len(conf)
        if n_conf:
            self.last_conflict[conf] = m
            self.last_reg[conf] = m
        self.last_reg[:n][accepted > 0] = m
        n_regs = int(accepted.sum()) + n_conf

        # Pipeline: deals close after the sales cycle.
        if self.geometric:
            opened = self.open[:n]
            p_close = min(1.0, 1.0 / max(d.sales_cycle_months, 1.0))
            closing = rng["pipeline"].binomial(opened, p_close)
            opened += accepted - closing
            open_deals = int(opened.sum())
        elif self.L == 0:
            closing = accepted
            open_deals = 0
        else:
            row = self.pipe[m % self.L, :n]
            closing = row.copy()
            row[:] = accepted
            open_deals = int(self.pipe[:, :n].sum())

        # Wins: each closing deal is won with its partner's win probability; sizes: one
        # lognormal per won deal, a subscription with probability recurring_share.
        n_closing = int(closing.sum())
        n_wins = 0
        if n_closing:
            owner = np.repeat(self._arange[:n], closing)  # ascending partner index
            owner = owner[rng["wins"].random(n_closing) < self.p_win[owner]]
            n_wins = len(owner)
        booked = once = once_margin = once_rebate = 0.0
        t12, ring = self.t12[:, :n], self.ring[:, slot, :n]
        if n_wins:
            sizes = rng["sizes"].lognormal(self.size_mu, d.deal_size_sigma, n_wins)
            recurring = rng["sizes"].random(n_wins) < cu.recurring_share
            rec_sizes = sizes * recurring
            rates = self.p_mr[:, owner]  # margin and rebate rate of each won deal
            m_rec = rates @ rec_sizes
            m_all = rates @ sizes
            booked = float(sizes.sum())
            rec_total = float(rec_sizes.sum())
            once = booked - rec_total
            once_margin = float(m_all[0] - m_rec[0])
            once_rebate = float(m_all[1] - m_rec[1])
            arr[0][slot] += rec_total
            arr[2][slot] += float(m_rec[0])
            arr[3][slot] += float(m_rec[1])
            cust[0][slot] += int(np.count_nonzero(recurring))
            # Trailing-12-month sourced bookings and new logos per partner (ring buffers).
            new = np.empty_like(t12)
            new[0] = np.bincount(owner, sizes, minlength=n)
            new[1] = np.bincount(owner, minlength=n)
            t12 += new - ring
            ring[:] = new
            # Time to first revenue of recruits: the month of their first won deal.
            if self.pending_first:
                first = owner[self.awaiting[owner]]  # ascending, a partner once per win
                if len(first):
                    self.awaiting[first] = False
                    self.first_m[first] = m
                    self.pending_first -= 1 + int(np.count_nonzero(first[1:] != first[:-1]))
        else:
            t12 -= ring
            ring[:] = 0.0

        # Influenced deals: vendor-sourced, partner-touched; one Poisson draw for the month.
        lam_inf = d.influenced_per_month * exposure_total
        k_inf = int(rng["influenced"].poisson(lam_inf)) if lam_inf > 0 else 0
        once_inf = inf_booked = 0.0
        if k_inf:
            sizes = rng["influenced"].lognormal(self.inf_mu, d.influenced_size_sigma, k_inf)
            recurring = rng["influenced"].random(k_inf) < cu.recurring_share
            rec_total = float(sizes @ recurring)
            arr[1][slot] += rec_total
            cust[1][slot] += int(np.count_nonzero(recurring))
            inf_booked = float(sizes.sum())
            once_inf = inf_booked - rec_total

        # Enablement: certified people per active partner-month (pre-drawn events).
        n_cert = 0
        lo, hi = self.cert_off[m], self.cert_off[m + 1]
        if hi > lo:
            who = self.cert_who[lo:hi]
            who = who[self.active[who]]
            n_cert = len(who)
            if n_cert:
                first_cert = who[self.certs[who] == 0]
                np.add.at(self.certs, who, 1.0)
                if len(first_cert):
                    self.p_win[first_cert] = np.minimum(
                        1.0, self.p_win_tier[first_cert] * self.cert_factor)

        # Partner churn: hazard raised by low profitability, recent conflict, inactivity.
        ch = sc.churn
        churned = 0
        lo, hi = self.churn_off[m], self.churn_off[m + 1]
        if hi > lo and ch.base_hazard > 0:
            # Only partners whose uniform is below the largest possible churn probability can
            # leave; the exact hazard is computed for those few.
            cand, u = self.churn_cand[lo:hi], self.churn_u[lo:hi]
            ok = self.active[cand]
            cand, u = cand[ok], u[ok]
            if len(cand):
                seasoned = self.act_t[cand] <= t1 - ch.grace_months * DAYS_PER_MONTH
                poor = self.t12_rev[cand] * self.p_share[cand] < ch.low_profit_threshold
                recent = self.last_conflict[cand] > m - ch.conflict_memory_months
                idle = self.last_reg[cand] <= m - ch.inactivity_months
                drivers = (poor + 4 * idle) * seasoned + 2 * recent
                leave = cand[u < self.churn_p[drivers]]
                churned = len(leave)
                if churned:
                    self.active[leave] = False
                    self.mdf_alloc[leave] = 0.0
                    self.pipe[:, leave] = 0
                    self.open[leave] = 0
                    self.pending_first -= int(np.count_nonzero(self.awaiting[leave]))
                    self.awaiting[leave] = False

        # Partners by tier at the month end.
        n_active -= churned
        self.n_churned += churned
        self.tier_counts[m] = np.bincount(self.tier[:n], active, self.K)

        # Recognised revenue: one-off deals when booked, subscriptions monthly (ARR / 12).
        arr_s, arr_i = sum(arr[0]), sum(arr[1])
        co = sc.costs
        conflict_cost = n_conf * d.conflict_cost
        self.rows[m] = (
            self.n_admitted - self.n_started, self.n_started - self.n_activated, n_active,
            self.n_churned, churned, n_regs, mdf_regs, n_conf, open_deals, n_wins, booked,
            k_inf, inf_booked, once + arr_s / 12, once_inf + arr_i / 12, arr_s, arr_i,
            sum(cust[0]) + sum(cust[1]), once_margin + sum(arr[2]) / 12,
            once_rebate + sum(arr[3]) / 12, n_cert, mdf_spent,
            # Costs by ROPI investment category (MDF spent is above).
            self.people_per_month + conflict_cost,
            co.enablement_per_month + n_cert * co.cost_per_certification,
            self.overhead_per_month + n_active * co.overhead_per_partner_month,
            conflict_cost)

    def _tier_changed(self) -> None:
        """Refresh the per-partner attributes that follow the tier."""
        tier = self.tier
        self.lead_lam = self.own_lam * (self.sc.tiers.lead_sharing_uplift * self.t_lead[tier])
        self.p_mr = np.stack([self.t_margin[tier], self.t_rebate[tier]])
        self.p_share = self.p_mr[0] + self.p_mr[1]
        w = self.sc.deals.win_probability
        self.p_win_tier = w * (1.0 + self.sc.tiers.priority_support_win_uplift * self.t_prio[tier])
        self.p_win = np.minimum(1.0, self.p_win_tier * np.where(self.certs > 0, self.cert_factor,
                                                                1.0))

    # ------------------------------------------------------------------ results

    def _finish(self) -> dict[str, np.ndarray]:
        """The monthly arrays: the step's rows, and the per-recruit times summed by month."""
        out, H = self.out, self.H
        months_done = sum(r is not None for r in self.rows)
        if months_done:
            table = np.array(self.rows[:months_done], float)
            for j, name in enumerate(_STEP_SERIES):
                out[name][:months_done] = table[:, j]
        co = self.sc.costs
        rec = slice(self.n0, self.N)
        signup, start = self.signup_t[rec], self.start_t[rec]
        # Recruits by sign-up month (the initial onboarding cohort is not recruited).
        if len(self.arrival_t):
            out["recruits"][:] = np.bincount(self._month_of(self.arrival_t), minlength=H)
        out["cost_recruitment"][:] = out["recruits"] * co.recruitment_cost_per_partner
        # Onboarding starts and waits for a manager, by sign-up month.
        started = np.isfinite(start)
        mo = self._month_of(signup[started])
        out["onboarding_starts"][:] = np.bincount(mo, minlength=H)
        out["onboarding_wait_sum"][:] = np.bincount(mo, start[started] - signup[started], H)
        # Activations and days from sign-up to active, by month of activation.
        act_m = self.act_m[rec]
        done = act_m >= 0
        days = self.act_t[rec][done] - signup[done]
        out["activations"][:] = np.bincount(act_m[done], minlength=H)
        out["days_to_active_sum"][:] = np.bincount(act_m[done], days, H)
        last = hist_bins(H) - 1
        self.hist_days_active = np.bincount(
            np.minimum((days / HIST_BIN_DAYS).astype(np.int64), last), minlength=last + 1
        ).astype(float)
        # Time to first revenue: sign-up → the first won sourced deal (the month's midpoint
        # stands for the day of the win, but not before the partner was active).
        first_m = self.first_m[rec]
        won = first_m >= 0
        t_mid = (first_m[won] + 0.5) * DAYS_PER_MONTH
        days = np.maximum(t_mid, self.act_t[rec][won]) - signup[won]
        out["first_revenues"][:] = np.bincount(first_m[won], minlength=H)
        out["days_to_first_revenue_sum"][:] = np.bincount(first_m[won], days, H)
        self.hist_first_revenue = np.bincount(
            np.minimum((days / HIST_BIN_DAYS).astype(np.int64), last), minlength=last + 1
        ).astype(float)
        res = dict(out)
        res["tier_counts"] = self.tier_counts
        res["hist_first_revenue"] = self.hist_first_revenue
        res["hist_days_active"] = self.hist_days_active
        return res

    # ------------------------------------------------------------------ run

    def run(self, should_stop: Callable[[], bool] | None = None,
            slice_months: int = 6) -> dict[str, np.ndarray]:
        """Simulate the horizon in slices of ``slice_months``; between slices call
        ``should_stop`` and raise :class:`Cancelled` when it says so."""
        env = self.env
        self.managers = simpy.Resource(env, capacity=self.sc.onboarding.managers)
        self.fund = simpy.Container(env)
        self.month_closed = env.event()
        self._arrivals()
        env.process(self._tier_review())
        env.process(self._mdf_periods())
        env.process(self._months())
        for start in range(0, self.H, slice_months):
            if should_stop is not None and should_stop():
                raise Cancelled()
            end = min(self.H, start + slice_months)
            env.run(until=end * DAYS_PER_MONTH + 1e-6)
        return self._finish()


def simulate_replication(scenario: Scenario, seed: np.random.SeedSequence,
                         should_stop: Callable[[], bool] | None = None) -> dict[str, np.ndarray]:
    """Run one replication and return its monthly arrays (see :class:`ProgramModel`)."""
    return ProgramModel(scenario, seed).run(should_stop)
