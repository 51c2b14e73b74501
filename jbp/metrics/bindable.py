"""The metrics a plan's KPI can be bound to, and their values per fiscal quarter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..kinds import KINDS
from ..model import fiscal_quarter_bounds
from .activity import partner_rows, prefetch_partners
from .snapshot import Actuals, _as_of

# --------------------------------------------------------------------------- bindable metrics


@dataclass(frozen=True)
class BindableMetric:
    """A metric a plan's KPI can be bound to.

    ``values(actuals, partner_id, start, end)`` gives the metric for one period
    (``start``..``end`` inclusive, dates) in ``unit`` (a KPI unit: currency, count, percent as
    a fraction 0-1, days), or None when there is nothing to measure.
    """

    name: str
    label: str
    unit: str
    kind: str  # "leading" or "lagging"
    direction: str
    value: Callable[[Actuals, int, dt.date, dt.date], float | None]
    description: str = ""
    #: The kind of actuals it reads (its coverage bounds what it measures).
    source: str = "deals"


# Each value reads one partner's rows as plain arrays (:func:`_rows`, read once per partner
# and kind): a pandas filter per KPI per quarter cost more than the sums themselves.


def _rows(a: Actuals, kind: str, partner_id: int) -> dict[str, np.ndarray]:
    """One partner's rows of ``kind`` as arrays by column (cached on the snapshot)."""
    key = ("arrays", kind, partner_id)
    arrays = a.cache.get(key)
    if arrays is None:
        frame = partner_rows(a, kind, partner_id)
        arrays = a.cache[key] = {c: frame[c].to_numpy() for c in frame.columns}
    return arrays


def _in(rows: dict[str, np.ndarray], kind: str, start: dt.date, end: dt.date) -> np.ndarray:
    """Which rows are dated ``start``..``end`` (a boolean mask)."""
    dates = rows[KINDS[kind].date_column]
    return (dates >= np.datetime64(start)) & (dates <= np.datetime64(end))


