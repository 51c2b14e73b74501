"""Churn's calibration: the base hazard net of the drivers, and the drivers at the start.

Part of :class:`simulation.calibrate._Calibrator` (a mixin: it uses the calibrator's
``program``, ``partners``, frames ``f``, ``start``/``end`` and ``put``). The model multiplies
a partner's base hazard by the multipliers of the drivers it has that month — unprofitable,
a recent conflict, inactive (the last two only once seasoned) — so the observed rate of
churn already contains them. :meth:`ChurnEstimates._net_churn` estimates the base jointly
with the drivers, from every active partner-month of the actuals and the drivers it had
(:func:`simulation.estimators.net_churn_hazard`); :meth:`ChurnEstimates._starting_drivers`
gives the model each starting partner's drivers as they stood on the date (its tenure, the
months since its last registration and since its last conflict), instead of a cohort that
became active a month ago and has just registered; and the days each recruit still
onboarding has been at it (docs/simulation.md, "Calibration").

A driver needs a look-back (the last ``inactivity_months`` of registrations, the last
``conflict_memory_months`` of conflicts, the trailing 12 months of sourced bookings): where
the look-back reaches before the first actuals, only the part the data covers is read — a
partner counts as inactive only when the whole look-back is covered and empty, and the
trailing bookings are scaled up from the months covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from . import estimators as est
from .scenario import DAYS_PER_MONTH

if TYPE_CHECKING:
    from jbp.model import Partner

    from .scenario import Scenario


def by_partner(pids: np.ndarray, *columns: np.ndarray):
    """Yield ``(partner id, (column slices...))`` for rows already sorted by partner: one
    pass over the rows, where a mask per partner would be quadratic in the partners."""
    if not len(pids):
        return
    cuts = np.flatnonzero(pids[1:] != pids[:-1]) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(pids)], strict=True):
        yield int(pids[lo]), tuple(c[lo:hi] for c in columns)


class ChurnEstimates:
    """The churn hazard net of its drivers and the starting partners' drivers."""

    program: Any
    partners: list[Partner]
    f: dict[str, pd.DataFrame | None]
    defaults: Scenario
    start: np.datetime64
    end: np.datetime64

    def put(self, path: str, value: Any, basis: str) -> None:
        raise NotImplementedError

    def _starting(self) -> list[Partner]:
        """The starting cohort, in the order of ``recruitment.initial_productivity``."""
        return [p for p in self.partners if p.churned_on is None and p.activated_on]

    def _events(self, pid: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Registration dates and conflict dates of partner ``pid`` (sorted)."""
        none = np.array([], "datetime64[D]")
        return self._events_by_partner().get(pid, (none, none)) if pid is not None \
            else (none, none)

    def _events_by_partner(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """Every partner's sorted registration and conflict dates, grouped once: one pass
        over the table, not a scan of it per partner (minutes at 20,000 partners)."""
        cached = getattr(self, "_events_cache", None)
        if cached is not None:
            return cast("dict[int, tuple[np.ndarray, np.ndarray]]", cached)
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        regs = self.f.get("registrations")
        if regs is not None and len(regs):
            regs = regs[regs["partner_id"].notna()]
            pids = regs["partner_id"].to_numpy()
            dates = regs["reg_date"].to_numpy().astype("datetime64[D]")
            conflict = regs["conflict"].astype(bool).to_numpy() if "conflict" in regs \
                else np.zeros(len(regs), bool)
            order = np.lexsort((dates, pids))  # by partner, then date
            for pid, (d, c) in by_partner(pids[order], dates[order], conflict[order]):
                out[pid] = (d, d[c])
        self._events_cache = out
        return out

    def _bookings(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        deals = self.f.get("deals")
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if deals is None or not len(deals):
            return out
        s = deals[(deals["attribution"] == "sourced") & deals["partner_id"].notna()]
        # Split once by partner (rows in their order within a partner), not a frame per
        # group: 20,000 groups of pandas overhead took seconds.
        pids = s["partner_id"].to_numpy()
        order = np.argsort(pids, kind="stable")
        for pid, (when, amount) in by_partner(
                pids[order], s["close_date"].to_numpy().astype("datetime64[D]")[order],
                s["amount"].to_numpy(float)[order]):
            out[pid] = (when, amount)
        return out

    def _net_churn(self, churned: list[Partner]) -> est.Fit | None:
        """The base hazard net of the drivers (None without active partner-months)."""
        ch = self.defaults.churn
        first = self.start.astype("datetime64[D]")
        last = self.end.astype("datetime64[D]")
        months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
        share = {t.name: t.margin + t.rebate for t in self.program.tiers}
        low_share = min(share.values()) if share else 0.1
        bookings = self._bookings()
        day = np.timedelta64(1, "D")
        # Each partner's months as arrays (not a Python loop per partner-month: 30 s at
        # 20,000 partners); the same partner-months, in the same order, as the model reads
        # them at each month's end.
        ms_all = np.maximum(months.astype("datetime64[D]"), first)
        me_all = np.minimum((months + 1).astype("datetime64[D]"), last + day)
        grace = np.timedelta64(round(ch.grace_months * DAYS_PER_MONTH), "D")
        look = np.timedelta64(round(ch.inactivity_months * DAYS_PER_MONTH), "D")
        memory = np.timedelta64(round(ch.conflict_memory_months * DAYS_PER_MONTH), "D")
        year = ms_all - np.timedelta64(365, "D")
        covered = (ms_all - np.maximum(year, first)) / day
        left_l, expo_l, factor_l = [], [], []
        for p in self.partners:
            if not p.activated_on:
                continue
            act = np.datetime64(p.activated_on, "D")
            gone = np.datetime64(p.churned_on, "D") if p.churned_on else None
            ok = (act < me_all) & (me_all > ms_all)
            if gone is not None:
                ok &= gone >= ms_all
            if not ok.any():
                continue
            ms, me = ms_all[ok], me_all[ok]
            a = np.maximum(act, ms)
            b = np.minimum(gone + day, me) if gone is not None else me
            e = (b - a) / day / DAYS_PER_MONTH
            pos = e > 0
            ms, me, e, cov, yr = ms[pos], me[pos], e[pos], covered[ok][pos], year[ok][pos]
            if not len(e):
                continue
            regs, conflicts = self._events(p.id)
            when, amount = bookings.get(p.id or -1, (np.array([], "datetime64[D]"),
                                                     np.array([])))
            p_share = share.get(p.tier, low_share)
            # Seasoned by the month's end, no registration in the last inactivity_months
            # months including this one, a conflict in the last conflict_memory_months
            # months; the trailing bookings are those of the reviews so far (to the
            # month's start).
            seasoned = act <= me - grace
            back = me - look
            n_regs = np.searchsorted(regs, me) - np.searchsorted(regs, back)
            idle = seasoned & (back >= first) & (n_regs == 0)
            mem = me - memory
            recent = (np.searchsorted(conflicts, me) - np.searchsorted(conflicts, mem)) > 0
            inside = (when[None, :] >= yr[:, None]) & (when[None, :] < ms[:, None])
            t12 = np.where(inside, amount[None, :], 0.0).sum(axis=1) * 365 \
                / np.maximum(cov, 1e-9)
            poor = seasoned & (cov >= DAYS_PER_MONTH) & (t12 * p_share < ch.low_profit_threshold)
            left_l.append(((ms <= gone) & (gone < me)).astype(float) if gone is not None
                          else np.zeros(len(e)))
            expo_l.append(e)
            factor_l.append(np.where(poor, ch.low_profit_multiplier, 1.0)
                            * np.where(recent, ch.conflict_multiplier, 1.0)
                            * np.where(idle, ch.inactivity_multiplier, 1.0))
        left = np.concatenate(left_l) if left_l else np.array([])
        expo = np.concatenate(expo_l) if expo_l else np.array([])
        factor = np.concatenate(factor_l) if factor_l else np.array([])
        if not len(expo):
            return None
        fit = est.net_churn_hazard(left, expo, factor)
        f = factor
        self.churn_factor_mean = float(np.average(f, weights=np.array(expo)))
        # The exposure the base hazard's posterior rests on (Σ factor × exposure).
        self.churn_exposure = float(np.sum(f * np.array(expo)))
        self.churn_with_drivers = float(np.mean(f > 1))
        return fit

    def _starting_drivers(self) -> None:
        """Each starting partner's tenure, months since its last registration and since its
        last conflict, and each onboarding recruit's days since sign-up, on the date (model
        month 0)."""
        active = self._starting()
        if not active:
            return
        end = self.end.astype("datetime64[D]")
        first = self.start.astype("datetime64[D]")
        day = np.timedelta64(1, "D")
        tenure, idle, conflict = {}, {}, {}
        for i, p in enumerate(active):
            act = np.datetime64(p.activated_on, "D")
            tenure[str(i)] = round(max(0.0, float((end - act) / day) / DAYS_PER_MONTH), 2)
            regs, conflicts = self._events(p.id)
            regs, conflicts = regs[regs <= end], conflicts[conflicts <= end]
            # Without a registration in the data: at least since it became active or since
            # the data began.
            since = regs[-1] if len(regs) else max(act, first)
            idle[str(i)] = round(max(0.0, float((end - since) / day) / DAYS_PER_MONTH), 2)
            if len(conflicts):
                conflict[str(i)] = round(float((end - conflicts[-1]) / day) / DAYS_PER_MONTH, 2)
        deals = self.f.get("deals")
        if deals is not None and len(deals):
            # As the tier rule counts them (state_at._tiers_then): the last 365 days.
            since = pd.Timestamp(self.end) - pd.Timedelta(days=365)
            s = deals[(deals["attribution"] == "sourced") & (deals["close_date"] > since)
                      & (deals["close_date"] <= pd.Timestamp(self.end))]
            rev = s.groupby("partner_id")["amount"].sum().to_dict()
            self.put("recruitment.initial_trailing_bookings",
                     {str(i): round(float(rev.get(p.id, 0.0)), 2) for i, p in enumerate(active)},
                     "sourced bookings of each starting partner in the 365 days to the date")
        waiting = [p for p in self.partners if p.churned_on is None and not p.activated_on]
        if waiting:
            self.put("recruitment.initial_onboarding_elapsed_days",
                     {str(i): round(min(1000.0, max(0.0, float(
                         (end - np.datetime64(p.signup_date, "D")) / day))), 1)
                      for i, p in enumerate(waiting)},
                     f"days since each of {len(waiting)} recruits onboarding on the date "
                     "signed up")
        inactive = sum(v >= self.defaults.churn.inactivity_months for v in idle.values())
        self.put("recruitment.initial_tenure_months", tenure,
                 f"months since each of {len(active)} starting partners became active")
        self.put("recruitment.initial_idle_months", idle,
                 f"months since each starting partner's last registration ({inactive} "
                 "inactive on the date)")
        self.put("recruitment.initial_conflict_age", conflict,
                 f"months since the last registration conflict of {len(conflict)} starting "
                 "partners")
