"""Scenario parameters: validation names the field, files round-trip, docs cover every field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jbp.errors import ValidationError
from simulation.policies import MDF_POLICIES, TIER_POLICIES
from simulation.scenario import Scenario, field_reference, to_toml

DOCS = Path(__file__).resolve().parents[1] / "docs" / "scenario.md"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mdf.budget_per_period": -1}, "mdf.budget_per_period"),
        ({"deals.win_probability": 1.5}, "deals.win_probability"),
        ({"deals.conflict_probability": -0.1}, "deals.conflict_probability"),
        ({"customers.renewal_rate": 2}, "customers.renewal_rate"),
        ({"onboarding.mean_days": 0}, "onboarding.mean_days"),
        ({"onboarding.distribution": "gamma"}, "onboarding.distribution"),
        ({"onboarding.managers": 0}, "onboarding.managers"),
        ({"horizon_months": 2.5}, "horizon_months"),
        ({"tiers.Gold.min_sourced_revenue": 50_000}, "tiers.Gold.min_sourced_revenue"),
        ({"tiers.Platinum.min_certifications": 1}, "tiers.Platinum.min_certifications"),
        ({"tiers.Gold.margin": 1.5}, "tiers.Gold.margin"),
        ({"tiers.policy": "coin_flip"}, "tiers.policy"),
        ({"mdf.allocation": "lottery"}, "mdf.allocation"),
        ({"recruitment.initial_tier_mix": {"Gold": 0.5}}, "recruitment.initial_tier_mix"),
        ({"recruitment.initial_tier_mix": {"Diamond": 1.0}},
         "recruitment.initial_tier_mix.Diamond"),
        ({"deals.no_such_field": 1}, "deals.no_such_field"),
    ],
)
def test_invalid_values_name_the_field(changes, field):
    with pytest.raises(ValidationError) as exc:
        Scenario().with_changes(changes)
    assert exc.value.field == field
    assert field in str(exc.value)


def test_unknown_top_level_key_in_file_is_refused(tmp_path):
    data = Scenario().to_dict()
    data["mdf"]["budget"] = 5
    p = tmp_path / "s.json"
    p.write_text(json.dumps(data))
    with pytest.raises(ValidationError) as exc:
        Scenario.load(p)
    assert exc.value.field == "mdf.budget"
    assert "s.json" in str(exc.value)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_file_round_trip(tmp_path, suffix):
    sc = Scenario().with_changes({
        "name": 'Lower "Gold" — test', "tiers.Gold.min_sourced_revenue": 250_000,
        "recruitment.initial_tier_mix": {"Registered": 0.6, "Silver": 0.3, "Gold": 0.1},
        "mdf.tier_weights": {"Gold": 3.0}, "onboarding.automated": True})
    path = sc.save(tmp_path / f"scenario{suffix}")
    assert Scenario.load(path) == sc


def test_bad_file_names_the_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("horizon_months = [")
    with pytest.raises(ValidationError, match=r"broken\.toml"):
        Scenario.load(p)


def test_toml_documents_units_inline():
    text = to_toml(Scenario())
    assert "# Mean onboarding duration without automation [days]" in text
    assert "[[tiers.levels]]" in text


def test_every_field_is_documented_with_unit_and_default():
    doc = DOCS.read_text(encoding="utf-8")
    for row in field_reference():
        assert f"`{row['path']}`" in doc, row["path"]
    for name in list(TIER_POLICIES) + list(MDF_POLICIES):
        assert f"`{name}`" in doc


def test_get_and_with_changes_paths():
    sc = Scenario()
    v = sc.with_changes({"tiers.Gold.min_sourced_revenue": 300_000, "onboarding.mean_days": 20})
    assert v.get("tiers.Gold.min_sourced_revenue") == 300_000
    assert v.get("onboarding.mean_days") == 20
    assert sc.get("onboarding.mean_days") == 60  # the original is unchanged


@settings(max_examples=30, deadline=None)
@given(
    win=st.floats(0, 1), conflict=st.floats(0, 1), budget=st.floats(0, 1e7),
    mean_days=st.floats(0.5, 400), managers=st.integers(1, 50),
    dist=st.sampled_from(["fixed", "exponential", "lognormal"]),
)
def test_valid_values_round_trip_through_toml(tmp_path_factory, win, conflict, budget,
                                              mean_days, managers, dist):
    sc = Scenario().with_changes({
        "deals.win_probability": win, "deals.conflict_probability": conflict,
        "mdf.budget_per_period": budget, "onboarding.mean_days": mean_days,
        "onboarding.managers": managers, "onboarding.distribution": dist})
    path = sc.save(tmp_path_factory.mktemp("rt") / "s.toml")
    assert Scenario.load(path) == sc


@settings(max_examples=30, deadline=None)
@given(p=st.one_of(st.floats(-10, -1e-9), st.floats(1 + 1e-9, 10)),
       name=st.sampled_from(["deals.win_probability", "customers.recurring_share",
                             "mdf.utilisation", "recruitment.ipp_fit_share"]))
def test_probabilities_outside_unit_interval_are_refused(p, name):
    with pytest.raises(ValidationError) as exc:
        Scenario().with_changes({name: p})
    assert exc.value.field == name


def test_simulation_never_imports_qt():
    import subprocess
    import sys

    code = ("import sys, simulation.runner, simulation.charts, simulation.sensitivity, "
            "simulation.calibrate, ui.cli.simulate; "
            "sys.exit(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=DOCS.parents[1]).returncode == 0


@settings(max_examples=50, deadline=None)
@given(revenue=st.lists(st.floats(0, 3e6), min_size=1, max_size=20),
       bump=st.floats(0, 1e6))
def test_highest_met_tier_is_monotone_in_revenue(revenue, bump):
    import numpy as np

    from simulation.policies import highest_met_tier

    tiers = Scenario().tiers.levels
    thresholds = [np.array([getattr(t, f) for t in tiers], float)
                  for f in ("min_sourced_revenue", "min_certifications", "min_new_logos")]
    rev = np.array(revenue)
    certs = np.full(len(rev), 10.0)
    logos = np.full(len(rev), 10.0)
    low = highest_met_tier(rev, certs, logos, *thresholds)
    high = highest_met_tier(rev + bump, certs, logos, *thresholds)
    assert (high >= low).all()
    assert (low >= 0).all() and (low < len(tiers)).all()
