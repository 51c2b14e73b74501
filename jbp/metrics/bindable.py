"""The metrics a plan's KPI can be bound to, and their values per fiscal quarter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..kinds import KINDS
from ..model import fiscal_quarter_bounds
from .activity import partner_rows, prefetch_partners
from .snapshot import Actuals, _as_of, _ts

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


def _in(a: Actuals, kind: str, partner_id: int, start: dt.date, end: dt.date,
        rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partner's rows of ``kind`` (or of ``rows``) dated ``start``..``end``."""
    frame = partner_rows(a, kind, partner_id) if rows is None else rows
    dates = frame[KINDS[kind].date_column]
    return frame[(dates >= _ts(start)) & (dates <= _ts(end))]


def _deal_sum(attribution: str):
    def value(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
        d = _in(a, "deals", pid, start, end)
        return float(d[d["attribution"] == attribution]["amount"].sum())
    return value


def _attributed(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return (_deal_sum("sourced")(a, pid, start, end)
            + a.program.influence_weight * _deal_sum("influenced")(a, pid, start, end))


def _registrations(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return float(len(_in(a, "registrations", pid, start, end)))


def _win_rate(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    r = _in(a, "registrations", pid, start, end)
    won = int((r["status"] == "won").sum())
    closed = won + int((r["status"] == "lost").sum())
    return won / closed if closed else None


def _certified_people(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    c = partner_rows(a, "certifications", pid)
    c = c[c["cert_date"] <= _ts(end)]
    return float(c["person"].nunique())


def _new_certifications(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    c = partner_rows(a, "certifications", pid)
    firsts = c.sort_values("cert_date").drop_duplicates("person")
    return float(len(_in(a, "certifications", pid, start, end, firsts)))


def _logins(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    return float(len(_in(a, "logins", pid, start, end)))


def _new_logos(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    d = _in(a, "deals", pid, start, end)
    return float(d[d["attribution"] == "sourced"]["customer"].nunique())


def _mdf_claimed(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float:
    m = _in(a, "mdf", pid, start, end)
    return float(m[(m["kind"] == "claim") & (m["status"] == "paid")]["amount"].sum())


def _mdf_utilisation(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    m = _in(a, "mdf", pid, start, end)
    approved = float(m[(m["kind"] == "request")
                       & m["status"].isin(["approved", "paid"])]["amount"].sum())
    paid = float(m[(m["kind"] == "claim") & (m["status"] == "paid")]["amount"].sum())
    return paid / approved if approved else None


def _days_to_close(a: Actuals, pid: int, start: dt.date, end: dt.date) -> float | None:
    d = _in(a, "deals", pid, start, end)
    d = d[(d["attribution"] == "sourced") & d["created_date"].notna()]
    if d.empty:
        return None
    return float((d["close_date"] - d["created_date"]).dt.days.mean())


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
