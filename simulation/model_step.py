"""The model's monthly step, as named stages.

Part of :class:`simulation.model.ProgramModel` (a mixin: the methods use its attributes).
At the end of each month :meth:`MonthlyStep._step` activates the recruits due, then
renews customers, claims MDF, draws registrations, advances the pipeline, decides wins,
draws influenced deals, certifications and churn, and records the month's values.
"""

from __future__ import annotations

import heapq

import numpy as np

from .model_state import ModelState
from .scenario import DAYS_PER_MONTH

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


class MonthlyStep(ModelState):
    """The monthly half of :class:`simulation.model.ProgramModel`."""

    def _activate_due(self, m: int, t1: float) -> np.ndarray:
        """Recruits whose onboarding ended by ``t1`` (the end of month ``m``) become active.
        Returns each replication's unexposed partner-months (the part of the month before
        its recruits' activation)."""
        heap, pop = self.due, heapq.heappop
        at_days: list[float] = []
        due_flat: list[int] = []
        while heap and heap[0][0] <= t1:
            t, i = pop(heap)
            at_days.append(t)
            due_flat.append(i)
        if not due_flat:
            return np.zeros(self.B)
        W = self.W
        at, due = np.array(at_days), np.array(due_flat)
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
        """One month, as named stages in the order they happen."""
        t1 = (m + 1) * DAYS_PER_MONTH
        unexposed = self._activate_due(m, t1) if self.due else np.zeros(self.B)
        # Partners activated during this month are exposed only for part of it.
        exposure_total = self.n_active - unexposed
        vals = self.step_vals[m]
        self._renew_customers(m)
        extra, extra_f = self._claim_mdf(vals)
        launch = self._launch(m)
        if launch is not None and self.sc.deals.new_partner_registration_factor > 1.0:
            extra = extra + (self.sc.deals.new_partner_registration_factor - 1.0) \
                * self.own_lam * launch
            extra_f, launch = extra.reshape(-1), None
        accepted, n_accepted = self._register(m, vals, extra, extra_f, launch)
        closing, n_closing = self._advance_pipeline(m, vals, accepted, n_accepted)
        once = self._win(m, vals, closing, n_closing)
        once_inf = self._influenced(m, vals, exposure_total)
        n_cert = self._certify(m, vals)
        churned = self._churn_month(m, t1)
        self._record(m, vals, churned, once, once_inf, n_cert)

    def _renew_customers(self, m: int) -> None:
        """Customers: the cohort booked 12, 24, ... months ago renews or churns."""
        if m < 12:
            return
        slot, B = m % 12, self.B
        arr, cust = self.cohort_arr, self.cohort_cust
        c = cust[:, :, slot]
        rows, cols = c.nonzero()
        if len(rows):
            n = c[rows, cols]
            gens = self.g["renewals"]
            rate = self.sc.customers.renewal_rate
            kept = np.array([gens[b].binomial(k, rate)
                             for b, k in zip(rows.tolist(), n.tolist(), strict=True)],
                            np.int64)
            f = np.ones((B, 2))
            f[rows, cols] = kept / n
            c[rows, cols] = kept
            arr[:, :2, slot] *= f
            arr[:, 2:, slot] *= f[:, :1]

    def _claim_mdf(self, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """MDF claims: each partner spends its allocation evenly over the period, taken from
        its replication's fund; the spend adds registrations. Returns the month's extra
        registration rates (tier benefits and MDF) per partner."""
        extra, extra_f = self.extra, self.extra_f
        if self.alloc_total.any():
            B = self.B
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
        return extra, extra_f

    def _launch(self, m: int) -> np.ndarray | None:
        """Partners in their launch period in month ``m`` (active, and less than
        ``deals.new_partner_months`` months since activation at the middle of the month: a
        partner active from a month's day x has K months of launch on average, as the
        calibration counts them in days), or None when the launch factor is 1."""
        d = self.sc.deals
        if d.new_partner_registration_factor == 1.0 or d.new_partner_months <= 0:
            return None
        since = (m + 0.5) * DAYS_PER_MONTH - self.act_t
        return self.active & (since < d.new_partner_months * DAYS_PER_MONTH)

    def _thin_launch(self, accepted: np.ndarray, conf: np.ndarray, launch: np.ndarray,
                     ) -> np.ndarray:
        """A launch factor below 1: each own registration of a partner in its launch period
        is kept with that probability (a thinned Poisson count is Poisson), accepted ones in
        ``accepted`` (in place) and conflicted ones of ``conf`` (returned)."""
        f, gens, W = self.sc.deals.new_partner_registration_factor, self.g["launch"], self.W
        flat = accepted.reshape(-1)
        who = (launch.reshape(-1) & (flat > 0)).nonzero()[0]
        if len(who):
            flat[who] = [gens[i // W].binomial(c, f) for i, c in
                         zip(who.tolist(), flat[who].tolist(), strict=True)]
        if len(conf):
            mine = launch.reshape(-1)[conf]
            if mine.any():
                keep = np.ones(len(conf), bool)
                keep[mine] = [gens[i // W].random() < f for i in conf[mine].tolist()]
                conf = conf[keep]
        return conf

    def _register(self, m: int, vals: np.ndarray, extra: np.ndarray, extra_f: np.ndarray,
                  launch: np.ndarray | None = None):
        """Registrations, split (a thinned Poisson stream is Poisson) into accepted and
        conflicted ones, from the partner's own rate (drawn up front per partner-month, so
        variants share them; thinned in a partner's launch period when its factor is below
        1, see :meth:`_launch`) and from tier benefits, MDF and a launch factor above 1
        (drawn here). Returns the accepted ones per partner and their number per replication
        (the conflicts per replication are kept in ``n_conf``)."""
        g, B, W = self.g, self.B, self.W
        active, active_f = self.active, self.active_f
        pc = self.sc.deals.conflict_probability
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
        if launch is not None:
            conf = self._thin_launch(accepted, conf, launch)
        cum = extra.cumsum(axis=1)
        totals = cum[:, -1]
        found: list[np.ndarray] = []
        points: list[np.ndarray] = []
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
                found.append(who)
                points.append(x)
        if found:
            events = np.concatenate(found)
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
        self.n_conf = n_conf
        return accepted, n_accepted

    def _advance_pipeline(self, m: int, vals: np.ndarray, accepted: np.ndarray,
                          n_accepted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Open deals: this month's accepted registrations join the pipeline; the deals
        whose sales cycle ends this month close. Returns the closing deals per partner and
        their number per replication."""
        d = self.sc.deals
        B, W = self.B, self.W
        if self.cycle_pmf is not None:
            assert self.cycle_cdf is not None  # set with cycle_pmf (a gamma cycle)
            j = m % self.L
            closing = self.pipe[j]
            self.pipe[j] = np.zeros_like(closing)
            if n_accepted.any():
                # One uniform per accepted registration decides the month it closes in.
                owner = np.repeat(self._arange_f, accepted.reshape(-1))
                gens = self.g["pipeline"]
                u = np.concatenate([gens[b].random(k) for b, k in
                                    enumerate(n_accepted.tolist())])
                delay = np.minimum(self.cycle_cdf.searchsorted(u, "right"), self.L - 1)
                now = delay == 0
                closing = closing + np.bincount(owner[now], minlength=B * W).reshape(B, W)
                later = ~now
                for k in np.unique(delay[later]).tolist():
                    sel = owner[later][delay[later] == k]
                    self.pipe[(m + k) % self.L].reshape(-1)[:] += np.bincount(
                        sel, minlength=B * W)
            n_closing = closing.sum(axis=1)
        elif self.geometric:
            p_close = min(1.0, 1.0 / max(d.sales_cycle_months, 1.0))
            owner = np.repeat(self._arange_f, self.open_f)
            gens = self.g["pipeline"]
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
        return closing, n_closing

    def _win(self, m: int, vals: np.ndarray, closing: np.ndarray, n_closing: np.ndarray):
        """Wins: one uniform per closing deal against its partner's win probability; sizes:
        one lognormal per won deal, a subscription with probability recurring_share.
        Returns this month's one-off (non-recurring) bookings, margins and rebates."""
        g, B, W = self.g, self.B, self.W
        d, cu = self.sc.deals, self.sc.customers
        slot = m % 12
        arr, cust = self.cohort_arr, self.cohort_cust
        owner = np.repeat(self._arange_f, closing.reshape(-1))  # ascending flat index
        gens = g["wins"]
        u = np.concatenate([gens[b].random(k) for b, k in enumerate(n_closing.tolist())])
        p_win = self.p_win_f[owner]
        if d.new_partner_win_factor != 1.0 and d.new_partner_months > 0 and len(owner):
            # Deals registered in the launch period close within a cycle of its end.
            since = (m + 0.5) * DAYS_PER_MONTH - self.act_t_f[owner]
            new = since < (d.new_partner_months + d.sales_cycle_months) * DAYS_PER_MONTH
            p_win = np.where(new, np.minimum(1.0, p_win * d.new_partner_win_factor), p_win)
        hit = (u < p_win).nonzero()[0]
        won = owner[hit]
        # Given a win, u / p_win is a fresh uniform: it decides whether the deal recurs.
        recurring = u[hit] < p_win[hit] * cu.recurring_share
        rep_won = won // W
        n_wins = np.bincount(rep_won, minlength=B)
        vals[_COL["wins"]] = n_wins
        old = self.t12_events[slot]
        once: np.ndarray | float
        once_margin: np.ndarray | float
        once_rebate: np.ndarray | float
        if len(won):
            gens = g["sizes"]
            sizes = np.concatenate([gens[b].lognormal(self.size_mu_b[b], d.deal_size_sigma, k)
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
        return once, once_margin, once_rebate

    def _influenced(self, m: int, vals: np.ndarray, exposure_total: np.ndarray):
        """Influenced deals: vendor-sourced, partner-touched; one Poisson draw for the
        month. Returns their one-off bookings."""
        d, cu, B = self.sc.deals, self.sc.customers, self.B
        arr, cust, slot = self.cohort_arr, self.cohort_cust, m % 12
        once_inf: np.ndarray | float = 0.0
        if d.influenced_per_month > 0:
            lam_inf = d.influenced_per_month * exposure_total
            gens = self.g["influenced"]
            k_inf: list[int] = []
            size_draws: list[np.ndarray] = []
            recurring_draws: list[np.ndarray] = []
            for b, lam in enumerate(lam_inf.tolist()):
                k = gens[b].poisson(lam) if lam > 0 else 0
                k_inf.append(k)
                if k:
                    size_draws.append(gens[b].lognormal(self.inf_mu, d.influenced_size_sigma,
                                                        k))
                    recurring_draws.append(gens[b].random(k))
            vals[_COL["influenced_deals"]] = k_inf
            if size_draws:
                rep_inf = np.repeat(np.arange(B), k_inf)
                sizes = np.concatenate(size_draws)
                recurring = np.concatenate(recurring_draws) < cu.recurring_share
                booked = np.bincount(rep_inf, sizes, B)
                rec_total = np.bincount(rep_inf, sizes * recurring, B)
                arr[:, 1, slot] += rec_total
                cust[:, 1, slot] += np.bincount(rep_inf, recurring, B).astype(np.int64)
                once_inf = booked - rec_total
                vals[_COL["influenced_bookings"]] = booked
        return once_inf

    def _certify(self, m: int, vals: np.ndarray):
        """Enablement: certified people per active partner-month (pre-drawn events)."""
        n_cert: np.ndarray | int = 0
        lo, hi = self.cert_off[m], self.cert_off[m + 1]
        if hi > lo:
            who = self.cert_f[lo:hi]
            who = who[self.active_f[who]]
            if len(who):
                n_cert = np.bincount(who // self.W, minlength=self.B)
                first_cert = who[self.certs_f[who] == 0]
                np.add.at(self.certs_f, who, 1.0)
                if len(first_cert):
                    self.p_win_f[first_cert] = np.minimum(
                        1.0, self.p_win_tier_f[first_cert] * self.cert_factor)
                vals[_COL["certifications"]] = n_cert
        return n_cert

    def _churn_month(self, m: int, t1: float):
        """Partner churn: hazard raised by low profitability, recent conflict, inactivity.
        Only partners whose uniform is below the largest possible churn probability can
        leave; the exact probability is looked up for those few."""
        lo, hi = self.churn_off[m], self.churn_off[m + 1]
        if hi > lo:
            cand, u = self.churn_f[lo:hi], self.churn_u[lo:hi]
            ok = self.active_f[cand]
            cand, u = cand[ok], u[ok]
            if len(cand):
                return self._churn(m, t1, cand, u)
        return 0

    def _record(self, m: int, vals: np.ndarray, churned, once, once_inf, n_cert) -> None:
        """Partners by state and tier at the month end, recognised revenue, costs."""
        once, once_margin, once_rebate = once
        d, co = self.sc.deals, self.sc.costs
        self.tier_counts[:, m] = self.tier_n
        started = np.array(self.n_started)
        vals[_COL["partners_waiting"]] = np.array(self.n_admitted) - started
        vals[_COL["partners_onboarding"]] = started - self.n_activated
        vals[_COL["partners_active"]] = self.n_active
        vals[_COL["partners_churned"]] = self.n_churned
        vals[_COL["churned"]] = churned
        # Recognised revenue: one-off deals when booked, subscriptions monthly (ARR / 12).
        arr, cust = self.cohort_arr, self.cohort_cust
        sums = arr.sum(axis=2)
        vals[_COL["sourced_revenue"]] = once + sums[:, 0] / 12
        vals[_COL["influenced_revenue"]] = once_inf + sums[:, 1] / 12
        vals[_COL["arr_sourced"]] = sums[:, 0]
        vals[_COL["arr_influenced"]] = sums[:, 1]
        vals[_COL["margins"]] = once_margin + sums[:, 2] / 12
        vals[_COL["rebates"]] = once_rebate + sums[:, 3] / 12
        vals[_COL["customers"]] = cust.sum(axis=(1, 2))
        # Costs by ROPI investment category (MDF spent is above).
        conflict_cost = self.n_conf * d.conflict_cost
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
        if self.sc.churn.burst_dispersion > 0 or self.sc.churn.hazard_cv > 0:
            p = -np.expm1(-self.churn_rate[drivers] * self.burst[cand // self.W, m])
        else:
            p = self.churn_p[drivers]
        leave = cand[u < p]
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
        lost: np.ndarray | int
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
