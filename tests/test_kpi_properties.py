"""Invariants of kpi_status (jbp.kpi) over any targets, actuals, units and dates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jbp.demo import PROGRAM
from jbp.kpi import is_additive, kpi_status
from jbp.model import DIRECTIONS, KPI_TO_DATE, KPI_UNITS, Kpi

# Amounts as a plan holds them: zero, or at least a hundredth (money has two decimals).
amount = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e9))
maybe = st.one_of(st.none(), amount)
as_of = st.dates(min_value=dt.date(2025, 6, 1), max_value=dt.date(2027, 6, 30))


@st.composite
def kpis(draw):
    targets = draw(st.lists(maybe, min_size=4, max_size=4))
    actuals = draw(st.lists(maybe, min_size=4, max_size=4))
    return Kpi(goal_id=1, name="KPI", unit=draw(st.sampled_from(KPI_UNITS)),
               direction=draw(st.sampled_from(DIRECTIONS)),
               to_date=draw(st.sampled_from(KPI_TO_DATE)),
               **{f"target_q{q + 1}": targets[q] for q in range(4)},
               **{f"actual_q{q + 1}": actuals[q] for q in range(4)})


@settings(max_examples=150)
@given(kpis(), as_of)
def test_rag_follows_attainment_and_nothing_reported_judges_nothing(kpi, day):
    status = kpi_status(kpi, PROGRAM, 2026, day)
    if all(a is None for a in kpi.actuals):
        assert status.actual_to_date is None and status.attainment is None
        assert status.rag == "" and status.forecast is None
    if status.attainment is None:
        assert status.rag == ""
    else:
        assert math.isfinite(status.attainment) and status.attainment >= 0
        expected = ("Green" if status.attainment >= PROGRAM.rag_green else
                    "Amber" if status.attainment >= PROGRAM.rag_amber else "Red")
        assert status.rag == expected
    if is_additive(kpi) and status.target_to_date is not None and status.full_target:
        # The pro-rated target never exceeds the year's (non-negative targets).
        assert status.target_to_date <= status.full_target * (1 + 1e-12)


@settings(max_examples=150)
@given(kpis(), as_of, st.integers(0, 3), st.floats(min_value=0, max_value=1e8))
def test_more_actual_never_lowers_attainment_when_higher_is_better(kpi, day, q, extra):
    kpi = dataclasses.replace(kpi, direction="higher")
    assume(kpi.actuals[q] is not None)
    more = dataclasses.replace(kpi, **{f"actual_q{q + 1}": kpi.actuals[q] + extra})
    before = kpi_status(kpi, PROGRAM, 2026, day).attainment
    after = kpi_status(more, PROGRAM, 2026, day).attainment
    if before is not None and after is not None:
        assert after >= before * (1 - 1e-12)


@settings(max_examples=150)
@given(kpis(), as_of, st.floats(min_value=1e-3, max_value=1e3))
def test_attainment_does_not_depend_on_the_unit_of_scale(kpi, day, scale):
    """Targets and actuals in thousands or in units: the same attainment and RAG."""
    scaled = dataclasses.replace(kpi, **{
        f"{side}_q{q + 1}": (v * scale if v is not None else None)
        for side, values in (("target", kpi.targets), ("actual", kpi.actuals))
        for q, v in enumerate(values)})
    a = kpi_status(kpi, PROGRAM, 2026, day)
    b = kpi_status(scaled, PROGRAM, 2026, day)
    assert (a.attainment is None) == (b.attainment is None)
    if a.attainment is not None and b.attainment is not None:
        assert math.isclose(a.attainment, b.attainment, rel_tol=1e-9, abs_tol=1e-12)
