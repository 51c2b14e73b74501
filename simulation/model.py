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
- ``_months``: at the end of each month, one vectorised step (named stages, in
  :mod:`simulation.model_step`; the set-up is in :mod:`simulation.model_setup`):
  activations, registrations (Poisson), conflicts, the open-deal pipeline (a ring buffer
  of registration months, or of closing months for a gamma cycle),
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

from jbp.progress import Cancelled

from .model_setup import ModelSetup, _lognormal_mu, cycle_months
from .model_step import _STEP_SERIES, MonthlyStep
from .policies import highest_met_tier, mdf_policy, tier_policy
from .scenario import DAYS_PER_MONTH, Scenario

__all__ = ["MONTHLY", "STREAMS", "Cancelled", "ProgramModel", "Replication", "batch_size",
           "cycle_months", "partner_slots", "simulate_replication", "simulate_replications"]

#: Random streams, spawned in this order from each replication's seed. Append new streams at
#: the end so that existing ones keep their numbers.
STREAMS = ("arrivals", "partners", "onboarding", "registrations", "extra_registrations",
           "conflicts", "pipeline", "wins", "sizes", "influenced", "certifications", "churn",
           "renewals", "churn_bursts", "parameters", "launch")

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
    # Censored at the horizon (written in the last month): recruits still waiting for a
    # manager, and recruits without a first win yet, with the days they have waited so far.
    "onboarding_censored": "partners",
    "onboarding_wait_censored_sum": "days",
    "first_revenue_censored": "partners",
    "days_to_first_revenue_censored_sum": "days",
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
    mean = rec.arrivals_per_month * scenario.horizon_months * (1.0 + 3.0 * rec.arrivals_cv)
    return (rec.initial_partners + rec.initial_onboarding
            + math.ceil(mean + 7.0 * math.sqrt(mean) + 7.0))


def batch_size(scenario: Scenario) -> int:
    """Replications worth advancing together for this scenario (see :data:`BATCH_SLOTS`)."""
    return max(1, min(MAX_BATCH, BATCH_SLOTS // max(partner_slots(scenario), 1)))


class Replication:
    """One replication's random streams and arrivals, drawn before its batch is built (the
    number of recruits decides how wide the batch's arrays must be)."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence):
        self.rng = dict(zip(STREAMS, (np.random.Generator(np.random.PCG64(s))
                                      for s in seed.spawn(len(STREAMS))), strict=True))
        rec = scenario.recruitment
        H = scenario.horizon_months
        arr = self.rng["arrivals"]
        rate = rec.arrivals_per_month
        if rec.arrivals_cv > 0:  # the rate itself uncertain: a gamma of mean 1 and that CV
            shape = 1.0 / rec.arrivals_cv ** 2
            rate *= arr.gamma(shape, 1.0 / shape)
        n_arr = int(arr.poisson(rate * H))
        # The calibrated rates' own uncertainty: one gamma factor of mean 1 per replication
        # for the registration rate, the win probability and the mean deal size.
        d = scenario.deals
        par = self.rng["parameters"]
        self.reg_factor, self.win_factor, self.size_factor = (
            float(par.gamma(1.0 / cv ** 2, cv ** 2)) if cv > 0 else 1.0
            for cv in (d.registrations_cv, d.win_probability_cv, d.deal_size_cv))
        self.arrival_t = np.sort(arr.uniform(0.0, H * DAYS_PER_MONTH, n_arr))
        self.N = rec.initial_partners + rec.initial_onboarding + n_arr
        # Pre-drawn events (month, partner[, uniform]) and the starting cohort's trailing
        # history, handed from the replication's set-up to its batch's merged lists.
        self.conf: tuple[np.ndarray, ...] | None = None
        self.certs: tuple[np.ndarray, ...] | None = None
        self.churn: tuple[np.ndarray, ...] | None = None
        self.history: tuple[np.ndarray, ...] | None = None


class ProgramModel(ModelSetup, MonthlyStep):
    """A batch of replications of one scenario, advanced together. ``run()`` returns one dict
    per replication of monthly arrays (see :data:`MONTHLY`), ``tier_counts`` (months ×
    tiers), and the two histograms.

    Arrays indexed by partner have shape (replications, ``width``); partner ``i`` of
    replication ``b`` is also ``b * width + i`` in their flat views (names ending ``_f``).
    Slots beyond a replication's partners, and partners not yet active, are inactive and
    take part in nothing. The monthly step touches every slot only a handful of times; the
    rest of its bookkeeping is kept per event (a won deal, a conflict, an activation).
    """

    #: Fired at the end of each month (set by ``run``); replaced by a fresh event each time.
    month_closed: simpy.Event

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
        self.win_scale = np.array([r.win_factor for r in self.reps])
        self.size_mu_b = self.size_mu + np.log([r.size_factor for r in self.reps])
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
        self.churn_rate = ch.base_hazard * mult
        self.churn_rate_max = float(self.churn_rate.max())
        self.churn_p_max = float(self.churn_p.max()) if ch.base_hazard > 0 else 0.0

        self._allocate_arrays()
        self.burst = np.ones((B, H))  # the month's common churn factor (bursts)
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

    # ------------------------------------------------------------------ processes
    # (set-up: simulation.model_setup; the monthly step: simulation.model_step)

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
        w = sc.deals.win_probability * self.win_scale[:, None]
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
        # Censored at the horizon: still waiting for a manager; signed up and not churned
        # but without a won deal yet. Their days so far make the "at least" means.
        end = H * DAYS_PER_MONTH
        signed = np.isfinite(signup)
        waiting = signed & ~started
        out["onboarding_censored"][-1] = np.count_nonzero(waiting)
        out["onboarding_wait_censored_sum"][-1] = float(np.sum(end - signup[waiting]))
        churned = np.isfinite(act_t) & ~self.active[b, rec]
        pending = signed & ~won & ~churned
        out["first_revenue_censored"][-1] = np.count_nonzero(pending)
        out["days_to_first_revenue_censored_sum"][-1] = float(np.sum(end - signup[pending]))
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
