"""Qt item models over the domain: one thin table model per collection.

Columns come from the domain's :class:`~jbp.fields.Field` specs (label, kind, choices,
unit); computed columns (attainment, RAG, forecast) call functions of ``jbp/``. An edit
becomes a :class:`jbp.commands.SetField` run through :meth:`AppContext.run`; a refused
value leaves the stored value as it was and the domain's message is kept at the cell
(tool tip, red hint) and emitted as :attr:`ElementTableModel.edit_refused`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from jbp.charts import format_kpi_value
from jbp.commands import SetField
from jbp.errors import JbpError, ValidationError
from jbp.fields import Field
from jbp.locale_numbers import number_text
from jbp.model import Element, Kpi, element_class
from jbp.undo_text import choice_label
from ui import i18n, theme
from ui.context import AppContext

_INDEX = QModelIndex | QPersistentModelIndex


#: A cell's state in a word ("amended", "refused") for the delegate that marks it.
CELL_STATE_ROLE = Qt.ItemDataRole.UserRole + 40
#: The roles that say a cell's state beyond colour (see :func:`marked`).
MARKED_ROLES = (CELL_STATE_ROLE, Qt.ItemDataRole.DecorationRole,
                Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.AccessibleDescriptionRole)


def marked(model: QAbstractTableModel, index: _INDEX, role: int, state: str,
           why: Any) -> Any:
    """A marked cell's state for the delegate (an amended cell gets a corner mark, which
    keeps its narrow number readable), the warning icon of a refused cell, the text a
    screen reader says ("… (amended)" / "… (refused)") and its description (why)."""
    if role == CELL_STATE_ROLE:
        return state
    if role == Qt.ItemDataRole.DecorationRole:
        if state != "refused":
            return None
        from PySide6.QtWidgets import QApplication, QStyle

        return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    if role == Qt.ItemDataRole.AccessibleTextRole:
        shown = model.data(index, Qt.ItemDataRole.DisplayRole)
        return f"{shown or ''} ({state})".strip()
    return str(why or state)


@dataclass
class Column:
    """One column: either an editable domain ``field`` or a computed ``value``.

    ``value(element) -> str`` gives a computed cell's text; ``rag(element) -> str`` colours
    the cell by RAG ("Green"/"Amber"/"Red"/"").
    """

    title: str
    field: Field | None = None
    value: Callable[[Any], str] | None = None
    rag: Callable[[Any], str] | None = None
    tooltip: str = ""
    numeric: bool = False


def field_columns(cls: type[Element], names: Sequence[str] | None = None) -> list[Column]:
    """Columns for the fields of a domain class (all, or ``names`` in that order)."""
    fields = cls.FIELDS if names is None else [cls.field(n) for n in names]
    out = []
    for f in fields:
        tip = f.label + (f" ({f.unit})" if f.unit else "")
        if f.kind == "enum":
            tip += ": " + ", ".join(choice_label(f.name, c) for c in f.choices)
        out.append(Column(f.label, field=f, tooltip=tip,
                          numeric=f.kind in ("int", "float", "money", "fraction")))
    return out


class ElementTableModel(QAbstractTableModel):
    """A read-only table of domain elements (partners' tiers, revisions use subclasses)."""

    #: A value was refused: (index, the domain's message).
    edit_refused = Signal(QModelIndex, str)

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.elements: list[Any] = []

    # ------------------------------------------------------------------ contents

    def set_elements(self, elements: Sequence[Any]) -> None:
        """Show ``elements``. When the same elements are shown again (after an edit) only
        the cells change, so selection and the current cell survive the reload."""
        new = list(elements)
        same = [getattr(e, "id", None) for e in new] == [getattr(e, "id", None)
                                                         for e in self.elements]
        if same and new:
            self.elements = new
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(new) - 1, len(self.columns) - 1))
        else:
            self.beginResetModel()
            self.elements = new
            self.endResetModel()

    def element(self, row: int) -> Any:
        return self.elements[row] if 0 <= row < len(self.elements) else None

    def row_of(self, element_id: int) -> int:
        for row, e in enumerate(self.elements):
            if getattr(e, "id", None) == element_id:
                return row
        return -1

    def field_at(self, index: _INDEX) -> Field | None:
        if not index.isValid():
            return None
        return self.columns[index.column()].field

    def column_of(self, field_name: str) -> int:
        for i, c in enumerate(self.columns):
            if c.field is not None and c.field.name == field_name:
                return i
        return -1

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.elements)

    def columnCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip or col.title
        return None

    def display_value(self, element: Any, field: Field) -> str:
        if field.kind == "enum":
            return choice_label(field.name, getattr(element, field.name))
        return field.display(getattr(element, field.name), i18n.number_style())

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        element = self.elements[index.row()]
        col = self.columns[index.column()]
        f = col.field
        if role == Qt.ItemDataRole.DisplayRole:
            if f is None:
                return col.value(element) if col.value else ""
            if f.kind == "bool":
                return None
            text = self.display_value(element, f)
            if f.kind == "longtext":
                text = " ".join(text.split())
            return text
        if role == Qt.ItemDataRole.CheckStateRole and f is not None and f.kind == "bool":
            return (Qt.CheckState.Checked if getattr(element, f.name)
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.EditRole and f is not None:
            return self.edit_value(element, f)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and col.rag is not None:
            rag = col.rag(element)
            if rag:
                return theme.brush(theme.current().rag_badge[rag])
        if role == Qt.ItemDataRole.ForegroundRole and col.rag is not None and col.rag(element):
            colours = theme.current()
            return theme.brush(colours.on(colours.rag_badge[col.rag(element)]))
        if role == Qt.ItemDataRole.ToolTipRole:
            if f is not None and f.kind == "longtext":
                return getattr(element, f.name) or None
            return col.tooltip or None
        return None

    def edit_value(self, element: Any, field: Field) -> Any:
        """The value an editor starts from: dates as QDate, id lists as lists, others as
        the text a user would type."""
        value = getattr(element, field.name)
        if field.kind == "date":
            return QDate(value.year, value.month, value.day) if value else None
        if field.kind == "ids":
            return list(value or [])
        if field.kind == "bool":
            return bool(value)
        if field.kind == "money" and value is not None:
            return f"{value:.2f}".rstrip("0").rstrip(".")
        if value is None:
            return ""
        return str(value) if field.kind not in ("text", "longtext") else value

    def flags(self, index: _INDEX) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CellRefusals:
    """The refused-value bookkeeping of an editable element table: the message is kept per
    cell (``errors``: (row key, field) -> message) for the tooltip and the red hint, the cell
    repaints, and :attr:`ElementTableModel.edit_refused` says so."""

    errors: dict[tuple[int, str], str]
    ctx: AppContext

    def _refuse(self, index: _INDEX, key: tuple[int, str], message: str,
                emit_error: bool = False) -> bool:
        self.errors[key] = message
        idx = self.index(index.row(), index.column())  # type: ignore[attr-defined]
        self.dataChanged.emit(idx, idx)  # type: ignore[attr-defined]
        if emit_error:  # so the status bar shows it like a refusal from ctx.run
            self.ctx.error.emit(message)
        self.edit_refused.emit(idx, message)  # type: ignore[attr-defined]
        return False

    def refusal_key(self, index: _INDEX) -> tuple[int, str]:
        """The ``errors`` key of a cell: (row, field name); tables of elements use the id."""
        return (index.row(), self.field_at(index).name)  # type: ignore[attr-defined]

    def refuse_typed(self, index: _INDEX, message: str) -> bool:
        """Refuse text the cell editor could not read as the field's kind (a number that
        reads two ways in the user's locale, a date in no known form): nothing is written,
        the message shows at the cell and in the status bar."""
        return self._refuse(index, self.refusal_key(index), message, emit_error=True)

    def _clear_error(self, index: _INDEX, key: tuple[int, str]) -> None:
        if self.errors.pop(key, None) is not None:
            idx = self.index(index.row(), index.column())  # type: ignore[attr-defined]
            self.dataChanged.emit(idx, idx)  # type: ignore[attr-defined]


class PartTableModel(CellRefusals, ElementTableModel):
    """An editable table of one kind of plan part (goal, KPI, initiative, ...).

    ``setData`` turns the typed value into a :class:`SetField` (which coerces it with the
    field's rules) and runs it through the context, so it is saved, logged under the
    editor's name and side, and undoable.
    """

    def __init__(self, ctx: AppContext, kind: str, columns: list[Column] | None = None,
                 parent=None):
        self.ctx, self.kind = ctx, kind
        self.cls = element_class(kind)
        super().__init__(columns if columns is not None else field_columns(self.cls), parent)
        #: (element id, field name) -> the domain's message for the last refused value.
        self.errors: dict[tuple[int, str], str] = {}
        #: (element id, field label) -> Amendment (changed since approval).
        self.amended: dict[tuple[int, str], Any] = {}
        self.read_only_reason = ""

    def refusal_key(self, index: _INDEX) -> tuple[int, str]:
        return (self.elements[index.row()].id, self.field_at(index).name)  # type: ignore[union-attr]

    def set_amendments(self, amendments: Sequence[Any]) -> None:
        self.amended = {(a.element_id, a.field): a for a in amendments if a.kind == self.kind}
        if self.elements:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.elements) - 1,
                                                               len(self.columns) - 1))

    def flags(self, index: _INDEX) -> Qt.ItemFlag:
        flags = super().flags(index)
        f = self.field_at(index)
        if f is not None:
            flags |= (Qt.ItemFlag.ItemIsUserCheckable if f.kind == "bool"
                      else Qt.ItemFlag.ItemIsEditable)
        return flags

    def data(self, index: _INDEX, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid():
            f = self.field_at(index)
            element = self.elements[index.row()]
            if f is not None:
                key = (element.id, f.name)
                if key in self.errors:
                    if role == Qt.ItemDataRole.BackgroundRole:
                        return theme.brush(theme.current().error_bg)
                    if role == Qt.ItemDataRole.ForegroundRole:
                        return theme.brush(theme.current().error_fg)
                    if role == Qt.ItemDataRole.ToolTipRole:
                        return self.errors[key]
                    if role in MARKED_ROLES:  # never by colour alone
                        return marked(self, index, role, "refused", self.errors[key])
                amendment = self.amended.get((element.id, f.label))
                if amendment is not None:
                    if role in MARKED_ROLES:
                        return marked(self, index, role, "amended", self.data(
                            index, Qt.ItemDataRole.ToolTipRole))
                    if role == Qt.ItemDataRole.BackgroundRole:
                        return theme.brush(theme.current().amended_bg)
                    if role == Qt.ItemDataRole.ForegroundRole:
                        return theme.brush(theme.current().amended_fg)
                    if role == Qt.ItemDataRole.FontRole:
                        font = QFont()
                        font.setItalic(True)
                        return font
                    if role == Qt.ItemDataRole.ToolTipRole:
                        who = f" by {amendment.author} ({amendment.side} side)" \
                            if amendment.author else ""
                        return (f"Changed since approval{who}: baseline "
                                f"“{amendment.baseline}” → “{amendment.current}”")
        return super().data(index, role)

    def setData(self, index: _INDEX, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        f = self.field_at(index)
        if f is None or role not in (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.CheckStateRole):
            return False
        element = self.elements[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        if isinstance(value, QDate):
            value = dt.date(value.year(), value.month(), value.day()) if value.isValid() \
                else None
        return self.set_field(index, element, f, value)

    def set_field(self, index: _INDEX, element: Any, f: Field, value: Any) -> bool:
        key = (element.id, f.name)
        if self.ctx.editor is None:
            return self._refuse(index, key, self.read_only_reason or
                                "Say who you are first (Edit ▸ Switch editor…); "
                                "every edit is recorded under a name and side.")
        try:
            command = SetField(self.ctx.editor, self.kind, element.id, f.name, value)
        except JbpError as exc:
            return self._refuse(index, key, str(exc), emit_error=True)
        if getattr(element, f.name) == command.value:
            self._clear_error(index, key)
            return True
        if not self.ctx.run(command):
            return self._refuse(index, key, str(self.ctx.last_error or "refused"))
        self._clear_error(index, key)
        return True


class KpiTableModel(PartTableModel):
    """KPIs with their quarterly targets and actuals in the KPI's unit, and computed
    attainment to date, RAG and run-rate forecast (``jbp.kpi.kpi_status``)."""

    def __init__(self, ctx: AppContext, status_of: Callable[[Kpi], Any], parent=None):
        self.status_of = status_of
        # The standing first (glanceable on a projector), then the numbers people type.
        columns = field_columns(Kpi, ["name"])
        columns += [
            Column("RAG", value=lambda k: self.status_of(k).rag or "–",
                   rag=lambda k: self.status_of(k).rag,
                   tooltip="Green / Amber / Red by the program's thresholds"),
            Column("Attainment", value=lambda k: _pct(self.status_of(k).attainment),
                   numeric=True,
                   tooltip="Actual to date against the pro-rated target (direction-aware)"),
        ]
        columns += field_columns(Kpi, ["unit", "kind", "direction"])
        columns += [c for c in field_columns(Kpi) if c.field and c.field.name[:7] in
                    ("target_", "actual_")]
        columns += [
            Column("To date", value=lambda k: self._to_date(k), numeric=True,
                   tooltip="Actual to date / pro-rated target to date"),
            Column("Forecast", value=lambda k: self._forecast(k), numeric=True,
                   tooltip="Run-rate forecast to period end / full-year target"),
            *field_columns(Kpi, ["metric"]),
        ]
        super().__init__(ctx, "kpi", columns, parent)

    def display_value(self, element: Any, field: Field) -> str:
        if field.name[:7] in ("target_", "actual_"):
            return format_kpi_value(getattr(element, field.name), element.unit,
                                    style=i18n.number_style())
        return super().display_value(element, field)

    def edit_value(self, element: Any, field: Field) -> Any:
        if field.name[:7] in ("target_", "actual_"):
            # the value as stored (not rounded as shown), in English: the cell editor writes
            # it in the user's locale
            value = getattr(element, field.name)
            if value is None:
                return ""
            if element.unit == "percent":
                return number_text(value * 100, decimals=6) + "%"
            return number_text(value, decimals=6)
        return super().edit_value(element, field)

    def set_field(self, index: _INDEX, element: Any, f: Field, value: Any) -> bool:
        """Binding a metric fills the KPI's actuals from the imports in the same step."""
        ws = self.ctx.workspace
        if f.name != "metric" or self.ctx.editor is None or ws is None:
            return super().set_field(index, element, f, value)
        from jbp.plans import bind_metric

        key = (element.id, f.name)
        try:
            command = bind_metric(ws, self.ctx.editor, element.id, value, self.ctx.as_of)
        except JbpError as exc:
            return self._refuse(index, key, str(exc), emit_error=True)
        if command is not None and not self.ctx.run(command):
            return self._refuse(index, key, str(self.ctx.last_error or "refused"))
        self._clear_error(index, key)
        return True

    def typed_value(self, index: _INDEX, text: str, value: Any) -> Any:
        """What was typed in a cell, read as the cell shows it. A percent KPI's quarter
        cells show percent (25%), so a plain number there is percent too: 25 is 25%, not
        the fraction 25 (2,500%). A plain number between 0 and 1 reads two ways (0.25% or,
        as a fraction, 25%): refused with a message, never stored silently."""
        f = self.field_at(index)
        element = self.element(index.row())
        if (f is None or element is None or f.name[:7] not in ("target_", "actual_")
                or element.unit != "percent" or not isinstance(value, float | int)
                or isinstance(value, bool) or text.strip().endswith("%")):
            return value
        if 0 < abs(value) < 1:
            style = i18n.number_style()
            raise ValidationError(f.label, (
                f"“{text.strip()}” reads two ways: {style.number(f'{value:g}%')} or "
                f"{style.number(f'{value * 100:g}%')}. Nothing was stored; type "
                f"{style.number(f'{value:g}%')} or {style.number(f'{value * 100:g}%')} "
                "to say which."))
        return value / 100.0

    def _to_date(self, k: Kpi) -> str:
        s = self.status_of(k)
        if s.actual_to_date is None:
            return ""
        style = i18n.number_style()
        return (f"{format_kpi_value(s.actual_to_date, k.unit, short=True, style=style)} / "
                f"{format_kpi_value(s.target_to_date, k.unit, short=True, style=style)}")

    def _forecast(self, k: Kpi) -> str:
        s = self.status_of(k)
        if s.forecast is None:
            return ""
        style = i18n.number_style()
        return (f"{format_kpi_value(s.forecast, k.unit, short=True, style=style)} / "
                f"{format_kpi_value(s.full_target, k.unit, short=True, style=style)}")


def _pct(x: float | None) -> str:
    return "" if x is None else i18n.number_style().number(f"{x * 100:.0f}%")


class InitiativeTableModel(PartTableModel):
    """Initiatives; linked goals are shown by title and edited as a checked list."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(ctx, "initiative", parent=parent)
        self.goal_titles: dict[int, str] = {}

    def display_value(self, element: Any, field: Field) -> str:
        if field.kind == "ids":
            return "; ".join(self.goal_titles.get(g, f"#{g}") for g in element.goal_ids)
        return super().display_value(element, field)

    def id_choices(self, field: Field) -> list[tuple[int, str]]:
        return list(self.goal_titles.items())


class GoalTableModel(PartTableModel):
    """Goals with the number of KPIs and how many are Red/Amber/Green."""

    def __init__(self, ctx: AppContext, summary_of: Callable[[Any], str], parent=None):
        columns = field_columns(element_class("goal"))
        columns.append(Column("KPIs", value=summary_of, tooltip="KPIs by RAG status"))
        super().__init__(ctx, "goal", columns, parent)


class RecordTableModel(ElementTableModel):
    """Read-only rows of plain records (revisions, amendments, sign-offs): columns are
    (title, function of the record)."""

    def __init__(self, columns: list[tuple[str, Callable[[Any], str]]], parent=None):
        super().__init__([Column(t, value=fn) for t, fn in columns], parent)

    def set_elements(self, elements: Sequence[Any]) -> None:
        self.beginResetModel()
        self.elements = list(elements)
        self.endResetModel()
