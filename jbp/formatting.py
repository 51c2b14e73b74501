"""One formatter per unit: how every face (pages, CLI, charts) writes a figure.

A figure is computed once (:mod:`jbp.metrics`, :mod:`jbp.kpi`) and written by the function of
its unit here, so ROPI reads "316%" on the partner page, the Portfolio and the command line
alike. Units are the scorecard's (:data:`jbp.metrics.SCORECARD_LABELS`): ``currency``,
``fraction`` (0-1, written as a percent), ``ratio`` (a multiple, e.g. MDF ROI 3.2×),
``count``, ``days``, ``date``.

Every function takes a :class:`NumberStyle` (``style=``): the decimal and group separators and
the date form of the reader's locale. The default is English (``1,234.5``, ISO dates), which
workbooks, the CLI and the tests use; the GUI passes the style of the user's locale or setting
(:mod:`ui.i18n`), so the same figure reads ``1.234,5`` and ``31.12.2026`` in German. Typed
input is read back by the one parser in :mod:`jbp.locale_numbers`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NumberStyle:
    """How numbers and dates are written in one locale (plain strings, no Qt).

    ``date_order`` is the order of day, month and year in the short date (``"ymd"``,
    ``"dmy"``, ``"mdy"``) and ``date_sep`` its separator; ``typed_dates`` are further
    (order, separator) forms accepted when typed but not shown (an English locale shows ISO
    dates and also reads its own short form, e.g. 12/31/2026 in the US)."""

    decimal: str = "."
    group: str = ","
    date_order: str = "ymd"
    date_sep: str = "-"
    name: str = "English"
    typed_dates: tuple[tuple[str, str], ...] = ()

    def number(self, text: str) -> str:
        """English digits (``1,234.5``) written with this style's separators."""
        if (self.decimal, self.group) == (".", ","):
            return text
        return text.translate({ord(","): "\0", ord("."): self.decimal}).replace(
            "\0", self.group)

    @property
    def date_example(self) -> str:
        """The short date form as a user would type it: ``31.12.2026``."""
        return self.date(dt.date(2026, 12, 31))

    def date(self, day: dt.date) -> str:
        parts = {"y": f"{day.year:04d}", "m": f"{day.month:02d}", "d": f"{day.day:02d}"}
        return self.date_sep.join(parts[c] for c in self.date_order)


#: The default: what workbooks, the CLI and tests write.
ENGLISH = NumberStyle()
#: German (de_DE): 1.234,56 and 31.12.2026.
GERMAN = NumberStyle(decimal=",", group=".", date_order="dmy", date_sep=".", name="German")

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


def money(value: Any, currency: str = "", *, short: bool = False,
          style: NumberStyle = ENGLISH) -> str:
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
    text = style.number(text)
    return f"{text} {currency}" if currency else text


def percent(value: Any, *, digits: int = 0, signed: bool = False,
            style: NumberStyle = ENGLISH) -> str:
    """A fraction as a percent: 3.16 → ``316%``, 0.255 → ``26%`` (``+12%`` when
    ``signed``)."""
    if missing(value):
        return MISSING
    v = float(value) * 100
    return style.number(f"{v:+,.{digits}f}%" if signed else f"{v:,.{digits}f}%")


def ratio(value: Any, *, style: NumberStyle = ENGLISH) -> str:
    """A multiple: 3.2 → ``3.2×`` (MDF ROI: revenue per MDF dollar)."""
    if missing(value):
        return MISSING
    return style.number(f"{float(value):,.1f}×")


def count(value: Any, *, style: NumberStyle = ENGLISH) -> str:
    if missing(value):
        return MISSING
    return style.number(f"{float(value):,.0f}")


def days(value: Any, *, style: NumberStyle = ENGLISH) -> str:
    if missing(value):
        return MISSING
    v = float(value)
    return style.number(f"{v:,.0f} day" if v == 1 else f"{v:,.0f} days")


def date(value: Any, *, style: NumberStyle = ENGLISH) -> str:
    """A date, datetime or pandas Timestamp in the style's date form (ISO ``2026-11-15`` by
    default)."""
    if missing(value):
        return MISSING
    if isinstance(value, dt.datetime):
        return style.date(value.date())
    if hasattr(value, "date") and callable(value.date):
        return style.date(value.date())
    if isinstance(value, dt.date):
        return style.date(value)
    return str(value)[:10]


def score(value: Any, *, style: NumberStyle = ENGLISH) -> str:
    """A 0-1 score (the risk score): two decimals."""
    if missing(value):
        return MISSING
    return style.number(f"{float(value):.2f}")


def by_unit(value: Any, unit: str, currency: str = "", *, short: bool = False,
            style: NumberStyle = ENGLISH) -> str:
    """``value`` written by the formatter of ``unit`` (a scorecard unit)."""
    if unit == "currency":
        return money(value, currency, short=short, style=style)
    if unit == "fraction":
        return percent(value, style=style)
    if unit == "ratio":
        return ratio(value, style=style)
    if unit == "count":
        return count(value, style=style)
    if unit == "days":
        return days(value, style=style)
    if unit == "date":
        return date(value, style=style)
    if unit == "bool":
        return "yes" if value else "no"
    return MISSING if missing(value) else str(value)


def kpi_value(value: float | None, unit: str, *, short: bool = False,
              style: NumberStyle = ENGLISH) -> str:
    """A KPI value in its KPI unit: currency with thousands separators (or 12.5k / 1.2M
    when ``short``), percent from a fraction (0.25 → "25%"), days and counts as numbers;
    "" when missing (a KPI cell left empty)."""
    if missing(value):
        return ""
    assert value is not None  # missing() is true for None
    return style.number(_kpi_value(value, unit, short))


def _kpi_value(value: float, unit: str, short: bool) -> str:
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


def attainment(value: float | None, *, style: NumberStyle = ENGLISH) -> str:
    """Attainment fraction as percent text ("" when there is nothing to judge)."""
    if missing(value):
        return ""
    assert value is not None  # missing() is true for None
    return style.number(f"{value * 100:,.0f}%")
