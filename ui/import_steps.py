"""The import wizard's steps that run off the GUI thread (no widget here): read a file and
find its mapping, check it, write it. Each opens its own connection to the workspace file;
the domain work is :mod:`jbp.importers`' (and :mod:`jbp.importers.two_pass`'s for large CSVs).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jbp import import_partners as lists  # the partner list and costs (issue 11)
from jbp import importers as imp
from jbp.importers.two_pass import read_head, rows_about


def read_step(path: Path, ws_path: Path, kind: str | None, *, state) -> dict[str, Any]:
    """Read the file, guess its kind when not given, and find its starting mapping."""
    from jbp.store import Workspace

    large = None
    if kind not in lists.KINDS and imp.is_large_csv(path):
        # Only the head: the check and the import read the file chunk by chunk.
        table = read_head(path, state=state)
        if (kind or lists.guess_kind(table.headers)) not in lists.KINDS:
            large = {"rows_about": max(rows_about(path), len(table.frame)),
                     "head_rows": len(table.frame)}
    if large is None:
        table = imp.read_table(path, state=state)
    kind = kind or lists.guess_kind(table.headers)  # actuals, partner lists and costs
    with Workspace.open(ws_path) as ws:
        mapping, source, saved = imp.mapping_for(ws, kind, table)
        if not saved:
            fitting = fitting_mapping(ws, kind, table)
            if fitting is not None:
                mapping, source, saved = imp.mapping_for(ws, kind, table, source=fitting)
            else:
                source = readable_source(path)
    return {"table": table, "kind": kind, "mapping": mapping, "source": source,
            "saved": saved, "path": Path(path), "large": large}


def readable_source(path: Path, today: dt.date | None = None) -> str:
    """The name a new mapping is saved under, as a person reads it: the file's name and
    the day it was first mapped ("crm_closed_deals_2026-10.csv, 2 Dec 2026")."""
    day = today or dt.date.today()
    return f"{Path(path).name}, {day.day} {day:%b %Y}"


def fitting_mapping(ws, kind: str, table: imp.RawTable) -> str | None:
    """The newest mapping saved for ``kind`` whose every mapped column is a header of
    ``table``: next month's export of the same source finds the mapping saved under a
    readable name (mappings were once found by a hash of the headers only)."""
    headers = set(table.headers)
    for source, _kind, _updated in imp.saved_mappings(ws, kind):
        saved = imp.load_mapping(ws, source)
        used = [h for h in saved.columns.values() if h] if saved is not None else []
        if used and all(h in headers for h in used):
            return source
    return None


def prepare_step(ws_path: Path, table: imp.RawTable, mapping: imp.ColumnMapping, *,
                 state) -> imp.PreparedImport:
    from jbp.store import Workspace

    with Workspace.open(ws_path) as ws:
        if mapping.kind in lists.KINDS:
            return lists.prepare(ws, table, mapping)
        return imp.prepare(ws, table, mapping, state)


def commit_step(ws_path: Path, prepared: imp.PreparedImport, source: str,
                extract_date=None, *, state) -> imp.ImportResult:
    from jbp.coverage import check_extract_date, last_date_of_records
    from jbp.store import Workspace

    if extract_date is not None:  # refused before anything is written
        check_extract_date(extract_date, last_date_of_records(prepared.kind, getattr(prepared, "records", [])),
                           Path(str(prepared.file)).name)
    with Workspace.open(ws_path) as ws:
        if prepared.kind in lists.KINDS:
            result = lists.commit(ws, prepared, source=source)
        else:
            result = imp.commit(ws, prepared, allow_rejected=True, source=source, state=state)
        if extract_date is not None:
            ws.set_extract_date(result.import_id, extract_date)
        return result
