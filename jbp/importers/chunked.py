"""Reading a large CSV export chunk by chunk, each chunk a :class:`RawTable` as
:func:`~.reading.read_table` would give that part of the file: the same texts, the same row
numbers (header = 1), blank rows and the totals below the table left out, the same refusals.
"""

from __future__ import annotations

import warnings
from collections.abc import Generator
from pathlib import Path

import numpy as np
import pandas as pd

from .reading import (
    NOT_UTF8,
    CsvLayout,
    RawTable,
    _all_blank,
    _check_row_delimiter,
    _drop_footer,
    csv_layout,
    one_column_note,
    parser_error,
    table_headers,
)
from .spec import ImportFileError

#: Rows read from a CSV file at a time. A file with more is imported chunk by chunk.
STREAM_ROWS = 100_000
#: Rows held back at each chunk's end: the totals a report writes below its table are looked
#: for among the file's last rows (as many as :func:`~.reading._drop_footer` looks at).
TAIL_ROWS = 30
_TAIL = TAIL_ROWS
#: Rows the check of the rows' delimiter looks at (as :func:`~.reading._check_row_delimiter`).
_HEAD = 200


class NotUtf8(Exception):
    """A chunk is not UTF-8 though the head was: read the file again as Windows-1252."""


def is_large_csv(path: str | Path, rows: int | None = None) -> bool:
    """Whether ``path`` is a CSV (not a workbook) with more lines than one chunk holds."""
    path = Path(path)
    rows = rows or STREAM_ROWS
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
            if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm",
                                                                          ".xls"):
                return False
            lines = head.count(b"\n")
            while lines <= rows + _TAIL + 2:
                block = fh.read(1 << 20)
                if not block:
                    return False
                lines += block.count(b"\n")
    except OSError:
        return False
    return True


def open_csv(path: str | Path) -> CsvLayout:
    """The layout of a CSV file (its encoding, delimiter, header), refusing what
    :func:`~.reading.read_table` refuses before reading rows."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(path, "no such file")
    if path.stat().st_size == 0:
        raise ImportFileError(path, "is empty (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(65536)
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError(path, "is a zip or Excel file, not a text CSV; save it as "
                                    "CSV or rename it to .xlsx")
    return csv_layout(path, head)


def read_chunks(layout: CsvLayout, rows: int | None = None) -> Generator[RawTable, None, None]:
    """The file's rows, ``rows`` at a time (about: blank rows are left out, and the last
    rows of each chunk go with the next one). The notes (the totals left out below the
    table, a one-column file) are ``layout.end_notes`` once the last chunk is read.
    Raises :class:`NotUtf8` when a chunk is not UTF-8 although the head was."""
    path = layout.path
    size = rows or STREAM_ROWS
    reader = pd.read_csv(path, engine="c", chunksize=size, **layout.read_options())
    headers: list[str] | None = None
    start = 0  # the file position of the next frame row read
    carry: pd.DataFrame | None = None
    carry_rows = np.zeros(0, dtype=np.int64)
    first: list[pd.DataFrame] = []  # the first _HEAD rows, until they are checked
    held = 0
    checked = False
    with reader:
        while True:
            frame = _next(reader, layout)
            last = frame is None
            if frame is None:
                frame = pd.DataFrame(columns=headers if headers is not None else layout.names,
                                     dtype=object)
            if headers is None:
                headers = table_headers(layout, frame)
            frame.columns = headers
            rows_of = np.arange(len(frame), dtype=np.int64) + 2 + layout.skip + start
            start += len(frame)
            if carry is not None:
                frame = pd.concat([carry, frame], ignore_index=True)
                rows_of = np.concatenate([carry_rows, rows_of])
            if last:
                end_notes: list[str] = []
                frame, rows_of = _drop_footer(frame, rows_of, end_notes)
                carry = None
            else:
                cut = max(0, len(frame) - _TAIL)
                carry, carry_rows = frame.iloc[cut:].reset_index(drop=True), rows_of[cut:]
                frame, rows_of = frame.iloc[:cut], rows_of[:cut]
            if len(frame):
                blank = _all_blank(frame)
                if blank.any():
                    frame, rows_of = frame[~blank], rows_of[~blank]
            if not checked:
                # The rows' delimiter is checked on the first _HEAD rows, as read_table does:
                # maybe after the first chunks are given out (the survey's, which write
                # nothing: the check refuses the file before any chunk is written).
                first.append(frame.iloc[:_HEAD - held])
                held += len(first[-1])
                if held >= _HEAD or last:
                    checked = True
                    head = pd.concat(first, ignore_index=True)
                    first = []
                    if len(headers) > 1 and len(head):
                        _check_row_delimiter(path, head, layout.delimiter)
            if last:
                layout.end_notes = end_notes + one_column_note(layout, headers)
            if len(frame):
                yield RawTable(path, frame.reset_index(drop=True), rows_of, headers, True,
                               [], layout.delimiter, layout.encoding)
            if last:
                return


def _next(reader: pd.io.parsers.TextFileReader, layout: CsvLayout) -> pd.DataFrame | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return reader.get_chunk()
    except StopIteration:
        return None
    except UnicodeDecodeError:
        if layout.encoding == "cp1252":
            raise ImportFileError(layout.path, "cannot be read as text") from None
        raise NotUtf8 from None
    except (pd.errors.ParserWarning, pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise parser_error(layout, exc) from None


def first_chunk(layout: CsvLayout, rows: int) -> RawTable:
    """The file's first ``rows`` rows after the header (the head a preview shows), read
    again as Windows-1252 when they are not UTF-8; the rest of the file is not read."""
    while True:
        chunks = read_chunks(layout, rows + TAIL_ROWS)  # a chunk holds back its tail
        try:
            return next(chunks)
        except StopIteration:
            raise ImportFileError(layout.path, "has a header but no data rows") from None
        except NotUtf8:
            as_cp1252(layout)
        finally:
            chunks.close()


def as_cp1252(layout: CsvLayout) -> None:
    """Read the file as Windows-1252 from now on (a chunk was not UTF-8)."""
    layout.encoding = "cp1252"
    if NOT_UTF8 not in layout.notes:
        layout.notes.append(NOT_UTF8)
