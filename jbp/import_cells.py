"""Reading one cell of a partner list or a cost file (jbp.import_partners, jbp.import_costs):
text, dates (the column's format detected once), amounts in the workspace currency, choices
in the source's words; and :class:`PreparedList`, what their ``prepare`` returns."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import importers as imp


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str)
                                                               and not v.strip())


def cell_text(v: Any) -> str:
    if blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return " ".join(str(v).split())


_TIME_TAIL = re.compile(
    r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(AM|PM|am|pm)?(Z|[+-]\d{2}:?\d{2})?$")
_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%m/%d/%y",
            "%d-%b-%Y",
            "%b %d, %Y", "%Y-%m")


def as_date(v: Any, fmt: str) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = _TIME_TAIL.sub("", cell_text(v)).strip()
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


#: How :func:`detect_date_format` names a format in the report and in a row's reason.
FORMAT_NAMES = {**imp.DATE_FORMATS, "%m/%d/%y": "MM/DD/YY", "%d-%b-%Y": "DD-Mon-YYYY",
                "%b %d, %Y": "Mon DD, YYYY", "%Y-%m": "YYYY-MM"}


def format_name(fmt: str) -> str:
    return FORMAT_NAMES.get(fmt, fmt)


def detect_date_format(values: list[Any], chosen: str, label: str, path: Path,
                       ambiguous: str = "refuse") -> tuple[str, str]:
    """The date format of a column and why (a line of the report's "Assumed"): the one
    chosen, else the format of :data:`_FORMATS` that reads the most values. A value no
    format reads (31/02/2023, "n/a") decides nothing: it becomes that row's error, never
    every row's. When day/month and month/day read as many values (every date like
    03/04/2025), ``ambiguous`` says what happens: "refuse" (an :class:`ImportFileError`
    asking for the format), "none" (returns ``("", note)``: the caller decides, e.g. from
    the file's other date columns) or "first-day" (the reading that puts every date on the
    1st of its month, as a month column's dates are; else refused)."""
    if chosen != "auto":
        return chosen, f"{format_name(chosen)} (as the mapping says)"
    texts = [v for v in values if not blank(v) and not isinstance(v, dt.date)]
    if not texts:
        return "%Y-%m-%d", "no dates to look at"
    read = {f: [d for d in (as_date(t, f) for t in texts) if d is not None] for f in _FORMATS}
    best = max(len(r) for r in read.values())
    if best == 0:
        return "%Y-%m-%d", f"none of the {len(texts)} values is written in a known date format"
    top = [f for f in _FORMATS if len(read[f]) == best]
    dmy, mdy = len(read["%d/%m/%Y"]), len(read["%m/%d/%Y"])
    if "%m/%d/%Y" in top and "%d/%m/%Y" in top:
        if ambiguous == "first-day":
            firsts = [f for f in ("%d/%m/%Y", "%m/%d/%Y") if all(d.day == 1 for d in read[f])]
            if len(firsts) == 1:
                return firsts[0], (f"{format_name(firsts[0])} (detected: every value reads "
                                   "as the 1st of a month only this way)")
        note = (f"dates like {cell_text(texts[0])!r} read both as MM/DD/YYYY and DD/MM/YYYY "
                f"({best} of {len(texts)} values either way)")
        if ambiguous == "none":
            return "", note
        raise imp.ImportFileError(path, f"the dates of column {label!r} read both as "
                                        "MM/DD/YYYY and DD/MM/YYYY; choose the date format "
                                        "in the mapping")
    fmt = top[0]
    why = f"{best} of {len(texts)} values read so" if len(texts) > 1 else "the one value reads so"
    if fmt in ("%d/%m/%Y", "%m/%d/%Y"):
        why = (f"of {len(texts)} values, {dmy} read as day/month and {mdy} as month/day"
               if len(texts) > 1 else "the one value reads only "
               + ("day/month" if fmt == "%d/%m/%Y" else "month/day"))
    return fmt, f"{format_name(fmt)} (detected: {why})"


def date_format(values: list[Any], chosen: str, label: str, path: Path) -> str:
    """The date format of a column (:func:`detect_date_format`, without the why)."""
    return detect_date_format(values, chosen, label, path)[0]


_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CODE = re.compile(r"^([A-Za-z]{3})\s*(.*)$|^(.*?)\s*([A-Za-z]{3})$")


def parse_amount(v: Any, currency: str,
                 label: str) -> tuple[float | None, str | None]:
    """An amount ≥ 0 in ``currency`` from a cell, or (None, reason)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if v != v or v < 0:
            return None, "must be a number of 0 or more"
        return float(v), None
    text = cell_text(v)
    if not text:
        return None, "a value is required"
    named = None
    for sym, code in _SYMBOLS.items():
        if sym in text:
            named, text = code, text.replace(sym, "").strip()
    m = _CODE.match(text)
    if m and (m.group(1) or m.group(4)):
        code = (m.group(1) or m.group(4)).upper()
        rest = m.group(2) if m.group(1) else m.group(3)
        if re.search(r"\d", rest or ""):
            named, text = code, rest.strip()
    if named and named != currency:
        return None, (f"column {label!r} names {named}, not the workspace currency "
                      f"{currency}; convert the amounts before importing")
    clean = text.replace(" ", "")
    # As the actuals importers read amounts: a comma separates thousands only ("1,234.50");
    # a decimal comma ("1,5") is refused rather than guessed.
    if "," in clean and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", clean):
        return None, f"{cell_text(v)!r} is not an amount (write 1234.50 or 1,234.50)"
    clean = clean.replace(",", "")
    try:
        value = float(clean)
    except ValueError:
        return None, f"{cell_text(v)!r} is not an amount"
    if value < 0 or value != value:
        return None, "must be 0 or more"
    return value, None


@dataclass
class PreparedList:
    """A validated partner list or cost file, ready to :func:`commit`."""

    kind: str
    file: str
    report: imp.ValidationReport
    mapping: imp.ColumnMapping
    #: partners: new Partner objects; costs: ((month, category, partner_id), amount)
    new: list[Any] = field(default_factory=list)
    #: partners: (stored Partner, changed Partner); costs: ((month, category, pid), amount)
    updates: list[Any] = field(default_factory=list)
    new_rows: list[int] = field(default_factory=list)
    update_rows: list[int] = field(default_factory=list)


def column_cells(table: imp.RawTable,
                 mapping: imp.ColumnMapping) -> dict[str, list[Any]]:
    """The mapped columns' cells, by field name."""
    frame = table.frame
    out = {}
    for name, header in mapping.columns.items():
        if header is not None and header in frame.columns:
            out[name] = frame[header].tolist()
    return out


def choice(words: dict[str, str], choices: tuple[str, ...], v: Any) -> str | None:
    text = cell_text(v)
    for c in choices:
        if text.lower() == c.lower():
            return c
    key = " ".join(re.findall(r"[a-z0-9&]+", text.lower()))
    return words.get(key) or words.get(text.lower())


_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def assumptions(table: imp.RawTable, mapping: imp.ColumnMapping,
                date_notes: dict[str, str]) -> list[str]:
    """What a partner-list or cost import assumed, in the words and order of the actuals'
    report (:func:`jbp.importers.checking.assumptions`): the encoding and delimiter (or the
    sheet), the date format of each date column and why, and the mapping with where it
    came from. ``date_notes``: field name → the note :func:`detect_date_format` gave."""
    if table.text_only:
        encoding = table.encoding or "utf-8"
        if encoding.lower().replace("_", "-").startswith("utf-8"):
            with open(table.path, "rb") as fh:
                bom = fh.read(3) == b"\xef\xbb\xbf"
            encoding = "utf-8 with a byte-order mark" if bom else "utf-8"
        out = [f"encoding: {encoding}",
               f"delimiter: {_DELIMITERS.get(table.delimiter or ',', repr(table.delimiter))}"]
    else:
        out = [f"workbook sheet: {table.sheet}"]
    labels = {t.name: t.label for t in imp.targets(mapping.kind)}
    out += [f"date format of {mapping.columns[name]!r}: {note}"
            for name, note in date_notes.items() if mapping.columns.get(name)]
    out.append(f"mapping: {mapping.origin}")
    out += [f"  {labels[f]} ← {c!r}" for f, c in mapping.columns.items() if c]
    unmapped = [labels[f] for f, c in mapping.columns.items() if not c]
    if unmapped:
        out.append(f"  not in this file: {', '.join(unmapped)}")
    return out
