"""The scenario workbook of a baseline calibrated from the workspace, as a finance reader gets
it: the Parameters sheet names what differs from the baseline at the top and prints in a few
pages (the per-partner starting values are one summary row each, their values a compact table
on the Starting partners sheet), and small parameters show their value (a churn hazard of
0.0036 a month is not printed as 0.0). Exported with ``jbp export`` and printed through
LibreOffice."""

from __future__ import annotations

import subprocess

import openpyxl
import pytest
from office import convert, requires_office

from exporters import scenario_parameters as sp
from exporters import styles


@pytest.fixture(scope="module")
def exported(demo_master, tmp_path_factory):
    import shutil

    from jbp.commands import History
    from jbp.scenarios import CreateScenario
    from jbp.store import Workspace
    from simulation.calibrate import baseline_from_workspace
    from simulation.runner import run
    from simulation.scenario import Scenario
    from ui.cli import main

    folder = tmp_path_factory.mktemp("scenarios")
    path = folder / "demo.jbp"
    shutil.copy2(demo_master, path)
    with Workspace.open(path) as ws:
        base = baseline_from_workspace(ws, horizon_months=6, replications=2).scenario.to_dict()
        variant = {**base, "name": "Faster onboarding",
                   "onboarding": {**base["onboarding"], "mean_days": 30.0},
                   "recruitment": {**base["recruitment"], "initial_productivity": {
                       **base["recruitment"]["initial_productivity"], "3": 9.0}}}
        for params in (base, variant):
            result = run(Scenario.from_dict(params), replications=2)
            History(ws).run(CreateScenario(params["name"], params, result.to_bytes()))
    out = folder / "scenarios.xlsx"
    assert main(["export", str(path), "--scenarios", "Baseline", "Faster onboarding",
                 "--out", str(out)]) == 0
    return out, base, variant


def table(sheet):
    rows = {}
    for r in range(sp.FIRST_ROW, sheet.max_row + 1):
        key = (sheet.cell(r, 1).value, sheet.cell(r, 2).value)
        if key[0] is not None:
            rows.setdefault(key, r)
    return rows


def test_parameters_name_the_differences_and_summarise_per_partner_inputs(exported):
    out, base, _ = exported
    wb = openpyxl.load_workbook(out)
    sheet = wb[sp.PARAMETERS]
    assert sheet["A3"].value == ("2 differences from Baseline: Recruitment · Initial "
                                 "productivity, Onboarding · Mean days.")
    rows = table(sheet)
    # One row per per-partner input, not one per starting partner.
    assert not [k for k in rows if str(k[1]).startswith("Initial productivity:")]
    productivity = rows[("Recruitment", "Initial productivity")]
    assert sheet.cell(productivity, 4).value.startswith(
        f"{len(base['recruitment']['initial_productivity'])} partners: mean ")
    assert sheet.cell(productivity, 5).style.startswith("jbp changed")
    tenure = rows[("Recruitment", "Initial tenure months")]
    assert not sheet.cell(tenure, 5).style.startswith("jbp changed")
    assert "'Starting partners' sheet" in sheet.cell(tenure, 6).value
    # A small rate keeps its digits; amounts per something are money; shares are percent.
    hazard = sheet.cell(rows[("Partner churn", "Base hazard")], 4)
    assert hazard.value == base["churn"]["base_hazard"] and hazard.value < 0.05
    assert hazard.number_format == styles.PRECISE
    assert sheet.cell(rows[("MDF", "Budget per period")], 4).number_format == \
        styles.currency_format("USD")
    assert sheet.cell(rows[("Recruitment", "Initial tier mix: Platinum")], 4).number_format \
        == styles.PERCENT


def test_starting_partners_sheet_holds_each_partners_values(exported):
    out, base, _ = exported
    sheet = openpyxl.load_workbook(out)[sp.STARTING_PARTNERS]
    heads = [c.value for c in sheet[sp.HEADER_ROW]]
    assert heads[:3] == ["Starting partner", "Productivity (multiplier)",
                         "Productivity (multiplier): Faster onboarding"]
    assert "Tenure months" in heads and "Trailing bookings (USD)" in heads
    want = base["recruitment"]["initial_productivity"]
    got = {str(sheet.cell(r, 1).value): sheet.cell(r, 2).value
           for r in range(sp.FIRST_ROW, sp.FIRST_ROW + len(want))}
    assert got == {k: pytest.approx(v) for k, v in want.items()}
    changed = [sheet.cell(r, 1).value for r in range(sp.FIRST_ROW, sheet.max_row + 1)
               if sheet.cell(r, 3).style.startswith("jbp changed")]
    assert changed == [3] and sheet.cell(sp.FIRST_ROW + 3, 3).value == 9.0
    bookings = heads.index("Trailing bookings (USD)") + 1
    assert sheet.cell(sp.FIRST_ROW, bookings).number_format == styles.currency_format("USD")


@pytest.mark.office
@requires_office
def test_the_parameters_print_in_a_few_readable_pages(exported, tmp_path):
    out, base, _ = exported
    (pdf,) = convert([out], tmp_path, "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    footers = [p.strip().splitlines()[-1].split()[0] if p.strip() else "" for p in pages]
    assert 3 <= footers.count("Parameters") <= 8, footers
    printed = "\n".join(p for p, f in zip(pages, footers, strict=False) if f == "Parameters")
    assert "2 differences from Baseline" in printed
    assert f"{base['churn']['base_hazard']:.4f}".rstrip("0") in printed  # not 0.0
    assert "Initial productivity: 0" not in printed
