"""The partner-program model: replications of a :class:`~simulation.scenario.Scenario`.

Shape: SimPy processes for what truly queues or waits, and one monthly
process that advances every partner at once with vectorised numpy draws. A
:class:`ProgramModel` advances a *batch* of independent replications in one SimPy
environment: each replication has its own partner managers (a ``simpy.Resource``), its own
MDF fund (a ``simpy.Container``), its own tier and MDF policies and its own random streams,
and the monthly step works on arrays of replications × partners, so its fixed cost of numpy
calls is paid once per batch, not once per replication.

- ``_arrivals``: the Poisson stream of recruits (times drawn up front). Each recruit's
  onboarding is a chain of SimPy events: it requests a partner manager from its
  replication's ``Resource`` (``onboarding.managers`` places), holds one for its share of the
  onboarding time and releases it. The rest of the onboarding is self-paced and waits on
  nobody, so the moment the recruit becomes active is known when its manager is granted
  (start + duration); the monthly step activates the recruits whose moment fell in the month.
- ``_months``: at the end of each month, one vectorised step: activations, registrations
  (Poisson), conflicts, the open-deal pipeline (a ring buffer of registration months),
  wins (one uniform per closing deal), deal sizes (lognormal, one draw per won deal),
  customers' ARR as 12 anniversary cohorts that renew or churn (binomial), certifications,
  partner churn (a hazard per partner), costs. It then fires ``month_closed``.
- ``_tier_review``: a control process woken by ``month_closed``; every ``tiers.review_months``
  it asks each replication's tier policy for each active partner's tier.
- ``_mdf_periods``: at each period start the budget is put in each replication's fund and
  allocated by its allocation policy; partners claim from the fund monthly; what is left
  lapses (or carries over) at the period end.

Cost: per-event Python is spent only on what queues (four SimPy events per recruit: sign-up,
manager granted, end of the manager's share, release; and one MDF claim per
replication-month); the per-recruit statistics (waits, days to active, days to
first revenue) are kept as per-partner times and summed by month once, at the end.

Reproducibility: a replication's numbers do not depend on the batch it runs in. Every
replication owns its random streams and draws from them in its own order; arrays have one
row per replication of a width fixed by the scenario (:func:`partner_slots`); sums over a
replication's deals or partners are taken row by row or with ``np.bincount`` (sequential),
never across replications.

Time: the SimPy clock is in days; a month is ``DAYS_PER_MONTH`` days. Money is in the
scenario currency. Memory is O(replications × partners × months), independent of the number
of events.

Randomness: every stream (arrivals, onboarding durations, registrations, ...) has its own
``numpy.random.Generator`` spawned in a fixed order from the replication's ``SeedSequence``,
so two scenarios run with the same seed consume the same streams (common random numbers).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
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

#: Series the monthly step writes, in the order of its rows of values (the others are
#: filled from per-partner times at the end of the run, or by the MDF process).
_STEP_SERIES = (
    "partners_waiting", "partners_onboarding", "partners_active", "partners_churned",
    "churned", "registrations", "mdf_registrations", "conflicts", "open_deals", "wins",
    "sourced_bookings", "influenced_deals", "influenced_bookings", "sourced_revenue",
    "influenced_revenue", "arr_sourced", "arr_influenced", "customers", "margins", "rebates",
    "certifications", "mdf_spent", "cost_people", "cost_enablement", "cost_overhead",
    "conflict_cost")
_COL = {name: j for j, name in enumerate(_STEP_SERIES)}

#: Width of the bins of the days-to-first-revenue and days-to-active histograms (days).
HIST_BIN_DAYS = 15.0

#: Partner slots (replications × partners) a batch holds at most: the monthly step's arrays
#: stay small enough to sit in the processor's cache. The batch size changes the speed, never
#: the numbers.
BATCH_SLOTS = 20_000
#: Replications advanced together at most.
MAX_BATCH = 24


def hist_bins(horizon_months: int) -> int:
    return math.ceil(horizon_months * DAYS_PER_MONTH / HIST_BIN_DAYS) + 1


def partner_slots(scenario: Scenario) -> int:
    """Partners a replication's arrays hold: the starting cohorts and a bound on the recruits
    (the Poisson mean over the horizon + 7 standard deviations + 7, exceeded with a
    probability below 1e-11; a replication that exceeds it is given wider arrays)."""
    rec = scenario.recruitment
    mean = rec.arrivals_per_month * scenario.horizon_months
    return (rec.initial_partners + rec.initial_onboarding
            + math.ceil(mean + 7.0 * math.sqrt(mean) + 7.0))


def batch_size(scenario: Scenario) -> int:
    """Replications worth advancing together for this scenario (see :data:`BATCH_SLOTS`)."""
    return max(1, min(MAX_BATCH, BATCH_SLOTS // max(partner_slots(scenario), 1)))


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


class Cancelled(Exception):
    """Raised inside a run when its state asks for cancellation."""


class Replication:
    """One replication's random streams and arrivals, drawn before its batch is built (the
    number of recruits decides how wide the batch's arrays must be)."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence):
        self.rng = dict(zip(STREAMS, (np.random.Generator(np.random.PCG64(s))
                                      for s in seed.spawn(len(STREAMS))), strict=True))
        rec = scenario.recruitment
        H = scenario.horizon_months
        arr = self.rng["arrivals"]
        n_arr = int(arr.poisson(rec.arrivals_per_month * H))
        self.arrival_t = np.sort(arr.uniform(0.0, H * DAYS_PER_MONTH, n_arr))
        self.N = rec.initial_partners + rec.initial_onboarding + n_arr
        # Pre-drawn events (month, partner[, uniform]) and the starting cohort's trailing
        # history, handed from the replication's set-up to its batch's merged lists.
        self.conf: tuple[np.ndarray, ...] | None = None
        self.certs: tuple[np.ndarray, ...] | None = None
        self.churn: tuple[np.ndarray, ...] | None = None
        self.history: tuple[np.ndarray, ...] | None = None


