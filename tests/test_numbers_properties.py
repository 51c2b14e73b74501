"""Properties of how the Scenario Lab reads typed numbers (``ui.numbers``; no Qt)."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from jbp.errors import ValidationError
from ui.numbers import param_text, parse_number

number_like = st.one_of(
    st.text(max_size=16),
    st.from_regex(r"\A ?[+-]?[0-9,._]{0,12}(e[+-]?[0-9]{1,3})?[%kKmM]? ?\Z"),
    st.sampled_from(["inf", "-inf", "Infinity", "nan", "NaN%", "1e400", "1e400k"]))


@given(number_like)
@example("1,5")
@example("inf")
def test_typed_text_is_a_finite_number_the_text_itself_or_a_named_refusal(text):
    try:
        out = parse_number(text)
    except ValidationError as exc:
        assert exc.field == "Number" and exc.reason
    else:
        if isinstance(out, str):
            assert out == text.strip()
        else:
            assert math.isfinite(out)


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=99))
def test_a_comma_that_does_not_group_thousands_is_refused(whole, decimals):
    text = f"{whole},{decimals}"  # a decimal comma, or a mistyped group
    with pytest.raises(ValidationError, match="comma only groups thousands"):
        parse_number(text)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_what_a_field_shows_reads_back_as_its_value(value):
    shown = param_text(value)
    back = parse_number(shown)
    assert isinstance(back, (int, float))
    # param_text writes two decimals from 1000 up and 6 significant digits below.
    # (plus the float's own rounding of the printed decimal)
    tolerance = (0.005 if abs(value) >= 1000 else abs(value) * 1e-5) + abs(value) * 1e-12
    assert abs(back - value) <= tolerance


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_grouped_integers_read_back_exactly(n):
    assert parse_number(f"{n:,}") == n
