"""``jbp simulate`` and ``jbp scenario`` end to end on the demo workspace."""

from __future__ import annotations

import json

import pytest

from jbp import demo
from simulation.calibrate import baseline_from_file
from simulation.results import ScenarioResult
from simulation.scenario import Scenario
from ui.cli import main


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return demo.generate(tmp_path_factory.mktemp("ws") / "demo.jbp")


def test_calibrated_baseline_says_what_it_estimated(workspace):
    cal = baseline_from_file(workspace)
    sc = cal.scenario
    estimated = {e.path: e for e in cal.estimated()}
    for path in ("deals.registrations_per_month", "deals.win_probability",
                 "deals.deal_size_mean", "onboarding.mean_days", "churn.base_hazard"):
        assert path in estimated, path
        assert any(ch.isdigit() for ch in estimated[path].basis)  # says from how much data
    assert 0 < sc.deals.win_probability < 1
    assert sc.tiers.names() == ["Registered", "Silver", "Gold", "Platinum"]
    assert sc.recruitment.initial_partners > 0
    assert abs(sum(sc.recruitment.initial_tier_mix.values()) - 1) < 1e-6
    assert "estimated" in cal.report() and "default" in cal.report()


def test_baseline_variants_and_comparison(workspace, tmp_path, capsys):
    base = tmp_path / "baseline.toml"
    assert main(["scenario", "baseline", str(workspace), str(base), "--months", "24"]) == 0
    out = capsys.readouterr().out
    assert "registrations over" in out and f"written to {base}" in out
    gold = tmp_path / "gold.toml"
    fast = tmp_path / "fast.json"
    assert main(["scenario", "variant", str(base), str(gold), "--name", "Lower Gold",
                 "--set", "tiers.Gold.min_sourced_revenue=150000"]) == 0
    assert main(["scenario", "variant", str(base), str(fast), "--name", "Fast onboarding",
                 "--set", "onboarding.mean_days=20"]) == 0
    assert Scenario.load(fast).onboarding.mean_days == 20
    out_json = tmp_path / "cmp.json"
    code = main(["simulate", str(base), str(gold), str(fast), "--compare", "-n", "6",
                 "--workers", "1", "--quiet", "--out", str(out_json)])
    assert code == 0
    out = capsys.readouterr().out
    assert "Lower Gold" in out and "Fast onboarding" in out and "paired" in out
    assert "Mean days to first revenue" in out
    doc = json.loads(out_json.read_text())
    assert len(doc["results"]) == 3 and doc["comparison"]


def test_simulate_one_scenario_writes_csv_and_json(tmp_path, capsys):
    sc = tmp_path / "s.toml"
    Scenario().with_changes({"horizon_months": 6, "recruitment.initial_partners": 10}).save(sc)
    csv = tmp_path / "r.csv"
    assert main(["simulate", str(sc), "-n", "3", "--workers", "1", "--quiet",
                 "--out", str(csv)]) == 0
    assert "95% CI" in capsys.readouterr().out
    assert len(csv.read_text().splitlines()) == 1 + 3 * 6
    js = tmp_path / "r.json"
    assert main(["simulate", str(sc), "-n", "2", "--seed", "3", "--quiet", "--workers", "1",
                 "--out", str(js)]) == 0
    res = ScenarioResult.from_json(js.read_text())
    assert res.replications == 2 and res.seed == 3


def test_user_errors_exit_2_and_name_the_field(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[mdf]\nbudget_per_period = -5\n")
    assert main(["simulate", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "mdf.budget_per_period" in err and "bad.toml" in err
    good = tmp_path / "good.toml"
    Scenario().save(good)
    assert main(["simulate", str(good), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert main(["scenario", "variant", str(good), str(tmp_path / "v.toml"),
                 "--set", "deals.win_probability=2"]) == 2
    assert "deals.win_probability" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "missing.toml")]) == 2
