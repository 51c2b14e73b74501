"""Benchmark: exporting a 1,000-partner portfolio workbook and a 100-KPI plan workbook.

Each export (build the workbook with styles, formulas, validations, conditional formats and
charts, then save it atomically) is timed against writing *the same cells* with bare
openpyxl in the same run: the benchmark reads every value and formula back from the exported
file and writes them into a plain ``Workbook`` with ``ws.append`` and ``save`` (no styles,
widths, drop-downs, conditional formats, names, merges or charts; same sheets, same cell
values, formulas as their text). The ratio is what the look and the live workbook cost; the
aim is at most 1.5x.

Bare cells write no charts, so the plan with its 100 KPI charts is also timed against bare
openpyxl writing the same cells *and the same 100 charts* the textbook way: one
``LineChart`` per KPI, its target and actual series and quarter labels referring to the same
cells, its title, anchored where the export puts it (openpyxl's default look).

Usage: python benchmarks/bench_export.py [--partners 1000] [--kpis 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402

from exporters import plan_workbook, portfolio_workbook  # noqa: E402
from jbp import demo  # noqa: E402
from jbp.commands import Editor  # noqa: E402
from jbp.model import QUARTERS, Goal, Kpi  # noqa: E402
from jbp.plans import CreatePlan, draft_from_template  # noqa: E402
from jbp.store import Workspace  # noqa: E402


def same_cells(path: Path) -> list[tuple[str, list[list]]]:
    """Every sheet's cell values (formulas as their text) of an exported workbook."""
    wb = openpyxl.load_workbook(path)
    return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
            for ws in wb.worksheets]


