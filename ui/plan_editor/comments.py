"""The comment thread of the selected plan element (the plan, a goal, a KPI, an
initiative, ...): author, side and time of each comment; post, resolve and reopen."""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from jbp.commands import AddComment, ResolveComment
from jbp.errors import JbpError
from jbp.model import Comment
from ui import theme
from ui.plan_editor.session import PlanSession
from ui.widgets.keyboard import keyboard_text
from ui.widgets.part_table import ErrorLine


class CommentsPanel(QWidget):
    """Comment thread of ``session.focus``; new comments are signed with the editor."""

    def __init__(self, session: PlanSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ctx = session, session.ctx
        self.heading = QLabel(self)
        self.heading.setObjectName("comments_heading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600;")
        self.show_resolved = QCheckBox("Show resolved", self)
        self.show_resolved.toggled.connect(self.refresh)
        self.thread = QTextBrowser(self)
        self.thread.setObjectName("comments_thread")
        self.thread.setOpenLinks(False)
        self.thread.anchorClicked.connect(self._on_link)
        self.thread.setAccessibleName("Comments")
        self.input = QPlainTextEdit(self)
        self.input.setObjectName("comment_input")
        self.input.setPlaceholderText("Write a comment…")
        self.input.setMaximumHeight(90)
        keyboard_text(self.input, "New comment")
        self.input.setAccessibleDescription("Ctrl+Enter posts the comment")
        self.input.textChanged.connect(self._typed)
        self.post_button = QPushButton("Post comment", self)
        self.post_button.setObjectName("post_comment")
        self.post_button.setShortcut("Ctrl+Return")
        self.post_button.clicked.connect(self._post_clicked)
        self.error_line = ErrorLine(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Comments</b>", self))
        top.addStretch(1)
        top.addWidget(self.show_resolved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.thread, 1)
        layout.addWidget(self.input)
        layout.addWidget(self.error_line)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.post_button)
        layout.addLayout(row)
        session.loaded.connect(self.refresh)
        theme.signals().changed.connect(self.refresh)
        session.focus_changed.connect(lambda *_: self.refresh())
        self.setMinimumWidth(240)

    def comments(self) -> list[Comment]:
        """The thread shown: comments on the focused element, oldest first."""
        doc = self.session.doc
        if doc is None:
            return []
        kind, element_id, _ = self.session.focus
        return [c for c in doc.comments if c.element_kind == kind and c.element_id == element_id
                and (self.show_resolved.isChecked() or not c.resolved)]

    def refresh(self) -> None:
        label = self.session.focus[2]
        doc = self.session.doc
        self.heading.setText(label if doc is not None else "No plan open")
        parts = []
        for c in self.comments():
            colours = theme.current()
            action = (f'<a href="reopen:{c.id}">Reopen</a>' if c.resolved
                      else f'<a href="resolve:{c.id}">Resolve</a>')
            style = f"color:{colours.muted};" if c.resolved else ""
            text = html.escape(c.text).replace("\n", "<br>")
            parts.append(
                f'<div style="margin-bottom:10px;{style}">'
                f'<span style="font-weight:600">{html.escape(c.author)}</span> '
                f'{theme.side_badge(c.side)} '
                f'<span style="color:{colours.muted}">{html.escape(c.created_at)}</span>'
                f'{" · resolved" if c.resolved else ""}<br>{text}<br>'
                f'<small>{action}</small></div>')
        if not parts:
            parts.append(f'<p style="color:{theme.current().muted}">No comments yet.</p>')
        self.thread.setHtml("".join(parts))
        self.post_button.setEnabled(doc is not None)
        self.input.setEnabled(doc is not None)

    # ------------------------------------------------------------------ actions

    def _post_clicked(self) -> None:
        self.post()  # a slot returns None (PySide6 mishandles a returned bool)

    def post(self) -> bool:
        text = self.input.toPlainText().strip()
        doc = self.session.doc
        if not text or doc is None:
            return True
        kind, element_id, _ = self.session.focus
        if self.ctx.editor is None:
            self.error_line.show_message("Say who you are first (Edit ▸ Switch editor…).")
            return False
        try:
            command = AddComment(self.ctx.editor, doc.plan.id, kind, element_id, text)
        except JbpError as exc:
            self.error_line.show_message(str(exc))
            return False
        if not self.ctx.run(command):
            self.error_line.show_message(str(self.ctx.last_error or "refused"))
            return False
        self.error_line.show_message("")
        self.input.clear()
        return True

    def resolve(self, comment_id: int, resolved: bool = True) -> bool:
        doc = self.session.doc
        if doc is None or self.ctx.editor is None:
            return False
        return self.ctx.run(ResolveComment(self.ctx.editor, doc.plan.id, comment_id, resolved))

    def _on_link(self, url: QUrl) -> None:
        action, _, ident = url.toString().partition(":")
        if ident.isdigit():
            self.resolve(int(ident), action == "resolve")

    def _typed(self) -> None:
        pending = bool(self.input.toPlainText().strip())
        self.ctx.set_pending(self, "an unsent comment" if pending else None)

    def commit_pending(self) -> bool:
        return self.post()

    def discard_pending(self) -> None:
        self.input.clear()
