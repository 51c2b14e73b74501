"""Where things are in the plan workbook: sheet names, the marks in hidden columns
that let the round trip find rows, and the columns of each table (shared with
:mod:`exporters.roundtrip`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jbp.model import (
    SIDES,
    Element,
    Initiative,
    Risk,
    Rule,
    TargetAccount,
)

FORMAT = "jbp-plan-workbook"
FORMAT_VERSION = 1

COVER = "Cover"
KPIS = "Goals & KPIs"
CHARTS = "KPI charts"
INITIATIVES = "Initiatives"
ACCOUNTS = "Target accounts"
RULES_RISKS = "Rules & risks"
COMMENTS = "Comments"
HISTORY = "Revision history"
META = "_jbp"

#: Marker cells: header rows carry ``jbp:header:<kind>``, ``jbp:id`` and ``jbp:check`` in the
#: hidden columns; data rows carry the element kind, its id and the id's check there.
HEADER_MARK = "jbp:header:"
ID_MARK = "jbp:id"
CHECK_MARK = "jbp:check"
FIELD_MARK = "jbp:field:"
TOTAL = "total"
SKIP = "jbp:skip"  # a row that is neither data nor header (a caption between tables)

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1

#: Short visible references of elements (used by "Linked goals" and the Comments sheet).
REF_PREFIX = {"plan": "P", "goal": "G", "kpi": "K", "initiative": "I", "account": "A",
              "rule": "R", "risk": "RK"}

#: Cover rows that edit plan fields (in this order), and read-only rows between them.
COVER_FIELDS = ("title", "vendor_owner", "partner_owner", "vendor_sponsor", "partner_sponsor")

KPI_GOAL_HEADER = "Goal / KPI"
KPI_REF_HEADER = "Ref"
GOAL_DESCRIPTION_HEADER = "Goal description"
COMMENT_ON_HEADER = "On"
COMMENT_DATE_HEADER = "Date"


def ref(kind: str, element_id: int | None) -> str:
    return f"{REF_PREFIX[kind]}{element_id}" if kind != "plan" else "Plan"


@dataclass(frozen=True)
class Col:
    """One column of a part table: its header, the element field it shows (None when it is
    calculated), the named-style suffix, width in characters and, for calculated columns,
    the formula for a row."""

    header: str
    field: str | None = None
    style: str = "text"
    width: float = 14.0
    formula: Callable[[int], str] | None = None
    choices: tuple[str, ...] = ()
    #: What the formula gives for an element (the value stored beside it).
    value: Callable[[Any], Any] | None = None


def _cols(cls: type[Element], specs: list[tuple]) -> list[Col]:
    out = []
    for spec in specs:
        if isinstance(spec, Col):
            out.append(spec)
            continue
        name, style, width = spec
        f = cls.field(name)
        out.append(Col(f.label, name, style, width, choices=f.choices))
    return out


INITIATIVE_COLS = _cols(Initiative, [
    ("title", "wrap", 30), ("type", "wrap", 18), ("owner_side", "text", 9),
    ("owner", "text", 14), ("start_date", "date", 10.5), ("end_date", "date", 10.5),
    ("status", "text", 10), ("mdf_requested", "money", 12), ("mdf_approved", "money", 12),
    ("mdf_claimed", "money", 12),
    Col("MDF open", None, "money", 12,
        formula=lambda r: f'=IF(COUNT(I{r}:J{r})=0,"",I{r}-J{r})',
        value=lambda e: "" if e.mdf_approved is None and e.mdf_claimed is None
        else (e.mdf_approved or 0) - (e.mdf_claimed or 0)),
    ("goal_ids", "text", 13),
])
ACCOUNT_COLS = _cols(TargetAccount, [
    ("name", "text", 32), ("industry", "text", 20), ("region", "text", 16),
    ("owner_side", "text", 11), ("stage", "text", 13), ("potential", "money", 15),
    ("notes", "wrap", 44),
])
RULE_COLS = _cols(Rule, [("topic", "wrap", 32), ("rule", "wrap", 90)])
RISK_COLS = _cols(Risk, [
    ("description", "wrap", 32), ("likelihood", "text", 11), ("impact", "text", 11),
    ("mitigation", "wrap", 56), ("owner_side", "text", 11),
])
COMMENT_COLS = [
    Col(COMMENT_ON_HEADER, None, "text", 40),
    Col("Author", "author", "text", 18),
    Col("Side", "side", "text", 9, choices=SIDES),
    Col(COMMENT_DATE_HEADER, None, "text", 17),
    Col("Comment", "text", "wrap", 70),
    Col("Resolved", "resolved", "text", 9, choices=("yes", "no")),
]

# Goals & KPIs columns (1-based), shared with the round-trip reader through the headers.
K_NAME, K_REF, K_KIND, K_UNIT, K_DIR = 1, 2, 3, 4, 5
K_TARGET = 6  # F..I
K_ACTUAL = 10  # J..M
K_FULL, K_TTD, K_ATD, K_ATT, K_VAR, K_RAG, K_FORECAST = range(14, 21)
#: The day the KPI is measured to (a bound KPI: its source's last day when that is before the
#: "as of") and the quarter in progress on that day ("Q4 to date: 31 of 92 days").
K_THROUGH, K_QUARTER = 21, 22
K_METRIC, K_GOALDESC, K_TODATE = 23, 24, 25
K_ELAPSED = 26  # Z..AC: the elapsed fraction of each quarter on the KPI's own day
K_MARKS = 30

THROUGH_HEADER = "Measured through"
QUARTER_HEADER = "Quarter in progress"
