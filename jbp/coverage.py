"""Data coverage: through which day each kind of actuals is complete.

A source (deals, registrations, logins, certifications, MDF, program costs — the kinds of
:mod:`jbp.kinds`) is complete through its *end*: the later of the date of its last row and
the extract date the user gave when importing it (an export pulled on the 14th whose last
deal closed on the 10th says there were no deals on the 11th to the 14th). Program costs
are monthly rows dated on the month's first day; they cover their whole month.

Every metric reads a source only up to :meth:`Coverage.through` (the earlier of the view's
"as of" and the source's end), so a day past a source's data is never read as zero activity.
Figures that combine activity sources (days since activity) stop at
:meth:`Coverage.common_end`, the earliest end among them, so a source whose data ends
earlier can never make a partner look idle. ``docs/metrics.md`` explains the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .kinds import ACTIVITY, KINDS

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from .model import Kpi
    from .store import Workspace


#: Short names of the kinds, for sentences and the coverage strip.
SHORT_NAMES = {"deals": "deals", "registrations": "registrations", "logins": "logins",
               "certifications": "certifications", "mdf": "MDF", "program_costs": "costs"}


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True)
class SourceCoverage:
    """One kind of actuals: its rows, first and last day of data, and the extract date
    given at import (None when no import gave one)."""

    kind: str
    rows: int
    first: dt.date | None
    last: dt.date | None
    extract: dt.date | None = None

    @property
    def label(self) -> str:
        return KINDS[self.kind].label

    @property
    def end(self) -> dt.date | None:
        """The day the data is complete through (None: no data)."""
        last = self.last
        if last is not None and self.kind == "program_costs":
            last = month_end(last)  # a month's cost row covers the whole month
        ends = [d for d in (last, self.extract) if d is not None]
        return max(ends) if ends else None

    def as_dict(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"kind": self.kind, "label": self.label, "rows": self.rows,
                "first": iso(self.first), "last": iso(self.last),
                "extract_date": iso(self.extract), "through": iso(self.end)}


@dataclass(frozen=True)
class Coverage:
    """The coverage of every kind of actuals of a workspace."""

    sources: dict[str, SourceCoverage]

    def end(self, kind: str) -> dt.date | None:
        src = self.sources.get(kind)
        return src.end if src else None

    def first(self, kind: str) -> dt.date | None:
        src = self.sources.get(kind)
        return src.first if src else None

    def through(self, kind: str, as_of: dt.date) -> dt.date:
        """The last day a view "as of" ``as_of`` reads of ``kind``: the earlier of
        ``as_of`` and the source's end (``as_of`` when the source has no data: there is
        nothing to read either way)."""
        end = self.end(kind)
        return as_of if end is None else min(as_of, end)

    def common_end(self, kinds: Iterable[str], as_of: dt.date) -> dt.date | None:
        """The earliest :meth:`through` among ``kinds`` that have data (None: none has):
        every one of them is known up to this day."""
        ends = [self.through(k, as_of) for k in kinds if self.end(k) is not None]
        return min(ends) if ends else None

    def activity_end(self, as_of: dt.date) -> dt.date | None:
        """:meth:`common_end` of the kinds that count as partner activity."""
        return self.common_end(ACTIVITY, as_of)

    def latest_end(self) -> dt.date | None:
        ends = [s.end for s in self.sources.values() if s.end is not None]
        return max(ends) if ends else None

    def uneven(self) -> bool:
        """True when the sources with data end on different days."""
        return len({s.end for s in self.sources.values() if s.end is not None}) > 1

    def as_list(self) -> list[dict[str, Any]]:
        return [self.sources[k].as_dict() for k in KINDS if k in self.sources]

    def lines(self, as_of: dt.date | None = None) -> list[str]:
        """One line per source, in the user's words (the CLI prints them)."""
        out = []
        for k in KINDS:
            s = self.sources.get(k)
            if s is None:
                continue
            if s.end is None:
                out.append(f"  {s.label:<26} no data")
                continue
            note = ""
            if as_of is not None and s.end < as_of:
                gap = (as_of - s.end).days
                note = (f"  ({gap} day{'s' if gap != 1 else ''} before the as-of: "
                        "not read as zero)")
            given = f", extract date {s.extract}" if s.extract else ""
            out.append(f"  {s.label:<26} {s.first} – {s.end}  ({s.rows:,} rows{given}){note}")
        return out

    def summary(self, as_of: dt.date | None = None) -> str:
        """One sentence: where the sources end, and that each is read only to its end."""
        ends = {k: s.end for k, s in self.sources.items() if s.end is not None}
        if not ends:
            return "No actuals imported yet."
        if not self.uneven():
            day = next(iter(ends.values()))
            return f"Every source is complete through {day}."
        by_day: dict[dt.date, list[str]] = {}
        for k, d in ends.items():
            by_day.setdefault(d, []).append(SHORT_NAMES[k])
        parts = "; ".join(f"{', '.join(names)} to {d}" for d, names in sorted(
            by_day.items(), reverse=True))
        return f"Sources end on different days ({parts}): each is read only to its own end."


