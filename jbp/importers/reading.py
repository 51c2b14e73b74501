"""Reading and detection: a CSV or XLSX export into columns of text, with its encoding,
delimiter and header row found, report lines above the table and total rows below it left out."""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..progress import Progress
from .spec import ImportFileError

if TYPE_CHECKING:
    pass

# --------------------------------------------------------------------------- reading files


@dataclass
class RawTable:
    """A file read into columns of text (CSV) or cell values (XLSX), before any parsing.

    ``frame`` keeps the file's row order; ``rows`` gives each frame row's number as a
    spreadsheet shows it (the header is row 1). ``text_only``: every cell is a str.
    """

    path: Path
    frame: pd.DataFrame
    rows: np.ndarray
    headers: list[str]
    text_only: bool
    notes: list[str] = field(default_factory=list)
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None

    @property
    def signature(self) -> str:
        """A short hash of the normalised header names: the default mapping source."""
        norm = "|".join(sorted(normalise(h) for h in self.headers))
        return hashlib.sha1(norm.encode()).hexdigest()[:10]


def normalise(header: str) -> str:
    """Lower case, words only: "Close Date (UTC)" → "close date utc"."""
    return " ".join(re.findall(r"[a-z0-9]+", str(header).lower()))


_DELIMS = (",", ";", "\t", "|")


