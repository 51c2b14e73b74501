"""The state every view of the desktop app shares: the open workspace, who is editing,
the undo stack, and signals that say what changed.

Views get an :class:`AppContext` when they are built and never reach into the main window.
Domain commands (``jbp.commands``) go through :meth:`AppContext.run`, which applies the
command first (so a refused edit raises before anything is pushed) and then puts it on the
``QUndoStack`` so Ctrl+Z / Ctrl+Shift+Z undo and redo it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from jbp.commands import Command, Editor
from jbp.store import Workspace


class UndoableCommand(QUndoCommand):
    """A domain command on the Qt undo stack. The first redo() is skipped: the command was
    already applied by :meth:`AppContext.run`."""

    def __init__(self, ctx: AppContext, command: Command):
        super().__init__(command.text)
        self.ctx, self.command = ctx, command
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.ctx.apply(self.command.do)

    def undo(self) -> None:
        self.ctx.apply(self.command.undo)


class PendingEdit(Protocol):
    """Something a user is still typing (an open cell editor, an unsent comment).

    Every edit is saved the moment it is committed (the workspace is the application file
    format), so these are the only "unsaved changes" there are."""

    def commit_pending(self) -> bool: ...

    def discard_pending(self) -> None: ...


class AppContext(QObject):
    """Shared state of one main window."""

    #: A different workspace was opened (or the first one).
    workspace_changed = Signal()
    #: Something in a plan changed (plan id); 0 means the list of plans changed.
    plan_changed = Signal(int)
    #: Non-plan data changed: "partners", "program", "actuals", "scenarios".
    data_changed = Signal(str)
    #: The person editing changed.
    editor_changed = Signal()
    #: A command or undo failed; the message is for the user.
    error = Signal(str)
    #: A command was refused because another session changed the plan (plan id, message);
    #: emitted before :attr:`error`. The main window offers to reload the plan.
    stale_write = Signal(int, str)
    #: The "as of" date for attainment, RAG and forecasts changed.
    as_of_changed = Signal()
    #: An edit started or stopped being typed somewhere (see :meth:`set_pending`).
    pending_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace: Workspace | None = None
        self.editor: Editor | None = None
        self.undo_stack = QUndoStack(self)
        #: The last refusal (a JbpError) seen by :meth:`apply`, for views that show the
        #: message at the field that was edited.
        self.last_error: Exception | None = None
        #: Asked (with the message) whether to try again when the workspace is busy in
        #: another process; returns True to retry. None: report the refusal at once.
        self.ask_retry = None
        self._as_of: dt.date | None = None
        self._pending: dict[int, tuple[Any, str]] = {}

    @property
    def as_of(self) -> dt.date:
        """The date attainment, RAG and forecasts are computed for: today, unless set
        (the demo workspace sets its own "today", ``jbp.demo.AS_OF``)."""
        return self._as_of or dt.date.today()

    @as_of.setter
    def as_of(self, value: dt.date | None) -> None:
        if value != self._as_of:
            self._as_of = value
            self.as_of_changed.emit()

    # ------------------------------------------------------------------ pending edits

    def set_pending(self, source: PendingEdit, description: str | None) -> None:
        """Say that ``source`` holds an edit still being typed (``description`` in the
        user's words, e.g. "a KPI cell"), or none any more (``None``)."""
        key = id(source)
        before = key in self._pending
        if description:
            self._pending[key] = (source, description)
        else:
            self._pending.pop(key, None)
        if before != (key in self._pending) or description:
            self.pending_changed.emit()

    def pending(self) -> list[tuple[PendingEdit, str]]:
        """Edits still being typed, as (source, description)."""
        return list(self._pending.values())

    def commit_pending(self) -> bool:
        """Commit every pending edit; False if one was refused (it stays pending)."""
        ok = True
        for source, _ in self.pending():
            ok = bool(source.commit_pending()) and ok
        return ok

    def discard_pending(self) -> None:
        for source, _ in self.pending():
            source.discard_pending()
        self._pending.clear()
        self.pending_changed.emit()

    def set_workspace(self, ws: Workspace | None) -> None:
        old = self.workspace
        if old is not None:
            old.unsubscribe(self._on_store_event)
        self.undo_stack.clear()
        self.workspace = ws
        self.editor = None
        if ws is not None:
            ws.subscribe(self._on_store_event)
        self.workspace_changed.emit()
        if old is not None and old is not ws:
            old.close()

    def set_editor(self, editor: Editor) -> None:
        self.editor = editor
        self.editor_changed.emit()

    def _on_store_event(self, what: str, plan_id: int | None) -> None:
        if what in ("plan", "plans"):
            self.plan_changed.emit(plan_id or 0 if what == "plan" else 0)
        else:
            self.data_changed.emit(what)

    def run(self, command: Command) -> bool:
        """Apply ``command`` and push it on the undo stack. On a refusal (validation,
        stale write, agreement rule) emit :attr:`error` and return False."""
        if self.workspace is None:
            return False
        if not self.apply(command.do):
            return False
        self.undo_stack.push(UndoableCommand(self, command))
        return True

    def apply(self, action) -> bool:
        from jbp.errors import JbpError, StaleWriteError, WorkspaceBusyError

        try:
            while True:
                try:
                    action(self.workspace)
                    break
                except WorkspaceBusyError as exc:
                    if self.ask_retry is None or not self.ask_retry(str(exc)):
                        raise
        except JbpError as exc:
            self.last_error = exc
            if isinstance(exc, StaleWriteError):
                command = getattr(action, "__self__", None)
                self.stale_write.emit(getattr(command, "plan_id", 0) or 0, str(exc))
            self.error.emit(str(exc))
            return False
        self.last_error = None
        return True
