"""The validation report: what an import would do, every rejected row with its row number,
column and reason, and what was assumed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .mapping import ColumnMapping
from .reading import RawTable
from .spec import KIND_LABELS

if TYPE_CHECKING:
    from .parsing import _Column
    pass

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
    filtered: int = 0             # rows the mapping's filters leave out (not errors)
    #: What was assumed, one line each: encoding, delimiter, decimal separator, date
    #: format, the mapping and where it came from, value maps, filters, aliases.
    assumed: list[str] = field(default_factory=list)
    #: Of a file read in chunks with very many bad rows, the rejections past the first
    #: :data:`~.streaming.MAX_ERROR_ROWS` rows' are counted, not kept: their number and
    #: the number of rows they reject.
    more_errors: int = 0
    more_rejected: int = 0

    @property
    def rejected_rows(self) -> list[int]:
        """The rows rejected (those of the errors kept)."""
        return sorted({e.row for e in self.errors})

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows) + self.more_rejected

    @property
    def valid(self) -> int:
        return self.rows - self.filtered - self.rejected

    def text(self, limit: int | None = None) -> str:
        """The report as plain text (every bad row unless ``limit`` is given)."""
        lines = ["Assumed:", *(f"  {a}" for a in self.assumed)] if self.assumed else []
        lines += [
            f"{self.file}: {self.rows} rows of {KIND_LABELS[self.kind].lower()}",
            f"  new         {self.new:>8}",
            f"  changed     {self.changed:>8}  (stored before with other values; will be "
            "updated)" if self.changed else f"  changed     {0:>8}",
            f"  duplicates  {self.duplicates + self.in_file_duplicates:>8}  (already imported"
            f" or repeated in the file; counted once)",
            f"  filtered    {self.filtered:>8}  (left out by the mapping's filters)",
            f"  rejected    {self.rejected:>8}",
        ]
        lines += [f"  note: {n}" for n in self.notes]
        if self.errors:
            lines.append("Rejected rows:")
            shown = self.errors if limit is None else self.errors[:limit]
            lines += [f"  {e}" for e in shown]
            if len(shown) < len(self.errors) + self.more_errors:
                lines.append(f"  ... and {len(self.errors) + self.more_errors - len(shown)} "
                             "more")
        return "\n".join(lines)


@dataclass
class PreparedImport:
    """A validated import, ready to :func:`commit`: the records of the valid rows."""

    kind: str
    file: str
    report: ValidationReport
    mapping: ColumnMapping
    rows: np.ndarray          # spreadsheet row number of each record
    records: list[tuple]      # in the kind's column order, new rows
    keys: list[str]           # natural key of each new record
    new_rows: np.ndarray      # spreadsheet row of each new record
    updates: list[tuple]      # (values..., natural_key) of changed rows
    update_rows: np.ndarray
    #: Aliases given with this import (mapping or command line), ``{spelled: partner id}``:
    #: stored in the workspace when the import is written.
    new_aliases: dict[str, int] = field(default_factory=dict)


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
            has_reason = np.fromiter((w is not None for w in why), dtype=bool, count=len(why))
            positions = np.flatnonzero(has_reason[column.codes])
        if not len(positions):  # only values no row has (the blank-cell code) were bad
            return
        codes = column.codes[positions].tolist()
        self.add_rows(positions, column.label, [column.texts[c] for c in codes],
                      [why[c] for c in codes])

    def add_mask(self, mask: np.ndarray, column: _Column, reason: str) -> None:
        positions = np.flatnonzero(mask)
        codes = column.codes[positions]
        self.add_rows(positions, column.label, [column.texts[c] for c in codes.tolist()],
                      [reason] * len(positions))

    def result(self) -> list[RowError]:
        rows = self.table.rows
        return [RowError(int(rows[p]), c, v, w) for p, _, c, v, w in sorted(self.items)]
