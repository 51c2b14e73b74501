"""Edits of a plan as command objects (glue's pattern: every UI action maps to a command).

A command is built from what the user asked for, validated on construction where it can be,
and applied with :meth:`Command.do` in one transaction that also writes its revision row(s).
:meth:`Command.undo` restores the earlier state in one transaction and logs that too, so the
revision log is a complete audit trail (an undo is a change the other side should see).

Commands never touch a widget. The desktop app wraps them in a ``QUndoStack``; the CLI and the
tests use :class:`History`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import TransitionError, ValidationError
from .fields import Field
from .model import (
    PLAN_PARTS,
    SIDES,
    Comment,
    Element,
    Initiative,
    Plan,
    PlanStatus,
    Revision,
    SignOff,
    element_class,
    fiscal_quarter_bounds,
)
from .store import Workspace, now_iso


@dataclass(frozen=True)
class Editor:
    """Who is editing: a person's name and the side (vendor or partner) they speak for."""

    author: str
    side: str

    def __post_init__(self) -> None:
        author = Field("author", "text", "Your name", required=True, max_length=120).coerce(
            self.author)
        side = Field("side", "enum", "Side", required=True, choices=SIDES).coerce(self.side)
        object.__setattr__(self, "author", author.strip())
        object.__setattr__(self, "side", side)


class Command:
    """Base of all plan edits."""

    text = "Edit"
    plan_id: int

    def do(self, ws: Workspace) -> None:
        raise NotImplementedError

    def undo(self, ws: Workspace) -> None:
        raise NotImplementedError

    @staticmethod
    def _stored(element_id: int | None) -> int:
        """The id of a stored row: set by :meth:`do` (undo runs only after it) or read from
        the store."""
        if element_id is None:
            raise RuntimeError("no stored id: undo before do, or an element never saved")
        return element_id

    def _revision(self, ws: Workspace, editor: Editor, kind: str, element_id: int, field: str,
                  old: Any, new: Any, action: str) -> None:
        ws.add_revision(Revision(plan_id=self.plan_id, author=editor.author, side=editor.side,
                                 at=now_iso(), element_kind=kind, element_id=element_id,
                                 field=field, old=old, new=new, action=action))


def _field_of(kind: str, name: str) -> tuple[type[Element], Field]:
    cls = element_class(kind)
    try:
        return cls, cls.field(name)
    except KeyError:
        raise ValidationError(name, f"{cls.LABEL} has no such field") from None


def _name_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def check_kpi_name_free(ws: Workspace, plan_id: int, name: str,
                        kpi_id: int | None = None) -> None:
    """Refuse a second KPI of one name in a plan (spacing and case aside): the QBR, the
    charts, the history and the amendments name a KPI by its name, and a refresh from the
    imports logs its cells as "name · Qn" — two of one name cannot be told apart there."""
    key = _name_key(name)
    for other_id, other, goal in ws.rows(
            "SELECT k.id, k.name, g.title FROM kpis k JOIN goals g ON g.id = k.goal_id "
            "WHERE g.plan_id = ?", (plan_id,)):
        if other_id != kpi_id and _name_key(other) == key:
            raise ValidationError("KPI", f"this plan already has a KPI named “{other}” "
                                         f"(goal “{goal}”); give this one another name")


#: Initiative dates are accepted up to this many fiscal years before or after the plan's.
INITIATIVE_YEARS_AROUND = 1


