"""Checks of an actuals file that guard against hostile input, kept apart from the parsers.

- :func:`refuse_duplicate_headers`: a header naming one column twice (pandas would silently
  rename the second ``Partner.1`` and a mapping would pick one of the two at random).
- :func:`amount_problem`: an amount beyond :data:`jbp.bounds.MAX_AMOUNT` (a trillion in the
  program currency): finite but absurd, and a sum of such rows overflows to infinity.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from .bounds import MAX_AMOUNT
from .errors import JbpError


def _header_names(head: bytes, encoding: str | None, delimiter: str | None) -> list[str]:
    text = head.decode(encoding or "utf-8-sig", errors="replace")
    for line in text.splitlines():
        if line.strip():
            return next(csv.reader(io.StringIO(line), delimiter=delimiter or ","), [])
    return []


def refuse_duplicate_headers(path: Path, headers: list[str], *, head: bytes | None = None,
                             encoding: str | None = None, delimiter: str | None = None,
                             error: type[JbpError] = JbpError) -> None:
    """Refuse a file whose header names a column twice (compared as the mapping compares
    them: trimmed, case-insensitive). For a CSV, ``head`` (its first bytes) is read again,
    because pandas has already renamed the duplicates."""
    names = _header_names(head, encoding, delimiter) if head is not None else headers
    seen: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        key = str(name).strip().casefold()
        if key:
            seen[key].append(i + 1)
    for cols in seen.values():
        if len(cols) > 1:
            original = str(names[cols[0] - 1]).strip()
            raise error(path, f"has the column {original!r} twice (columns "
                              f"{', '.join(map(str, cols))}); rename or remove one so each "
                              "field has one source")


def amount_problem(text: str, value: float) -> str | None:
    """Why ``value`` (read from ``text``) is not an amount we take, or None."""
    if value > MAX_AMOUNT:
        return (f"{text!r} is more than {MAX_AMOUNT:,.0f}, the largest amount one row may "
                "hold; check the column and its unit")
    return None
