"""Numbers and dates typed by a person, read in the forms of their locale: the one parser of
typed input. Plan cells, the Program and Partners tables and the Scenario Lab's fields read
what is typed here (the GUI passes its :class:`~jbp.formatting.NumberStyle`), and
:meth:`jbp.fields.Field.coerce` reads text here in the English default. File importers keep
their own documented rules (:mod:`jbp.import_cells`, :mod:`jbp.importers`).

Numbers, in a locale whose style is ``style``:

* the locale's own forms are read: ``1.234,56``, ``1234,56``, ``12,5 %`` in German,
  ``1,234.56`` in English;
* the international form (a point marks decimals, a comma groups thousands) is read too,
  where it cannot be misread: ``1234.56``, ``1,234.56`` and ``12.5`` in German;
* text that the locale's form and the international form read as *different* numbers is
  refused, with a message giving both readings and what to type instead — in German
  ``1.234`` (German 1234, international 1,234) and ``1,234`` (German 1,234, international
  1234). Nothing is stored in another value silently;
* in English (which is the international form) a comma that does not group thousands
  (``1,5``) is refused: it is a German decimal, or a slip;
* ``150k``, ``1.2M`` (where ``suffixes``), ``(500)`` for −500, a leading sign, a currency
  symbol and ``%`` are read as before.

Dates: ISO (``2026-12-31``) always, and the locale's short form with the year in full
(``31.12.2026`` in German, ``12/31/2026`` in the US); anything else is refused with a message
naming both forms.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from .errors import ValidationError
from .formatting import ENGLISH, NumberStyle

#: The international form: a point marks decimals, a comma groups thousands.
INTERNATIONAL = ENGLISH

_SYMBOLS = "$€£¥"
_EXPONENT = re.compile(r"(.*?)([eE][+-]?[0-9]{1,4})?")
_DIGITS = re.compile(r"[0-9]*")


class NotANumber(ValidationError):
    """Text that no form reads as a number."""


class UnusableNumber(NotANumber):
    """Text that reads as a number but not one to use: a decimal comma in English (``1,5``),
    infinity."""


class AmbiguousNumber(ValidationError):
    """Text that the locale's form and the international form read as different numbers."""


@dataclass(frozen=True)
class TypedNumber:
    """What a typed number says: ``value`` (after ``%``, ``k`` and ``M``), whether it was
    written as a whole number without a scale (``integral``) and as a percent."""

    value: float
    integral: bool
    percent: bool

    @property
    def plain(self) -> float | int:
        """The value, as an ``int`` when it was typed as a whole number (``150k`` too)."""
        return int(self.value) if self.integral and abs(self.value) < 2**53 else self.value


def _plain(text: str, decimal: str, group: str) -> str | None:
    """``text`` (digits, ``decimal``, ``group``) as an English decimal string ("1234.5"), or
    None when the separators are not used as the form uses them: one decimal separator at
    most, groups of three after a first group of one to three digits that is not 0."""
    whole, sep, frac = text.partition(decimal)
    if decimal in frac or group in frac or not _DIGITS.fullmatch(frac):
        return None
    if group and group in whole:
        parts = whole.split(group)
        if not 1 <= len(parts[0]) <= 3 or parts[0].startswith("0") or any(
                len(p) != 3 for p in parts[1:]):
            return None
        whole = "".join(parts)
    if not _DIGITS.fullmatch(whole) or not (whole or frac):
        return None
    return f"{whole or '0'}.{frac}" if sep else whole


def _unambiguous(value: str, style: NumberStyle) -> str:
    """``value`` ("1234" or "1.234") as text the style reads one way only: no grouping, and a
    fourth decimal where three would read as a thousands group."""
    whole, _, frac = value.partition(".")
    frac = frac.rstrip("0")
    if not frac:
        return whole.lstrip("0") or "0"
    whole = whole.lstrip("0") or "0"
    if len(frac) == 3 and whole != "0" and len(whole) <= 3 and (
            style.decimal, style.group) != (".", ","):
        frac += "0"
    return f"{whole}{style.decimal}{frac}"


def _shown(value: str, style: NumberStyle) -> str:
    whole, _, frac = value.partition(".")
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return f"{whole}{style.decimal}{frac}" if frac else whole


def _why(decimal: str, group: str, text: str) -> str:
    names = {".": "a point", ",": "a comma", "'": "an apostrophe", "’": "an apostrophe"}
    if decimal in text:
        return f"{names.get(decimal, repr(decimal))} marks decimals"
    return f"{names.get(group, repr(group))} groups thousands"