def check_initiative_dates(ws: Workspace, plan_id: int, element: Element) -> None:
    """Refuse an initiative's start or end far from the plan's fiscal year (a typed 2062
    for 2026 was stored silently, and the initiative then never showed as due or late).
    A year either side is accepted: a Q4 campaign may run into the next year."""
    plan = ws.plan(plan_id)
    start_month = ws.program().fiscal_year_start_month
    year = fiscal_quarter_bounds(plan.fiscal_year, start_month)
    first = fiscal_quarter_bounds(plan.fiscal_year - INITIATIVE_YEARS_AROUND, start_month)[0][0]
    last = fiscal_quarter_bounds(plan.fiscal_year + INITIATIVE_YEARS_AROUND, start_month)[3][1]
    for name in ("start_date", "end_date"):
        day = getattr(element, name, None)
        if day is not None and not first <= day <= last:
            raise ValidationError(
                element.field(name).label,
                f"{day.isoformat()} is far from the plan's fiscal year: FY{plan.fiscal_year} "
                f"runs {year[0][0].isoformat()} – {year[3][1].isoformat()}, and an "
                f"initiative may start or end from {first.isoformat()} to {last.isoformat()}",
                element=element.LABEL)


class SetField(Command):
    """Change one field of the plan or of one of its parts."""

    def __init__(self, editor: Editor, kind: str, element_id: int, field: str, value: Any):
        self.editor, self.kind, self.element_id, self.field = editor, kind, element_id, field
        self.cls, f = _field_of(kind, field)
        if kind == "plan" and field in ("status", "partner_id"):
            raise ValidationError(f.label, "is changed through the plan's agreement actions",
                                  element="Plan")
        self.value = f.coerce(value, element=self.cls.LABEL)
        self.old: Any = None
        self.plan_id = 0
        self.text = f"Edit {self.cls.LABEL.lower()} {f.label.lower()}"

    def _apply(self, ws: Workspace, value: Any, action: str) -> None:
        f = self.cls.field(self.field)
        self.plan_id = ws.plan_id_of(self.kind, self.element_id)
        with ws.transaction(self.plan_id):
            current = ws.element(self.kind, self.element_id)
            old = getattr(current, self.field)
            if self.kind == "kpi" and self.field == "name" and action == "edit":
                check_kpi_name_free(ws, self.plan_id, value, self.element_id)
            changed = current.replace(**{self.field: value})  # cross-field rules raise here
            if (self.kind == "initiative" and self.field in ("start_date", "end_date")
                    and action == "edit"):
                check_initiative_dates(ws, self.plan_id, changed)
            ws.write_field(self.kind, self.element_id, self.field, value)
            self._revision(ws, self.editor, self.kind, self.element_id, self.field,
                           f.to_store(old), f.to_store(value), action)
        if action == "edit":
            self.old = old
        ws.notify("plan", self.plan_id)

    def do(self, ws: Workspace) -> None:
        self._apply(ws, self.value, "edit")

    def undo(self, ws: Workspace) -> None:
        self._apply(ws, self.old, "undo")

    def is_noop(self, ws: Workspace) -> bool:
        return getattr(ws.element(self.kind, self.element_id), self.field) == self.value


class AddPart(Command):
    """Add a goal, KPI, initiative, target account, rule or risk."""

    def __init__(self, editor: Editor, element: Element):
        if element.KIND not in PLAN_PARTS:
            raise ValidationError("Element", f"cannot add a {element.KIND}")
        self.editor, self.element = editor, element
        self.element_id: int | None = getattr(element, "id", None)  # every plan part has one
        self.plan_id = 0
        self.text = f"Add {element.LABEL.lower()}"

    def do(self, ws: Workspace) -> None:
        kind = self.element.KIND
        parent_col = PLAN_PARTS[kind][2]
        parent_kind = "goal" if parent_col == "goal_id" else "plan"
        self.plan_id = ws.plan_id_of(parent_kind, getattr(self.element, parent_col))
        with ws.transaction(self.plan_id):
            if kind == "kpi":
                check_kpi_name_free(ws, self.plan_id, getattr(self.element, "name", ""))
            if kind == "initiative":
                check_initiative_dates(ws, self.plan_id, self.element)
            self.element_id = ws.insert_part(self.element, self.element_id)
            stored = {f.name: f.to_store(getattr(self.element, f.name))
                      for f in self.element.FIELDS}
            self._revision(ws, self.editor, kind, self.element_id, "*", None, stored, "add")
        ws.notify("plan", self.plan_id)

    def undo(self, ws: Workspace) -> None:
        kind = self.element.KIND
        element_id = self._stored(self.element_id)
        with ws.transaction(self.plan_id):
            ws.delete_part(kind, element_id)
            self._revision(ws, self.editor, kind, element_id, "*", None, None, "undo")
        ws.notify("plan", self.plan_id)