def coverage_of(ws: Workspace) -> Coverage:
    """The coverage of ``ws`` from its tables and its imports' extract dates (aggregates:
    one COUNT/MIN/MAX per table)."""
    extracts = ws.extract_dates()
    sources = {}
    # A read: a write transaction here would wait, at its COMMIT, for a background reader
    # of the same file (the Portfolio's figures) — a stall of the GUI thread that asked.
    with ws.transaction(read=True):
        for name in KINDS:
            n, lo, hi = ws.actuals_span(name)
            sources[name] = SourceCoverage(name, n, lo, hi, extracts.get(name))
    return Coverage(sources)


def read_coverage(path: str | Path) -> Coverage:
    """:func:`coverage_of` the workspace at ``path``, read on a connection of its own (so a
    background thread can read it while the app keeps the workspace open)."""
    from .store import Workspace

    with Workspace.open(path) as ws:
        return coverage_of(ws)


def coverage_from_frames(frames: dict[str, pd.DataFrame],
                         extracts: dict[str, dt.date] | None = None) -> Coverage:
    """The coverage of actuals already loaded as frames (``Workspace.actuals``)."""
    extracts = extracts or {}
    sources = {}
    for name, k in KINDS.items():
        frame = frames.get(name)
        if frame is None:
            continue
        dates = frame[k.date_column].dropna() if len(frame) else frame[k.date_column]
        lo = dates.min().date() if len(dates) else None
        hi = dates.max().date() if len(dates) else None
        sources[name] = SourceCoverage(name, len(frame), lo, hi, extracts.get(name))
    return Coverage(sources)


def check_extract_date(day: dt.date, last_in_file: dt.date | None, file: str) -> None:
    """Refuse an extract date before the file's own last date (the export cannot have been
    pulled before the rows it holds happened)."""
    from .errors import ValidationError

    if last_in_file is not None and day < last_in_file:
        raise ValidationError(
            "Extract date", f"{day} is before the last date in {file} ({last_in_file}); "
            "an export holds nothing after the day it was extracted")


def measured_through(kpi: Kpi, coverage: Coverage | None, as_of: dt.date) -> dt.date:
    """The day a KPI is measured to on a view "as of" ``as_of``: for a KPI bound to a
    metric, the end of the metric's source when that is earlier (its actual to date and its
    pro-rated target both stop there); ``as_of`` otherwise."""
    if not kpi.metric or coverage is None:
        return as_of
    from .metrics import METRICS

    metric = METRICS.get(kpi.metric)
    if metric is None:
        return as_of
    return coverage.through(metric.source, as_of)


def last_date_of_records(kind: str, records: list[tuple]) -> dt.date | None:
    """The latest date (of the kind's date column) among prepared import records
    (tuples in the kind's column order)."""
    k = KINDS.get({"costs": "program_costs"}.get(kind, kind))
    if k is None:  # the partner list has no date of its own
        return None
    i = k.columns.index(k.date_column)
    days = [r[i] for r in records if r[i] is not None]
    if not days:
        return None
    return max(dt.date.fromisoformat(str(d)[:10]) for d in days)


def record_extract_date(ws: Workspace, import_id: int, kind: str, records: list[tuple],
                        day: dt.date, file: str) -> None:
    """Check ``day`` against the imported rows (:func:`check_extract_date`) and store it on
    the import: the source is then complete through ``day``."""
    check_extract_date(day, last_date_of_records(kind, records), file)
    ws.set_extract_date(import_id, day)
