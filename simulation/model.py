"""The partner-program model: one replication of a :class:`~simulation.scenario.Scenario`.

Shape (DESIGN.md section 6): SimPy processes for what truly queues or waits, and one monthly
process that advances every partner at once with vectorised numpy draws.

- ``_arrivals``: the Poisson stream of recruits (times drawn up front). Each recruit's
  onboarding is a chain of SimPy events: it requests a partner manager (a ``simpy.Resource``
  with ``onboarding.managers`` places), holds one for its share of the onboarding time,
  releases it, finishes the rest self-paced and becomes active.
- ``_months``: at the end of each month, one vectorised step over arrays indexed by partner:
  registrations (Poisson), conflicts (binomial), the open-deal pipeline (per-partner
  ring buffer of registration months), wins (binomial), deal sizes (lognormal, one draw per won
  deal), customers' ARR as 12 anniversary cohorts that renew or churn (binomial), certifications
  (Poisson), partner churn (a hazard per partner), costs. It then fires ``month_closed``.
- ``_tier_review``: a control process woken by ``month_closed``; every ``tiers.review_months``
  it asks the scenario's tier policy for each active partner's tier.
- ``_mdf_periods``: the MDF fund is a ``simpy.Container``; at each period start the budget is
  put in and allocated by the scenario's allocation policy; partners claim from it monthly;
  what is left lapses (or carries over) at the period end.

Time: the SimPy clock is in days; a month is ``DAYS_PER_MONTH`` days. Money is in the
scenario currency. Memory is O(partners × 12 + months), independent of the number of events.

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

WAITING, ONBOARDING, ACTIVE, CHURNED = 1, 2, 3, 4

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

#: Width of the bins of the days-to-first-revenue and days-to-active histograms (days).
HIST_BIN_DAYS = 15.0


def hist_bins(horizon_months: int) -> int:
    return math.ceil(horizon_months * DAYS_PER_MONTH / HIST_BIN_DAYS) + 1


def _lognormal_mu(mean: float, sigma: float) -> float:
    """``mu`` of a lognormal with the given mean and log-scale sigma."""
    return math.log(mean) - 0.5 * sigma * sigma


def _poisson_events(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray | None:
    """Events of independent Poisson streams with means ``lam`` (one per partner), as the
    partner index of each event; None when there are none. Drawn as one Poisson total placed
    on partners with probability ``lam / lam.sum()`` (the same distribution), so the cost is
    that of the events, not of the partners."""
    n = len(lam)
    if n == 0:
        return None
    c = np.cumsum(lam)
    total = c[-1]
    k = int(rng.poisson(total)) if total > 0 else 0
    if k == 0:
        return None
    return np.minimum(np.searchsorted(c, rng.random(k) * total, side="right"), n - 1)


def _sparse_poisson(rng: np.random.Generator, lam: np.ndarray, months: int) -> np.ndarray:
    """Independent Poisson counts (months × partners) with mean ``lam[i]`` for partner ``i``
    in every month, drawn at the cost of the events: fast when events are rare."""
    n = len(lam)
    total = float(lam.sum()) * months
    if total > 0.25 * n * months:
        return rng.poisson(lam, (months, n))
    out = np.zeros((months, n), np.int64)
    k = int(rng.poisson(total)) if total > 0 else 0
    if k:
        c = np.cumsum(lam)
        who = np.minimum(np.searchsorted(c, rng.random(k) * c[-1], side="right"), n - 1)
        when = rng.integers(0, months, k)
        np.add.at(out, (when, who), 1)
    return out


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
        tiers = sc.tiers.levels
        self.K = K = len(tiers)
        self.tier_counts = np.zeros((H, K))
        self.hist_first_revenue = np.zeros(hist_bins(H))
        self.hist_days_active = np.zeros(hist_bins(H))

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
        d = sc.deals
        self.size_mu = _lognormal_mu(d.deal_size_mean, d.deal_size_sigma)
        self.inf_mu = _lognormal_mu(d.influenced_size_mean, d.influenced_size_sigma)
        self.cert_factor = 1.0 + sc.enablement.certified_win_uplift
        self._arange = np.arange(self.N)
        self._zeros_n = np.zeros(self.N)
        self._zeros_n_int = np.zeros(self.N, np.int64)
        self.n_churned = 0
        co = sc.costs
        self.people_per_month = sc.onboarding.managers * co.manager_cost_per_month
        self.overhead_per_month = co.overhead_per_month + (
            co.automation_cost_per_month if sc.onboarding.automated else 0.0)
        # Per partner-month draws that do not depend on the program, made up front (months ×
        # partners), so variants of a scenario see the same numbers for the same partner-month.
        H, N, rng = self.H, self.N, self.rng
        pc = d.conflict_probability
        self.own_lam = self.prod * d.registrations_per_month
        self.pre_accepted = rng["registrations"].poisson(self.own_lam * (1.0 - pc), (H, N))
        self.pre_conflicts = _sparse_poisson(rng["conflicts"], self.own_lam * pc, H)
        self.pre_certs = _sparse_poisson(rng["certifications"],
                                         np.full(N, sc.enablement.certification_rate), H)
        self.unexposed = np.zeros(H)  # partner-months not yet active in activation months
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
        self.churn_off = np.searchsorted(months, np.arange(H + 1))
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
        self.duration = dur
        self.hold = dur * ob.effective_manager_share

        self.state = np.zeros(N, np.int8)
        self.signup_t = np.full(N, np.nan)
        self.active_t = np.full(N, np.inf)
        self.first_rev = np.zeros(N, bool)
        self.tier = np.zeros(N, np.int16)
        self.certs = np.zeros(N)
        self.rev_ring = np.zeros((N, 12))
        self.logo_ring = np.zeros((N, 12))
        self.t12_rev = np.zeros(N)
        self.t12_logos = np.zeros(N)
        self.last_reg = np.zeros(N)
        self.last_conflict = np.full(N, -1e9)
        self.mdf_alloc = np.zeros(N)
        cyc = sc.deals
        self.geometric = cyc.sales_cycle_distribution == "geometric"
        self.L = 0 if self.geometric else round(cyc.sales_cycle_months)
        self.pipe = np.zeros((N, max(self.L, 1)))
        self.open = np.zeros(N)
        # Customers: ARR by anniversary month (m % 12) for sourced (0) and influenced (1).
        self.arr = np.zeros((2, 12))
        self.cust = np.zeros((2, 12), np.int64)
        self.arr_margin = np.zeros(12)
        self.arr_rebate = np.zeros(12)

        # Starting cohort: active from day 0; tiers by the mix, the most productive partners
        # holding the highest tiers; trailing history set inside the tier's band.
        if n0:
            self.state[:n0] = ACTIVE
            self.active_t[:n0] = -DAYS_PER_MONTH
            self.signup_t[:n0] = -DAYS_PER_MONTH
            self.first_rev[:n0] = True
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
            self.rev_ring[:n0] = (t12 / 12)[:, None]
            self.t12_rev[:n0] = t12
            logos = self.t_min_logo[k]
            cols = np.arange(12)[None, :]
            self.logo_ring[:n0] = np.floor(logos / 12)[:, None] + (cols < (logos % 12)[:, None])
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
                self.pipe[:n0] = rng["pipeline"].poisson(lam[:, None], (n0, self.L))
        self.n = n0  # slots in use (arrived partners), in arrival order
        self.counts = {"waiting": 0, "onboarding": 0}

    # ------------------------------------------------------------------ processes

    def _month_of(self, t: float) -> int:
        return min(max(int(t / DAYS_PER_MONTH), 0), self.H - 1)

    def _arrivals(self) -> None:
        """Schedule every recruit's sign-up (times drawn up front, in order)."""
        env = self.env
        n0 = self.n0
        for j in range(self.sc.recruitment.initial_onboarding):
            self._admit(n0 + j, 0.0, recruited=False)
        base = n0 + self.sc.recruitment.initial_onboarding
        for j, t in enumerate(self.arrival_t):
            env.timeout(t).callbacks.append(partial(self._signed, base + j, t))

    def _signed(self, i: int, t: float, _event) -> None:
        self._admit(i, t, recruited=True)

    # A recruit's onboarding is a chain of SimPy events — request a manager, hold the manager,
    # release, finish self-paced, become active — written as callbacks rather than as a
    # generator process: the same queueing, at half the per-recruit event cost.

    def _admit(self, i: int, t: float, *, recruited: bool) -> None:
        self.n = i + 1
        self.state[i] = WAITING
        self.signup_t[i] = t
        self.counts["waiting"] += 1
        if recruited:
            self.out["recruits"][self._month_of(t)] += 1
        req = self.managers.request()
        req.callbacks.append(partial(self._start_onboarding, i, t))

    def _start_onboarding(self, i: int, arrived: float, req) -> None:
        env = self.env
        m = self._month_of(arrived)
        self.out["onboarding_starts"][m] += 1
        self.out["onboarding_wait_sum"][m] += env.now - arrived
        self.counts["waiting"] -= 1
        self.counts["onboarding"] += 1
        self.state[i] = ONBOARDING
        env.timeout(self.hold[i]).callbacks.append(partial(self._release_manager, i, req))

    def _release_manager(self, i: int, req, _event) -> None:
        self.managers.release(req)
        rest = self.duration[i] - self.hold[i]
        if rest > 0:
            self.env.timeout(rest).callbacks.append(partial(self._activate, i))
        else:
            self._activate(i, None)

    def _activate(self, i: int, _event) -> None:
        env = self.env
        self.counts["onboarding"] -= 1
        self.state[i] = ACTIVE
        self.active_t[i] = env.now
        m = self._month_of(env.now)
        self.last_reg[i] = m
        # Active for only part of this month: thin its pre-drawn registrations (a thinned
        # Poisson count is Poisson) by the share of the month left.
        if m < self.H:
            share = min(1.0, max(0.0, (m + 1) - env.now / DAYS_PER_MONTH))
            self.unexposed[m] += 1.0 - share
            reg = self.rng["registrations"]
            if self.pre_accepted[m, i]:
                self.pre_accepted[m, i] = reg.binomial(self.pre_accepted[m, i], share)
            if self.pre_conflicts[m, i]:
                self.pre_conflicts[m, i] = reg.binomial(self.pre_conflicts[m, i], share)
        days = env.now - self.signup_t[i]
        self.out["activations"][m] += 1
        self.pending_first += 1
        self.out["days_to_active_sum"][m] += days
        self.hist_days_active[min(int(days / HIST_BIN_DAYS), len(self.hist_days_active) - 1)] += 1

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
                reviewed = self.state[:n] == ACTIVE
                self.tier[:n] = self.tier_policy.review(self.tier[:n], met, reviewed)
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
        active = self.state[:n] == ACTIVE
        eligible = active & self.t_mdf[self.tier[:n]]
        self.mdf_alloc[:] = 0.0
        if amount > 0 and eligible.any():
            self.mdf_alloc[:n] = self.mdf_policy.allocate(
                amount, eligible, self.tier[:n], self.t12_rev[:n], self.t_mdf_weight)

    # ------------------------------------------------------------------ the monthly step

    def _step(self, m: int) -> None:
        sc, rng, out = self.sc, self.rng, self.out
        d, cu = sc.deals, sc.customers
        n = self.n
        t1 = (m + 1) * DAYS_PER_MONTH
        state = self.state[:n]
        active = state == ACTIVE
        slot = m % 12
        # Partners activated during this month are exposed only for part of it.
        exposure_total = float(np.count_nonzero(active)) - self.unexposed[m]

        # Customers: the cohort booked 12, 24, ... months ago renews or churns.
        for a in (0, 1):
            c = self.cust[a, slot]
            if c:
                kept = rng["renewals"].binomial(c, cu.renewal_rate)
                f = kept / c
                self.cust[a, slot] = kept
                self.arr[a, slot] *= f
                if a == 0:
                    self.arr_margin[slot] *= f
                    self.arr_rebate[slot] *= f

        # MDF claims: each partner spends its allocation evenly over the period.
        mdf = sc.mdf
        mdf_lam = None
        level = self.fund.level
        if level > 0:
            spend = self.mdf_alloc[:n] * (mdf.utilisation / mdf.period_months)
            total = float(spend.sum())
            if total > level:  # never claim more than the fund holds
                spend *= level / total
                total = level
            if total > 0:
                self.fund.get(total)
                out["mdf_spent"][m] = total
                mdf_lam = spend * (mdf.pipeline_per_dollar / d.deal_size_mean)
                out["mdf_registrations"][m] = mdf_lam.sum()

        # Registrations, split (a thinned Poisson stream is Poisson) into accepted and
        # conflicted ones, from the partner's own rate (drawn up front per partner-month, so
        # variants share them) and from tier benefits and MDF (drawn here).
        pc = d.conflict_probability
        accepted = self.pre_accepted[m, :n] * active
        conf = self.pre_conflicts[m, :n] * active
        extra_lam = self.lead_lam[:n] * active
        if mdf_lam is not None:
            extra_lam += mdf_lam
        events = _poisson_events(rng["extra_registrations"], extra_lam)
        if events is not None:
            if pc > 0:
                rejected = rng["conflicts"].random(len(events)) < pc
                conf += np.bincount(events[rejected], minlength=n)
                events = events[~rejected]
            accepted += np.bincount(events, minlength=n)
        n_conf = int(conf.sum()) if pc > 0 else 0
        if n_conf:
            self.last_conflict[:n][conf > 0] = m
        regs = accepted + conf
        out["conflicts"][m] = n_conf
        out["registrations"][m] = regs.sum()
        self.last_reg[:n][regs > 0] = m

        # Pipeline: deals close after the sales cycle.
        if self.geometric:
            opened = self.open[:n]
            p_close = min(1.0, 1.0 / max(d.sales_cycle_months, 1.0))
            closing = rng["pipeline"].binomial(opened.astype(np.int64), p_close)
            opened += accepted - closing
            out["open_deals"][m] = opened.sum()
        elif self.L == 0:
            closing = accepted
        else:
            col = m % self.L
            closing = self.pipe[:n, col].astype(np.int64)
            self.pipe[:n, col] = accepted
            out["open_deals"][m] = self.pipe[:n].sum()

        # Wins: one uniform per closing deal against its partner's win probability; sizes: one
        # lognormal per won deal.
        n_closing = int(closing.sum())
        once_total = once_margin = once_rebate = 0.0
        book = self._zeros_n[:n]
        wins = self._zeros_n_int[:n]
        n_wins = 0
        if n_closing:
            owner = np.repeat(self._arange[:n], closing)
            owner = owner[rng["wins"].random(n_closing) < self.p_win[owner]]
            n_wins = len(owner)
        out["wins"][m] = n_wins
        if n_wins:
            sizes = rng["sizes"].lognormal(self.size_mu, d.deal_size_sigma, n_wins)
            recurring = rng["sizes"].random(n_wins) < cu.recurring_share
            wins = np.bincount(owner, minlength=n)
            book = np.bincount(owner, sizes, minlength=n)
            mrate = self.p_margin[owner]
            rrate = self.p_rebate[owner]
            rec_sizes = sizes * recurring
            rec_total = rec_sizes.sum()
            once = sizes - rec_sizes
            self.arr[0, slot] += rec_total
            self.cust[0, slot] += int(np.count_nonzero(recurring))
            self.arr_margin[slot] += rec_sizes @ mrate
            self.arr_rebate[slot] += rec_sizes @ rrate
            once_total = once.sum()
            once_margin = once @ mrate
            once_rebate = once @ rrate
            out["sourced_bookings"][m] = sizes.sum()
            # Time to first revenue (sign-up → first won sourced deal) of recruits.
            first = owner[~self.first_rev[owner]] if self.pending_first else owner[:0]
            if len(first):
                first = np.unique(first)
                self.first_rev[first] = True
                self.pending_first -= len(first)
                t_mid = t1 - 0.5 * DAYS_PER_MONTH
                days = np.maximum(t_mid, self.active_t[first]) - self.signup_t[first]
                out["first_revenues"][m] = len(days)
                out["days_to_first_revenue_sum"][m] = days.sum()
                idx = np.minimum((days / HIST_BIN_DAYS).astype(int),
                                 len(self.hist_first_revenue) - 1)
                np.add.at(self.hist_first_revenue, idx, 1.0)

        # Trailing-12-month sourced bookings and new logos per partner (ring buffers).
        self.t12_rev[:n] += book - self.rev_ring[:n, slot]
        self.rev_ring[:n, slot] = book
        self.t12_logos[:n] += wins - self.logo_ring[:n, slot]
        self.logo_ring[:n, slot] = wins

        # Influenced deals: vendor-sourced, partner-touched; one Poisson draw for the month.
        lam_inf = d.influenced_per_month * exposure_total
        k_inf = int(rng["influenced"].poisson(lam_inf)) if lam_inf > 0 else 0
        once_inf = 0.0
        if k_inf:
            sizes = rng["influenced"].lognormal(self.inf_mu, d.influenced_size_sigma, k_inf)
            recurring = rng["influenced"].random(k_inf) < cu.recurring_share
            rec_total = sizes @ recurring
            self.arr[1, slot] += rec_total
            self.cust[1, slot] += int(np.count_nonzero(recurring))
            total = sizes.sum()
            once_inf = total - rec_total
            out["influenced_bookings"][m] = total
        out["influenced_deals"][m] = k_inf

        # Recognised revenue: one-off deals when booked, subscriptions monthly (ARR / 12).
        arr_s, arr_i = self.arr[0].sum(), self.arr[1].sum()
        out["sourced_revenue"][m] = once_total + arr_s / 12
        out["influenced_revenue"][m] = once_inf + arr_i / 12
        out["margins"][m] = once_margin + self.arr_margin.sum() / 12
        out["rebates"][m] = once_rebate + self.arr_rebate.sum() / 12
        out["arr_sourced"][m] = arr_s
        out["arr_influenced"][m] = arr_i
        out["customers"][m] = self.cust.sum()

        # Enablement: certified people per partner (Poisson per active partner-month).
        n_cert = 0
        if sc.enablement.certification_rate > 0:
            new_certs = self.pre_certs[m, :n] * active
            n_cert = int(new_certs.sum())
            if n_cert:
                self.certs[:n] += new_certs
                first_cert = np.flatnonzero((new_certs > 0) & (new_certs == self.certs[:n]))
                if len(first_cert):
                    self.p_win[first_cert] = np.minimum(
                        1.0, self.p_win_tier[first_cert] * self.cert_factor)
        out["certifications"][m] = n_cert

        # Partner churn: hazard raised by low profitability, recent conflict, inactivity.
        ch = sc.churn
        churned = 0
        if ch.base_hazard > 0:
            # Only partners whose uniform is below the largest possible churn probability can
            # leave; the exact hazard is computed for those few.
            lo, hi = self.churn_off[m], self.churn_off[m + 1]
            cand, u = self.churn_cand[lo:hi], self.churn_u[lo:hi]
            if len(cand):
                ok = self.state[cand] == ACTIVE
                cand, u = cand[ok], u[ok]
            if len(cand):
                seasoned = self.active_t[cand] <= t1 - ch.grace_months * DAYS_PER_MONTH
                hazard = np.full(len(cand), ch.base_hazard)
                poor = self.t12_rev[cand] * self.p_share[cand] < ch.low_profit_threshold
                hazard[poor & seasoned] *= ch.low_profit_multiplier
                hazard[self.last_conflict[cand] > m - ch.conflict_memory_months] *= \
                    ch.conflict_multiplier
                idle = self.last_reg[cand] <= m - ch.inactivity_months
                hazard[idle & seasoned] *= ch.inactivity_multiplier
                leave = cand[u < -np.expm1(-hazard)]
                churned = len(leave)
                if churned:
                    state[leave] = CHURNED
                    self.active_t[leave] = np.inf
                    self.mdf_alloc[leave] = 0.0
                    self.pipe[leave] = 0.0
                    self.open[leave] = 0.0
                    active[leave] = False
                    self.pending_first -= int(np.count_nonzero(~self.first_rev[leave]))
        out["churned"][m] = churned

        # Partners by state and tier at the month end.
        n_active = int(np.count_nonzero(active))
        out["partners_active"][m] = n_active
        out["partners_waiting"][m] = self.counts["waiting"]
        out["partners_onboarding"][m] = self.counts["onboarding"]
        self.n_churned += churned
        out["partners_churned"][m] = self.n_churned
        self.tier_counts[m] = np.bincount(self.tier[:n][active], minlength=self.K)

        # Costs by ROPI investment category (MDF spent is recorded above).
        co = sc.costs
        out["conflict_cost"][m] = n_conf * d.conflict_cost
        out["cost_people"][m] = self.people_per_month + n_conf * d.conflict_cost
        out["cost_enablement"][m] = co.enablement_per_month + n_cert * co.cost_per_certification
        out["cost_overhead"][m] = self.overhead_per_month \
            + n_active * co.overhead_per_partner_month
        out["cost_recruitment"][m] = out["recruits"][m] * co.recruitment_cost_per_partner

    def _tier_changed(self) -> None:
        """Refresh the per-partner attributes that follow the tier."""
        tier = self.tier
        self.lead_lam = self.own_lam * (self.sc.tiers.lead_sharing_uplift * self.t_lead[tier])
        self.p_margin = self.t_margin[tier]
        self.p_rebate = self.t_rebate[tier]
        self.p_share = self.p_margin + self.p_rebate
        w = self.sc.deals.win_probability
        self.p_win_tier = w * (1.0 + self.sc.tiers.priority_support_win_uplift * self.t_prio[tier])
        self.p_win = np.minimum(1.0, self.p_win_tier * np.where(self.certs > 0, self.cert_factor,
                                                                1.0))

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
        res = dict(self.out)
        res["tier_counts"] = self.tier_counts
        res["hist_first_revenue"] = self.hist_first_revenue
        res["hist_days_active"] = self.hist_days_active
        return res


def simulate_replication(scenario: Scenario, seed: np.random.SeedSequence,
                         should_stop: Callable[[], bool] | None = None) -> dict[str, np.ndarray]:
    """Run one replication and return its monthly arrays (see :class:`ProgramModel`)."""
    return ProgramModel(scenario, seed).run(should_stop)
