"""The Scenario Lab's parts that need no event loop: the tier-table edits it added to
``simulation`` (names carried into the tables keyed by tier), the run and calibration work
functions (Orange's pattern: a pure function of a state object), and reading typed numbers."""

from __future__ import annotations

import pytest

from jbp.errors import ValidationError
from simulation.scenario import Scenario
from simulation.tier_edits import add_tier, remove_tier, rename_tier
from ui.numbers import param_text, parse_number, parse_table, value_text
from ui.scenario_lab.runs import simulate_scenario
from ui.workers import Cancelled, Progress

MIX = {"Registered": 0.5, "Silver": 0.3, "Gold": 0.15, "Platinum": 0.05}


def scenario() -> Scenario:
    return Scenario().with_changes({"recruitment.initial_tier_mix": MIX,
                                    "mdf.tier_weights": {"Gold": 2.0, "Platinum": 4.0},
                                    "horizon_months": 6, "recruitment.initial_partners": 10})


def test_renaming_a_tier_renames_it_in_the_mix_and_the_mdf_weights():
    out = rename_tier(scenario(), "Gold", "Gold+")
    assert out.tiers.names() == ["Registered", "Silver", "Gold+", "Platinum"]
    assert out.recruitment.initial_tier_mix["Gold+"] == 0.15
    assert "Gold" not in out.recruitment.initial_tier_mix
    assert out.mdf.tier_weights == {"Gold+": 2.0, "Platinum": 4.0}
    with pytest.raises(ValidationError) as err:
        rename_tier(scenario(), "Gold", "Silver")
    assert err.value.field == "tiers.Gold.name"


def test_removing_a_tier_gives_its_cohort_share_to_the_tier_below():
    out = remove_tier(scenario(), "Gold")
    assert out.tiers.names() == ["Registered", "Silver", "Platinum"]
    assert out.recruitment.initial_tier_mix["Silver"] == pytest.approx(0.45)
    assert sum(out.recruitment.initial_tier_mix.values()) == pytest.approx(1.0)
    assert out.mdf.tier_weights == {"Platinum": 4.0}
    lowest = remove_tier(scenario(), "Registered")
    assert lowest.recruitment.initial_tier_mix["Silver"] == pytest.approx(0.8)
    single = scenario()
    for name in ("Platinum", "Gold", "Silver"):
        single = remove_tier(single, name)
    with pytest.raises(ValidationError, match="at least one tier"):
        remove_tier(single, "Registered")


def test_an_added_tier_sits_above_the_top_with_higher_thresholds():
    out = add_tier(scenario())
    top, new = out.tiers.levels[-2], out.tiers.levels[-1]
    assert new.name == "New tier" and new.rank == top.rank + 1
    assert new.min_sourced_revenue == 2 * top.min_sourced_revenue
    assert new.min_certifications == top.min_certifications + 1
    assert add_tier(out).tiers.levels[-1].name == "New tier 2"


def test_a_run_is_a_plain_function_of_its_state():
    params = scenario().to_dict()
    state = Progress()
    out = simulate_scenario(params, "Renamed", replications=3, workers=1, state=state)
    assert out.result.name == "Renamed" and out.result.replications == 3
    assert out.params is params and (state.fraction, state.text) == (1.0, "Renamed")
    from simulation.results import ScenarioResult

    again = ScenarioResult.from_bytes(out.blob)
    assert again.total("sourced_revenue").tolist() == out.result.total("sourced_revenue").tolist()
    state = Progress()
    state.cancel()
    with pytest.raises(Cancelled):
        simulate_scenario(params, "x", replications=3, workers=1, state=state)


@pytest.mark.parametrize("text, value", [
    ("1,500,000", 1_500_000), ("150k", 150_000), ("1.5M", 1_500_000.0), ("25%", 0.25),
    ("0.3", 0.3), ("20", 20), ("abc", "abc"), (" -5 ", -5)])
def test_numbers_are_read_as_people_type_them(text, value):
    assert parse_number(text) == value


def test_tables_and_values_are_written_and_read_back():
    assert parse_table("Gold: 0.2, Silver=0.3; Platinum: 5%") == \
        {"Gold": 0.2, "Silver": 0.3, "Platinum": 0.05}
    assert parse_table("") == {}
    assert parse_number(param_text(531_168.25).replace(",", "")) == 531_168.25
    assert param_text({"Gold": 0.2}) == "Gold: 0.2"
    assert value_text(1_234_567, "currency") == "1.23M"
    assert value_text(-0.021, "fraction", delta=True) == "−2.1 pp"
    assert value_text(float("nan"), "days") == "—"
