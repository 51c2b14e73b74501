"""What a plan workbook shows, read from the workspace at one moment (so the workbook can be
written off the GUI thread), and the values and signature its hidden sheet keeps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from jbp.coverage import Coverage, coverage_of
from jbp.model import (
    PlanDocument,
    Program,
    Revision,
)

from ..front_matter import Provenance, provenance
from .layout import FORMAT, FORMAT_VERSION


@dataclass
class PlanExport:
    """Everything the plan workbook shows, read from the workspace at one moment, so the
    workbook can be written off the GUI thread without touching the workspace."""

    doc: PlanDocument
    program: Program
    as_of: dt.date
    revisions: list[Revision]
    workspace_id: str
    key: bytes
    exported_at: str
    workspace_name: str = ""
    snapshot: dict[str, Any] = field(default_factory=dict)
    prov: Provenance | None = None
    #: Where each source's data ends: a KPI bound to a metric is measured to its source's
    #: end when that is before ``as_of`` (:func:`jbp.kpi.status_on`), as in the app.
    coverage: Coverage | None = None


def collect_plan(ws, plan_id: int, as_of: dt.date | None = None) -> PlanExport:
    """Read a plan and what its workbook needs. ``as_of`` is the date the user set, if any
    (:func:`jbp.asof.resolve_as_of` decides the workbook's "as of")."""
    doc = ws.plan_document(plan_id)
    workspace_id, key = ws.workbook_keys()
    prov = provenance(ws, as_of)
    return PlanExport(
        doc=doc, program=ws.program(), as_of=prov.as_of.date,
        revisions=ws.revisions(plan_id), workspace_id=workspace_id, key=key,
        exported_at=prov.exported_at, workspace_name=ws.name, snapshot=plan_snapshot(doc),
        prov=prov, coverage=coverage_of(ws))


def plan_snapshot(doc: PlanDocument) -> dict[str, Any]:
    """Field values of the plan and its parts (stored form), comments' resolved flags and
    which goal each KPI belongs to: what the round trip compares a returned workbook with."""
    snap: dict[str, Any] = doc.snapshot()
    snap["comment"] = {str(c.id): {"resolved": bool(c.resolved), "text": c.text}
                       for c in doc.comments}
    snap["kpi_goal"] = {str(k.id): k.goal_id for k in doc.kpis}
    return snap


def _bare_provenance(data: PlanExport) -> Provenance:
    """The provenance of a workbook built from data read without it (tests, scripts)."""
    from jbp.asof import SET_BY_USER, AsOf

    return Provenance(program=data.program.name, currency=data.program.currency,
                      workspace=data.workspace_name, as_of=AsOf(data.as_of, SET_BY_USER),
                      exported_at=data.exported_at, exported_by="", app_version="JBP Studio")


def meta_values(data: PlanExport, chunks: int) -> dict[str, Any]:
    plan = data.doc.plan
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "workspace_id": data.workspace_id, "workspace": data.workspace_name,
            "plan_id": plan.id, "plan_version": plan.version, "plan_title": plan.title,
            "exported_at": data.exported_at, "as_of": data.as_of.isoformat(),
            "snapshot_chunks": chunks}


def signed_text(meta: dict[str, Any], snapshot_text: str) -> str:
    """What the signature covers: the meta values (without the signature) and the snapshot."""
    lines = [f"{k}={meta[k]}" for k in sorted(meta) if k != "signature"]
    return "\n".join(lines) + "\n" + snapshot_text
