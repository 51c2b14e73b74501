"""Importing a CSV export too large to hold (millions of portal logins) chunk by chunk, with
the memory of one chunk and the same outcome as :func:`~.checking.prepare` and
:func:`~.writing.commit` on the whole file: the same rows stored, the same report (rows,
new, changed, duplicates, filtered, rejected rows with their row numbers), in one
transaction (an interrupted import leaves nothing of itself).

What needs the whole file is found first, in one reading pass that keeps only small things
(:func:`survey`): the distinct texts of the choice and status columns (for the value maps
and filters guessed from them) and, per date and amount column, the counts the date format
and the decimal separator are decided from, over its distinct texts (remembered by hash,
:mod:`.seen`). Then each chunk is checked (:func:`~.checking.prepare` with a
:class:`~.checking.ChunkContext`: the decisions, and the keys of the chunks before) and its
rows are written, inside the transaction the caller commits once it has seen the report.

Known difference: an amount column whose values nearly all differ has its decimal separator
counted over its distinct texts here, over its rows in one piece (the decision is the same
unless a file mixes both separators almost evenly)."""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import JbpError
from ..progress import Progress
from . import chunked
from .aliases import load_aliases, resolve_partners, save_aliases
from .checking import ChunkContext, assumptions, check_columns, prepare
from .dates import _TIME_TAIL, DateCounts
from .mapping import ColumnMapping, guess_mapping, load_mapping, mapping_for, save_mapping
from .parsing import DecimalCounts
from .reading import CsvLayout, RawTable, normalise, table_headers
from .report import PreparedImport, RowError, ValidationReport
from .seen import HashTable, hashes
from .spec import DATE_FORMATS, SPECS, ImportFileError, kind_spec, targets
from .values import FILTER_COLUMNS, filter_counts, filter_notes, value_key
from .writing import ImportResult, _import_cache, _nothing, write_actuals

if TYPE_CHECKING:
    from ..store import Workspace

#: Distinct texts a surveyed column has its rows counted for (a partner column of a
#: portal-logins export has one a partner; a column of ids would have one a row).
MAX_COUNTED = 50_000
#: Rows whose rejections the report keeps (each with its row, column and reason); past them
#: rejections are counted only.
MAX_ERROR_ROWS = 100_000


# --------------------------------------------------------------------------- the survey


@dataclass
class _Distinct:
    """A column's distinct texts seen so far, by hash."""

    seen: HashTable = field(default_factory=HashTable)

    def new(self, values: pd.Series) -> list[str]:
        uniques = pd.unique(values.to_numpy(dtype=object)).tolist()
        if not uniques:
            return []
        keys = hashes(uniques, len(uniques))
        found, _ = self.seen.lookup(keys)
        fresh = np.flatnonzero(~found)
        self.seen.add(keys[fresh])
        return [str(uniques[i]) for i in fresh.tolist()]


@dataclass
class Survey:
    """What a reading pass found: the distinct texts of the choice and status columns, in
    the order they first appear; per date column the counts of its format decision, per
    amount column those of its decimal separator."""

    values: dict[str, dict[str, None]] = field(default_factory=dict)
    #: Rows per text of the ``values`` columns (at most MAX_COUNTED texts a column; the
    #: rows of later texts past them are not counted): what the wizard's values step lists
    #: of a file read only to its head, once the check has read it all.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dates: dict[str, DateCounts] = field(default_factory=dict)
    date_texts: dict[str, _Distinct] = field(default_factory=dict)
    decimals: dict[str, DecimalCounts] = field(default_factory=dict)
    money_texts: dict[str, _Distinct] = field(default_factory=dict)


def survey(layout: CsvLayout, mapping: ColumnMapping, values: list[str],
           state: Progress) -> Survey:
    """One pass over the file: the distinct texts of the ``values`` columns, and the date
    and decimal counts of the mapping's date and amount columns (of the rows its filters
    take)."""
    out = Survey()
    specs = targets(mapping.kind)
    dates: dict[str, str] = {t.name: c for t in specs
                             if t.type == "date" and (c := mapping.columns.get(t.name))}
    money: dict[str, str] = {t.name: c for t in specs
                             if t.type == "money" and (c := mapping.columns.get(t.name))}
    for name in dates:
        out.dates[name], out.date_texts[name] = DateCounts(), _Distinct()
    for name in money:
        out.decimals[name], out.money_texts[name] = DecimalCounts(), _Distinct()
    for header in values:
        out.values[header] = {}
        out.counts[header] = {}
    for chunk in chunked.read_chunks(layout):
        state.check()
        frame = chunk.frame
        for column in values:
            if column in frame.columns:
                out.values[column].update(dict.fromkeys(pd.unique(frame[column]).tolist()))
                _count(out.counts[column], frame[column])
        if mapping.filters:
            taken, _ = filter_counts(frame, mapping.filters)
            frame = frame[taken]
        for name, date_col in dates.items():
            if date_col in frame.columns:
                new = out.date_texts[name].new(frame[date_col])
                out.dates[name].add([_TIME_TAIL.sub("", t.strip()) for t in new])
        for name, money_col in money.items():
            if money_col in frame.columns:
                out.decimals[name].add([t.strip() for t in out.money_texts[name].new(
                    frame[money_col])])
    return out


