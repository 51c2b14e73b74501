"""Importing actuals from CRM, PRM and LMS exports (CSV or XLSX).

The pipeline, each step a pure function the CLI, the GUI wizard and the tests call alike:

1. :func:`read_table` reads the file into text columns (delimiter and encoding sniffed;
   empty, binary and malformed files refused with a :class:`ImportFileError` naming the file
   and the reason).
2. :func:`guess_mapping` proposes which file column feeds each field of the kind of
   actuals (from the header names); :func:`load_mapping`/:func:`save_mapping` keep the
   mapping the user settled on per *source*, so next month's file maps in one click.
3. :func:`prepare` parses every value strictly (types, dates, currencies), resolves
   partners, builds each row's natural key and sorts rows into new, changed, duplicate and
   rejected; its :class:`ValidationReport` lists every bad row with row number, column and
   reason.
4. :func:`commit` writes the rows the user chose to take in one transaction (all or
   nothing) and records the import in the ``imports`` table.

:func:`run_import` chains them for the CLI. Long steps take a ``state``
(:class:`TaskState`) to report progress and to be cancelled from another thread.

Natural keys (what makes a re-import of the same rows count once) are documented in
``docs/import.md``: the record id when the file has one (``ext|<id>``), otherwise a
combination of fields.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
import json
import operator
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import import_checks
from .errors import JbpError

if TYPE_CHECKING:
    from .store import Workspace

KINDS = ("deals", "registrations", "logins", "certifications", "mdf")
KIND_LABELS = {"deals": "Closed deals", "registrations": "Deal registrations",
               "logins": "Portal logins", "certifications": "Certifications",
               "mdf": "MDF requests and claims"}

#: Rows per chunk when writing (progress and cancellation are checked between chunks).
CHUNK = 10_000
#: Earliest and latest plausible year of a date in an export.
YEAR_RANGE = (1990, 2100)


class ImportFileError(JbpError):
    """The file cannot be imported at all (unreadable, empty, a required column missing).

    The message names the file and the reason; nothing was written."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(self.path).name}: {reason}")


class Cancelled(JbpError):
    """The user cancelled the import; nothing was written."""

    def __init__(self) -> None:
        super().__init__("import cancelled; nothing was imported")


class TaskState:
    """Progress and cancellation of a long step (Orange's pattern): the worker thread of the
    GUI subclasses it; the CLI and tests use it as is (no progress, never cancelled)."""

    def set_status(self, text: str) -> None:
        """A short text saying what is being done."""

    def set_progress_value(self, percent: float) -> None:
        """Progress of the whole task, 0-100."""

    def is_interruption_requested(self) -> bool:
        return False

    def check(self) -> None:
        """Raise :class:`Cancelled` when the user asked to stop."""
        if self.is_interruption_requested():
            raise Cancelled()


# --------------------------------------------------------------------------- what each kind needs


@dataclass(frozen=True)
class Target:
    """A field of the actuals the file must (or may) provide.

    ``type``: id (record id), partner, text, money (amount ≥ 0 in the workspace currency),
    date, bool, enum (one of ``choices``, synonyms accepted), currency (must be the
    workspace's). ``synonyms``: header names (normalised: lower case, words) that map to it.
    """

    name: str
    label: str
    type: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (accepted text lower-case, stored value)
    default: Any = None

    @property
    def choice_map(self) -> dict[str, Any]:
        return dict(self.choices)


_PARTNER = Target("partner", "Partner", "partner", True, (
    "partner", "partner name", "partner id", "partner account", "channel partner", "reseller",
    "reseller name", "partner company", "company partner", "organisation", "organization"))
_CURRENCY = Target("currency", "Currency", "currency", False, ("currency", "currency code",
                                                               "curr", "ccy"))
_YES = ("yes", "y", "true", "1", "x", "conflict", "flagged")
_NO = ("no", "n", "false", "0", "", "none", "no conflict")

