"""The parameter editor: every scenario field, grouped as a channel chief thinks of them.

Tabs: General, Tiers (rules and an editable tier table), MDF, Onboarding (recruitment and
onboarding), Enablement, Deals (deals and customers), Churn, Costs. Each field shows its
editor, its unit, and the baseline's value greyed beside it; a field that differs from the
baseline is highlighted. Fields, units, ranges and documentation come from the scenario's
own declarations (``simulation.scenario.param``), so the editor never disagrees with the
model.

An edit is checked by the scenario itself (``Scenario.with_changes``); a refusal shows the
domain's message at the field it names and nothing is stored. An accepted edit is stored as
one undoable :class:`jbp.scenarios.SetScenarioParams` (which marks stored results stale).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from jbp.errors import JbpError, ValidationError
from jbp.scenarios import SetScenarioParams
from simulation.scenario import GROUPS, Scenario
from ui import i18n, theme
from ui.context import AppContext
from ui.numbers import humanise, param_text, parse_number, parse_table
from ui.widgets.keyboard import keyboard_view

from .labels import BaselineLabel
from .models import TierTableModel

#: (tab title, [(box title, section, field names or None for all)]).
LAYOUT: list[tuple[str, list[tuple[str, str, list[str] | None]]]] = [
    ("General", [("Run", "", ["horizon_months", "replications", "seed"]),
                 ("Scenario", "", ["description", "currency", "influence_weight"])]),
    ("Tiers", [("Tier rules", "tiers", None)]),
    ("MDF", [("Market development funds", "mdf", None)]),
    ("Onboarding", [("Recruitment", "recruitment", None), ("Onboarding", "onboarding", None)]),
    ("Enablement", [("Enablement", "enablement", None)]),
    ("Deals", [("Deals", "deals", None), ("Customers", "customers", None)]),
    ("Churn", [("Partner churn", "churn", None)]),
    ("Costs", [("Costs (ROPI's investment besides MDF)", "costs", None)]),
]

_NO_BASELINE = object()
#: Fields that say what a scenario is rather than how the program works: not highlighted.
NOT_COMPARED = frozenset({"description"})

ERROR_STYLE = "color:$error_text;"
DIFF_STYLE = "background:$amended_bg;color:$amended_fg;"
INVALID_STYLE = "border:1px solid $error_text;"


def _fields_of(section: str) -> list[dataclasses.Field]:
    if not section:
        return Scenario.params()
    return next(g for g in GROUPS if section == g.SECTION).params()


def policy_choices(path: str) -> tuple[str, ...] | None:
    """The registered policy names for the two policy fields."""
    from simulation.policies import MDF_POLICIES, TIER_POLICIES

    if path == "tiers.policy":
        return tuple(TIER_POLICIES)
    if path == "mdf.allocation":
        return tuple(MDF_POLICIES)
    return None


def field_text(path: str, value: Any) -> str:
    """A parameter's value in its field: a seed is an identifier, not an amount
    (20240601, not "20,240,601")."""
    if path.split(".")[-1] == "seed" and isinstance(value, int):
        return str(value)
    return param_text(value, i18n.number_style())


def unit_text(unit: str, currency: str) -> str:
    """A unit in the user's words: "currency per month" → "USD per month"."""
    return unit.replace("currency", currency) if currency and unit else unit


def field_tooltip(meta: dict[str, Any]) -> str:
    from simulation.scenario import allowed_text  # the range as docs/scenario.md writes it

    rng = allowed_text(meta.get("lo"), meta.get("hi"), bool(meta.get("lo_open")))
    text = meta["doc"] + (f"\nUnit: {meta['unit']}")
    return text + (f"\nAllowed: {rng}" if rng else "")


