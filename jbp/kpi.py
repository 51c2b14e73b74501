"""KPI tracking: attainment against the pro-rated target, RAG, and the run-rate forecast.

Additive KPIs (currency or count measured as "sum of quarters") accumulate over the year;
levels (currency or count measured at the "latest quarter") and rates (percent as a fraction
0-1, days) are judged on the latest reported quarter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Kpi, Program, fiscal_quarter_bounds

if TYPE_CHECKING:
    from .coverage import Coverage

ADDITIVE_UNITS = ("currency", "count")


def is_additive(kpi: Kpi) -> bool:
    """True when the KPI's quarters add up to its year to date."""
    return kpi.unit in ADDITIVE_UNITS and kpi.to_date == "sum of quarters"


def quarter_progress(bounds: list[tuple[dt.date, dt.date]], as_of: dt.date) -> list[float]:
    """Fraction (0-1) of each quarter elapsed on ``as_of`` (the day itself counts)."""
    out = []
    for start, end in bounds:
        if as_of < start:
            out.append(0.0)
        elif as_of >= end:
            out.append(1.0)
        else:
            out.append(((as_of - start).days + 1) / ((end - start).days + 1))
    return out


def rag(attainment: float | None, program: Program) -> str:
    """"Green" at or above ``program.rag_green``, "Amber" at or above ``rag_amber``, else
    "Red"; "" when there is nothing to judge yet."""
    if attainment is None:
        return ""
    if attainment >= program.rag_green:
        return "Green"
    if attainment >= program.rag_amber:
        return "Amber"
    return "Red"


def ratio(actual: float, target: float, direction: str) -> float | None:
    """Attainment as a fraction: actual/target when higher is better, target/actual when
    lower is better. None when the ratio is undefined (zero target, or zero actual for a
    lower-is-better KPI, which counts as fully attained)."""
    if direction == "higher":
        return actual / target if target else None
    if actual <= 0:
        return 1.0 if target >= 0 else None
    return target / actual


@dataclass(frozen=True)
class PartialQuarter:
    """The quarter in progress on the day a KPI is measured to: quarter index 0-3, days
    elapsed (the day itself counts) of the quarter's days."""

    quarter: int
    days: int
    total: int
    through: dt.date

    @property
    def fraction(self) -> float:
        return self.days / self.total

    def label(self) -> str:
        """"Q4 to date, 45 of 92 days"."""
        return f"Q{self.quarter + 1} to date, {self.days} of {self.total} days"


def partial_quarter(bounds: list[tuple[dt.date, dt.date]], day: dt.date) -> PartialQuarter | None:
    """The quarter ``day`` falls in when it is not the quarter's last day (None when
    ``day`` is outside the year or ends its quarter)."""
    for q, (start, end) in enumerate(bounds):
        if start <= day < end:
            return PartialQuarter(q, (day - start).days + 1, (end - start).days + 1, day)
    return None


@dataclass(frozen=True)
class KpiStatus:
    """Where a KPI stands on a date.

    ``target_to_date``/``actual_to_date``: in the KPI's unit (cumulative for additive units,
    the latest reported quarter for rate units). ``attainment``: fraction (1.0 = on target).
    ``forecast``: run-rate projection to period end in the KPI's unit; ``full_target``: the
    whole-year target (sum for additive units, Q4's target for rate units).
    """

    target_to_date: float | None
    actual_to_date: float | None
    attainment: float | None
    rag: str
    forecast: float | None
    full_target: float | None
    forecast_attainment: float | None
    #: The quarter in progress on the day measured to (None when every quarter with an
    #: actual is over): tables and charts show it "to date", never as a finished quarter.
    partial: PartialQuarter | None = None
    #: The day the KPI is measured to (see :func:`status_on`).
    through: dt.date | None = None


def status_on(kpi: Kpi, program: Program, fiscal_year: int, as_of: dt.date,
              coverage: Coverage | None = None) -> KpiStatus:
    """A KPI's status on a view "as of" ``as_of``: the one computation the plan page, the
    QBR and the Portfolio's plan attainment share. A KPI bound to a metric is measured to the
    end of its source's data when that is earlier (:func:`jbp.coverage.measured_through`),
    so the days after it are neither counted as zero actual nor added to the target."""
    from .coverage import measured_through

    return kpi_status(kpi, program, fiscal_year, measured_through(kpi, coverage, as_of))


def kpi_status(kpi: Kpi, program: Program, fiscal_year: int, as_of: dt.date) -> KpiStatus:
    """Attainment to date against the pro-rated target, RAG and run-rate forecast.

    Additive units: target to date = Σ target_q × elapsed fraction of quarter q;
    actual to date = Σ reported actuals; forecast = actual to date ÷ elapsed fraction of
    the year (only over the quarters reported, so a late import does not depress it).
    Levels and rate units: the latest quarter with an actual, against that quarter's target;
    the forecast is that latest actual; the full-year target is the last quarter's.
    """
    bounds = fiscal_quarter_bounds(fiscal_year, program.fiscal_year_start_month)
    status = _kpi_status(kpi, program, bounds, as_of)
    partial = partial_quarter(bounds, as_of)
    if partial is not None and kpi.actuals[partial.quarter] is None:
        partial = None  # nothing reported for it: nothing drawn as "to date"
    return dataclasses.replace(status, partial=partial, through=as_of)


def _kpi_status(kpi: Kpi, program: Program, bounds: list[tuple[dt.date, dt.date]],
                as_of: dt.date) -> KpiStatus:
    progress = quarter_progress(bounds, as_of)
    targets, actuals = kpi.targets, kpi.actuals
    if is_additive(kpi):
        known_targets = [t for t in targets if t is not None]
        full = sum(known_targets) if known_targets else None
        reported = [q for q in range(4) if actuals[q] is not None]
        if not reported:
            return KpiStatus(None, None, None, "", None, full, None)
        # Pro-rate over what has been reported: a quarter with an actual counts as far as
        # it has elapsed (whole for past quarters).
        # (an actual entered for a quarter that has not begun counts the whole quarter)
        weights = [(progress[q] or 1.0) if actuals[q] is not None else 0.0 for q in range(4)]
        target_to_date = sum((targets[q] or 0.0) * weights[q] for q in range(4))
        actual_to_date = sum(a for a in actuals if a is not None)
        elapsed = sum(weights) / 4.0
        forecast = actual_to_date / elapsed if elapsed > 0 else None
        att = ratio(actual_to_date, target_to_date, kpi.direction) if target_to_date else None
        f_att = ratio(forecast, full, kpi.direction) if forecast is not None and full else None
        return KpiStatus(target_to_date, actual_to_date, att, rag(att, program), forecast,
                         full, f_att)
    latest = [(q, a) for q, a in enumerate(actuals) if a is not None]
    full = next((t for t in reversed(targets) if t is not None), None)
    if not latest:
        return KpiStatus(None, None, None, "", None, full, None)
    last, actual = latest[-1]
    target = targets[last]
    att = ratio(actual, target, kpi.direction) if target is not None else None
    f_att = ratio(actual, full, kpi.direction) if full is not None else None
    return KpiStatus(target, actual, att, rag(att, program), actual, full, f_att)