SPECS: dict[str, tuple[Target, ...]] = {
    "deals": (
        Target("ext_id", "Deal ID", "id", False, (
            "deal id", "opportunity id", "opp id", "id", "record id", "deal number",
            "opportunity number", "crm id", "deal")),
        _PARTNER,
        Target("customer", "Customer", "text", True, (
            "customer", "customer name", "account", "account name", "end customer",
            "company", "client", "end user")),
        Target("amount", "Amount", "money", True, (
            "amount", "deal amount", "value", "deal value", "arr", "acv", "revenue",
            "booking", "bookings", "total", "amount usd", "price")),
        Target("recurring", "ARR or one-off", "enum", False, (
            "arr or one off", "revenue type", "recurring", "billing", "billing type",
            "deal type", "type", "contract type", "recurrence"),
            choices=(("arr", True), ("recurring", True), ("subscription", True),
                     ("saas", True), ("yes", True), ("true", True), ("1", True),
                     ("one-off", False), ("one off", False), ("oneoff", False),
                     ("one-time", False), ("one time", False), ("onetime", False),
                     ("services", False), ("perpetual", False), ("non-recurring", False),
                     ("no", False), ("false", False), ("0", False)),
            default=True),
        Target("close_date", "Close date", "date", True, (
            "close date", "closed date", "date closed", "won date", "closed on", "close",
            "date", "booking date")),
        Target("created_date", "Created date", "date", False, (
            "created date", "create date", "created", "created on", "opened",
            "registered date", "registration date", "open date")),
        Target("attribution", "Sourced or influenced", "enum", True, (
            "sourced or influenced", "attribution", "source", "deal source", "partner role",
            "origin", "partner involvement", "involvement", "sourced influenced"),
            choices=(("sourced", "sourced"), ("partner sourced", "sourced"),
                     ("partner-sourced", "sourced"), ("source", "sourced"),
                     ("originated", "sourced"), ("registered", "sourced"),
                     ("influenced", "influenced"), ("partner influenced", "influenced"),
                     ("partner-influenced", "influenced"), ("influence", "influenced"),
                     ("co-sell", "influenced"), ("cosell", "influenced"),
                     ("assist", "influenced"), ("assisted", "influenced"))),
        _CURRENCY,
    ),
    "registrations": (
        Target("ext_id", "Registration ID", "id", False, (
            "registration id", "reg id", "deal registration id", "id", "record id",
            "registration number", "registration")),
        _PARTNER,
        Target("reg_date", "Registration date", "date", True, (
            "registration date", "registered on", "registered", "reg date", "date",
            "submitted", "submitted on", "submission date", "created date", "created")),
        Target("value", "Value", "money", False, (
            "value", "deal value", "amount", "estimated value", "est value",
            "expected value", "opportunity value")),
        Target("status", "Status", "enum", True, ("status", "stage", "state",
                                                   "registration status"),
               choices=(
                   *((s, s) for s in ("submitted", "pending", "approved", "rejected", "won",
                                      "lost", "expired")),
                   ("closed won", "won"), ("closed-won", "won"), ("closed lost", "lost"),
                   ("closed-lost", "lost"), ("accepted", "approved"), ("declined", "rejected"),
                   ("denied", "rejected"), ("under review", "pending"), ("new", "submitted"),
                   ("open", "approved"))),
        Target("conflict", "Conflict flag", "bool", False, (
            "conflict", "channel conflict", "conflict flag", "conflicted", "has conflict",
            "in conflict"), default=False),
        _CURRENCY,
    ),
    "logins": (
        _PARTNER,
        Target("login_date", "Login date", "date", True, (
            "login date", "date", "login time", "timestamp", "logged in", "logged in at",
            "last login", "login", "session date", "time")),
        Target("user", "User", "text", True, (
            "user", "email", "user email", "username", "user name", "login email", "person",
            "contact", "user id")),
    ),
    "certifications": (
        _PARTNER,
        Target("person", "Person", "text", True, (
            "person", "name", "learner", "learner name", "user", "email", "student",
            "employee", "full name", "contact")),
        Target("course", "Course", "text", True, (
            "course", "certification", "certificate", "exam", "track", "course name",
            "certification name", "learning path")),
        Target("cert_date", "Completion date", "date", True, (
            "completion date", "date", "completed", "completed on", "certified on",
            "passed on", "awarded", "cert date", "certification date", "date completed")),
    ),
    "mdf": (
        Target("ext_id", "MDF ID", "id", False, (
            "mdf id", "request id", "claim id", "id", "fund request id", "record id",
            "reference")),
        _PARTNER,
        Target("kind", "Request or claim", "enum", True, (
            "request or claim", "kind", "type", "record type", "mdf type", "transaction type"),
            choices=(("request", "request"), ("requests", "request"),
                     ("fund request", "request"), ("pre-approval", "request"),
                     ("preapproval", "request"), ("claim", "claim"), ("claims", "claim"),
                     ("reimbursement", "claim"), ("proof of performance", "claim"))),
        Target("mdf_date", "Date", "date", True, (
            "date", "request date", "claim date", "submitted", "submitted on",
            "submission date", "created date")),
        Target("amount", "Amount", "money", True, (
            "amount", "requested amount", "claimed amount", "claim amount", "value", "funds")),
        Target("status", "Status", "enum", True, ("status", "state", "approval status"),
               choices=(
                   *((s, s) for s in ("submitted", "pending", "approved", "rejected", "paid",
                                      "cancelled")),
                   ("reimbursed", "paid"), ("declined", "rejected"), ("denied", "rejected"),
                   ("canceled", "cancelled"), ("accepted", "approved"),
                   ("under review", "pending"))),
        Target("activity", "Activity", "text", False, (
            "activity", "campaign", "activity name", "description", "program",
            "activity type")),
        _CURRENCY,
    ),
}

#: Fields (in order) of the key used when a row has no record id.
FALLBACK_KEYS: dict[str, tuple[str, ...]] = {
    "deals": ("partner_id", "customer", "close_date", "amount", "attribution", "#"),
    "registrations": ("partner_id", "reg_date", "value", "#"),
    "logins": ("partner_id", "login_date", "user", "#"),
    "certifications": ("partner_id", "person", "course"),
    "mdf": ("partner_id", "kind", "mdf_date", "amount", "activity", "#"),
}

DATE_FORMATS = {
    "auto": "detect (YYYY-MM-DD, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY)",
    "%Y-%m-%d": "YYYY-MM-DD",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%Y/%m/%d": "YYYY/MM/DD",
}


def targets(kind: str) -> tuple[Target, ...]:
    if kind not in SPECS:
        raise JbpError(f"unknown kind of actuals {kind!r}; choose one of: {', '.join(KINDS)}")
    return SPECS[kind]


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
               state: TaskState | None = None) -> RawTable:
    """Read a CSV or XLSX export. Raises :class:`ImportFileError` for a file that is missing,
    empty, binary, not the format its name says, or has no data rows."""
    path = Path(path)
    state = state or TaskState()
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
    state.set_status(f"Reading {path.name}")
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
    # Hostile-input guard (issue 14), kept in its own module.
    import_checks.refuse_duplicate_headers(
        path, table.headers, head=None if table.sheet else head, encoding=table.encoding,
        delimiter=table.delimiter, error=ImportFileError)
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


