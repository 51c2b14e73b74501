"""The import wizard's values step: what the file's own texts mean (value maps), which rows
count (filters) and which workspace partner each unknown partner name is (aliases, with "did
you mean" suggestions). The summary comes from :func:`jbp.importers.values.value_summary`;
nothing here decides a value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from jbp import importers as imp

if TYPE_CHECKING:
    from ui.import_wizard import ImportWizard


class ValuesPage(QWizardPage):
    """Values, filters and partners: what the file's own texts mean, which rows count, and
    which workspace partner each unknown partner name is (with suggestions)."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Values, filters and partners")
        self.setSubTitle("What the file's texts mean, which rows count and who each partner "
                         "is. Guesses are filled in; they are saved with the mapping.")
        self.values = _table(self, "value_maps", ["Field", "Value in the file", "Rows",
                                                  "Counts as"])
        self.filters = _table(self, "filters", ["Column", "Value", "Rows", "Take these rows"])
        self.partners = _table(self, "aliases", ["Partner in the file", "Rows",
                                                 "Workspace partner"])
        self.head_note = QLabel(self)
        self.head_note.setObjectName("values_head_note")
        self.head_note.setWordWrap(True)
        self.head_note.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.head_note)
        for label, table in (("Value maps", self.values), ("Filters", self.filters),
                             ("Partners not in the workspace", self.partners)):
            layout.addWidget(QLabel(f"<b>{label}</b>", self))
            layout.addWidget(table, 1)
        self.base: imp.ColumnMapping | None = None
        self.value_boxes: list[tuple[str, str, QComboBox]] = []
        self.filter_boxes: list[tuple[str, str, QCheckBox]] = []
        self.alias_boxes: list[tuple[str, QComboBox]] = []

    def initializePage(self) -> None:
        from jbp.importers.values import value_summary

        base = self.wiz.mapping_page.mapping()
        read_mapping: imp.ColumnMapping = self.wiz.read["mapping"]
        base.value_maps = {k: dict(v) for k, v in read_mapping.value_maps.items()}
        base.filters = list(read_mapping.filters)
        base.aliases = dict(read_mapping.aliases)
        base.origin = f"checked in the import wizard (started as: {read_mapping.origin})"
        counts = self.wiz.read.get("counts")
        summary = value_summary(self.wiz.ctx.workspace, self.wiz.read["table"], base,
                                guessed=not self.wiz.read["saved"],
                                counts=counts)
        self._fill(base, summary)

    def show_whole_file(self, counts: dict[str, dict[str, int]]) -> None:
        """List what the check found in every row of a large file (header → text → rows),
        keeping the user's choices; new texts get the guesses the head's texts got."""
        from jbp.importers.values import value_summary

        self.wiz.read["counts"] = counts
        base = self.mapping()
        self._fill(base, value_summary(self.wiz.ctx.workspace, self.wiz.read["table"], base,
                                       guessed=False, counts=counts))

    def _fill(self, base: imp.ColumnMapping, summary) -> None:
        ws = self.wiz.ctx.workspace
        large = self.wiz.read.get("large")
        # A large file (jbp.importers.two_pass) is read only to its head until the check
        # has read every row: what is listed and counted here is of the head until then;
        # the check rejects a value of a later row that has no meaning here, with its row
        # number, and this page then lists every row's values (show_whole_file).
        self.head_note.setVisible(bool(large))
        if large and self.wiz.read.get("counts"):
            self.head_note.setText(
                "The values, filters and partners below are those of every row of the file "
                "(read by the check).")
        elif large:
            self.head_note.setText(
                f"The values, filters and partners below are those of the first "
                f"{large['head_rows']:,} rows of about {large['rows_about']:,}; the next step "
                "checks every row and lists, with its row number, any value of a later row "
                "these leave unmapped (this page then lists every row's values).")
        self.base = base
        labels = {t.name: t.label for t in imp.targets(base.kind)}
        rows = [(f, text, n, v) for f, items in summary.choices.items()
                for text, n, v in items]
        self.values.setRowCount(len(rows))
        self.value_boxes = []
        for r, (f, text, n, v) in enumerate(rows):
            _cells(self.values, r, labels[f], text, f"{n:,}")
            box = QComboBox(self.values)
            box.addItem("(reject these rows)", None)
            target = next(t for t in imp.targets(base.kind) if t.name == f)
            for stored in dict.fromkeys(c for _, c in target.choices):
                box.addItem(_choice_text(stored), stored)
            box.setCurrentIndex(max(0, box.findData(v)) if v is not None else 0)
            self.values.setCellWidget(r, 3, box)
            self.value_boxes.append((f, text, box))
        frows = [(c, text, n, keep) for c, items in summary.filters.items()
                 for text, n, keep in items]
        self.filters.setRowCount(len(frows))
        self.filter_boxes = []
        for r, (c, text, n, keep) in enumerate(frows):
            _cells(self.filters, r, c, text or "(blank)", f"{n:,}")
            tick = QCheckBox(self.filters)
            tick.setChecked(keep)
            self.filters.setCellWidget(r, 3, tick)
            self.filter_boxes.append((c, text, tick))
        self.partners.setRowCount(len(summary.partners))
        self.alias_boxes = []
        names = [p.name for p in ws.partners()] if ws is not None else []
        for r, s in enumerate(summary.partners):
            _cells(self.partners, r, s.spelled, f"{s.rows:,}")
            box = QComboBox(self.partners)
            box.addItem("(unknown: reject these rows)", None)
            for name, _pid, score in s.suggestions:
                box.addItem(f"{name}  (did you mean? {score:.0%} alike)", name)
            for name in names:
                box.addItem(name, name)
            self.partners.setCellWidget(r, 2, box)
            self.alias_boxes.append((s.spelled, box))
        for table in (self.values, self.filters, self.partners):
            table.resizeColumnsToContents()

    def mapping(self) -> imp.ColumnMapping:
        """The mapping with the value maps, filters and aliases as the user left them."""
        from jbp.importers.values import Filter, value_key

        m = self.base or self.wiz.mapping_page.mapping()
        maps: dict[str, dict] = {}
        for f, text, box in self.value_boxes:
            if box.currentData() is not None:
                maps.setdefault(f, {})[value_key(text)] = box.currentData()
        keep: dict[str, list[str]] = {}
        for c, text, tick in self.filter_boxes:
            keep.setdefault(c, [])
            if tick.isChecked():
                keep[c].append(text)
        aliases = dict(m.aliases)
        for spelled, box in self.alias_boxes:
            if box.currentData() is not None:
                aliases[spelled] = box.currentData()
        return imp.ColumnMapping(m.kind, dict(m.columns), m.date_format, m.decimal,
                                 maps if self.value_boxes else m.value_maps,
                                 [Filter(c, tuple(k)) for c, k in keep.items()]
                                 if self.filter_boxes else list(m.filters), aliases, m.origin)


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cells(table: QTableWidget, row: int, *texts: str) -> None:
    for c, text in enumerate(texts):
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        table.setItem(row, c, item)


def _choice_text(stored: Any) -> str:
    if isinstance(stored, bool):
        return "ARR (recurring)" if stored else "one-off"
    return str(stored)