def _deal_sum(attribution: str):
    def value(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
        d = _rows(a, "deals", pid)
        mine = _in(d, "deals", start, end) & (d["attribution"] == attribution)
        return float(d["amount"][mine].sum())
    return value


def _attributed(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return (_deal_sum("sourced")(a, pid, start, end)
            + a.program.influence_weight * _deal_sum("influenced")(a, pid, start, end))


def _registrations(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return float(_in(_rows(a, "registrations", pid), "registrations", start, end).sum())


def _win_rate(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    r = _rows(a, "registrations", pid)
    status = r["status"][_in(r, "registrations", start, end)]
    won = int((status == "won").sum())
    closed = won + int((status == "lost").sum())
    return won / closed if closed else None


def _certified_people(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    c = _rows(a, "certifications", pid)
    return float(len(set(c["person"][c["cert_date"] <= np.datetime64(end)].tolist())))


def _new_certifications(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    """People whose first certification is dated ``start``..``end``."""
    c = _rows(a, "certifications", pid)
    first: dict[Any, np.datetime64] = {}
    for person, day in zip(c["person"].tolist(), c["cert_date"], strict=True):
        if person not in first or day < first[person]:
            first[person] = day
    lo, hi = np.datetime64(start), np.datetime64(end)
    return float(sum(1 for day in first.values() if lo <= day <= hi))


def _logins(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return float(_in(_rows(a, "logins", pid), "logins", start, end).sum())


def _new_logos(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    d = _rows(a, "deals", pid)
    mine = _in(d, "deals", start, end) & (d["attribution"] == "sourced")
    return float(len(set(d["customer"][mine].tolist())))


def _mdf_sums(a: Actuals, pid: int, start: dt.date, end: dt.date) -> tuple[float, float]:
    """(approved requests, paid claims) dated ``start``..``end`` (currency)."""
    m = _rows(a, "mdf", pid)
    inside = _in(m, "mdf", start, end)
    kind, status = m["kind"], m["status"]
    approved = inside & (kind == "request") & ((status == "approved") | (status == "paid"))
    paid = inside & (kind == "claim") & (status == "paid")
    return float(m["amount"][approved].sum()), float(m["amount"][paid].sum())


def _mdf_claimed(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return _mdf_sums(a, pid, start, end)[1]


def _mdf_utilisation(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    approved, paid = _mdf_sums(a, pid, start, end)
    return paid / approved if approved else None


def _days_to_close(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    d = _rows(a, "deals", pid)
    created = d["created_date"]
    mine = _in(d, "deals", start, end) & (d["attribution"] == "sourced") & ~np.isnat(created)
    if not mine.any():
        return None
    days = np.floor((d["close_date"][mine] - created[mine]) / np.timedelta64(1, "D"))
    return float(days.mean())


#: The metrics a KPI can be bound to, by name (the name stored in ``Kpi.metric``).
METRICS: dict[str, BindableMetric] = {m.name: m for m in (
    BindableMetric("sourced_revenue", "Partner-sourced revenue", "currency", "lagging",
                   "higher", _deal_sum("sourced"),
                   "Σ amount of sourced deals closed in the quarter", source="deals"),
    BindableMetric("influenced_revenue", "Influenced revenue", "currency", "lagging", "higher",
                   _deal_sum("influenced"),
                   "Σ amount of influenced deals closed in the quarter", source="deals"),
    BindableMetric("attributed_revenue", "Attributed revenue", "currency", "lagging",
                   "higher", _attributed,
                   "sourced + influence weight × influenced, closed in the quarter", source="deals"),
    BindableMetric("registrations", "Registered deals", "count", "leading", "higher",
                   _registrations, "deal registrations dated in the quarter", source="registrations"),
    BindableMetric("win_rate", "Win rate of registered deals", "percent", "lagging", "higher",
                   _win_rate,
                   "won ÷ (won + lost) of the registrations dated in the quarter", source="registrations"),
    BindableMetric("certified_people", "Certified people", "count", "leading", "higher",
                   _certified_people,
                   "distinct people certified by the quarter's end (a running total)", source="certifications"),
    BindableMetric("certifications", "New certified people", "count", "leading", "higher",
                   _new_certifications, "people first certified in the quarter", source="certifications"),
    BindableMetric("portal_logins", "Portal logins", "count", "leading", "higher", _logins,
                   "portal logins in the quarter", source="logins"),
    BindableMetric("new_logos", "New logos", "count", "lagging", "higher", _new_logos,
                   "distinct customers of sourced deals closed in the quarter", source="deals"),
    BindableMetric("mdf_claimed", "MDF claimed (paid)", "currency", "leading", "higher",
                   _mdf_claimed, "paid MDF claims dated in the quarter", source="mdf"),
    BindableMetric("mdf_utilisation", "MDF utilisation", "percent", "leading", "higher",
                   _mdf_utilisation, "paid claims ÷ approved requests in the quarter", source="mdf"),
    BindableMetric("days_to_close", "Days to close (sourced deals)", "days", "lagging",
                   "lower", _days_to_close,
                   "mean days from creation to close of sourced deals closed in the quarter", source="deals"),
)}


def quarterly_values(actuals: Actuals, metric: str, partner_id: int, fiscal_year: int,
                     as_of: dt.date | None = None) -> list[float | None]:
    """The bound metric's value in each fiscal quarter of ``fiscal_year`` for a partner;
    None for quarters that have not started on the day its source is read through
    (``coverage.through(source, as_of)``) and for quarters that ended before the source's
    data begins (no data is not zero). A running quarter is measured to that day. Values are rounded as a KPI shows them (3 decimals for percent, whole numbers
    otherwise... days to one decimal)."""
    if metric not in METRICS:
        from ..errors import ValidationError

        raise ValidationError("Bound metric", f"unknown metric {metric!r}; known: "
                                              f"{', '.join(METRICS)}")
    as_of = _as_of(actuals, as_of)
    m = METRICS[metric]
    cov = actuals.coverage
    first = cov.first(m.source)
    through = cov.through(m.source, as_of)
    out: list[float | None] = []
    for start, end in fiscal_quarter_bounds(fiscal_year, actuals.program.fiscal_year_start_month):
        if start > through or first is None or end < first:
            out.append(None)
            continue
        v = m.value(actuals, partner_id, start, min(end, through))
        if v is not None:
            v = round(float(v), {"percent": 3, "days": 1}.get(m.unit, 0))
        out.append(v)
    return out


def quarterly_values_many(actuals: Actuals, requests: list[tuple[str, int, int]],
                          as_of: dt.date | None = None) -> list[list[float | None]]:
    """:func:`quarterly_values` of many bound KPIs, ``(metric, partner_id, fiscal_year)``
    each, in one pass: the rows of every partner named are read once (one query per kind
    left in the workspace, one grouping per loaded kind), then each KPI reads only its own
    partner's rows — never a filter of a whole table per KPI per quarter."""
    by_kind: dict[str, set[int]] = {}
    for metric, partner_id, _ in requests:
        m = METRICS.get(metric)
        if m is not None:
            by_kind.setdefault(m.source, set()).add(int(partner_id))
    for kind, ids in by_kind.items():
        prefetch_partners(actuals, kind, sorted(ids))
    return [quarterly_values(actuals, metric, partner_id, fiscal_year, as_of)
            for metric, partner_id, fiscal_year in requests]
