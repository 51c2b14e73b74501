"""What reading a returned plan workbook gives: each change (field, row, comment) with the
workspace's value now and the workbook's, the review of them all, and the error that lists
every reason a workbook is refused."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jbp.errors import JbpError, ValidationError
from jbp.fields import Field
from jbp.formatting import kpi_value
from jbp.model import element_class

from .. import plan_workbook as pw


class WorkbookError(JbpError):
    """A workbook cannot be taken back. ``problems`` holds one message per problem."""

    def __init__(self, path: str | Path, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{self.path.name} cannot be imported; nothing was changed:\n{lines}")


@dataclass
class WorkbookChange:
    """One difference between the returned workbook and the plan as it was exported.

    ``action``: ``edit`` (a field), ``add`` (a new row), ``delete`` (a removed row),
    ``comment`` (a new comment). ``kind``/``element_id`` name the element (``element_id`` is
    None for an added row); ``field`` is the field name (``*`` for a whole row). ``old`` is
    the value the workspace holds now, ``new`` the workbook's value (for an added row, the
    row's values by field name). ``conflict`` is non-empty when the workspace changed the same
    value after the export.
    """

    action: str
    kind: str
    element_id: int | None
    field: str
    old: Any
    new: Any
    sheet: str = ""
    row: int | None = None
    element: str = ""
    field_label: str = ""
    conflict: str = ""
    key: str = ""
    parent: str = ""
    payload: Any = field(default=None, repr=False, compare=False)
    unit: str = ""  # a KPI's unit: its targets and actuals are shown in it (0.55 → 55%)

    @property
    def where(self) -> str:
        return f"{self.sheet} row {self.row}" if self.row else self.sheet

    @property
    def old_text(self) -> str:
        return _display(self.kind, self.field, self.old, self.unit)

    @property
    def new_text(self) -> str:
        if self.action == "add":
            cls = element_class(self.kind)
            unit = str(self.new.get("unit") or "")
            return "; ".join(f"{cls.field(k).label}: {_display(self.kind, k, v, unit)}"
                             for k, v in self.new.items() if v not in (None, "", []))
        return _display(self.kind, self.field, self.new, self.unit)

    def describe(self) -> str:
        verb = {"edit": "Change", "add": "Add", "delete": "Delete", "comment": "Comment on"}
        head = f"{verb.get(self.action, self.action)} {self.element}"
        if self.action == "edit":
            head += f" · {self.field_label}: {self.old_text!r} → {self.new_text!r}"
        elif self.action in ("add", "comment"):
            head += f": {self.new_text}"
        if self.conflict:
            head += f"  [conflict: {self.conflict}]"
        return f"{head}  ({self.where})"


@dataclass
class WorkbookReview:
    """What a returned workbook would change: the changes and notes for the user."""

    path: Path
    plan_id: int
    plan_title: str
    exported_at: str
    version_then: int
    version_now: int
    changes: list[WorkbookChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def plan_changed_since(self) -> bool:
        return self.version_now != self.version_then


def _display(kind: str, name: str, value: Any, unit: str = "") -> str:
    if value is None:
        return ""
    if kind == "kpi" and unit and is_kpi_value(name) and isinstance(value, int | float):
        return kpi_value(value, unit)
    if isinstance(value, bool):
        return "yes" if value else "no"  # as the workbook's drop-downs say it
    if kind == "comment" or name in ("*", "comment"):
        return value if isinstance(value, str) else str(value)
    try:
        f = element_class(kind).field(name)
    except (KeyError, ValidationError):
        return str(value)
    if f.kind == "ids":
        return ", ".join(pw.ref("goal", v) for v in value)
    return f.display(value)


def is_kpi_value(name: str) -> bool:
    """True for a KPI's quarterly target and actual fields (held in the KPI's unit)."""
    return name[:7] in ("target_", "actual_")


def _same(f: Field | None, a: Any, b: Any) -> bool:
    if a in (None, "", []) and b in (None, "", []):
        return True
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b
