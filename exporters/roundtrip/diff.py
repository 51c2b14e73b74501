"""Comparing a returned workbook with the plan as it was exported (the hidden snapshot) and as
the workspace holds it now: the Cover's fields and what every comparison shares."""

from __future__ import annotations

import json
import re
from typing import Any

from jbp.errors import ValidationError
from jbp.fields import Field
from jbp.formatting import kpi_value
from jbp.model import PLAN_PARTS, Element, Plan, element_class

from .. import plan_workbook as pw
from .reader import _BAD, _Reader
from .review import WorkbookChange, _display, _same, is_kpi_value


class DiffBase:
    """The state of one comparison and the helpers its sheets share."""

    def __init__(self, ws, reader: _Reader, doc, snapshot: dict, key: bytes, plan_id: int):
        self.ws, self.reader, self.doc, self.snap, self.key = ws, reader, doc, snapshot, key
        self.plan_id = plan_id
        self.changes: list[WorkbookChange] = []
        self.current: dict[tuple[str, int], Element] = {("plan", plan_id): doc.plan}
        for kind in PLAN_PARTS:
            for e in doc.parts(kind):
                self.current[(kind, e.id)] = e
        self.current_comments = {c.id: c for c in doc.comments}
        self.linked_before = {g for values in snapshot.get("initiative", {}).values()
                              for g in json.loads(values.get("goal_ids") or "[]")}
        self.seen: dict[tuple[str, int], tuple[str, int]] = {}
        self.add_keys: dict[tuple[str, int], str] = {}  # (sheet, row) -> change key
        # (sheet, row) -> id of the element an earlier import of this workbook added for
        # that row: importing the same workbook again adds nothing twice.
        self.matched: dict[tuple[str, int], int] = {}
        self.n_keys = 0

    def new_key(self) -> str:
        self.n_keys += 1
        return f"k{self.n_keys}"

    def label(self, kind: str, element_id: int | None, values: dict | None = None) -> str:
        cls = element_class(kind)
        if kind == "plan":
            return "Plan"
        e = self.current.get((kind, element_id)) if element_id else None
        name = ""
        if e is not None:
            name = getattr(e, cls.FIELDS[0].name)
        elif values:
            name = values.get(cls.FIELDS[0].name) or ""
        elif element_id is not None:
            name = (self.snap.get(kind, {}).get(str(element_id)) or {}).get(cls.FIELDS[0].name)
        ref = f" {pw.ref(kind, element_id)}" if element_id else " (new)"
        return f"{cls.LABEL}{ref}: {name}" if name else f"{cls.LABEL}{ref}"

    def coerce(self, sheet, row: int, col: int, header: str, f: Field, cls, raw: Any) -> Any:
        """A cell as the field's domain value; records a problem and returns ``_BAD``."""
        if isinstance(raw, str) and raw.startswith("="):
            cached = self.reader.cached_value(sheet.title, row, col)
            if cached is None:
                self.reader.problem(
                    f"{sheet.title} row {row}, column {header!r}: holds a formula whose value "
                    "was not saved; type the value instead")
                return _BAD
            raw = cached
        if isinstance(raw, str) and raw.startswith("#") and raw.endswith(("!", "?", "A")):
            self.reader.problem(f"{sheet.title} row {row}, column {header!r}: holds the "
                                f"error {raw}; type a value")
            return _BAD
        try:
            if f.kind == "ids":
                raw = self.goal_refs(raw)
            elif f.kind == "bool" and isinstance(raw, str) and raw.strip() == "":
                raw = None
            value = f.coerce(raw, element=cls.LABEL)
            if f.kind == "ids":
                # A link the workspace itself holds to a goal deleted since is not the
                # editor's doing; only new links must name a goal of this plan.
                unknown = [v for v in value if ("goal", v) not in self.current
                           and v not in self.linked_before]
                if unknown:
                    raise ValidationError(f.label, ", ".join(pw.ref("goal", v) for v in unknown)
                                          + " is not a goal of this plan")
            return value
        except ValidationError as exc:
            self.reader.problem(f"{sheet.title} row {row}, column {header!r}: {exc.reason}")
            return _BAD
        except (TypeError, ValueError) as exc:  # a value no parser expected
            self.reader.problem(f"{sheet.title} row {row}, column {header!r}: {raw!r} cannot "
                                f"be read ({exc})")
            return _BAD

    @staticmethod
    def goal_refs(raw: Any) -> Any:
        if raw is None:
            return raw
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            if float(raw) != int(raw) or raw < 1:
                raise ValidationError("Linked goals", f"{raw!r} is not a goal reference "
                                      "like G12")
            return [int(raw)]
        out = []
        for token in re.split(r"[,;\s]+", str(raw).strip()):
            if not token:
                continue
            m = re.fullmatch(r"[Gg]?#?-?(\d+)", token)
            if not m:
                raise ValidationError("Linked goals", f"{token!r} is not a goal reference "
                                      "like G12")
            out.append(int(m.group(1)))
        return out

    # -- cover -----------------------------------------------------------------

    def cover(self, sheet) -> None:
        for row in sheet.iter_rows():
            mark = next((c.value for c in row if isinstance(c.value, str)
                         and c.value.startswith(pw.FIELD_MARK)), None)
            if mark is None:
                continue
            name = mark[len(pw.FIELD_MARK):]
            try:
                f = Plan.field(name)
            except KeyError:
                self.reader.problem(f"{sheet.title} row {row[0].row}: unknown field marker "
                                    f"{mark!r}")
                continue
            if name in ("status", "partner_id", "fiscal_year"):
                continue
            cell = row[1]
            value = self.coerce(sheet, cell.row, 2, f.label, f, Plan, cell.value)
            if value is _BAD:
                continue
            self.edit("plan", self.plan_id, name, value, pw.COVER, cell.row)
            for c in row:
                if c.comment is not None:
                    self.note_comment("plan", self.plan_id, c.comment, pw.COVER, c.row)

    def edit(self, kind: str, element_id: int, name: str, value: Any, sheet: str,
             row: int, unit: str = "") -> None:
        """Record a changed field; ``unit`` is the unit a KPI row has in the workbook."""
        cls = element_class(kind)
        f = cls.field(name)
        base = f.from_store((self.snap.get(kind, {}).get(str(element_id)) or {}).get(name))
        if _same(f, value, base):
            return
        current = self.current.get((kind, element_id))
        if current is None:
            self.reader.notes.append(f"{sheet} row {row}: {self.label(kind, element_id)} was "
                                     "deleted in the workspace after the export; its edits "
                                     "are left out")
            return
        unit = unit or (getattr(current, "unit", "") if kind == "kpi" else "")
        now = getattr(current, name)
        conflict = ""
        if not _same(f, now, base):
            conflict = (f"changed in the workspace after the export from "
                        f"{_display(kind, name, base, unit)!r} to "
                        f"{_display(kind, name, now, unit)!r}")
        if _same(f, value, now):
            return  # the workspace already holds the workbook's value
        self.check_percent(kind, name, value, unit, sheet, row, f.label)
        self.changes.append(WorkbookChange(
            "edit", kind, element_id, name, now, value, sheet, row,
            self.label(kind, element_id), f.label, conflict, self.new_key(), unit=unit))

    def check_percent(self, kind: str, name: str, value: Any, unit: str, sheet: str,
                      row: int, header: str) -> None:
        """A note for a percent KPI value typed as a whole number (55 for 55%): the cell holds
        a fraction, so 55 is 5,500%. Only a note: a growth KPI can pass 100%."""
        if (kind != "kpi" or unit != "percent" or not is_kpi_value(name)
                or not isinstance(value, int | float) or abs(value) <= 1):
            return
        typed = f"{value:,.10g}"
        self.reader.notes.append(
            f"{sheet} row {row}, column {header!r}: {typed} in a percent KPI is "
            f"{kpi_value(value, 'percent')} (the cell holds 0.55 for 55%); if you meant "
            f"{kpi_value(value / 100, 'percent')}, untick this change, type "
            f"{kpi_value(value / 100, 'percent')} in the workbook and import it again")

    def note_comment(self, kind: str, element_id: int | None, note, sheet: str, row: int,
                     parent: str = "") -> None:
        text = str(note.text or "").strip()
        author = str(note.author or "").strip()
        for prefix in (f"{author}:", "Author:"):
            if author and text.startswith(prefix):
                text = text[len(prefix):].strip()
        if not text:
            return
        if element_id is not None and self.comment_exists(kind, element_id, text):
            return
        self.changes.append(WorkbookChange(
            "comment", kind, element_id, "comment", None, text, sheet, row,
            self.label(kind, element_id) if element_id else "a new row",
            "Comment", "", self.new_key(), parent, payload={"author": author}))

    def comment_exists(self, kind: str, element_id: int, text: str) -> bool:
        """True when a comment with this text on this element was added after the export
        (an earlier import of this workbook took it)."""
        exported = self.snap.get("comment", {})
        return any(str(c.id) not in exported and c.element_kind == kind
                   and c.element_id == element_id and c.text.strip() == text.strip()
                   for c in self.current_comments.values())

    def added_before(self, element: Element, parent_col: str) -> Element | None:
        """The element an earlier import of this workbook added with the same values as
        ``element`` (same kind and parent, not in the exported plan), if any."""
        cls = type(element)
        for (kind, eid), current in self.current.items():
            if not isinstance(current, cls) or str(eid) in self.snap.get(kind, {}):
                continue
            if getattr(current, parent_col, None) != getattr(element, parent_col, None):
                continue
            if all(f.to_store(getattr(current, f.name)) == f.to_store(getattr(element, f.name))
                   for f in cls.FIELDS):
                return current
        return None

    # -- part sheets -------------------------------------------------------------
