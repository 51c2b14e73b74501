"""KPIs bound to metrics: a plan's KPI whose ``metric`` names a metric of
:data:`jbp.metrics.METRICS` takes its quarterly actuals from the imported actuals.

:func:`refresh_commands` works out the edits (one :class:`~jbp.commands.SetField` per
actual that differs) and :func:`refresh_macro` wraps them in one undoable
:class:`~jbp.commands.Macro`, logged in each plan's revision history under the editor
(default :data:`IMPORT_EDITOR`). Only quarters that have started on ``as_of`` are filled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .commands import Command, Editor, Macro, SetField
from .errors import JbpError
from .metrics import METRICS, Actuals, default_as_of, quarterly_values
from .model import QUARTERS, PlanStatus
from .store import Workspace

#: Who the revision log names for actuals filled in from imports.
IMPORT_EDITOR = Editor("Actuals import", "vendor")


@dataclass(frozen=True)
class KpiUpdate:
    """One quarterly actual that changes: plan, KPI, quarter index 0-3, old → new."""

    plan_id: int
    kpi_id: int
    kpi_name: str
    quarter: int
    old: float | None
    new: float | None


def bound_updates(ws: Workspace, plan_ids: list[int] | None = None,
                  as_of: dt.date | None = None,
                  actuals: Actuals | None = None) -> list[KpiUpdate]:
    """Every bound KPI actual whose stored value differs from the metric's.

    ``plan_ids`` None means every plan that is not Closed. A value of None from the metric
    (nothing to measure, e.g. a win rate with no closed registrations) leaves the stored
    actual as it is.
    """
    actuals = actuals or Actuals.load(ws)
    as_of = as_of or default_as_of(actuals)
    if plan_ids is None:
        plan_ids = [p.id for p in ws.plans() if p.status != PlanStatus.CLOSED.value]
    out: list[KpiUpdate] = []
    for plan_id in plan_ids:
        doc = ws.plan_document(plan_id)
        for kpi in doc.kpis:
            if not kpi.metric:
                continue
            if kpi.metric not in METRICS:
                raise JbpError(f"plan '{doc.plan.title}': KPI '{kpi.name}' is bound to an "
                               f"unknown metric {kpi.metric!r}")
            values = quarterly_values(actuals, kpi.metric, doc.plan.partner_id,
                                      doc.plan.fiscal_year, as_of)
            for q, new in enumerate(values):
                old = kpi.actuals[q]
                if new is None or (old is not None and abs(old - new) < 1e-9):
                    continue
                out.append(KpiUpdate(plan_id, kpi.id, kpi.name, q, old, new))
    return out


def refresh_commands(updates: list[KpiUpdate], editor: Editor = IMPORT_EDITOR) -> list[Command]:
    return [SetField(editor, "kpi", u.kpi_id, f"actual_{QUARTERS[u.quarter]}", u.new)
            for u in updates]


def refresh_macro(ws: Workspace, plan_ids: list[int] | None = None,
                  as_of: dt.date | None = None, editor: Editor = IMPORT_EDITOR,
                  actuals: Actuals | None = None) -> tuple[Macro | None, list[KpiUpdate]]:
    """One undoable command that fills every bound KPI actual (None when nothing changes),
    and the list of changes. Run it with ``History(ws).run(macro)`` or ``ctx.run(macro)``."""
    updates = bound_updates(ws, plan_ids, as_of, actuals)
    if not updates:
        return None, []
    return Macro("Refresh KPI actuals from imports", refresh_commands(updates, editor)), updates