def _read_csv(path: Path, head: bytes) -> RawTable:
    text, encoding = _decode_head(path, head)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ImportFileError(path, "has no header row (only blank lines)")
    header = lines[0]
    counts = {d: header.count(d) for d in _DELIMS}
    delim = max(_DELIMS, key=lambda d: counts[d])
    if counts[delim] == 0:
        delim = ","
    notes = []
    if encoding == "cp1252":
        notes.append("the file is not UTF-8; read as Windows-1252")
    try:
        with warnings.catch_warnings():
            # index_col=False: a row with extra fields must not turn into an index; pandas
            # then warns instead of failing, and the warning becomes an error here.
            # dtype=object with na_filter=False: every cell is the file's text, as a str
            # (dtype=str gives the same texts, wrapped in pandas string arrays at a cost).
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, sep=delim, dtype=object, keep_default_na=False,
                                na_filter=False, skip_blank_lines=False, encoding=encoding,
                                engine="c", index_col=False)
    except pd.errors.ParserWarning:
        raise ImportFileError(path, f"a row has more fields than the header (delimiter "
                                    f"{_delim_name(delim)}); check the delimiter and the "
                                    "quoting of text with delimiters in it") from None
    except UnicodeDecodeError:
        try:
            frame = pd.read_csv(path, sep=delim, dtype=object, keep_default_na=False,
                                na_filter=False, skip_blank_lines=False, encoding="cp1252",
                                index_col=False)
            encoding = "cp1252"
            notes.append("the file is not UTF-8; read as Windows-1252")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise ImportFileError(path, f"cannot be read as text ({exc})") from exc
    except pd.errors.EmptyDataError:
        raise ImportFileError(path, "has no header row") from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            raise ImportFileError(
                path, f"row {m.group(2)} has {m.group(3)} fields but the header has "
                      f"{m.group(1)} (delimiter {_delim_name(delim)}); check the delimiter "
                      "and the quoting of text with delimiters in it") from None
        raise ImportFileError(path, f"is not a well-formed CSV file ({msg.strip()})") from None
    headers = [_header_name(h, i) for i, h in enumerate(frame.columns)]
    frame.columns = headers
    rows = np.arange(len(frame)) + 2
    if len(frame):
        blank = _all_blank(frame)
        if blank.any():
            frame = frame[~blank]
            rows = rows[~blank]
    if len(headers) > 1 and len(frame):
        _check_row_delimiter(path, frame, delim)
    if len(headers) == 1:
        other = [d for d in _DELIMS if d != delim and d in header]
        hint = (f"; the header looks {_delim_name(other[0])}-separated" if other
                else "; a CSV export needs a delimiter such as comma or semicolon")
        notes.append(f"only one column found{hint}")
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
    text = str(h).strip()
    if not text or text.startswith("Unnamed:"):
        return f"(column {i + 1})"
    return text


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:  # pragma: no cover - calamine is a dependency
        CalamineWorkbook = None
    try:
        if CalamineWorkbook is not None:
            book = CalamineWorkbook.from_path(str(path))
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
    # The header is the first non-empty row.
    start = 0
    while start < len(data) and all(_blank_cell(v) for v in data[start]):
        start += 1
    if start >= len(data):
        raise ImportFileError(path, f"sheet {name!r} is empty")
    header = data[start]
    width = max((i + 1 for i, v in enumerate(header) if not _blank_cell(v)), default=0)
    headers = [_header_name(h if not _blank_cell(h) else "", i)
               for i, h in enumerate(header[:width])]
    body = [row[:width] + [""] * (width - len(row)) for row in data[start + 1:]]
    rows = np.arange(len(body)) + start + 2
    keep = [i for i, row in enumerate(body) if not all(_blank_cell(v) for v in row)]
    frame = pd.DataFrame([body[i] for i in keep], columns=headers, dtype=object)
    return RawTable(path, frame, rows[keep] if len(keep) else rows[:0], headers, False, [],
                    None, None, name)


def _blank_cell(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (
        isinstance(v, float) and np.isnan(v))


# --------------------------------------------------------------------------- mappings


@dataclass
class ColumnMapping:
    """Which file column feeds each field (``columns[field] = header`` or None) and how
    dates are written (a key of :data:`DATE_FORMATS`)."""

    kind: str
    columns: dict[str, str | None]
    date_format: str = "auto"

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "columns": self.columns,
                           "date_format": self.date_format}, indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict, kind: str | None = None) -> ColumnMapping:
        """From a saved mapping, or from a plain ``{"field": "header"}`` dictionary."""
        if not isinstance(data, dict):
            raise JbpError("a column mapping must be a JSON object of field → column")
        if "columns" in data:
            k = kind or data.get("kind")
            cols = data["columns"]
            fmt = data.get("date_format", "auto")
        else:
            k, cols, fmt = kind, dict(data), "auto"
            fmt = cols.pop("date_format", "auto")
            cols.pop("kind", None)
        if k not in SPECS:
            raise JbpError(f"the mapping does not say which kind of actuals it is for "
                           f"({k!r})")
        known = {t.name for t in SPECS[k]}
        unknown = [c for c in cols if c not in known]
        if unknown:
            raise JbpError(f"the mapping names unknown fields {', '.join(unknown)} for {k}; "
                           f"known: {', '.join(sorted(known))}")
        if fmt not in DATE_FORMATS:
            raise JbpError(f"unknown date format {fmt!r}; use one of "
                           f"{', '.join(DATE_FORMATS)}")
        return cls(k, {t.name: cols.get(t.name) for t in SPECS[k]}, fmt)

    @classmethod
    def from_file(cls, path: str | Path, kind: str | None = None) -> ColumnMapping:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ImportFileError(path, f"is not a JSON column mapping ({exc})") from None
        return cls.from_dict(data, kind)

    def missing(self, headers: Iterable[str]) -> list[Target]:
        """Required fields with no column, or mapped to a column the file does not have."""
        have = set(headers)
        return [t for t in SPECS[self.kind]
                if t.required and (self.columns.get(t.name) not in have)]


def guess_mapping(kind: str, headers: list[str]) -> ColumnMapping:
    """Propose a column for each field from the header names: an exact (normalised) match
    of the field's name or a synonym first, then a header containing a synonym's words."""
    specs = targets(kind)
    norm = {h: normalise(h) for h in headers}
    scores: list[tuple[int, int, str, str]] = []
    for ti, t in enumerate(specs):
        names = (normalise(t.name), normalise(t.label), *t.synonyms)
        for h, n in norm.items():
            best = 0
            for rank, syn in enumerate(names):
                if n == syn:
                    best = max(best, 1000 - rank)
                elif t.type != "id" and len(syn) > 3 and re.search(
                        rf"\b{re.escape(syn)}\b", n):
                    best = max(best, 500 - rank - len(n))
            if t.type == "partner" and n in ("partner id", "partner name"):
                best = max(best, 990)
            if best:
                scores.append((best, -ti, t.name, h))
    scores.sort(reverse=True)
    columns: dict[str, str | None] = {t.name: None for t in specs}
    used: set[str] = set()
    for _, _, name, h in scores:
        if columns[name] is None and h not in used:
            columns[name] = h
            used.add(h)
    return ColumnMapping(kind, columns)


def guess_kind(headers: list[str]) -> str:
    """The kind of actuals a file most likely holds: the share of its required fields the
    headers cover first, then the share of the headers it uses (ties: order of
    :data:`KINDS`)."""
    best, best_score = KINDS[0], -1.0
    for kind in KINDS:
        m = guess_mapping(kind, headers)
        req = [t for t in SPECS[kind] if t.required]
        covered = sum(1 for t in req if m.columns[t.name]) / len(req)
        used = sum(1 for v in m.columns.values() if v) / max(1, len(headers))
        score = 10 * covered + used
        if score > best_score:
            best, best_score = kind, score
    return best


def mapping_source(kind: str, table: RawTable) -> str:
    """The default name a mapping is saved under: the kind and the header signature."""
    return f"{kind}:{table.signature}"


