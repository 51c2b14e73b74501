"""The state every view of the desktop app shares: the open workspace, who is editing,
the undo stack, and signals that say what changed.

Views get an :class:`AppContext` when they are built and never reach into the main window.
Domain commands (``jbp.commands``) go through :meth:`AppContext.run`, which applies the
command first (so a refused edit raises before anything is pushed) and then puts it on the
``QUndoStack`` so Ctrl+Z / Ctrl+Shift+Z undo and redo it.
"""

from __future__ import annotations

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

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace: Workspace | None = None
        self.editor: Editor | None = None
        self.undo_stack = QUndoStack(self)

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
        from jbp.errors import JbpError

        try:
            action(self.workspace)
        except JbpError as exc:
            self.error.emit(str(exc))
            return False
        return True