class DeletePart(Command):
    """Delete a plan part (a goal takes its KPIs and comments with it; undo restores all)."""

    def __init__(self, editor: Editor, kind: str, element_id: int):
        element_class(kind)
        if kind not in PLAN_PARTS:
            raise ValidationError("Element", f"cannot delete a {kind}")
        self.editor, self.kind, self.element_id = editor, kind, element_id
        self.plan_id = 0
        self.saved: list[tuple[Element, int, int]] = []  # (element, id, position)
        self.saved_comments: list[Comment] = []
        self.unlinked: list[tuple[int, list[int]]] = []
        self.text = f"Delete {element_class(kind).LABEL.lower()}"

    def do(self, ws: Workspace) -> None:
        self.plan_id = ws.plan_id_of(self.kind, self.element_id)
        with ws.transaction(self.plan_id):
            element = ws.element(self.kind, self.element_id)
            position = ws.part_position(self.kind, self.element_id)
            self.saved = [(element, self.element_id, position)]
            ids = {(self.kind, self.element_id)}
            if self.kind == "goal":
                for kpi_id, kpi_position in ws.goal_kpis(self.element_id):
                    self.saved.append((ws.element("kpi", kpi_id), kpi_id, kpi_position))
                    ids.add(("kpi", kpi_id))
            self.saved_comments = [c for c in ws.comments(self.plan_id)
                                   if (c.element_kind, c.element_id) in ids]
            self.unlinked = []
            if self.kind == "goal":  # initiatives stop pointing at the deleted goal
                for initiative_id in ws.initiative_ids(self.plan_id):
                    initiative = ws.element("initiative", initiative_id)
                    assert isinstance(initiative, Initiative)
                    links = initiative.goal_ids
                    if self.element_id in links:
                        self.unlinked.append((initiative_id, links))
                        ws.write_field("initiative", initiative_id, "goal_ids",
                                       [g for g in links if g != self.element_id])
            for c in self.saved_comments:
                ws.delete_comment(self._stored(c.id))
            ws.delete_part(self.kind, self.element_id)
            stored = {f.name: f.to_store(getattr(element, f.name)) for f in element.FIELDS}
            self._revision(ws, self.editor, self.kind, self.element_id, "*", stored, None,
                           "delete")
        ws.notify("plan", self.plan_id)

    def undo(self, ws: Workspace) -> None:
        with ws.transaction(self.plan_id):
            for element, element_id, position in self.saved:
                ws.insert_part(element, element_id, position)
            for c in self.saved_comments:
                ws.insert_comment(c, c.id)
            for initiative_id, links in self.unlinked:
                ws.write_field("initiative", initiative_id, "goal_ids", links)
            element = self.saved[0][0]
            stored = {f.name: f.to_store(getattr(element, f.name)) for f in element.FIELDS}
            self._revision(ws, self.editor, self.kind, self.element_id, "*", None, stored,
                           "undo")
        ws.notify("plan", self.plan_id)