def load_mapping(ws: Workspace, source: str) -> ColumnMapping | None:
    rows = ws.rows("SELECT kind, mapping FROM import_mappings WHERE source = ?", (source,))
    if not rows:
        return None
    return ColumnMapping.from_dict(json.loads(rows[0]["mapping"]), rows[0]["kind"])


def saved_mappings(ws: Workspace, kind: str | None = None) -> list[tuple[str, str, str]]:
    """(source, kind, updated_at) of every saved mapping, newest first."""
    sql = "SELECT source, kind, updated_at FROM import_mappings"
    args: tuple = ()
    if kind:
        sql += " WHERE kind = ?"
        args = (kind,)
    return [(r[0], r[1], r[2]) for r in ws.rows(sql + " ORDER BY updated_at DESC", args)]


def save_mapping(ws: Workspace, source: str, mapping: ColumnMapping) -> None:
    from .store import now_iso

    with ws.transaction():
        ws.execute("INSERT OR REPLACE INTO import_mappings (source, kind, mapping, updated_at)"
                   " VALUES (?, ?, ?, ?)", (source, mapping.kind, mapping.to_json(),
                                           now_iso()))


def mapping_for(ws: Workspace, kind: str, table: RawTable,
                source: str | None = None) -> tuple[ColumnMapping, str, bool]:
    """The mapping to start from: the one saved under ``source`` (default: this header
    signature) when there is one, else a guess. Returns (mapping, source, was_saved)."""
    source = source or mapping_source(kind, table)
    saved = load_mapping(ws, source)
    if saved is not None and saved.kind == kind:
        return saved, source, True
    return guess_mapping(kind, table.headers), source, False


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class RowError:
    """One reason a row was rejected: ``row`` as a spreadsheet numbers it (header = 1)."""

    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column!r}: {self.reason}"


@dataclass
class ValidationReport:
    """What an import would do, before anything is written."""

    file: str
    kind: str
    rows: int = 0                 # data rows in the file
    new: int = 0                  # rows to insert
    changed: int = 0              # rows whose record id is stored with other values
    duplicates: int = 0           # rows already stored (same natural key, same values)
    in_file_duplicates: int = 0   # rows repeating an earlier row of the same file
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    @property
    def valid(self) -> int:
        return self.rows - self.rejected

    def text(self, limit: int | None = None) -> str:
        """The report as plain text (every bad row unless ``limit`` is given)."""
        lines = [
            f"{self.file}: {self.rows} rows of {KIND_LABELS[self.kind].lower()}",
            f"  new         {self.new:>8}",
            f"  changed     {self.changed:>8}  (stored before with other values; will be "
            "updated)" if self.changed else f"  changed     {0:>8}",
            f"  duplicates  {self.duplicates + self.in_file_duplicates:>8}  (already imported"
            f" or repeated in the file; counted once)",
            f"  rejected    {self.rejected:>8}",
        ]
        lines += [f"  note: {n}" for n in self.notes]
        if self.errors:
            lines.append("Rejected rows:")
            shown = self.errors if limit is None else self.errors[:limit]
            lines += [f"  {e}" for e in shown]
            if len(shown) < len(self.errors):
                lines.append(f"  ... and {len(self.errors) - len(shown)} more")
        return "\n".join(lines)


@dataclass
class PreparedImport:
    """A validated import, ready to :func:`commit`: the records of the valid rows."""

    kind: str
    file: str
    report: ValidationReport
    mapping: ColumnMapping
    rows: np.ndarray          # spreadsheet row number of each record
    records: list[tuple]      # in ACTUALS_COLUMNS order, new rows
    keys: list[str]           # natural key of each new record
    new_rows: np.ndarray      # spreadsheet row of each new record
    updates: list[tuple]      # (values..., natural_key) of changed rows
    update_rows: np.ndarray


class _Errors:
    """Rejections collected column by column; a row with any rejection is not taken."""

    def __init__(self, table: RawTable):
        self.table = table
        self.items: list[tuple[int, int, str, str, str]] = []  # (pos, order, col, val, why)
        self.bad = np.zeros(len(table.frame), dtype=bool)

    def add_rows(self, positions: np.ndarray, column: str, texts: list[str],
                 reasons: list[str]) -> None:
        if not len(positions):
            return
        self.bad[positions] = True
        start = len(self.items)
        self.items.extend((int(p), start + i, column, t, r)
                          for i, (p, t, r) in enumerate(zip(positions.tolist(), texts, reasons,
                                                            strict=True)))

    def add_codes(self, column: _Column, why: list[str | None]) -> None:
        """Reject the rows whose value (by unique-value code) has a reason in ``why``."""
        n_bad = len(why) - why.count(None)
        if not n_bad:
            return
        if n_bad == 1 and why[-1] is not None:
            # Only the blank-cell code (a required field), the usual case: its rows only.
            positions = np.flatnonzero(column.codes == len(why) - 1)
        else:
            reasons = np.empty(len(why), dtype=object)
            reasons[:] = why
            positions = np.flatnonzero(np.not_equal(reasons, None)[column.codes])
        if not len(positions):  # only values no row has (the blank-cell code) were bad
            return
        codes = column.codes[positions].tolist()
        self.add_rows(positions, column.label, [column.texts[c] for c in codes],
                      [why[c] for c in codes])  # type: ignore[misc]

    def add_mask(self, mask: np.ndarray, column: _Column, reason: str) -> None:
        positions = np.flatnonzero(mask)
        codes = column.codes[positions]
        self.add_rows(positions, column.label, [column.texts[c] for c in codes.tolist()],
                      [reason] * len(positions))

    def result(self) -> list[RowError]:
        rows = self.table.rows
        return [RowError(int(rows[p]), c, v, w) for p, _, c, v, w in sorted(self.items)]


#: Rows from which a column may skip looking for its distinct values (see :class:`_Column`).
_PER_ROW_MIN = 5000
#: ASCII characters ``str.strip`` and ``\s`` treat as white space, besides the space.
_ODD_SPACE = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


