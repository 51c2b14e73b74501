"""Qt item models of the Scenario Lab: the scenario list, the tier table, and read-only
tables of figures. Thin: values come from :mod:`jbp.scenarios` and :mod:`simulation`;
edits are handed on as requests (the page turns them into undoable commands)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QTableView

from jbp.errors import ValidationError
from jbp.locale_numbers import typable
from jbp.model import Tier
from jbp.scenarios import ScenarioRecord
from ui import i18n, theme
from ui.widgets.field_delegate import NUMBER_KINDS, read_typed
from ui.widgets.keyboard import keyboard_view


class ResultStore:
    """Decoded results of stored scenarios, decoded once per stored blob (decoding a
    500-partner × 100-replication result takes milliseconds, but the list is reloaded on
    every edit)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[int, Any]] = {}
        self._summaries: dict[int, tuple[Any, Any]] = {}

    @staticmethod
    def _key(blob: bytes) -> int:
        return hash((len(blob), blob))

    def put(self, scenario_id: int, blob: bytes, result: Any, summary: Any = None) -> None:
        self._cache[scenario_id] = (self._key(blob), result)
        if summary is not None:
            self._summaries[scenario_id] = (result, summary)

    def summary(self, scenario_id: int, result: Any):
        """``result.summary(HEADLINE)``, computed once per result."""
        from simulation.results import HEADLINE

        hit = self._summaries.get(scenario_id)
        if hit is None or hit[0] is not result:
            hit = self._summaries[scenario_id] = (result, result.summary(list(HEADLINE)))
        return hit[1]

    def get(self, record: ScenarioRecord) -> Any | None:
        """The :class:`~simulation.results.ScenarioResult` stored with ``record`` (named as
        the record is now), or None when it was never run or cannot be read."""
        if record.results is None:
            return None
        key = self._key(record.results)
        hit = self._cache.get(record.id)
        if hit is not None and hit[0] == key:
            result = hit[1]
        else:
            from simulation.results import ScenarioResult

            try:
                result = ScenarioResult.from_bytes(record.results)
            except (ValueError, KeyError, OSError):
                return None
            self._cache[record.id] = (key, result)
        result.name = record.name
        return result

    def clear(self) -> None:
        self._cache.clear()
        self._summaries.clear()


# --------------------------------------------------------------------------- scenario list