def read_table(path: str | Path, *, sheet: str | None = None,
               state: Progress | None = None) -> RawTable:
    """Read a CSV or XLSX export. Raises :class:`ImportFileError` for a file that is missing,
    empty, binary, not the format its name says, or has no data rows."""
    path = Path(path)
    state = state or Progress()
    if not path.exists():
        raise ImportFileError(path, "no such file")
    if path.is_dir():
        raise ImportFileError(path, "is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(path, "is empty (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(65536)
    suffix = path.suffix.lower()
    is_zip = head.startswith(b"PK\x03\x04")
    state.report(state.fraction, f"Reading {path.name}")
    if suffix == ".xls" and not is_zip:
        raise ImportFileError(path, "is an old-style .xls workbook; save it as .xlsx or CSV")
    if suffix in (".xlsx", ".xlsm") or (is_zip and suffix not in (".csv", ".txt", ".tsv")):
        if not is_zip:
            raise ImportFileError(path, "is not a valid .xlsx workbook (not a zip file)")
        table = _read_xlsx(path, sheet)
    else:
        if is_zip:
            raise ImportFileError(path, "is a zip or Excel file, not a text CSV; save it as "
                                        "CSV or rename it to .xlsx")
        table = _read_csv(path, head)
    if table.frame.shape[0] == 0:
        raise ImportFileError(path, "has a header but no data rows")
    return table


def _decode_head(path: Path, head: bytes) -> tuple[str, str]:
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="ignore"), "utf-16"
    if b"\x00" in head:
        raise ImportFileError(path, "is a binary file, not a CSV export (it contains NUL "
                                    "bytes)")
    try:
        return head.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut at the end of the sample
            return head[:exc.start].decode("utf-8-sig"), "utf-8-sig"
    text = head.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    if controls > max(4, len(text) // 100):
        raise ImportFileError(path, "is a binary file, not a CSV export")
    return text, "cp1252"


@dataclass
class CsvLayout:
    """What the head of a CSV file says: its encoding, delimiter, the lines above the header
    (``skip``), the header line and its names, and the notes so far."""

    path: Path
    encoding: str
    delimiter: str
    skip: int
    header: str
    names: list[str]
    notes: list[str]
    #: The notes of the file's end (totals left out, one column), set by each reading.
    end_notes: list[str] = field(default_factory=list)

    def read_options(self, encoding: str | None = None) -> dict[str, Any]:
        """pd.read_csv's options for this file: every cell the file's text, as a str."""
        # index_col=False: a row with extra fields must not turn into an index; pandas
        # then warns instead of failing, and the warning becomes an error where it is read.
        # dtype=object with na_filter=False: every cell is the file's text, as a str
        # (dtype=str gives the same texts, wrapped in pandas string arrays at a cost).
        return {"sep": self.delimiter, "dtype": object, "keep_default_na": False,
                "na_filter": False, "skip_blank_lines": False,
                "encoding": encoding or self.encoding, "index_col": False,
                "skiprows": self.skip}


def csv_layout(path: Path, head: bytes) -> CsvLayout:
    """The layout of a CSV file from its first bytes (``head``); refuses a file with no
    header or with two columns of one name."""
    text, encoding = _decode_head(path, head)
    all_lines = text.splitlines()
    if not any(ln.strip() for ln in all_lines):
        raise ImportFileError(path, "has no header row (only blank lines)")
    delim, skip = _find_header(all_lines)
    header = all_lines[skip]
    names = next(csv.reader([header], delimiter=delim), [])
    _refuse_duplicates(path, names)
    notes = []
    if skip and any(ln.strip() for ln in all_lines[:skip]):
        above = [ln.strip().strip('"').strip() for ln in all_lines[:skip] if ln.strip()]
        notes.append(f"the table starts at line {skip + 1}; {len(above)} report "
                     f"{'line' if len(above) == 1 else 'lines'} above it left out "
                     f"({'; '.join(repr(a[:40]) for a in above[:3])}"
                     f"{', ...' if len(above) > 3 else ''})")
    if encoding == "cp1252":
        notes.append(NOT_UTF8)
    return CsvLayout(path, encoding, delim, skip, header, names, notes)


#: The note of a file read as Windows-1252.
NOT_UTF8 = "the file is not UTF-8; read as Windows-1252"


def parser_error(layout: CsvLayout, exc: Exception) -> ImportFileError:
    """The message of a file pandas' parser refuses (a row with more fields than the header,
    or another malformed line)."""
    path, delim = layout.path, layout.delimiter
    if isinstance(exc, pd.errors.ParserWarning):
        return ImportFileError(path, f"a row has more fields than the header (delimiter "
                                     f"{_delim_name(delim)}); check the delimiter and the "
                                     "quoting of text with delimiters in it")
    if isinstance(exc, pd.errors.EmptyDataError):
        return ImportFileError(path, "has no header row")
    msg = str(exc)
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
    if m:
        return ImportFileError(
            path, f"row {m.group(2)} has {m.group(3)} fields but the header has "
                  f"{m.group(1)} (delimiter {_delim_name(delim)}); check the delimiter "
                  "and the quoting of text with delimiters in it")
    return ImportFileError(path, f"is not a well-formed CSV file ({msg.strip()})")


def table_headers(layout: CsvLayout, frame: pd.DataFrame) -> list[str]:
    """The column names of a CSV file read into ``frame``."""
    headers = [_header_name(h, i) for i, h in enumerate(layout.names)]
    if len(headers) != frame.shape[1]:  # a header the csv module splits otherwise
        headers = [_header_name(h, i) for i, h in enumerate(frame.columns)]
    return headers


def one_column_note(layout: CsvLayout, headers: list[str]) -> list[str]:
    if len(headers) != 1:
        return []
    other = [d for d in _DELIMS if d != layout.delimiter and d in layout.header]
    hint = (f"; the header looks {_delim_name(other[0])}-separated" if other
            else "; a CSV export needs a delimiter such as comma or semicolon")
    return [f"only one column found{hint}"]


def _read_csv(path: Path, head: bytes) -> RawTable:
    layout = csv_layout(path, head)
    notes, skip, delim = layout.notes, layout.skip, layout.delimiter
    encoding = layout.encoding
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, engine="c", **layout.read_options())
    except pd.errors.ParserWarning as exc:
        raise parser_error(layout, exc) from None
    except UnicodeDecodeError:
        try:
            frame = pd.read_csv(path, **layout.read_options("cp1252"))
            encoding = "cp1252"
            notes.append(NOT_UTF8)
        except pd.errors.EmptyDataError:
            raise ImportFileError(path, "has no header row") from None
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise ImportFileError(path, f"cannot be read as text ({exc})") from exc
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise parser_error(layout, exc) from None
    headers = table_headers(layout, frame)
    frame.columns = headers
    rows = np.arange(len(frame)) + 2 + skip
    frame, rows = _drop_footer(frame, rows, notes)
    if len(frame):
        blank = _all_blank(frame)
        if blank.any():
            frame = frame[~blank]
            rows = rows[~blank]
    if len(headers) > 1 and len(frame):
        _check_row_delimiter(path, frame, delim)
    notes += one_column_note(layout, headers)
    return RawTable(path, frame.reset_index(drop=True), rows, headers, True, notes, delim,
                    encoding)


def _check_row_delimiter(path: Path, frame: pd.DataFrame, delim: str) -> None:
    """Refuse a file whose rows use another delimiter than its header (every row lands in
    the first column)."""
    sample = frame.head(200)
    # Plain lists: on 200 rows, pandas' per-call overhead is most of the cost.
    first = ["" if pd.isna(v) else str(v) for v in sample.iloc[:, 0].tolist()]
    rest_blank = [True] * len(first)
    for j in range(1, sample.shape[1]):
        for i, v in enumerate(sample.iloc[:, j].tolist()):
            if rest_blank[i] and not pd.isna(v) and str(v) != "":
                rest_blank[i] = False
    for other in _DELIMS:
        if other == delim:
            continue
        lumped = sum(1 for f, b in zip(first, rest_blank, strict=True) if b and other in f)
        if lumped > 0.5 * len(first):
            raise ImportFileError(path, f"the header is {_delim_name(delim)}-separated but "
                                        f"the rows are {_delim_name(other)}-separated; save "
                                        "the file again with one delimiter")


def _all_blank(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty text (a CSV read as text)."""
    blank = np.zeros(len(frame), dtype=bool)
    # Only rows with an empty first cell can be blank: test the other columns on those.
    rows = np.flatnonzero(_empty_cells(frame.iloc[:, 0].to_numpy(dtype=object)))
    for j in range(1, frame.shape[1]):
        if not len(rows):
            break
        rows = rows[_empty_cells(frame.iloc[:, j].to_numpy(dtype=object)[rows])]
    blank[rows] = True
    return blank


def _empty_cells(values: np.ndarray) -> np.ndarray:
    return (values == "") | pd.isna(values)


def _delim_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(d, repr(d))


def _header_name(h: Any, i: int) -> str:
    # A LibreOffice conversion of a UTF-8 CSV keeps the byte-order mark inside the first
    # header; non-breaking spaces come from copy and paste.
    # (read as Windows-1252 by a default conversion, the mark becomes "ï»¿").
    text = str(h).replace("\ufeff", "").replace("\u00a0", " ").strip()
    text = text.removeprefix("ï»¿").strip()
    if not text or text.startswith("Unnamed:"):
        return f"(column {i + 1})"
    return text


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    calamine: type[CalamineWorkbook] | None
    try:
        from python_calamine import CalamineWorkbook
        calamine = CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a dependency
        calamine = None
    name: str | None
    try:
        if calamine is not None:
            book = calamine.from_path(str(path))
            names = book.sheet_names
            name = sheet or names[0]
            if name not in names:
                raise ImportFileError(path, f"has no sheet {name!r} (sheets: "
                                            f"{', '.join(names)})")
            data = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        else:  # pragma: no cover
            raw = pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=object)
            name, data = sheet, raw.values.tolist()
    except ImportFileError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ImportFileError(path, f"is not a readable .xlsx workbook ({exc})") from exc
    if all(all(_blank_cell(v) for v in row) for row in data):
        raise ImportFileError(path, f"sheet {name!r} is empty")
    # The header: the first row as wide as the table (title lines above it are left out).
    filled = [sum(not _blank_cell(v) for v in row) for row in data[:60]]
    wide = max(2, (max(filled) + 1) // 2) if max(filled) >= 2 else 1
    start = next(i for i, n in enumerate(filled) if n >= wide)
    notes = []
    above = [str(v).strip() for row in data[:start] for v in row if not _blank_cell(v)]
    if above:
        notes.append(f"the table starts at row {start + 1}; {len(above)} report "
                     f"{'line' if len(above) == 1 else 'lines'} above it left out")
    header = data[start]
    width = max((i + 1 for i, v in enumerate(header) if not _blank_cell(v)), default=0)
    headers = [_header_name(h if not _blank_cell(h) else "", i)
               for i, h in enumerate(header[:width])]
    _refuse_duplicates(path, headers)
    body = [row[:width] + [""] * (width - len(row)) for row in data[start + 1:]]
    rows = np.arange(len(body)) + start + 2
    keep = [i for i, row in enumerate(body) if not all(_blank_cell(v) for v in row)]
    frame = pd.DataFrame([body[i] for i in keep], columns=headers, dtype=object)
    frame, kept = _drop_footer(frame, rows[keep] if len(keep) else rows[:0], notes)
    return RawTable(path, frame.reset_index(drop=True), kept, headers, False, notes,
                    None, None, name)


def _blank_cell(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (
        isinstance(v, float) and np.isnan(v))


def _find_header(lines: list[str]) -> tuple[str, int]:
    """(delimiter, index of the header line). The header is the first line that a delimiter
    splits into two or more filled fields: report title lines above the table (a CRM's
    printable report view) have one field under every delimiter and are passed over. Among
    delimiters that find the same header line, the one whose split of the following lines
    agrees most with the header's width wins (the header line alone decides a tie, by the
    count of the delimiter in it)."""
    sample = lines[:60]
    best: tuple[int, int, int, str] | None = None
    for d in _DELIMS:
        split = [next(csv.reader([ln], delimiter=d), []) if ln.strip() else [] for ln in sample]
        h = next((i for i, cells in enumerate(split)
                  if sum(bool(c.strip()) for c in cells) >= 2), None)
        if h is None:
            continue
        width = len(split[h])
        agree = sum(1 for cells in split[h + 1:] if len(cells) == width)
        key = (-h, agree, sample[h].count(d), d)
        if best is None or key[:3] > best[:3]:
            best = key
    if best is None:
        return ",", next(i for i, ln in enumerate(lines) if ln.strip())
    return best[3], -best[0]


def _refuse_duplicates(path: Path, names: list[Any]) -> None:
    """Refuse a header that names two columns alike (which one would a mapping mean?)."""
    seen: dict[str, int] = {}
    for i, h in enumerate(names):
        text = _header_name(h, i)
        key = " ".join(text.lower().split())
        if text.startswith("(column ") or not key:
            continue
        if key in seen:
            j = seen[key]
            raise ImportFileError(path, f"columns {j + 1} and {i + 1} are both named "
                                        f"{_header_name(names[j], j)!r}; rename one so the "
                                        "mapping can say which it means")
        seen[key] = i


#: First cell of a row a report export writes below its table: totals, counts, footers.
_FOOTER = re.compile(r"^\s*(grand\s+totals?|totals?|sub-?totals?|count|sum|average|records?"
                     r"\s+count|copyright|\(c\)|©|confidential|generated\s+by|report\s+"
                     r"generated|total\s+records)\b", re.IGNORECASE)


def _drop_footer(frame: pd.DataFrame, rows: np.ndarray, notes: list[str]
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """Leave out the rows a CRM report writes below its table ("Grand Totals (22 records)",
    "Count: 63", copyright and "Generated by" lines), with a note naming them. From the
    end: blank rows, total-like rows and one-cell rows, as far up as the topmost blank or
    total-like row of that block (a one-cell row above it is data, and stays)."""
    n = len(frame)
    if not n or frame.shape[1] < 2:
        return frame, rows
    tail = frame.iloc[max(0, n - 30):]
    cut = n
    i = n - 1
    for values in reversed(list(tail.itertuples(index=False, name=None))):
        cells = [_cell(v) for v in values]
        filled = [c for c in cells if c]
        if not filled or _FOOTER.match(filled[0]):
            cut = i
        elif len(filled) > 1:
            break
        i -= 1
    if cut == n:
        return frame, rows
    dropped = [next((c for c in map(_cell, r) if c), "")
               for r in frame.iloc[cut:].itertuples(index=False, name=None)]
    shown = [d for d in dropped if d]
    if shown:
        notes.append(f"{len(shown)} {'row' if len(shown) == 1 else 'rows'} below the table "
                     f"left out (totals and footer: {'; '.join(repr(d[:40]) for d in shown[:3])}"
                     f"{', ...' if len(shown) > 3 else ''})")
    return frame.iloc[:cut], rows[:cut]


def _cell(v: Any) -> str:
    return "" if _blank_cell(v) else str(v).strip()

