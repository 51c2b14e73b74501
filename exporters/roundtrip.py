"""Taking a plan workbook back: what someone changed in it, field by field, and applying the
changes the user accepts as one undoable step.

The comparison is three-way. The workbook's hidden sheet holds the plan as it was exported;
a cell differs from that snapshot only where the person who had the workbook changed it, so a
change made in the workspace since the export is never undone by an untouched cell. Each
change names the value it would replace in the workspace now (``old``) and is marked as a
conflict when the workspace changed that same value after the export.

Every typed value is parsed with the field's own :meth:`jbp.fields.Field.coerce`. Anything that
makes the workbook untrustworthy (not a plan workbook, from another workspace or plan, ids
edited, hidden data altered, a value of the wrong type, a damaged file) raises
:class:`WorkbookError` with one message per problem, and nothing is changed.

Accepted changes become :mod:`jbp.commands` (``SetField``, ``AddPart``, ``DeletePart``,
``AddComment``, ``ResolveComment``) inside one :class:`WorkbookImport` macro, recorded under the
editor (name and side) the user names, applied in one transaction.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jbp.commands import (
    AddComment,
    AddPart,
    Command,
    DeletePart,
    Editor,
    Macro,
    ResolveComment,
    SetField,
)
from jbp.errors import JbpError, ValidationError
from jbp.fields import Field
from jbp.model import PLAN_PARTS, Comment, Element, Kpi, Plan, element_class

from . import plan_workbook as pw
from .workbook_keys import row_check, verify

PART_SHEETS = {pw.INITIATIVES: ("initiative",), pw.ACCOUNTS: ("account",),
               pw.RULES_RISKS: ("rule", "risk"), pw.KPIS: ("goal", "kpi")}
REQUIRED_SHEETS = (pw.COVER, pw.KPIS, pw.INITIATIVES, pw.ACCOUNTS, pw.RULES_RISKS, pw.COMMENTS)
KPI_ONLY_HEADERS = {f.label for f in Kpi.FIELDS if f.name != "name"}
_REF_RE = re.compile(r"^\s*(RK|[PGKIAR])(\d+)\b")
_PREFIX_KIND = {v: k for k, v in pw.REF_PREFIX.items()}


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

    @property
    def where(self) -> str:
        return f"{self.sheet} row {self.row}" if self.row else self.sheet

    @property
    def old_text(self) -> str:
        return _display(self.kind, self.field, self.old)

    @property
    def new_text(self) -> str:
        if self.action == "add":
            cls = element_class(self.kind)
            return "; ".join(f"{cls.field(k).label}: {_display(self.kind, k, v)}"
                             for k, v in self.new.items() if v not in (None, "", []))
        return _display(self.kind, self.field, self.new)

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


def _display(kind: str, name: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "comment" or name in ("*", "comment"):
        return value if isinstance(value, str) else str(value)
    try:
        f = element_class(kind).field(name)
    except (KeyError, ValidationError):
        return str(value)
    if f.kind == "ids":
        return ", ".join(pw.ref("goal", v) for v in value)
    return f.display(value)


def _same(f: Field | None, a: Any, b: Any) -> bool:
    if a in (None, "", []) and b in (None, "", []):
        return True
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


# ---------------------------------------------------------------------- reading


@dataclass
class _Row:
    number: int
    kind: str
    element_id: int | None
    values: dict[str, Any]  # field name -> domain value (only cells that were readable)
    cells: dict[str, tuple[str, Any]]  # field name -> (header, raw)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (author, text) cell notes
    parent_row: int | None = None  # for KPI rows: the goal row above
    parent_goal: int | None = None


class _Reader:
    def __init__(self, ws, path: Path, plan_id: int | None):
        self.ws, self.path, self.expected_plan = ws, path, plan_id
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.cached = None  # the workbook's saved formula values, loaded on demand

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def fail_if_problems(self) -> None:
        if self.problems:
            raise WorkbookError(self.path, self.problems)

    # -- opening -------------------------------------------------------------

    def open(self):
        import openpyxl

        if not self.path.exists():
            raise WorkbookError(self.path, ["no such file"])
        if self.path.is_dir():
            raise WorkbookError(self.path, ["is a folder, not a workbook"])
        try:
            with self.path.open("rb") as fh:
                head = fh.read(4)
        except OSError as exc:
            raise WorkbookError(self.path, [f"cannot be read ({exc.strerror or exc})"]) from exc
        if head == b"PK\x03\x04" and _is_opendocument(self.path):
            raise WorkbookError(self.path, [
                "is an OpenDocument spreadsheet (.ods), not an Excel workbook; open it in "
                "LibreOffice, choose File ▸ Save As ▸ Excel 2007-365 (.xlsx), keep the "
                "format, and import the .xlsx"])
        if head != b"PK\x03\x04":
            raise WorkbookError(self.path, [
                "is not an Excel workbook (.xlsx); save it as an Excel workbook and try "
                "again" if head[:4] != b"\xd0\xcf\x11\xe0" else
                "is an old-style .xls file; save it as an Excel workbook (.xlsx)"])
        try:
            with warnings.catch_warnings():
                # openpyxl warns about cells it cannot read (a date out of range); the
                # field's own check reports them with the row and column instead.
                warnings.simplefilter("ignore", UserWarning)
                return openpyxl.load_workbook(self.path, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged archive
            raise WorkbookError(self.path, [
                f"is damaged and cannot be read as a workbook ({type(exc).__name__}: {exc})"
            ]) from exc

    def cached_value(self, sheet: str, row: int, col: int) -> Any:
        if self.cached is None:
            import openpyxl

            self.cached = openpyxl.load_workbook(self.path, data_only=True)
        return self.cached[sheet].cell(row, col).value

    def meta(self, wb) -> tuple[dict[str, Any], dict[str, Any], bytes]:
        if pw.META not in wb.sheetnames:
            raise WorkbookError(self.path, [
                "was not exported by JBP Studio as a plan workbook (its hidden sheet "
                f"{pw.META!r} is missing)"])
        sheet = wb[pw.META]
        meta = {}
        chunks: list[str] = []
        for row in sheet.iter_rows(min_col=1, max_col=3, values_only=True):
            if row[0] is not None:
                meta[str(row[0])] = row[1]
            if row[2] is not None:
                chunks.append(str(row[2]))
        if meta.get("format") != pw.FORMAT:
            raise WorkbookError(self.path, ["is not a JBP Studio plan workbook"])
        try:
            version = int(meta.get("format_version"))
        except (TypeError, ValueError):
            raise WorkbookError(self.path, [
                "its hidden data is damaged (no format version)"]) from None
        if version > pw.FORMAT_VERSION:
            raise WorkbookError(self.path, [
                f"was written by a newer JBP Studio (workbook format {version}; this version "
                f"reads up to {pw.FORMAT_VERSION})"])
        workspace_id, key = self.ws.workbook_keys()
        if meta.get("workspace_id") != workspace_id:
            raise WorkbookError(self.path, [
                f"comes from another workspace ({meta.get('workspace') or 'unknown'}), not "
                f"from {self.ws.name}; open that workspace to import it"])
        try:
            n = int(meta.get("snapshot_chunks"))
        except (TypeError, ValueError):
            n = -1
        text = "".join(chunks)
        if n != len(chunks) or not verify(key, pw.signed_text(meta, text), meta.get("signature")):
            raise WorkbookError(self.path, [
                f"its hidden sheet {pw.META!r} was changed, so the ids in it cannot be "
                "trusted; export the plan again and copy your edits into the new workbook"])
        snapshot = json.loads(text)
        return meta, snapshot, key


def read_plan_workbook(ws, path: str | Path, *, plan_id: int | None = None) -> WorkbookReview:
    """Compare a returned plan workbook with the plan it was exported from.

    ``plan_id``, when given, is the plan the user means to update; a workbook of another plan
    is refused. Raises :class:`WorkbookError` (one message per problem) when the workbook
    cannot be trusted or holds values that cannot be taken; nothing is changed either way.
    """
    path = Path(path)
    reader = _Reader(ws, path, plan_id)
    wb = reader.open()
    meta, snapshot, key = reader.meta(wb)
    wb_plan = int(meta["plan_id"])
    if plan_id is not None and wb_plan != plan_id:
        other = meta.get("plan_title") or f"plan {wb_plan}"
        mine = ws.plan(plan_id).title
        raise WorkbookError(path, [f"is the workbook of '{other}' (plan {wb_plan}), not of "
                                   f"'{mine}' (plan {plan_id})"])
    try:
        doc = ws.plan_document(wb_plan)
    except ValidationError:
        raise WorkbookError(path, [
            f"is the workbook of '{meta.get('plan_title')}' (plan {wb_plan}), which no longer "
            "exists in this workspace"]) from None
    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
    for s in missing:
        reader.problem(f"sheet {s!r} is missing (deleted or renamed?); restore it or export "
                       "the plan again")
    reader.fail_if_problems()
    diff = _Diff(ws, reader, doc, snapshot, key, wb_plan)
    diff.cover(wb[pw.COVER])
    rows: dict[str, list[_Row]] = {}
    for sheet_name in (pw.KPIS, pw.INITIATIVES, pw.ACCOUNTS, pw.RULES_RISKS):
        rows[sheet_name] = diff.scan_parts(wb[sheet_name], PART_SHEETS[sheet_name])
    diff.comments(wb[pw.COMMENTS])
    for sheet_name, sheet_rows in rows.items():
        diff.compare_parts(sheet_name, sheet_rows)
    diff.deletions(rows)
    reader.fail_if_problems()
    version_then = int(meta.get("plan_version") or 0)
    review = WorkbookReview(path=path, plan_id=wb_plan, plan_title=doc.plan.title,
                            exported_at=str(meta.get("exported_at") or ""),
                            version_then=version_then, version_now=doc.plan.version,
                            changes=diff.changes, notes=reader.notes)
    conflicts = sum(1 for c in review.changes if c.conflict)
    if conflicts:
        what = "1 change is" if conflicts == 1 else f"{conflicts} changes are"
        review.notes.insert(0, "The plan was changed in the workspace after this workbook was "
                               f"exported; {what} to values changed there too (conflicts).")
    for i, change in enumerate(review.changes, start=1):
        change.key = change.key or f"c{i}"
    return review


class _Diff:
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
             row: int) -> None:
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
        now = getattr(current, name)
        conflict = ""
        if not _same(f, now, base):
            conflict = (f"changed in the workspace after the export from "
                        f"{_display(kind, name, base)!r} to {_display(kind, name, now)!r}")
        if _same(f, value, now):
            return  # the workspace already holds the workbook's value
        self.changes.append(WorkbookChange(
            "edit", kind, element_id, name, now, value, sheet, row,
            self.label(kind, element_id), f.label, conflict, self.new_key()))

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

    def scan_parts(self, sheet, kinds: tuple[str, ...]) -> list[_Row]:
        out: list[_Row] = []
        header: dict[str, int] | None = None
        marks_at = 0
        section = ""
        last_goal: _Row | None = None
        for cells in sheet.iter_rows():
            values = [c.value for c in cells]
            mark = next((i for i, v in enumerate(values) if isinstance(v, str)
                         and v.startswith(pw.HEADER_MARK)), None)
            if mark is not None:
                section = values[mark][len(pw.HEADER_MARK):]
                marks_at = mark
                header = {str(v).strip(): i for i, v in enumerate(values[:mark])
                          if v is not None and str(v).strip()}
                if section not in kinds:
                    self.reader.problem(f"{sheet.title} row {cells[0].row}: a table header "
                                        f"marker was changed ({values[mark]!r})")
                    header = None
                continue
            if header is None:
                continue
            number = cells[0].row
            kind_mark = values[marks_at] if marks_at < len(values) else None
            if kind_mark in (pw.TOTAL, pw.SKIP):
                continue
            raw_id = values[marks_at + 1] if marks_at + 1 < len(values) else None
            check = values[marks_at + 2] if marks_at + 2 < len(values) else None
            visible = values[:marks_at]
            has_notes = any(c.comment is not None for c in cells[:marks_at])
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in visible):
                if raw_id is not None:
                    pass  # a row emptied but kept: treated as deleted (its id is not seen)
                continue
            row = self.read_row(sheet, cells, number, header, section, kind_mark, raw_id,
                                check, marks_at)
            if row is None:
                continue
            if has_notes:
                for c in cells[:marks_at]:
                    if c.comment is not None:
                        row.notes.append((c.comment.author, c.comment))
            if row.kind == "goal":
                last_goal = row
            elif row.kind == "kpi":
                if last_goal is None:
                    self.reader.problem(f"{sheet.title} row {number}: a KPI row must be "
                                        "below a goal row")
                    continue
                row.parent_row = last_goal.number
                row.parent_goal = last_goal.element_id
            out.append(row)
        return out

    def read_row(self, sheet, cells, number: int, header: dict[str, int], section: str,
                 kind_mark: Any, raw_id: Any, check: Any, marks_at: int) -> _Row | None:
        element_id: int | None = None
        kind = section
        if raw_id is not None and str(raw_id).strip() != "":
            try:
                element_id = int(float(raw_id))
                if element_id != float(raw_id):
                    raise ValueError
            except (TypeError, ValueError):
                self.reader.problem(f"{sheet.title} row {number}: its hidden id {raw_id!r} "
                                    "was changed; undo that edit or clear the row's hidden "
                                    "cells to add it as a new row")
                return None
            kind = str(kind_mark or "")
            allowed = PART_SHEETS[sheet.title]
            if kind not in allowed or check != row_check(self.key, self.plan_id, kind,
                                                         element_id):
                self.reader.problem(f"{sheet.title} row {number}: its hidden id was changed "
                                    "(it does not match its check); undo that edit or clear "
                                    "the row's hidden cells to add it as a new row")
                return None
            if str(element_id) not in self.snap.get(kind, {}):
                self.reader.problem(f"{sheet.title} row {number}: id {element_id} is not a "
                                    f"{element_class(kind).LABEL.lower()} of this plan")
                return None
            seen = self.seen.get((kind, element_id))
            if seen is not None:
                self.reader.problem(f"{sheet.title} rows {seen[1]} and {number} carry the same "
                                    "hidden id (a copied row?); clear the hidden cells of the "
                                    "copy so it is added as a new row")
                return None
            self.seen[(kind, element_id)] = (sheet.title, number)
        elif section == "goal":
            kind = "kpi" if kind_mark == "kpi" else "goal" if kind_mark == "goal" else ""
            if not kind:
                filled = {h for h, i in header.items()
                          if i < len(cells) and cells[i].value not in (None, "")}
                kind = "kpi" if filled & KPI_ONLY_HEADERS else "goal"
        cls = element_class(kind)
        by_label = {f.label: f for f in cls.FIELDS}
        values: dict[str, Any] = {}
        raw_cells: dict[str, tuple[str, Any]] = {}
        for text, col in header.items():
            if sheet.title == pw.KPIS:
                if text == pw.KPI_GOAL_HEADER:
                    f = cls.FIELDS[0]
                elif text == pw.GOAL_DESCRIPTION_HEADER:
                    if kind != "goal":
                        continue
                    f = cls.field("description")
                else:
                    f = by_label.get(text) if kind == "kpi" else None
            else:
                f = by_label.get(text)
            if f is None:
                continue  # a calculated or read-only column
            raw = cells[col].value if col < len(cells) else None
            if element_id is None and (raw is None or (isinstance(raw, str)
                                                       and not raw.strip())):
                continue  # a new row takes the field's default
            value = self.coerce(sheet, number, col + 1, text, f, cls, raw)
            if value is _BAD:
                continue
            values[f.name] = value
            raw_cells[f.name] = (text, raw)
        return _Row(number, kind, element_id, values, raw_cells)

    def compare_parts(self, sheet_name: str, rows: list[_Row]) -> None:
        for row in rows:
            if row.element_id is not None:
                self.compare_row(sheet_name, row)
            else:
                self.add_row(sheet_name, row)

    def compare_row(self, sheet_name: str, row: _Row) -> None:
        kind, eid = row.kind, row.element_id
        before = len(self.changes)
        for name, value in row.values.items():
            self.edit(kind, eid, name, value, sheet_name, row.number)
        edits = {c.field: c.new for c in self.changes[before:]}
        current = self.current.get((kind, eid))
        if edits and current is not None:
            try:
                current.replace(**edits)
            except ValidationError as exc:
                self.reader.problem(f"{sheet_name} row {row.number}: {exc}")
        if kind == "kpi" and row.parent_goal is not None:
            old_goal = self.snap.get("kpi_goal", {}).get(str(eid))
            if old_goal is not None and old_goal != row.parent_goal:
                self.reader.notes.append(
                    f"{sheet_name} row {row.number}: {self.label(kind, eid)} was moved under "
                    "another goal; a KPI keeps its goal (move it in the app)")
        for _author, note in row.notes:
            self.note_comment(kind, eid, note, sheet_name, row.number)

    def add_row(self, sheet_name: str, row: _Row) -> None:
        kind = row.kind
        cls = element_class(kind)
        parent_col = PLAN_PARTS[kind][2]
        parent_key = ""
        values = {k: v for k, v in row.values.items() if v not in (None, "", [])}
        parent_value = self.plan_id
        if kind == "kpi":
            if row.parent_goal is not None:
                parent_value = row.parent_goal
            elif (sheet_name, row.parent_row or -1) in self.matched:
                parent_value = self.matched[(sheet_name, row.parent_row or -1)]
            else:
                parent_key = self.add_keys.get((sheet_name, row.parent_row or -1), "")
                if not parent_key:
                    self.reader.problem(f"{sheet_name} row {row.number}: the goal above this "
                                        "new KPI could not be read")
                    return
                parent_value = 0
        try:
            element = cls(**{parent_col: parent_value}, **values)
        except ValidationError as exc:
            header = next((h for n, (h, _) in row.cells.items()
                           if cls.field(n).label == exc.field), exc.field)
            self.reader.problem(f"{sheet_name} row {row.number}, column {header!r}: "
                                f"{exc.reason}")
            return
        except TypeError as exc:  # a field the class does not have
            self.reader.problem(f"{sheet_name} row {row.number}: {exc}")
            return
        if parent_value:
            existing = self.added_before(element, parent_col)
            if existing is not None:
                self.matched[(sheet_name, row.number)] = existing.id
                for _author, note in row.notes:
                    self.note_comment(kind, existing.id, note, sheet_name, row.number)
                return
        key = self.new_key()
        self.add_keys[(sheet_name, row.number)] = key
        self.changes.append(WorkbookChange(
            "add", kind, None, "*", None, {f.name: getattr(element, f.name) for f in cls.FIELDS},
            sheet_name, row.number, self.label(kind, None, values), "(new row)", "", key,
            parent_key, payload=element))
        for _author, note in row.notes:
            self.note_comment(kind, None, note, sheet_name, row.number, parent=key)

    def deletions(self, rows: dict[str, list[_Row]]) -> None:
        sheet_of = {k: s for s, kinds in PART_SHEETS.items() for k in kinds}
        goal_deletes: dict[int, str] = {}
        for kind in ("goal", "kpi", "initiative", "account", "rule", "risk"):
            for sid, values in self.snap.get(kind, {}).items():
                eid = int(sid)
                if (kind, eid) in self.seen:
                    continue
                current = self.current.get((kind, eid))
                if current is None:
                    continue  # already deleted in the workspace
                cls = element_class(kind)
                conflict = ""
                now = {f.name: f.to_store(getattr(current, f.name)) for f in cls.FIELDS}
                if any(not _same(None, now.get(k), v) for k, v in values.items()):
                    conflict = "edited in the workspace after the export"
                parent = ""
                if kind == "kpi":
                    parent = goal_deletes.get(current.goal_id, "")
                key = self.new_key()
                if kind == "goal":
                    goal_deletes[eid] = key
                self.changes.append(WorkbookChange(
                    "delete", kind, eid, "*", self.label(kind, eid), None, sheet_of[kind], None,
                    self.label(kind, eid), "(row removed)", conflict, key, parent))

    # -- comments ------------------------------------------------------------------

    def comments(self, sheet) -> None:
        header: dict[str, int] | None = None
        marks_at = 0
        for cells in sheet.iter_rows():
            values = [c.value for c in cells]
            mark = next((i for i, v in enumerate(values) if isinstance(v, str)
                         and v.startswith(pw.HEADER_MARK)), None)
            if mark is not None:
                marks_at = mark
                header = {str(v).strip(): i for i, v in enumerate(values[:mark])
                          if v is not None}
                continue
            if header is None:
                continue
            number = cells[0].row
            get = _getter(header, values)
            raw_id = values[marks_at + 1] if marks_at + 1 < len(values) else None
            check = values[marks_at + 2] if marks_at + 2 < len(values) else None
            text = get("Comment")
            if raw_id not in (None, ""):
                self.existing_comment(sheet, number, raw_id, check, get)
                continue
            if text is None or not str(text).strip():
                continue
            f = Comment.field("text")
            try:
                text = f.coerce(str(text), element="Comment")
            except ValidationError as exc:
                self.reader.problem(f"{sheet.title} row {number}, column 'Comment': "
                                    f"{exc.reason}")
                continue
            target = self.comment_target(sheet.title, number, get(pw.COMMENT_ON_HEADER))
            if target is None:
                continue
            author = str(get("Author") or "").strip()
            kind, eid = target
            if self.comment_exists(kind, eid, text):
                continue
            self.changes.append(WorkbookChange(
                "comment", kind, eid, "comment", None, text, sheet.title, number,
                self.label(kind, eid), "Comment", "", self.new_key(),
                payload={"author": author}))

    def comment_target(self, sheet: str, row: int, on: Any) -> tuple[str, int] | None:
        text = str(on or "").strip()
        if not text or text.lower().startswith("plan"):
            return ("plan", self.plan_id)
        m = _REF_RE.match(text)
        if m:
            kind = _PREFIX_KIND[m.group(1)]
            eid = int(m.group(2))
            if (kind, eid) in self.current:
                return (kind, eid)
        self.reader.problem(f"{sheet} row {row}, column 'On': {text!r} is not an element of "
                            "this plan; pick one from the drop-down list")
        return None

    def existing_comment(self, sheet, number: int, raw_id: Any, check: Any, get) -> None:
        try:
            cid = int(float(raw_id))
        except (TypeError, ValueError):
            cid = -1
        base = self.snap.get("comment", {}).get(str(cid))
        if base is None or check != row_check(self.key, self.plan_id, "comment", cid):
            self.reader.problem(f"{sheet.title} row {number}: its hidden id was changed (it "
                                "does not match its check); undo that edit")
            return
        text = get("Comment")
        if str(text or "").strip() != str(base.get("text") or "").strip():
            self.reader.notes.append(f"{sheet.title} row {number}: a comment's text cannot be "
                                     "changed; add a new comment instead (this edit is left "
                                     "out)")
        f = Comment.field("resolved")
        raw = get("Resolved")
        try:
            resolved = bool(f.coerce(raw if str(raw or "").strip() else None, "Comment"))
        except ValidationError as exc:
            self.reader.problem(f"{sheet.title} row {number}, column 'Resolved': {exc.reason}")
            return
        current = self.current_comments.get(cid)
        if current is None or resolved == bool(base.get("resolved")):
            return
        if resolved == bool(current.resolved):
            return
        self.changes.append(WorkbookChange(
            "edit", "comment", cid, "resolved", bool(current.resolved), resolved, sheet.title,
            number, f"Comment by {current.author}: {current.text[:40]}", "Resolved", "",
            self.new_key()))


_BAD = object()


def _is_opendocument(path: Path) -> bool:
    """True when ``path`` is an OpenDocument file (a zip whose ``mimetype`` says so)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
    except (KeyError, OSError, zipfile.BadZipFile):
        return False