def read_number(text: str, style: NumberStyle = ENGLISH, *, field: str = "Number",
                suffixes: bool = True, currency: str = "") -> TypedNumber:
    """The number typed as ``text`` in the locale of ``style`` (see the module docstring).

    Raises :class:`NotANumber` or :class:`AmbiguousNumber` (both :class:`ValidationError`
    naming ``field``) with a message for the person who typed it."""
    raw = text.strip()
    t = "".join(raw.split()).replace("_", "").replace("−", "-")
    if not t:
        raise NotANumber(field, "a number is required", value=text)
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1]
    code = currency.upper()
    signed = symbol = False
    for _ in range(2):  # one sign and one currency, in either order: -$5, $-5
        if not signed and t[:1] and t[0] in "+-":
            negative, signed = negative ^ (t[0] == "-"), True
            t = t[1:]
        if not symbol and t[:1] and t[0] in _SYMBOLS:
            t, symbol = t[1:], True
        elif not symbol and code and t[:3].upper() == code:
            t, symbol = t[3:], True
    if t[-1:] and t[-1] in _SYMBOLS:
        t = t[:-1]
    elif code and len(t) > 3 and t[-3:].upper() == code:
        t = t[:-3]
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    scale = 1.0
    if suffixes and not percent and t[-1:] and t[-1] in "kKmM":
        scale = 1e3 if t[-1] in "kK" else 1e6
        t = t[:-1]
    if t.lower() in ("inf", "infinity", "nan"):
        raise UnusableNumber(field, f"“{raw}” is not a finite number", value=text)
    match = _EXPONENT.fullmatch(t)
    mantissa, exponent = (match.group(1), match.group(2) or "") if match else (t, "")
    local = _plain(mantissa, style.decimal, style.group)
    intl = (local if (style.decimal, style.group) == (".", ",")
            else _plain(mantissa, INTERNATIONAL.decimal, INTERNATIONAL.group))
    if local is not None and intl is not None and float(local) != float(intl):
        raise AmbiguousNumber(field, (
            f"“{raw}” reads two ways: {_shown(local, style)} ({style.name}: "
            f"{_why(style.decimal, style.group, mantissa)}) or {_shown(intl, style)} "
            f"(international: {_why('.', ',', mantissa)}). Nothing was stored; type "
            f"{_unambiguous(local, style)} or {_unambiguous(intl, style)} to say which."),
            value=text)
    plain = local if local is not None else intl
    if plain is None:
        if (style.decimal, style.group) == (".", ",") and "," in mantissa and _plain(
                mantissa, ",", ".") is not None:
            raise UnusableNumber(field, f"“{raw}”: a comma only groups thousands (1,500); "
                                    "write decimals with a point (1.5)", value=text)
        raise NotANumber(field, f"“{raw}” is not a number", value=text)
    try:
        number = float(plain + exponent) * scale
    except (ValueError, OverflowError):
        raise NotANumber(field, f"“{raw}” is not a number", value=text) from None
    if not math.isfinite(number):
        raise UnusableNumber(field, f"“{raw}” is not a finite number", value=text)
    if percent:
        number /= 100.0
    if negative:
        number = -number
    integral = "." not in plain and not exponent and not percent and number.is_integer()
    return TypedNumber(number, integral, percent)


_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def read_date(text: str, style: NumberStyle = ENGLISH, *, field: str = "Date") -> dt.date:
    """The day typed as ``text``: ISO (2026-12-31) or the locale's short form with the year
    in full (31.12.2026 in German). Raises :class:`ValidationError` naming the forms."""
    raw = text.strip()
    forms = [(style.date_order, style.date_sep), *style.typed_dates]
    examples = [style.date_example] + [
        NumberStyle(date_order=o, date_sep=s).date_example for o, s in style.typed_dates]
    if "2026-12-31" not in examples:
        examples.append("2026-12-31")
    expected = " or ".join(dict.fromkeys(examples))
    parts: dict[str, str] | None = None
    m = _ISO.fullmatch(raw)
    if m:
        parts = dict(zip("ymd", m.groups(), strict=True))
    else:
        for order, sep in forms:
            pieces = raw.split(sep)
            if len(pieces) == 3 and all(p.isascii() and p.isdigit() for p in pieces):
                parts = dict(zip(order, pieces, strict=True))
                if len(parts["y"]) != 4:
                    raise ValidationError(field, f"“{raw}”: write the year in full "
                                                 f"(type {expected})", value=text)
                if len(parts["d"]) > 2 or len(parts["m"]) > 2:
                    parts = None
                    continue
                break
    if parts is None:
        raise ValidationError(field, f"“{raw}” is not a date; type {expected}", value=text)
    try:
        return dt.date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
    except ValueError:
        raise ValidationError(field, f"“{raw}” is not a day of the calendar; type {expected}",
                              value=text) from None


def number_text(value: float, style: NumberStyle = ENGLISH, *, decimals: int = 2) -> str:
    """``value`` as an editor shows it for typing over: up to ``decimals`` decimals, trailing
    zeros dropped, no thousands grouping (``1234,56`` in German), so :func:`read_number`
    reads it back as ``value`` rounded to ``decimals`` in every style (``1.234`` would be
    refused as ambiguous in German)."""
    text = f"{abs(value):.{decimals}f}"
    shown = _unambiguous(text, style)
    return shown if shown == "0" or value >= 0 else "-" + shown


def typable(english: str, style: NumberStyle = ENGLISH) -> str:
    """A number written in English digits (``1,500``) as ``style`` writes it, without the
    thousands grouping where that would read two ways when typed back (``1500`` in German,
    but ``1.500.000`` and ``1.234,5``)."""
    local = style.number(english)
    try:
        read_number(local, style)
    except ValidationError:
        return style.number(english.replace(",", ""))
    return local
