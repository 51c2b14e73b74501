"""Checking a mapped file: every row parsed, filtered and keyed, sorted into new, changed,
duplicate and rejected rows; nothing is written."""

from __future__ import annotations

import contextlib
import gc
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..progress import Progress
from .aliases import load_aliases, resolve_partners
from .dates import _TIME_TAIL, _parse_dates
from .keys import _natural_keys, _same, _stored_rows
from .mapping import ColumnMapping
from .parsing import (
    _check_currency,
    _Column,
    _parse_bool,
    _parse_enum,
    _parse_money,
    _parse_partner,
    _parse_text,
    _stored_flag,
)
from .reading import RawTable
from .report import PreparedImport, RowError, ValidationReport, _Errors
from .seen import HashTable, hashes
from .spec import KIND_LABELS, ImportFileError, kind_spec, targets
from .values import filter_counts, filter_rows, value_key

if TYPE_CHECKING:
    from ..store import Workspace

def prepare(ws: Workspace, table: RawTable, mapping: ColumnMapping,
            state: Progress | None = None, *,
            context: ChunkContext | None = None) -> PreparedImport:
    """Parse and check every row; nothing is written. Raises :class:`ImportFileError` when
    a required field has no column (or a date column is ambiguous); bad rows go in the
    report. ``context``: ``table`` is one chunk of a larger file (see
    :mod:`.streaming`), checked with what the whole file decided and the chunks before."""
    with _cycle_collector_paused():
        return _prepare(ws, table, mapping, state or Progress(), context)


