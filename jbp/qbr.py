"""The quarterly business review scorecard of one plan: every KPI's standing, the
initiatives due or late, and the comments still open. Pure domain; the QBR view shows it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .kpi import KpiStatus, status_on
from .model import Comment, Goal, Initiative, Kpi, PlanDocument, Program, fiscal_quarter_bounds

if TYPE_CHECKING:
    from .coverage import Coverage

#: An initiative ending within this many days of "as of" counts as due.
DUE_WITHIN_DAYS = 45


@dataclass(frozen=True)
class KpiLine:
    goal: Goal
    kpi: Kpi
    status: KpiStatus

    @property
    def period(self) -> str:
        """What "to date" means for this KPI: "Q4 to date, 45 of 92 days" while a quarter
        is in progress, "full year to Q3" when the last reported quarter is over."""
        if self.status.partial is not None:
            return self.status.partial.label()
        reported = [q for q in range(4) if self.kpi.actuals[q] is not None]
        return f"to Q{reported[-1] + 1} (complete)" if reported else ""


@dataclass
class Scorecard:
    """What a QBR puts on one screen, as of ``as_of``."""

    as_of: dt.date
    quarter_labels: list[str]
    kpis: list[KpiLine] = field(default_factory=list)
    due: list[Initiative] = field(default_factory=list)
    late: list[Initiative] = field(default_factory=list)
    open_comments: list[Comment] = field(default_factory=list)

    def rag_counts(self) -> dict[str, int]:
        """How many KPIs are Green, Amber, Red, or not yet judged ("")."""
        out = {"Green": 0, "Amber": 0, "Red": 0, "": 0}
        for line in self.kpis:
            out[line.status.rag] = out.get(line.status.rag, 0) + 1
        return out


def quarter_labels(fiscal_year: int, start_month: int) -> list[str]:
    """"Q1 FY26" style labels with the calendar months, e.g. "Q1 (Jan–Mar)"."""
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
             "Dec"]
    out = []
    for i, (start, end) in enumerate(fiscal_quarter_bounds(fiscal_year, start_month)):
        out.append(f"Q{i + 1} ({names[start.month - 1]}–{names[end.month - 1]})")
    return out


def plan_scorecard(doc: PlanDocument, program: Program, as_of: dt.date,
                   due_within_days: int = DUE_WITHIN_DAYS,
                   coverage: Coverage | None = None) -> Scorecard:
    """Every KPI's status (:func:`jbp.kpi.status_on`: a bound KPI measured to the end of its
    source's data, ``coverage``), initiatives due (ending within
    ``due_within_days`` days of ``as_of``, not done or cancelled) or late (ended before
    ``as_of`` and not done or cancelled), and unresolved comments, newest first."""
    fy = doc.plan.fiscal_year
    card = Scorecard(as_of=as_of,
                     quarter_labels=quarter_labels(fy, program.fiscal_year_start_month))
    for goal in doc.goals:
        for kpi in doc.kpis_of(goal.id):
            card.kpis.append(KpiLine(goal, kpi, status_on(kpi, program, fy, as_of, coverage)))
    horizon = as_of + dt.timedelta(days=due_within_days)
    for init in doc.initiatives:
        if init.status in ("Done", "Cancelled") or init.end_date is None:
            continue
        if init.is_late(as_of):
            card.late.append(init)
        elif init.end_date <= horizon:
            card.due.append(init)
    card.late.sort(key=lambda i: i.end_date or as_of)
    card.due.sort(key=lambda i: i.end_date or as_of)
    card.open_comments = sorted((c for c in doc.comments if not c.resolved),
                                key=lambda c: (c.created_at, c.id or 0), reverse=True)
    return card
