"""The workspace as it stood on a date: what a calibration "as of" that date may see.

:func:`workspace_at` keeps only what was known on ``date``:

- actuals dated on or before it (deals by close date, registrations by registration date,
  certifications by certification date, MDF by its date, costs by month);
- a registration's status as it was then: a won registration whose deal closed after the
  date was still open; a lost one is taken as decided one median sales cycle after it was
  registered (the exports give no decision date for lost registrations) — documented in
  docs/simulation.md;
- partners signed up by then, each in its state then: waiting/onboarding (signed, not yet
  active), active, or churned; the churn and activation dates after ``date`` are unknown;
- each partner's tier then, derived from the actuals by the program's tier rules (trailing
  12 months of sourced bookings and new logos, certified people to date) — the workspace
  keeps only today's tier;
- the open registrations and their ages in months: the starting pipeline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jbp.tiers import TierStanding, assess_tier

from .scenario import DAYS_PER_MONTH

_DATE_COLS = {"deals": "close_date", "registrations": "reg_date",
              "certifications": "cert_date", "mdf": "mdf_date", "program_costs": "month"}


@dataclass
class WorkspaceAt:
    """The program, partners and actuals of a workspace as known on ``date``."""

    date: dt.date | None
    program: Any
    partners: list
    frames: dict[str, pd.DataFrame | None]
    #: Open (accepted, undecided) registrations by age in whole months: {age: count}.
    open_by_age: dict[int, int] = field(default_factory=dict)

    def program_partners(self):
        return self.program, self.partners


#: Columns calibration never reads: dropped as each table is read, so the copies made
#: for the date cut do not carry a million export ids (20,000 partners: 1.05 GB peak).
_UNUSED = {"deals": ("ext_id",), "registrations": ("ext_id", "value"),
           "certifications": ("course",), "mdf": ("ext_id", "activity")}


def _frames(ws: Any) -> dict[str, pd.DataFrame | None]:
    out: dict[str, pd.DataFrame | None] = {}
    for kind in _DATE_COLS:
        try:
            frame = ws.actuals(kind)
        except Exception:  # a workspace without that table: nothing to learn from it
            out[kind] = None
            continue
        unused = [c for c in _UNUSED.get(kind, ()) if c in frame.columns]
        out[kind] = frame.drop(columns=unused) if unused else frame
    return out


def median_cycle_days(deals: pd.DataFrame | None) -> float:
    """Median created-to-close days of sourced deals (90 without data)."""
    if deals is None or not len(deals):
        return 90.0
    s = deals[deals["attribution"] == "sourced"].dropna(subset=["created_date"])
    days = (s["close_date"] - s["created_date"]).dt.days
    days = days[days >= 0]
    return float(days.median()) if len(days) else 90.0


def workspace_at(ws: Any, date: dt.date | None) -> WorkspaceAt:
    """``ws`` (anything with ``program()``, ``partners()``, ``actuals(kind)``) as known on
    ``date``; ``None`` means everything (no cut)."""
    program = ws.program()
    frames = _frames(ws)
    partners = list(ws.partners())
    if date is None:
        at = WorkspaceAt(None, program, partners, frames)
        at.open_by_age = _open_by_age(frames, _last_date(frames), None)
        return at
    ts = pd.Timestamp(date)
    cut: dict[str, pd.DataFrame | None] = {}
    for kind, col in _DATE_COLS.items():
        df = frames[kind]
        cut[kind] = None if df is None else df[pd.to_datetime(df[col]) <= ts].copy()
    regs = frames["registrations"]
    if regs is not None and len(regs):
        cut["registrations"] = _status_then(regs[regs["reg_date"] <= ts].copy(),
                                            frames["deals"], ts)
    then = []
    for p in partners:
        if p.signup_date > date:
            continue
        q = dataclasses.replace(p)
        if q.activated_on and q.activated_on > date:
            q.activated_on = None
        if q.churned_on and q.churned_on > date:
            q.churned_on = None
        then.append(q)
    _tiers_then(program, then, cut, date)
    at = WorkspaceAt(date, program, then, cut)
    at.open_by_age = _open_by_age(cut, ts, frames["deals"])
    return at


def _last_date(frames) -> pd.Timestamp | None:
    regs = frames.get("registrations")
    if regs is None or not len(regs):
        return None
    return pd.Timestamp(regs["reg_date"].max())


def _won_close(deals: pd.DataFrame | None) -> dict[tuple[int, pd.Timestamp], list]:
    """Close dates of sourced deals by (partner, created date): how a won registration is
    matched to its deal (the exports share no key)."""
    out: dict = {}
    if deals is None or not len(deals):
        return out
    s = deals[deals["attribution"] == "sourced"].dropna(subset=["created_date"])
    for pid, created, close in zip(s["partner_id"], s["created_date"], s["close_date"],
                                   strict=True):
        out.setdefault((int(pid), pd.Timestamp(created)), []).append(pd.Timestamp(close))
    return out


def decision_dates(regs: pd.DataFrame, deals: pd.DataFrame | None) -> pd.Series:
    """When each registration was decided: the close date of its won deal; for a lost or
    rejected one, its registration date plus the median sales cycle; NaT while open."""
    closes = _won_close(deals)
    med = pd.Timedelta(days=median_cycle_days(deals))
    out = []
    for pid, reg, status in zip(regs["partner_id"], regs["reg_date"], regs["status"],
                                strict=True):
        if status == "won":
            c = closes.get((int(pid), pd.Timestamp(reg)))
            out.append(min(c) if c else pd.Timestamp(reg) + med)
        elif status in ("lost", "rejected"):
            out.append(pd.Timestamp(reg) + med)
        else:
            out.append(pd.NaT)
    return pd.Series(out, index=regs.index, dtype="datetime64[ns]")


def _status_then(regs: pd.DataFrame, deals: pd.DataFrame | None,
                 ts: pd.Timestamp) -> pd.DataFrame:
    decided = decision_dates(regs, deals)
    regs = regs.copy()
    regs["decided"] = decided
    later = decided.isna() | (decided > ts)
    regs.loc[later & ~regs["status"].isin(["rejected"]), "status"] = "approved"
    return regs


def _open_by_age(frames, ts: pd.Timestamp | None, all_deals) -> dict[int, int]:
    regs = frames.get("registrations")
    if regs is None or not len(regs) or ts is None:
        return {}
    open_ = regs[(regs["status"] == "approved") & ~regs["conflict"].astype(bool)]
    if not len(open_):
        return {}
    age = ((ts - open_["reg_date"]).dt.days / DAYS_PER_MONTH).astype(int).clip(lower=0)
    counts = age.value_counts().sort_index()
    return {int(a): int(n) for a, n in counts.items()}


def _tiers_then(program, partners, frames, date: dt.date) -> None:
    """Set each partner's tier to the one the program's rules gave on ``date``: trailing
    12 months of sourced bookings and distinct customers, certified people to date."""
    if not program.tiers:
        return
    deals, certs = frames.get("deals"), frames.get("certifications")
    since = pd.Timestamp(date) - pd.Timedelta(days=365)
    rev: dict[int, float] = {}
    logos: dict[int, int] = {}
    if deals is not None and len(deals):
        s = deals[(deals["attribution"] == "sourced") & (deals["close_date"] > since)]
        rev = s.groupby("partner_id")["amount"].sum().to_dict()
        logos = s.groupby("partner_id")["customer"].nunique().to_dict()
    people: dict[int, int] = {}
    if certs is not None and len(certs):
        people = certs.groupby("partner_id")["person"].nunique().to_dict()
    for p in partners:
        standing = TierStanding(float(rev.get(p.id, 0.0)), int(people.get(p.id, 0)),
                                int(logos.get(p.id, 0)))
        tier = assess_tier(program, standing)
        p.tier = tier.name if tier else ""


def certified_on(frames, pids: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Whether each partner had a certified person on each date (first certification on or
    before it)."""
    certs = frames.get("certifications")
    if certs is None or not len(certs):
        return np.zeros(len(pids), bool)
    first = certs.groupby("partner_id")["cert_date"].min()
    f = pd.to_datetime(pd.Series(pids).map(first)).to_numpy()
    d = pd.to_datetime(pd.Series(dates)).to_numpy()
    return ~pd.isna(f) & (f <= d)