@dataclass
class ChunkContext:
    """What a chunk of a file read in chunks takes from the whole file and the chunks before
    it: the date formats and decimal separators decided over the whole file, per field;
    the rows stored before (``stored_before``); the occurrence counts of the keys' other fields (``counts``: hash → count) and the first
    row of each record id (``seen``: hash → (row, hash of the record)). It collects what the
    report says of all chunks: the rows each filter left out, the partner texts used (for the
    aliases line) and the notes of the columns."""

    dates: dict[str, tuple[str, str]] = field(default_factory=dict)
    decimals: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    counts: HashTable = field(default_factory=lambda: HashTable(1))
    seen: HashTable = field(default_factory=lambda: HashTable(2))
    dropped: list[tuple[str, str, int]] = field(default_factory=list)
    used_partners: set[str] = field(default_factory=set)
    columns: dict[str, _Column] = field(default_factory=dict)
    #: Rows of the kind's table before the import (None: not known, look for every key).
    stored_before: int | None = None


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a step builds hundreds of thousands of tuples
    and lists that hold no cycles: each collection would walk them all again (a fifth of the
    time of :func:`prepare` on a 100,000-row file). Reference counting still frees memory;
    the collector runs again when the step ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _prepare(ws: Workspace, table: RawTable, mapping: ColumnMapping,
             state: Progress, context: ChunkContext | None = None) -> PreparedImport:
    kind = mapping.kind
    specs = targets(kind)
    path = table.path
    check_columns(table, mapping)
    state.report(state.fraction, "Checking values")
    state.check()
    program = ws.program()
    # Names and ids only: building every Partner (validating each field) costs more here.
    partners = [(pid, name) for pid, name in ws.rows("SELECT id, name FROM partners")]
    by_name = {" ".join(name.lower().split()): pid for pid, name in partners}
    ids = {pid for pid, _ in partners}
    given = resolve_partners(ws, mapping.aliases) if mapping.aliases else {}
    aliases = {**load_aliases(ws), **given}
    report = ValidationReport(file=path.name, kind=kind, rows=len(table.frame),
                              notes=list(table.notes))
    if mapping.filters:
        if context is None:
            taken, filter_notes = filter_rows(table.frame, mapping.filters)
            report.notes += filter_notes
        else:
            taken, dropped = filter_counts(table.frame, mapping.filters)
            context.dropped += dropped
        report.filtered = int((~taken).sum())
        if report.filtered:
            table = replace(table, frame=table.frame[taken].reset_index(drop=True),
                            rows=table.rows[taken])
    frame = table.frame
    n = len(frame)
    errors = _Errors(table)
    date_format = _file_date_format(table, mapping, specs) if context is None else {}
    parsed: dict[str, np.ndarray] = {}
    columns: dict[str, _Column] = {}
    for i, t in enumerate(specs):
        state.check()
        state.report(0.05 + 0.45 * i / len(specs))
        header = mapping.columns.get(t.name)
        if header is None or header not in frame.columns:
            fill = np.empty(n, dtype=object)
            fill[:] = _stored_flag(t.default)
            parsed["partner_id" if t.type == "partner" else t.name] = fill
            if t.name == "recurring":
                report.notes.append("no ARR/one-off column: every deal counted as "
                                    "recurring (ARR)")
            continue
        col = columns[t.name] = _Column(frame[header], header, table.text_only,
                                        per_row=t.type in ("id", "text", "money"))
        if t.type == "partner":
            parsed["partner_id"] = _parse_partner(col, errors, by_name, ids, aliases,
                                                  partners)
        elif t.type == "money":
            parsed[t.name] = _parse_money(col, program.currency, errors, t.required,
                                          mapping.decimal,
                                          context.decimals.get(t.name) if context else None)
        elif t.type == "date":
            parsed[t.name] = _parse_dates(col, date_format.get(t.name, mapping.date_format),
                                          errors, t.required, path, t.name in date_format,
                                          context.dates.get(t.name) if context else None)
        elif t.type == "enum":
            parsed[t.name] = _parse_enum(col, t, errors, t.required,
                                         mapping.value_maps.get(t.name))
        elif t.type == "bool":
            parsed[t.name] = _parse_bool(col, errors, bool(t.default))
        elif t.type == "currency":
            _check_currency(col, errors, program.currency)
        else:  # text, id
            parsed[t.name] = _parse_text(col, errors, t.required)
    if kind == "deals" and "created_date" in columns and "close_date" in columns:
        created_col, close_col = columns["created_date"], columns["close_date"]
        assert created_col.days is not None and close_col.days is not None
        created, close = created_col.days[created_col.codes], close_col.days[close_col.codes]
        late = (created >= 0) & (close >= 0) & (created > close)
        errors.add_mask(late, created_col, "is after the close date")
    state.report(0.5)
    state.check()
    if context is None:
        report.assumed = assumptions(table, mapping, columns, aliases, given, partners)
    else:  # said once for the whole file, by the caller
        if "partner" in columns:
            context.used_partners.update(map(value_key, columns["partner"].texts))
        for name, col in columns.items():
            kept = context.columns.get(name)
            if kept is None or (col.date_note and col.date_note != _WORKBOOK_DATES):
                col.codes = col.codes[:0]  # only the notes and label are kept
                col.raw, col.texts, col.days = [], [], None
                context.columns[name] = col

    good = ~errors.bad
    all_good = bool(good.all())
    report.errors = errors.result()
    cols = kind_spec(kind).columns
    values_by_col: dict[str, list] = {}
    for c in cols:
        arr = parsed.get(c)
        if arr is None:
            values_by_col[c] = [None] * int(good.sum())
        else:
            values_by_col[c] = (arr if all_good else arr[good]).tolist()
    records = list(zip(*(values_by_col[c] for c in cols), strict=True))
    rows = table.rows[good]
    keys = _natural_keys(kind, values_by_col, len(records),
                         context.counts if context is not None else None)
    state.report(0.6)
    state.check()

    # Within the file: a key seen before is a repeat (same values) or a conflict (error).
    keep = np.ones(len(records), dtype=bool)
    earlier, remember = _earlier_chunks(kind, keys, context)
    if earlier or len(set(keys)) != len(keys):
        first_of: dict[str, int] = {}
        extra: list[RowError] = []
        id_col = mapping.columns.get("ext_id") or "(row)"
        for i, k in enumerate(keys):
            if i in earlier:  # first seen in an earlier chunk of the file
                row0, record_hash = earlier[i]
                keep[i] = False
                if hash(records[i]) == record_hash:
                    report.in_file_duplicates += 1
                else:
                    extra.append(RowError(int(rows[i]), id_col, k.split("|", 1)[-1],
                                          f"repeats the record of row {row0} with "
                                          "different values"))
                continue
            j = first_of.setdefault(k, i)
            if j == i:
                continue
            keep[i] = False
            if records[i] == records[j]:
                report.in_file_duplicates += 1
            else:
                extra.append(RowError(int(rows[i]), id_col, k.split("|", 1)[-1],
                                      f"repeats the record of row {int(rows[j])} with "
                                      "different values"))
        if extra:
            report.errors = sorted(report.errors + extra, key=lambda e: e.row)
    if remember:
        assert context is not None
        first = [i for i in remember if keep[i]]
        context.seen.add(hashes([keys[i] for i in first], len(first)),
                         [(int(rows[i]), hash(records[i])) for i in first])
    if not keep.all():
        records = [r for r, k in zip(records, keep, strict=True) if k]
        rows = rows[keep]
        keys = [k for k, kk in zip(keys, keep, strict=True) if kk]

    # Against the workspace: stored keys are duplicates, or changes when the values differ.
    state.report(state.fraction, "Looking for rows imported before")
    # (a file read in chunks into a table that was empty finds none: its keys differ)
    stored = (_stored_rows(ws, kind, keys, state)
              if context is None or context.stored_before != 0 else {})
    if stored:
        n_keys = len(keys)
        olds = list(map(stored.get, keys))
        # Whole tuples compare in C; only rows that differ are looked at one by one (a
        # float stored with rounding noise is not a change).
        unstored = np.fromiter(map(operator.not_, olds), dtype=bool, count=n_keys)
        equal = np.fromiter(map(operator.eq, olds, records), dtype=bool, count=n_keys)
        # (a row stored before has a stored tuple: the `is not None` only tells mypy so)
        upd_idx = [i for i in np.flatnonzero(~unstored & ~equal).tolist()
                   if (old := olds[i]) is not None and not _same(old, records[i])]
        new_idx = np.flatnonzero(unstored)
        report.duplicates += n_keys - len(new_idx) - len(upd_idx)
        new_records = [records[i] for i in new_idx.tolist()]
        new_keys = [keys[i] for i in new_idx.tolist()]
        new_rows = rows[new_idx]
        updates = [(*records[i], keys[i]) for i in upd_idx]
        update_rows = rows[np.asarray(upd_idx, dtype=np.int64)]
    else:
        new_records, new_keys, new_rows = records, keys, rows
        updates, update_rows = [], rows[:0]
    report.new = len(new_records)
    report.changed = len(updates)
    state.report(0.7)
    return PreparedImport(kind=kind, file=str(path), report=report, mapping=mapping, rows=rows,
                          records=new_records, keys=new_keys, new_rows=new_rows,
                          updates=updates, update_rows=update_rows,
                          new_aliases={s: given[value_key(s)] for s in mapping.aliases})