class _Column:
    """A file column as codes into its distinct values (parsing work is done once per
    distinct value, which is what makes large files fast). ``texts[c]`` is the stripped text
    of distinct value ``c``; the last code (-1) is a blank cell.

    With ``per_row`` a text column whose values are nearly all different (record ids,
    customer names, amounts) is not hashed into distinct values: each row is its own code,
    as finding the distinct values would cost more than parsing them all.
    ``messy``: whether some text has runs of white space or tabs and line breaks (None:
    not known, look)."""

    def __init__(self, values: pd.Series, label: str, text_only: bool = False,
                 per_row: bool = False):
        self.label = label
        self.text_only = text_only
        self.messy: bool | None = None
        self.longest: int | None = None  # characters in the longest text, when known
        self.days: np.ndarray | None = None  # per distinct value, set by _parse_dates
        array = values.to_numpy(dtype=object)
        n = len(array)
        self.identity = per_row and text_only and n >= _PER_ROW_MIN and _mostly_distinct(array)
        codes: np.ndarray
        if self.identity:
            self.raw = array.tolist()
            codes = np.arange(n, dtype=np.int64)
        else:
            codes, uniques = pd.factorize(array, use_na_sentinel=True)
            self.raw = np.asarray(uniques, dtype=object).tolist()
            codes = np.asarray(codes, dtype=np.int64)
        if text_only:
            self.texts, self.messy, self.longest = _stripped(self.raw)
        else:
            self.texts = [_cell_text(v) for v in self.raw]
        self.texts.append("")
        self.raw.append(None)
        if not self.identity:
            codes[codes < 0] = len(self.raw) - 1
        self.codes = codes

    def take(self, per_unique: list) -> np.ndarray:
        """Per-row values from one value per distinct value (object array)."""
        arr = np.empty(len(per_unique), dtype=object)
        arr[:] = per_unique
        if self.identity:
            return arr[:-1]  # the last entry is the blank-cell code, which no row has here
        return arr[self.codes]


def _mostly_distinct(values: np.ndarray) -> bool:
    """Whether most values of a column differ, judged on an evenly spread sample."""
    sample = values[::max(1, len(values) // 2000)].tolist()
    return len(set(sample)) > 0.8 * len(sample)


def _stripped(raw: list[str]) -> tuple[list[str], bool | None, int | None]:
    """Each text stripped of surrounding white space; whether any has runs of white space,
    tabs or line breaks inside; the length of the longest (None: not known). Plain ASCII
    text is looked at all at once, as one array of bytes, rather than one text at a time."""
    if not raw:
        return [], False, 0
    joined = "\x00".join(raw)
    if not joined.isascii() or any(ch in joined for ch in _ODD_SPACE):
        return [v.strip() for v in raw], None, None
    data = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    ends = np.flatnonzero(data == 0)
    if len(ends) != len(raw) - 1:  # a NUL inside a text
        return [v.strip() for v in raw], None, None
    starts = np.concatenate(([0], ends + 1))
    ends = np.append(ends, len(data))
    lengths = ends - starts
    space = data == 32
    filled = lengths > 0
    if (space[starts[filled]] | space[ends[filled] - 1]).any():
        return _stripped([v.strip() for v in raw])  # the second time nothing is to strip
    return list(raw), bool((space[1:] & space[:-1]).any()), int(lengths.max())


def _cell_text(v: Any) -> str:
    if _blank_cell(v):
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:.15g}"
    return str(v).strip()


_AMOUNT_RE = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
_CODE_RE = re.compile(r"^([A-Za-z]{3})\s*(?=[-+(.\d$€£¥])|(?<=[\d)])\s*([A-Za-z]{3})$")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _money(raw: Any, text: str, currency: str) -> tuple[float | None, str | None]:
    """One amount in the workspace currency: 1234.5, 1,234.50, $1,234, USD 1234, 1234 USD,
    (120) for a negative. A different currency, a decimal comma or text is refused."""
    if isinstance(raw, bool):
        return None, f"{text!r} is not an amount"
    if isinstance(raw, int | float) and not _blank_cell(raw):
        value = float(raw)
    elif _PLAIN_NUMBER.fullmatch(text):
        value = float(text)
    else:
        t = text
        negative = t.startswith("(") and t.endswith(")")
        if negative:
            t = t[1:-1].strip()
        m = _CODE_RE.search(t)
        code = (m.group(1) or m.group(2)).upper() if m else None
        if m:
            t = _CODE_RE.sub("", t).strip()
        symbols = {_SYMBOLS[ch] for ch in t if ch in _SYMBOLS}
        t = "".join(ch for ch in t if ch not in _SYMBOLS and not ch.isspace())
        if (code and code != currency) or any(s != currency for s in symbols):
            return None, (f"{text!r} is not in the workspace currency {currency}; convert it "
                          "before importing")
        if not _AMOUNT_RE.fullmatch(t):
            return None, f"{text!r} is not an amount (write it like 1234.56 or 1,234.56)"
        value = float(t.replace(",", ""))
        if negative:
            value = -value
    if not np.isfinite(value):
        return None, f"{text!r} is not a finite amount"
    if value < 0:
        return None, f"{text!r} is negative; amounts must be 0 or more"
    too_big = import_checks.amount_problem(text, value)  # issue 14: absurd amounts
    if too_big:
        return None, too_big
    return value, None


def _parse_money(col: _Column, currency: str, errors: _Errors, required: bool) -> np.ndarray:
    n = len(col.texts)
    values: list[float | None] = [None] * n
    why: list[str | None] = [None] * n
    todo = range(n)
    if col.text_only:
        # Fast path: plain numbers parse in C; only the others are looked at one by one.
        plain = _plain_numbers(col.texts[:-1])
        if plain is None:
            nums = pd.to_numeric(pd.Series(col.texts, dtype=object),
                                 errors="coerce").to_numpy(dtype=float)
        else:
            nums = np.append(plain, np.nan)  # the blank-cell code
        ok = np.isfinite(nums) & (nums >= 0) & (nums <= import_checks.MAX_AMOUNT)
        values = np.where(ok, nums, np.nan).tolist()
        todo = np.flatnonzero(~ok).tolist()
        if plain is None and "_" in "\x00".join(col.texts):
            # Python-style 1_000 is not an amount in an export
            todo += [i for i in np.flatnonzero(ok).tolist() if "_" in col.texts[i]]
    for i in todo:
        text = col.texts[i]
        if text == "":
            values[i] = None
            why[i] = "an amount is required" if required else None
            continue
        values[i], why[i] = _money(col.raw[i], text, currency)
    errors.add_codes(col, why)
    return col.take(values)


_NUMBER_BYTES = b"0123456789.+-eE\n"


def _plain_numbers(texts: list[str]) -> np.ndarray | None:
    """The texts as floats when every one is a plain number (digits, sign, point,
    exponent), parsed by pandas' C CSV parser: four times faster than ``pd.to_numeric`` on
    Python strings, and it reads these texts as to_numeric does. None otherwise (a blank,
    a currency sign, a thousands separator...): the caller then parses them one by one."""
    if len(texts) < 1000:  # not worth the parser's set-up
        return None
    data = "\n".join(texts).encode("ascii", errors="replace")
    if data.translate(None, _NUMBER_BYTES):  # some other character
        return None
    try:
        nums = pd.read_csv(io.BytesIO(data), header=None, names=["v"], dtype=np.float64,
                           sep=",", quoting=csv.QUOTE_NONE, skip_blank_lines=False,
                           na_filter=False, engine="c")["v"].to_numpy()
    except (ValueError, pd.errors.ParserError):  # e.g. "1.2.3" or a lone "-"
        return None
    return nums if len(nums) == len(texts) else None


_DATE_SHAPES = (
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), ["%Y-%m-%d"]),
    (re.compile(r"\d{4}/\d{1,2}/\d{1,2}"), ["%Y/%m/%d"]),
    (re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}"), ["%d.%m.%Y"]),
    (re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), ["%d/%m/%Y", "%m/%d/%Y"]),
)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_TAIL = re.compile(r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
                        r"(?:\s*[AaPp][Mm])?)$")


