"""Agreement: move the plan Draft → In review → Approved (→ Active → Closed), sign off for
your side, and — once approved — see every amendment against the frozen baseline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jbp.commands import TRANSITIONS, ChangeStatus, SignOffPlan
from jbp.errors import JbpError
from jbp.model import PlanStatus
from ui import theme
from ui.plan_editor.models import RecordTableModel
from ui.plan_editor.session import PlanSession
from ui.widgets.keyboard import keyboard_view
from ui.widgets.part_table import ErrorLine

#: Button text for each status change (target status by current status).
ACTION_TEXT = {
    (PlanStatus.DRAFT, PlanStatus.IN_REVIEW): "Submit for review",
    (PlanStatus.IN_REVIEW, PlanStatus.DRAFT): "Back to draft",
    (PlanStatus.IN_REVIEW, PlanStatus.APPROVED): "Approve (needs both sign-offs)",
    (PlanStatus.APPROVED, PlanStatus.ACTIVE): "Activate",
    (PlanStatus.APPROVED, PlanStatus.IN_REVIEW): "Reopen for review",
    (PlanStatus.ACTIVE, PlanStatus.CLOSED): "Close plan",
    (PlanStatus.ACTIVE, PlanStatus.IN_REVIEW): "Reopen for review",
    (PlanStatus.CLOSED, PlanStatus.ACTIVE): "Reopen",
}

def approve_text(signed: set[str]) -> str:
    """The Approve button says which sign-offs are still missing, and nothing once both
    sides have signed."""
    missing = [side for side in ("vendor", "partner") if side not in signed]
    if not missing:
        return "Approve"
    if len(missing) == 2:
        return "Approve (needs both sign-offs)"
    return f"Approve (needs the {missing[0]} sign-off)"


def _who(a) -> str:
    return f"{a.author} ({a.side})" if a.author else ""


class AgreementPanel(QWidget):
    """Status, sign-offs and amendments of the session's plan."""

    def __init__(self, session: PlanSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ctx = session, session.ctx
        self.status_label = QLabel(self)
        self.status_label.setObjectName("agreement_status")
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.actions_row = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        self.role_edit = QLineEdit(self)
        self.role_edit.setPlaceholderText("Your role (optional), e.g. Alliance lead")
        self.role_edit.setAccessibleName("Your role (optional)")
        self.sign_button = QPushButton("Sign off", self)
        self.sign_button.setObjectName("sign_off")
        self.sign_button.clicked.connect(self._sign_clicked)
        self.error_line = ErrorLine(self)
        self.signoffs = RecordTableModel([
            ("Side", lambda s: s.side), ("Signed by", lambda s: s.name),
            ("Role", lambda s: s.role or ""), ("When", lambda s: s.signed_at)], self)
        self.signoff_view = self._table(self.signoffs, "signoffs")
        self.signoff_view.setMaximumHeight(110)
        self.amendments = RecordTableModel([
            ("Element", lambda a: a.element), ("Field", lambda a: a.field),
            ("Baseline", lambda a: a.baseline), ("Current", lambda a: a.current),
            ("Changed by", _who), ("When", lambda a: a.at)], self)
        self.amendment_view = self._table(self.amendments, "amendments")
        self.amendment_summary = QLabel(self)
        self.amendment_summary.setWordWrap(True)
        self.show_actuals = QCheckBox("Include reported actuals", self)
        self.show_actuals.setToolTip("Actuals filled in after approval are tracking, not "
                                     "changes to what was agreed; hidden unless checked.")
        self.show_actuals.toggled.connect(self.refresh)
        header = self.amendment_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((260, 130, 150, 150, 160)):
            header.resizeSection(col, width)
        self.amendment_view.setWordWrap(False)

        sign_row = QHBoxLayout()
        sign_row.addWidget(self.role_edit, 1)
        sign_row.addWidget(self.sign_button)
        status_box = QGroupBox("Agreement", self)
        box = QVBoxLayout(status_box)
        box.addWidget(self.status_label)
        box.addWidget(self.explain)
        box.addLayout(self.actions_row)
        box.addLayout(sign_row)
        box.addWidget(self.error_line)
        box.addWidget(QLabel("Sign-offs", self))
        box.addWidget(self.signoff_view)
        amend_box = QGroupBox("Amendments since approval (baseline → current)", self)
        abox = QVBoxLayout(amend_box)
        row = QHBoxLayout()
        row.addWidget(self.amendment_summary, 1)
        row.addWidget(self.show_actuals)
        abox.addLayout(row)
        abox.addWidget(self.amendment_view, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(status_box)
        layout.addWidget(amend_box, 1)
        session.loaded.connect(self.refresh)
        self.ctx.editor_changed.connect(self.refresh)

    def _table(self, model, name: str) -> QTableView:
        view = QTableView(self)
        view.setObjectName(f"table_{name}")
        view.setModel(model)
        view.verticalHeader().setVisible(False)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        view.setAlternatingRowColors(True)
        keyboard_view(view, name.capitalize().replace("Signoffs", "Sign-offs"))
        return view

    def refresh(self) -> None:
        doc = self.session.doc
        for button in self.action_buttons.values():
            self.actions_row.removeWidget(button)
            button.hide()  # until deleteLater runs it would float at the panel's corner
            button.setParent(None)  # and out of the Tab order at once (see below)
            button.deleteLater()
        self.action_buttons.clear()
        if doc is None:
            self.status_label.setText("")
            self.signoffs.set_elements([])
            self.amendments.set_elements([])
            return
        plan = doc.plan
        self.status_label.setText(
            theme.status_badge(plan.status, "font-size:15pt;")
            + (f"&nbsp; approved {plan.approved_at}" if plan.approved_at else ""))
        signed = {s.side for s in doc.signoffs}
        if plan.status == PlanStatus.DRAFT:
            text = "Both sides edit freely. Submit for review when the plan is ready to sign."
        elif plan.status == PlanStatus.IN_REVIEW:
            missing = [s for s in ("vendor", "partner") if s not in signed]
            text = ("Waiting for a sign-off from the " + " and ".join(missing) + " side."
                    if missing else "Both sides signed: the plan can be approved.")
        else:
            text = ("Approved plans keep their baseline; every edit since is an amendment "
                    "listed below.")
        self.explain.setText(text)
        # The status buttons are made here, after the rest of the window: put them in the
        # Tab order where they show, before the sign-off row.
        previous = self.role_edit.previousInFocusChain()
        while not previous.focusPolicy() & Qt.FocusPolicy.TabFocus:
            previous = previous.previousInFocusChain()  # Qt orders after a focusable one
        for target in TRANSITIONS[PlanStatus(plan.status)]:
            text = ACTION_TEXT.get((plan.status, target), f"Set {target}")
            if target == PlanStatus.APPROVED:
                text = approve_text(set(signed))
            button = QPushButton(text, self)
            button.setObjectName(f"status_{target.value.replace(' ', '_').lower()}")
            button.clicked.connect(lambda _=False, t=target.value: self._status_clicked(t))
            self.actions_row.addWidget(button)
            self.action_buttons[target.value] = button
            QWidget.setTabOrder(previous, button)
            previous = button
        me = self.ctx.editor
        can_sign = (plan.status == PlanStatus.IN_REVIEW and me is not None
                    and me.side not in signed)
        self.sign_button.setEnabled(can_sign)
        self.sign_button.setText(f"Sign off as {me.author} ({me.side} side)" if me
                                 else "Sign off")
        self.role_edit.setEnabled(can_sign)
        self.signoffs.set_elements(doc.signoffs)
        shown = [a for a in self.session.amendments
                 if self.show_actuals.isChecked() or not a.field.startswith("Actual ")]
        self.amendments.set_elements(shown)
        n = len(shown)
        if not plan.baseline:
            self.amendment_summary.setText("Not approved yet: there is no baseline.")
        else:
            self.amendment_summary.setText(
                f"{n} change{'s' if n != 1 else ''} against the baseline frozen at approval "
                f"({plan.approved_at}){'' if self.show_actuals.isChecked() else ', besides reported actuals'}. "
                "Amended cells are highlighted in the tables.")

    # ------------------------------------------------------------------ actions

    def _run(self, build) -> bool:
        if self.ctx.editor is None:
            self.error_line.show_message("Say who you are first (Edit ▸ Switch editor…).")
            return False
        try:
            command = build()
        except JbpError as exc:
            self.error_line.show_message(str(exc))
            return False
        if not self.ctx.run(command):
            self.error_line.show_message(str(self.ctx.last_error or "refused"))
            return False
        self.error_line.show_message("")
        return True

    # Slots return None: PySide6 mishandles a bool returned by a Python slot.
    def _status_clicked(self, status: str) -> None:
        self.change_status(status)

    def _sign_clicked(self) -> None:
        self.sign_off()

    def change_status(self, status: str) -> bool:
        doc = self.session.doc
        if doc is None:
            return False
        return self._run(lambda: ChangeStatus(self.ctx.editor, doc.plan.id, status))

    def sign_off(self) -> bool:
        doc = self.session.doc
        if doc is None:
            return False
        ok = self._run(lambda: SignOffPlan(self.ctx.editor, doc.plan.id,
                                           role=self.role_edit.text()))
        if ok:
            self.role_edit.clear()
        return ok
