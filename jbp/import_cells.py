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


def date_format(values: list[Any], chosen: str, label: str, path: Path) -> str:
    """The date format of a column: the one chosen, else the first of :data:`_FORMATS`
    that reads every value (day-first and month-first both reading all is ambiguous)."""
    if chosen != "auto":
        return chosen
    texts = [v for v in values if not blank(v) and not isinstance(v, dt.date)]
    if not texts:
        return "%Y-%m-%d"
    fits = [f for f in _FORMATS if all(as_date(t, f) for t in texts)]
    if "%m/%d/%Y" in fits and "%d/%m/%Y" in fits:
        raise imp.ImportFileError(path, f"the dates of column {label!r} read both as "
                                        "MM/DD/YYYY and DD/MM/YYYY; choose the date format "
                                        "in the mapping")
    return fits[0] if fits else "%Y-%m-%d"


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
