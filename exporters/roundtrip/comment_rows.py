"""The Comments sheet of a returned workbook: new comments and resolved or reopened ones."""

from __future__ import annotations

from typing import Any

from jbp.errors import ValidationError
from jbp.model import Comment

from .. import plan_workbook as pw
from ..workbook_keys import row_check
from .diff import DiffBase
from .reader import _PREFIX_KIND, _REF_RE, _getter
from .review import WorkbookChange


class CommentRows(DiffBase):
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
