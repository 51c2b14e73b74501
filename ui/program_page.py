"""The Program page: the program's settings, its tiers and its costs, all editable with undo.

Every edit is a command of :mod:`jbp.program_edit` run through the context (Edit ▸ Undo takes
it back); a refused value (amber above green, thresholds that do not rise, a currency
change once amounts are stored) is shown at the field and never saved. A change to a tier's
thresholds first shows what it does to today's partners (:func:`jbp.program_edit.tier_preview`,
computed off the GUI thread) and offers to try it in the Scenario Lab before applying it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jbp import store
from jbp.errors import JbpError, ValidationError
from jbp.fields import Field
from jbp.locale_numbers import typable
from jbp.model import Program, Tier
from jbp.program_edit import (
    COST_CATEGORIES,
    SetCost,
    SetProgramField,
    SetTierField,
    TierPreview,
    changed_tier_program,
    tier_preview,
)
from jbp.setup import MONTHS
from ui import i18n, theme
from ui.command_table import CommandTableModel
from ui.context import AppContext
from ui.plan_editor.models import field_columns
from ui.widgets.field_delegate import NUMBER_KINDS, FieldDelegate, read_typed
from ui.widgets.keyboard import keyboard_view
from ui.widgets.part_table import ErrorLine
from ui.workers import Task, start_task

#: How a typed cost is read (the domain's SetCost checks it).
COST_FIELD = Field("amount", "money", "Amount")

#: Tier fields whose change moves partners between tiers (previewed before applying).
THRESHOLDS = ("min_sourced_revenue", "min_certifications", "min_new_logos")


# ---------------------------------------------------------------------- off-thread steps


def preview_step(ws_path: Path, program: Program, as_of) -> TierPreview:
    with store.Workspace.open(ws_path) as ws:
        return tier_preview(ws, program, as_of)


def trial_params(ws_path: Path, program: Program, name: str) -> dict[str, Any]:
    """A scenario calibrated from the workspace with ``program``'s tiers instead of the
    current ones: what "Try it in the Scenario Lab first" adds there."""
    from simulation.calibrate import baseline_from_workspace
    from simulation.scenario import Scenario

    with store.Workspace.open(ws_path) as ws:
        data = baseline_from_workspace(ws, name=name).scenario.to_dict()
    data["tiers"]["levels"] = [t.values() for t in program.tiers_by_rank()]
    data["description"] = "The workspace's baseline with the tier change tried on the " \
                          "Program page"
    return Scenario.from_dict(data).to_dict()


# ---------------------------------------------------------------------- the preview dialog


class TierPreviewDialog(QDialog):
    """What a tier change does to today's partners; Apply, Try it in the Scenario Lab
    first, or Cancel."""

    APPLY, TRY, CANCEL = "apply", "try", "cancel"
    decided = Signal(str)

    def __init__(self, title: str, preview: TierPreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("tier_preview")
        self.setWindowTitle("Before the tier change")
        self.preview = preview
        head = QLabel(f"<b>{title}</b><br>On {preview.as_of:%d %b %Y}, of "
                      f"{preview.partners} active partners <b>{len(preview.up)}</b> would "
                      f"move up and <b>{len(preview.down)}</b> down.", self)
        head.setObjectName("tier_preview_summary")
        head.setWordWrap(True)
        self.table = QTableWidget(len(preview.moves), 3, self)
        self.table.setObjectName("tier_preview_moves")
        self.table.setHorizontalHeaderLabels(["Partner", "Tier today", "Would be"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, m in enumerate(preview.moves):
            arrow = "↑ " if m.up else "↓ "
            for c, text in enumerate((m.partner, m.old or "(none)", arrow + (m.new or "(none)"))):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(self)
        self.apply_button = buttons.addButton("Apply the change",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setObjectName("tier_preview_apply")
        self.try_button = buttons.addButton("Try it in the Scenario Lab first",
                                            QDialogButtonBox.ButtonRole.ActionRole)
        self.try_button.setObjectName("tier_preview_try")
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.clicked.connect(lambda: self._decide(self.APPLY))
        self.try_button.clicked.connect(lambda: self._decide(self.TRY))
        cancel.clicked.connect(lambda: self._decide(self.CANCEL))
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 380)

    def _decide(self, choice: str) -> None:
        self.decided.emit(choice)
        self.done(QDialog.DialogCode.Accepted if choice == self.APPLY
                  else QDialog.DialogCode.Rejected)


# ---------------------------------------------------------------------- the page


def unit_words(unit: str, currency: str) -> str:
    """A field's unit as the user reads it: "currency per customer" → "USD per customer",
    "fraction of target" → "% of target" (fractions are typed and shown as percent), "" for
    a unit the label already says (a month's name)."""
    if unit in ("", "month"):
        return ""
    if unit.startswith("fraction"):
        rest = unit[len("fraction"):].strip()
        return "%" if not rest or rest[0].isdigit() else f"% {rest}"
    return unit.replace("currency", currency or "currency")


def header_title(text: str, width: int = 12) -> str:
    """A column title on two lines when it is longer than ``width`` characters, broken at
    the space nearest its middle ("Min T12M sourced\nrevenue (GBP)")."""
    if len(text) <= width or " " not in text:
        return text
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut] + "\n" + text[cut + 1:]


