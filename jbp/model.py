"""The domain model: partners, the program and its tiers, joint business plans and their parts.

Objects are plain dataclasses. Each editable attribute is described once by a
:class:`~jbp.fields.Field` in the class's ``FIELDS``; constructing an object coerces and checks
every field, so an invalid object cannot exist. Edits to stored plans go through
:mod:`jbp.commands`, never by assigning attributes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Self

from .errors import ValidationError
from .fields import Field


class Side(StrEnum):
    VENDOR = "vendor"
    PARTNER = "partner"


class PlanStatus(StrEnum):
    DRAFT = "Draft"
    IN_REVIEW = "In review"
    APPROVED = "Approved"
    ACTIVE = "Active"
    CLOSED = "Closed"


PARTNER_TYPES = ("Reseller", "SI", "MSP", "ISV", "Referral")
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
SIDES = tuple(s.value for s in Side)
OWNER_SIDES = ("vendor", "partner", "joint")
PLAN_STATUSES = tuple(s.value for s in PlanStatus)
KPI_KINDS = ("leading", "lagging")
KPI_UNITS = ("currency", "count", "percent", "days")
#: How a KPI's quarters make its year to date: flows (revenue, deals) add up; levels
#: (certified people, active users) are read at the latest reported quarter.
KPI_TO_DATE = ("sum of quarters", "latest quarter")
DIRECTIONS = ("higher", "lower")
INITIATIVE_TYPES = (
    "GTM campaign",
    "Enablement",
    "MDF activity",
    "Co-sell",
    "Marketplace private offer",
    "Other",
)
INITIATIVE_STATUSES = ("Planned", "In progress", "Done", "On hold", "Cancelled")
ACCOUNT_STAGES = ("Identified", "Engaged", "Opportunity", "Won", "Lost")
LEVELS = ("Low", "Medium", "High")
QUARTERS = ("q1", "q2", "q3", "q4")
#: The computed metrics a KPI can be bound to (their formulas: ``jbp.metrics.METRICS``).
BINDABLE_METRICS = (
    "sourced_revenue", "influenced_revenue", "attributed_revenue", "registrations",
    "win_rate", "certified_people", "certifications", "portal_logins", "new_logos",
    "mdf_claimed", "mdf_utilisation", "days_to_close",
)


class Element:
    """Base of every validated domain object. Subclasses are dataclasses with ``FIELDS``."""

    KIND: ClassVar[str] = ""
    LABEL: ClassVar[str] = ""
    FIELDS: ClassVar[tuple[Field, ...]] = ()
    if TYPE_CHECKING:  # every subclass is a dataclass
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def __post_init__(self) -> None:
        label = self.LABEL or type(self).__name__
        for f in self.FIELDS:
            object.__setattr__(self, f.name, f.coerce(getattr(self, f.name), element=label))
        self.check()

    def check(self) -> None:
        """Rules that involve more than one field; raise :class:`ValidationError`."""

    @classmethod
    def field(cls, name: str) -> Field:
        for f in cls.FIELDS:
            if f.name == name:
                return f
        raise KeyError(f"{cls.__name__} has no field {name!r}")

    def values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in self.FIELDS}

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- partners


@dataclass
class Partner(Element):
    """A partner company in the ecosystem."""

    KIND: ClassVar[str] = "partner"
    LABEL: ClassVar[str] = "Partner"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("name", "text", "Name", required=True, max_length=200),
        Field("type", "enum", "Type", required=True, choices=PARTNER_TYPES),
        Field("region", "enum", "Region", required=True, choices=REGIONS),
        Field("signup_date", "date", "Sign-up date", required=True),
        Field("activated_on", "date", "Onboarded on"),
        Field("ipp_fit", "fraction", "IPP fit", minimum=0, maximum=1, unit="fraction 0-1"),
        Field("competencies", "text", "Competencies", max_length=500),
        Field("tier", "text", "Tier", max_length=60),
        Field("churned_on", "date", "Churned on"),
        Field("manager", "text", "Partner manager", max_length=120),
        Field("source_id", "text", "Account ID in the source", max_length=120),
    )

    name: str
    type: str
    region: str
    signup_date: dt.date
    activated_on: dt.date | None = None
    ipp_fit: float | None = 0.5
    #: Competency names separated by ";" (e.g. "Security;Data"); see :attr:`competency_list`.
    competencies: str | None = ""
    tier: str | None = ""
    churned_on: dt.date | None = None
    manager: str | None = ""
    id: int | None = None
    #: The PRM's or CRM's account id (a re-import of the partner list matches on it).
    source_id: str | None = None
    #: Archived partners keep their history but leave the lists (see jbp.partners).
    archived: bool = False

    def check(self) -> None:
        if self.churned_on and self.churned_on < self.signup_date:
            raise ValidationError("Churned on", "is before the sign-up date", element="Partner")
        if self.activated_on and self.activated_on < self.signup_date:
            raise ValidationError("Onboarded on", "is before the sign-up date", element="Partner")

    @property
    def active(self) -> bool:
        return self.churned_on is None

    @property
    def competency_list(self) -> list[str]:
        return [c.strip() for c in (self.competencies or "").split(";") if c.strip()]


# --------------------------------------------------------------------------- program


@dataclass
class Tier(Element):
    """A program tier. A partner holds the highest tier whose every threshold it meets.

    Thresholds: trailing-12-month partner-sourced revenue (currency), certified people
    (count), net new logos in the trailing 12 months (count). Margin and rebate are fractions
    of partner-sourced revenue.
    """

    KIND: ClassVar[str] = "tier"
    LABEL: ClassVar[str] = "Tier"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("name", "text", "Name", required=True, max_length=60),
        Field("rank", "int", "Rank", required=True, minimum=0, maximum=20),
        Field("min_sourced_revenue", "money", "Min T12M sourced revenue", required=True,
              minimum=0, unit="currency"),
        Field("min_certifications", "int", "Min certified people", required=True, minimum=0,
              unit="people"),
        Field("min_new_logos", "int", "Min net new logos", required=True, minimum=0,
              unit="logos"),
        Field("margin", "fraction", "Margin", required=True, minimum=0, maximum=1,
              unit="fraction of sourced revenue"),
        Field("rebate", "fraction", "Rebate", required=True, minimum=0, maximum=1,
              unit="fraction of sourced revenue"),
        Field("lead_sharing", "bool", "Lead sharing", required=True),
        Field("mdf_eligible", "bool", "MDF eligible", required=True),
        Field("priority_support", "bool", "Priority support", required=True),
    )

    name: str
    rank: int
    min_sourced_revenue: float = 0.0
    min_certifications: int = 0
    min_new_logos: int = 0
    margin: float = 0.1
    rebate: float = 0.0
    lead_sharing: bool = False
    mdf_eligible: bool = False
    priority_support: bool = False

    def check(self) -> None:
        if self.margin + self.rebate > 1:
            raise ValidationError("Rebate", "margin plus rebate exceeds 100%", element="Tier")


@dataclass
class Program(Element):
    """The partner program: tiers and program-wide settings.

    ``influence_weight`` (fraction 0-1) is the share of an influenced deal counted in
    attributed revenue. ``rag_green``/``rag_amber`` are attainment fractions: at or above green
    is Green, at or above amber is Amber, else Red. ``direct_cac`` is the vendor's cost to
    acquire one customer directly (currency per customer), an input for CAC via channel vs
    direct.
    """

    KIND: ClassVar[str] = "program"
    LABEL: ClassVar[str] = "Program"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("name", "text", "Program name", required=True, max_length=120),
        Field("currency", "text", "Currency", required=True, max_length=3),
        Field("influence_weight", "fraction", "Influence weight", required=True, minimum=0,
              maximum=1, unit="fraction"),
        Field("review_months", "int", "Tier review period", required=True, minimum=1,
              maximum=24, unit="months"),
        Field("rag_green", "fraction", "RAG green at", required=True, minimum=0, maximum=5,
              unit="fraction of target"),
        Field("rag_amber", "fraction", "RAG amber at", required=True, minimum=0, maximum=5,
              unit="fraction of target"),
        Field("fiscal_year_start_month", "int", "Fiscal year starts", required=True,
              minimum=1, maximum=12, unit="month"),
        Field("direct_cac", "money", "Direct CAC", minimum=0, unit="currency per customer"),
    )

    name: str = "Partner Program"
    currency: str = "USD"
    influence_weight: float = 0.3
    review_months: int = 6
    rag_green: float = 0.95
    rag_amber: float = 0.8
    fiscal_year_start_month: int = 1
    direct_cac: float | None = 18000.0
    tiers: list[Tier] = field(default_factory=list)

    def check(self) -> None:
        if self.rag_amber > self.rag_green:
            raise ValidationError("RAG amber at", "must not exceed RAG green at",
                                  element="Program")
        check_tiers(self.tiers)

    def tiers_by_rank(self) -> list[Tier]:
        return sorted(self.tiers, key=lambda t: t.rank)

    def tier(self, name: str) -> Tier | None:
        for t in self.tiers:
            if t.name == name:
                return t
        return None


def check_tiers(tiers: list[Tier]) -> None:
    """Tiers must have distinct names and ranks and thresholds that rise with rank."""
    names = [t.name for t in tiers]
    if len(set(names)) != len(names):
        raise ValidationError("Name", "tier names must be distinct", element="Tier")
    ordered = sorted(tiers, key=lambda t: t.rank)
    if len({t.rank for t in tiers}) != len(tiers):
        raise ValidationError("Rank", "tier ranks must be distinct", element="Tier")
    for lower, upper in itertools.pairwise(ordered):
        for fname in ("min_sourced_revenue", "min_certifications", "min_new_logos"):
            if getattr(upper, fname) < getattr(lower, fname):
                label = Tier.field(fname).label
                raise ValidationError(
                    label,
                    f"{upper.name} ({getattr(upper, fname):g}) is below {lower.name} "
                    f"({getattr(lower, fname):g}); thresholds must rise with the tier",
                    element="Tier",
                )
        if upper.min_sourced_revenue == lower.min_sourced_revenue and (
            upper.min_certifications == lower.min_certifications
            and upper.min_new_logos == lower.min_new_logos
        ):
            raise ValidationError("Min T12M sourced revenue",
                                  f"{upper.name} has the same thresholds as {lower.name}",
                                  element="Tier")


# --------------------------------------------------------------------------- plans


@dataclass
class Plan(Element):
    """A joint business plan for one partner and one fiscal year (four quarters)."""

    KIND: ClassVar[str] = "plan"
    LABEL: ClassVar[str] = "Plan"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("title", "text", "Title", required=True, max_length=200),
        Field("partner_id", "int", "Partner", required=True, minimum=1),
        Field("fiscal_year", "int", "Fiscal year", required=True, minimum=2000, maximum=2100),
        Field("status", "enum", "Status", required=True, choices=PLAN_STATUSES),
        Field("vendor_owner", "text", "Vendor owner", max_length=120),
        Field("partner_owner", "text", "Partner owner", max_length=120),
        Field("vendor_sponsor", "text", "Vendor executive sponsor", max_length=120),
        Field("partner_sponsor", "text", "Partner executive sponsor", max_length=120),
        Field("executive_summary", "longtext", "Executive summary", max_length=20000),
    )

    title: str
    partner_id: int
    fiscal_year: int
    status: str = PlanStatus.DRAFT.value
    vendor_owner: str | None = ""
    partner_owner: str | None = ""
    vendor_sponsor: str | None = ""
    partner_sponsor: str | None = ""
    executive_summary: str | None = ""
    id: int | None = None
    version: int = 0
    baseline: dict | None = None
    approved_at: str | None = None


@dataclass
class Goal(Element):
    KIND: ClassVar[str] = "goal"
    LABEL: ClassVar[str] = "Goal"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("title", "text", "Goal", required=True, max_length=300),
        Field("description", "longtext", "Description", max_length=5000),
    )
    plan_id: int
    title: str
    description: str | None = ""
    position: int = 0
    id: int | None = None


_Q_TARGETS = tuple(
    Field(f"target_{q}", "float", f"Target {q.upper()}", unit="KPI unit") for q in QUARTERS
)
_Q_ACTUALS = tuple(
    Field(f"actual_{q}", "float", f"Actual {q.upper()}", unit="KPI unit") for q in QUARTERS
)


@dataclass
class Kpi(Element):
    """A measure of a goal with a target and an actual per fiscal quarter.

    ``unit`` is one of currency, count, percent (stored as a fraction 0-1), days.
    ``direction`` says whether higher or lower is better. ``to_date`` says how quarters make
    the year to date for currency and count KPIs: "sum of quarters" for flows (revenue,
    registrations), "latest quarter" for levels (certified people); percent and days KPIs
    always use the latest quarter. ``metric`` optionally binds the
    KPI to a computed metric of the plan's partner (see :mod:`jbp.metrics`), whose values then
    fill the actuals.
    """

    KIND: ClassVar[str] = "kpi"
    LABEL: ClassVar[str] = "KPI"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("name", "text", "KPI", required=True, max_length=200),
        Field("kind", "enum", "Kind", required=True, choices=KPI_KINDS),
        Field("unit", "enum", "Unit", required=True, choices=KPI_UNITS),
        Field("direction", "enum", "Direction", required=True, choices=DIRECTIONS),
        Field("to_date", "enum", "Year to date", required=True, choices=KPI_TO_DATE),
        *_Q_TARGETS,
        *_Q_ACTUALS,
        Field("metric", "enum", "Bound metric", choices=BINDABLE_METRICS),
    )
    goal_id: int
    name: str
    kind: str = "lagging"
    unit: str = "count"
    direction: str = "higher"
    to_date: str = "sum of quarters"
    target_q1: float | None = None
    target_q2: float | None = None
    target_q3: float | None = None
    target_q4: float | None = None
    actual_q1: float | None = None
    actual_q2: float | None = None
    actual_q3: float | None = None
    actual_q4: float | None = None
    metric: str | None = ""
    position: int = 0
    id: int | None = None

    def check(self) -> None:
        for q in QUARTERS:
            for prefix in ("target", "actual"):
                v = getattr(self, f"{prefix}_{q}")
                if v is not None and v < 0 and self.unit in ("currency", "count", "days"):
                    raise ValidationError(f"{prefix.title()} {q.upper()}",
                                          f"a {self.unit} value cannot be negative",
                                          element="KPI")

    @property
    def targets(self) -> list[float | None]:
        return [getattr(self, f"target_{q}") for q in QUARTERS]

    @property
    def actuals(self) -> list[float | None]:
        return [getattr(self, f"actual_{q}") for q in QUARTERS]


@dataclass
class Initiative(Element):
    """A joint activity. MDF amounts are currency; approved ≤ requested, claimed ≤ approved."""

    KIND: ClassVar[str] = "initiative"
    LABEL: ClassVar[str] = "Initiative"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("title", "text", "Initiative", required=True, max_length=300),
        Field("type", "enum", "Type", required=True, choices=INITIATIVE_TYPES),
        Field("owner_side", "enum", "Owner side", required=True, choices=OWNER_SIDES),
        Field("owner", "text", "Owner", max_length=120),
        Field("start_date", "date", "Start"),
        Field("end_date", "date", "End"),
        Field("status", "enum", "Status", required=True, choices=INITIATIVE_STATUSES),
        Field("mdf_requested", "money", "MDF requested", minimum=0, unit="currency"),
        Field("mdf_approved", "money", "MDF approved", minimum=0, unit="currency"),
        Field("mdf_claimed", "money", "MDF claimed", minimum=0, unit="currency"),
        Field("goal_ids", "ids", "Linked goals"),
    )
    plan_id: int
    title: str
    type: str = "GTM campaign"
    owner_side: str = "joint"
    owner: str | None = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = "Planned"
    mdf_requested: float | None = None
    mdf_approved: float | None = None
    mdf_claimed: float | None = None
    goal_ids: list[int] = field(default_factory=list)
    position: int = 0
    id: int | None = None

    def check(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError("End", "is before the start", element="Initiative")
        if (self.mdf_approved or 0) > (self.mdf_requested or 0) and self.mdf_requested is not None:
            raise ValidationError("MDF approved", "exceeds MDF requested", element="Initiative")
        if self.mdf_claimed and self.mdf_claimed > (self.mdf_approved or 0):
            raise ValidationError("MDF claimed", "exceeds MDF approved", element="Initiative")

    def is_late(self, today: dt.date) -> bool:
        return (
            self.end_date is not None
            and self.end_date < today
            and self.status not in ("Done", "Cancelled")
        )


@dataclass
class TargetAccount(Element):
    KIND: ClassVar[str] = "account"
    LABEL: ClassVar[str] = "Target account"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("name", "text", "Account", required=True, max_length=200),
        Field("industry", "text", "Industry", max_length=120),
        Field("region", "text", "Region", max_length=60),
        Field("owner_side", "enum", "Owner side", required=True, choices=OWNER_SIDES),
        Field("stage", "enum", "Stage", required=True, choices=ACCOUNT_STAGES),
        Field("potential", "money", "Potential", minimum=0, unit="currency"),
        Field("notes", "longtext", "Notes", max_length=5000),
    )
    plan_id: int
    name: str
    industry: str | None = ""
    region: str | None = ""
    owner_side: str = "joint"
    stage: str = "Identified"
    potential: float | None = None
    notes: str | None = ""
    position: int = 0
    id: int | None = None


@dataclass
class Rule(Element):
    """A rule of engagement, e.g. deal-registration terms."""

    KIND: ClassVar[str] = "rule"
    LABEL: ClassVar[str] = "Rule of engagement"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("topic", "text", "Topic", required=True, max_length=200),
        Field("rule", "longtext", "Rule", required=True, max_length=5000),
    )
    plan_id: int
    topic: str
    rule: str
    position: int = 0
    id: int | None = None


@dataclass
class Risk(Element):
    KIND: ClassVar[str] = "risk"
    LABEL: ClassVar[str] = "Risk"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("description", "text", "Risk", required=True, max_length=500),
        Field("likelihood", "enum", "Likelihood", required=True, choices=LEVELS),
        Field("impact", "enum", "Impact", required=True, choices=LEVELS),
        Field("mitigation", "longtext", "Mitigation", max_length=5000),
        Field("owner_side", "enum", "Owner side", required=True, choices=OWNER_SIDES),
    )
    plan_id: int
    description: str
    likelihood: str = "Medium"
    impact: str = "Medium"
    mitigation: str | None = ""
    owner_side: str = "joint"
    position: int = 0
    id: int | None = None


@dataclass
class Comment(Element):
    """A comment by one side on a plan element (``element_kind``/``element_id``)."""

    KIND: ClassVar[str] = "comment"
    LABEL: ClassVar[str] = "Comment"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("author", "text", "Author", required=True, max_length=120),
        Field("side", "enum", "Side", required=True, choices=SIDES),
        Field("text", "longtext", "Comment", required=True, max_length=10000),
        Field("resolved", "bool", "Resolved"),
    )
    plan_id: int
    element_kind: str
    element_id: int
    author: str
    side: str
    text: str
    created_at: str = ""
    resolved: bool | None = False
    id: int | None = None


@dataclass
class SignOff(Element):
    KIND: ClassVar[str] = "signoff"
    LABEL: ClassVar[str] = "Sign-off"
    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("name", "text", "Signed by", required=True, max_length=120),
        Field("side", "enum", "Side", required=True, choices=SIDES),
        Field("role", "text", "Role", max_length=120),
    )
    plan_id: int
    name: str
    side: str
    role: str | None = ""
    signed_at: str = ""
    id: int | None = None


@dataclass
class Revision:
    """One row of a plan's revision log: who changed which field of which element, when."""

    plan_id: int
    author: str
    side: str
    at: str
    element_kind: str
    element_id: int
    field: str
    old: Any
    new: Any
    action: str = "edit"
    id: int | None = None


