"""The one parser of typed numbers and dates (jbp.locale_numbers), without Qt: the German
forms read as German, the international form where it cannot be misread, text that reads
two ways refused with both readings; and what the faces write reads back."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jbp.errors import ValidationError
from jbp.fields import Field
from jbp.formatting import ENGLISH, GERMAN, NumberStyle, kpi_value, money, percent
from jbp.locale_numbers import (
    AmbiguousNumber,
    NotANumber,
    number_text,
    read_date,
    read_number,
    typable,
)

US = NumberStyle(name="English", typed_dates=(("mdy", "/"),))


@pytest.mark.parametrize(("text", "value"), [
    ("1.234,56", 1234.56), ("1234,56", 1234.56), ("12,5", 12.5), ("0,125", 0.125),
    ("1.234.567", 1234567), ("1.234.567,5", 1234567.5), ("-1.234,5", -1234.5),
    ("(500)", -500), ("1,5k", 1500), ("2,5M", 2_500_000), ("1.234,56 €", 1234.56),
    ("$1.234,56", 1234.56), ("1 234,56", 1234.56),
    # the international form, where German cannot read it another way
    ("1234.56", 1234.56), ("1,234.56", 1234.56), ("12.5", 12.5), ("1.5M", 1_500_000),
])
def test_german_forms_and_the_international_form_read_as_meant(text, value):
    assert read_number(text, GERMAN).value == pytest.approx(value)


def test_a_percent_reads_as_a_fraction_in_both_styles():
    assert read_number("12,5 %", GERMAN).value == pytest.approx(0.125)
    assert read_number("12,5%", GERMAN).percent
    assert read_number("12.5%", ENGLISH).value == pytest.approx(0.125)


@pytest.mark.parametrize(("text", "german", "international", "to_type"), [
    ("1.234", "1234", "1,234", ("1234", "1,2340")),
    ("1,234", "1,234", "1234", ("1,2340", "1234")),
    ("12.500", "12500", "12,5", ("12500", "12,5")),
    ("-1,234 %", "1,234", "1234", ("1,2340", "1234")),
])
def test_text_that_reads_two_ways_is_refused_with_both_readings(text, german, international,
                                                                 to_type):
    with pytest.raises(AmbiguousNumber) as caught:
        read_number(text, GERMAN, field="Target Q1")
    reason = caught.value.reason
    assert caught.value.field == "Target Q1"
    assert f"{german} (German:" in reason and f"{international} (international:" in reason
    assert "Nothing was stored" in reason
    for typed in to_type:  # what the message says to type reads one way
        assert typed in reason
        read_number(typed, GERMAN)


def test_english_reads_as_before_and_refuses_a_decimal_comma():
    assert read_number("1,234", ENGLISH).value == 1234
    assert read_number("1.234", ENGLISH).value == pytest.approx(1.234)
    assert read_number("$1,234.50", ENGLISH).value == pytest.approx(1234.5)
    for text in ("1,5", "1234,56", "1.234,56"):  # once stored as 15, 123456, 1.23456
        with pytest.raises(NotANumber, match="comma only groups thousands"):
            read_number(text, ENGLISH)


def test_the_domain_field_reads_text_with_the_same_parser():
    target = Field("target_q1", "float", "Target Q1")
    assert target.coerce("1,234.5") == pytest.approx(1234.5)
    assert target.coerce("$120k") == pytest.approx(120_000)
    with pytest.raises(ValidationError, match="comma only groups thousands"):
        target.coerce("1234,56")  # read as 123456 before


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4,5", "1,23,4", "12..5", "--5", "inf",
                                  "NaN%", "1e400"])
def test_text_that_is_no_number_is_refused(text):
    for style in (ENGLISH, GERMAN):
        with pytest.raises(NotANumber):
            read_number(text, style)


def test_dates_in_the_locales_short_form_and_iso():
    assert read_date("31.12.2026", GERMAN) == dt.date(2026, 12, 31)
    assert read_date("1.2.2026", GERMAN) == dt.date(2026, 2, 1)
    assert read_date("2026-12-31", GERMAN) == dt.date(2026, 12, 31)
    assert read_date("12/31/2026", US) == dt.date(2026, 12, 31)
    assert read_date("2026-12-31", US) == dt.date(2026, 12, 31)
    with pytest.raises(ValidationError, match=r"type 31\.12\.2026 or 2026-12-31"):
        read_date("12/31/2026", GERMAN)
    with pytest.raises(ValidationError, match="year in full"):
        read_date("31.12.26", GERMAN)
    with pytest.raises(ValidationError, match="not a day of the calendar"):
        read_date("31.02.2026", GERMAN)
    with pytest.raises(ValidationError, match="type 2026-12-31"):
        read_date("31.12.2026", ENGLISH)


def test_the_formatter_writes_the_style():
    assert money(1234567.4, "EUR", style=GERMAN) == "1.234.567 EUR"
    assert money(1234567.4, "USD") == "1,234,567 USD"
    assert percent(0.125, digits=1, style=GERMAN) == "12,5%"
    assert kpi_value(0.125, "percent", style=GERMAN) == "12,5%"
    assert kpi_value(1500, "currency", short=True, style=GERMAN) == "1,5k"
    assert GERMAN.date(dt.date(2026, 12, 31)) == "31.12.2026"
    assert ENGLISH.date(dt.date(2026, 12, 31)) == "2026-12-31"


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(finite, st.sampled_from([ENGLISH, GERMAN, US]))
def test_what_an_editor_shows_reads_back_as_its_value(value, style):
    back = read_number(number_text(value, style), style).value
    assert back == pytest.approx(round(value, 2), abs=1e-9, rel=1e-12)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from([ENGLISH, GERMAN]))
def test_grouped_numbers_are_written_only_where_they_read_back(n, style):
    text = typable(f"{n:,}", style)
    assert read_number(text, style).value == n


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from([ENGLISH, GERMAN, US]))
def test_a_date_written_in_a_style_reads_back(day, style):
    assert read_date(style.date(day), style) == day
