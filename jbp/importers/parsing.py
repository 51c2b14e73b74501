"""Parsing values strictly, column by column: amounts, choices, flags, partners, text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import import_checks
from .reading import _blank_cell
from .report import _Errors
from .spec import _NO, _YES, DECIMALS, Target

if TYPE_CHECKING:
    pass

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
        self.date_note = ""  # the date format used and why (set by _parse_dates)
        self.decimal_note = ""  # the decimal separator used and why (set by _parse_money)
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


_EU_AMOUNT_RE = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?|[-+]?,\d+")
_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}(?!\d)(?![.,])|\.\d{3},\d")
_POINT_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)(?![.,])|,\d{3}\.\d")


_POINT_SAYS = re.compile(r"\.\d{1,2}(?!\d)|\.\d{4,}")
_DOT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,])")


def decimal_separator(texts: list[str]) -> tuple[str, str, bool]:
    """("." or ",", why, ambiguous): the decimal separator of a column of amounts, from the
    values that tell (12.500,00 or 99,5 say comma; 12,500.00 or 99.5 say point; 12,500 and
    1234 say nothing). Point unless more values say comma. ``ambiguous``: nothing told, and
    some values are dotted groups of three (12.500: 12.5 or 12,500?) — those are asked."""
    counts = DecimalCounts(every_text=False)  # the texts come all at once
    counts.add(texts)
    return counts.decide()


class DecimalCounts:
    """What :func:`decimal_separator` decides from, added text by text (a file read in
    chunks adds each chunk's new distinct texts). The decimal points are counted only when
    some text has a comma; a file read in chunks (``every_text``) counts them from the start,
    as a later chunk may have the first comma."""

    def __init__(self, every_text: bool = True) -> None:
        self.every_text = every_text
        self.comma_seen = self.point_seen = self.point_says = self.dot_groups = False
        self.comma = self.point = 0

    def add(self, texts: list[str]) -> None:
        joined = "\x00".join(texts)
        if "," in joined:
            self.comma_seen = True
            self.comma += sum(1 for t in texts if "," in t and _COMMA_DECIMAL.search(t))
        if "." in joined:
            self.point_seen = True
            if self.comma_seen or self.every_text:
                self.point += sum(1 for t in texts
                                  if "." in t and _POINT_DECIMAL.search(t))
            self.point_says = self.point_says or bool(_POINT_SAYS.search(joined))
            self.dot_groups = self.dot_groups or bool(_DOT_GROUPS.search(joined))

    def decide(self) -> tuple[str, str, bool]:
        if not self.comma_seen:  # the usual export: nothing counted, one look at the texts
            if not self.point_seen:
                return ".", "no value has decimals", False
            if self.point_says:
                return ".", "values have a decimal point and no comma", False
            return ".", "no value tells", self.dot_groups
        comma, point = self.comma, self.point
        if comma > point:
            return ",", f"{comma} values have a decimal comma, {point} a decimal point", False
        if point:
            return ".", f"{point} values have a decimal point, {comma} a decimal comma", False
        return ".", "no value tells", self.dot_groups


def _money(raw: Any, text: str, currency: str, decimal: str = "."
           ) -> tuple[float | None, str | None]:
    """One amount in the workspace currency: 1234.5, 1,234.50, $1,234, USD 1234, 1234 USD,
    (120) for a negative; with ``decimal=","`` 1.234,50 and 12.500,00 $. A different
    currency, the other decimal separator or text is refused."""
    if isinstance(raw, bool):
        return None, f"{text!r} is not an amount"
    if isinstance(raw, int | float) and not _blank_cell(raw):
        value = float(raw)
    elif _PLAIN_NUMBER.fullmatch(text) and (decimal == "." or "." not in text):
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
        if decimal == ",":
            if not _EU_AMOUNT_RE.fullmatch(t):
                return None, (f"{text!r} is not an amount with a decimal comma (like "
                              "1.234,56)")
            value = float(t.replace(".", "").replace(",", "."))
        elif not _AMOUNT_RE.fullmatch(t):
            return None, f"{text!r} is not an amount (write it like 1234.56 or 1,234.56)"
        else:
            value = float(t.replace(",", ""))
        if negative:
            value = -value
    if not np.isfinite(value):
        return None, f"{text!r} is not a finite amount"
    if value < 0:
        return None, f"{text!r} is negative; amounts must be 0 or more"
    too_big = import_checks.amount_problem(text, value)  # finite but absurd: sums overflow
    if too_big:
        return None, too_big
    return value, None


def _parse_money(col: _Column, currency: str, errors: _Errors, required: bool,
                 decimal: str = "auto",
                 decided: tuple[str, str, bool] | None = None) -> np.ndarray:
    """``decided``: (separator, why, ambiguous) decided over the whole file (a file read in
    chunks), as :func:`decimal_separator` says."""
    n = len(col.texts)
    values: list[float | None] = [None] * n
    why: list[str | None] = [None] * n
    todo: list[int] | range = range(n)
    ambiguous = False
    if decimal == "auto" and decided is not None:
        decimal, because, ambiguous = decided
        col.decimal_note = f"{DECIMALS[decimal]} (detected: {because})"
    elif decimal == "auto":
        decimal, because, ambiguous = decimal_separator(col.texts)
        col.decimal_note = f"{DECIMALS[decimal]} (detected: {because})"
    else:
        col.decimal_note = f"{DECIMALS[decimal]} (as the mapping says)"
    if not col.text_only and not any(isinstance(r, str) and r for r in col.raw):
        col.decimal_note = "number cells of the workbook"
    if col.text_only and decimal == ".":
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
        values[i], why[i] = _money(col.raw[i], text, currency, decimal)
    if ambiguous:
        for i, text in enumerate(col.texts):
            if isinstance(col.raw[i], str) and _DOT_GROUPS.search(text):
                values[i] = None
                why[i] = (f"{text!r} could be read with a decimal point or a thousands dot "
                          "(no other value tells); choose the decimal separator in the "
                          "column mapping")
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



def _parse_enum(col: _Column, t: Target, errors: _Errors, required: bool,
                value_map: dict[str, Any] | None = None) -> np.ndarray:
    """Each text as one of the field's choices: the mapping's value map first ("Reseller
    (Sourced)" → sourced), then the choices and their synonyms."""
    if all(isinstance(v, bool) for _, v in t.choices):
        shown = "ARR, recurring, subscription, one-off, one-time, services"
    else:
        shown = ", ".join(dict.fromkeys(str(v) for _, v in t.choices))
    table = {**t.choice_map, **(value_map or {})}
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
        why.append(None if v is not None else f"{text!r} is not one of: {shown} (map it to "
                   "one in the value map)")
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
                   ids: set[int], aliases: dict[str, int] | None = None,
                   names: list[tuple[int, str]] | None = None) -> np.ndarray:
    """Each text as a partner id: an alias (as the source spells it), a partner's name, its
    id. An unknown text is a row error with a "did you mean …?"."""
    from .aliases import Suggester

    aliases = aliases or {}
    find: Suggester | None = None
    hinted = 0  # names given a suggestion (bounded: a file of unknown names stays fast)
    values: list[int | None] = []
    why: list[str | None] = []
    for text in col.texts:
        key = " ".join(text.lower().split())
        pid = aliases.get(key)
        if pid is None:
            pid = by_name.get(key)
        if pid is None and re.fullmatch(r"\d+(?:\.0)?", text) and int(float(text)) in ids:
            pid = int(float(text))
        values.append(pid)
        if text == "":
            why.append("a partner is required")
        elif pid is None:
            near: tuple = ()
            if hinted < 200:
                find = find or Suggester(names or [])
                near = find(text)
                hinted += 1
            hint = (f"; did you mean {near[0][0]!r}? (confirm it as an alias: --alias "
                    f"\"{text}={near[0][0]}\")" if near else "")
            why.append(f"unknown partner {text!r} (not a partner name, id or alias in this "
                       f"workspace){hint}")
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