def _date_format(texts: list[str], label: str, path: Path) -> str:
    """Detect the one format a column's dates are written in; refuse an ambiguous column."""
    sample = [t for t in texts if t]
    if not sample:
        return "%Y-%m-%d"
    for pattern, formats in _DATE_SHAPES:
        shaped = [t for t in sample if pattern.fullmatch(t)]
        if len(shaped) * 2 < len(sample):
            continue
        if len(formats) == 1:
            return formats[0]
        parts = [t.split("/") for t in shaped]
        day_first = any(int(p[0]) > 12 for p in parts)
        month_first = any(int(p[1]) > 12 for p in parts)
        if day_first and not month_first:
            return "%d/%m/%Y"
        if month_first and not day_first:
            return "%m/%d/%Y"
        if not day_first and not month_first:
            raise ImportFileError(path, f"column {label!r}: dates like {shaped[0]!r} could be "
                                        "day/month or month/day; choose the date format in "
                                        "the column mapping (DD/MM/YYYY or MM/DD/YYYY)")
        return "%d/%m/%Y"  # both seen: some rows are bad either way; they are reported
    return "%Y-%m-%d"


def _parse_dates(col: _Column, fmt: str, errors: _Errors, required: bool,
                 path: Path) -> np.ndarray:
    """ISO date strings (YYYY-MM-DD) per row, or None; the time of day is dropped.
    Impossible dates (2026-02-30), another format and implausible years are refused."""
    texts = [_TIME_TAIL.sub("", t) if not isinstance(r, dt.date) else t
             for r, t in zip(col.raw, col.texts, strict=True)]
    if fmt == "auto":
        fmt = _date_format([t for r, t in zip(col.raw, texts, strict=True)
                            if isinstance(r, str)], col.label, path)
    shown = DATE_FORMATS.get(fmt, fmt)
    shape = next((p for p, f in _DATE_SHAPES if fmt in f), None)
    values: list[str | None] = []
    days: list[int] = []  # proleptic ordinal of each date, -1 for none
    why: list[str | None] = []
    for raw, text in zip(col.raw, texts, strict=True):
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
        values.append(day.isoformat() if day else None)
        days.append(day.toordinal() if day else -1)
        why.append(reason)
    errors.add_codes(col, why)
    col.days = np.array(days, dtype=np.int64)
    return col.take(values)


def _parse_enum(col: _Column, t: Target, errors: _Errors, required: bool) -> np.ndarray:
    if all(isinstance(v, bool) for _, v in t.choices):
        shown = "ARR, recurring, subscription, one-off, one-time, services"
    else:
        shown = ", ".join(dict.fromkeys(str(v) for _, v in t.choices))
    table = t.choice_map
    values: list[Any] = []
    why: list[str | None] = []
    for raw, text in zip(col.raw, col.texts, strict=True):
        if isinstance(raw, bool):
            text = "yes" if raw else "no"
        if text == "":
            values.append(None if required else _stored_flag(t.default))
            why.append("a value is required" if required else None)
            continue
        v = table.get(" ".join(text.lower().split()))
        values.append(v)
        why.append(None if v is not None else f"{text!r} is not one of: {shown}")
    errors.add_codes(col, why)
    return col.take([_stored_flag(v) for v in values])


def _parse_bool(col: _Column, errors: _Errors, default: bool) -> np.ndarray:
    table = {**dict.fromkeys(_YES, True), **dict.fromkeys(_NO, False), "1.0": True,
             "0.0": False}
    values: list[Any] = []
    why: list[str | None] = []
    for raw, text in zip(col.raw, col.texts, strict=True):
        if isinstance(raw, bool):
            values.append(raw)
            why.append(None)
            continue
        v = default if text == "" else table.get(text.lower())
        values.append(v)
        why.append(None if v is not None else f"{text!r} is not yes or no")
    errors.add_codes(col, why)
    return col.take([_stored_flag(v) for v in values])


def _stored_flag(v: Any) -> Any:
    """A yes/no as the workspace stores it (1 or 0); anything else unchanged. Records carry
    plain ints because binding a bool to SQLite takes a slow path (one adapter lookup per
    value), which cost a tenth of a large import."""
    return int(v) if isinstance(v, bool) else v


def _parse_partner(col: _Column, errors: _Errors, by_name: dict[str, int],
                   ids: set[int]) -> np.ndarray:
    values: list[int | None] = []
    why: list[str | None] = []
    for text in col.texts:
        pid = by_name.get(" ".join(text.lower().split()))
        if pid is None and re.fullmatch(r"\d+(?:\.0)?", text) and int(float(text)) in ids:
            pid = int(float(text))
        values.append(pid)
        if text == "":
            why.append("a partner is required")
        elif pid is None:
            why.append(f"unknown partner {text!r} (not a partner name or id in this workspace)")
        else:
            why.append(None)
    errors.add_codes(col, why)
    return col.take(values)


_MESSY_SPACE = re.compile(r"\s\s|[\t\n\r\f\v]")


