"""The Program page: the partner program's settings and its tiers (read-only here)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jbp.model import Program, Tier
from ui.context import AppContext
from ui.plan_editor.models import ElementTableModel, field_columns


class ProgramPage(QWidget):
    """Program-wide settings (currency, influence weight, RAG thresholds, fiscal year start,
    direct CAC) and the tier table with thresholds, margins and benefits."""

    #: Ctrl+Z here acts on the program's history (see ui.context).
    undo_document = "program"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.title = QLabel(self)
        self.form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for f in Program.FIELDS:
            label = QLabel(self)
            label.setObjectName(f"program_{f.name}")
            self.values[f.name] = label
            self.form.addRow(f.label + (f" ({f.unit})" if f.unit else ""), label)
        self.tiers = ElementTableModel(field_columns(Tier), self)
        self.view = QTableView(self)
        self.view.setObjectName("program_tiers")
        self.view.setModel(self.tiers)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setMinimumSectionSize(70)
        note = QLabel("A partner holds the highest tier whose every threshold it meets "
                      "(trailing-12-month sourced revenue, certified people, net new logos). "
                      "Editing the program and trying changes before rolling them out is the "
                      "job of the Scenario Lab.", self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(self.form)
        layout.addWidget(QLabel("<b>Tiers</b>", self))
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        ctx.workspace_changed.connect(self.reload)
        ctx.data_changed.connect(self._data_changed)
        self.reload()

    def _data_changed(self, what: str) -> None:
        if what == "program":
            self.reload()

    def reload(self) -> None:
        ws = self.ctx.workspace
        if ws is None:
            self.tiers.set_elements([])
            return
        program = ws.program()
        self.title.setText(f"<span style='font-size:14pt;font-weight:600'>{program.name}"
                           "</span>")
        for f in Program.FIELDS:
            self.values[f.name].setText(f.display(getattr(program, f.name)))
        self.tiers.set_elements(program.tiers_by_rank())
        self.view.resizeRowsToContents()