def _count(counts: dict[str, int], column: pd.Series) -> None:
    """Add a chunk's rows per text of ``column`` (blank for a missing cell) to ``counts``."""
    for text, n in column.fillna("").value_counts(sort=False).items():
        key = str(text)
        if key in counts:
            counts[key] += int(n)
        elif len(counts) < MAX_COUNTED:
            counts[key] = int(n)


def _survey_table(layout: CsvLayout, headers: list[str], found: Survey) -> RawTable:
    """A table of the surveyed columns' distinct texts (each column padded with its first
    text), for the mapping steps that look at a column's distinct values."""
    width = max((len(v) for v in found.values.values()), default=0)
    data = {h: [*v, *([next(iter(v))] * (width - len(v)))] if v else [""] * width
            for h, v in found.values.items()}
    frame = pd.DataFrame(data, columns=list(found.values), dtype=object)
    return RawTable(layout.path, frame, np.arange(width) + 2, headers, True,
                    [*layout.notes, *layout.end_notes], layout.delimiter, layout.encoding)


def _decisions(found: Survey, mapping: ColumnMapping, path: Path,
               ) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str, bool]]]:
    """Per date field (format, note) and per amount field (separator, why, ambiguous), as
    the whole file decides them (:func:`~.checking._file_date_format`, then each column's
    own :func:`~.dates._date_format`; :func:`~.parsing.decimal_separator`)."""
    dates: dict[str, tuple[str, str]] = {}
    if mapping.date_format == "auto":
        fields = list(found.dates)
        by_file: dict[str, str] = {}
        if len(fields) >= 2:
            undecided = []
            for f in fields:
                try:
                    found.dates[f].decide("", path)
                except ImportFileError:
                    undecided.append(f)
            if undecided:
                together = DateCounts()
                for f in fields:
                    together = together.merged(found.dates[f])
                with contextlib.suppress(ImportFileError):
                    fmt, _ = together.decide("", path)
                    by_file = dict.fromkeys(undecided, fmt)
        for f in fields:
            if f in by_file:
                fmt = by_file[f]
                dates[f] = (fmt, f"{DATE_FORMATS.get(fmt, fmt)} (every value fits either way; "
                                 "decided by the file's other date columns)")
            else:
                fmt, why = found.dates[f].decide(mapping.columns[f] or f, path)
                dates[f] = (fmt, f"{DATE_FORMATS.get(fmt, fmt)} (detected: {why})")
    decimals = {f: counts.decide() for f, counts in found.decimals.items()}
    return dates, decimals


# --------------------------------------------------------------------------- the import


@dataclass
class StreamedImport:
    """An import checked and written chunk by chunk, not yet committed: its ``report``,
    the last date of its new rows (for the extract date), and :meth:`commit`."""

    ws: Workspace
    kind: str
    file: str
    mapping: ColumnMapping
    source: str
    report: ValidationReport
    new_aliases: dict[str, int]
    import_id: int | None = None
    inserted: int = 0
    updated: int = 0
    offered: int = 0  # new records offered to the table (some may be stored meanwhile)
    last_date: dt.date | None = None
    result: ImportResult | None = None
    #: Rows per text of the surveyed columns, over the whole file (:attr:`Survey.counts`).
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def commit(self, *, allow_rejected: bool = True) -> ImportResult:
        """Keep what was written (the transaction commits when the ``with`` block ends);
        as :func:`~.writing.commit`: with rejected rows and not ``allow_rejected`` nothing is
        kept (:class:`JbpError`), and a run that takes no row keeps nothing either."""
        report = self.report
        if report.errors and not allow_rejected:
            raise JbpError(f"{report.file}: {report.rejected} rows were rejected; nothing was "
                           "imported")
        dup = report.duplicates + report.in_file_duplicates
        if self.import_id is None or not (self.inserted or self.updated):
            self.result = ImportResult(None, self.kind, self.file, 0, 0, dup, report.rejected,
                                       _nothing(report, 0))
            return self.result
        lost = self.offered - self.inserted
        self.ws.execute("UPDATE imports SET rows_taken = ?, rows_rejected = ?, "
                        "rows_duplicate = ? WHERE id = ?",
                        (self.inserted + self.updated, report.rejected, dup + lost,
                         self.import_id))
        if self.source:
            save_mapping(self.ws, self.source, self.mapping)
        if self.new_aliases:
            save_aliases(self.ws, self.new_aliases)
        self.result = ImportResult(self.import_id, self.kind, self.file, self.inserted,
                                   self.updated, dup + lost, report.rejected)
        return self.result