#: Plan parts that users edit in tables, by kind: class, table, parent column.
PLAN_PARTS: dict[str, tuple[type[Element], str, str]] = {
    "goal": (Goal, "goals", "plan_id"),
    "kpi": (Kpi, "kpis", "goal_id"),
    "initiative": (Initiative, "initiatives", "plan_id"),
    "account": (TargetAccount, "accounts", "plan_id"),
    "rule": (Rule, "rules", "plan_id"),
    "risk": (Risk, "risks", "plan_id"),
}

ELEMENT_CLASSES: dict[str, type[Element]] = {
    "plan": Plan,
    **{k: v[0] for k, v in PLAN_PARTS.items()},
}


def element_class(kind: str) -> type[Element]:
    try:
        return ELEMENT_CLASSES[kind]
    except KeyError:
        raise ValidationError("Element", f"unknown element kind {kind!r}") from None


@dataclass
class PlanDocument:
    """A plan with all its parts, as read from the store at one moment."""

    plan: Plan
    partner: Partner
    goals: list[Goal] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    accounts: list[TargetAccount] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    signoffs: list[SignOff] = field(default_factory=list)

    def kpis_of(self, goal_id: int | None) -> list[Kpi]:
        """The KPIs under a goal (none for a goal not yet saved)."""
        return [k for k in self.kpis if k.goal_id == goal_id]

    def parts(self, kind: str) -> list[Any]:
        """The document's list of ``kind`` (goals, KPIs, ...), itself: appending adds a part."""
        lists: dict[str, list[Any]] = {
            "goal": self.goals,
            "kpi": self.kpis,
            "initiative": self.initiatives,
            "account": self.accounts,
            "rule": self.rules,
            "risk": self.risks,
        }
        return lists[kind]

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Field values of the plan and every part, keyed kind → id → field (stored form).

        The baseline frozen at approval is such a snapshot; amendments are its diff.
        """
        out: dict[str, dict[str, dict[str, Any]]] = {
            "plan": {str(self.plan.id): {f.name: f.to_store(getattr(self.plan, f.name))
                                         for f in Plan.FIELDS if f.name != "status"}}
        }
        for kind in PLAN_PARTS:
            cls = PLAN_PARTS[kind][0]
            out[kind] = {
                str(e.id): {f.name: f.to_store(getattr(e, f.name)) for f in cls.FIELDS}
                for e in self.parts(kind)
            }
        return out


def fiscal_quarter_bounds(fiscal_year: int, start_month: int) -> list[tuple[dt.date, dt.date]]:
    """Start and end date of each quarter of a fiscal year.

    Fiscal year N begins on the first day of ``start_month`` in calendar year N.
    """
    bounds = []
    year, month = fiscal_year, start_month
    for _ in range(4):
        start = dt.date(year, month, 1)
        end_month, end_year = month + 3, year
        if end_month > 12:
            end_month -= 12
            end_year += 1
        end = dt.date(end_year, end_month, 1) - dt.timedelta(days=1)
        bounds.append((start, end))
        year, month = end_year, end_month
    return bounds
