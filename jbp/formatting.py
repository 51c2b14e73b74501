"""One formatter per unit: how every face (pages, CLI, charts) writes a figure.

A figure is computed once (:mod:`jbp.metrics`, :mod:`jbp.kpi`) and written by the function of
its unit here, so ROPI reads "316%" on the partner page, the Portfolio and the command line
alike. Units are the scorecard's (:data:`jbp.metrics.SCORECARD_LABELS`): ``currency``,
``fraction`` (0-1, written as a percent), ``ratio`` (a multiple, e.g. MDF ROI 3.2×),
``count``, ``days``, ``date``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

#: What a missing value looks like on every face.
MISSING = "–"


def missing(value: Any) -> bool:
    """None, NaN, NaT or an empty string."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    text = str(value)
    return text in ("NaT", "nan", "")


def money(value: Any, currency: str = "", *, short: bool = False) -> str:
    """An amount in the workspace currency: ``1,234,567 USD`` (``1.2M USD`` when
    ``short``)."""
    if missing(value):
        return MISSING
    v = float(value)
    if short:
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= div:
                text = f"{v / div:.1f}{suffix}".replace(".0" + suffix, suffix)
                break
        else:
            text = f"{v:,.0f}"
    else:
        text = f"{v:,.0f}"
    return f"{text} {currency}" if currency else text


def percent(value: Any, *, digits: int = 0, signed: bool = False) -> str:
    """A fraction as a percent: 3.16 → ``316%``, 0.255 → ``26%`` (``+12%`` when
    ``signed``)."""
    if missing(value):
        return MISSING
    v = float(value) * 100
    return f"{v:+,.{digits}f}%" if signed else f"{v:,.{digits}f}%"


def ratio(value: Any) -> str:
    """A multiple: 3.2 → ``3.2×`` (MDF ROI: revenue per MDF dollar)."""
    if missing(value):
        return MISSING
    return f"{float(value):,.1f}×"


def count(value: Any) -> str:
    if missing(value):
        return MISSING
    return f"{float(value):,.0f}"


def days(value: Any) -> str:
    if missing(value):
        return MISSING
    v = float(value)
    return f"{v:,.0f} day" if v == 1 else f"{v:,.0f} days"


def date(value: Any) -> str:
    """ISO date (``2026-11-15``) of a date, datetime or pandas Timestamp."""
    if missing(value):
        return MISSING
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:10]


def score(value: Any) -> str:
    """A 0-1 score (the risk score): two decimals."""
    if missing(value):
        return MISSING
    return f"{float(value):.2f}"


def by_unit(value: Any, unit: str, currency: str = "", *, short: bool = False) -> str:
    """``value`` written by the formatter of ``unit`` (a scorecard unit)."""
    if unit == "currency":
        return money(value, currency, short=short)
    if unit == "fraction":
        return percent(value)
    if unit == "ratio":
        return ratio(value)
    if unit == "count":
        return count(value)
    if unit == "days":
        return days(value)
    if unit == "date":
        return date(value)
    if unit == "bool":
        return "yes" if value else "no"
    return MISSING if missing(value) else str(value)


def kpi_value(value: float | None, unit: str, *, short: bool = False) -> str:
    """A KPI value in its KPI unit: currency with thousands separators (or 12.5k / 1.2M
    when ``short``), percent from a fraction (0.25 → "25%"), days and counts as numbers;
    "" when missing (a KPI cell left empty)."""
    if missing(value):
        return ""
    assert value is not None  # missing() is true for None
    if unit == "percent":
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if unit == "currency":
        if short:
            for div, suffix in ((1e6, "M"), (1e3, "k")):
                if abs(value) >= div:
                    return f"{value / div:.1f}{suffix}".replace(".0" + suffix, suffix)
        return f"{value:,.0f}"
    if unit == "days":
        return f"{value:,.0f} d" if short else f"{value:,.0f}"
    if float(value).is_integer() or abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def attainment(value: float | None) -> str:
    """Attainment fraction as percent text ("" when there is nothing to judge)."""
    if missing(value):
        return ""
    assert value is not None  # missing() is true for None
    return f"{value * 100:.0f}%"
