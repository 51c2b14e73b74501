"""Comments (with the drop-down of what a comment is about) and the Revision history."""

from __future__ import annotations

from typing import Any

from jbp.model import (
    SIDES,
    element_class,
)

from .. import styles
from .base import PlanBuilder
from .layout import (
    COMMENT_COLS,
    COMMENTS,
    FIRST_ROW,
    HEADER_ROW,
    HISTORY,
    META,
    REF_PREFIX,
    ref,
)


class CommentSheets(PlanBuilder):
    def comments(self) -> None:
        ws = self.wb.create_sheet(COMMENTS)
        self.heading(ws, "Comments", "Add a comment in a new row: pick what it is about in "
                     "'On', type your name and the comment. Resolved is yes or no.")
        marks = len(COMMENT_COLS) + 2
        labels = self.target_labels()
        self.header_row(ws, HEADER_ROW, COMMENT_COLS, "comment", marks)
        row = FIRST_ROW
        for c in self.doc.comments:
            label = labels.get((c.element_kind, c.element_id),
                               f"{c.element_kind} {c.element_id} (deleted)")
            values = (label, c.author, c.side, c.created_at, c.text,
                      "yes" if c.resolved else "no")
            for col, value in enumerate(values, start=1):
                calc = COMMENT_COLS[col - 1].field in (None, "author", "side", "text")
                self.s(ws.cell(row, col, value), "jbp calc text" if calc else "jbp input text")
            self.s(ws.cell(row, 5), "jbp wrap")
            ws.row_dimensions[row].height = max(15, 13.5 * (len(c.text) // 80 + 1))
            self.marks(ws, row, marks, "comment", c.id)
            row += 1
        end = row + 200  # room to add comments with the drop-downs in place
        n = len(labels)
        self.validation(ws, f"'{META}'!$E$1:$E${max(1, n)}", f"A{FIRST_ROW}:A{end}",
                        prompt="What the comment is about")
        self.validation(ws, SIDES, f"C{FIRST_ROW}:C{end}")
        self.validation(ws, ("yes", "no"), f"F{FIRST_ROW}:F{end}")
        styles.set_widths(ws, {i: c.width for i, c in enumerate(COMMENT_COLS, start=1)})
        ws.freeze_panes = ws.cell(FIRST_ROW, 1)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")

    def history(self) -> None:
        ws = self.wb.create_sheet(HISTORY)
        self.heading(ws, "Revision history", "Every change to the plan: who, which side, "
                     "when, old → new. For reading only; edits here are not taken back.")
        headers = ("When", "Author", "Side", "Action", "Element", "Field", "Old", "New")
        for c, text in enumerate(headers, start=1):
            self.s(ws.cell(HEADER_ROW, c, text), "jbp header")
        names = {(k, e.id): getattr(e, element_class(k).FIELDS[0].name)
                 for k in ("goal", "kpi", "initiative", "account", "rule", "risk")
                 for e in self.doc.parts(k)}
        row = FIRST_ROW
        for rev in reversed(self.data.revisions):
            try:
                cls = element_class(rev.element_kind)
                label = cls.LABEL
                try:
                    fname = cls.field(rev.field).label
                except KeyError:
                    fname = rev.field
            except Exception:
                label, fname = rev.element_kind, rev.field
            name = names.get((rev.element_kind, rev.element_id), "")
            element = f"{label} {ref(rev.element_kind, rev.element_id) if rev.element_kind in REF_PREFIX else rev.element_id}"
            if name:
                element += f": {name}"
            values = (rev.at, rev.author, rev.side, rev.action, element,
                      "" if fname == "*" else fname, _short(rev.old), _short(rev.new))
            for c, value in enumerate(values, start=1):
                self.s(ws.cell(row, c, value), "jbp wrap" if c >= 7 else "jbp text")
            # Old and new values wrap inside their columns (printed, nothing is cut).
            lines = max(-(-len(values[6]) // 28), -(-len(values[7]) // 28), 1)
            if lines > 1:
                ws.row_dimensions[row].height = 13.5 * lines
            row += 1
        styles.set_widths(ws, {1: 18, 2: 18, 3: 9, 4: 9, 5: 40, 6: 20, 7: 28, 8: 28})
        ws.freeze_panes = ws.cell(FIRST_ROW, 1)
        if row > FIRST_ROW:
            ws.auto_filter.ref = f"A{HEADER_ROW}:H{row - 1}"
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")


def _short(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        first = next(iter(value.values()), "")
        return f"{first}" if first else "(row)"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"
