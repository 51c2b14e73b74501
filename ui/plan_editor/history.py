"""The plan's revision log: who changed what, from which side, when, old → new; filtered by
side and by kind of element."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jbp.model import ELEMENT_CLASSES, Revision
from ui import i18n
from ui.plan_editor.models import RecordTableModel
from ui.plan_editor.session import PlanSession
from ui.widgets.keyboard import keyboard_view

ELEMENT_FILTERS = [("All elements", "")] + [(cls.LABEL, kind)
                                            for kind, cls in ELEMENT_CLASSES.items()]
SIDE_FILTERS = [("Both sides", ""), ("Vendor side", "vendor"), ("Partner side", "partner")]


def _value(r: Revision, v: Any, units: dict[Any, str] | None = None) -> str:
    """A logged value in words: numbers with separators, a bound metric by its label, and
    a whole part (added or deleted) as its name and its filled-in fields. ``units`` maps a
    KPI's id and its name to its unit: its targets and actuals read as the KPI table shows
    them (30%, not 0.3), and a refresh from the imports lists the cells it filled."""
    from jbp.bindings import REFRESH_FIELD
    from jbp.formatting import kpi_value
    from jbp.undo_text import value_words

    if v is None:
        return ""
    units, style = units or {}, i18n.number_style()
    if r.field == REFRESH_FIELD and isinstance(v, dict):
        return "; ".join(
            f"{cell} {kpi_value(w, _unit_of(units, cell), style=style) or 'empty'}"
            for cell, w in v.items())[:2000]
    unit = units.get(r.element_id) if r.element_kind == "kpi" else None
    if unit and r.field[:7] in ("target_", "actual_") and isinstance(v, int | float):
        return kpi_value(v, unit, style=style)
    cls = ELEMENT_CLASSES.get(r.element_kind)

    def field(name: str):
        try:
            return cls.field(name) if cls is not None else None
        except KeyError:
            return None

    def words(name: str, w: Any) -> str:
        f = field(name)
        if f is None:
            return f"{w:,.2f}".rstrip("0").rstrip(".") if isinstance(w, float) else str(w)
        with contextlib.suppress(Exception):  # an old row in an older shape: as stored
            w = f.from_store(w)
        return value_words(f, w)

    if isinstance(v, dict):
        parts = []
        for k, w in v.items():
            f = field(k)
            if w in (None, "", []) or f is None or k.endswith("_id") or k == "position":
                continue
            text = words(k, w)
            parts.append(text if cls is not None and k == cls.FIELDS[0].name
                         else f"{f.label.lower()} {text}")
        return ", ".join(parts)[:160]
    return words(r.field, v)


def _unit_of(units: dict[Any, str], cell: str) -> str:
    """The unit of the KPI a refresh cell ("Win rate · Q3") names; count when unknown."""
    return units.get(str(cell).rsplit(" · ", 1)[0], "count")


class HistoryPanel(QWidget):
    """Revision log of the session's plan, newest first."""

    def __init__(self, session: PlanSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ctx = session, session.ctx
        #: The open plan's KPI units, by KPI id and by name (see :func:`_value`).
        self.units: dict[Any, str] = {}
        self.side_filter = QComboBox(self)
        self.side_filter.setObjectName("history_side")
        for text, value in SIDE_FILTERS:
            self.side_filter.addItem(text, value)
        self.element_filter = QComboBox(self)
        self.element_filter.setObjectName("history_element")
        for text, value in ELEMENT_FILTERS:
            self.element_filter.addItem(text, value)
        self.side_filter.currentIndexChanged.connect(self.refresh)
        self.element_filter.currentIndexChanged.connect(self.refresh)
        self.count_label = QLabel(self)
        self.model = RecordTableModel([
            ("When", lambda r: r.at), ("Who", lambda r: r.author), ("Side", lambda r: r.side),
            ("Element", self._element), ("Field", self._field), ("Action", lambda r: r.action),
            ("Old", lambda r: _value(r, r.old, self.units)),
            ("New", lambda r: _value(r, r.new, self.units))], self)
        self.view = QTableView(self)
        self.view.setObjectName("table_history")
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        keyboard_view(self.view, "Revision history")
        self.side_filter.setAccessibleName("Show changes by side")
        self.element_filter.setAccessibleName("Show changes to")
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((140, 130, 60, 220, 140, 70, 160)):
            header.resizeSection(col, width)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show", self))
        top.addWidget(self.side_filter)
        top.addWidget(self.element_filter)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        session.loaded.connect(self.refresh)

    def revisions(self) -> list[Revision]:
        doc, ws = self.session.doc, self.ctx.workspace
        if doc is None or ws is None:
            return []
        return ws.revisions(doc.plan.id, side=self.side_filter.currentData() or None,
                            element_kind=self.element_filter.currentData() or None)[::-1]

    def refresh(self) -> None:
        doc = self.session.doc
        kpis = doc.kpis if doc is not None else []
        self.units = {**{k.name: k.unit for k in kpis}, **{k.id: k.unit for k in kpis}}
        rows = self.revisions()
        self.model.set_elements(rows)
        self.count_label.setText(f"{len(rows)} revision{'s' if len(rows) != 1 else ''}")

    def _element(self, r: Revision) -> str:
        cls = ELEMENT_CLASSES.get(r.element_kind)
        label = cls.LABEL if cls else r.element_kind
        doc = self.session.doc
        if doc is not None and r.element_kind in ("goal", "kpi", "initiative", "account",
                                                   "rule", "risk"):
            for e in doc.parts(r.element_kind):
                if e.id == r.element_id:
                    return f"{label}: {getattr(e, cls.FIELDS[0].name)}"
        if r.element_kind == "plan":
            return "Plan"
        return f"{label} #{r.element_id}"

    def _field(self, r: Revision) -> str:
        cls = ELEMENT_CLASSES.get(r.element_kind)
        if cls is not None:
            try:
                return cls.field(r.field).label
            except KeyError:
                pass
        return "" if r.field == "*" else r.field