class _Discard(Exception):
    """Leave the transaction without keeping anything."""


@contextlib.contextmanager
def stream_import(ws: Workspace, path: str | Path, kind: str, *,
                  mapping: ColumnMapping | None = None, source: str | None = None,
                  write: bool = True, state: Progress | None = None,
                  on_mapping: Callable[[ColumnMapping], None] | None = None,
                  ) -> Iterator[StreamedImport]:
    """Check (and with ``write``, write) a large CSV file chunk by chunk; yields the
    :class:`StreamedImport` with its report. Its rows are kept only when the block calls
    :meth:`StreamedImport.commit` and ends without an error; otherwise the transaction is
    rolled back and nothing of the import is stored. ``mapping``: as given (else the one
    saved for ``source`` or this header, else a guess, completed from the file's values);
    ``on_mapping`` sees it before the rows are checked."""
    from ..store import now_iso

    state = state or Progress()
    targets(kind)
    path = Path(path)
    layout = chunked.open_csv(path)
    state.report(state.fraction, f"Reading {path.name}")
    found, mapping, source = _settle(ws, layout, kind, mapping, source, state)
    if on_mapping is not None:
        on_mapping(mapping)
    check_columns(_survey_table(layout, _headers(layout), Survey()), mapping)
    dates, decimals = _decisions(found, mapping, path)
    given = resolve_partners(ws, mapping.aliases) if mapping.aliases else {}
    run = StreamedImport(ws, kind, str(path), mapping, source,
                         ValidationReport(file=path.name, kind=kind),
                         {s: given[value_key(s)] for s in mapping.aliases},
                         counts=found.counts)
    spec = kind_spec(kind)
    context = ChunkContext(dates=dates, decimals=decimals)
    begin = ws.transaction() if write else ws.transaction(read=True)
    try:
        with _import_cache(ws) if write else contextlib.nullcontext(), begin:
            if write:
                cur = ws.execute("INSERT INTO imports (kind, file, imported_at, rows_taken, "
                                 "rows_rejected, rows_duplicate) VALUES (?, ?, ?, 0, 0, 0)",
                                 (kind, str(path), now_iso()))
                assert cur.lastrowid is not None
                run.import_id = int(cur.lastrowid)
            if spec.stored_rows is None:  # read inside the transaction: no one adds rows
                context.stored_before = ws.rows(f"SELECT count(*) FROM {kind}")[0][0]
            chunk_notes = _check_chunks(ws, layout, run, context, state, spec.commit, write)
            _finish(ws, layout, run, context, chunk_notes, given)
            yield run
            if run.result is None or run.result.import_id is None:
                raise _Discard
    except _Discard:
        return
    if run.result is not None and run.result.import_id is not None:
        ws.notify("actuals")
        state.report(1)


def _headers(layout: CsvLayout) -> list[str]:
    frame = pd.read_csv(layout.path, engine="c", nrows=1, **layout.read_options())
    return table_headers(layout, frame)


def _settle(ws: Workspace, layout: CsvLayout, kind: str, mapping: ColumnMapping | None,
            source: str | None, state: Progress) -> tuple[Survey, ColumnMapping, str]:
    """The survey and the mapping: as given, or saved, or guessed and completed from the
    surveyed values (as :func:`~.mapping.mapping_for` does on the whole file)."""
    headers = _headers(layout)
    empty = _survey_table(layout, headers, Survey())
    source = source or f"{kind}:{empty.signature}"
    start = mapping
    if start is None:
        saved = load_mapping(ws, source)
        start = saved if saved is not None and saved.kind == kind else guess_mapping(
            kind, headers)
    enum = [h for t in SPECS[kind] if t.type == "enum"
            and (h := start.columns.get(t.name)) is not None and h in headers]
    status = []  # the columns a filter may be guessed for
    if mapping is None and kind in FILTER_COLUMNS:
        status = [h for h in headers if normalise(h) in FILTER_COLUMNS[kind][0]]
    elif mapping is not None:  # counted for the values step: its filters, its partners
        status = [h for h in [*(f.column for f in mapping.filters),
                              mapping.columns.get("partner")] if h is not None and h in headers]
    while True:
        try:
            found = survey(layout, start, list(dict.fromkeys(enum + status)), state)
            break
        except chunked.NotUtf8:
            chunked.as_cp1252(layout)
    if mapping is not None:
        return found, mapping, source
    table = _survey_table(layout, headers, found)
    settled, source, _ = mapping_for(ws, kind, table, source)
    if settled.filters != start.filters:  # the dates and amounts of the rows taken
        found = survey(layout, settled, [], state)
        found.values = {}
    return found, settled, source


