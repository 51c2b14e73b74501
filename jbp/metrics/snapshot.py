"""The snapshot the metrics read (:class:`Actuals`) and the windows they measure in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..coverage import Coverage, SourceCoverage, coverage_from_frames
from ..kinds import KINDS
from ..model import Program

if TYPE_CHECKING:
    from ..store import Workspace
    from .activity import ActivitySource


#: Days in the trailing window of revenue, new logos, investment (T12M).
YEAR_DAYS = 365
#: Days in the window of leading indicators (logins, registrations, certifications).
RECENT_DAYS = 90
#: Days of the baseline window of a trend: the window just before the recent one, of the
#: same length, so a trend compares two equal windows (both inside the source's coverage).
BASELINE_DAYS = RECENT_DAYS
#: Days of recent sourced revenue, new logos and certifications used as the run-rate for
#: the tier projection.
RUN_RATE_DAYS = 180
#: Assumed yearly churn of the customers partners bring; CLTV counts recurring revenue for
#: ``1 / CUSTOMER_CHURN`` years (5 years at 20%).
CUSTOMER_CHURN = 0.20
#: Weights of the churn-risk score (see :func:`risk_components`): logins decline,
#: registrations decline, inactivity.
RISK_WEIGHTS = (0.6, 0.2, 0.2)
#: A partner is flagged at risk when its risk score reaches this ...
RISK_THRESHOLD = 0.2
#: ... or it has shown no activity for this many days.
INACTIVE_DAYS = 60

ACTIVITY_DATES = (("logins", "login_date"), ("registrations", "reg_date"),
                  ("deals", "close_date"), ("certifications", "cert_date"))


# --------------------------------------------------------------------------- the snapshot


#: The kinds too large to load whole (millions of portal logins, a million registrations at
#: 20,000 partners): :meth:`Actuals.load` leaves them in the workspace, the scorecard asks
#: SQLite for their per-partner sums (:mod:`.activity`) and a bound KPI or a trend chart
#: reads one partner's rows through the partner/date index.
AGGREGATED = ("logins", "registrations")

# A frame field left to the workspace (see Actuals.__post_init__).
_LAZY: Any = None


@dataclass(eq=False)
class Actuals:
    """Everything the metrics read, as one consistent snapshot.

    ``partners``: columns id, name, type, region, manager, signup_date, activated_on,
    churned_on, tier (dates as datetime64). The other frames are the actuals tables as
    :meth:`jbp.store.Workspace.actuals` returns them.

    A frame given as None is left in the workspace ``source`` reads (:meth:`load` does this
    for the :data:`AGGREGATED` kinds): the metrics then ask SQLite for its per-partner sums
    and one partner's rows; reading the attribute loads the whole table (for a script or a
    test). Reads after a later import refuse (:class:`jbp.metrics.activity.StaleSnapshot`):
    the figures of one snapshot never mix two states of the workspace.
    """

    program: Program
    partners: pd.DataFrame
    deals: pd.DataFrame = _LAZY
    registrations: pd.DataFrame = _LAZY
    logins: pd.DataFrame = _LAZY
    certifications: pd.DataFrame = _LAZY
    mdf: pd.DataFrame = _LAZY
    program_costs: pd.DataFrame = _LAZY
    #: The plans' KPIs (see :func:`kpis_frame`); None when not loaded.
    kpis: pd.DataFrame | None = None
    #: Extract dates given at import, per kind (they extend a source's coverage).
    extract_dates: dict[str, dt.date] | None = None
    #: Where the kinds not loaded as frames are read (None: every frame is given).
    source: ActivitySource | None = None

    def __post_init__(self) -> None:
        self._cache: dict[Any, Any] = {}
        for kind in KINDS:
            if self.__dict__.get(kind) is None:
                if self.source is None:
                    raise ValueError(f"Actuals: no frame of {kind} and no workspace to read")
                del self.__dict__[kind]  # __getattr__ loads it when asked for

    def __getattr__(self, name: str) -> Any:
        # Only called for a missing attribute: a kind left to the workspace.
        source = self.__dict__.get("source")
        if name in KINDS and source is not None:
            frame = source.frame(name)
            self.__dict__[name] = frame
            return frame
        raise AttributeError(name)

    def frame(self, kind: str) -> pd.DataFrame | None:
        """The frame of ``kind`` when it is loaded, None when it is read from the workspace."""
        return self.__dict__.get(kind)

    @property
    def cache(self) -> dict[Any, Any]:
        """Sums already read from this snapshot (per-partner rows, window counts)."""
        return self._cache

    @classmethod
    def load(cls, ws: Workspace) -> Actuals:
        """Read the program, the partners, the plans' KPIs, the actuals tables (all but the
        :data:`AGGREGATED` ones, which stay in the workspace), their coverage and the
        imports' extract dates in one read-only snapshot
        (no write lock: a background load never holds up an edit)."""
        from .activity import ActivitySource

        with ws.read():
            program = ws.program()
            partners = partners_frame(ws)
            frames = {k: ws.actuals(k) for k in KINDS if k not in AGGREGATED}
            kpis = kpis_frame(ws)
            extracts = ws.extract_dates()
            source = ActivitySource(ws, AGGREGATED)
        return cls(program=program, partners=partners, kpis=kpis, extract_dates=extracts,
                   source=source, **frames)

    @property
    def coverage(self) -> Coverage:
        """Through which day each source is complete (:mod:`jbp.coverage`); read once."""
        cov = self._cache.get("coverage")
        if cov is None:
            loaded = {k: f for k in KINDS if (f := self.frame(k)) is not None}
            cov = coverage_from_frames(loaded, self.extract_dates)
            if self.source is not None:
                extracts = self.extract_dates or {}
                spans = {k: SourceCoverage(k, *self.source.span(k), extracts.get(k))
                         for k in KINDS if k not in loaded}
                cov = Coverage({k: cov.sources.get(k) or spans[k] for k in KINDS})
            self._cache["coverage"] = cov
        return cov

    def last_date(self) -> dt.date | None:
        """The latest date found in any actuals table (None when there are none)."""
        cov = self.coverage
        found = [cov.sources[k].last for k in (*dict(ACTIVITY_DATES), "mdf")
                 if k in cov.sources and cov.sources[k].last is not None]
        return max(found) if found else None  # type: ignore[type-var]

    def first_date(self) -> dt.date | None:
        """The earliest date found in any actuals table (None when there are none)."""
        cov = self.coverage
        found = [cov.sources[k].first for k in (*dict(ACTIVITY_DATES), "mdf")
                 if k in cov.sources and cov.sources[k].first is not None]
        return min(found) if found else None  # type: ignore[type-var]


# The frames' class-level defaults would answer for a frame left to the workspace; without
# them a missing frame reaches __getattr__ (the generated __init__ keeps its own defaults).
for _kind in KINDS:
    if _kind in Actuals.__dict__:
        delattr(Actuals, _kind)


def partners_frame(ws: Workspace, partner_id: int | None = None) -> pd.DataFrame:
    """The workspace's partners as a frame (dates as datetime64); with ``partner_id``, that
    one partner only (one row read, on a program of any size)."""
    where, args = ("WHERE id = ? ", (partner_id,)) if partner_id is not None else ("", ())
    rows = ws.rows("SELECT id, name, type, region, manager, signup_date, activated_on, "
                   f"churned_on, tier FROM partners {where}ORDER BY id", args)
    frame = pd.DataFrame([dict(r) for r in rows], columns=[
        "id", "name", "type", "region", "manager", "signup_date", "activated_on",
        "churned_on", "tier"])
    for col in ("signup_date", "activated_on", "churned_on"):
        frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame


KPI_COLUMNS = ("plan_id", "partner_id", "fiscal_year", "plan_status", "plan_title", "kpi_id",
               "name", "kind", "unit", "direction", "to_date", "metric", "target_q1", "target_q2",
               "target_q3", "target_q4", "actual_q1", "actual_q2", "actual_q3", "actual_q4")


def kpis_frame(ws: Workspace) -> pd.DataFrame:
    """Every KPI of every plan with its plan's partner, fiscal year and status."""
    rows = ws.rows(
        "SELECT p.id AS plan_id, p.partner_id, p.fiscal_year, p.status AS plan_status, "
        "p.title AS plan_title, k.id AS kpi_id, k.name, k.kind, k.unit, k.direction, k.to_date, k.metric, "
        "k.target_q1, k.target_q2, k.target_q3, k.target_q4, k.actual_q1, k.actual_q2, "
        "k.actual_q3, k.actual_q4 FROM kpis k JOIN goals g ON g.id = k.goal_id "
        "JOIN plans p ON p.id = g.plan_id ORDER BY p.id, g.position, k.position, k.id")
    return pd.DataFrame([dict(r) for r in rows], columns=list(KPI_COLUMNS))


def _as_of(actuals: Actuals, as_of: dt.date | None) -> dt.date:
    """``as_of`` when given. Without one (a script or test reading a snapshot, which has no
    workspace to ask :func:`jbp.asof.resolve_as_of`), the latest end of any source: every
    source is then read to its own end."""
    if as_of is not None:
        return as_of
    return actuals.coverage.latest_end() or dt.date.today()


def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _window(frame: pd.DataFrame, col: str, as_of: dt.date, days: int,
            offset_days: int = 0) -> pd.DataFrame:
    """Rows with ``col`` in ``(as_of - offset - days, as_of - offset]``."""
    hi = _ts(as_of) - pd.Timedelta(days=offset_days)
    lo = hi - pd.Timedelta(days=days)
    dates = frame[col]
    return frame[(dates > lo) & (dates <= hi)]


def _upto(frame: pd.DataFrame, col: str, as_of: dt.date) -> pd.DataFrame:
    return frame[frame[col] <= _ts(as_of)]


def _per_partner(series: pd.Series, index: pd.Index, fill: float = 0.0) -> pd.Series:
    return series.reindex(index).fillna(fill)