def bare_write(sheets: list[tuple[str, list[list]]], path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def chart_specs(path: Path) -> tuple[int, list[tuple[int, str, str]]]:
    """(first quarter-label row on the Cover, [(KPI row, title, anchor)...]) of an exported
    plan workbook, read back from the file."""
    wb = openpyxl.load_workbook(path)
    cover, kpis = wb[plan_workbook.COVER], wb[plan_workbook.KPIS]
    labels = next(r for r in range(1, cover.max_row + 1) if cover.cell(r, 1).value == "Q1")
    rows = [r for r in range(1, kpis.max_row + 1)
            if kpis.cell(r, plan_workbook.K_MARKS).value == "kpi"]
    specs = []
    for n, r in enumerate(rows):
        name = kpis.cell(r, plan_workbook.K_NAME).value
        ref = kpis.cell(r, plan_workbook.K_REF).value
        # where the export anchors its charts: two columns (A, H), 13 rows apart
        specs.append((r, f"{name} ({ref})", f"{'AH'[n % 2]}{4 + 13 * (n // 2)}"))
    return labels, specs


def bare_write_with_charts(sheets: list[tuple[str, list[list]]],
                           charts: tuple[int, list[tuple[int, str, str]]], path: Path) -> None:
    """:func:`bare_write` plus one plain openpyxl line chart per KPI on the chart sheet."""
    from openpyxl.chart import LineChart, Reference, Series

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    cover, kpis = wb[plan_workbook.COVER], wb[plan_workbook.KPIS]
    sheet = wb[plan_workbook.CHARTS]
    labels, specs = charts
    for r, title, anchor in specs:
        chart = LineChart()
        chart.title = title
        chart.height, chart.width = 6.2, 11.5
        for name, col in (("Target", plan_workbook.K_TARGET), ("Actual", plan_workbook.K_ACTUAL)):
            chart.series.append(Series(Reference(kpis, min_col=col, max_col=col + 3,
                                                 min_row=r, max_row=r), title=name))
        chart.set_categories(Reference(cover, min_col=1, min_row=labels, max_row=labels + 3))
        sheet.add_chart(chart, anchor)
    wb.save(path)


def portfolio_frame(ws, n: int) -> pd.DataFrame:
    """The demo scorecard repeated to ``n`` partners (distinct ids and names)."""
    from jbp.metrics import scorecard

    base = scorecard(ws, demo.AS_OF)
    frame = pd.concat([base] * (n // len(base) + 1), ignore_index=True).iloc[:n].copy()
    frame["partner_id"] = range(1, n + 1)
    frame["partner"] = [f"{name} {i:04d}" for i, name in enumerate(frame["partner"])]
    return frame


def plan_with_kpis(ws, n_kpis: int) -> int:
    partner = ws.partners()[0]
    draft = draft_from_template(ws, partner.id, 2026)
    draft.goals = []
    units = ("currency", "count", "percent", "days")
    per_goal = 10
    for g in range(max(1, n_kpis // per_goal)):
        kpis = []
        for k in range(per_goal):
            unit = units[(g + k) % 4]
            scale = {"currency": 50_000, "count": 10, "percent": 0.25, "days": 60}[unit]
            kpis.append(Kpi(goal_id=0, name=f"KPI {g + 1}.{k + 1}", unit=unit,
                            direction="lower" if unit == "days" else "higher",
                            **{f"target_{q}": scale * (1 + i / 10)
                               for i, q in enumerate(QUARTERS)},
                            **{f"actual_{q}": scale * (0.9 + i / 8)
                               for i, q in enumerate(QUARTERS[:3])}))
        draft.goals.append((Goal(plan_id=0, title=f"Goal {g + 1}"), kpis))
    cmd = CreatePlan(Editor("Bench", "vendor"), draft)
    cmd.do(ws)
    return cmd.plan_id


def paired(ours, bare, repeat: int) -> tuple[float, float]:
    """Best times of ``ours`` and ``bare``, run alternately (ours, bare, ours, bare, …) so a
    burst of load from other programs hits both alike; the ratio is what matters."""
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((ours, a), (bare, b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return min(a), min(b)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--kpis", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo.generate(folder / "demo.jbp")
        with Workspace.open(folder / "demo.jbp") as ws:
            frame = portfolio_frame(ws, args.partners)
            data = portfolio_workbook.collect_portfolio(ws, demo.AS_OF, frame=frame)
            out, bare = folder / "portfolio.xlsx", folder / "bare-portfolio.xlsx"
            portfolio_workbook.write_portfolio(data, out)
            cells = same_cells(out)
            n_cells = sum(len(r) for _, rows in cells for r in rows)
            ours, plain = paired(lambda: portfolio_workbook.write_portfolio(data, out),
                                 lambda: bare_write(cells, bare), args.repeat)
            print(f"Portfolio, {args.partners} partners ({len(cells)} sheets, "
                  f"{n_cells:,} cells): export {ours:.2f} s, bare openpyxl {plain:.2f} s, "
                  f"ratio {ours / plain:.2f}x")

            plan_id = plan_with_kpis(ws, args.kpis)
            t0 = time.perf_counter()
            pdata = plan_workbook.collect_plan(ws, plan_id, demo.AS_OF)
            collect = time.perf_counter() - t0
            out, bare = folder / "plan.xlsx", folder / "bare-plan.xlsx"
            plan_workbook.write_plan(pdata, out)
            cells = same_cells(out)
            n_cells = sum(len(r) for _, rows in cells for r in rows)
            ours, plain = paired(lambda: plan_workbook.write_plan(pdata, out),
                                 lambda: bare_write(cells, bare), args.repeat)
            print(f"Plan, {args.kpis} KPIs with {args.kpis} charts ({n_cells:,} cells): "
                  f"export {ours:.3f} s (+ {collect:.2f} s reading the workspace), bare "
                  f"openpyxl {plain:.3f} s, ratio {ours / plain:.2f}x")
            charts = chart_specs(out)
            ours, plain = paired(lambda: plan_workbook.write_plan(pdata, out),
                                 lambda: bare_write_with_charts(cells, charts, bare),
                                 args.repeat)
            print(f"  the same plan against bare cells + the same {len(charts[1])} charts: "
                  f"bare openpyxl {plain:.3f} s, ratio {ours / plain:.2f}x")
            out, bare = folder / "plan-nocharts.xlsx", folder / "bare-plan-nocharts.xlsx"
            plan_workbook.write_plan(pdata, out, charts=False)
            cells = same_cells(out)
            ours, plain = paired(lambda: plan_workbook.write_plan(pdata, out, charts=False),
                                 lambda: bare_write(cells, bare), args.repeat)
            print(f"Plan, {args.kpis} KPIs without the chart sheet: export {ours:.3f} s, bare "
                  f"openpyxl {plain:.3f} s, ratio {ours / plain:.2f}x")
    print(f"({dt.date.today().isoformat()}; best of {args.repeat}, run alternately; aim: at "
          "most 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
