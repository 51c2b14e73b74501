"""Writing (the commit step): the rows the user chose to take, in one transaction, with a
row in ``imports``."""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import JbpError
from ..progress import Progress
from .aliases import save_aliases
from .checking import prepare
from .chunked import is_large_csv
from .mapping import ColumnMapping, mapping_for, mapping_source, save_mapping
from .reading import read_table
from .report import PreparedImport, ValidationReport
from .spec import CHUNK, KIND_LABELS, kind_spec, targets

if TYPE_CHECKING:
    from ..store import Workspace

# --------------------------------------------------------------------------- commit


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: rows inserted and updated, duplicates skipped, rows rejected."""

    import_id: int | None
    kind: str
    file: str
    inserted: int
    updated: int
    duplicates: int
    rejected: int
    #: Why nothing was written, when nothing was ("" when rows were).
    nothing: str = ""

    @property
    def taken(self) -> int:
        return self.inserted + self.updated

    def text(self) -> str:
        if self.nothing:
            return self.nothing
        return (f"Imported {self.inserted} new and updated {self.updated} changed "
                f"{KIND_LABELS[self.kind].lower()} from {Path(self.file).name}; "
                f"{self.duplicates} duplicates skipped, {self.rejected} rows rejected.")


def commit(ws: Workspace, prepared: PreparedImport, *, allow_rejected: bool = True,
           skip_rows: Iterable[int] = (), source: str | None = None,
           state: Progress | None = None,
           extract_date: dt.date | None = None) -> ImportResult:
    """Write the valid rows (less ``skip_rows``, spreadsheet row numbers the user left out)
    in one transaction, with a row in ``imports``; on any error or cancellation nothing is
    written. With ``allow_rejected=False`` a report with rejected rows imports nothing and
    raises :class:`JbpError`. ``source``: save the mapping under this name in the same
    transaction; aliases given with the mapping are stored too. A run that would write no
    row stores nothing (no import record, no mapping) and says why in ``nothing``. ``extract_date``: the day the
    export's data is complete through (kept for the coverage of each kind; None: not said).
    A kind registered with its own ``commit`` writes its rows with it, inside the same
    transaction."""
    from ..store import now_iso

    state = state or Progress()
    report = prepared.report
    if report.errors and not allow_rejected:
        raise JbpError(f"{report.file}: {report.rejected} rows were rejected; nothing was "
                       "imported")
    skip = set(skip_rows)
    records, keys = prepared.records, prepared.keys
    updates = prepared.updates
    if skip:
        keep = [i for i, r in enumerate(prepared.new_rows.tolist()) if r not in skip]
        records = [records[i] for i in keep]
        keys = [keys[i] for i in keep]
        updates = [u for u, r in zip(updates, prepared.update_rows.tolist(), strict=True)
                   if r not in skip]
    if not records and not updates:
        # Nothing to write (all rejected, filtered out or imported before): nothing is
        # stored, not even the import record or the mapping.
        return ImportResult(None, prepared.kind, prepared.file, 0, 0,
                            report.duplicates + report.in_file_duplicates,
                            report.rejected + len(skip), _nothing(report, len(skip)))
    kind = prepared.kind
    spec = kind_spec(kind)
    state.report(state.fraction, "Writing to the workspace")
    with _import_cache(ws), ws.transaction():
        cur = ws.execute("INSERT INTO imports (kind, file, imported_at, rows_taken, "
                         "rows_rejected, rows_duplicate) VALUES (?, ?, ?, 0, ?, ?)",
                         (kind, str(prepared.file), now_iso(), report.rejected + len(skip),
                          report.duplicates + report.in_file_duplicates))
        assert cur.lastrowid is not None  # set by the INSERT
        import_id = int(cur.lastrowid)
        write = spec.commit or write_actuals
        inserted, updated = write(ws, prepared, records=records, keys=keys, updates=updates,
                                  import_id=import_id, state=state)
        lost = len(records) - inserted  # keys another session stored meanwhile
        ws.execute("UPDATE imports SET rows_taken = ?, rows_duplicate = rows_duplicate + ? "
                   "WHERE id = ?", (inserted + updated, lost, import_id))
        if source:
            save_mapping(ws, source, prepared.mapping)
        if prepared.new_aliases:
            save_aliases(ws, prepared.new_aliases)
        state.check()
    ws.notify("actuals")
    state.report(1)
    return ImportResult(import_id, kind, prepared.file, inserted, updated,
                        report.duplicates + report.in_file_duplicates + lost,
                        report.rejected + len(skip))


def write_actuals(ws: Workspace, prepared: PreparedImport, *, records: list[tuple],
                  keys: list[str], updates: list[tuple], import_id: int,
                  state: Progress) -> tuple[int, int]:
    """Insert the new records and update the changed ones in the actuals table named after
    the kind (call inside the import's transaction). Returns (inserted, updated)."""
    with ws.transaction() as conn:  # joins the import's transaction
        cols = kind_spec(prepared.kind).columns
        kind = prepared.kind
        total = max(1, len(records) + len(updates))
        done = 0
        # As Workspace.insert_actuals (INSERT OR IGNORE: a key another session stored since
        # prepare() counts as a duplicate), with the key last and the import id written
        # into the statement, so each record binds as it is: (*record, key) is built by
        # operator.add in C, where a Python-level tuple per row cost a tenth of the write.
        insert = (f"INSERT OR IGNORE INTO {kind} ({', '.join(cols)}, natural_key, import_id) "
                  f"VALUES ({', '.join('?' * len(cols))}, ?, {import_id})")
        inserted = 0
        for i in range(0, len(records), CHUNK):
            state.check()
            before = conn.total_changes
            conn.executemany(insert, map(operator.add, records[i:i + CHUNK],
                                         zip(keys[i:i + CHUNK])))
            inserted += conn.total_changes - before
            done += len(records[i:i + CHUNK])
            state.report(0.7 + 0.3 * done / total)
        updated = 0
        if updates:
            sets = ", ".join(f"{c} = ?" for c in cols)
            update = (f"UPDATE {kind} SET {sets}, import_id = {import_id} "
                      "WHERE natural_key = ?")
            for i in range(0, len(updates), CHUNK):
                state.check()
                chunk = updates[i:i + CHUNK]
                before = conn.total_changes
                conn.executemany(update, chunk)  # (values..., natural_key)
                updated += conn.total_changes - before
                done += len(chunk)
                state.report(0.7 + 0.3 * done / total)
    return inserted, updated


def _nothing(report: ValidationReport, skipped: int) -> str:
    """Why a run takes no rows, in the user's words."""
    parts = []
    if report.rejected:
        parts.append(f"{report.rejected} rejected")
    if report.filtered:
        parts.append(f"{report.filtered} filtered out")
    dup = report.duplicates + report.in_file_duplicates
    if dup:
        parts.append(f"{dup} imported before")
    if skipped:
        parts.append(f"{skipped} left out")
    return (f"Nothing was imported from {report.file}: of its {report.rows} rows, "
            f"{', '.join(parts) or 'none was valid'}; nothing was stored (no import record, "
            "no saved mapping).")


#: Page cache of the workspace connection while an import writes (KiB): a large table's
#: indexes fit in it, where SQLite's default of 2 MiB makes inserts re-read pages.
IMPORT_CACHE_KIB = 65536


@contextlib.contextmanager
def _import_cache(ws: Workspace) -> Iterator[None]:
    """A larger page cache for the duration of an import (durability is untouched: the
    journal and synchronous settings stay as they are)."""
    old = ws.rows("PRAGMA cache_size")[0][0]
    # Negative sizes are KiB, positive ones pages (of 4 KiB by default).
    bigger = (-old if old < 0 else old * 4) < IMPORT_CACHE_KIB
    if bigger:
        ws.rows(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        if bigger:
            ws.rows(f"PRAGMA cache_size = {int(old)}")


def run_import(ws: Workspace, path: str | Path, kind: str, *,
               mapping: ColumnMapping | None = None, source: str | None = None,
               dry_run: bool = False, allow_rejected: bool = False,
               sheet: str | None = None, state: Progress | None = None,
               extract_date: dt.date | None = None,
               ) -> tuple[ValidationReport, ImportResult | None]:
    """Read, map (``mapping``, else the one saved for ``source`` or this header signature,
    else a guess), validate and — unless ``dry_run`` — commit. With ``allow_rejected`` the
    valid rows are taken even when others were rejected; without it a file with rejected
    rows imports nothing. The mapping is saved under ``source`` when rows are written.
    A CSV file larger than one chunk (:data:`~.chunked.STREAM_ROWS` rows) is read, checked
    and written chunk by chunk in one transaction (:mod:`.streaming`), to the same end."""
    state = state or Progress()
    targets(kind)
    if sheet is None and is_large_csv(path):  # read, checked and written chunk by chunk
        from .streaming import stream_import

        if mapping is not None and mapping.kind != kind:
            raise JbpError(f"the mapping is for {mapping.kind}, not {kind}")

        with stream_import(ws, path, kind, mapping=mapping, source=source,
                           write=not dry_run, state=state) as run:
            if dry_run or (run.report.errors and not allow_rejected):
                return run.report, None
            return run.report, run.commit(allow_rejected=allow_rejected)
    table = read_table(path, sheet=sheet, state=state)
    if mapping is None:
        mapping, source, _ = mapping_for(ws, kind, table, source)
    else:
        if mapping.kind != kind:
            raise JbpError(f"the mapping is for {mapping.kind}, not {kind}")
        source = source or mapping_source(kind, table)
    prepared = prepare(ws, table, mapping, state)
    if dry_run or (prepared.report.errors and not allow_rejected):
        return prepared.report, None
    result = commit(ws, prepared, allow_rejected=allow_rejected, source=source, state=state,
                    extract_date=extract_date)
    return prepared.report, result


def past_imports(ws: Workspace) -> pd.DataFrame:
    """The ``imports`` table, newest first (id, kind, file, imported_at, rows_taken,
    rows_rejected, rows_duplicate)."""
    rows = ws.rows("SELECT id, kind, file, imported_at, rows_taken, rows_rejected, "
                   "rows_duplicate FROM imports ORDER BY id DESC")
    return pd.DataFrame([dict(r) for r in rows], columns=[
        "id", "kind", "file", "imported_at", "rows_taken", "rows_rejected", "rows_duplicate"])
