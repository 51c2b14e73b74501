"""Attainment against the pro-rated target, RAG and run-rate forecast (hand-computed)."""

from __future__ import annotations

import datetime as dt

import pytest

from jbp.kpi import kpi_status, quarter_progress
from jbp.model import Kpi, Program, fiscal_quarter_bounds

PROGRAM = Program(rag_green=0.95, rag_amber=0.8, fiscal_year_start_month=1)


def test_quarter_bounds_and_progress():
    b = fiscal_quarter_bounds(2026, 4)
    assert b[0] == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert b[3] == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    p = quarter_progress(fiscal_quarter_bounds(2026, 1), dt.date(2026, 5, 15))
    assert p[0] == 1.0 and p[2:] == [0.0, 0.0]
    assert p[1] == pytest.approx((30 + 15) / 91)  # April 1 .. May 15 inclusive


def test_additive_kpi_prorated():
    kpi = Kpi(goal_id=1, name="Sourced", unit="currency", target_q1=100, target_q2=200,
              target_q3=300, target_q4=400, actual_q1=90, actual_q2=50)
    # 2026-05-15: Q1 complete, Q2 45/91 elapsed.
    s = kpi_status(kpi, PROGRAM, 2026, dt.date(2026, 5, 15))
    q2 = 45 / 91
    assert s.target_to_date == pytest.approx(100 + 200 * q2)
    assert s.actual_to_date == 140
    assert s.attainment == pytest.approx(140 / (100 + 200 * q2))
    assert s.rag == "Red"  # 140 / 198.9 = 0.70 < 0.8
    assert s.forecast == pytest.approx(140 / ((1 + q2) / 4))
    assert s.full_target == 1000


def test_rag_thresholds():
    base = {"goal_id": 1, "name": "k", "unit": "count", "target_q1": 100}
    as_of = dt.date(2026, 4, 30)
    assert kpi_status(Kpi(**base, actual_q1=95), PROGRAM, 2026, as_of).rag == "Green"
    assert kpi_status(Kpi(**base, actual_q1=80), PROGRAM, 2026, as_of).rag == "Amber"
    assert kpi_status(Kpi(**base, actual_q1=79), PROGRAM, 2026, as_of).rag == "Red"
    assert kpi_status(Kpi(**base), PROGRAM, 2026, as_of).rag == ""


def test_lower_is_better_rate_kpi():
    kpi = Kpi(goal_id=1, name="Days to close", unit="days", direction="lower",
              target_q1=90, target_q2=80, target_q3=70, target_q4=60, actual_q1=100,
              actual_q2=80)
    s = kpi_status(kpi, PROGRAM, 2026, dt.date(2026, 8, 1))
    assert (s.target_to_date, s.actual_to_date) == (80, 80)
    assert s.attainment == 1.0 and s.rag == "Green"
    assert s.forecast == 80 and s.full_target == 60
    assert s.forecast_attainment == pytest.approx(60 / 80)


def test_level_kpi_reads_the_latest_quarter():
    kpi = Kpi(goal_id=1, name="Certified people", unit="count", to_date="latest quarter",
              target_q1=2, target_q2=4, target_q3=6, target_q4=8, actual_q1=3, actual_q2=5)
    s = kpi_status(kpi, PROGRAM, 2026, dt.date(2026, 8, 1))
    assert (s.target_to_date, s.actual_to_date, s.full_target) == (4, 5, 8)
    assert s.attainment == 1.25 and s.rag == "Green"
    flow = kpi.replace(to_date="sum of quarters")
    assert kpi_status(flow, PROGRAM, 2026, dt.date(2026, 8, 1)).actual_to_date == 8