def check_columns(table: RawTable, mapping: ColumnMapping) -> None:
    """Refuse a mapping naming columns the file does not have, or leaving a required field
    without a column (an :class:`ImportFileError` naming the columns the file has)."""
    kind = mapping.kind
    path = table.path
    absent = mapping.absent(table.headers)
    if absent:
        where = mapping.path or path
        what = "; ".join(f"{label} → {col!r}" for label, col in absent)
        found = ", ".join(repr(h) for h in table.headers[:12])
        more = ", ..." if len(table.headers) > 12 else ""
        raise ImportFileError(where, f"{mapping.origin} names columns that {path.name} does "
                                     f"not have ({what}); the file's columns are: "
                                     f"{found}{more}. Fix the mapping (or map them again)")
    missing = mapping.missing(table.headers)
    if missing:
        names = ", ".join(f"{t.label}" for t in missing)
        found = ", ".join(repr(h) for h in table.headers[:12])
        more = ", ..." if len(table.headers) > 12 else ""
        hint = next((f" ({n})" for n in table.notes if "one column" in n), "")
        raise ImportFileError(path, f"no column for {names} in this {KIND_LABELS[kind].lower()}"
                                    f" export{hint}; the file's columns are: {found}{more}. "
                                    "Map them in the column-mapping step (or --mapping)")


def _earlier_chunks(kind: str, keys: list[str], context: ChunkContext | None
                   ) -> tuple[dict[int, tuple[int, int]], list[int]]:
    """Of a chunk's keys that are not numbered by occurrence (record ids; fallback keys
    without "#"): ({index: (row, record hash)} of those first seen in an earlier chunk,
    the indices of the others, to remember when kept)."""
    if context is None:
        return {}, []
    if "#" in kind_spec(kind).fallback_key:  # numbered keys never repeat; record ids can
        candidates = [i for i, k in enumerate(keys) if k.startswith("ext|")]
    else:
        candidates = list(range(len(keys)))
    if not candidates:
        return {}, []
    found, prev = context.seen.lookup(hashes([keys[i] for i in candidates], len(candidates)))
    earlier = {candidates[j]: (int(prev[j, 0]), int(prev[j, 1]))
               for j in np.flatnonzero(found).tolist()}
    return earlier, [i for i in candidates if i not in earlier]


