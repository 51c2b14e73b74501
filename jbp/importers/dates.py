"""Dates: the format of a column decided from the rows that agree, then every value parsed
in it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .parsing import _Column
from .reading import _blank_cell
from .report import _Errors
from .spec import DATE_FORMATS, YEAR_RANGE, ImportFileError

if TYPE_CHECKING:
    pass

_DATE_SHAPES = (
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), ["%Y-%m-%d"]),
    (re.compile(r"\d{4}/\d{1,2}/\d{1,2}"), ["%Y/%m/%d"]),
    (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"), ["%d.%m.%Y"]),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), ["%d/%m/%Y", "%m/%d/%Y"]),
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_TAIL = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
                        r"(?:\s*[AaPp][Mm])?)$")


def _date_format(texts: list[str], label: str, path: Path) -> tuple[str, str]:
    """The one format a column's dates are written in, and why: decided from the rows that
    agree. A slash column is day-first when some rows fit only day-first (25/03/2026) and
    more rows than fit only month-first; month-first the other way round; rows that fit
    neither (13/45/2026) decide nothing, and become row errors. A column whose every row fits
    both (03/04/2026), or as many one way as the other, is refused until the mapping says."""
    counts = DateCounts()
    counts.add(texts)
    return counts.decide(label, path)


class DateCounts:
    """What :func:`_date_format` decides from, counted text by text (a file read in chunks
    adds each chunk's new distinct texts): the texts looked at, how many have each shape,
    and how the slash-shaped ones read (day/month only, month/day only, either)."""

    def __init__(self) -> None:
        self.n = 0
        self.shaped = [0] * len(_DATE_SHAPES)
        self.dmy = self.mdy = self.both = 0
        self.example: str | None = None  # the first slash-shaped text

    def add(self, texts: list[str]) -> None:
        # Each text is looked at once however often it comes (timestamps of one day, with
        # their time dropped), and counted as often as it comes.
        for t, n in Counter(texts).items():
            if not t:
                continue
            self.n += n
            for i, (pattern, formats) in enumerate(_DATE_SHAPES):
                if not pattern.fullmatch(t):
                    continue
                self.shaped[i] += n
                if len(formats) > 1:
                    if self.example is None:
                        self.example = t
                    a, b = (int(p) for p in t.split("/")[:2])
                    fits_dmy = 1 <= a <= 31 and 1 <= b <= 12
                    fits_mdy = 1 <= a <= 12 and 1 <= b <= 31
                    if fits_dmy and fits_mdy:
                        self.both += n
                    elif fits_dmy:
                        self.dmy += n
                    elif fits_mdy:
                        self.mdy += n
                break  # the shapes exclude each other

    def merged(self, other: DateCounts) -> DateCounts:
        out = DateCounts()
        out.n = self.n + other.n
        out.shaped = [a + b for a, b in zip(self.shaped, other.shaped, strict=True)]
        out.dmy, out.mdy = self.dmy + other.dmy, self.mdy + other.mdy
        out.both = self.both + other.both
        out.example = self.example if self.example is not None else other.example
        return out

    def decide(self, label: str, path: Path) -> tuple[str, str]:
        if not self.n:
            return "%Y-%m-%d", "no dates to look at"
        for shaped, (_, formats) in zip(self.shaped, _DATE_SHAPES, strict=True):
            if shaped * 2 < self.n:
                continue
            if len(formats) == 1:
                return formats[0], f"{shaped} of {self.n} values are written so"
            dmy, mdy, both = self.dmy, self.mdy, self.both
            if dmy > mdy:
                return "%d/%m/%Y", (f"{dmy} values fit only day/month, {mdy} only "
                                    f"month/day, {both} either")
            if mdy > dmy:
                return "%m/%d/%Y", (f"{mdy} values fit only month/day, {dmy} only "
                                    f"day/month, {both} either")
            raise ImportFileError(path, f"column {label!r}: dates like {self.example!r} could "
                                        "be day/month or month/day (as many rows fit one as "
                                        "the other); choose the date format in the column "
                                        "mapping (DD/MM/YYYY or MM/DD/YYYY)")
        return "%Y-%m-%d", "the values are not written in a known date format"


def _parse_dates(col: _Column, fmt: str, errors: _Errors, required: bool,
                 path: Path, given_by_file: bool = False,
                 decided: tuple[str, str] | None = None) -> np.ndarray:
    """ISO date strings (YYYY-MM-DD) per row, or None; the time of day is dropped.
    Impossible dates (2026-02-30), another format and implausible years are refused.
    ``decided``: (format, note) decided over the whole file (a file read in chunks)."""
    texts = [_TIME_TAIL.sub("", t) if not isinstance(r, dt.date) else t
             for r, t in zip(col.raw, col.texts, strict=True)]
    if decided is not None:
        fmt, col.date_note = decided
    elif fmt == "auto":
        fmt, why_fmt = _date_format([t for r, t in zip(col.raw, texts, strict=True)
                                     if isinstance(r, str)], col.label, path)
        col.date_note = f"{DATE_FORMATS.get(fmt, fmt)} (detected: {why_fmt})"
    else:
        col.date_note = f"{DATE_FORMATS.get(fmt, fmt)} (as the mapping says)"
        if given_by_file:
            col.date_note = (f"{DATE_FORMATS.get(fmt, fmt)} (every value fits either way; "
                             "decided by the file's other date columns)")
    if not any(isinstance(r, str) and r for r in col.raw):
        col.date_note = "date cells of the workbook"
    shown = DATE_FORMATS.get(fmt, fmt)
    shape = next((p for p, f in _DATE_SHAPES if fmt in f), None)
    values: list[str | None] = []
    days: list[int] = []  # proleptic ordinal of each date, -1 for none
    why: list[str | None] = []

    def one(raw: object, text: str) -> tuple[str | None, int, str | None]:
        day: dt.date | None = None
        reason = None
        if isinstance(raw, dt.datetime | dt.date):
            day = raw.date() if isinstance(raw, dt.datetime) else raw
        elif isinstance(raw, int | float) and not isinstance(raw, bool) and not _blank_cell(raw):
            reason = f"{text!r} is a number, not a date (format the cells as dates)"
        elif text == "":
            reason = "a date is required" if required else None
        else:
            try:
                if shape is not None and not shape.fullmatch(text):
                    raise ValueError
                if fmt == "%Y-%m-%d" and _ISO_DAY.fullmatch(text):
                    day = dt.date.fromisoformat(text)  # as strptime, fifty times faster
                else:
                    day = dt.datetime.strptime(text, fmt).date()
            except ValueError:
                reason = f"{text!r} is not a valid date (expected {shown})"
        if day is not None and not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
            reason, day = f"{text!r} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}", None
        return (day.isoformat() if day else None), (day.toordinal() if day else -1), reason

    # A text is parsed once however many times of day it comes with.
    memo: dict[str, tuple[str | None, int, str | None]] = {}
    for raw, text in zip(col.raw, texts, strict=True):
        if isinstance(raw, str):
            got = memo.get(text)
            if got is None:
                got = memo[text] = one(raw, text)
        else:
            got = one(raw, text)
        values.append(got[0])
        days.append(got[1])
        why.append(got[2])
    errors.add_codes(col, why)
    col.days = np.array(days, dtype=np.int64)
    return col.take(values)
