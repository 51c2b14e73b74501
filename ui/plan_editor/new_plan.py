"""New plan: from a template shipped with the app, or as a copy of an earlier plan of the
same partner rolled forward one fiscal year (targets carried, actuals cleared)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from jbp.errors import JbpError
from jbp.plans import (
    CreatePlan,
    draft_from_template,
    draft_rolled_forward,
    load_template,
    template_names,
    with_measured_actuals,
)
from ui.context import AppContext
from ui.widgets.part_table import ErrorLine


class NewPlanDialog(QDialog):
    """Asks for partner, fiscal year and where the plan starts from, then creates it
    (one undoable command). Emits :attr:`plan_created` with the new plan's id."""

    plan_created = Signal(int)

    def __init__(self, ctx: AppContext, partner_id: int | None = None,
                 roll_from: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("New joint business plan")
        self.setMinimumWidth(520)
        ws = ctx.workspace
        self.partner = QComboBox(self)
        self.partner.setObjectName("new_plan_partner")
        for p in ws.partners():
            if p.active:
                self.partner.addItem(f"{p.name} ({p.tier or 'no tier'})", p.id)
        self.year = QSpinBox(self)
        self.year.setObjectName("new_plan_year")
        self.year.setRange(2000, 2100)
        self.year.setValue(ctx.as_of.year + (1 if ctx.as_of.month >= 10 else 0))
        self.from_template = QRadioButton("From a template", self)
        self.from_template.setObjectName("new_plan_from_template")
        self.from_previous = QRadioButton("Copy an earlier plan, rolled forward one year "
                                          "(targets carried, actuals cleared)", self)
        self.from_previous.setObjectName("new_plan_from_previous")
        group = QButtonGroup(self)
        group.addButton(self.from_template)
        group.addButton(self.from_previous)
        self.template = QComboBox(self)
        self.template.setObjectName("new_plan_template")
        for name in template_names():
            self.template.addItem(load_template(name).get("name", name), name)
        self.previous = QComboBox(self)
        self.previous.setObjectName("new_plan_previous")
        self.vendor_owner = QLineEdit(self)
        self.vendor_owner.setPlaceholderText("default: the partner's manager")
        self.partner_owner = QLineEdit(self)
        self.error_line = ErrorLine(self)
        self.error_line.setObjectName("new_plan_error")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create plan")
        buttons.accepted.connect(self._create_clicked)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        form = QFormLayout()
        form.addRow("Partner", self.partner)
        form.addRow("Fiscal year", self.year)
        form.addRow(self.from_template)
        form.addRow("Template", self.template)
        form.addRow(self.from_previous)
        form.addRow("Earlier plan", self.previous)
        form.addRow("Vendor owner", self.vendor_owner)
        form.addRow("Partner owner", self.partner_owner)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_line)
        layout.addWidget(buttons)
        self.partner.currentIndexChanged.connect(self._partner_changed)
        self.from_template.toggled.connect(self._mode_changed)
        self.previous.currentIndexChanged.connect(self._mode_changed)
        self.from_template.setChecked(True)
        if roll_from is not None:
            partner_id = ws.plan(roll_from).partner_id
        if partner_id is not None:
            self.partner.setCurrentIndex(max(0, self.partner.findData(partner_id)))
        self._partner_changed()
        if roll_from is not None:
            self.from_previous.setChecked(True)
            self.previous.setCurrentIndex(max(0, self.previous.findData(roll_from)))
        self._mode_changed()

    def _partner_changed(self) -> None:
        self.previous.clear()
        pid = self.partner.currentData()
        if pid is None:
            return
        for plan in self.ctx.workspace.plans(pid):
            self.previous.addItem(f"FY{plan.fiscal_year} — {plan.title} ({plan.status})",
                                  plan.id)
        self.from_previous.setEnabled(self.previous.count() > 0)
        if not self.previous.count():
            self.from_template.setChecked(True)

    def _mode_changed(self) -> None:
        rolled = self.from_previous.isChecked()
        self.template.setEnabled(not rolled)
        self.previous.setEnabled(rolled)
        self.year.setEnabled(not rolled)
        self.vendor_owner.setEnabled(not rolled)
        self.partner_owner.setEnabled(not rolled)
        if rolled and self.previous.currentData() is not None:
            self.year.setValue(self.ctx.workspace.plan(self.previous.currentData())
                               .fiscal_year + 1)

    def _create_clicked(self) -> None:
        self.create()

    def create(self) -> int | None:
        """Build the draft and run :class:`CreatePlan`; the domain's message on refusal."""
        ws = self.ctx.workspace
        if self.ctx.editor is None:
            self.error_line.show_message("Say who you are first (Edit ▸ Switch editor…).")
            return None
        try:
            pid = self.partner.currentData()
            if pid is None:
                raise JbpError("Choose a partner.")
            if self.from_previous.isChecked():
                draft = draft_rolled_forward(ws, self.previous.currentData())
            else:
                if any(p.fiscal_year == self.year.value() for p in ws.plans(pid)):
                    raise JbpError(f"Fiscal year: this partner already has a plan for "
                                   f"FY{self.year.value()}")
                draft = draft_from_template(
                    ws, pid, self.year.value(), load_template(self.template.currentData()),
                    vendor_owner=self.vendor_owner.text().strip(),
                    partner_owner=self.partner_owner.text().strip())
            # bound KPIs start with the partner's actuals, as a refresh would fill them
            draft = with_measured_actuals(ws, draft, self.ctx.as_of)
        except JbpError as exc:
            self.error_line.show_message(str(exc))
            return None
        command = CreatePlan(self.ctx.editor, draft)
        if not self.ctx.run(command):
            self.error_line.show_message(str(self.ctx.last_error))
            return None
        self.plan_created.emit(command.plan_id)
        self.accept()
        return command.plan_id