class ProgramModel:
    """A batch of replications of one scenario, advanced together. ``run()`` returns one dict
    per replication of monthly arrays (see :data:`MONTHLY`), ``tier_counts`` (months ×
    tiers), and the two histograms.

    Arrays indexed by partner have shape (replications, ``width``); partner ``i`` of
    replication ``b`` is also ``b * width + i`` in their flat views (names ending ``_f``).
    Slots beyond a replication's partners, and partners not yet active, are inactive and
    take part in nothing. The monthly step touches every slot only a handful of times; the
    rest of its bookkeeping is kept per event (a won deal, a conflict, an activation).
    """

    def __init__(self, scenario: Scenario, replications: Sequence[Replication],
                 width: int | None = None):
        self.sc = sc = scenario
        self.H = H = sc.horizon_months
        self.reps = list(replications)
        self.B = B = len(self.reps)
        self.W = max(width or partner_slots(sc), max(r.N for r in self.reps))
        tiers = sc.tiers.levels
        self.K = len(tiers)
        # Each stream as a list of the replications' generators, for the per-replication draws.
        self.g = {s: [r.rng[s] for r in self.reps] for s in STREAMS}

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

        d = sc.deals
        self.size_mu = _lognormal_mu(d.deal_size_mean, d.deal_size_sigma)
        self.inf_mu = _lognormal_mu(d.influenced_size_mean, d.influenced_size_sigma)
        self.cert_factor = 1.0 + sc.enablement.certified_win_uplift
        co = sc.costs
        self.people_per_month = sc.onboarding.managers * co.manager_cost_per_month
        self.overhead_per_month = co.overhead_per_month + (
            co.automation_cost_per_month if sc.onboarding.automated else 0.0)
        mdf = sc.mdf
        self.mdf_claim_rate = mdf.utilisation / mdf.period_months
        # Expected registrations per month from a unit of MDF allocation.
        self.mdf_regs_rate = self.mdf_claim_rate * mdf.pipeline_per_dollar / d.deal_size_mean
        ch = sc.churn
        # Churn probability by driver combination: bit 0 unprofitable, bit 1 recent conflict,
        # bit 2 inactive (profitability and inactivity only once seasoned).
        mult = np.array([(ch.low_profit_multiplier if b & 1 else 1.0)
                         * (ch.conflict_multiplier if b & 2 else 1.0)
                         * (ch.inactivity_multiplier if b & 4 else 1.0) for b in range(8)])
        self.churn_p = -np.expm1(-ch.base_hazard * mult)
        self.churn_p_max = float(self.churn_p.max()) if ch.base_hazard > 0 else 0.0

        self._allocate_arrays()
        for b, rep in enumerate(self.reps):
            self._init_replication(b, rep)
        self._init_events()
        self.n_active = np.count_nonzero(self.active, axis=1)
        self.open_total = (self.open.sum(axis=1) if self.geometric
                           else sum(p.sum(axis=1) for p in self.pipe))
        self._tier_changed()
        self.tier_policies = [tier_policy(sc.tiers.policy) for _ in range(B)]
        self.mdf_policies = [mdf_policy(sc.mdf.allocation) for _ in range(B)]

        # Results: the step's values (months × series × replications), the MDF process's
        # series, active partners by tier.
        self.step_vals = np.zeros((H, len(_STEP_SERIES), B))
        self.mdf_budget = np.zeros((B, H))
        self.mdf_lapsed = np.zeros((B, H))
        self.tier_counts = np.zeros((B, H, self.K))

    # ------------------------------------------------------------------ set-up

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
        self.t12_events: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = [None] * 12
        # Month of the last registration seen by event (activation, conflict, tier or MDF
        # registration); the partner's own accepted registrations are read from
        # pre_accepted when its inactivity is checked.
        self.last_reg = np.zeros((B, W))
        self.last_conflict = np.full((B, W), -1e9)
        self.mdf_alloc = np.zeros((B, W))
        self.alloc_total = np.zeros(B)
        self.geometric = d.sales_cycle_distribution == "geometric"
        self.L = 0 if self.geometric else round(d.sales_cycle_months)
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
        self.due: list[tuple[float, int]] = []  # heap of (activation day, flat partner)
        self.pending_first = 0  # active recruits still without a first won deal
        self.thinned: np.ndarray | None = None  # partners activated this month (flat)
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
        self.duration.append(dur.tolist())
        self.hold.append((dur * ob.effective_manager_share).tolist())

        # Starting cohort: active from day 0; tiers by the mix, the most productive partners
        # holding the highest tiers; trailing history set inside the tier's band.
        if n0:
            self.active[b, :n0] = True
            self.act_t[b, :n0] = -DAYS_PER_MONTH
            names = sc.tiers.names()
            mix = rec.initial_tier_mix or {names[0]: 1.0}
            shares = np.array([mix.get(nm, 0.0) for nm in names])
            counts = np.floor(shares * n0).astype(int)
            rest = n0 - counts.sum()
            if rest:
                order = np.argsort(-(shares * n0 - counts), kind="stable")
                counts[order[:rest]] += 1
            by_prod = np.argsort(prod[:n0], kind="stable")
            tier = np.zeros(n0, np.int16)
            tier[by_prod] = np.repeat(np.arange(self.K), counts)
            self.tier[b, :n0] = tier
            lo = self.t_min_rev[tier]
            hi = np.where(tier + 1 < self.K, self.t_min_rev[np.minimum(tier + 1, self.K - 1)],
                          lo * 1.5)
            t12 = lo + tier_u * (hi - lo)
            self.t12[0, b, :n0] = t12
            logos = self.t_min_logo[tier]
            self.t12[1, b, :n0] = logos
            # The history months: a twelfth of the revenue each, the logos spread evenly.
            rows = np.arange(12)[:, None]
            rep.history = (t12 / 12, np.floor(logos / 12) + (rows < logos % 12))
            if sc.enablement.initial_certifications:
                self.certs[b, :n0] = self.t_min_cert[tier]
        d = sc.deals
        if n0 and d.initial_pipeline:
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
        own = prod * d.registrations_per_month
        self.own_lam[b, :N] = own
        self.pre_accepted[:, b, :N] = _monthly_poisson(rng["registrations"], own * (1.0 - pc), H)
        # Conflicts and certifications are rare per partner-month: kept as events.
        rep.conf = _sparse_events(rng["conflicts"], own * pc, N, H)
        rep.certs = _sparse_events(rng["certifications"], sc.enablement.certification_rate,
                                   N, H)
        # Churn: one uniform per partner-month; only those below the largest possible churn
        # probability can ever leave, so keep just those candidates.
        u = rng["churn"].random((H, N))
        below = u < self.churn_p_max
        months, who = np.nonzero(below)
        rep.churn = (months.astype(np.int16), who, u[below])

    def _init_events(self) -> None:
        """Merge the replications' pre-drawn events into month-sorted lists of flat indices,
        and the starting cohort's trailing history into the first twelve months' events."""
        W, H = self.W, self.H
        base = [b * W for b in range(self.B)]
        self.conf_off, self.conf_f = _by_month(
            [r.conf[0] for r in self.reps], [r.conf[1] + o for r, o in zip(self.reps, base, strict=True)],
            months=H)
        self.cert_off, self.cert_f = _by_month(
            [r.certs[0] for r in self.reps], [r.certs[1] + o for r, o in zip(self.reps, base, strict=True)],
            months=H)
        self.churn_off, self.churn_f, self.churn_u = _by_month(
            [r.churn[0] for r in self.reps], [r.churn[1] + o for r, o in zip(self.reps, base, strict=True)],
            [r.churn[2] for r in self.reps], months=H)
        self.conf_f = self.conf_f.astype(np.int64)
        self.cert_f = self.cert_f.astype(np.int64)
        self.churn_f = self.churn_f.astype(np.int64)
        n0 = self.sc.recruitment.initial_partners
        if n0:
            who = (np.arange(n0) + np.array(base)[:, None]).reshape(-1)
            rev = np.concatenate([r.history[0] for r in self.reps])
            logos = np.concatenate([r.history[1] for r in self.reps], axis=1)
            for s in range(12):
                self.t12_events[s] = (who, rev, logos[s])
        for r in self.reps:
            r.conf = r.certs = r.churn = r.history = None

    # ------------------------------------------------------------------ processes

    def _arrivals(self) -> None:
        """Schedule every recruit's sign-up (times drawn up front, in order)."""
        env = self.env
        n0, nq = self.sc.recruitment.initial_partners, self.sc.recruitment.initial_onboarding
        for b, rep in enumerate(self.reps):
            for j in range(nq):
                self._admit(b, n0 + j, 0.0)
            for j, t in enumerate(rep.arrival_t.tolist()):
                env.timeout(t).callbacks.append(partial(self._admit, b, n0 + nq + j, t))

    # A recruit's onboarding is a chain of SimPy events — sign up, request a manager, hold the
    # manager, release — written as callbacks rather than as a generator process: the same
    # queueing, at half the per-recruit event cost. Sign-up, start and activation times are
    # kept per partner; the monthly counts and sums are made from them at the end.

    def _admit(self, b: int, i: int, t: float, _event=None) -> None:
        self.signup_t[b][i] = t
        self.n_admitted[b] += 1
        self.managers[b].request().callbacks.append(partial(self._start_onboarding, b, i))

    def _start_onboarding(self, b: int, i: int, req) -> None:
        env = self.env
        now = env.now
        self.n_started[b] += 1
        self.start_t[b][i] = now
        heapq.heappush(self.due, (now + self.duration[b][i], b * self.W + i))
        env.timeout(self.hold[b][i]).callbacks.append(partial(self._release_manager, b, req))

    def _release_manager(self, b: int, req, _event) -> None:
        self.managers[b].release(req)

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
                met = highest_met_tier(self.t12_rev_f, self.certs_f, self.t12_logos_f,
                                       self.t_min_rev, self.t_min_cert, self.t_min_logo)
                met = met.reshape(self.B, self.W)
                for b, policy in enumerate(self.tier_policies):
                    self.tier[b] = policy.review(self.tier[b], met[b], self.active[b])
                self._tier_changed()

    def _mdf_periods(self):
        mdf = self.sc.mdf
        budget = mdf.budget_per_period
        m = -1
        while True:
            if m + 1 < self.H:
                if budget > 0:
                    for fund in self.funds:
                        fund.put(budget)  # the fund is unbounded: taken at once
                self.mdf_budget[:, m + 1] += budget
                self._allocate()
            for _ in range(mdf.period_months):
                m = yield self.month_closed
            if mdf.lapse:
                for b, fund in enumerate(self.funds):
                    left = fund.level
                    if left > 0:
                        fund.get(left)
                        self.mdf_lapsed[b, m] += left
            self.mdf_alloc[:] = 0.0
            self.alloc_total[:] = 0.0

    def _allocate(self) -> None:
        eligible = self.active & self.t_mdf[self.tier]
        self.mdf_alloc[:] = 0.0
        # Trailing sums kept by running addition can sit a rounding error below zero.
        revenue = np.maximum(self.t12[0], 0.0)
        for b, fund in enumerate(self.funds):
            amount = fund.level
            if amount > 0 and eligible[b].any():
                self.mdf_alloc[b] = self.mdf_policies[b].allocate(
                    amount, eligible[b], self.tier[b], revenue[b], self.t_mdf_weight)
        np.maximum(self.mdf_alloc, 0.0, out=self.mdf_alloc)
        self.alloc_total = self.mdf_alloc.sum(axis=1)
        self._extra_changed()

    def _tier_changed(self) -> None:
        """Refresh the per-partner attributes that follow the tier."""
        tier = self.tier
        sc = self.sc
        self.lead_lam = self.own_lam * (sc.tiers.lead_sharing_uplift * self.t_lead[tier])
        self.lead_lam_f = self.lead_lam.reshape(-1)
        self.p_margin_f = self.t_margin[tier].reshape(-1)
        self.p_rebate_f = self.t_rebate[tier].reshape(-1)
        self.p_share_f = self.p_margin_f + self.p_rebate_f
        w = sc.deals.win_probability
        self.p_win_tier_f = (w * (1.0 + sc.tiers.priority_support_win_uplift
                                  * self.t_prio[tier])).reshape(-1)
        self.p_win_f = np.minimum(1.0, self.p_win_tier_f * np.where(self.certs_f > 0,
                                                                    self.cert_factor, 1.0))
        self.tier_n = np.bincount((tier + (np.arange(self.B) * self.K)[:, None]).reshape(-1),
                                  self.active_f, self.B * self.K).reshape(self.B, self.K)
        self._extra_changed()

    def _extra_changed(self) -> None:
        """Refresh each active partner's rate of registrations from tier benefits (lead
        sharing) and MDF (allocation × claim rate × pipeline per unit / deal size)."""
        self.extra = (self.lead_lam + self.mdf_alloc * self.mdf_regs_rate) * self.active
        self.extra_f = self.extra.reshape(-1)

    # ------------------------------------------------------------------ the monthly step

    def _activate_due(self, m: int, t1: float) -> np.ndarray:
        """Recruits whose onboarding ended by ``t1`` (the end of month ``m``) become active.
        Returns each replication's unexposed partner-months (the part of the month before
        its recruits' activation)."""
        heap, pop = self.due, heapq.heappop
        at, due = [], []
        while heap and heap[0][0] <= t1:
            t, i = pop(heap)
            at.append(t)
            due.append(i)
        if not due:
            return np.zeros(self.B)
        W = self.W
        at, due = np.array(at), np.array(due)
        self.act_t_f[due] = at
        self.active_f[due] = True
        self.awaiting_f[due] = True
        self.act_m_f[due] = m
        self.last_reg_f[due] = m
        self.extra_f[due] = self.lead_lam_f[due]
        rep = due // W
        activated = np.bincount(rep, minlength=self.B)
        self.n_activated += activated
        self.n_active += activated
        np.add.at(self.tier_n, (rep, self.tier_f[due]), 1.0)
        self.pending_first += len(due)
        # Active for only part of this month: thin its pre-drawn registrations (a thinned
        # Poisson count is Poisson) by the share of the month left. Conflicts are thinned
        # event by event in the step.
        share = (m + 1) - at / DAYS_PER_MONTH
        np.minimum(share, 1.0, out=share)
        np.maximum(share, 0.0, out=share)
        pre = self.pre_f[m]
        counts = pre[due]
        nz = counts.nonzero()[0]
        if len(nz):
            gens = self.g["registrations"]
            pre[due[nz]] = [gens[i // W].binomial(c, s) for i, c, s in
                            zip(due[nz].tolist(), counts[nz].tolist(), share[nz].tolist(),
                                strict=True)]
        self.exposure_f[due] = share
        self.thinned = due
        return np.bincount(rep, 1.0 - share, self.B)

    def _step(self, m: int) -> None:
        sc, g = self.sc, self.g
        d, cu = sc.deals, sc.customers
        B, W = self.B, self.W
        t1 = (m + 1) * DAYS_PER_MONTH
        slot = m % 12
        unexposed = self._activate_due(m, t1) if self.due else np.zeros(B)
        active, active_f = self.active, self.active_f
        # Partners activated during this month are exposed only for part of it.
        exposure_total = self.n_active - unexposed
        vals = self.step_vals[m]

        # Customers: the cohort booked 12, 24, ... months ago renews or churns.
        arr, cust = self.cohort_arr, self.cohort_cust
        if m >= 12:
            c = cust[:, :, slot]
            rows, cols = c.nonzero()
            if len(rows):
                n = c[rows, cols]
                gens = g["renewals"]
                kept = np.array([gens[b].binomial(k, cu.renewal_rate)
                                 for b, k in zip(rows.tolist(), n.tolist(), strict=True)],
                                np.int64)
                f = np.ones((B, 2))
                f[rows, cols] = kept / n
                c[rows, cols] = kept
                arr[:, :2, slot] *= f
                arr[:, 2:, slot] *= f[:, :1]

        # MDF claims: each partner spends its allocation evenly over the period, taken from
        # its replication's fund; the spend adds registrations.
        extra, extra_f = self.extra, self.extra_f
        if self.alloc_total.any():
            levels = np.array([fund.level for fund in self.funds])
            total = self.alloc_total * self.mdf_claim_rate
            scale = np.minimum(1.0, np.divide(levels, total, out=np.ones(B), where=total > 0))
            short = scale < 1.0
            if short.any():  # never claim more than the fund holds
                total = total * scale
                extra = extra - self.mdf_alloc * (self.mdf_regs_rate * (1.0 - scale))[:, None]
                extra_f = extra.reshape(-1)
            for b in total.nonzero()[0].tolist():
                self.funds[b].get(float(total[b]))
            vals[_COL["mdf_spent"]] = total
            vals[_COL["mdf_registrations"]] = total * (self.mdf_regs_rate / self.mdf_claim_rate)

        # Registrations, split (a thinned Poisson stream is Poisson) into accepted and
        # conflicted ones, from the partner's own rate (drawn up front per partner-month, so
        # variants share them) and from tier benefits and MDF (drawn here).
        pc = d.conflict_probability
        accepted = np.multiply(self.pre_accepted[m], active, dtype=np.int64)
        lo, hi = self.conf_off[m], self.conf_off[m + 1]
        conf = self.conf_f[lo:hi]  # partner of each conflicted registration
        if hi > lo:
            conf = conf[active_f[conf]]
            if self.thinned is not None and len(conf):
                part = (self.exposure_f[conf] < 1.0).nonzero()[0]
                if len(part):
                    gens = g["registrations"]
                    keep = np.ones(len(conf), bool)
                    keep[part] = [gens[i // W].random() < s for i, s in
                                  zip(conf[part].tolist(), self.exposure_f[conf[part]].tolist(),
                                      strict=True)]
                    conf = conf[keep]
        if self.thinned is not None:
            self.exposure_f[self.thinned] = 1.0
            self.thinned = None
        cum = extra.cumsum(axis=1)
        totals = cum[:, -1]
        events, points = [], []
        gens = g["extra_registrations"]
        for b in totals.nonzero()[0].tolist():
            # One Poisson total placed on partners with probability rate / total (the same
            # distribution), so the cost is that of the events, not of the partners.
            gen, total = gens[b], totals[b]
            k = gen.poisson(total)
            if k:
                x = gen.random(k) * total
                who = cum[b, :self.reps[b].N - 1].searchsorted(x, "right")
                who += b * W
                events.append(who)
                points.append(x)
        if events:
            events = np.concatenate(events)
            if pc > 0:
                # Where an event falls inside its partner's share of the total is a fresh
                # uniform: below the conflict probability, the registration is rejected.
                x = np.concatenate(points)
                cum_f, start = cum.reshape(-1), events % W > 0
                below = np.where(start, cum_f[events - start], 0.0)
                frac = np.divide(x - below, extra_f[events], out=np.ones(len(x)),
                                 where=extra_f[events] > 0)
                rejected = frac < pc
                if rejected.any():
                    conf = np.concatenate((conf, events[rejected]))
                    events = events[~rejected]
            np.add.at(accepted.reshape(-1), events, 1)
            self.last_reg_f[events] = m
        n_conf = np.bincount(conf // W, minlength=B)
        if len(conf):
            self.last_conflict_f[conf] = m
            self.last_reg_f[conf] = m
        n_accepted = accepted.sum(axis=1)
        vals[_COL["registrations"]] = n_accepted + n_conf
        vals[_COL["conflicts"]] = n_conf

        # Pipeline: deals close after the sales cycle.
        if self.geometric:
            p_close = min(1.0, 1.0 / max(d.sales_cycle_months, 1.0))
            owner = np.repeat(self._arange_f, self.open_f)
            gens = g["pipeline"]
            u = np.concatenate([gens[b].random(k) for b, k in
                                enumerate(self.open_total.tolist())])
            closing = np.bincount(owner[u < p_close], minlength=B * W).reshape(B, W)
            n_closing = closing.sum(axis=1)
            self.open += accepted - closing
        elif self.L == 0:
            closing, n_closing = accepted, n_accepted
        else:
            j = m % self.L
            closing, self.pipe[j] = self.pipe[j], accepted
            n_closing = closing.sum(axis=1)
        self.open_total += n_accepted - n_closing
        vals[_COL["open_deals"]] = self.open_total

        # Wins: one uniform per closing deal against its partner's win probability; sizes: one
        # lognormal per won deal, a subscription with probability recurring_share.
        owner = np.repeat(self._arange_f, closing.reshape(-1))  # ascending flat index
        gens = g["wins"]
        u = np.concatenate([gens[b].random(k) for b, k in enumerate(n_closing.tolist())])
        p_win = self.p_win_f[owner]
        hit = (u < p_win).nonzero()[0]
        won = owner[hit]
        # Given a win, u / p_win is a fresh uniform: it decides whether the deal recurs.
        recurring = u[hit] < p_win[hit] * cu.recurring_share
        rep_won = won // W
        n_wins = np.bincount(rep_won, minlength=B)
        vals[_COL["wins"]] = n_wins
        old = self.t12_events[slot]
        if len(won):
            gens = g["sizes"]
            sizes = np.concatenate([gens[b].lognormal(self.size_mu, d.deal_size_sigma, k)
                                    for b, k in enumerate(n_wins.tolist())])
            rec_sizes = sizes * recurring
            margin, rebate = self.p_margin_f[won], self.p_rebate_f[won]
            booked = np.bincount(rep_won, sizes, B)
            rec_total = np.bincount(rep_won, rec_sizes, B)
            rec_margin = np.bincount(rep_won, rec_sizes * margin, B)
            rec_rebate = np.bincount(rep_won, rec_sizes * rebate, B)
            arr[:, 0, slot] += rec_total
            arr[:, 2, slot] += rec_margin
            arr[:, 3, slot] += rec_rebate
            cust[:, 0, slot] += np.bincount(rep_won, recurring, B).astype(np.int64)
            once = booked - rec_total
            once_margin = np.bincount(rep_won, sizes * margin, B) - rec_margin
            once_rebate = np.bincount(rep_won, sizes * rebate, B) - rec_rebate
            vals[_COL["sourced_bookings"]] = booked
            # Time to first revenue of recruits: the month of their first won deal.
            if self.pending_first:
                first = won[self.awaiting_f[won]]  # ascending, a partner once per win
                if len(first):
                    self.awaiting_f[first] = False
                    self.first_m_f[first] = m
                    self.pending_first -= 1 + int(np.count_nonzero(first[1:] != first[:-1]))
            self.t12_events[slot] = (won, sizes, 1.0)
        else:
            once = once_margin = once_rebate = 0.0
            self.t12_events[slot] = None
        # Trailing-12-month sourced bookings and new logos per partner: add this month's
        # wins, take off those of twelve months ago.
        if old is not None:
            np.subtract.at(self.t12_rev_f, old[0], old[1])
            np.subtract.at(self.t12_logos_f, old[0], old[2])
        if len(won):
            np.add.at(self.t12_rev_f, won, sizes)
            np.add.at(self.t12_logos_f, won, 1.0)

        # Influenced deals: vendor-sourced, partner-touched; one Poisson draw for the month.
        once_inf = 0.0
        if d.influenced_per_month > 0:
            lam_inf = d.influenced_per_month * exposure_total
            gens = g["influenced"]
            k_inf, sizes, recurring = [], [], []
            for b, lam in enumerate(lam_inf.tolist()):
                k = gens[b].poisson(lam) if lam > 0 else 0
                k_inf.append(k)
                if k:
                    sizes.append(gens[b].lognormal(self.inf_mu, d.influenced_size_sigma, k))
                    recurring.append(gens[b].random(k))
            vals[_COL["influenced_deals"]] = k_inf
            if sizes:
                rep_inf = np.repeat(np.arange(B), k_inf)
                sizes = np.concatenate(sizes)
                recurring = np.concatenate(recurring) < cu.recurring_share
                booked = np.bincount(rep_inf, sizes, B)
                rec_total = np.bincount(rep_inf, sizes * recurring, B)
                arr[:, 1, slot] += rec_total
                cust[:, 1, slot] += np.bincount(rep_inf, recurring, B).astype(np.int64)
                once_inf = booked - rec_total
                vals[_COL["influenced_bookings"]] = booked

        # Enablement: certified people per active partner-month (pre-drawn events).
        n_cert = 0
        lo, hi = self.cert_off[m], self.cert_off[m + 1]
        if hi > lo:
            who = self.cert_f[lo:hi]
            who = who[active_f[who]]
            if len(who):
                n_cert = np.bincount(who // W, minlength=B)
                first_cert = who[self.certs_f[who] == 0]
                np.add.at(self.certs_f, who, 1.0)
                if len(first_cert):
                    self.p_win_f[first_cert] = np.minimum(
                        1.0, self.p_win_tier_f[first_cert] * self.cert_factor)
                vals[_COL["certifications"]] = n_cert

        # Partner churn: hazard raised by low profitability, recent conflict, inactivity.
        churned = 0
        lo, hi = self.churn_off[m], self.churn_off[m + 1]
        if hi > lo:
            # Only partners whose uniform is below the largest possible churn probability can
            # leave; the exact probability is looked up for those few.
            cand, u = self.churn_f[lo:hi], self.churn_u[lo:hi]
            ok = active_f[cand]
            cand, u = cand[ok], u[ok]
            if len(cand):
                churned = self._churn(m, t1, cand, u)

        # Partners by state and tier at the month end.
        self.tier_counts[:, m] = self.tier_n
        started = np.array(self.n_started)
        vals[_COL["partners_waiting"]] = np.array(self.n_admitted) - started
        vals[_COL["partners_onboarding"]] = started - self.n_activated
        vals[_COL["partners_active"]] = self.n_active
        vals[_COL["partners_churned"]] = self.n_churned
        vals[_COL["churned"]] = churned

        # Recognised revenue: one-off deals when booked, subscriptions monthly (ARR / 12).
        sums = arr.sum(axis=2)
        vals[_COL["sourced_revenue"]] = once + sums[:, 0] / 12
        vals[_COL["influenced_revenue"]] = once_inf + sums[:, 1] / 12
        vals[_COL["arr_sourced"]] = sums[:, 0]
        vals[_COL["arr_influenced"]] = sums[:, 1]
        vals[_COL["margins"]] = once_margin + sums[:, 2] / 12
        vals[_COL["rebates"]] = once_rebate + sums[:, 3] / 12
        vals[_COL["customers"]] = cust.sum(axis=(1, 2))

        # Costs by ROPI investment category (MDF spent is above).
        co = sc.costs
        conflict_cost = n_conf * d.conflict_cost
        vals[_COL["conflict_cost"]] = conflict_cost
        vals[_COL["cost_people"]] = self.people_per_month + conflict_cost
        vals[_COL["cost_enablement"]] = co.enablement_per_month \
            + n_cert * co.cost_per_certification
        vals[_COL["cost_overhead"]] = self.overhead_per_month \
            + self.n_active * co.overhead_per_partner_month

    def _churn(self, m: int, t1: float, cand: np.ndarray, u: np.ndarray) -> np.ndarray | int:
        """Churn among the active candidates ``cand`` (flat) with uniforms ``u``: a partner
        leaves when ``u`` is below its probability for the drivers it has. Returns the
        partners churned per replication."""
        ch = self.sc.churn
        seasoned = self.act_t_f[cand] <= t1 - ch.grace_months * DAYS_PER_MONTH
        poor = self.t12_rev_f[cand] * self.p_share_f[cand] < ch.low_profit_threshold
        recent = self.last_conflict_f[cand] > m - ch.conflict_memory_months
        # Inactive: no registration in the last inactivity_months months — neither one
        # seen by event nor one of its own accepted ones.
        idle = self.last_reg_f[cand] <= m - ch.inactivity_months
        window = self.pre_f[max(0, m - ch.inactivity_months + 1):m + 1]
        idle &= ~(window[:, cand] > 0).any(axis=0)
        drivers = (poor + 4 * idle) * seasoned + 2 * recent
        leave = cand[u < self.churn_p[drivers]]
        if not len(leave):
            return 0
        B, W = self.B, self.W
        rep = leave // W
        churned = np.bincount(rep, minlength=B)
        self.active_f[leave] = False
        self.extra_f[leave] = 0.0
        self.alloc_total -= np.bincount(rep, self.mdf_alloc_f[leave], B)
        self.mdf_alloc_f[leave] = 0.0
        # Their open deals are lost.
        if self.geometric:
            lost = np.bincount(rep, self.open_f[leave], B)
            self.open_f[leave] = 0
        else:
            lost = 0
            for pipe in self.pipe:
                flat = pipe.reshape(-1)
                lost = lost + np.bincount(rep, flat[leave], B)
                flat[leave] = 0
        self.open_total -= np.rint(lost).astype(np.int64)
        np.subtract.at(self.tier_n, (rep, self.tier_f[leave]), 1.0)
        self.n_active -= churned
        self.n_churned += churned
        self.pending_first -= int(np.count_nonzero(self.awaiting_f[leave]))
        self.awaiting_f[leave] = False
        return churned

    # ------------------------------------------------------------------ results

    def _month_of(self, t: np.ndarray) -> np.ndarray:
        return np.clip((t / DAYS_PER_MONTH).astype(np.int64), 0, self.H - 1)

    def _result(self, b: int) -> dict[str, np.ndarray]:
        """Replication ``b``'s monthly arrays: the step's values, the MDF process's series,
        and the per-recruit times summed by month."""
        H, rep = self.H, self.reps[b]
        out = {k: np.zeros(H) for k in MONTHLY}
        for j, name in enumerate(_STEP_SERIES):
            out[name][:] = self.step_vals[:, j, b]
        out["mdf_budget"][:] = self.mdf_budget[b]
        out["mdf_lapsed"][:] = self.mdf_lapsed[b]
        # Recruits by sign-up month (the initial onboarding cohort is not recruited).
        if len(rep.arrival_t):
            out["recruits"][:] = np.bincount(self._month_of(rep.arrival_t), minlength=H)
        out["cost_recruitment"][:] = out["recruits"] \
            * self.sc.costs.recruitment_cost_per_partner
        rec = slice(self.sc.recruitment.initial_partners, rep.N)
        signup, start = np.array(self.signup_t[b])[rec], np.array(self.start_t[b])[rec]
        # Onboarding starts and waits for a manager, by sign-up month.
        started = np.isfinite(start)
        mo = self._month_of(signup[started])
        out["onboarding_starts"][:] = np.bincount(mo, minlength=H)
        out["onboarding_wait_sum"][:] = np.bincount(mo, start[started] - signup[started], H)
        # Activations and days from sign-up to active, by month of activation.
        act_m, act_t = self.act_m[b, rec], self.act_t[b, rec]
        done = act_m >= 0
        days = act_t[done] - signup[done]
        out["activations"][:] = np.bincount(act_m[done], minlength=H)
        out["days_to_active_sum"][:] = np.bincount(act_m[done], days, H)
        last = hist_bins(H) - 1
        hist_active = np.bincount(np.minimum((days / HIST_BIN_DAYS).astype(np.int64), last),
                                  minlength=last + 1).astype(float)
        # Time to first revenue: sign-up → the first won sourced deal (the month's midpoint
        # stands for the day of the win, but not before the partner was active).
        first_m = self.first_m[b, rec]
        won = first_m >= 0
        days = np.maximum((first_m[won] + 0.5) * DAYS_PER_MONTH, act_t[won]) - signup[won]
        out["first_revenues"][:] = np.bincount(first_m[won], minlength=H)
        out["days_to_first_revenue_sum"][:] = np.bincount(first_m[won], days, H)
        hist_first = np.bincount(np.minimum((days / HIST_BIN_DAYS).astype(np.int64), last),
                                 minlength=last + 1).astype(float)
        out["tier_counts"] = self.tier_counts[b]
        out["hist_first_revenue"] = hist_first
        out["hist_days_active"] = hist_active
        return out

    # ------------------------------------------------------------------ run

    def run(self, should_stop: Callable[[], bool] | None = None, slice_months: int = 6,
            on_progress: Callable[[float], None] | None = None) -> list[dict[str, np.ndarray]]:
        """Simulate the horizon in slices of ``slice_months``; between slices call
        ``should_stop`` and raise :class:`Cancelled` when it says so, and report the fraction
        of months done to ``on_progress``. Returns one result dict per replication."""
        self.env = env = simpy.Environment()
        cap = self.sc.onboarding.managers
        self.managers = [simpy.Resource(env, capacity=cap) for _ in range(self.B)]
        self.funds = [simpy.Container(env) for _ in range(self.B)]
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
            if on_progress is not None and end < self.H:
                on_progress(end / self.H)
        return [self._result(b) for b in range(self.B)]


def simulate_replications(scenario: Scenario, seeds: Sequence[np.random.SeedSequence],
                          should_stop: Callable[[], bool] | None = None,
                          on_progress: Callable[[float], None] | None = None
                          ) -> list[dict[str, np.ndarray]]:
    """Run the replications seeded ``seeds`` (in batches of :func:`batch_size`) and return
    their monthly arrays, in order. Each replication's numbers are those it has when run
    alone. ``on_progress`` gets the fraction done (0..1) between slices of months."""
    reps = [Replication(scenario, s) for s in seeds]
    width = partner_slots(scenario)
    # Replications that need wider arrays than the scenario's (vanishingly rare) run alone,
    # so that no replication's array width depends on its batch. The others run in batches
    # of equal size (a small last batch would pay the monthly step's fixed cost for few).
    batches: list[list[int]] = []
    normal = [j for j, r in enumerate(reps) if width >= r.N]
    size = math.ceil(len(normal) / max(1, math.ceil(len(normal) / batch_size(scenario))))
    batches += [normal[i:i + size] for i in range(0, len(normal), size)]
    batches += [[j] for j, r in enumerate(reps) if width < r.N]
    results: list[dict[str, np.ndarray] | None] = [None] * len(reps)
    done = 0
    def progress(done: int, k: int, f: float) -> None:
        if on_progress is not None:
            on_progress((done + f * k) / len(reps))

    for batch in batches:
        model = ProgramModel(scenario, [reps[j] for j in batch], width)
        outputs = model.run(should_stop, on_progress=partial(progress, done, len(batch)))
        for j, res in zip(batch, outputs, strict=True):
            results[j] = res
            reps[j] = None  # type: ignore[call-overload]  # free the streams early
        done += len(batch)
        if on_progress is not None and done < len(reps):
            on_progress(done / len(reps))
    return results  # type: ignore[return-value]


def simulate_replication(scenario: Scenario, seed: np.random.SeedSequence,
                         should_stop: Callable[[], bool] | None = None) -> dict[str, np.ndarray]:
    """Run one replication and return its monthly arrays (see :class:`ProgramModel`)."""
    return simulate_replications(scenario, [seed], should_stop)[0]