def _getter(header: dict[str, int], values: list[Any]) -> Callable[[str], Any]:
    def get(name: str) -> Any:
        col = header.get(name)
        return values[col] if col is not None and col < len(values) else None
    return get


# ---------------------------------------------------------------------- applying


class WorkbookImport(Macro):
    """The accepted changes of one workbook: one undoable step, applied all or nothing."""

    def __init__(self, text: str, commands: list[Command], plan_id: int):
        super().__init__(text, commands)
        self.plan_id = plan_id

    def do(self, ws) -> None:
        fresh = not ws.is_stale(self.plan_id)
        try:
            with ws.transaction():
                super().do(ws)
        except BaseException:
            if fresh:  # the rolled-back inner commits must not look like someone else's
                ws.mark_seen(self.plan_id)
            raise

    def undo(self, ws) -> None:
        fresh = not ws.is_stale(self.plan_id)
        try:
            with ws.transaction():
                super().undo(ws)
        except BaseException:
            if fresh:
                ws.mark_seen(self.plan_id)
            raise


class _Deferred(Command):
    """A command built when it runs, because it needs an id that an earlier command of the
    same import creates (a KPI under a new goal, a comment on a new row)."""

    def __init__(self, text: str, build: Callable[[], Command]):
        self.text, self.build = text, build
        self.inner: Command | None = None
        self.plan_id = 0

    def do(self, ws) -> None:
        if self.inner is None:
            self.inner = self.build()
        self.inner.do(ws)
        self.plan_id = self.inner.plan_id

    def undo(self, ws) -> None:
        assert self.inner is not None
        self.inner.undo(ws)


