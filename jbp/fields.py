"""Typed, validated fields: the one place where a user's value becomes a domain value.

Every editable attribute of a domain object is described by a :class:`Field`. The same
description drives the dataclass checks, the store's columns, the command that edits the
field, the Qt table that shows it and the Excel round trip, so a value is checked the same
way wherever it enters.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import ValidationError
from .formatting import ENGLISH, NumberStyle
from .locale_numbers import NotANumber, UnusableNumber, read_number

#: Field kinds. ``money`` is an amount in the workspace currency; ``fraction`` is 0..1
#: (shown as percent); ``json`` holds a list of ints or strings.
KINDS = ("text", "longtext", "int", "float", "money", "fraction", "date", "enum", "bool", "ids")

_MONEY_RE = re.compile(r"^\(?-?\s*[$€£]?\s*-?[\d,]*\.?\d+\s*([kKmM])?\)?$")


@dataclass(frozen=True)
class Field:
    """One editable attribute: its name in code, its label for users and its rules."""

    name: str
    kind: str
    label: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    max_length: int = 5000

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")

    def coerce(self, value: Any, element: str = "") -> Any:
        """Return ``value`` as this field's domain type, or raise :class:`ValidationError`.

        Strings are parsed strictly (text typed into a table cell or read from a file);
        ``None`` and blank strings mean "no value" and are refused for required fields.
        """
        err = lambda reason: ValidationError(self.label, reason, element=element, value=value)  # noqa: E731
        if isinstance(value, str) and self.kind not in ("text", "longtext"):
            value = value.strip()
        if value is None or (isinstance(value, str) and value == "") or (
            isinstance(value, float) and math.isnan(value)
        ):
            if self.required:
                raise err("a value is required")
            return {"ids": [], "text": "", "longtext": ""}.get(self.kind)
        kind = self.kind
        if kind in ("text", "longtext"):
            if not isinstance(value, str):
                value = str(value)
            if self.required and not value.strip():
                raise err("a value is required")
            if len(value) > self.max_length:
                raise err(f"is longer than {self.max_length} characters")
            if kind == "text" and ("\n" in value or "\r" in value):
                value = " ".join(value.split())
            return value
        if kind == "enum":
            text = str(value).strip()
            for choice in self.choices:
                if text.lower() == choice.lower():
                    return choice
            raise err(f"{text!r} is not one of: {', '.join(self.choices)}")
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, int | float) and value in (0, 1):
                return bool(value)
            text = str(value).strip().lower()
            if text in ("yes", "y", "true", "1", "x"):
                return True
            if text in ("no", "n", "false", "0"):
                return False
            raise err(f"{value!r} is not yes or no")
        if kind == "date":
            return _coerce_date(value, err)
        if kind == "ids":
            return _coerce_ids(value, err)
        number = _coerce_number(value, kind, err)
        if kind == "int":
            if number != int(number):
                raise err(f"{value!r} is not a whole number")
            number = int(number)
        if self.minimum is not None and number < self.minimum:
            raise err(f"must be at least {_limit(self.minimum, kind)}")
        if self.maximum is not None and number > self.maximum:
            # A fraction is shown as a percent: "18" typed over "15.0%" means 18%, and is
            # read as 1,800%; say so rather than "must be at most 1".
            hint = (f" ({_fmt(number)} reads as {number * 100:,.0f}%; type {_fmt(number)}% "
                    f"for {_fmt(number)} percent)" if kind == "fraction" and number > 1 else "")
            raise err(f"must be at most {_limit(self.maximum, kind)}{hint}")
        return number

    def to_store(self, value: Any) -> Any:
        """The SQLite representation of a coerced value."""
        if value is None:
            return None
        if self.kind == "date":
            return value.isoformat()
        if self.kind == "ids":
            return json.dumps(list(value))
        if self.kind == "bool":
            return int(value)
        return value

    def from_store(self, raw: Any) -> Any:
        """Inverse of :meth:`to_store`."""
        if raw is None:
            return {"ids": [], "text": "", "longtext": ""}.get(self.kind)
        if self.kind == "date":
            return dt.date.fromisoformat(raw)
        if self.kind == "ids":
            return json.loads(raw)
        if self.kind == "bool":
            return bool(raw)
        if self.kind in ("money", "float", "fraction"):
            return float(raw)
        return raw

    def display(self, value: Any, style: NumberStyle = ENGLISH) -> str:
        """A short text for a table cell or a diff line, in ``style`` (English by default;
        the GUI passes the user's locale)."""
        if value is None:
            return ""
        if self.kind == "money":
            return style.number(f"{value:,.0f}")
        if self.kind == "fraction":
            return style.number(f"{value * 100:.1f}%")
        if self.kind == "float":
            return style.number(f"{value:,.2f}".rstrip("0").rstrip("."))
        if self.kind == "int":
            return str(value)
        if self.kind == "date":
            return style.date(value)
        if self.kind == "bool":
            return "yes" if value else "no"
        if self.kind == "ids":
            return ", ".join(str(v) for v in value)
        return str(value)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _limit(x: float, kind: str) -> str:
    """A minimum or maximum as the field shows its values (a fraction as a percent)."""
    return f"{x * 100:g}%" if kind == "fraction" else _fmt(x)


def _coerce_number(value: Any, kind: str, err) -> float:
    if isinstance(value, bool):
        raise err(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        # "$600k" and "1.2M" are how people type money; a KPI target is a "float" whose unit
        # may be money (the user guide promises "$120k"), so both kinds take the suffix.
        # Text is read in the English form by the one parser of typed numbers; the GUI reads
        # the user's locale there first and hands a number here.
        try:
            number = read_number(str(value), ENGLISH,
                                 suffixes=kind in ("money", "float")).value
        except UnusableNumber as exc:  # a decimal comma (1,5 once read as 15), infinity
            raise err(exc.reason) from None
        except NotANumber:
            raise err(f"{value!r} is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise err(f"{value!r} is not a finite number")
    return number


#: The one date form typed text may take: YYYY-MM-DD (ASCII digits), optionally followed by a
#: time. Python's ``date.fromisoformat`` alone also takes 20260105 and 2026-W01-1.
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _coerce_date(value: Any, err) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    day, sep, time = text.replace("T", " ", 1).partition(" ")
    try:
        if not _ISO_DAY.fullmatch(day):
            raise ValueError(day)
        if sep:
            dt.time.fromisoformat(time.strip())
        return dt.date.fromisoformat(day)
    except ValueError:
        raise err(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def _coerce_ids(value: Any, err) -> list[int]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise err(f"{value!r} is not a list of ids") from None
        else:
            value = [p for p in re.split(r"[,;\s]+", text) if p]
    if isinstance(value, int | float):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise err(f"{value!r} is not a list of ids") from None
    out: list[int] = []
    for item in items:
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        try:
            number = int(str(item).strip().lstrip("#G").lstrip("g"))
        except ValueError:
            raise err(f"{item!r} is not an id") from None
        if number not in out:
            out.append(number)
    return out
