"""A CSV larger than one chunk (:func:`jbp.importers.is_large_csv`) checked, then imported, as
the GUI's import wizard does it: the mapping and values steps see only the file's head (its
first chunk, :func:`read_head`); the check and the import each read the whole file chunk by
chunk (:func:`jbp.importers.stream_import`), holding one chunk, never the file. The check
writes nothing; the import reads the file a second time and keeps its rows only when its own
report has no rejection the user did not accept (the file may have changed in between). The
wizard runs these on worker threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import importers as imp
from ..errors import JbpError
from . import chunked


@dataclass
class StreamedCheck:
    """The report of a streamed checking pass (nothing written), and what its import needs."""

    kind: str
    file: str
    mapping: imp.ColumnMapping
    report: imp.ValidationReport
    last_date: object = None  # dt.date | None: the last date of the rows it would take
    #: Rows per text of the file's choice, filter and partner columns, over every row
    #: (header → text → rows): what the values step lists once the check has read it all.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rejected_rows(self) -> set[int]:
        return {e.row for e in self.report.errors}


def rows_about(path: Path) -> int:
    """About how many rows the file has (its size over the head's mean line length)."""
    with Path(path).open("rb") as fh:
        head = fh.read(1 << 20)
    per_line = len(head) / max(1, head.count(b"\n"))
    return max(0, round(Path(path).stat().st_size / max(1.0, per_line)) - 1)


def read_head(path: Path, *, state) -> imp.RawTable:
    """The file's first chunk as a :class:`~jbp.importers.RawTable` (its headers, first
    values and the notes of its layout); the rest of the file is not read."""
    layout = chunked.open_csv(path)
    state.report(0.1, f"Reading the head of {Path(path).name}")
    head = chunked.first_chunk(layout, chunked.STREAM_ROWS)
    head.notes = list(layout.notes)
    state.check()
    return head


def check_streamed(ws_path: Path, path: Path, mapping: imp.ColumnMapping, source: str, *,
                   state) -> StreamedCheck:
    """The whole file checked chunk by chunk with ``mapping``; nothing is written."""
    from ..store import Workspace

    with Workspace.open(ws_path) as ws, imp.stream_import(
            ws, path, mapping.kind, mapping=mapping, source=source, write=False,
            state=state) as run:
        return StreamedCheck(mapping.kind, str(path), mapping, run.report, run.last_date,
                             run.counts)


def import_streamed(ws_path: Path, checked: StreamedCheck, source: str, extract_date=None,
                    accepted: bool = False, *, state) -> imp.ImportResult:
    """Read the file again, writing chunk by chunk in one transaction, kept only when this
    pass rejects no row beyond those the user accepted after the check (``accepted``: the
    rejected rows of ``checked`` were accepted). Refuses an extract date before the file's
    last date before anything is kept."""
    from ..coverage import check_extract_date
    from ..store import Workspace

    path = Path(checked.file)
    with Workspace.open(ws_path) as ws:
        ws.require_writable()
        with imp.stream_import(ws, path, checked.kind, mapping=checked.mapping, source=source,
                               write=True, state=state) as run:
            report = run.report
            allowed = checked.rejected_rows if accepted else set()
            more = checked.report.more_rejected if accepted else 0
            new_rows = sorted({e.row for e in report.errors} - allowed)
            if new_rows or report.more_rejected > more:
                first = ", ".join(str(r) for r in new_rows[:5]) or "past the first listed"
                raise JbpError(
                    f"{path.name} changed since it was checked: it now rejects "
                    f"{report.rejected:,} rows (rows {first} were not rejected before); "
                    "nothing was imported. Go back and check it again.")
            if extract_date is not None:  # refused before anything is kept
                check_extract_date(extract_date, run.last_date, path.name)
            result = run.commit(allow_rejected=True)
        if extract_date is not None and result.import_id is not None:
            ws.set_extract_date(result.import_id, extract_date)
        return result