_WORKBOOK_DATES = "date cells of the workbook"


def assumptions(table: RawTable, mapping: ColumnMapping, columns: dict[str, _Column],
                aliases: dict[str, int], given: dict[str, int],
                partners: list[tuple[int, str]], used: set[str] | None = None) -> list[str]:
    """What the import assumed, one line each, in the order the report prints them.
    ``used``: the partner texts of the file (as :func:`value_key` gives them), when
    ``columns`` does not hold them (a file read in chunks)."""
    from .reading import _delim_name

    names = dict(partners)
    if table.text_only:
        encoding = table.encoding or "utf-8"
        out = [f"encoding: {'utf-8 with a byte-order mark' if _has_bom(table) else 'utf-8'}"
               if encoding.startswith("utf-8") else f"encoding: {encoding}",
               f"delimiter: {_delim_name(table.delimiter or ',')}"]
    else:
        out = [f"workbook sheet: {table.sheet}"]
    labels = {t.name: t.label for t in targets(mapping.kind)}
    money = [c for name, c in columns.items() if c.decimal_note]
    out += [f"decimal separator of {c.label!r}: {c.decimal_note}" for c in money] or [
        "decimal separator: no amounts in this kind"]
    dates = [c for c in columns.values() if c.date_note]
    out += [f"date format of {c.label!r}: {c.date_note}" for c in dates]
    out.append(f"mapping: {mapping.origin}")
    out += [f"  {labels[f]} ← {c!r}" for f, c in mapping.columns.items() if c]
    unmapped = [labels[f] for f, c in mapping.columns.items() if not c]
    if unmapped:
        out.append(f"  not in this file: {', '.join(unmapped)}")
    for f, vmap in mapping.value_maps.items():
        if vmap:
            shown = ", ".join(f"{k!r} → {_shown(v)}" for k, v in sorted(vmap.items()))
            out.append(f"value map of {labels.get(f, f)}: {shown}")
    if not any(mapping.value_maps.values()):
        out.append("value maps: none (values taken as the field's own choices)")
    for flt in mapping.filters:
        out.append(f"filter: take rows whose {flt.column!r} is "
                   f"{' or '.join(repr(k) for k in flt.keep)}")
    if not mapping.filters:
        out.append("filters: none (every row counts)")
    col = columns.get("partner")
    if used is None:
        used = {value_key(t) for t in col.texts} if col is not None else set()
    used_keys = used
    shown_aliases = [(k, pid) for k, pid in aliases.items() if k in used_keys]
    for k, pid in sorted(shown_aliases):
        how = "given with this import" if k in given else "confirmed before"
        out.append(f"alias: {k!r} → {names.get(pid, pid)} ({how})")
    if not shown_aliases:
        out.append("aliases: none used (partners matched by name or id)")
    return out


def _shown(v: Any) -> str:
    if isinstance(v, bool):
        return "ARR" if v else "one-off"
    return str(v)


def _has_bom(table: RawTable) -> bool:
    with open(table.path, "rb") as fh:
        return fh.read(3) == b"\xef\xbb\xbf"


def _file_date_format(table: RawTable, mapping: ColumnMapping, specs: tuple) -> dict[str, str]:
    """Per date field, the format to read it in when the mapping leaves it to detection and
    the column alone cannot tell (a created-date column whose days are all 12 or less): the
    format the file's date columns agree on together. Empty when each column decides."""
    from .dates import _date_format

    if mapping.date_format != "auto" or not table.text_only:
        return {}
    fields = [t.name for t in specs if t.type == "date" and mapping.columns.get(t.name)]
    if len(fields) < 2:
        return {}
    # Distinct texts only (a column of 100,000 dates has a few hundred).
    texts = {f: [_TIME_TAIL.sub("", str(v).strip())
                 for v in pd.unique(table.frame[mapping.columns[f]])] for f in fields}
    undecided = []
    for f in fields:
        try:
            _date_format(texts[f], "", table.path)
        except ImportFileError:
            undecided.append(f)  # this column could be either: the file's other dates decide
    if not undecided:
        return {}
    try:
        fmt, _ = _date_format([t for f in fields for t in texts[f]], "", table.path)
    except ImportFileError:
        return {}
    out = dict.fromkeys(undecided, fmt)
    return out