def _check_chunks(ws: Workspace, layout: CsvLayout, run: StreamedImport,
                  context: ChunkContext, state: Progress, commit: Callable | None,
                  write: bool) -> list[str]:
    """Check and write every chunk; the report adds up. Returns the notes the first chunk's
    check made (those said once per file)."""
    report = run.report
    notes: list[str] | None = None
    kept_rows = 0
    with layout.path.open("rb") as fh:  # about how many rows the file has, for progress
        head = fh.read(65536)
    rows_about = max(1.0, layout.path.stat().st_size / max(1.0, len(head) / max(
        1, head.count(b"\n"))))
    for chunk in chunked.read_chunks(layout):
        prepared = prepare(ws, chunk, run.mapping, Progress(), context=context)
        part = prepared.report
        if notes is None:
            notes = part.notes
        report.rows += part.rows
        report.filtered += part.filtered
        report.new += part.new
        report.changed += part.changed
        report.duplicates += part.duplicates
        report.in_file_duplicates += part.in_file_duplicates
        kept_rows = _add_errors(report, part.errors, kept_rows)
        if write and (prepared.records or prepared.updates):
            inserted, updated = _write(ws, run, prepared, commit)
            run.inserted += inserted
            run.updated += updated
            run.offered += len(prepared.records)
        last = _last_date(run.kind, prepared.records)
        if last is not None and (run.last_date is None or last > run.last_date):
            run.last_date = last
        state.check()
        state.report(min(0.95, 0.05 + 0.9 * report.rows / rows_about))
    return notes or []


def _last_date(kind: str, records: list[tuple]) -> dt.date | None:
    """:func:`jbp.coverage.last_date_of_records` of ISO date texts: the latest text is the
    latest day, and only it is read as a date."""
    from ..kinds import KINDS

    k = KINDS.get(kind)
    if k is None or not records:
        return None
    i = k.columns.index(k.date_column)
    days = [d for d in map(operator.itemgetter(i), records) if d is not None]
    return dt.date.fromisoformat(str(max(days))[:10]) if days else None


def _write(ws: Workspace, run: StreamedImport, prepared: PreparedImport,
           commit: Callable | None) -> tuple[int, int]:
    assert run.import_id is not None
    write = commit or write_actuals
    return write(ws, prepared, records=prepared.records, keys=prepared.keys,
                 updates=prepared.updates, import_id=run.import_id, state=Progress())


def _add_errors(report: ValidationReport, errors: list[RowError], kept_rows: int) -> int:
    """Keep a chunk's rejections while fewer than MAX_ERROR_ROWS rows are; count the rest."""
    if not errors:
        return kept_rows
    if kept_rows < MAX_ERROR_ROWS:
        rows = list(dict.fromkeys(e.row for e in errors))
        room = MAX_ERROR_ROWS - kept_rows
        if len(rows) <= room:
            report.errors += errors
            return kept_rows + len(rows)
        last_kept = rows[room - 1]
        report.errors += [e for e in errors if e.row <= last_kept]
        rest = [e for e in errors if e.row > last_kept]
        report.more_errors += len(rest)
        report.more_rejected += len(rows) - room
        return MAX_ERROR_ROWS
    report.more_errors += len(errors)
    report.more_rejected += len({e.row for e in errors})
    return kept_rows


def _finish(ws: Workspace, layout: CsvLayout, run: StreamedImport, context: ChunkContext,
            chunk_notes: list[str], given: dict[str, int]) -> None:
    """The report's notes and assumptions, said once for the whole file."""
    report = run.report
    if not report.rows:
        raise ImportFileError(layout.path, "has a header but no data rows")
    mapping = run.mapping
    totals: dict[tuple[str, str], int] = {}
    for column, text, n in context.dropped:
        totals[(column, text)] = totals.get((column, text), 0) + n
    dropped = []
    for column in dict.fromkeys(f.column for f in mapping.filters):
        mine = [(c, t, n) for (c, t), n in totals.items() if c == column]
        dropped += sorted(mine, key=lambda x: -x[2])
    report.notes = [*layout.notes, *layout.end_notes, *filter_notes(dropped), *chunk_notes]
    partners = [(pid, name) for pid, name in ws.rows("SELECT id, name FROM partners")]
    aliases = {**load_aliases(ws), **given}
    table = RawTable(layout.path, pd.DataFrame(), np.zeros(0, dtype=np.int64), [], True,
                     [], layout.delimiter, layout.encoding)
    report.assumed = assumptions(table, mapping, context.columns, aliases, given, partners,
                                 context.used_partners)