class FieldRow:
    """Label, editor, unit, baseline value and error message of one field, placed on two
    rows of a grid."""

    def __init__(self, editor_owner: ParameterEditor, path: str, meta: dict[str, Any],
                 grid: QGridLayout, row: int, parent: QWidget):
        self.owner, self.path, self.meta = editor_owner, path, meta
        self.kind = meta["kind"]
        name = path.split(".")[-1]
        self.label = QLabel(humanise(name), parent)
        tip = field_tooltip(meta)
        self.label.setToolTip(tip)
        choices = meta.get("choices") or policy_choices(path)
        if self.kind is bool:
            self.editor: QWidget = QCheckBox(parent)
            self.editor.toggled.connect(lambda on: self.owner.commit(self.path, bool(on)))
        elif choices:
            self.editor = QComboBox(parent)
            self.editor.addItems(list(choices))
            self.editor.setMaximumWidth(180)
            self.editor.activated.connect(
                lambda _i: self.owner.commit(self.path, self.editor.currentText()))
        else:
            self.editor = QLineEdit(parent)
            self.editor.editingFinished.connect(self._finished)
            self.editor.textEdited.connect(lambda _t: self.owner.typing(self))
            # A number is read whole (a grid short of width squeezes editors first).
            digits = self.editor.fontMetrics().horizontalAdvance("0" * 12)
            if self.kind in (int, float):
                self.editor.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.editor.setMaximumWidth(180)
                self.editor.setMinimumWidth(min(180, digits))
            elif self.kind is dict:
                self.editor.setMaximumWidth(420)
                self.editor.setMinimumWidth(digits)
                # A table by tier, or one value per partner (numbered from 0).
                self.editor.setPlaceholderText(
                    "e.g. 0: 12, 1: 40 (empty: none)" if "per partner" in meta["unit"]
                    else "e.g. Gold: 0.2, Silver: 0.3 (empty: none)")
        self.editor.setObjectName(f"param_{path}")
        self.editor.setToolTip(tip)
        self.unit = QLabel(unit_text(meta["unit"], editor_owner.currency()), parent)
        theme.style(self.unit, "color:$muted;")
        self.baseline = BaselineLabel(parent)
        self.baseline.setObjectName(f"baseline_{path}")
        theme.style(self.baseline, "color:$muted;")
        self.error = QLabel(parent)
        self.error.setObjectName(f"error_{path}")
        theme.style(self.error, ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        grid.addWidget(self.label, row, 0)
        grid.addWidget(self.editor, row, 1)
        grid.addWidget(self.unit, row, 2)
        grid.addWidget(self.baseline, row, 3)
        grid.addWidget(self.error, row + 1, 1, 1, 3)
        self.value: Any = None
        self.pending = False
        self.differs = False
        self.error_message = ""

    # ------------------------------------------------------------------ values

    def set_value(self, value: Any, baseline: Any = _NO_BASELINE) -> None:
        self.value = value
        self.pending = False
        ed = self.editor
        ed.blockSignals(True)
        if isinstance(ed, QCheckBox):
            ed.setChecked(bool(value))
        elif isinstance(ed, QComboBox):
            if ed.findText(str(value)) < 0:
                ed.addItem(str(value))
            ed.setCurrentText(str(value))
        else:
            ed.setText(field_text(self.path, value))
            ed.setCursorPosition(0)
        ed.blockSignals(False)
        if baseline is _NO_BASELINE:
            self.baseline.setText("")
            differs = False
        else:
            self.baseline.setText(field_text(self.path, baseline) if baseline != "" else "—")
            differs = baseline != value and self.path not in NOT_COMPARED
        self.baseline.setToolTip(f"The baseline's value: {self.baseline.text()}"
                                 if baseline is not _NO_BASELINE else "")
        self.set_differs(differs)

    def set_differs(self, differs: bool) -> None:
        self.differs = differs
        self._style()
        if self.label.font().bold() != differs:
            font = self.label.font()
            font.setBold(differs)
            self.label.setFont(font)

    def _style(self) -> None:
        # a style sheet change restyles the widget: only when it changes
        style = (INVALID_STYLE if self.error_message else
                 DIFF_STYLE if self.differs else "")
        if (self.editor.property("theme_style") or "") != style:
            theme.style(self.editor, style)

    def typed(self) -> Any:
        """The value in the editor, parsed as far as the UI can (the scenario checks it)."""
        ed = self.editor
        if isinstance(ed, QCheckBox):
            return ed.isChecked()
        if isinstance(ed, QComboBox):
            return ed.currentText()
        text = ed.text()
        if self.kind is dict:
            return parse_table(text, i18n.number_style())
        if self.kind in (int, float):
            return parse_number(text, i18n.number_style())
        return text

    def _finished(self) -> None:
        if not self.pending and field_text(self.path, self.value) == self.editor.text():
            return
        try:
            value = self.typed()
        except ValidationError as exc:  # e.g. "1,5" or "inf" typed for a number
            self.show_error(exc.reason)
            return
        self.owner.commit(self.path, value)

    # ------------------------------------------------------------------ errors

    def show_error(self, message: str) -> None:
        if message == self.error_message:
            return
        self.error_message = message
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self._style()


class ParameterEditor(QWidget):
    """Edits one stored scenario (see the module docstring). :meth:`set_scenario` shows a
    scenario with the baseline beside it; :meth:`commit` applies one field's new value."""

    #: A change was stored (path).
    changed = Signal(str)

    def currency(self) -> str:
        """The workspace currency (read once), for the units beside the fields."""
        if self._currency is None:
            ws = self.ctx.workspace
            try:
                self._currency = ws.program().currency if ws is not None else ""
            except Exception:  # a workspace without a program yet
                self._currency = ""
        return self._currency

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.scenario_id: int | None = None
        self.scenario: Scenario | None = None
        self.baseline: Scenario | None = None
        self.record_name = ""
        self.rows: dict[str, FieldRow] = {}
        self._currency: str | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("param_heading")
        self.heading.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("param_tabs")
        self.tabs.setDocumentMode(True)
        for title, boxes in LAYOUT:
            page = QWidget()
            column = QVBoxLayout(page)
            for box_title, section, names in boxes:
                column.addWidget(self._box(box_title, section, names, page))
            if title == "Tiers":
                column.addWidget(self._tier_box(page), 1)
            column.addStretch(0 if title == "Tiers" else 1)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            scroll.setObjectName(f"param_tab_{title.lower()}")
            self.tabs.addTab(scroll, title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        self.set_scenario(None, None)

    # ------------------------------------------------------------------ building

    def _box(self, title: str, section: str, names: list[str] | None,
             parent: QWidget) -> QGroupBox:
        box = QGroupBox(title, parent)
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)
        grid.setHorizontalSpacing(12)
        for col, text in enumerate(("", "Value", "Unit", "Baseline")):
            head = QLabel(theme.span(text, "muted"), box)
            grid.addWidget(head, 0, col)
        row = 1
        for f in _fields_of(section):
            if names is not None and f.name not in names:
                continue
            if not section and f.name == "name":
                continue
            path = f"{section}.{f.name}" if section else f.name
            self.rows[path] = FieldRow(self, path, dict(f.metadata), grid, row, box)
            row += 2
        return box

    def _tier_box(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox("Tiers (a partner holds the highest tier whose every threshold it "
                        "meets at a review)", parent)
        self.tier_model = TierTableModel(self)
        self.tier_model.edit_requested.connect(self.commit)
        self.tier_model.refused.connect(self.show_error)
        self.tier_view = QTableView(box)
        self.tier_view.setObjectName("tier_table")
        keyboard_view(self.tier_view, "Tiers of the scenario")
        self.tier_view.setModel(self.tier_model)
        self.tier_view.verticalHeader().setVisible(False)
        self.tier_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tier_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                       | QAbstractItemView.EditTrigger.EditKeyPressed
                                       | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.tier_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tier_view.setMinimumHeight(150)
        self.tier_error = QLabel(box)
        self.tier_error.setObjectName("error_tiers")
        theme.style(self.tier_error, ERROR_STYLE)
        self.tier_error.setWordWrap(True)
        self.tier_error.hide()
        self.add_tier_button = QPushButton("Add tier", box)
        self.add_tier_button.setToolTip("A tier above the top one, thresholds raised")
        self.add_tier_button.clicked.connect(self.add_tier)
        self.remove_tier_button = QPushButton("Remove tier", box)
        self.remove_tier_button.setToolTip("Remove the selected tier; its share of the "
                                           "starting cohort moves to the tier below")
        self.remove_tier_button.clicked.connect(self.remove_selected_tier)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_tier_button)
        buttons.addWidget(self.remove_tier_button)
        buttons.addStretch(1)
        note = QLabel("Double-click a cell to edit it; highlighted cells differ from the "
                      "baseline (its value is in the tooltip). Margin and rebate are paid on "
                      "sourced revenue at the tier the deal was won in.", box)
        note.setWordWrap(True)
        theme.style(note, "color:$muted;")
        column = QVBoxLayout(box)
        column.addWidget(self.tier_view, 1)
        column.addWidget(self.tier_error)
        column.addLayout(buttons)
        column.addWidget(note)
        return box

    # ------------------------------------------------------------------ showing

    def set_scenario(self, scenario_id: int | None, scenario: Scenario | None,
                     baseline: Scenario | None = None, *, name: str = "",
                     baseline_name: str = "", problem: str = "") -> None:
        """Show ``scenario`` (stored as ``scenario_id``) with ``baseline``'s values beside
        it (None when it is the baseline itself). ``problem`` explains a scenario whose
        stored parameters cannot be read."""
        changed_scenario = scenario_id != self.scenario_id
        self.scenario_id, self.scenario, self.baseline = scenario_id, scenario, baseline
        self.record_name = name
        self.tabs.setEnabled(scenario is not None)
        if scenario is None:
            self.heading.setText(theme.span(problem, "error_text") if problem
                                 else "Select a scenario to edit its parameters.")
            self.tier_model.set_tiers([], None)
            return
        if baseline is None:
            self.heading.setText(f"<b>{name}</b> is the baseline: the other scenarios are "
                                 "compared with it and show its values beside theirs.")
        else:
            diffs = self.differences()
            self.heading.setText(
                f"<b>{name}</b> — greyed values are the baseline's (<i>{baseline_name}</i>); "
                f"highlighted fields differ from it ({len(diffs)} "
                f"field{'s' if len(diffs) != 1 else ''}).")
        for path, row in self.rows.items():
            if row.pending and not changed_scenario and not row.error.isHidden():
                continue  # keep what the user typed next to its error message
            value = scenario.get(path)
            base = baseline.get(path) if baseline is not None else _NO_BASELINE
            row.set_value(value, base)
            row.show_error("")
        self.tier_model.set_tiers(list(scenario.tiers.levels),
                                  list(baseline.tiers.levels) if baseline is not None else None)
        if changed_scenario:
            self._tier_error("")
        self.remove_tier_button.setEnabled(len(scenario.tiers.levels) > 1)
        if not any(row.pending for row in self.rows.values()):
            self.ctx.set_pending(self, None)

    def differences(self) -> list[str]:
        """Paths whose value differs from the baseline's (tier fields as
        ``tiers.<name>.<field>``)."""
        if self.scenario is None or self.baseline is None:
            return []
        out = [p for p in self.rows if p not in NOT_COMPARED
               and self.scenario.get(p) != self.baseline.get(p)]
        mine = {t.name: t for t in self.scenario.tiers.levels}
        theirs = {t.name: t for t in self.baseline.tiers.levels}
        for name, tier in mine.items():
            other = theirs.get(name)
            for f in self.tier_model.fields:
                if other is None or getattr(other, f.name) != getattr(tier, f.name):
                    out.append(f"tiers.{name}.{f.name}")
        out += [f"tiers.{n}" for n in theirs if n not in mine]
        return out

    # ------------------------------------------------------------------ editing

    def commit(self, path: str, value: Any) -> bool:
        """Apply ``value`` to the field at ``path``: checked by the scenario, stored as one
        undoable command. Returns False (message at the field) when refused."""
        scenario = self.scenario
        if scenario is None or self.scenario_id is None:
            return False
        try:
            new = self._changed(scenario, path, value)
        except ValidationError as exc:
            self.show_error(exc.field if self._has_place(exc.field) else path,
                            exc.reason if self._has_place(exc.field) else str(exc),
                            edited=path)
            return False
        if path in self.rows:
            self.rows[path].show_error("")
            self.rows[path].pending = False
        self._tier_error("")
        self.ctx.set_pending(self, None)
        new_doc = new.to_dict()
        if new_doc == scenario.to_dict():
            if path in self.rows:  # e.g. "1,000" typed for 1000: show it the usual way
                self.rows[path].set_value(scenario.get(path), self._baseline_of(path))
            return True
        old = self._describe(scenario, path)
        text = f"{self.record_name}: {self._label(path)} {old} → {self._describe(new, path)}"
        if not self.ctx.run(SetScenarioParams(self.scenario_id, new_doc, text=text)):
            err = self.ctx.last_error
            self.show_error(path, str(err) if isinstance(err, JbpError) else "not saved")
            return False
        self.changed.emit(path)
        return True

    def _baseline_of(self, path: str) -> Any:
        return self.baseline.get(path) if self.baseline is not None else _NO_BASELINE

    @staticmethod
    def _changed(scenario: Scenario, path: str, value: Any) -> Scenario:
        parts = path.split(".")
        if parts[0] == "tiers" and len(parts) == 3 and parts[2] == "name":
            from simulation.tier_edits import rename_tier

            return rename_tier(scenario, parts[1], value)
        return scenario.with_changes({path: value})

    @staticmethod
    def _describe(scenario: Scenario, path: str) -> str:
        try:
            return param_text(scenario.get(path), i18n.number_style())
        except ValidationError:
            return "?"

    def _label(self, path: str) -> str:
        parts = path.split(".")
        if parts[0] == "tiers" and len(parts) == 3:
            return f"{parts[1]} {humanise(parts[2]).lower()}"
        return humanise(parts[-1])

    def _has_place(self, path: str) -> bool:
        return path in self.rows or path.startswith("tiers.")

    def show_error(self, path: str, message: str, edited: str | None = None) -> None:
        """Show the domain's ``message`` at the field ``path`` (tier fields under the tier
        table); when the refusal names another field than the one ``edited``, the edited
        field says so too."""
        if path in self.rows:
            self.rows[path].show_error(message)
            self._reveal(path)
        elif path.startswith("tiers."):
            self._tier_error(f"{path}: {message}")
            self.tabs.setCurrentIndex([t for t, _ in LAYOUT].index("Tiers"))
        if edited and edited != path and edited in self.rows:
            self.rows[edited].show_error(f"Refused: {path}: {message}" if path in self.rows
                                         or path.startswith("tiers.") else message)

    def error_text(self, path: str) -> str:
        """The message shown at a field ("" when none); tier paths read the tier table's."""
        if path in self.rows:
            row = self.rows[path]
            return "" if row.error.isHidden() else row.error.text()
        return "" if self.tier_error.isHidden() else self.tier_error.text()

    def _tier_error(self, message: str) -> None:
        self.tier_error.setText(message)
        self.tier_error.setVisible(bool(message))

    def _reveal(self, path: str) -> None:
        section = path.split(".")[0] if "." in path else ""
        for i, (_title, boxes) in enumerate(LAYOUT):
            if any(s == section for _b, s, _n in boxes):
                self.tabs.setCurrentIndex(i)
                return

    def add_tier(self) -> bool:
        from simulation.tier_edits import add_tier

        if self.scenario is None:
            return False
        return self._store_structural(lambda s: add_tier(s), "add a tier")

    def remove_selected_tier(self) -> bool:
        from simulation.tier_edits import remove_tier

        rows = self.tier_view.selectionModel().selectedRows() if self.scenario else []
        if not rows:
            self._tier_error("Select the tier to remove (click its row).")
            return False
        name = self.tier_model.tiers[rows[0].row()].name
        return self._store_structural(lambda s: remove_tier(s, name), f"remove {name}")

    def _store_structural(self, edit, what: str) -> bool:
        assert self.scenario is not None and self.scenario_id is not None
        try:
            new = edit(self.scenario)
        except ValidationError as exc:
            self._tier_error(str(exc))
            return False
        self._tier_error("")
        return self.ctx.run(SetScenarioParams(self.scenario_id, new.to_dict(),
                                              text=f"{self.record_name}: {what}"))

    # ------------------------------------------------------------------ pending typing

    def typing(self, row: FieldRow) -> None:
        row.pending = True
        self.ctx.set_pending(self, "a scenario parameter")

    def commit_pending(self) -> bool:
        ok = True
        for path, row in self.rows.items():
            if row.pending:
                try:
                    value = row.typed()
                except ValidationError as exc:
                    row.show_error(exc.reason)
                    ok = False
                    continue
                ok = self.commit(path, value) and ok
        return ok

    def discard_pending(self) -> None:
        if self.scenario is not None:
            for path, row in self.rows.items():
                if row.pending:
                    row.set_value(self.scenario.get(path), self._baseline_of(path))
                    row.show_error("")
