"""The live formulas of a KPI row (the same rules as :func:`jbp.kpi.kpi_status`) and how far
a quarter is."""

from __future__ import annotations

import datetime as dt

from openpyxl.utils import get_column_letter

from jbp.model import (
    Kpi,
)

from .layout import (
    COVER,
    K_ACTUAL,
    K_ATD,
    K_ATT,
    K_DIR,
    K_ELAPSED,
    K_FORECAST,
    K_FULL,
    K_QUARTER,
    K_RAG,
    K_TARGET,
    K_THROUGH,
    K_TODATE,
    K_TTD,
    K_UNIT,
    K_VAR,
)


def quarter_state(start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """How far a quarter is on ``as_of``: "complete", "not started" or, for the quarter in
    progress, "to date, 45 of 92 days" (never shown as a finished quarter)."""
    if as_of < start:
        return "not started"
    if as_of >= end:
        return "complete"
    return f"to date, {(as_of - start).days + 1} of {(end - start).days + 1} days"


def kpi_formulas(r: int, quarter_row: int) -> dict[int, str]:
    """The calculated cells of a KPI row ``r`` (column number → formula); the Cover lists
    the fiscal quarters' first and last days from ``quarter_row``.

    They mirror :func:`jbp.kpi.kpi_status` on the KPI's own "measured through" day (column
    :data:`K_THROUGH`, written per KPI): the elapsed fraction of each quarter on that day
    (:data:`K_ELAPSED` …, :func:`jbp.kpi.quarter_progress`) and the quarter in progress
    (:meth:`jbp.kpi.PartialQuarter.label`); additive KPIs (currency or count summed over
    quarters) pro-rate each reported quarter's target by its elapsed fraction (a reported
    quarter that has not begun counts whole); levels and rate units (percent, days) take the
    latest reported quarter. Direction "lower" inverts the ratio.
    """
    L = get_column_letter
    t = [f"{L(K_TARGET + q)}{r}" for q in range(4)]
    a = [f"{L(K_ACTUAL + q)}{r}" for q in range(4)]
    unit, direction = f"${L(K_UNIT)}{r}", f"${L(K_DIR)}{r}"
    to_date = f"${L(K_TODATE)}{r}"
    ttd, atd, att = f"{L(K_TTD)}{r}", f"{L(K_ATD)}{r}", f"{L(K_ATT)}{r}"
    add = f'AND(OR({unit}="currency",{unit}="count"),{to_date}<>"latest quarter")'
    trange, arange = f"{t[0]}:{t[3]}", f"{a[0]}:{a[3]}"
    through = f"${L(K_THROUGH)}{r}"
    elapsed = [f"${L(K_ELAPSED + q)}{r}" for q in range(4)]
    starts = [f"'{COVER}'!$B${quarter_row + q}" for q in range(4)]
    ends = [f"'{COVER}'!$C${quarter_row + q}" for q in range(4)]
    weights = [f'IF({a[q]}<>"",IF({elapsed[q]}>0,{elapsed[q]},1),0)' for q in range(4)]
    out = {K_ELAPSED + q: f"=MAX(0,MIN(1,({through}-{starts[q]}+1)/({ends[q]}-{starts[q]}+1)))"
           for q in range(4)}
    label = '""'
    for q in reversed(range(4)):
        label = (f'IF(AND({through}>={starts[q]},{through}<{ends[q]}),"Q{q + 1} to date, "'
                 f'&({through}-{starts[q]}+1)&" of "&({ends[q]}-{starts[q]}+1)&" days",{label})')
    out[K_QUARTER] = "=" + label

    def latest(values: list[str], test: list[str], blank_as_empty: bool) -> str:
        expr = f'IF({values[0]}="","",{values[0]})' if blank_as_empty else values[0]
        for q in range(1, 4):
            v = f'IF({values[q]}="","",{values[q]})' if blank_as_empty else values[q]
            expr = f'IF({test[q]}<>"",{v},{expr})'
        return expr

    last_target = f'IF({t[3]}<>"",{t[3]},IF({t[2]}<>"",{t[2]},IF({t[1]}<>"",{t[1]},' \
                  f'IF({t[0]}<>"",{t[0]},""))))'
    full = f'=IF({add},IF(COUNT({trange})=0,"",SUM({trange})),{last_target})'
    prorated = "+".join(f"{t[q]}*{weights[q]}" for q in range(4))
    target_to_date = (f'=IF(COUNT({arange})=0,"",IF({add},{prorated},'
                      f'{latest(t, a, True)}))')
    actual_to_date = (f'=IF(COUNT({arange})=0,"",IF({add},SUM({arange}),'
                      f'{latest(a, a, False)}))')
    ratio = (f'IF({direction}="lower",IF({atd}<=0,IF({ttd}>=0,1,""),{ttd}/{atd}),'
             f'IF({ttd}=0,"",{atd}/{ttd}))')
    attainment = f'=IF(OR({atd}="",{ttd}=""),"",IF(AND({add},{ttd}=0),"",{ratio}))'
    variance = f'=IF(OR({atd}="",{ttd}=""),"",{atd}-{ttd})'
    rag = f'=IF({att}="","",IF({att}>=RAG_green,"Green",IF({att}>=RAG_amber,"Amber","Red")))'
    forecast = f'=IF({atd}="","",IF({add},{atd}/(({"+".join(weights)})/4),{atd}))'
    out.update({K_FULL: full, K_TTD: target_to_date, K_ATD: actual_to_date, K_ATT: attainment,
                K_VAR: variance, K_RAG: rag, K_FORECAST: forecast})
    return out


_FORMULA_ROW = "999983"  # a row number no plan reaches, standing for the row in templates
_FORMULA_TEMPLATES: dict[int, dict[int, str]] = {}


def _kpi_formulas_fast(r: int, quarter_row: int) -> dict[int, str]:
    """:func:`kpi_formulas` of row ``r``, from templates made once per Cover layout (the
    row put in)."""
    templates = _FORMULA_TEMPLATES.get(quarter_row)
    if templates is None:
        templates = _FORMULA_TEMPLATES[quarter_row] = kpi_formulas(int(_FORMULA_ROW),
                                                                   quarter_row)
    row = str(r)
    return {c: f.replace(_FORMULA_ROW, row) for c, f in templates.items()}


def _source_of(kpi: Kpi) -> str | None:
    """The kind of actuals the metric a KPI is bound to reads (None: not bound)."""
    if not kpi.metric:
        return None
    from jbp.metrics import METRICS

    metric = METRICS.get(kpi.metric)
    return metric.source if metric is not None else None
