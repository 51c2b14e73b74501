"""Who is editing: asked once per workspace session (name and side), shown in the status
bar with a "Switch…" action. Every edit is recorded under that name and side."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from jbp.commands import Editor
from jbp.errors import JbpError
from ui import theme
from ui.context import AppContext
from ui.widgets.part_table import ErrorLine


class IdentityDialog(QDialog):
    """Name and side of the person at the keyboard. On OK the context's editor is set and
    the name is remembered (QSettings "identity/name", "identity/side") as next default."""

    def __init__(self, ctx: AppContext, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.settings = ctx, settings
        self.setWindowTitle("Who is editing?")
        self.setMinimumWidth(420)
        intro = QLabel("Both sides can type in this plan. Every edit, comment and sign-off "
                       "is recorded under your name and side.", self)
        intro.setWordWrap(True)
        self.name = QLineEdit(self)
        self.name.setObjectName("identity_name")
        current = ctx.editor
        self.name.setText(current.author if current else
                          str(settings.value("identity/name", "") or ""))
        self.vendor = QRadioButton("Vendor side", self)
        self.vendor.setObjectName("identity_vendor")
        self.partner = QRadioButton("Partner side", self)
        self.partner.setObjectName("identity_partner")
        group = QButtonGroup(self)
        group.addButton(self.vendor)
        group.addButton(self.partner)
        side = current.side if current else str(settings.value("identity/side", "vendor"))
        (self.partner if side == "partner" else self.vendor).setChecked(True)
        sides = QHBoxLayout()
        sides.addWidget(self.vendor)
        sides.addWidget(self.partner)
        sides.addStretch(1)
        self.error_line = ErrorLine(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Read only")
        self.buttons = buttons
        form = QFormLayout()
        form.addRow("Your name", self.name)
        form.addRow("Side", sides)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_line)
        layout.addWidget(buttons)

    def editor(self) -> Editor:
        return Editor(self.name.text(), "partner" if self.partner.isChecked() else "vendor")

    def accept(self) -> None:
        try:
            editor = self.editor()
        except JbpError as exc:
            self.error_line.show_message(str(exc))
            return
        self.settings.setValue("identity/name", editor.author)
        self.settings.setValue("identity/side", editor.side)
        self.ctx.set_editor(editor)
        super().accept()


class IdentityBadge(QWidget):
    """Status-bar widget: "Editing as Dana Whitfield (vendor side)  [Switch…]"."""

    switch_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.label = QLabel(self)
        self.label.setObjectName("identity_label")
        self.button = QPushButton("Switch…", self)
        self.button.setObjectName("identity_switch")
        self.button.setFlat(True)
        self.button.clicked.connect(self.switch_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        ctx.editor_changed.connect(self.refresh)
        ctx.workspace_changed.connect(self.refresh)
        theme.signals().changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        e = self.ctx.editor
        if e is None:
            self.label.setText("<i>Read only — say who you are to edit</i>")
            self.button.setText("Sign in…")
        else:
            role = "vendor_text" if e.side == "vendor" else "partner_text"
            self.label.setText(f"Editing as <b>{e.author}</b> "
                               f"{theme.span(f'({e.side} side)', role)}")
            self.button.setText("Switch…")
