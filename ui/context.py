"""The state every view of the desktop app shares: the open workspace, who is editing,
the undo history of each document, and signals that say what changed.

Views get an :class:`AppContext` when they are built and never reach into the main window.
Domain commands (``jbp.commands``) go through :meth:`AppContext.run`, which applies the
command first (so a refused edit raises before anything is pushed) and then puts it on the
``QUndoStack`` of its document (each plan, the scenario set, the program and the workspace's
data), all held by one ``QUndoGroup``: Ctrl+Z acts on the document in view
(:meth:`AppContext.activate`). An undo or redo that fails marks its command obsolete, clears
that document's history and says so (Qt's QUndoGroup pattern): it is never reported as undone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from jbp.commands import Command, Editor
from jbp.store import Workspace

if TYPE_CHECKING:
    from jbp.coverage import Coverage


class UndoableCommand(QUndoCommand):
    """A domain command on the Qt undo stack. The first redo() is skipped: the command was
    already applied by :meth:`AppContext.run`."""

    def __init__(self, ctx: AppContext, command: Command, document: str):
        from jbp.undo_text import describe

        super().__init__(describe(command, ctx.workspace))
        self.ctx, self.command, self.document = ctx, command, document
        self._applied = True

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        if not self.ctx.apply(self.command.do):
            self._failed("redo")

    def undo(self) -> None:
        if not self.ctx.apply(self.command.undo):
            self._failed("undo")

    def _failed(self, what: str) -> None:
        # Qt removes an obsolete command after undo()/redo() returns; the rest of this
        # document's history may no longer match the workspace, so it goes too.
        self.setObsolete(True)
        self.ctx.undo_failed(self.document, what, self.text())


#: Document keys (see :func:`document_of`).
SCENARIOS, PROGRAM, DATA = "scenarios", "program", "data"


def plan_document(plan_id: int) -> str:
    """The undo document of one plan."""
    return f"plan:{plan_id}"


def document_of(command: Command) -> str:
    """Which document's history ``command`` (already applied) belongs to: its own
    ``document`` attribute when it has one, else its plan, else the scenario set for the
    scenario commands, else the workspace's data (imports, refreshes)."""
    explicit = getattr(command, "document", None)
    if explicit:
        return str(explicit)
    if type(command).__module__ == "jbp.scenarios":
        return SCENARIOS
    if "program" in type(command).__name__.lower():
        return PROGRAM
    commands = getattr(command, "commands", None)
    if commands:  # a macro: its parts' plan when they share one, else the data
        docs = {document_of(c) for c in commands}
        return docs.pop() if len(docs) == 1 else DATA
    plan_id = getattr(command, "plan_id", 0)
    return plan_document(plan_id) if plan_id else DATA


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
    #: The coverage (:meth:`coverage`) was read and can be asked for.
    coverage_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace: Workspace | None = None
        self.editor: Editor | None = None
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[str, QUndoStack] = {}
        self._fallback = QUndoStack(self)  # active when no document is in view
        self.undo_group.addStack(self._fallback)
        self.undo_group.setActiveStack(self._fallback)
        #: The last refusal (a JbpError) seen by :meth:`apply`, for views that show the
        #: message at the field that was edited.
        self.last_error: Exception | None = None
        #: Asked (with the message) whether to try again when the workspace is busy in
        #: another process; returns True to retry. None: report the refusal at once.
        self.ask_retry = None
        self._as_of: dt.date | None = None
        self._coverage = None
        #: Counts the states of the actuals (each import makes a new one): a coverage read
        #: for an older state is dropped when it arrives.
        self._actuals_state = 0
        self._coverage_task: Any = None
        #: Why the last coverage read failed (None: it did not).
        self.coverage_error: str | None = None
        self._pending: dict[int, tuple[Any, str]] = {}

    @property
    def as_of_info(self):
        """The view's "as of" with its reason (:func:`jbp.asof.resolve_as_of`): the date set
        in View ▸ Set "as of", else the workspace's pinned date, else today."""
        from jbp.asof import resolve_as_of

        return resolve_as_of(self.workspace, self._as_of)

    @property
    def as_of_set(self) -> dt.date | None:
        """The date the user set with View ▸ Set "as of", or None (what an export passes on,
        so the workbook states the same reason as the app)."""
        return self._as_of

    @property
    def as_of(self) -> dt.date:
        """The date every figure of the app is "as of" (see :attr:`as_of_info`)."""
        return self.as_of_info.date

    @as_of.setter
    def as_of(self, value: dt.date | None) -> None:
        """Set the "as of" (None: back to the workspace's own)."""
        if value != self._as_of:
            self._as_of = value
            self.as_of_changed.emit()

    def coverage(self) -> Coverage | None:
        """Through which day each source of the open workspace is complete (cached until the
        actuals change). ``None`` while it is being read: the read (one COUNT/MIN/MAX per
        actuals table, seconds at 20,000 partners) runs off the GUI thread, and
        :attr:`coverage_changed` is emitted when it is there."""
        if self.workspace is None:
            return None
        if self._coverage is None:
            self._read_coverage()
        return self._coverage

    @property
    def actuals_state(self) -> int:
        """The state of the actuals (one more after each import): what a background read
        passes back to :meth:`offer_coverage`."""
        return self._actuals_state

    def offer_coverage(self, coverage: Coverage | None, state: int) -> None:
        """A coverage read elsewhere off the GUI thread (the Portfolio's figures read it
        with their snapshot) from the actuals in ``state``: kept when it is still the
        current state and none is held."""
        if (coverage is None or self.workspace is None or state != self._actuals_state
                or self._coverage is not None):
            return
        self._coverage = coverage
        self.coverage_error = None
        self.coverage_changed.emit()

    def _read_coverage(self) -> None:
        from jbp.coverage import read_coverage
        from ui.workers import start_task

        assert self.workspace is not None
        wanted = (self._actuals_state, str(self.workspace.path))
        task = self._coverage_task
        if task is not None and task.coverage_for == wanted and (
                task.running or task.error is not None):
            return  # being read (or its read failed: :attr:`coverage_error` says why)
        self.coverage_error = None
        task = start_task(read_coverage, self.workspace.path, uses_state=False,
                          title="Reading the actuals' coverage", parent=self)
        task.coverage_for = wanted  # type: ignore[attr-defined]
        task.succeeded.connect(self._coverage_read)
        task.failed.connect(self._coverage_failed)
        self._coverage_task = task

    def _current_read(self) -> bool:
        task = self.sender()
        ws = self.workspace
        return ws is not None and task is self._coverage_task and \
            task.coverage_for == (self._actuals_state, str(ws.path))

    def _coverage_read(self, coverage: Coverage) -> None:
        if self._current_read():
            self.offer_coverage(coverage, self._actuals_state)

    def _coverage_failed(self, message: str, _exc: object) -> None:
        if self._current_read():
            self.coverage_error = message
            self.coverage_changed.emit()

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

    # ------------------------------------------------------------------ undo per document

    @property
    def undo_stack(self) -> QUndoStack:
        """The history in view (the group's active stack)."""
        return self.undo_group.activeStack() or self._fallback

    def stack(self, document: str) -> QUndoStack:
        """The history of ``document`` (made on first use)."""
        if document not in self._stacks:
            stack = QUndoStack(self)
            stack.setObjectName(f"undo_{document}")
            self._stacks[document] = stack
            self.undo_group.addStack(stack)
        return self._stacks[document]

    def activate(self, document: str | None) -> None:
        """Make ``document``'s history the one Ctrl+Z acts on (None: nothing in view)."""
        self.undo_group.setActiveStack(self.stack(document) if document else self._fallback)

    def undo_failed(self, document: str, what: str, text: str) -> None:
        """An undo or redo of ``text`` in ``document`` failed (the refusal was already
        emitted by :meth:`apply`): clear that history once Qt has finished with it and tell
        the user."""
        stack = self._stacks.get(document)
        if stack is not None:
            QTimer.singleShot(0, stack.clear)
        reason = str(self.last_error) if self.last_error else "it was refused"
        self.error.emit(f"Could not {what} “{text}”: {reason}. Nothing was changed; the "
                        "undo history of this document was cleared.")

    def _clear_history(self) -> None:
        # Emptied, not deleted: a stack deleted while its group or an undo action still
        # refers to it crashes Qt, and an empty stack costs nothing.
        for stack in self._stacks.values():
            stack.clear()
        self._fallback.clear()
        self.undo_group.setActiveStack(self._fallback)

    def set_workspace(self, ws: Workspace | None, coverage: Coverage | None = None) -> None:
        """Show ``ws`` (or none); ``coverage`` is its coverage when already read (off the
        GUI thread, by the opening task)."""
        old = self.workspace
        if old is not None:
            old.unsubscribe(self._on_store_event)
        self._clear_history()
        self.workspace = ws
        self._actuals_state += 1
        self._coverage = coverage if ws is not None else None
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
        if what == "actuals":
            self._actuals_state += 1
            self._coverage = None
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
        document = document_of(command)
        stack = self.stack(document)
        self.undo_group.setActiveStack(stack)
        stack.push(UndoableCommand(self, command, document))
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
