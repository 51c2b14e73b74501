"""What an applied command is called in the Edit menu, in the user's words:
"Target Q1 of Partner-sourced revenue 600,000 → 650,000" instead of "Edit kpi target q1".

No Qt here; :mod:`ui.context` names each command it pushes with :func:`describe`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .commands import Command
    from .store import Workspace


def choice_label(field_name: str, value: Any) -> str:
    """The words for a stored choice: a bound metric's label instead of its key."""
    if field_name == "metric":
        if not value:
            return "not bound"
        from .metrics import METRICS

        metric = METRICS.get(str(value))
        return metric.label if metric else str(value)
    return "" if value is None else str(value)


def value_words(field: Any, value: Any) -> str:
    """A field's value as a short text; empty shows as "empty"."""
    if value is None or value == "":
        return "empty"
    if field.kind == "enum":
        return choice_label(field.name, value)
    if field.kind in ("float", "money", "int") and isinstance(value, int | float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    text = field.display(value)
    return text if len(text) <= 40 else text[:39] + "…"


def element_name(ws: Workspace, kind: str, element_id: int) -> str:
    """The name a person knows a plan part by (its name or title), else its label."""
    try:
        element = ws.element(kind, element_id)
    except Exception:  # deleted since; the label still reads well
        return ""
    for attr in ("name", "title", "account", "text"):
        value = getattr(element, attr, None)
        if isinstance(value, str) and value.strip():
            text = value.strip()
            return text if len(text) <= 40 else text[:39] + "…"
    return ""


def describe(command: Command, ws: Workspace | None) -> str:
    """The words for ``command`` after it was applied (so its old value is known)."""
    from .commands import SetField

    if isinstance(command, SetField) and ws is not None:
        field = command.cls.field(command.field)
        name = element_name(ws, command.kind, command.element_id)
        what = f"{field.label} of {name}" if name else f"{command.cls.LABEL} {field.label}"
        unit = _kpi_unit(ws, command) if command.field[:7] in ("target_", "actual_") else ""
        if unit:  # a quarterly target or actual reads in its KPI's unit: 25% → 30%
            from .formatting import kpi_value

            def words(v: Any) -> str:
                return "empty" if v is None or v == "" else kpi_value(v, unit)
            return f"{what} {words(command.old)} → {words(command.value)}"
        return (f"{what} {value_words(field, command.old)} → "
                f"{value_words(field, command.value)}")
    return command.text


def _kpi_unit(ws: Workspace, command: Any) -> str:
    """The unit of the KPI a command edits ("" for any other element, or one since deleted)."""
    if command.kind != "kpi":
        return ""
    try:
        return str(getattr(ws.element("kpi", command.element_id), "unit", "") or "")
    except Exception:  # deleted since
        return ""
