"""The plan workbook: a joint business plan as an Excel file that looks finished, keeps
calculating when someone types in it, and can come back (:mod:`exporters.roundtrip`).

Sheets: Cover (plan fields, sign-offs, executive summary, the measurement inputs), Goals &
KPIs (quarterly targets and actuals; full-year target, target and actual to date, attainment,
variance, RAG and forecast as live formulas), KPI charts (target vs actual per KPI), Initiatives
(drop-downs, MDF totals), Target accounts, Rules & risks, Comments, Revision history, and a
hidden sheet ``_jbp`` with what the round trip needs (workspace id, plan id and version, the
values as exported, a signature).

The KPI formulas reproduce :func:`jbp.kpi.status_on` exactly: each KPI is measured through
its own day (the Cover's "Measured as of" date, named ``AsOf``, or for a KPI bound to a metric
its source's last day when that is earlier, ``DataEnd_<kind>``), the elapsed fraction of each
fiscal quarter on that day is in the KPI's row, and the RAG thresholds are the program's
(``RAG_green``, ``RAG_amber``), all visible inputs a reader can change.

The steps, one module each: :mod:`.layout` (sheet names, columns, hidden marks),
:mod:`.collect` (what the workbook shows, read at one moment), :mod:`.formulas` (the KPI
formulas), :mod:`.base` (what every sheet shares), :mod:`.cover`, :mod:`.kpi_sheet`,
:mod:`.charts`, :mod:`.part_sheets`, :mod:`.history` (comments and revisions), :mod:`.hidden`
(the round trip's sheet) and :mod:`.build` (sheet by sheet, then an atomic save).
"""

from .build import build_plan_workbook, export_plan, write_plan
from .collect import PlanExport, collect_plan, meta_values, plan_snapshot, signed_text
from .formulas import kpi_formulas, quarter_state
from .layout import (
    ACCOUNT_COLS,
    ACCOUNTS,
    CHARTS,
    CHECK_MARK,
    COMMENT_COLS,
    COMMENT_DATE_HEADER,
    COMMENT_ON_HEADER,
    COMMENTS,
    COVER,
    COVER_FIELDS,
    FIELD_MARK,
    FIRST_ROW,
    FORMAT,
    FORMAT_VERSION,
    GOAL_DESCRIPTION_HEADER,
    HEADER_MARK,
    HEADER_ROW,
    HISTORY,
    ID_MARK,
    INITIATIVE_COLS,
    INITIATIVES,
    K_ACTUAL,
    K_ATD,
    K_ATT,
    K_DIR,
    K_ELAPSED,
    K_FORECAST,
    K_FULL,
    K_GOALDESC,
    K_KIND,
    K_MARKS,
    K_METRIC,
    K_NAME,
    K_QUARTER,
    K_RAG,
    K_REF,
    K_TARGET,
    K_THROUGH,
    K_TODATE,
    K_TTD,
    K_UNIT,
    K_VAR,
    KPI_GOAL_HEADER,
    KPI_REF_HEADER,
    KPIS,
    META,
    QUARTER_HEADER,
    REF_PREFIX,
    RISK_COLS,
    RULE_COLS,
    RULES_RISKS,
    SKIP,
    THROUGH_HEADER,
    TOTAL,
    Col,
    ref,
)

__all__ = [
    "ACCOUNTS", "ACCOUNT_COLS", "CHARTS", "CHECK_MARK", "COMMENTS", "COMMENT_COLS",
    "COMMENT_DATE_HEADER", "COMMENT_ON_HEADER", "COVER", "COVER_FIELDS", "FIELD_MARK",
    "FIRST_ROW", "FORMAT", "FORMAT_VERSION", "GOAL_DESCRIPTION_HEADER", "HEADER_MARK",
    "HEADER_ROW", "HISTORY", "ID_MARK", "INITIATIVES", "INITIATIVE_COLS", "KPIS",
    "KPI_GOAL_HEADER", "KPI_REF_HEADER", "K_ACTUAL", "K_ATD", "K_ATT", "K_DIR", "K_ELAPSED",
    "K_FORECAST", "K_FULL", "K_GOALDESC", "K_KIND", "K_MARKS", "K_METRIC", "K_NAME",
    "K_QUARTER", "K_RAG", "K_REF", "K_TARGET", "K_THROUGH", "K_TODATE", "K_TTD", "K_UNIT",
    "K_VAR", "META", "QUARTER_HEADER", "REF_PREFIX", "RISK_COLS", "RULES_RISKS", "RULE_COLS",
    "SKIP", "THROUGH_HEADER", "TOTAL", "Col", "PlanExport", "build_plan_workbook",
    "collect_plan", "export_plan", "kpi_formulas", "meta_values", "plan_snapshot",
    "quarter_state", "ref", "signed_text", "write_plan",
]
