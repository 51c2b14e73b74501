"""The three workbooks as their receivers meet them: every formula cell carries the value the
app computed and LibreOffice's recalculation equals it; pandas sees the numbers; printed
through LibreOffice, every page is A4 or A3 with body text of 8 pt or more; a plan workbook
saved again by LibreOffice round-trips."""

from __future__ import annotations

import math
import shutil
import subprocess

import openpyxl
import pytest

from exporters.plan_workbook import export_plan
from exporters.portfolio_workbook import export_portfolio
from exporters.roundtrip import read_plan_workbook
from exporters.scenario_workbook import export_scenarios
from tests.office import convert, recalculate, requires_office

pytestmark = [pytest.mark.office, pytest.mark.slow, requires_office]

A4 = (595, 842)
A3 = (842, 1191)


@pytest.fixture(scope="module")
def books(demo_master, tmp_path_factory):
    from jbp.commands import History
    from jbp.scenarios import CreateScenario
    from jbp.store import Workspace
    from simulation.runner import run
    from simulation.scenario import Scenario

    folder = tmp_path_factory.mktemp("books")
    path = folder / "demo.jbp"
    shutil.copy(demo_master, path)
    ws = Workspace.open(path)
    base = Scenario().to_dict()
    levels = [dict(t) for t in base["tiers"]["levels"]]
    for t in levels:
        if t["name"] == "Gold":
            t["min_sourced_revenue"] = 200_000
    variant = {**base, "name": "Lower Gold", "tiers": {**base["tiers"], "levels": levels}}
    for params in (base, variant):
        result = run(Scenario.from_dict(params), replications=3)
        History(ws).run(CreateScenario(params["name"], params, result.to_bytes()))
    plan = next(p for p in ws.plans() if p.status == "Active")
    out = {"plan": export_plan(ws, plan.id, folder / "plan.xlsx"),
           "portfolio": export_portfolio(ws, folder / "portfolio.xlsx"),
           "scenarios": export_scenarios(ws, ["Baseline", "Lower Gold"],
                                         folder / "scenarios.xlsx")}
    yield ws, plan.id, out, folder
    ws.close()


def _formula_cells(path):
    formulas = openpyxl.load_workbook(path)
    stored = openpyxl.load_workbook(path, data_only=True)
    for sheet in formulas:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    yield sheet.title, cell.coordinate, stored[sheet.title][cell.coordinate].value


def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_every_formula_cell_stores_what_libreoffice_computes(books, tmp_path):
    from exporters.atomic import save_workbook
    from exporters.stored_values import put_formula

    # A control: a formula stored with a wrong value must come back recalculated, which
    # proves LibreOffice recalculates rather than keeping the stored values.
    control = openpyxl.Workbook()
    put_formula(control.active, 1, 1, "=1+1", 99)
    save_workbook(control, tmp_path / "control.xlsx")
    _, _, paths, _ = books
    recalced = recalculate([*paths.values(), tmp_path / "control.xlsx"], tmp_path / "lo")
    assert openpyxl.load_workbook(recalced[tmp_path / "control.xlsx"],
                                  data_only=True).active["A1"].value == 2
    counts = {}
    for name, path in paths.items():
        theirs = openpyxl.load_workbook(recalced[path], data_only=True)
        cells = list(_formula_cells(path))
        counts[name] = len(cells)
        wrong = [(s, c, ours, theirs[s][c].value) for s, c, ours in cells
                 if not _same(ours, theirs[s][c].value)]
        assert wrong == [], f"{name}: {wrong[:10]}"
        empty = [(s, c) for s, c, ours in cells if ours is None and not _same(
            ours, theirs[s][c].value)]
        assert empty == []
    assert counts["plan"] > 50 and counts["portfolio"] > 50 and counts["scenarios"] > 10


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_pandas_reads_the_numbers(books, engine):
    import pandas as pd

    _, _, paths, _ = books
    kpis = pd.read_excel(paths["plan"], sheet_name="Goals & KPIs", header=3, engine=engine)
    assert kpis["Attainment"].dropna().map(lambda v: isinstance(v, float)).all()
    assert kpis["Attainment"].notna().sum() >= 5
    summary = pd.read_excel(paths["portfolio"], sheet_name="Summary", header=None,
                            engine=engine)
    partners = summary[summary[0] == "Partners"][1].iloc[0]
    assert partners == 50


def _pages(pdf):
    info = subprocess.run(["pdfinfo", "-l", "999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    sizes = [line.split(":", 1)[1].split("pts")[0].split(" x ")
             for line in info.splitlines() if line.startswith("Page") and "size" in line]
    return [(round(float(w)), round(float(h))) for w, h in sizes]


def _word_heights(pdf):
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    out, height = [], 842.0
    for line in html.splitlines():
        if "<page " in line:
            height = float(line.split('height="')[1].split('"')[0])
        if "<word " in line:
            attrs = dict(part.split("=") for part in line.split("<word ")[1].split(">")[0]
                         .replace('"', "").split())
            top, bottom = float(attrs["yMin"]), float(attrs["yMax"])
            if top > 40 and bottom < height - 40:  # body, not the page header or footer
                out.append(bottom - top)
    return out


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")
def test_printed_pages_are_a4_or_a3_with_readable_text(books, tmp_path):
    _, _, paths, _ = books
    pdfs = convert(list(paths.values()), tmp_path / "pdf", "pdf")
    limits = {"plan": 40, "portfolio": 40, "scenarios": 30}
    for (name, _), pdf in zip(paths.items(), pdfs, strict=True):
        pages = _pages(pdf)
        assert 3 <= len(pages) <= limits[name], (name, len(pages))
        for size in pages:
            assert tuple(sorted(size)) in (A4, A3), (name, size)
        heights = sorted(_word_heights(pdf))
        # Word boxes are about 1.2 x the font size: 8 pt text gives boxes of ~9.5 pt.
        small = [h for h in heights if h < 8.0]
        assert len(small) <= len(heights) // 200, (name, heights[:20])
    # Every table row is on paper (the print area covers the rows written whole).
    ws, plan_id, _, _ = books
    text = {name: subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                 text=True, check=True).stdout
            for name, pdf in zip(paths, pdfs, strict=True)}
    kpis = ws.plan_document(plan_id).kpis
    assert kpis and all(k.name in text["plan"] for k in kpis)
    assert "Q4 to date, 31 of 92 days" in text["plan"]  # a bound KPI's own quarter
    partners = [p.name for p in ws.partners()]
    assert all(name in text["portfolio"] for name in partners)


def test_a_workbook_saved_by_libreoffice_round_trips(books, tmp_path):
    ws, plan_id, paths, _ = books
    saved = recalculate([paths["plan"]], tmp_path / "lo")[paths["plan"]]
    review = read_plan_workbook(ws, saved, plan_id=plan_id)
    assert review.changes == [], [c.describe() for c in review.changes]
