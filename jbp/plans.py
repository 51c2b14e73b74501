"""Creating plans (from the shipped template or by rolling last year's forward) and reading
what changed since approval (amendments against the baseline)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .commands import Command, Editor
from .errors import ValidationError
from .fields import Field
from .model import (
    PLAN_PARTS,
    QUARTERS,
    Goal,
    Initiative,
    Kpi,
    Plan,
    PlanDocument,
    PlanStatus,
    Revision,
    Risk,
    Rule,
    TargetAccount,
    element_class,
    fiscal_quarter_bounds,
)
from .store import Workspace


@dataclass
class PlanDraft:
    """A whole plan before it is stored: the plan and its parts, goals holding their KPIs."""

    plan: Plan
    goals: list[tuple[Goal, list[Kpi]]] = field(default_factory=list)
    initiatives: list[tuple[Initiative, list[int]]] = field(default_factory=list)
    accounts: list[TargetAccount] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)


class CreatePlan(Command):
    """Store a :class:`PlanDraft` as a new plan; undo deletes it again."""

    def __init__(self, editor: Editor, draft: PlanDraft):
        self.editor, self.draft = editor, draft
        self.plan_id = 0
        self.created_id: int | None = None
        self.text = f"New plan {draft.plan.title}"

    def do(self, ws: Workspace) -> None:
        ws.partner(self.draft.plan.partner_id)  # raises for an unknown partner
        with ws.transaction():
            plan_id = ws.insert_plan(self.draft.plan, self.created_id)
            self.plan_id = self.created_id = plan_id
            goal_ids: list[int] = []
            for goal, kpis in self.draft.goals:
                gid = ws.insert_part(goal.replace(plan_id=plan_id))
                goal_ids.append(gid)
                for kpi in kpis:
                    ws.insert_part(kpi.replace(goal_id=gid))
            for initiative, goal_refs in self.draft.initiatives:
                links = [goal_ids[i] for i in goal_refs if 0 <= i < len(goal_ids)]
                ws.insert_part(initiative.replace(plan_id=plan_id, goal_ids=links))
            for part in (*self.draft.accounts, *self.draft.rules, *self.draft.risks):
                ws.insert_part(part.replace(plan_id=plan_id))
            self._revision(ws, self.editor, "plan", plan_id, "*", None,
                           self.draft.plan.title, "create")
        ws.mark_seen(plan_id)
        ws.notify("plans", plan_id)

    def undo(self, ws: Workspace) -> None:
        with ws.transaction():
            ws.delete_plan(self.plan_id)
        ws.notify("plans", self.plan_id)


def load_template(name: str = "standard") -> dict[str, Any]:
    """A plan template shipped with the app (``jbp/templates/<name>.json``)."""
    try:
        text = resources.files("jbp.templates").joinpath(f"{name}.json").read_text("utf-8")
    except FileNotFoundError:
        raise ValidationError("Template", f"no template named {name!r}") from None
    return json.loads(text)


def template_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("jbp.templates").iterdir()
                  if p.name.endswith(".json"))


def draft_from_template(ws: Workspace, partner_id: int, fiscal_year: int,
                        template: dict[str, Any] | None = None, *,
                        vendor_owner: str = "", partner_owner: str = "") -> PlanDraft:
    """A new Draft plan for a partner and fiscal year from a template."""
    template = template or load_template()
    partner = ws.partner(partner_id)
    program = ws.program()
    fmt = {"partner": partner.name, "program": program.name, "year": fiscal_year,
           "region": partner.region}
    plan = Plan(title=template["title"].format(**fmt), partner_id=partner_id,
                fiscal_year=fiscal_year, status=PlanStatus.DRAFT.value,
                vendor_owner=vendor_owner or (partner.manager or ""),
                partner_owner=partner_owner,
                executive_summary=template.get("executive_summary", "").format(**fmt))
    quarters = fiscal_quarter_bounds(fiscal_year, program.fiscal_year_start_month)
    draft = PlanDraft(plan=plan)
    for g in template.get("goals", []):
        goal = Goal(plan_id=0, title=g["title"], description=g.get("description", ""))
        kpis = []
        for k in g.get("kpis", []):
            targets = k.get("targets", [None] * 4)
            kpis.append(Kpi(goal_id=0, name=k["name"], kind=k.get("kind", "lagging"),
                            unit=k.get("unit", "count"), direction=k.get("direction", "higher"),
                            to_date=k.get("to_date", "sum of quarters"),
                            metric=k.get("metric", ""),
                            **{f"target_{q}": targets[i] for i, q in enumerate(QUARTERS)}))
        draft.goals.append((goal, kpis))
    for i in template.get("initiatives", []):
        q = int(i.get("quarter", 1)) - 1
        start, end = quarters[q]
        draft.initiatives.append((Initiative(
            plan_id=0, title=i["title"], type=i.get("type", "Other"),
            owner_side=i.get("owner_side", "joint"), start_date=start, end_date=end,
            mdf_requested=i.get("mdf_requested")), list(i.get("goals", []))))
    draft.rules = [Rule(plan_id=0, topic=r["topic"], rule=r["rule"])
                   for r in template.get("rules", [])]
    draft.risks = [Risk(plan_id=0, **r) for r in template.get("risks", [])]
    draft.accounts = [TargetAccount(plan_id=0, **a) for a in template.get("accounts", [])]
    return draft


def with_measured_actuals(ws: Workspace, draft: PlanDraft, as_of: dt.date) -> PlanDraft:
    """``draft`` with the quarterly actuals of its KPIs bound to a metric measured from the
    workspace's imported actuals, as a refresh (:mod:`jbp.bindings`) would fill them: a new
    plan for a year with data shows where the partner stands from its first screen, not
    "no actuals yet" until someone refreshes. Quarters not begun on the day each source is
    read through stay empty, and so does a metric with nothing to measure."""
    from .metrics import METRICS

    bound = [kpi for _, kpis in draft.goals for kpi in kpis
             if kpi.metric and kpi.metric in METRICS]
    if not bound:
        return draft
    values = measured_quarters(ws, draft.plan.partner_id, draft.plan.fiscal_year,
                               [kpi.metric or "" for kpi in bound], as_of)
    measured = {id(kpi): row for kpi, row in zip(bound, values, strict=True)}
    goals = []
    for goal, kpis in draft.goals:
        filled = []
        for kpi in kpis:
            row = measured.get(id(kpi))
            if row is not None:
                kpi = kpi.replace(**{f"actual_{q}": (v if v is not None else old)
                                     for q, v, old in zip(QUARTERS, row, kpi.actuals,
                                                          strict=True)})
            filled.append(kpi)
        goals.append((goal, filled))
    return PlanDraft(plan=draft.plan, goals=goals, initiatives=draft.initiatives,
                     accounts=draft.accounts, rules=draft.rules, risks=draft.risks)


def measured_quarters(ws: Workspace, partner_id: int, fiscal_year: int, metrics: list[str],
                      as_of: dt.date) -> list[list[float | None]]:
    """Each bound metric's value per fiscal quarter of ``fiscal_year`` for one partner, as
    :func:`jbp.bindings.bound_updates` measures it. Reads only that partner (one partner
    row, its actuals rows): as fast on a program of 20,000 partners as on a small one."""
    from .metrics import Actuals, quarterly_values_many
    from .metrics.activity import ActivitySource
    from .metrics.snapshot import KINDS, partners_frame

    with ws.read():
        actuals = Actuals(program=ws.program(), partners=partners_frame(ws, partner_id),
                          extract_dates=ws.extract_dates(),
                          source=ActivitySource(ws, tuple(KINDS)))
        return quarterly_values_many(
            actuals, [(metric, partner_id, fiscal_year) for metric in metrics], as_of)


def bind_metric(ws: Workspace, editor: Editor, kpi_id: int, metric: str,
                as_of: dt.date) -> Command | None:
    """Bind a KPI to a metric (or unbind it with "") and, in the same undoable step, fill
    its actuals from the imports as a refresh would (credited to the import, like every
    refresh). Before, a KPI bound in the table read "no actuals yet" until someone pressed
    Refresh on the Data page. None when the KPI is already bound so."""
    from .bindings import KpiUpdate, refresh_command
    from .commands import Macro, SetField
    from .undo_text import choice_label

    command = SetField(editor, "kpi", kpi_id, "metric", metric)
    if command.is_noop(ws):
        return None
    if not command.value:
        return command
    kpi = ws.element("kpi", kpi_id)
    assert isinstance(kpi, Kpi)
    plan = ws.plan(ws.plan_id_of("kpi", kpi_id))
    assert plan.id is not None
    (row,) = measured_quarters(ws, plan.partner_id, plan.fiscal_year, [command.value], as_of)
    updates = [KpiUpdate(plan.id, kpi_id, kpi.name, q, old, new)
               for q, (old, new) in enumerate(zip(kpi.actuals, row, strict=True))
               if new is not None and (old is None or abs(old - new) >= 1e-9)]
    refresh = refresh_command(updates)
    if refresh is None:
        return command
    label = choice_label("metric", command.value) or command.value
    return Macro(f"Bind {kpi.name} to {label} and fill its actuals", [command, refresh])


def _shift_year(d: dt.date | None) -> dt.date | None:
    if d is None:
        return None
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def draft_rolled_forward(ws: Workspace, plan_id: int) -> PlanDraft:
    """A copy of a plan for the next fiscal year: targets carried, actuals cleared.

    Initiatives move one year later and start again as Planned with no MDF approved or
    claimed; goals, target accounts, rules and risks are copied; comments, sign-offs and the
    revision log stay with the old plan.
    """
    doc = ws.plan_document(plan_id)
    old = doc.plan
    year = old.fiscal_year + 1
    title = old.title.replace(str(old.fiscal_year), str(year))
    if title == old.title:
        title = f"{old.title} (FY{year})"
    if any(p.fiscal_year == year for p in ws.plans(old.partner_id)):
        raise ValidationError("Fiscal year",
                              f"{doc.partner.name} already has a plan for FY{year}",
                              element="Plan")
    plan = Plan(title=title, partner_id=old.partner_id, fiscal_year=year,
                status=PlanStatus.DRAFT.value, vendor_owner=old.vendor_owner,
                partner_owner=old.partner_owner, vendor_sponsor=old.vendor_sponsor,
                partner_sponsor=old.partner_sponsor, executive_summary=old.executive_summary)
    draft = PlanDraft(plan=plan)
    index = {g.id: i for i, g in enumerate(doc.goals)}
    for g in doc.goals:
        kpis = [k.replace(id=None, **{f"actual_{q}": None for q in QUARTERS})
                for k in doc.kpis_of(g.id)]
        draft.goals.append((g.replace(id=None), kpis))
    for i in doc.initiatives:
        draft.initiatives.append((i.replace(
            id=None, start_date=_shift_year(i.start_date), end_date=_shift_year(i.end_date),
            status="Planned", mdf_approved=None, mdf_claimed=None, goal_ids=[]),
            [index[g] for g in i.goal_ids if g in index]))
    draft.accounts = [a.replace(id=None) for a in doc.accounts]
    draft.rules = [r.replace(id=None) for r in doc.rules]
    draft.risks = [r.replace(id=None) for r in doc.risks]
    return draft


@dataclass
class Amendment:
    """One difference between the approved baseline and the plan as it stands."""

    kind: str
    element_id: int
    element: str
    field: str
    baseline: str
    current: str
    author: str = ""
    side: str = ""
    at: str = ""


def _label(kind: str, values: dict[str, Any]) -> str:
    cls = element_class(kind)
    first = cls.FIELDS[0]
    return f"{cls.LABEL}: {values.get(first.name) or ''}"


def _shown(kind: str, f: Field, values: dict[str, Any], current: dict[str, Any]) -> str:
    """A field's stored value in words; a percent KPI's targets and actuals as percent
    (52%, not the stored fraction 0.52), unrounded so that no amendment reads "52% → 52%"."""
    value = f.from_store(values.get(f.name))
    if (kind == "kpi" and f.name[:7] in ("target_", "actual_") and value is not None
            and current.get("unit") == "percent"):
        return f"{value * 100:,.4f}".rstrip("0").rstrip(".") + "%"
    return f.display(value)


def amendments(ws: Workspace, doc: PlanDocument) -> list[Amendment]:
    """What changed since approval: field by field, plus parts added or removed.

    Empty when the plan was never approved. ``author``/``side``/``at`` name who made the
    latest change to that field (from the revision log).
    """
    baseline = doc.plan.baseline
    if not baseline or doc.plan.id is None:
        return []
    current = doc.snapshot()
    last: dict[tuple[str, int, str], Revision] = {}
    for rev in ws.revisions(doc.plan.id):
        if doc.plan.approved_at and rev.at < doc.plan.approved_at:
            continue
        last[(rev.element_kind, rev.element_id, rev.field)] = rev
        last[(rev.element_kind, rev.element_id, "*")] = rev
    out: list[Amendment] = []
    for kind in ("plan", *PLAN_PARTS):
        cls = element_class(kind)
        before, after = baseline.get(kind, {}), current.get(kind, {})
        for eid in sorted(set(before) | set(after), key=int):
            b, a = before.get(eid), after.get(eid)
            key = int(eid)
            if b is None or a is None:
                values = a if a is not None else b
                assert values is not None  # eid is a key of one of the two
                latest = last.get((kind, key, "*"))
                out.append(Amendment(
                    kind, key, _label(kind, values), "(added)" if b is None else "(removed)",
                    "" if b is None else "present", "present" if b is None else "",
                    latest.author if latest else "", latest.side if latest else "",
                    latest.at if latest else ""))
                continue
            for f in cls.FIELDS:
                if f.name == "status" or b.get(f.name) == a.get(f.name):
                    continue
                latest = last.get((kind, key, f.name))
                out.append(Amendment(
                    kind, key, _label(kind, a), f.label,
                    _shown(kind, f, b, a), _shown(kind, f, a, a),
                    latest.author if latest else "", latest.side if latest else "",
                    latest.at if latest else ""))
    return out