def build_import(ws, review: WorkbookReview, accepted: Iterable[WorkbookChange],
                 editor: Editor) -> WorkbookImport:
    """The accepted changes as one :class:`WorkbookImport`, recorded under ``editor``.

    Raises :class:`ValidationError` when the accepted set cannot be applied together (a
    new KPI whose new goal was rejected, edits that break a rule between fields).
    """
    chosen = list(accepted)
    keys = {c.key for c in chosen}
    plan_id = review.plan_id
    adds: dict[str, AddPart] = {}
    commands: list[Command] = []

    def editor_for(change: WorkbookChange) -> Editor:
        author = (change.payload or {}).get("author") if isinstance(change.payload, dict) \
            else ""
        return Editor(author, editor.side) if author else editor

    order = {"goal": 0, "kpi": 1}
    for change in sorted((c for c in chosen if c.action == "add"),
                         key=lambda c: order.get(c.kind, 2)):
        element: Element = change.payload
        if change.parent:
            if change.parent not in keys:
                raise ValidationError(element.LABEL, f"{change.where}: the new KPI "
                                      f"'{element.name}' belongs to a new goal you did not "
                                      "accept; accept both or neither")
            parent = adds[change.parent]
            cmd: Command = _Deferred(f"Add {element.LABEL.lower()}", lambda e=element, p=parent:
                                     AddPart(editor, e.replace(goal_id=p.element_id)))
        else:
            cmd = AddPart(editor, element)
        if isinstance(cmd, AddPart):
            adds[change.key] = cmd
        else:
            adds[change.key] = _AddRef(cmd)  # type: ignore[assignment]
        commands.append(cmd)

    by_element: dict[tuple[str, int], list[WorkbookChange]] = {}
    for change in chosen:
        if change.action == "edit" and change.kind != "comment":
            by_element.setdefault((change.kind, change.element_id), []).append(change)
    for (kind, eid), edits in by_element.items():
        current = ws.element(kind, eid)
        for change in _valid_order(current, edits):
            commands.append(SetField(editor, kind, eid, change.field, change.new))
    for change in chosen:
        if change.action == "edit" and change.kind == "comment":
            commands.append(ResolveComment(editor, plan_id, change.element_id, change.new))
        elif change.action == "comment":
            who = editor_for(change)
            if change.parent:
                if change.parent not in keys:
                    raise ValidationError("Comment", f"{change.where}: the comment is on a new "
                                          "row you did not accept")
                parent = adds[change.parent]
                commands.append(_Deferred("Add comment", lambda c=change, p=parent, w=who:
                                          AddComment(w, plan_id, c.kind, p.element_id,
                                                     c.new)))
            else:
                commands.append(AddComment(who, plan_id, change.kind, change.element_id,
                                           change.new))
    deleted_goals = {c.key for c in chosen if c.action == "delete" and c.kind == "goal"}
    deletes = [c for c in chosen if c.action == "delete"
               and not (c.kind == "kpi" and c.parent in deleted_goals)]
    deletes.sort(key=lambda c: c.kind == "goal")
    for change in deletes:
        commands.append(DeletePart(editor, change.kind, change.element_id))
    n = len(chosen)
    text = f"Take {n} change{'s' if n != 1 else ''} from {review.path.name}"
    return WorkbookImport(text, commands, plan_id)