class AddComment(Command):
    """A comment on the plan or one of its parts, signed with the editor's name and side."""

    def __init__(self, editor: Editor, plan_id: int, element_kind: str, element_id: int,
                 text: str):
        self.editor, self.plan_id = editor, plan_id
        self.comment = Comment(plan_id=plan_id, element_kind=element_kind,
                               element_id=element_id, author=editor.author, side=editor.side,
                               text=text)
        self.comment_id: int | None = None
        self.text = "Add comment"

    def do(self, ws: Workspace) -> None:
        if ws.plan_id_of(self.comment.element_kind, self.comment.element_id) != self.plan_id:
            raise ValidationError("Comment", "the element is not part of this plan")
        with ws.transaction(self.plan_id):
            if not self.comment.created_at:
                self.comment.created_at = now_iso()
            self.comment_id = ws.insert_comment(self.comment, self.comment_id)
            self.comment.id = self.comment_id
            self._revision(ws, self.editor, self.comment.element_kind, self.comment.element_id,
                           "comment", None, self.comment.text, "comment")
        ws.notify("plan", self.plan_id)

    def undo(self, ws: Workspace) -> None:
        with ws.transaction(self.plan_id):
            ws.delete_comment(self._stored(self.comment_id))
            self._revision(ws, self.editor, self.comment.element_kind, self.comment.element_id,
                           "comment", self.comment.text, None, "undo")
        ws.notify("plan", self.plan_id)


class ResolveComment(Command):
    def __init__(self, editor: Editor, plan_id: int, comment_id: int, resolved: bool = True):
        self.editor, self.plan_id, self.comment_id, self.resolved = (
            editor, plan_id, comment_id, resolved)
        self.text = "Resolve comment" if resolved else "Reopen comment"

    def _set(self, ws: Workspace, value: bool, action: str) -> None:
        with ws.transaction(self.plan_id):
            target = ws.comment_target(self.plan_id, self.comment_id)
            if target is None:
                raise ValidationError("Comment", f"no comment {self.comment_id} in this plan")
            ws.set_comment_resolved(self.comment_id, value)
            self._revision(ws, self.editor, target[0], target[1], "comment resolved",
                           not value, value, action)
        ws.notify("plan", self.plan_id)

    def do(self, ws: Workspace) -> None:
        self._set(ws, self.resolved, "edit")

    def undo(self, ws: Workspace) -> None:
        self._set(ws, not self.resolved, "undo")


#: Allowed status changes. Approval also needs both sides' sign-off.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    PlanStatus.DRAFT: (PlanStatus.IN_REVIEW,),
    PlanStatus.IN_REVIEW: (PlanStatus.DRAFT, PlanStatus.APPROVED),
    PlanStatus.APPROVED: (PlanStatus.ACTIVE, PlanStatus.IN_REVIEW),
    PlanStatus.ACTIVE: (PlanStatus.CLOSED, PlanStatus.IN_REVIEW),
    PlanStatus.CLOSED: (PlanStatus.ACTIVE,),
}


class ChangeStatus(Command):
    """Move a plan through Draft → In review → Approved → Active → Closed.

    Entering review (again) withdraws earlier sign-offs, because they signed another text.
    Approval needs a vendor-side and a partner-side sign-off and freezes the baseline that
    later amendments are compared with.
    """

    def __init__(self, editor: Editor, plan_id: int, status: str):
        self.editor, self.plan_id = editor, plan_id
        self.status = Plan.field("status").coerce(status, element="Plan")
        self.before: tuple[str, dict | None, str | None] | None = None
        self.withdrawn: list[SignOff] = []
        self.text = f"Set status {self.status}"

    def do(self, ws: Workspace) -> None:
        with ws.transaction(self.plan_id):
            plan = ws.plan(self.plan_id)
            if self.status not in TRANSITIONS[PlanStatus(plan.status)]:
                allowed = ", ".join(TRANSITIONS[PlanStatus(plan.status)])
                raise TransitionError(
                    f"A plan in status {plan.status} can move to {allowed}, "
                    f"not to {self.status}")
            self.before = (plan.status, plan.baseline, plan.approved_at)
            baseline, approved_at = plan.baseline, plan.approved_at
            if self.status == PlanStatus.APPROVED:
                sides = {s.side for s in ws.signoffs(self.plan_id)}
                missing = [s for s in SIDES if s not in sides]
                if missing:
                    raise TransitionError(
                        "Approval needs a sign-off from both sides; missing: "
                        + ", ".join(f"{m} side" for m in missing))
                baseline = ws.plan_document(self.plan_id).snapshot()
                approved_at = now_iso()
            if self.status == PlanStatus.IN_REVIEW:
                self.withdrawn = ws.signoffs(self.plan_id)
                ws.delete_signoffs(self.plan_id)
            ws.write_plan_state(self.plan_id, self.status, baseline, approved_at)
            self._revision(ws, self.editor, "plan", self.plan_id, "status", plan.status,
                           self.status, "status")
        ws.notify("plan", self.plan_id)

    def undo(self, ws: Workspace) -> None:
        assert self.before is not None
        status, baseline, approved_at = self.before
        with ws.transaction(self.plan_id):
            ws.write_plan_state(self.plan_id, status, baseline, approved_at)
            for s in self.withdrawn:
                ws.insert_signoff(s, s.id)
            self._revision(ws, self.editor, "plan", self.plan_id, "status", self.status,
                           status, "undo")
        ws.notify("plan", self.plan_id)


