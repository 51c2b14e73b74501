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
    ids = out.index.tolist()
    status = kpi_attainment(actuals, as_of)
    rank = {s: i for i, s in enumerate(PLAN_PREFERENCE)}
    # Plain records grouped by partner, then whole columns at once: a per-cell write into a
    # frame of 20,000 partners costs more than the KPIs themselves.
    by_partner: dict[int, list[dict[str, Any]]] = {}
    for r in status.to_dict("records"):
        by_partner.setdefault(int(r["partner_id"]), []).append({str(k): v for k, v in r.items()})
    known = set(ids)
    cols: dict[str, dict[int, Any]] = {c: {} for c in (
        "plan_id", "plan_status", "kpis_red", "plan_attainment", "plan_rag",
        "plan_forecast_attainment")}
    for pid, mine in by_partner.items():
        if pid not in known:
            continue
        best = min(mine, key=lambda r: (rank.get(r["plan_status"], len(rank)), -r["plan_id"]))
        plan_id = int(best["plan_id"])
        kpis = [r for r in mine if r["plan_id"] == plan_id]
        head = [r for r in kpis if r["metric"] == "sourced_revenue"] or [
            r for r in kpis if r["unit"] == "currency"]
        cols["plan_id"][pid] = plan_id
        cols["plan_status"][pid] = str(kpis[0]["plan_status"])
        cols["kpis_red"][pid] = sum(1 for r in kpis if r["rag"] == "Red")
        if head:
            h = head[0]
            cols["plan_attainment"][pid] = (np.nan if h["attainment"] is None
                                            else h["attainment"])
            cols["plan_rag"][pid] = h["rag"]
            cols["plan_forecast_attainment"][pid] = (
                np.nan if h["forecast_attainment"] is None else h["forecast_attainment"])
    for col in ("plan_id", "plan_attainment", "plan_forecast_attainment"):
        out[col] = pd.Series([cols[col].get(p, np.nan) for p in ids], index=out.index,
                             dtype=float)
    out["plan_status"] = [cols["plan_status"].get(p, "") for p in ids]
    out["plan_rag"] = [cols["plan_rag"].get(p, "") for p in ids]
    out["kpis_red"] = pd.Series([cols["kpis_red"].get(p, 0) for p in ids], index=out.index,
                                dtype="int64")