def _parse_text(col: _Column, errors: _Errors, required: bool) -> np.ndarray:
    texts = col.texts
    messy = col.messy
    if messy is None:
        messy = bool(_MESSY_SPACE.search("\x00".join(texts)))
    longest = col.longest if col.longest is not None else max(map(len, texts))
    if not messy and longest <= 300:
        # Fast path: nothing to tidy, nothing too long; only blanks can be wrong. The last
        # text is the blank-cell code's, so all() of the others says whether there is more.
        blanks = [len(texts) - 1]
        if not all(texts[:-1]):
            blanks = [i for i, t in enumerate(texts) if not t]
        values: list[str | None] = list(texts)
        why: list[str | None] = [None] * len(texts)
        for i in blanks:
            values[i] = None
            why[i] = "a value is required" if required else None
        errors.add_codes(col, why)
        return col.take(values)
    values = []
    why = []
    for text in col.texts:
        clean = " ".join(text.split())
        values.append(clean or None)
        if not clean:
            why.append("a value is required" if required else None)
        elif len(clean) > 300:
            why.append("is longer than 300 characters")
        else:
            why.append(None)
    errors.add_codes(col, why)
    return col.take(values)


def _check_currency(col: _Column, errors: _Errors, currency: str) -> None:
    why = [None if (not t or t.upper() == currency) else
           f"{t!r} is not the workspace currency {currency}; convert the amounts before "
           "importing" for t in col.texts]
    errors.add_codes(col, why)


def prepare(ws: Workspace, table: RawTable, mapping: ColumnMapping,
            state: TaskState | None = None) -> PreparedImport:
    """Parse and check every row; nothing is written. Raises :class:`ImportFileError` when
    a required field has no column (or a date column is ambiguous); bad rows go in the
    report."""
    with _cycle_collector_paused():
        return _prepare(ws, table, mapping, state or TaskState())


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
             state: TaskState) -> PreparedImport:
    from .store import ACTUALS_COLUMNS

    kind = mapping.kind
    specs = targets(kind)
    path = table.path
    missing = mapping.missing(table.headers)
    if missing:
        names = ", ".join(f"{t.label}" for t in missing)
        found = ", ".join(repr(h) for h in table.headers[:12])
        more = ", ..." if len(table.headers) > 12 else ""
        hint = next((f" ({n})" for n in table.notes if "one column" in n), "")
        raise ImportFileError(path, f"no column for {names} in this {KIND_LABELS[kind].lower()}"
                                    f" export{hint}; the file's columns are: {found}{more}. "
                                    "Map them in the column-mapping step (or --mapping)")
    state.set_status("Checking values")
    state.check()
    program = ws.program()
    # Names and ids only: building every Partner (validating each field) costs more here.
    partners = ws.rows("SELECT id, name FROM partners")
    by_name = {" ".join(name.lower().split()): pid for pid, name in partners}
    ids = {pid for pid, _ in partners}
    frame = table.frame
    n = len(frame)
    errors = _Errors(table)
    parsed: dict[str, np.ndarray] = {}
    report = ValidationReport(file=path.name, kind=kind, rows=n, notes=list(table.notes))
    columns: dict[str, _Column] = {}
    for i, t in enumerate(specs):
        state.check()
        state.set_progress_value(5 + 45 * i / len(specs))
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
            parsed["partner_id"] = _parse_partner(col, errors, by_name, ids)
        elif t.type == "money":
            parsed[t.name] = _parse_money(col, program.currency, errors, t.required)
        elif t.type == "date":
            parsed[t.name] = _parse_dates(col, mapping.date_format, errors, t.required, path)
        elif t.type == "enum":
            parsed[t.name] = _parse_enum(col, t, errors, t.required)
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
    state.set_progress_value(50)
    state.check()

    good = ~errors.bad
    all_good = bool(good.all())
    report.errors = errors.result()
    cols = ACTUALS_COLUMNS[kind]
    values_by_col: dict[str, list] = {}
    for c in cols:
        arr = parsed.get(c)
        if arr is None:
            values_by_col[c] = [None] * int(good.sum())
        else:
            values_by_col[c] = (arr if all_good else arr[good]).tolist()
    records = list(zip(*(values_by_col[c] for c in cols), strict=True))
    rows = table.rows[good]
    keys = _natural_keys(kind, values_by_col, len(records))
    state.set_progress_value(60)
    state.check()

    # Within the file: a key seen before is a repeat (same values) or a conflict (error).
    keep = np.ones(len(records), dtype=bool)
    if len(set(keys)) != len(keys):
        first_of: dict[str, int] = {}
        extra: list[RowError] = []
        id_col = mapping.columns.get("ext_id") or "(row)"
        for i, k in enumerate(keys):
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
        records = [r for r, k in zip(records, keep, strict=True) if k]
        rows = rows[keep]
        keys = [k for k, kk in zip(keys, keep, strict=True) if kk]

    # Against the workspace: stored keys are duplicates, or changes when the values differ.
    state.set_status("Looking for rows imported before")
    stored = _stored_rows(ws, kind, keys, state)
    if stored:
        n_keys = len(keys)
        olds = list(map(stored.get, keys))
        # Whole tuples compare in C; only rows that differ are looked at one by one (a
        # float stored with rounding noise is not a change).
        missing = np.fromiter(map(operator.not_, olds), dtype=bool, count=n_keys)
        equal = np.fromiter(map(operator.eq, olds, records), dtype=bool, count=n_keys)
        upd_idx = [i for i in np.flatnonzero(~missing & ~equal).tolist()
                   if not _same(olds[i], records[i])]
        new_idx = np.flatnonzero(missing)
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
    state.set_progress_value(70)
    return PreparedImport(kind=kind, file=str(path), report=report, mapping=mapping, rows=rows,
                          records=new_records, keys=new_keys, new_rows=new_rows,
                          updates=updates, update_rows=update_rows)


def _fmt_amount(v: Any) -> str:
    return "" if v is None else f"{float(v):.2f}"


def _natural_keys(kind: str, cols: dict[str, list], n: int) -> list[str]:
    """``ext|<id>`` for rows with a record id; otherwise the fields of FALLBACK_KEYS joined
    by "|", where "#" is the row's occurrence number among rows with the same other fields
    (so two identical logins of a user on one day count twice, and once each on re-import)."""
    ext = cols.get("ext_id")
    if ext is not None and None not in ext:
        return list(map("ext|".__add__, ext))
    fields = FALLBACK_KEYS[kind]
    parts = []
    for f in fields:
        if f == "#":
            continue
        vals = cols[f]
        if f in ("amount", "value"):
            parts.append([_fmt_amount(v) for v in vals])
        else:
            parts.append(["" if v is None else str(v) for v in vals])
    base = ["|".join(p) for p in zip(*parts, strict=True)] if parts else [""] * n
    if "#" in fields:
        seen: dict[str, int] = {}
        with_n = []
        for b in base:
            k = seen.get(b, 0)
            seen[b] = k + 1
            with_n.append(f"{b}|{k}")
        base = with_n
    prefix = {"deals": "deal|", "registrations": "reg|", "mdf": "mdf|"}.get(kind, "")
    if ext is None:
        return [prefix + b for b in base]
    return [f"ext|{e}" if e else prefix + b for e, b in zip(ext, base, strict=True)]


