"""Applying the changes the user accepts as one undoable step (:class:`WorkbookImport`), and
the review as text for the command line."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
from jbp.errors import ValidationError
from jbp.model import Element

from .review import WorkbookChange, WorkbookReview


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