class ProgramPage(QWidget):
    """Settings, tiers and costs of the program (see the module docstring)."""

    message = Signal(str)

    #: Ctrl+Z here acts on the program's history (see ui.context).
    undo_document = "program"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview_dialog: TierPreviewDialog | None = None
        self.task: Task | None = None
        self.title = QLabel(self)
        self.title.setObjectName("program_title")
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._settings_tab(), "Settings and tiers")
        self.tabs.addTab(self._costs_tab(), "Program costs")
        self.tabs.addTab(self._log_tab(), "Change log")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        ctx.workspace_changed.connect(self.reload)
        ctx.data_changed.connect(self._data_changed)
        # The change log is read when its tab is shown: at 20,000 partners its newest 500
        # rows took 120 ms on the GUI thread as a workspace opened behind the Portfolio.
        self._log_stale = False
        self.tabs.currentChanged.connect(lambda _i: self._read_log_if_shown())
        self.reload()

    # ------------------------------------------------------------------ building

    def _settings_tab(self) -> QWidget:
        tab = QWidget(self)
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}  # each setting's label, with its unit
        box = QGroupBox("Program settings", tab)
        form = QFormLayout(box)
        for f in Program.FIELDS:
            if f.name == "fiscal_year_start_month":
                editor: QWidget = QComboBox(box)
                editor.addItems(list(MONTHS))
                editor.activated.connect(lambda i, n=f.name: self.set_setting(n, i + 1))
            else:
                editor = QLineEdit(box)
                editor.editingFinished.connect(lambda n=f.name: self._line_edited(n))
            editor.setObjectName(f"program_{f.name}")
            self.editors[f.name] = editor
            label = QLabel(f.label, box)
            label.setObjectName(f"program_{f.name}_label")
            label.setBuddy(editor)
            self.labels[f.name] = label
            form.addRow(label, editor)
        self.values = self.editors  # each setting's widget by field name (its text: the value)
        self.settings_error = ErrorLine(box)
        self.settings_error.setObjectName("program_error")
        form.addRow(self.settings_error)
        self.tiers = CommandTableModel(
            self.ctx, field_columns(Tier, [f.name for f in Tier.FIELDS if f.name != "rank"]),
            self._tier_command, {f.name for f in Tier.FIELDS if f.name != "rank"},
            confirm=self._confirm_tier, parent=self)
        self.view = QTableView(tab)
        self.view.setObjectName("program_tiers")
        self.view.setModel(self.tiers)
        self.delegate = FieldDelegate(self.ctx, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        # Each column as wide as its two-line title or its values, the rest to the last.
        self.view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        keyboard_view(self.view, "Tiers")
        self.tier_error = ErrorLine(tab)
        self.tier_error.setObjectName("tier_error")
        self.tiers.edit_refused.connect(lambda _i, msg: self.tier_error.show_message(msg))
        note = QLabel("A partner holds the highest tier whose every threshold it meets "
                      "(trailing-12-month sourced revenue, certified people, net new logos). "
                      "Thresholds must rise with the tier. Changing one first shows which of "
                      "today's partners it moves, and offers to try it in the Scenario Lab.",
                      tab)
        note.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Tiers</b> (double-click a cell to change it)", tab))
        right.addWidget(self.view, 1)
        right.addWidget(self.tier_error)
        right.addWidget(note)
        row = QHBoxLayout(tab)
        row.addWidget(box)
        row.addLayout(right, 1)
        box.setMaximumWidth(440)
        return tab

    def _costs_tab(self) -> QWidget:
        tab = QWidget(self)
        cats = list(COST_CATEGORIES)
        self.costs = QTableWidget(0, len(cats) + 1, tab)
        self.costs.setObjectName("program_costs")
        self.costs.setHorizontalHeaderLabels(["Month", *[c.capitalize() for c in cats]])
        for i, c in enumerate(cats, start=1):
            self.costs.horizontalHeaderItem(i).setToolTip(COST_CATEGORIES[c])
        self.costs.verticalHeader().setVisible(False)
        self.costs.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.costs.itemChanged.connect(self._cost_changed)
        keyboard_view(self.costs, "Program costs per month")
        self.new_month = QLineEdit(tab)
        self.new_month.setObjectName("cost_new_month")
        self.new_month.setPlaceholderText("YYYY-MM")
        self.new_month.setAccessibleName("New month (YYYY-MM)")
        add = QPushButton("Add month", tab)
        add.setObjectName("cost_add_month")
        add.clicked.connect(self.add_month)
        imp = QPushButton("Import a cost file…", tab)
        imp.setObjectName("cost_import")
        imp.clicked.connect(self.import_costs)
        self.cost_error = ErrorLine(tab)
        self.cost_note = QLabel(tab)
        self.cost_note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.new_month)
        bar.addWidget(add)
        bar.addStretch(1)
        bar.addWidget(imp)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.cost_note)
        layout.addLayout(bar)
        layout.addWidget(self.costs, 1)
        layout.addWidget(self.cost_error)
        return tab

    def _log_tab(self) -> QWidget:
        tab = QWidget(self)
        self.log = QTableWidget(0, 6, tab)
        self.log.setObjectName("program_log")
        self.log.setHorizontalHeaderLabels(["When", "Who", "What", "Field", "Before", "After"])
        self.log.verticalHeader().setVisible(False)
        self.log.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log.horizontalHeader().setStretchLastSection(True)
        keyboard_view(self.log, "Program change log")
        QVBoxLayout(tab).addWidget(self.log)
        return tab

    # ------------------------------------------------------------------ showing

    def _data_changed(self, what: str) -> None:
        if what in ("program", "actuals"):
            self.reload()

    def reload(self) -> None:
        ws = self.ctx.workspace
        if ws is None:
            self.tiers.set_elements([])
            return
        program = ws.program()
        self.title.setText(f"<span style='font-size:14pt;font-weight:600'>{program.name}"
                           f"</span>&nbsp;&nbsp;amounts in <b>{program.currency}</b>")
        self._say_units(program.currency)
        for f in Program.FIELDS:
            editor = self.editors[f.name]
            value = getattr(program, f.name)
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(int(value) - 1)
            else:
                style = i18n.number_style()  # typed back: grouped only where unambiguous
                editor.setText(typable(f.display(value), style) if f.kind in NUMBER_KINDS
                               else f.display(value, style))
                editor.setCursorPosition(0)  # a long program name shows its start
                theme.style(editor, "")
        self.tiers.set_elements(program.tiers_by_rank())
        self.view.resizeRowsToContents()
        self._load_costs(ws, program.currency)
        self._log_stale = True
        self._read_log_if_shown()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._read_log_if_shown()

    def _read_log_if_shown(self) -> None:
        ws = self.ctx.workspace
        if self._log_stale and ws is not None and self.log.isVisible():
            self._log_stale = False
            self._load_log(ws)

    def _say_units(self, currency: str) -> None:
        """Labels, hints and tool tips name units in the user's words, with the workspace's
        currency ("Direct CAC (USD per customer)", "Influence weight (%)")."""
        for f in Program.FIELDS:
            words = unit_words(f.unit, currency)
            self.labels[f.name].setText(f"{f.label} ({words})" if words else f.label)
            editor = self.editors[f.name]
            editor.setToolTip(f.label + (f" in {words}" if words else ""))
            if isinstance(editor, QLineEdit):
                editor.setPlaceholderText(words)
        for col in self.tiers.columns:
            if col.field is not None:
                words = unit_words(col.field.unit, currency)
                col.tooltip = col.field.label + (f" ({words})" if words else "")
                # Two lines, the currency named: "Min T12M sourced / revenue (GBP)" is read
                # whole at 1366 pixels, where one line was cut to ".2M sourced re".
                col.title = header_title(col.field.label + (
                    f" ({words})" if col.field.kind == "money" else ""))
        self.tiers.headerDataChanged.emit(Qt.Orientation.Horizontal, 0,
                                          self.tiers.columnCount() - 1)

    def _load_costs(self, ws, currency: str) -> None:
        cats = list(COST_CATEGORIES)
        by_month: dict[str, dict[str, float]] = {}
        for month, cat, amount in store.cost_table(ws):
            by_month.setdefault(month, {})[cat] = amount
        extra = getattr(self, "_extra_months", set())
        for m in extra:
            by_month.setdefault(m, {})
        self.costs.blockSignals(True)
        self.costs.setRowCount(len(by_month))
        for r, month in enumerate(sorted(by_month)):
            item = QTableWidgetItem(month[:7])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.costs.setItem(r, 0, item)
            for c, cat in enumerate(cats, start=1):
                value = by_month[month].get(cat)
                cell = QTableWidgetItem("" if value is None else
                                        i18n.number_style().number(f"{value:,.2f}"))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
                self.costs.setItem(r, c, cell)
        self.costs.blockSignals(False)
        self.cost_note.setText(
            f"Program-wide costs per month in {currency} (partner-specific rows are kept as "
            "imported and counted on top). ROPI's investment counts these with MDF: "
            + "; ".join(f"<b>{c}</b>: {d}" for c, d in COST_CATEGORIES.items()) + ".")

    def _load_log(self, ws) -> None:
        rows = store.program_revisions(ws, newest=500)[::-1]
        self.log.setRowCount(len(rows))
        for r, rev in enumerate(rows):
            for c, v in enumerate((rev["at"], f"{rev['author']} ({rev['side']})",
                                   f"{rev['action']} {rev['element_kind']} "
                                   f"{rev['element_id']}", rev["field"],
                                   "" if rev["old"] is None else str(rev["old"]),
                                   "" if rev["new"] is None else str(rev["new"]))):
                self.log.setItem(r, c, QTableWidgetItem(v))

    # ------------------------------------------------------------------ settings

    def _line_edited(self, name: str) -> None:
        editor = self.editors[name]
        assert isinstance(editor, QLineEdit)
        try:  # read in the user's locale (ui.i18n); what reads two ways is refused here
            value = read_typed(editor.text(), Program.field(name))
        except ValidationError as exc:
            self._refuse_setting(name, str(ValidationError(exc.field, exc.reason,
                                                           element="Program")))
            return
        self.set_setting(name, value)

    def set_setting(self, name: str, value: Any) -> bool:
        """Apply one program setting through the undo stack; a refusal is shown at the
        field (red frame, message) and the stored value stays."""
        ws, editor = self.ctx.workspace, self.editors[name]
        if ws is None:
            return False
        if self.ctx.editor is None:
            return self._refuse_setting(name, "Say who you are first (Edit ▸ Switch editor…)")
        try:
            command = SetProgramField(self.ctx.editor, name, value)
        except JbpError as exc:
            return self._refuse_setting(name, str(exc))
        if getattr(ws.program(), name) == command.value:
            theme.style(editor, "")
            self.settings_error.show_message("")
            return True
        if not self.ctx.run(command):
            return self._refuse_setting(name, str(self.ctx.last_error))
        self.settings_error.show_message("")
        return True

    def _refuse_setting(self, name: str, message: str) -> bool:
        editor = self.editors[name]
        self.settings_error.show_message(message)
        theme.style(editor, "border: 2px solid $error_text;")
        editor.setToolTip(message)
        return False

    # ------------------------------------------------------------------ tiers

    def _tier_command(self, tier: Tier, field: str, value: Any) -> SetTierField:
        return SetTierField(self.ctx.editor, tier.name, field, value)

    def _confirm_tier(self, tier: Tier, field: str, value: Any) -> bool:
        """Threshold changes wait for the preview (off-thread) and the user's choice;
        other fields apply at once. Raises for a change the program refuses."""
        ws = self.ctx.workspace
        changed = changed_tier_program(ws.program(), tier.name, field, value)
        self.tier_error.show_message("")
        if field not in THRESHOLDS:
            return True
        label = Tier.field(field).label
        title = f"{tier.name}: {label} {Tier.field(field).display(getattr(tier, field))} → " \
                f"{Tier.field(field).display(value)}"
        self.task = start_task(preview_step, ws.path, changed, self.ctx.as_of,
                               title="Tier change preview", uses_state=False, parent=self)
        self.task.succeeded.connect(
            lambda p: self._show_preview(title, p, tier.name, field, value, changed))
        self.task.failed.connect(lambda msg, _e: self.tier_error.show_message(msg))
        self.message.emit("Working out which partners the change moves…")
        return False

    def _show_preview(self, title: str, preview: TierPreview, tier: str, field: str,
                      value: Any, changed: Program) -> None:
        dialog = TierPreviewDialog(title, preview, self)
        self.preview_dialog = dialog

        def decided(choice: str) -> None:
            if choice == TierPreviewDialog.APPLY:
                if self.ctx.run(SetTierField(self.ctx.editor, tier, field, value)):
                    self.message.emit(f"Tier {tier} changed: {len(preview.up)} partners up, "
                                      f"{len(preview.down)} down (Edit ▸ Undo takes it back)")
                else:
                    self.tier_error.show_message(str(self.ctx.last_error))
            elif choice == TierPreviewDialog.TRY:
                self.try_in_scenario_lab(changed, title)

        dialog.decided.connect(decided)
        dialog.open()

    def try_in_scenario_lab(self, program: Program, title: str) -> Task | None:
        """Add a scenario with the changed tiers to the Scenario Lab (calibrated off the
        GUI thread) and show it there; the program itself stays as it is."""
        from jbp.scenarios import CreateScenario, unique_name

        ws = self.ctx.workspace
        if ws is None:
            return None
        name = unique_name(ws, f"Tier change: {title.split(':')[0]}")
        task = start_task(trial_params, ws.path, program, name,
                          title="Preparing the scenario", uses_state=False, parent=self)

        def ready(params: dict[str, Any]) -> None:
            if self.ctx.run(CreateScenario(name, params)):
                self.message.emit(f"Scenario “{name}” added to the Scenario Lab; run it "
                                  "against the baseline before changing the program.")
                window = self.window()
                if hasattr(window, "show_page"):
                    window.show_page("Scenario Lab")

        task.succeeded.connect(ready)
        task.failed.connect(lambda msg, _e: self.tier_error.show_message(msg))
        self.task = task
        return task

    # ------------------------------------------------------------------ costs

    def add_month(self) -> None:
        text = self.new_month.text().strip()
        try:
            from jbp.program_edit import month_start

            month = month_start(text).isoformat()
        except JbpError as exc:
            self.cost_error.show_message(str(exc))
            return
        self._extra_months = getattr(self, "_extra_months", set()) | {month}
        self.cost_error.show_message("")
        self.new_month.clear()
        if self.ctx.workspace is not None:
            self._load_costs(self.ctx.workspace, self.ctx.workspace.program().currency)

    def _cost_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0 or self.ctx.workspace is None:
            return
        month = self.costs.item(item.row(), 0).text()
        category = list(COST_CATEGORIES)[item.column() - 1]
        try:  # read in the user's locale (ui.i18n)
            amount = read_typed(item.text(), COST_FIELD)
        except ValidationError as exc:
            self.cost_error.show_message(str(exc))
            self._load_costs(self.ctx.workspace, self.ctx.workspace.program().currency)
            return
        self.set_cost(month, category, amount)

    def set_cost(self, month: str, category: str, amount: Any) -> bool:
        if self.ctx.editor is None:
            self.cost_error.show_message("Say who you are first (Edit ▸ Switch editor…)")
            return False
        try:
            command = SetCost(self.ctx.editor, month, category, amount)
        except JbpError as exc:
            self.cost_error.show_message(str(exc))
            self._load_costs(self.ctx.workspace, self.ctx.workspace.program().currency)
            return False
        ok = self.ctx.run(command)
        self.cost_error.show_message("" if ok else str(self.ctx.last_error))
        return ok

    def import_costs(self):
        from ui.import_wizard import ImportWizard

        wizard = ImportWizard(self.ctx, self, kind="costs")
        wizard.show()
        self.import_wizard = wizard
        return wizard
