"""Hypothesis on the validators: every value is either a clean domain value or a named refusal."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jbp.errors import ValidationError
from jbp.fields import Field
from jbp.model import Initiative, Kpi, Tier, check_tiers

money = Field("amount", "money", "Amount", minimum=0)
fraction = Field("share", "fraction", "Share", required=True, minimum=0, maximum=1)
date = Field("when", "date", "Close date", required=True)
enum = Field("side", "enum", "Side", required=True, choices=("vendor", "partner"))
anything = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(),
                     st.booleans(), st.dates())


@given(anything)
def test_money_accepts_or_names_the_field(value):
    try:
        out = money.coerce(value, element="Deal")
    except ValidationError as exc:
        assert str(exc).startswith("Deal Amount: ")
        assert exc.field == "Amount"
    else:
        assert out is None or (isinstance(out, float) and out >= 0)


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_money_round_trips_through_its_display_text(x):
    x = round(x, 2)
    assert money.coerce(f"${x:,.2f}") == x


@given(anything)
def test_fraction_in_range_or_refused(value):
    try:
        out = fraction.coerce(value)
    except ValidationError as exc:
        assert exc.field == "Share"
    else:
        assert 0 <= out <= 1


@given(st.dates())
def test_dates_round_trip_as_iso_text(d):
    assert date.coerce(d.isoformat()) == d
    assert date.from_store(date.to_store(d)) == d


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@given(st.one_of(st.text(max_size=20), st.from_regex(r"\A[0-9W:T -]{8,19}\Z"),
                 st.dates().map(lambda d: d.isoformat().replace("-", "")),
                 st.dates().map(lambda d: "{:04d}-W{:02d}-{:d}".format(*d.isocalendar()))))
def test_date_text_is_strict(text):
    """Typed dates are YYYY-MM-DD (optionally with a time), nothing else."""
    try:
        out = date.coerce(text)
    except ValidationError as exc:
        assert str(exc).startswith("Close date: ")
        assert "YYYY-MM-DD" in str(exc) or not text.strip()
    else:
        day = text.strip().replace("T", " ", 1).partition(" ")[0]
        assert ISO_DAY.fullmatch(day) and out.isoformat() == day


def test_date_text_refuses_the_other_iso_forms():
    for text in ("20260105", "2026-W01-1", "2026W011", "2026-005", "2026-01-05 noon",
                 "２０２６-01-05"):
        with pytest.raises(ValidationError, match="YYYY-MM-DD"):
            date.coerce(text)
    assert date.coerce(" 2026-01-05 ") == date.coerce("2026-01-05T09:30:00") == dt.date(
        2026, 1, 5)


@given(st.text(max_size=12))
def test_enum_is_case_insensitive_and_closed(text):
    try:
        out = enum.coerce(text)
    except ValidationError as exc:
        assert "is not one of" in str(exc) or "required" in str(exc)
    else:
        assert out in ("vendor", "partner")
        assert out.lower() == text.strip().lower()


@given(st.lists(st.tuples(st.floats(0, 1e7, allow_nan=False), st.integers(0, 20),
                          st.integers(0, 20)), min_size=1, max_size=5))
def test_tier_thresholds_must_rise(thresholds):
    tiers = [Tier(f"T{i}", i, rev, certs, logos) for i, (rev, certs, logos)
             in enumerate(thresholds)]
    rising = all(
        b[0] >= a[0] and b[1] >= a[1] and b[2] >= a[2] and b != a
        for a, b in itertools.pairwise(thresholds))
    try:
        check_tiers(tiers)
    except ValidationError as exc:
        assert not rising
        assert exc.element == "Tier"
    else:
        assert rising


@given(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False),
       st.floats(-1e6, 1e6, allow_nan=False))
def test_initiative_mdf_rules(requested, approved, claimed):
    try:
        i = Initiative(plan_id=1, title="x", mdf_requested=requested, mdf_approved=approved,
                       mdf_claimed=claimed)
    except ValidationError as exc:
        assert exc.field.startswith("MDF")
    else:
        assert 0 <= i.mdf_claimed <= i.mdf_approved <= i.mdf_requested


@given(st.sampled_from(["currency", "count", "percent", "days"]),
       st.floats(-100, 100, allow_nan=False))
def test_kpi_negative_values_only_for_percent(unit, value):
    try:
        Kpi(goal_id=1, name="k", unit=unit, target_q1=value)
    except ValidationError:
        assert value < 0 and unit != "percent"
    else:
        assert value >= 0 or unit == "percent"


@given(st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=10),
                 st.lists(st.one_of(st.integers(-5, 50), st.floats(0, 50), st.text(max_size=3)),
                          max_size=4)))
def test_linked_goal_ids_refuse_with_a_validation_error(value):
    field = Initiative.field("goal_ids")
    try:
        out = field.coerce(value)
    except ValidationError as exc:
        assert exc.field == "Linked goals"
    else:
        assert all(isinstance(i, int) for i in out)


@pytest.mark.parametrize("text, value", [("$600k", 600_000.0), ("600k", 600_000.0),
                                         ("$1.2M", 1_200_000.0), ("120,000", 120_000.0)])
def test_kpi_target_takes_money_as_the_user_guide_types_it(text, value):
    """The user guide says money can be typed "$120k"; a KPI target in currency is a float
    field, which refused it."""
    field = Kpi.field("target_q1")
    assert field.kind == "float"
    assert field.coerce(text) == value
    assert Kpi(goal_id=1, name="Sourced revenue", unit="currency", target_q1=text).target_q1 \
        == value


def test_kpi_target_still_refuses_text():
    with pytest.raises(ValidationError):
        Kpi.field("target_q1").coerce("600 thousand")