class _AddRef:
    """Gives a deferred add's element id to commands that depend on it."""

    def __init__(self, deferred: _Deferred):
        self.deferred = deferred

    @property
    def element_id(self) -> int | None:
        inner = self.deferred.inner
        return inner.element_id if inner is not None else None


def _valid_order(current: Element, edits: list[WorkbookChange]) -> list[WorkbookChange]:
    """Order one element's field edits so that every intermediate state passes the rules
    between fields (e.g. raise MDF requested before MDF approved)."""
    pending = list(edits)
    ordered: list[WorkbookChange] = []
    state = current
    last_error: ValidationError | None = None
    while pending:
        for change in pending:
            try:
                state = state.replace(**{change.field: change.new})
            except ValidationError as exc:
                last_error = exc
                continue
            ordered.append(change)
            pending.remove(change)
            break
        else:
            assert last_error is not None
            where = pending[0].where
            raise ValidationError(last_error.field, f"{where}: {last_error.reason} (with the "
                                  "changes you accepted)", element=last_error.element)
    return ordered


def apply_import(ws, review: WorkbookReview, accepted: Iterable[WorkbookChange],
                 editor: Editor, run: Callable[[Command], Any] | None = None
                 ) -> WorkbookImport | None:
    """Apply the accepted changes as one step and return the macro (None when nothing was
    accepted). ``run`` applies it (default: ``macro.do(ws)``; the GUI passes
    ``AppContext.run`` so it lands on the undo stack, the CLI a :class:`History`)."""
    chosen = list(accepted)
    if not chosen:
        return None
    macro = build_import(ws, review, chosen, editor)
    if run is None:
        macro.do(ws)
    else:
        result = run(macro)
        if result is False:
            return None
    return macro


def review_as_text(review: WorkbookReview) -> str:
    lines = [f"{review.path.name}: plan '{review.plan_title}' (exported {review.exported_at})"]
    lines += [f"note: {n}" for n in review.notes]
    if not review.changes:
        lines.append("No changes.")
    for i, c in enumerate(review.changes, start=1):
        lines.append(f"{i:>3}. {c.describe()}")
    return "\n".join(lines)


__all__ = ["WorkbookChange", "WorkbookError", "WorkbookImport", "WorkbookReview",
           "apply_import", "build_import", "read_plan_workbook", "review_as_text"]
