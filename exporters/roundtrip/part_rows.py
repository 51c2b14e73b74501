"""The part tables of a returned workbook (goals and KPIs, initiatives, accounts, rules and
risks): each row read with its fields' own rules, then changed, added or deleted rows."""

from __future__ import annotations

from typing import Any

from jbp.errors import ValidationError
from jbp.model import PLAN_PARTS, element_class

from .. import plan_workbook as pw
from ..workbook_keys import row_check
from .diff import DiffBase
from .reader import _BAD, KPI_ONLY_HEADERS, PART_SHEETS, _Row
from .review import WorkbookChange, _same


class PartRows(DiffBase):
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
        unit = str(row.values.get("unit") or "") if kind == "kpi" else ""
        for name, value in row.values.items():
            self.edit(kind, eid, name, value, sheet_name, row.number, unit)
        edits = {c.field: c.new for c in self.changes[before:]}
        current = self.current.get((kind, eid))
        if edits and current is not None:
            try:
                current.replace(**edits)
            except ValidationError as exc:  # fields that must agree (end after start…)
                cls = element_class(kind)
                column = next((h for n, (h, _) in row.cells.items()
                               if cls.field(n).label == exc.field), exc.field)
                self.reader.problem(f"{sheet_name} row {row.number}, column {column!r}: "
                                    f"{exc.reason}")
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
        if kind == "kpi":
            unit = str(getattr(element, "unit", ""))
            for name, value in values.items():
                self.check_percent(kind, name, value, unit, sheet_name, row.number,
                                   row.cells[name][0])
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
                if kind == "goal" and self.kpis_left_behind(eid, current):
                    continue
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

    def kpis_left_behind(self, goal_id: int, goal) -> bool:
        """A goal row deleted while rows of its KPIs are still in the sheet: deleting a goal
        deletes its KPIs (their targets and actuals), which the sheet says to keep. Refused
        with the rows to delete too, rather than losing KPIs no change lists."""
        kept = sorted((self.seen[("kpi", eid)][1], eid) for (kind, eid), e in
                      self.current.items()
                      if kind == "kpi" and getattr(e, "goal_id", None) == goal_id
                      and ("kpi", eid) in self.seen)
        if not kept:
            return False
        rows = ", ".join(f"{pw.ref('kpi', eid)} (row {row})" for row, eid in kept)
        self.reader.problem(
            f"{pw.KPIS}: the row of goal {pw.ref('goal', goal_id)} '{goal.title}' was deleted "
            f"but its KPIs {rows} are still in the sheet, and deleting a goal deletes its "
            "KPIs; delete those rows too, or put the goal's row back above them (a KPI moves "
            "to another goal in the app)")
        return True

    # -- comments ------------------------------------------------------------------
