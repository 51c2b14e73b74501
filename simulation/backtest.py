"""Back-test: calibrate as of a date, simulate from the state then, compare with what happened.

:func:`backtest` calibrates a baseline from what the workspace knew on ``train_until``
(:func:`simulation.calibrate.baseline_from_workspace` with ``as_of``), simulates ``months``
model months from the workspace's state on that date, and sets the simulated P10/P50/P90
of each metric beside the actuals month by month and over the window: is the actual inside
the 80% band (P10-P90), and how far is the median from it. :func:`rolling` repeats it from
several origins and counts the share of months inside the band — a band that holds 80% of
the truth is calibrated; far fewer is overconfident, nearly all is too wide.

Months: model month ``k`` is the ``k``-th span of ``DAYS_PER_MONTH`` days after
``train_until``; the actuals are counted over the same spans. Flows (bookings,
registrations, wins, certifications, partner sign-ups and partners churned) are summed over
the window; the stock (active partners) is taken at its end. Sign-ups and churned partners
are the flows that move the stock: when active partners miss the band, they say whether
recruiting or churn moved away from what the training data showed. The error is ``(P50 - actual) / actual``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jbp.asof import resolve_as_of
from jbp.errors import ValidationError
from jbp.progress import Progress

from .calibrate import baseline_from_workspace
from .runner import run
from .scenario import DAYS_PER_MONTH

#: Back-tested metrics: name → (model series, is it a stock?).
METRICS: dict[str, tuple[str, bool]] = {
    "sourced_bookings": ("sourced_bookings", False),
    "influenced_bookings": ("influenced_bookings", False),
    "registrations": ("registrations", False),
    "wins": ("wins", False),
    "certifications": ("certifications", False),
    "active_partners": ("partners_active", True),
    # The flows that move the stock: a miss on active partners says which one moved.
    "sign_ups": ("recruits", False),
    "partners_churned": ("churned", False),
}
#: The series the issue's "Done means" judges.
HEADLINE = ("sourced_bookings", "registrations", "active_partners")
#: Training months a rolling origin needs at least.
MIN_TRAIN_MONTHS = 6


@dataclass
class Series:
    """One metric over the window: actual and simulated P10/P50/P90 (totals or end value),
    whether the actual is inside the 80% band, and month by month."""

    metric: str
    actual: float
    p10: float
    p50: float
    p90: float
    monthly: list[dict[str, float]] = field(default_factory=list)
    #: Where the actual falls in the simulated distribution (mid-PIT, 0-1).
    pit: float = 0.5

    @property
    def inside_80(self) -> bool:
        """The actual is inside the central 80% of the simulated values: its mid-PIT is
        within 0.1-0.9 (for counts, ties with P10 or P90 count half)."""
        return bool(0.1 <= self.pit <= 0.9)

    @property
    def error(self) -> float:
        """(P50 - actual) / actual; nan when the actual is 0."""
        return (self.p50 - self.actual) / self.actual if self.actual else float("nan")

    def months_inside(self) -> int:
        return sum(1 for r in self.monthly if r["inside_80"])

    def as_dict(self, monthly: bool = True) -> dict[str, Any]:
        out = {"metric": self.metric, "actual": self.actual, "p10": self.p10,
               "p50": self.p50, "p90": self.p90, "inside_80": self.inside_80,
               "pit": round(self.pit, 4),
               "error": None if np.isnan(self.error) else round(self.error, 4)}
        if monthly:
            out["monthly"] = self.monthly
        return out


@dataclass
class Backtest:
    train_until: dt.date
    months: int
    series: list[Series]
    replications: int
    calibration_report: str = ""

    def get(self, metric: str) -> Series:
        return next(s for s in self.series if s.metric == metric)

    def as_dict(self) -> dict[str, Any]:
        return {"train_until": self.train_until.isoformat(), "months": self.months,
                "replications": self.replications,
                "series": [s.as_dict() for s in self.series]}


@dataclass
class Rolling:
    """Back-tests from several origins: the share of months inside the 80% band."""

    runs: list[Backtest]

    def share_inside(self, metric: str) -> float:
        rows = [r for b in self.runs for r in b.get(metric).monthly]
        return sum(r["inside_80"] for r in rows) / len(rows) if rows else float("nan")

    def distinct_months(self) -> int:
        """Calendar months the origins' windows cover: the rolling share counts each of them
        once per window it falls in, so its sampling error is that of this many months."""
        return len({(pd.Timestamp(b.train_until) + pd.DateOffset(months=k + 1)).strftime("%Y-%m")
                    for b in self.runs for k in range(b.months)})

    def share_inside_by_calendar_month(self, metric: str) -> float:
        """The share inside the band with each calendar month counted once: the months'
        own shares (over the windows they fall in) averaged over the distinct months."""
        by: dict[str, list[bool]] = {}
        for b in self.runs:
            for r in b.get(metric).monthly:
                month = (pd.Timestamp(b.train_until)
                         + pd.DateOffset(months=int(r["month"]))).strftime("%Y-%m")
                by.setdefault(month, []).append(bool(r["inside_80"]))
        return float(np.mean([np.mean(v) for v in by.values()])) if by else float("nan")

    def windows_inside(self, metric: str) -> float:
        return float(np.mean([b.get(metric).inside_80 for b in self.runs])) \
            if self.runs else float("nan")

    def as_dict(self) -> dict[str, Any]:
        months = sum(b.months for b in self.runs)
        return {
            "origins": [b.train_until.isoformat() for b in self.runs],
            "months": months,
            "distinct_months": self.distinct_months(),
            "share_inside_80": {m: round(self.share_inside(m), 4) for m in METRICS},
            "share_inside_80_by_calendar_month": {
                m: round(self.share_inside_by_calendar_month(m), 4) for m in METRICS},
            "windows_inside_80": {m: round(self.windows_inside(m), 4) for m in METRICS},
            "share_inside_80_headline": round(float(np.mean(
                [self.share_inside(m) for m in HEADLINE])), 4),
        }


def mid_pit(sim: np.ndarray, actual: float) -> float:
    """The mid-distribution probability integral transform of ``actual`` under the
    simulated values ``sim``: (P(X < a) + P(X <= a)) / 2. Uniform on 0-1 when the model is
    calibrated, also for counts (where an inclusive P10-P90 test would cover more than
    80%: Czado, Gneiting & Held 2009)."""
    return float((np.mean(sim < actual) + np.mean(sim <= actual)) / 2)


def data_end(ws: Any, coverage: Any = None) -> dt.date:
    """The last date the workspace's registrations and deals cover: the end of the month
    of the latest one when the workspace's "as of" is past that month (the month is
    complete), else the latest date itself. ``coverage`` (:class:`jbp.coverage.Coverage`),
    when the caller has it, gives those dates without a query."""
    last = _last_actual(ws, coverage)
    month_end = (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date()
    as_of = resolve_as_of(ws).date
    return month_end if as_of > month_end else last


def _last_actual(ws: Any, coverage: Any = None) -> dt.date:
    ends = []
    # The coverage's or the store's MAX of the date column, not every row in pandas: the
    # Scenario Lab asks this on the GUI thread when a workspace opens (seconds at 20,000
    # partners).
    for kind in ("registrations", "deals"):
        source = coverage.sources.get(kind) if coverage is not None else None
        if source is not None:
            last = source.last
        elif hasattr(ws, "actuals_span"):
            try:
                _rows, _first, last = ws.actuals_span(kind)
            except Exception:  # a workspace without that table
                continue
        else:  # a snapshot of frames (the back-test's own view of a workspace)
            try:
                df = ws.actuals(kind)
            except Exception:
                continue
            col = "reg_date" if kind == "registrations" else "close_date"
            last = pd.Timestamp(df[col].max()).date() if len(df) else None
        if last is not None:
            ends.append(last)
    if not ends:
        raise ValidationError("workspace", "has no dated registrations or deals to back-test "
                              "against")
    return max(ends)


def data_start(ws: Any) -> dt.date:
    starts = []
    for kind, col in (("registrations", "reg_date"), ("deals", "close_date")):
        try:
            df = ws.actuals(kind)
        except Exception:  # a workspace without that table
            continue
        if len(df):
            starts.append(pd.Timestamp(df[col].min()).date())
    return min(starts) if starts else dt.date.min


def _edges(train_until: dt.date, months: int) -> list[pd.Timestamp]:
    """Starts of the compared months (and the end of the last): calendar months when
    ``train_until`` is a month end, else spans of DAYS_PER_MONTH days."""
    t0 = pd.Timestamp(train_until) + pd.Timedelta(days=1)
    if t0.day == 1:
        return [t0 + pd.DateOffset(months=k) for k in range(months + 1)]
    return [t0 + pd.Timedelta(days=k * DAYS_PER_MONTH) for k in range(months + 1)]


def available_months(ws: Any, train_until: dt.date) -> int:
    """Whole compared months between ``train_until`` and the end of the data."""
    end = pd.Timestamp(data_end(ws))
    k = 0
    while _edges(train_until, k + 1)[-1] - pd.Timedelta(days=1) <= end:
        k += 1
    return k


def actual_series(ws: Any, train_until: dt.date, months: int) -> dict[str, np.ndarray]:
    """What happened in each model month after ``train_until``, per metric."""
    edges = _edges(train_until, months)
    bins = np.array(edges, dtype="datetime64[ns]")

    def count(dates, weights=None) -> np.ndarray:
        d = pd.to_datetime(pd.Series(dates)).to_numpy(dtype="datetime64[ns]")
        k = np.searchsorted(bins, d, side="right") - 1
        ok = (k >= 0) & (k < months)
        w = None if weights is None else np.asarray(weights, float)[ok]
        return np.bincount(k[ok], w, months).astype(float)

    deals = ws.actuals("deals")
    src = deals[deals["attribution"] == "sourced"]
    inf = deals[deals["attribution"] == "influenced"]
    regs = ws.actuals("registrations")
    try:
        certs = ws.actuals("certifications")
    except Exception:  # no certifications table
        certs = pd.DataFrame({"cert_date": []})
    out = {
        "sourced_bookings": count(src["close_date"], src["amount"]),
        "influenced_bookings": count(inf["close_date"], inf["amount"]),
        "registrations": count(regs["reg_date"]),
        "wins": count(src["close_date"]),
        "certifications": count(certs["cert_date"]),
    }
    active = np.zeros(months)
    partners = ws.partners()
    for k in range(months):
        end = (edges[k + 1] - pd.Timedelta(days=1)).date()
        active[k] = sum(1 for p in partners if p.activated_on and p.activated_on <= end
                        and (p.churned_on is None or p.churned_on > end))
    out["active_partners"] = active
    out["sign_ups"] = count([p.signup_date for p in partners if p.signup_date])
    out["partners_churned"] = count([p.churned_on for p in partners if p.churned_on])
    return out


def backtest(ws: Any, train_until: dt.date, months: int = 6, *, replications: int = 200,
             seed: int = 20240601, workers: int = 1,
             progress: Progress | None = None) -> Backtest:
    """Calibrate as of ``train_until``, simulate ``months`` months from the state then and
    compare with the actuals (months beyond the data are left out)."""
    progress = progress or Progress()
    end = data_end(ws)
    avail = available_months(ws, train_until)
    if train_until <= data_start(ws):
        raise ValidationError("train_until", f"{train_until} is before the first actuals "
                              f"({data_start(ws)}): nothing to calibrate from")
    if avail < 1:
        raise ValidationError("train_until", f"{train_until} leaves no full month of actuals "
                              f"to compare with (the data ends {end})")
    months = max(1, min(int(months), avail))
    cal = baseline_from_workspace(ws, horizon_months=months, replications=replications,
                                  seed=seed, as_of=train_until,
                                  progress=progress.part(0.0, 0.2))
    result = run(cal.scenario, progress.part(0.2, 0.75), workers=workers)
    progress.step(0.95, "comparing with the actuals")
    actual = actual_series(ws, train_until, months)
    series = []
    for metric, (name, stock) in METRICS.items():
        sim = result.series(name)[:, :months]
        lo, mid, hi = np.quantile(sim, [0.1, 0.5, 0.9], axis=0)
        act = actual[metric]
        pit = [mid_pit(sim[:, k], act[k]) for k in range(months)]
        monthly = [{"month": k + 1, "actual": float(act[k]), "p10": float(lo[k]),
                    "p50": float(mid[k]), "p90": float(hi[k]), "pit": round(pit[k], 4),
                    "inside_80": bool(0.1 <= pit[k] <= 0.9)} for k in range(months)]
        tot = sim[:, -1] if stock else sim.sum(axis=1)
        a = float(act[-1] if stock else act.sum())
        q10, q50, q90 = (float(x) for x in np.quantile(tot, [0.1, 0.5, 0.9]))
        series.append(Series(metric, a, q10, q50, q90, monthly, mid_pit(tot, a)))
    progress.report(1.0, "done")
    return Backtest(train_until, months, series, replications, cal.report())


def origins(ws: Any, months: int) -> list[dt.date]:
    """Month-end origins from MIN_TRAIN_MONTHS after the first actuals to a month before
    the end of the data."""
    start, end = pd.Timestamp(data_start(ws)), pd.Timestamp(data_end(ws))
    first = (start + pd.DateOffset(months=MIN_TRAIN_MONTHS)) + pd.offsets.MonthEnd(0)
    last = end - pd.Timedelta(days=DAYS_PER_MONTH)
    return [d.date() for d in pd.date_range(first, last, freq="ME")]


def rolling(ws: Any, months: int = 6, *, replications: int = 100, seed: int = 20240601,
            workers: int = 1, progress: Progress | None = None) -> Rolling:
    """Back-tests from every month-end origin (see :func:`origins`)."""
    progress = progress or Progress()
    dates = origins(ws, months)
    runs = []
    for i, d in enumerate(dates):
        progress.check()
        runs.append(backtest(ws, d, months, replications=replications, seed=seed,
                             workers=workers,
                             progress=progress.part(i / len(dates), 1 / len(dates))))
    return Rolling(runs)
