"""Partners as data the user keeps: add, edit and archive them through undoable commands.

Each command writes its change and a row of the program's change log
(``program_revisions``, element kind ``partner``) in one transaction; its undo restores the
earlier state and logs that too. The desktop app puts them on its ``QUndoStack``; the CLI
and the tests use :class:`jbp.commands.History`.

Archiving, not deleting: a partner's deals, logins and plans are history the metrics and the
calibration read, so an archived partner keeps them, still counts in the program's figures
for the months it was active, and leaves the partner lists (``jbp partners list``, the
Partners page) and the choices of new plans. Only a partner added by mistake, with nothing
referring to it yet, is removed (by undoing its addition).
"""

from __future__ import annotations

from typing import Any

from . import store
from .commands import Command, Editor
from .errors import ValidationError
from .model import Partner
from .store import Workspace

#: Fields a user edits (the model's fields; the archived flag has its own command).
EDITABLE = tuple(f.name for f in Partner.FIELDS)


def _log(ws: Workspace, editor: Editor, partner_id: int, field: str, old: Any, new: Any,
         action: str) -> None:
    store.add_program_revision(ws, editor.author, editor.side, "partner", partner_id, field,
                               old, new, action)


def _stored(p: Partner) -> dict[str, Any]:
    return {f.name: f.to_store(getattr(p, f.name)) for f in Partner.FIELDS}


def _check_unique(ws: Workspace, partner: Partner, own_id: int | None) -> None:
    other = store.partner_id_by_name(ws, partner.name)
    if other is not None and other != own_id:
        raise ValidationError("Name", f"a partner named {partner.name!r} exists already",
                              element="Partner")
    if partner.source_id:
        found = store.partner_by_source_id(ws, partner.source_id)
        if found is not None and found.id != own_id:
            raise ValidationError("Account ID in the source",
                                  f"{partner.source_id!r} is already {found.name}'s",
                                  element="Partner")


class AddPartner(Command):
    """Add one partner (its name tidied and unique, case aside)."""

    def __init__(self, editor: Editor, partner: Partner):
        self.editor = editor
        self.partner = partner.replace(name=store.tidy_name(partner.name))
        self.partner_id: int | None = partner.id
        self.plan_id = 0
        self.text = f"Add partner {self.partner.name}"

    def do(self, ws: Workspace) -> None:
        with ws.transaction():
            _check_unique(ws, self.partner, None)
            self.partner_id = store.insert_partner(ws, self.partner, self.partner_id)
            _log(ws, self.editor, self.partner_id, "*", None, _stored(self.partner), "add")
        ws.notify("partners")

    def undo(self, ws: Workspace) -> None:
        assert self.partner_id is not None  # do() stored the partner and kept its id
        with ws.transaction():
            store.delete_partner(ws, self.partner_id)
            _log(ws, self.editor, self.partner_id, "*", _stored(self.partner), None, "undo")
        ws.notify("partners")


class EditPartner(Command):
    """Change one field of a partner (checked with the partner's other fields)."""

    def __init__(self, editor: Editor, partner_id: int, field: str, value: Any):
        if field not in EDITABLE:
            raise ValidationError(field, "is not a partner field", element="Partner")
        f = Partner.field(field)
        value = f.coerce(value, element="Partner")
        if field == "name":
            value = store.tidy_name(value)
        self.editor, self.partner_id, self.field, self.value = editor, partner_id, field, value
        self.old: Any = None
        self.plan_id = 0
        self.text = f"Edit partner {f.label.lower()}"

    def _set(self, ws: Workspace, value: Any, action: str) -> None:
        f = Partner.field(self.field)
        with ws.transaction():
            current = store.partner_full(ws, self.partner_id)
            old = getattr(current, self.field)
            changed = current.replace(**{self.field: value})  # cross-field rules raise here
            _check_unique(ws, changed, self.partner_id)
            store.write_partner(ws, changed)
            _log(ws, self.editor, self.partner_id, self.field, f.to_store(old),
                 f.to_store(value), action)
        if action == "edit":
            self.old = old
        ws.notify("partners")

    def do(self, ws: Workspace) -> None:
        self._set(ws, self.value, "edit")

    def undo(self, ws: Workspace) -> None:
        self._set(ws, self.old, "undo")


class ArchivePartner(Command):
    """Archive a partner (or bring one back with ``archived=False``)."""

    def __init__(self, editor: Editor, partner_id: int, archived: bool = True):
        self.editor, self.partner_id, self.archived = editor, partner_id, archived
        self.plan_id = 0
        self.text = "Archive partner" if archived else "Restore partner"

    def _set(self, ws: Workspace, value: bool, action: str) -> None:
        with ws.transaction():
            current = store.partner_full(ws, self.partner_id)
            store.write_partner(ws, current.replace(archived=value))
            _log(ws, self.editor, self.partner_id, "archived", current.archived, value, action)
        ws.notify("partners")

    def do(self, ws: Workspace) -> None:
        self._set(ws, self.archived, "edit")

    def undo(self, ws: Workspace) -> None:
        self._set(ws, not self.archived, "undo")


def find_partner(ws: Workspace, ref: str) -> Partner:
    """A partner by id, account id in the source, or name (what the CLI accepts)."""
    text = str(ref).strip()
    if text.isdigit():
        try:
            return store.partner_full(ws, int(text))
        except ValidationError:
            pass
    found = store.partner_by_source_id(ws, text) if text else None
    if found is None:
        pid = store.partner_id_by_name(ws, text)
        found = store.partner_full(ws, pid) if pid is not None else None
    if found is None:
        raise ValidationError("Partner", f"no partner {text!r} (not an id, account id or "
                              "name in this workspace)")
    return found
