"""The plan's overview: partner, period, status, owners and sponsors on both sides, and
the executive summary. Each field is saved when the user leaves it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from jbp.commands import SetField
from jbp.errors import JbpError
from jbp.model import Plan
from ui import theme
from ui.plan_editor.session import PlanSession
from ui.widgets.part_table import ErrorLine

#: Plan fields edited on this form, in order (status and partner have their own actions).
FORM_FIELDS = ("title", "fiscal_year", "vendor_owner", "partner_owner", "vendor_sponsor",
               "partner_sponsor", "executive_summary")

_INVALID_STYLE = "border: 1px solid $error_text; background: $error_bg; color: $error_fg;"


class OverviewForm(QWidget):
    """Form over the plan's own fields. A refused value shows the domain's message under
    the field and the field goes back to the stored value."""

    def __init__(self, session: PlanSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ctx = session, session.ctx
        self.editors: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.errors: dict[str, ErrorLine] = {}
        self.partner_label = QLabel(self)
        self.partner_label.setObjectName("overview_partner")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("overview_status")
        form = QFormLayout()
        form.addRow("Partner", self.partner_label)
        form.addRow("Status", self.status_label)
        for name in FORM_FIELDS:
            f = Plan.field(name)
            if f.kind == "longtext":
                editor: QLineEdit | QPlainTextEdit = QPlainTextEdit(self)
                editor.setMinimumHeight(140)
                editor.setTabChangesFocus(True)  # Tab moves on; the summary needs no tabs
                editor.installEventFilter(self)
                editor.textChanged.connect(lambda n=name: self._typed(n))
            else:
                editor = QLineEdit(self)
                # Enter commits; leaving the field commits in eventFilter (not when a
                # dialog takes the focus: the unsaved-edit prompt's Discard must discard).
                editor.returnPressed.connect(lambda n=name: self._commit_slot(n))
                editor.installEventFilter(self)
                editor.textEdited.connect(lambda _t, n=name: self._typed(n))
            editor.setObjectName(f"plan_{name}")
            editor.setToolTip(f.label + (f" ({f.unit})" if f.unit else ""))
            self.editors[name] = editor
            error = ErrorLine(self)
            error.setObjectName(f"error_{name}")
            self.errors[name] = error
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(editor)
            box.addWidget(error)
            label = QLabel(f.label, self)
            label.setBuddy(editor)  # a screen reader names the field by its label
            form.addRow(label, box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        session.loaded.connect(self.refresh)
        self._loading = False

    # ------------------------------------------------------------------ view

    def refresh(self) -> None:
        doc = self.session.doc
        self._loading = True
        try:
            if doc is None:
                for editor in self.editors.values():
                    editor.setPlainText("") if isinstance(editor, QPlainTextEdit) \
                        else editor.setText("")
                return
            plan = doc.plan
            self.partner_label.setText(f"<b>{doc.partner.name}</b> — {doc.partner.type}, "
                                       f"{doc.partner.region}, tier {doc.partner.tier or '–'}")
            approved = f" (approved {plan.approved_at})" if plan.approved_at else ""
            self.status_label.setText(f"{plan.status}{approved}")
            for name, editor in self.editors.items():
                if editor.hasFocus() and self.is_dirty(name):
                    continue  # do not overwrite what the user is typing
                self._show_stored(name)
        finally:
            self._loading = False

    def stored_text(self, name: str) -> str:
        doc = self.session.doc
        if doc is None:
            return ""
        return Plan.field(name).display(getattr(doc.plan, name))

    def _show_stored(self, name: str) -> None:
        editor = self.editors[name]
        text = self.stored_text(name)
        if isinstance(editor, QPlainTextEdit):
            if editor.toPlainText() != text:
                editor.setPlainText(text)
        elif editor.text() != text:
            editor.setText(text)

    def text_of(self, name: str) -> str:
        editor = self.editors[name]
        return editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()

    def is_dirty(self, name: str) -> bool:
        return self.session.doc is not None and self.text_of(name) != self.stored_text(name)

    def _typed(self, name: str) -> None:
        if self._loading:
            return
        dirty = [n for n in FORM_FIELDS if self.is_dirty(n)]
        label = Plan.field(dirty[0]).label if dirty else ""
        self.ctx.set_pending(self, f"an edit of the plan's {label.lower()}" if dirty else None)

    # ------------------------------------------------------------------ edits

    def commit(self, name: str) -> bool:
        """Save field ``name`` if it changed. False if the domain refused it."""
        doc = self.session.doc
        if doc is None or self._loading or not self.is_dirty(name):
            return True
        error, editor = self.errors[name], self.editors[name]
        message = ""
        if self.ctx.editor is None:
            message = "Say who you are first (Edit ▸ Switch editor…)."
        else:
            try:
                command = SetField(self.ctx.editor, "plan", doc.plan.id, name,
                                   self.text_of(name))
            except JbpError as exc:
                message = str(exc)
                self.ctx.error.emit(message)
            else:
                if not self.ctx.run(command):
                    message = str(self.ctx.last_error or "refused")
        if message:
            error.show_message(message)
            theme.style(editor, _INVALID_STYLE)
            self._show_stored(name)  # the stored value stays; the message says why
        else:
            error.show_message("")
            theme.style(editor, "")
        self._typed(name)
        return not message

    def _commit_slot(self, name: str) -> None:
        self.commit(name)  # a slot returns None (PySide6 mishandles a returned bool)

    def commit_pending(self) -> bool:
        return all([self.commit(n) for n in FORM_FIELDS])

    def discard_pending(self) -> None:
        for name in FORM_FIELDS:
            self._show_stored(name)
        self.ctx.set_pending(self, None)

    def revert(self, name: str) -> None:
        """Esc: show the stored value again and forget what was typed."""
        self._show_stored(name)
        self.errors[name].show_message("")
        theme.style(self.editors[name], "")
        self._typed(name)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        name = next((n for n, e in self.editors.items() if e is obj), None)
        if name is None:
            return super().eventFilter(obj, event)
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape
                and self.is_dirty(name)):
            self.revert(name)
            return True
        if event.type() == QEvent.Type.FocusOut and event.reason() not in (
                Qt.FocusReason.ActiveWindowFocusReason, Qt.FocusReason.PopupFocusReason):
            self._commit_slot(name)
        return super().eventFilter(obj, event)