def _stored_rows(ws: Workspace, kind: str, keys: list[str],
                 state: TaskState) -> dict[str, tuple]:
    """The stored values (ACTUALS_COLUMNS order) of those ``keys`` already in the workspace,
    by natural key (the result may hold other stored keys too)."""
    from .store import ACTUALS_COLUMNS

    if not keys:
        return {}
    stored = ws.rows(f"SELECT count(*) FROM {kind}")[0][0]
    if not stored:  # most imports go into an empty table or add new rows
        return {}
    state.check()
    select = f"SELECT natural_key, {', '.join(ACTUALS_COLUMNS[kind])} FROM {kind}"
    wanted = keys
    if len(keys) * 2 >= stored:
        # The file is a large share of the table: one pass over the stored keys says which
        # are there at all, far cheaper than looking up each of the file's keys ...
        wanted = list(_stored_keys(ws, kind, stored).intersection(keys))
        if not wanted:
            return {}
        if len(wanted) * 2 >= stored:
            # ... and when most of the table is wanted, one read of it is cheapest.
            state.check()
            return _by_key(ws.rows(select))
    found: dict[str, tuple] = {}
    for i in range(0, len(wanted), 900):
        state.check()
        chunk = wanted[i:i + 900]
        found.update(_by_key(ws.rows(
            f"{select} WHERE natural_key IN ({', '.join('?' * len(chunk))})", tuple(chunk))))
    return found


def _stored_keys(ws: Workspace, kind: str, count: int) -> set[str]:
    """Every natural key stored in actuals table ``kind`` (``count`` rows)."""
    # One text of all keys, split here: a row object per key would cost five times more.
    joined = ws.rows(f"SELECT group_concat(natural_key, char(31)) FROM {kind}")[0][0]
    keys = joined.split("\x1f") if joined else []
    if len(keys) != count:  # a key with the separator in it, or rows added meanwhile
        keys = [r[0] for r in ws.rows(f"SELECT natural_key FROM {kind}")]
    return set(keys)


def _by_key(rows: list) -> dict[str, tuple]:
    """``{natural_key: (the other values...)}`` of rows selected with the key first."""
    return dict(zip(map(operator.itemgetter(0), rows),
                    map(operator.itemgetter(slice(1, None)), rows), strict=True))


def _same(stored: tuple, record: tuple) -> bool:
    for a, b in zip(stored, record, strict=True):
        if isinstance(b, bool):
            a, b = bool(a), b
        if isinstance(b, float) and a is not None:
            if abs(float(a) - b) > 1e-9:
                return False
        elif a != b:
            return False
    return True


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

    def text(self) -> str:
        return (f"Imported {self.inserted} new and updated {self.updated} changed "
                f"{KIND_LABELS[self.kind].lower()} from {Path(self.file).name}; "
                f"{self.duplicates} duplicates skipped, {self.rejected} rows rejected.")


def commit(ws: Workspace, prepared: PreparedImport, *, allow_rejected: bool = True,
           skip_rows: Iterable[int] = (), source: str | None = None,
           state: TaskState | None = None) -> ImportResult:
    """Write the valid rows (less ``skip_rows``, spreadsheet row numbers the user left out)
    in one transaction, with a row in ``imports``; on any error or cancellation nothing is
    written. With ``allow_rejected=False`` a report with rejected rows imports nothing and
    raises :class:`JbpError`. ``source``: save the mapping under this name in the same
    transaction."""
    from .store import ACTUALS_COLUMNS, now_iso

    state = state or TaskState()
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
    kind = prepared.kind
    cols = ACTUALS_COLUMNS[kind]
    state.set_status("Writing to the workspace")
    total = max(1, len(records) + len(updates))
    done = 0
    with _import_cache(ws), ws.transaction() as conn:
        cur = ws.execute("INSERT INTO imports (kind, file, imported_at, rows_taken, "
                         "rows_rejected, rows_duplicate) VALUES (?, ?, ?, 0, ?, ?)",
                         (kind, str(prepared.file), now_iso(), report.rejected + len(skip),
                          report.duplicates + report.in_file_duplicates))
        import_id = int(cur.lastrowid)
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
            state.set_progress_value(70 + 30 * done / total)
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
                state.set_progress_value(70 + 30 * done / total)
        lost = len(records) - inserted  # keys another session stored meanwhile
        ws.execute("UPDATE imports SET rows_taken = ?, rows_duplicate = rows_duplicate + ? "
                   "WHERE id = ?", (inserted + updated, lost, import_id))
        if source:
            save_mapping(ws, source, prepared.mapping)
        state.check()
    ws.notify("actuals")
    state.set_progress_value(100)
    return ImportResult(import_id, kind, prepared.file, inserted, updated,
                        report.duplicates + report.in_file_duplicates + lost,
                        report.rejected + len(skip))


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
               sheet: str | None = None,
               state: TaskState | None = None) -> tuple[ValidationReport, ImportResult | None]:
    """Read, map (``mapping``, else the one saved for ``source`` or this header signature,
    else a guess), validate and — unless ``dry_run`` — commit. With ``allow_rejected`` the
    valid rows are taken even when others were rejected; without it a file with rejected
    rows imports nothing. The mapping is saved under ``source`` when rows are written."""
    state = state or TaskState()
    targets(kind)
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
    result = commit(ws, prepared, allow_rejected=allow_rejected, source=source, state=state)
    return prepared.report, result


def past_imports(ws: Workspace) -> pd.DataFrame:
    """The ``imports`` table, newest first (id, kind, file, imported_at, rows_taken,
    rows_rejected, rows_duplicate)."""
    rows = ws.rows("SELECT id, kind, file, imported_at, rows_taken, rows_rejected, "
                   "rows_duplicate FROM imports ORDER BY id DESC")
    return pd.DataFrame([dict(r) for r in rows], columns=[
        "id", "kind", "file", "imported_at", "rows_taken", "rows_rejected", "rows_duplicate"])

