"""The exported workbooks opened in a real spreadsheet program.

LibreOffice (headless) opens every workbook once, recalculates every formula and saves the
computed values; the recalculated attainment, RAG, totals and differences must equal what the
app computes (``jbp.kpi.status_on``, the scorecard frame, ``simulation.results.compare``), and
the same workbooks read back with pandas must give the same figures. One LibreOffice start
serves the whole module (session fixture).
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from office import recalculate, requires_office

from exporters import plan_workbook as pw
from exporters import portfolio_workbook as fw
from exporters import scenario_workbook as sw
from jbp.coverage import coverage_of
from jbp.kpi import partial_quarter, status_on

pytestmark = [pytest.mark.office, requires_office]

REL = 1e-9


@dataclass
class Exports:
    folder: Path
    plans: list[tuple[Path, Path, int, dt.date]] = field(default_factory=list)
    portfolio: Path | None = None
    frame: pd.DataFrame | None = None
    scenarios: Path | None = None
    results: list = field(default_factory=list)
    recalculated: dict[Path, Path] = field(default_factory=dict)


def edge_case_workspace(path: Path):
    """A program whose fiscal year starts in April, with KPIs on every branch of the
    attainment rules: a quarter reported before it began, blank targets, zero targets,
    lower-is-better with a zero actual, rate KPIs whose latest quarter has no target."""
    from jbp.commands import Editor, History, SetField
    from jbp.model import Partner, Program
    from jbp.plans import CreatePlan, draft_from_template
    from jbp.store import Workspace

    ws = Workspace.create(path, Program(name="Edge", currency="EUR", fiscal_year_start_month=4,
                                        rag_green=0.9, rag_amber=0.7))
    pid = ws.add_partner(Partner(name="Edge Partner", type="SI", region="EMEA",
                                 signup_date=dt.date(2024, 1, 1)))
    editor = Editor("Tester", "vendor")
    history = History(ws)
    plan_id = history.run(CreatePlan(editor, draft_from_template(ws, pid, 2026))).plan_id
    doc = ws.plan_document(plan_id)
    cases = [
        dict(unit="currency", direction="higher", target_q1=100.0, target_q2=200.0,
             target_q3=300.0, target_q4=400.0, actual_q1=90.0, actual_q2=250.0,
             actual_q3=10.0, actual_q4=5.0),  # Q4 reported before it began
        dict(unit="count", direction="higher", target_q1=3.0, target_q2=None, target_q3=5.0,
             target_q4=7.0, actual_q1=2.0, actual_q2=4.0),
        dict(unit="percent", direction="higher", target_q1=0.3, target_q2=None,
             target_q3=0.4, target_q4=None, actual_q1=0.25, actual_q2=0.35),  # no Q2 target
        dict(unit="days", direction="lower", target_q1=90.0, target_q2=80.0, actual_q1=0.0,
             actual_q2=0.0),  # lower is better, zero actual: fully attained
        dict(unit="count", direction="higher", target_q1=0.0, target_q2=0.0, target_q3=0.0,
             target_q4=0.0, actual_q1=4.0),  # zero targets: nothing to judge
        dict(unit="currency", direction="lower", target_q1=1000.0, target_q2=1000.0,
             target_q3=1000.0, target_q4=1000.0, actual_q1=1200.0, actual_q2=900.0,
             actual_q3=700.0),
        dict(unit="percent", direction="lower", target_q1=0.1, target_q2=0.1,
             target_q3=0.08, target_q4=0.05),  # nothing reported
    ]
    for kpi, values in zip(doc.kpis, cases, strict=False):
        for name, value in values.items():
            if getattr(kpi, name) != value:
                history.run(SetField(editor, "kpi", kpi.id, name, value))
    return ws, plan_id


@pytest.fixture(scope="session")
def exports(demo_master, tmp_path_factory) -> Exports:
    from jbp import demo
    from jbp.commands import History
    from jbp.metrics import scorecard
    from jbp.scenarios import CreateScenario
    from jbp.store import Workspace
    from simulation.runner import run
    from simulation.scenario import Scenario

    folder = tmp_path_factory.mktemp("office")
    out = Exports(folder)
    ws_path = folder / "demo.jbp"
    shutil.copy2(demo_master, ws_path)
    with Workspace.open(ws_path) as ws:
        for plan in ws.plans():
            path = folder / f"plan{plan.id}.xlsx"
            pw.export_plan(ws, plan.id, path, as_of=demo.AS_OF)
            out.plans.append((ws_path, path, plan.id, demo.AS_OF))
        out.frame = scorecard(ws, demo.AS_OF)
        out.portfolio = folder / "portfolio.xlsx"
        fw.write_portfolio(fw.collect_portfolio(ws, demo.AS_OF, frame=out.frame),
                           out.portfolio)
        base = Scenario()
        variant = base.to_dict()
        variant["name"] = "Double MDF"
        variant["mdf"]["budget_per_period"] *= 2
        history = History(ws)
        for params in (base.to_dict(), variant):
            result = run(Scenario.from_dict(params), replications=6)
            out.results.append(result)
            history.run(CreateScenario(params["name"], params, result.to_bytes()))
        out.scenarios = folder / "scenarios.xlsx"
        sw.export_scenarios(ws, ["Baseline", "Double MDF"], out.scenarios)
    edge_path = folder / "edge.jbp"
    ws, plan_id = edge_case_workspace(edge_path)
    for as_of in (dt.date(2026, 11, 15), dt.date(2027, 3, 31)):
        path = folder / f"edge-{as_of.isoformat()}.xlsx"
        pw.export_plan(ws, plan_id, path, as_of=as_of)
        out.plans.append((edge_path, path, plan_id, as_of))
    ws.close()
    files = [p for _, p, _, _ in out.plans] + [out.portfolio, out.scenarios]
    out.recalculated = recalculate(files, folder / "recalculated")
    return out


def blank(v):
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def same(a, b) -> bool:
    if blank(a) or blank(b):
        return blank(a) and blank(b)
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=1e-9)


def kpi_rows(sheet):
    """(kpi id, row values) of every KPI row of a Goals & KPIs sheet."""
    for row in sheet.iter_rows(min_row=pw.FIRST_ROW, values_only=True):
        if len(row) >= pw.K_MARKS + 1 and row[pw.K_MARKS - 1] == "kpi":
            yield int(row[pw.K_MARKS]), row


def test_plan_attainment_equals_the_apps(exports):
    """Every KPI of every plan, as the workbook stores it and as LibreOffice recalculates
    it, equals the app's figure (:func:`jbp.kpi.status_on`, the plan page's and QBR's): a KPI
    bound to a metric is measured through its source's last day, with its own elapsed
    fractions and "Quarter in progress" label."""
    from jbp.kpi import quarter_progress
    from jbp.model import fiscal_quarter_bounds
    from jbp.store import Workspace

    checked = apart = 0
    for ws_path, path, plan_id, as_of in exports.plans:
        with Workspace.open(ws_path) as ws:
            program = ws.program()
            doc = ws.plan_document(plan_id)
            coverage = coverage_of(ws)
        bounds = fiscal_quarter_bounds(doc.plan.fiscal_year, program.fiscal_year_start_month)
        kpis = {k.id: k for k in doc.kpis}
        for book in (path, exports.recalculated[path]):  # stored values, then recalculated
            rows = dict(kpi_rows(openpyxl.load_workbook(book, data_only=True)[pw.KPIS]))
            assert set(rows) == set(kpis), path.name
            for kpi_id, row in rows.items():
                s = status_on(kpis[kpi_id], program, doc.plan.fiscal_year, as_of, coverage)
                partial = partial_quarter(bounds, s.through)
                got = {name: row[col - 1] for name, col in (
                    ("full_target", pw.K_FULL), ("target_to_date", pw.K_TTD),
                    ("actual_to_date", pw.K_ATD), ("attainment", pw.K_ATT),
                    ("rag", pw.K_RAG), ("forecast", pw.K_FORECAST), ("variance", pw.K_VAR),
                    ("quarter", pw.K_QUARTER))}
                got["through"] = row[pw.K_THROUGH - 1].date()
                got["elapsed"] = [row[pw.K_ELAPSED + q - 1] for q in range(4)]
                want = {"full_target": s.full_target, "target_to_date": s.target_to_date,
                        "actual_to_date": s.actual_to_date, "attainment": s.attainment,
                        "rag": s.rag or None, "forecast": s.forecast,
                        "variance": (s.actual_to_date - s.target_to_date
                                     if s.actual_to_date is not None
                                     and s.target_to_date is not None else None),
                        "quarter": partial.label() if partial else None,
                        "through": s.through,
                        "elapsed": quarter_progress(bounds, s.through)}
                for name in want:
                    ok = (all(same(a, b) for a, b in zip(got[name], want[name], strict=True))
                          if name == "elapsed" else
                          got[name] == want[name] if name == "through" else
                          same(got[name], want[name]))
                    assert ok, (f"{book.name} KPI {kpis[kpi_id].name} {name}: workbook "
                                f"{got[name]!r}, app {want[name]!r}")
                checked += 1
                apart += s.through != as_of and s.attainment is not None
    assert checked > 80
    # The demo's bound KPIs are measured through 2026-10-31, 15 days before its "as of":
    # the check covers KPIs whose figure differs from one taken on the "as of".
    assert apart > 20


def test_edge_cases_cover_every_branch(exports):
    """The edge-case plan really exercises the rules (guards against a vacuous check)."""
    path = next(p for _, p, _, a in exports.plans if p.name.startswith("edge-2026"))
    recalc = openpyxl.load_workbook(exports.recalculated[path], data_only=True)
    rows = [row for _, row in kpi_rows(recalc[pw.KPIS])]
    attainments = [row[pw.K_ATT - 1] for row in rows]
    assert any(blank(a) for a in attainments)
    assert 1 in attainments  # lower is better with a zero actual
    assert {row[pw.K_RAG - 1] for row in rows} >= {"Green", "Red"}
    cover = recalc[pw.COVER]
    quarter_share_gone = [row[3] for row in cover.iter_rows(values_only=True)
                          if str(row[0]).split(" ")[0] in ("Q1", "Q2", "Q3", "Q4")]
    assert quarter_share_gone == [1, 1, pytest.approx(46 / 92), 0]  # fractions, not time


def test_plan_totals_and_pandas_read_back(exports):
    from jbp.store import Workspace

    ws_path, path, plan_id, as_of = exports.plans[0]
    with Workspace.open(ws_path) as ws:
        doc = ws.plan_document(plan_id)
        program = ws.program()
        coverage = coverage_of(ws)
    recalc = exports.recalculated[path]
    wb = openpyxl.load_workbook(recalc, data_only=True)
    ini = wb[pw.INITIATIVES]
    total = next(r for r in ini.iter_rows(values_only=True) if r[0] == "Total")
    for col, name in ((7, "mdf_requested"), (8, "mdf_approved"), (9, "mdf_claimed")):
        assert same(total[col], sum(getattr(i, name) or 0 for i in doc.initiatives))
    acc = wb[pw.ACCOUNTS]
    total = next(r for r in acc.iter_rows(values_only=True) if r[0] == "Total")
    assert same(total[5], sum(a.potential or 0 for a in doc.accounts))

    frame = pd.read_excel(recalc, sheet_name=pw.KPIS, header=pw.HEADER_ROW - 1,
                          engine="calamine")
    frame = frame[frame.iloc[:, pw.K_MARKS - 1] == "kpi"]
    for _, row in frame.iterrows():
        kpi = next(k for k in doc.kpis if k.id == int(row.iloc[pw.K_MARKS]))
        s = status_on(kpi, program, doc.plan.fiscal_year, as_of, coverage)
        assert same(row["Attainment"], s.attainment)
        assert same(row["RAG"], s.rag or None)
        assert same(row["Actual to date"], s.actual_to_date)


def test_portfolio_totals_equal_the_scorecard(exports):
    frame = exports.frame
    recalc = exports.recalculated[exports.portfolio]
    wb = openpyxl.load_workbook(recalc, data_only=True)
    summary = {row[0]: row[1] for row in wb[fw.SUMMARY].iter_rows(values_only=True)
               if row[0]}
    assert summary["Partners"] == len(frame)
    assert summary["At risk"] == int(frame["at_risk"].sum())
    assert same(summary["Sourced revenue T12M"], frame["sourced_revenue"].sum())
    assert same(summary["Partner investment T12M"], frame["investment"].sum())
    net, inv = frame["net_revenue"].sum(), frame["investment"].sum()
    assert same(summary["Program ROPI"], (net - inv) / inv)
    tiers = pd.read_excel(recalc, sheet_name=fw.SUMMARY, header=None, engine="calamine")
    start = tiers.index[tiers[0] == "Tier"][0]
    table = tiers.iloc[start + 1:start + 1 + frame["tier"].nunique()].set_index(0)
    by_tier = frame.groupby(frame["tier"].replace("", fw.NO_TIER))
    for tier, group in by_tier:
        assert table.loc[tier, 1] == len(group)
        assert same(table.loc[tier, 3], group["sourced_revenue"].sum())
        assert same(table.loc[tier, 4], group["attributed_revenue"].sum())

    sheet = pd.read_excel(recalc, sheet_name=fw.PARTNERS, header=fw.HEADER_ROW - 1,
                          engine="calamine")
    sheet = sheet[sheet["Partner"].notna() & (sheet["Partner"] != "Total")]
    assert len(sheet) == len(frame)
    for column in ("sourced_revenue", "attributed_revenue", "ropi", "cltv"):
        label = fw.column_format(column).label
        for got, want in zip(sheet[label], frame[column], strict=True):
            assert same(got, want), column
    # a sheet per tier holds exactly that tier's partners
    for tier in fw.tier_order(frame, _program(exports)):
        tab = pd.read_excel(recalc, sheet_name=tier, header=fw.HEADER_ROW - 1,
                            engine="calamine")
        names = set(tab["Partner"].dropna()) - {None, "Total"}
        want = set(frame.loc[frame["tier"].replace("", fw.NO_TIER) == tier, "partner"])
        assert names == want


def _program(exports):
    from jbp.store import Workspace

    with Workspace.open(exports.plans[0][0]) as ws:
        return ws.program()


def test_scenario_workbook_matches_compare_and_bands(exports):
    from simulation.results import HEADLINE, compare

    results = exports.results
    table = compare(results, list(HEADLINE))
    recalc = exports.recalculated[exports.scenarios]
    sheet = pd.read_excel(recalc, sheet_name=sw.COMPARISON, header=sw.HEADER_ROW - 1,
                          engine="calamine")
    end = sheet.index[sheet["Metric"].isna()][0]  # the table ends at the first blank row
    sheet = sheet.loc[:end - 1]
    assert len(sheet) == len(table)
    for (_, want), (_, got) in zip(table.iterrows(), sheet.iterrows(), strict=True):
        assert same(got["Mean"], want["mean"])
        assert same(got["95% CI low"], want["ci_low"])
        if got["Δ vs baseline"] != "baseline":
            assert math.isclose(got["Δ vs baseline"], want["delta"], rel_tol=1e-7,
                                abs_tol=1e-6)
    monthly = pd.read_excel(recalc, sheet_name="Monthly ARR", header=sw.HEADER_ROW - 1,
                            engine="calamine")
    for r in results:
        agg = r.aggregate("arr")
        for key, label in (("mean", "mean"), ("p10", "P10"), ("p90", "P90")):
            got = monthly[f"{r.name} {label}"].tolist()
            assert all(same(a, b) for a, b in zip(got, agg[key].tolist(), strict=True))
    params = pd.read_excel(recalc, sheet_name=sw.PARAMETERS, header=sw.HEADER_ROW - 1,
                           engine="calamine").set_index(["Group", "Parameter"])
    assert params.loc[("MDF", "Budget per period"), "Double MDF"] == \
        2 * params.loc[("MDF", "Budget per period"), "Baseline"]


def test_a_workbook_saved_by_libreoffice_comes_back_unchanged(exports):
    """A partner who opens the plan in a spreadsheet program and saves it without typing
    sends back no change (LibreOffice rewrites every cell, style and the hidden sheet)."""
    from exporters.roundtrip import read_plan_workbook
    from jbp.store import Workspace

    for ws_path, path, plan_id, _ in exports.plans:
        with Workspace.open(ws_path) as ws:
            review = read_plan_workbook(ws, exports.recalculated[path], plan_id=plan_id)
        assert review.changes == [], (path.name, [c.describe() for c in review.changes])
