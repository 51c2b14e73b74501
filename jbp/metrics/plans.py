"""The plans' side of the scorecard: KPI attainment and the partner's plan columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .snapshot import Actuals, _as_of

#: Which plan of a partner the scorecard reads, best first.
PLAN_PREFERENCE = ("Active", "Approved", "In review", "Draft", "Closed")


def fiscal_year_of(day: dt.date, start_month: int) -> int:
    """The fiscal year ``day`` falls in (fiscal year N starts in ``start_month`` of N)."""
    return day.year if day.month >= start_month else day.year - 1


def kpi_attainment(actuals: Actuals, as_of: dt.date | None = None,
                   plan_ids: list[int] | None = None) -> pd.DataFrame:
    """Attainment, RAG and run-rate forecast of every KPI of the plans (default: the plans
    of the fiscal year containing ``as_of``), by :func:`jbp.kpi.status_on` — the very
    computation the plan page and the QBR make, on the plan's stored actuals (bound KPIs are
    refreshed from the imports when they are imported, :mod:`jbp.bindings`), so the
    Portfolio and the plan cannot disagree. Columns: plan_id, partner_id, fiscal_year, plan_status, kpi_id, name, metric, unit,
    direction, target_to_date, actual_to_date (KPI unit), attainment (fraction), rag,
    forecast (KPI unit), full_target, forecast_attainment (fraction).
    """
    from ..kpi import status_on
    from ..model import Kpi

    as_of = _as_of(actuals, as_of)
    program = actuals.program
    cov = actuals.coverage
    cols = ["plan_id", "partner_id", "fiscal_year", "plan_status", "kpi_id", "name", "metric",
            "unit", "direction", "target_to_date", "actual_to_date", "attainment", "rag",
            "forecast", "full_target", "forecast_attainment"]
    kpis = actuals.kpis
    if kpis is None or kpis.empty:
        return pd.DataFrame(columns=cols)
    if plan_ids is None:
        fy = fiscal_year_of(as_of, program.fiscal_year_start_month)
        kpis = kpis[kpis["fiscal_year"] == fy]
    else:
        kpis = kpis[kpis["plan_id"].isin(plan_ids)]
    rows = []
    for r in kpis.to_dict("records"):
        # Any: the keys are Kpi's float | None fields, which mypy cannot match to **values.
        values: dict[str, Any] = {str(k): (None if pd.isna(r[k]) else float(r[k]))
                                  for k in r if str(k).startswith(("target_q", "actual_q"))}
        metric = r["metric"] or ""
        kpi = Kpi(goal_id=0, name=r["name"], kind=r["kind"], unit=r["unit"],
                  direction=r["direction"], to_date=r["to_date"], metric=metric, **values)
        st = status_on(kpi, program, int(r["fiscal_year"]), as_of, cov)
        rows.append({"plan_id": int(r["plan_id"]), "partner_id": int(r["partner_id"]),
                     "fiscal_year": int(r["fiscal_year"]), "plan_status": r["plan_status"],
                     "kpi_id": int(r["kpi_id"]), "name": r["name"], "metric": metric,
                     "unit": r["unit"], "direction": r["direction"],
                     "target_to_date": st.target_to_date, "actual_to_date": st.actual_to_date,
                     "attainment": st.attainment, "rag": st.rag, "forecast": st.forecast,
                     "full_target": st.full_target,
                     "forecast_attainment": st.forecast_attainment})
    return pd.DataFrame(rows, columns=cols)


def _plan_columns(out: pd.DataFrame, actuals: Actuals, as_of: dt.date) -> None:
    """plan_id, plan_status: the partner's plan for the fiscal year of ``as_of`` (Active
    first, see PLAN_PREFERENCE); plan_attainment, plan_rag, plan_forecast_attainment: of its
    KPI bound to sourced_revenue (else its first currency KPI); kpis_red: its KPIs in Red."""
    for col in ("plan_id", "plan_attainment", "plan_forecast_attainment"):
        out[col] = np.nan
    out["plan_status"] = ""
    out["plan_rag"] = ""
    out["kpis_red"] = 0
    status = kpi_attainment(actuals, as_of)
    if status.empty:
        return
    rank = {s: i for i, s in enumerate(PLAN_PREFERENCE)}
    status = status.assign(_rank=status["plan_status"].map(rank).fillna(len(rank)))
    for pid, mine in status.groupby("partner_id"):
        if pid not in out.index:
            continue
        best = mine.sort_values(["_rank", "plan_id"], ascending=[True, False])
        plan_id = int(best.iloc[0]["plan_id"])
        kpis = mine[mine["plan_id"] == plan_id]
        head = kpis[kpis["metric"] == "sourced_revenue"]
        if head.empty:
            head = kpis[kpis["unit"] == "currency"]
        out.at[pid, "plan_id"] = plan_id
        out.at[pid, "plan_status"] = str(kpis.iloc[0]["plan_status"])
        out.at[pid, "kpis_red"] = int((kpis["rag"] == "Red").sum())
        if not head.empty:
            h = head.iloc[0]
            out.at[pid, "plan_attainment"] = (np.nan if h["attainment"] is None
                                              else h["attainment"])
            out.at[pid, "plan_rag"] = h["rag"]
            out.at[pid, "plan_forecast_attainment"] = (
                np.nan if h["forecast_attainment"] is None else h["forecast_attainment"])
