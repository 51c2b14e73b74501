"""Partner and program metrics computed from a workspace's imported actuals.

Every function here is pure: it reads an :class:`Actuals` snapshot (the partner list, the
program and the actuals tables as pandas frames) and returns numbers or frames; nothing is
written. ``docs/metrics.md`` gives every formula with a worked example; the docstrings below
give the formula and the unit.

Conventions
-----------
* ``as_of`` is the date the view describes, decided once by :func:`jbp.asof.resolve_as_of`
  (set by the user, else the workspace's pinned date, else today). It is not capped at the
  end of the data: each source of actuals is read only *through* the earlier of ``as_of``
  and the end of its own coverage (:mod:`jbp.coverage`), so a scorecard read on
  15 November from logins that end on 31 October measures logins to 31 October and never
  reads the first half of November as fifteen days without a login.
* Windows end on their source's "through" day ``t``: T12M (trailing twelve months) is
  ``(t - 365 days, t]``; the 90-day windows of leading indicators likewise.
* Money is in the program currency; fractions are 0-1; durations are days.
* Revenue is the deal amount (the ARR of a recurring deal, the value of a one-off deal), on
  the close date.

The package's modules are the steps: :mod:`.snapshot` (what is read, and the windows),
:mod:`.activity` (per-partner sums of the large activity tables, counted by SQLite where the
data lives), :mod:`.investment`, :mod:`.scorecard`, :mod:`.plans` (KPI attainment),
:mod:`.program`, :mod:`.trends`, :mod:`.backtest` and :mod:`.bindable` (the metrics a KPI
can be bound to). Every public name is re-exported here.
"""

from __future__ import annotations

from ..coverage import month_end
from .backtest import churn_backtest
from .bindable import METRICS, BindableMetric, quarterly_values, quarterly_values_many
from .investment import allocated_costs, tier_rates
from .plans import PLAN_PREFERENCE, fiscal_year_of, kpi_attainment
from .program import program_summary, program_summary_from
from .scorecard import (
                        SCORECARD_COLUMNS,
                        SCORECARD_LABELS,
                        customer_values,
                        idle_days,
                        project_tier_date,
                        risk_components,
                        run_rates,
                        scorecard,
                        scorecard_from,
)
from .snapshot import (
                        ACTIVITY_DATES,
                        BASELINE_DAYS,
                        CUSTOMER_CHURN,
                        INACTIVE_DAYS,
                        KPI_COLUMNS,
                        RECENT_DAYS,
                        RISK_THRESHOLD,
                        RISK_WEIGHTS,
                        RUN_RATE_DAYS,
                        YEAR_DAYS,
                        Actuals,
                        kpis_frame,
                        partners_frame,
)
from .trends import monthly_series

__all__ = [
    "ACTIVITY_DATES", "BASELINE_DAYS", "CUSTOMER_CHURN", "INACTIVE_DAYS", "KPI_COLUMNS",
    "METRICS", "PLAN_PREFERENCE", "RECENT_DAYS", "RISK_THRESHOLD", "RISK_WEIGHTS",
    "RUN_RATE_DAYS", "SCORECARD_COLUMNS", "SCORECARD_LABELS", "YEAR_DAYS", "Actuals",
    "BindableMetric", "allocated_costs", "churn_backtest", "customer_values", "fiscal_year_of",
    "idle_days", "kpi_attainment", "kpis_frame", "month_end", "monthly_series",
    "partners_frame", "program_summary", "program_summary_from", "project_tier_date",
    "quarterly_values", "quarterly_values_many", "risk_components", "run_rates", "scorecard",
    "scorecard_from", "tier_rates",
]