class SignOffPlan(Command):
    """The editor signs the plan for their side; only while the plan is in review."""

    def __init__(self, editor: Editor, plan_id: int, role: str = ""):
        self.editor, self.plan_id = editor, plan_id
        self.signoff = SignOff(plan_id=plan_id, name=editor.author, side=editor.side, role=role)
        self.signoff_id: int | None = None
        self.text = f"Sign off ({editor.side} side)"

    def do(self, ws: Workspace) -> None:
        with ws.transaction(self.plan_id):
            plan = ws.plan(self.plan_id)
            if plan.status != PlanStatus.IN_REVIEW:
                raise TransitionError(f"Only a plan in review can be signed; this one is "
                                      f"{plan.status}")
            for s in ws.signoffs(self.plan_id):
                if s.side == self.editor.side:
                    raise TransitionError(f"The {s.side} side has already signed (by {s.name} "
                                          f"at {s.signed_at})")
            if not self.signoff.signed_at:
                self.signoff.signed_at = now_iso()
            self.signoff_id = ws.insert_signoff(self.signoff, self.signoff_id)
            self.signoff.id = self.signoff_id
            self._revision(ws, self.editor, "plan", self.plan_id, f"sign-off {self.editor.side}",
                           None, self.editor.author, "signoff")
        ws.notify("plan", self.plan_id)

    def undo(self, ws: Workspace) -> None:
        with ws.transaction(self.plan_id):
            ws.delete_signoff(self._stored(self.signoff_id))
            self._revision(ws, self.editor, "plan", self.plan_id, f"sign-off {self.editor.side}",
                           self.editor.author, None, "undo")
        ws.notify("plan", self.plan_id)


class Macro(Command):
    """Several commands as one undoable step (e.g. accepting a partner's workbook edits)."""

    def __init__(self, text: str, commands: list[Command]):
        self.text, self.commands = text, commands
        self.plan_id = 0

    def do(self, ws: Workspace) -> None:
        # One transaction around all: a refusal half-way rolls back every change and every
        # revision row of the commands before it.
        with ws.transaction():
            for c in self.commands:
                c.do(ws)
                self.plan_id = c.plan_id

    def undo(self, ws: Workspace) -> None:
        with ws.transaction():
            for c in reversed(self.commands):
                c.undo(ws)


class History:
    """A plain undo/redo stack for the CLI and tests (the GUI uses QUndoStack)."""

    def __init__(self, ws: Workspace):
        self.ws = ws
        self.done: list[Command] = []
        self.undone: list[Command] = []

    def run(self, command: Command) -> Command:
        command.do(self.ws)  # raises before anything is pushed
        self.done.append(command)
        self.undone.clear()
        return command

    def undo(self) -> Command:
        command = self.done.pop()
        command.undo(self.ws)
        self.undone.append(command)
        return command

    def redo(self) -> Command:
        command = self.undone.pop()
        command.do(self.ws)
        self.done.append(command)
        return command

