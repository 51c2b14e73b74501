"""KPIs bound to metrics: a plan's KPI whose ``metric`` names a metric of
:data:`jbp.metrics.METRICS` takes its quarterly actuals from the imported actuals.

:func:`bound_updates` works out which actuals differ from the imports (quarters that have
started by the day the metric's source is read through, :mod:`jbp.coverage`);
:class:`RefreshKpis` writes them as one undoable command that logs **one** revision per plan,
credited to the import it follows ("Actuals import: deals.csv"), whose old and new values
hold every cell it changed — not a row per cell under the name of whoever is at the keyboard.

The same functions serve the CLI (``jbp import``, ``jbp refresh-kpis``), the Data page and
the import wizard (:func:`updates_for_file` runs off the GUI thread on its own connection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .commands import Command, Editor
from .errors import JbpError
from .metrics import METRICS, Actuals, quarterly_values_many
from .model import QUARTERS, PlanStatus, Revision
from .store import Workspace, now_iso

#: Who the revision log names for actuals filled in from imports (no file named).
IMPORT_EDITOR = Editor("Actuals import", "vendor")
#: The revision's ``field`` of a refresh entry; its old/new map "KPI name · Qn" to values.
REFRESH_FIELD = "KPI actuals from imports"
REFRESH_ACTION = "refresh"


def import_editor(file: str | Path | None = None) -> Editor:
    """The editor a refresh after importing ``file`` is credited to:
    "Actuals import: deals.csv" (vendor side)."""
    if not file:
        return IMPORT_EDITOR
    return Editor(f"{IMPORT_EDITOR.author}: {Path(str(file)).name}", "vendor")


@dataclass(frozen=True)
class KpiUpdate:
    """One quarterly actual that changes: plan, KPI, quarter index 0-3, old → new."""

    plan_id: int
    kpi_id: int
    kpi_name: str
    quarter: int
    old: float | None
    new: float | None

    @property
    def cell(self) -> str:
        """How the history names the cell: "Partner-sourced revenue · Q3"."""
        return f"{self.kpi_name} · Q{self.quarter + 1}"


def bound_updates(ws: Workspace, plan_ids: list[int] | None = None,
                  as_of: dt.date | None = None,
                  actuals: Actuals | None = None) -> list[KpiUpdate]:
    """Every bound KPI actual whose stored value differs from the metric's.

    ``plan_ids`` None means every plan that is not Closed; ``as_of`` None the workspace's
    own (:func:`jbp.asof.resolve_as_of`). A value of None from the metric (nothing to
    measure, e.g. a win rate with no closed registrations) leaves the stored actual as it is.
    """
    from .asof import resolve_as_of

    actuals = actuals or Actuals.load(ws)
    as_of = as_of or resolve_as_of(ws).date
    if plan_ids is None:
        plan_ids = [p.id for p in ws.plans()
                    if p.id is not None and p.status != PlanStatus.CLOSED.value]
    bound = []
    for plan_id in plan_ids:
        doc = ws.plan_document(plan_id)
        for kpi in doc.kpis:
            if not kpi.metric:
                continue
            if kpi.metric not in METRICS:
                raise JbpError(f"plan '{doc.plan.title}': KPI '{kpi.name}' is bound to an "
                               f"unknown metric {kpi.metric!r}")
            bound.append((plan_id, doc, kpi))
    # Every bound KPI of every plan from one read of their partners' rows.
    measured = quarterly_values_many(
        actuals, [(kpi.metric or "", doc.plan.partner_id, doc.plan.fiscal_year)
                  for _, doc, kpi in bound], as_of)
    out: list[KpiUpdate] = []
    for (plan_id, _, kpi), values in zip(bound, measured, strict=True):
        for q, new in enumerate(values):
            old = kpi.actuals[q]
            if new is None or (old is not None and abs(old - new) < 1e-9):
                continue
            assert kpi.id is not None  # KPIs read from the workspace have ids
            out.append(KpiUpdate(plan_id, kpi.id, kpi.name, q, old, new))
    return out


class RefreshKpis(Command):
    """Write bound KPI actuals as one step: per plan, the cells change and one revision row
    records them all (``field`` :data:`REFRESH_FIELD`, old/new: cell → value)."""

    def __init__(self, updates: list[KpiUpdate], editor: Editor = IMPORT_EDITOR,
                 at: str | None = None):
        self.updates, self.editor, self.at = list(updates), editor, at
        self.plan_id = updates[0].plan_id if updates else 0
        plans = len({u.plan_id for u in updates})
        self.text = (f"Refresh {len(updates)} KPI actuals in {plans} "
                     f"plan{'s' if plans != 1 else ''} ({editor.author})")

    def _write(self, ws: Workspace, forward: bool) -> None:
        by_plan: dict[int, list[KpiUpdate]] = {}
        for u in self.updates:
            by_plan.setdefault(u.plan_id, []).append(u)
        with ws.transaction():
            for plan_id, ups in by_plan.items():
                with ws.transaction(plan_id):
                    for u in ups:
                        ws.write_field("kpi", u.kpi_id, f"actual_{QUARTERS[u.quarter]}",
                                       u.new if forward else u.old)
                    old = {u.cell: (u.old if forward else u.new) for u in ups}
                    new = {u.cell: (u.new if forward else u.old) for u in ups}
                    ws.add_revision(Revision(
                        plan_id=plan_id, author=self.editor.author, side=self.editor.side,
                        at=self.at or now_iso(), element_kind="plan", element_id=plan_id,
                        field=REFRESH_FIELD, old=old, new=new,
                        action=REFRESH_ACTION if forward else "undo"))
        for plan_id in by_plan:
            ws.notify("plan", plan_id)

    def do(self, ws: Workspace) -> None:
        self._write(ws, True)

    def undo(self, ws: Workspace) -> None:
        self._write(ws, False)


def refresh_command(updates: list[KpiUpdate], editor: Editor = IMPORT_EDITOR,
                    at: str | None = None) -> RefreshKpis | None:
    """The undoable command that writes ``updates`` (None when there are none)."""
    return RefreshKpis(updates, editor, at) if updates else None


def refresh_macro(ws: Workspace, plan_ids: list[int] | None = None,
                  as_of: dt.date | None = None, editor: Editor = IMPORT_EDITOR,
                  actuals: Actuals | None = None) -> tuple[RefreshKpis | None, list[KpiUpdate]]:
    """One undoable command that fills every bound KPI actual (None when nothing changes),
    and the list of changes. Run it with ``History(ws).run(cmd)`` or ``ctx.run(cmd)``."""
    updates = bound_updates(ws, plan_ids, as_of, actuals)
    return refresh_command(updates, editor), updates


def _report(state: Any, fraction: float, text: str) -> None:
    if state is None:
        return
    state.report(fraction, text)


def _check(state: Any) -> None:
    if state is None:
        return
    state.check()


def updates_for_file(path: str | Path, as_of: dt.date | None, *,
                     state: Any = None) -> list[KpiUpdate]:
    """:func:`bound_updates` of every open plan, on a connection of its own (safe off the
    GUI thread). ``state``: a :class:`jbp.progress.Progress` (or the GUI's task state)."""
    _report(state, 0.1, "reading actuals")
    with Workspace.open(path) as ws:
        actuals = Actuals.load(ws)
        _check(state)
        _report(state, 0.5, "measuring bound KPIs")
        return bound_updates(ws, None, as_of, actuals)


def refresh_cells(revision: Revision) -> list[tuple[str, Any, Any]]:
    """The cells one refresh entry of the history changed: (cell, old, new)."""
    if revision.field != REFRESH_FIELD:
        return []
    old, new = revision.old or {}, revision.new or {}
    return [(cell, old.get(cell), new.get(cell)) for cell in new]


#: How many times a batch refresh re-reads and retries when another session changed a plan
#: between its reading and its writing.
REFRESH_ATTEMPTS = 5


def refresh_retrying(ws: Workspace, plan_ids: list[int] | None = None,
                     as_of: dt.date | None = None, editor: Editor = IMPORT_EDITOR, *,
                     dry_run: bool = False,
                     on_retry: Callable[[int], None] | None = None) -> list[KpiUpdate]:
    """Compute the bound KPI updates and apply them as one step; when another session changed
    a plan meanwhile (StaleWriteError), re-read and compute them again — a batch command has
    no user to ask to "reload and make it again". Returns the updates applied (or, with
    ``dry_run``, those that would be). ``on_retry(attempt)`` is told of each retry."""
    from .commands import History
    from .errors import StaleWriteError

    for attempt in range(1, REFRESH_ATTEMPTS + 1):
        command, updates = refresh_macro(ws, plan_ids, as_of, editor)
        if command is None or dry_run:
            return updates
        try:
            History(ws).run(command)
            return updates
        except StaleWriteError:
            if attempt == REFRESH_ATTEMPTS:
                raise
            if on_retry is not None:
                on_retry(attempt + 1)
    return []  # pragma: no cover - the loop returns or raises
