"""Building the plan workbook sheet by sheet and saving it atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from jbp.progress import Progress

from .. import styles
from ..atomic import build_and_save
from .charts import ChartSheet
from .collect import PlanExport, collect_plan
from .cover import CoverSheet
from .hidden import HiddenSheet
from .history import CommentSheets
from .kpi_sheet import KpiSheet
from .part_sheets import PartSheets


class _Builder(CoverSheet, KpiSheet, ChartSheet, PartSheets, CommentSheets, HiddenSheet):
    """The plan workbook's sheets, each step in its own module."""


def export_plan(ws, plan_id: int, path: str | Path, *, as_of: dt.date | None = None,
                state: Progress | None = None) -> Path:
    """Write the plan workbook of ``plan_id`` to ``path`` (atomically) and return the path."""
    return write_plan(collect_plan(ws, plan_id, as_of), path, state)


def write_plan(data: PlanExport, path: str | Path, state: Progress | None = None, *,
               charts: bool = True) -> Path:
    """Write the workbook of ``data`` atomically; ``charts=False`` leaves out the chart sheet
    (a lighter file; the round trip is the same)."""
    return build_and_save(build_plan_workbook, data, path, state, charts=charts)


def build_plan_workbook(data: PlanExport, state: Progress | None = None, *,
                        charts: bool = True) -> Workbook:
    state = state or Progress()
    wb = Workbook()
    styles.register_styles(wb, data.program.currency)
    builder = _Builder(wb, data)
    steps = [("Cover", builder.cover), ("Goals & KPIs", builder.kpis),
             ("Charts", builder.charts), ("Initiatives", builder.initiatives),
             ("Target accounts", builder.accounts), ("Rules & risks", builder.rules_risks),
             ("Comments", builder.comments), ("Revision history", builder.history),
             ("Sources", builder.sources), ("Hidden data", builder.meta)]
    if not charts:
        steps = [s for s in steps if s[0] != "Charts"]
    for i, (text, step) in enumerate(steps):
        state.step(0.85 * i / len(steps), text)
        step()
    wb.active = 0
    return wb