class ScenarioListModel(QAbstractTableModel):
    """The workspace's scenarios: name (checkable: include in the comparison; editable:
    rename) and status (not run, results, stale, queued, running n%). The first scenario is
    the baseline (shown bold)."""

    NAME, STATUS = 0, 1
    HEADERS = ("Scenario", "Status")

    #: The user typed a new name (scenario id, name); the page renames through a command.
    rename_requested = Signal(int, str)
    #: The set of scenarios to compare changed.
    checked_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.records: list[ScenarioRecord] = []
        self.baseline_id: int | None = None
        self._checked: set[int] = set()
        self._seen: set[int] = set()
        self._run_state: dict[int, str] = {}
        self.describe_result = lambda record: ""

    # ------------------------------------------------------------------ contents

    def set_records(self, records: list[ScenarioRecord], baseline_id: int | None) -> None:
        same_rows = [r.id for r in records] == [r.id for r in self.records]
        for r in records:
            if r.id not in self._seen:  # new scenarios join the comparison
                self._seen.add(r.id)
                self._checked.add(r.id)
        ids = {r.id for r in records}
        self._checked &= ids
        checked_before = set(self._checked)
        if same_rows:
            self.records = list(records)
            self.baseline_id = baseline_id
            if records:
                self.dataChanged.emit(self.index(0, 0), self.index(len(records) - 1, 1))
        else:
            self.beginResetModel()
            self.records = list(records)
            self.baseline_id = baseline_id
            self.endResetModel()
        if checked_before != self._checked or not same_rows:
            self.checked_changed.emit()

    def record(self, row: int) -> ScenarioRecord:
        return self.records[row]

    def row_of(self, scenario_id: int) -> int:
        for i, r in enumerate(self.records):
            if r.id == scenario_id:
                return i
        return -1

    def checked_ids(self) -> list[int]:
        """Scenarios ticked for the comparison, in list order."""
        return [r.id for r in self.records if r.id in self._checked]

    def set_checked(self, ids: list[int] | set[int]) -> None:
        self._checked = {r.id for r in self.records if r.id in set(ids)}
        if self.records:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.records) - 1, 0))
        self.checked_changed.emit()

    def set_run_state(self, scenario_id: int, text: str | None) -> None:
        """What the run queue says of a scenario ("queued", "running 45%"), or None."""
        if text:
            self._run_state[scenario_id] = text
        else:
            self._run_state.pop(scenario_id, None)
        row = self.row_of(scenario_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 1), self.index(row, 1))

    def status(self, record: ScenarioRecord) -> str:
        if record.id in self._run_state:
            return self._run_state[record.id]
        if record.results is None:
            return "not run"
        extra = self.describe_result(record)
        if record.stale:
            return "stale: run again"
        return f"results{' · ' + extra if extra else ''}"

    # ------------------------------------------------------------------ Qt

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.records[index.row()]
        col = index.column()
        base = r.id == self.baseline_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == self.NAME:
                return r.name
            return self.status(r)
        if role == Qt.ItemDataRole.CheckStateRole and col == self.NAME:
            return Qt.CheckState.Checked if r.id in self._checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.FontRole and col == self.NAME and base:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and col == self.STATUS:
            if r.id not in self._run_state and r.stale:
                return theme.brush(theme.current().warning_text)
            if r.results is None and r.id not in self._run_state:
                return theme.brush(theme.current().muted)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = "Baseline: its values are shown beside every field and the comparison " \
                  "measures changes from it" if base else ""
            if col == self.NAME:
                return (tip + "\n" if tip else "") + "Tick to include in the comparison; " \
                    "double-click to rename"
            if r.stale:
                return "The parameters changed since this run: the results describe the " \
                       "old parameters"
            return tip or None
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.NAME:
            flags |= Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.NAME:
            return False
        r = self.records[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            if checked:
                self._checked.add(r.id)
            else:
                self._checked.discard(r.id)
            self.dataChanged.emit(index, index)
            self.checked_changed.emit()
            return True
        if role == Qt.ItemDataRole.EditRole:
            text = str(value).strip()
            if text and text != r.name:
                self.rename_requested.emit(r.id, text)
            return False  # the list reloads once the rename is stored
        return False


# --------------------------------------------------------------------------- tier table


class TierTableModel(QAbstractTableModel):
    """The scenario's tiers, one row per tier (lowest first), one column per tier field.

    Editing a cell parses the text with the tier field's own rules and emits
    :attr:`edit_requested` with the dotted path (``tiers.Gold.min_sourced_revenue``) and the
    value; a value the field refuses emits :attr:`refused` (path, message). Cells that differ
    from the baseline's tier of the same name are highlighted; the tooltip gives the
    baseline value."""

    edit_requested = Signal(str, object)
    refused = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.fields = list(Tier.FIELDS)
        self.tiers: list[Tier] = []
        self.baseline: dict[str, Tier] | None = None

    def set_tiers(self, tiers: list[Tier], baseline: list[Tier] | None) -> None:
        self.beginResetModel()
        self.tiers = sorted(tiers, key=lambda t: t.rank)
        self.baseline = {t.name: t for t in baseline} if baseline is not None else None
        self.endResetModel()

    def column_of(self, name: str) -> int:
        return next(i for i, f in enumerate(self.fields) if f.name == name)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.tiers)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.fields)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        f = self.fields[section]
        if role == Qt.ItemDataRole.DisplayRole:
            # Wrapped on two lines: on a laptop the one-line labels pushed the MDF and
            # priority-support columns off to the right of the tier table.
            return textwrap.fill(f.label, 16) + (f"\n({_short_unit(f.unit)})" if f.unit
                                                 else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{f.label}" + (f" — {f.unit}" if f.unit else "")
        return None

    def _baseline_value(self, tier: Tier, name: str) -> Any:
        if self.baseline is None:
            return None
        other = self.baseline.get(tier.name)
        return getattr(other, name) if other is not None else _MISSING

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        tier = self.tiers[index.row()]
        f = self.fields[index.column()]
        value = getattr(tier, f.name)
        base = self._baseline_value(tier, f.name)
        differs = self.baseline is not None and base != value
        if f.kind == "bool":
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DisplayRole:
                return None
        elif role == Qt.ItemDataRole.DisplayRole:
            style = i18n.number_style()
            if differs and base is not _MISSING and f.name != "name":
                return f"{f.display(value, style)} (baseline {f.display(base, style)})"
            return f.display(value, style)
        elif role == Qt.ItemDataRole.EditRole:  # typed back: grouped only where unambiguous
            return (typable(f.display(value), i18n.number_style()) if f.kind in NUMBER_KINDS
                    else f.display(value, i18n.number_style()))
        if role == Qt.ItemDataRole.BackgroundRole and differs:
            return theme.brush(theme.current().amended_bg)
        if role == Qt.ItemDataRole.ForegroundRole and differs:
            return theme.brush(theme.current().amended_fg)
        if role == Qt.ItemDataRole.ToolTipRole and self.baseline is not None:
            if base is _MISSING:
                return f"{tier.name} is not a tier of the baseline"
            return f"Baseline: {f.display(base)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and f.kind in ("money", "int", "fraction"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return value
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.fields[index.column()].kind == "bool":
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        return flags | Qt.ItemFlag.ItemIsEditable

    def path(self, row: int, name: str) -> str:
        return f"tiers.{self.tiers[row].name}.{name}"

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        f = self.fields[index.column()]
        path = self.path(index.row(), f.name)
        if f.kind == "bool" and role == Qt.ItemDataRole.CheckStateRole:
            self.edit_requested.emit(path, Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        try:  # text read in the user's locale (ui.i18n), then checked by the field
            typed = read_typed(value, f) if isinstance(value, str) else value
            parsed = f.coerce(typed, element="Tier")
        except ValidationError as exc:
            self.refused.emit(path, exc.reason)
            return False
        if parsed != getattr(self.tiers[index.row()], f.name):
            self.edit_requested.emit(path, parsed)
        return True


_MISSING = object()


def _short_unit(unit: str) -> str:
    # Margins and rebates are shown and typed as percentages ("10.0%"): say so.
    return {"fraction of sourced revenue": "%", "currency": "currency"}.get(unit, unit)


# --------------------------------------------------------------------------- figures


@dataclass
class Cell:
    """One cell of a :class:`FigureTableModel`: text shown, raw value (``UserRole``),
    tooltip, and emphasis."""

    text: str
    value: Any = None
    tooltip: str = ""
    bold: bool = False
    colour: str = ""  # a role of ui.theme.Theme ("good", "bad", "warning_text"), or none
    align_right: bool = True


class FigureTableModel(QAbstractTableModel):
    """A read-only table of :class:`Cell` rows with column headers (summaries,
    comparisons, sensitivity effects). ``frame`` keeps the DataFrame it was made from."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.headers: list[str] = []
        self.header_tips: list[str] = []
        self.rows: list[list[Cell]] = []
        self.row_keys: list[str] = []
        self.frame = None

    def set_rows(self, headers: list[str], rows: list[list[Cell]], keys: list[str] | None = None,
                 frame=None, header_tips: list[str] | None = None) -> None:
        self.beginResetModel()
        self.headers, self.rows = list(headers), [list(r) for r in rows]
        self.row_keys = list(keys or [])
        self.header_tips = list(header_tips or [])
        self.frame = frame
        self.endResetModel()

    def column_of(self, header: str) -> int:
        return self.headers.index(header)

    def row_of(self, key: str) -> int:
        return self.row_keys.index(key)

    def cell(self, row: int, col: int) -> Cell:
        return self.rows[row][col]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or section >= len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self.header_tips):
            return self.header_tips[section] or None
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.text
        if role == Qt.ItemDataRole.UserRole:
            return c.value
        if role == Qt.ItemDataRole.ToolTipRole:
            return c.tooltip or None
        if role == Qt.ItemDataRole.FontRole and c.bold:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and c.colour:
            return theme.brush(theme.current().roles()[c.colour])
        if role == Qt.ItemDataRole.TextAlignmentRole and c.align_right and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def figure_table_view(model: FigureTableModel, name: str, parent) -> QTableView:
    """A read-only, compact table over a :class:`FigureTableModel` (results, comparison)."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(22)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    keyboard_view(table, name.removesuffix("_table").capitalize() + " figures")
    return table
