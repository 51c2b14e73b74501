"""Scenarios kept in the workspace: commands with undo, stale results."""

from __future__ import annotations

import pytest

from jbp.commands import History
from jbp.errors import ValidationError
from jbp.scenarios import (
    CreateScenario,
    DeleteScenario,
    RenameScenario,
    SetScenarioParams,
    save_results,
    scenario,
    scenarios,
    unique_name,
)


def test_create_rename_delete_with_undo(small_ws):
    h = History(small_ws)
    base = h.run(CreateScenario("Baseline", {"horizon_months": 36}))
    h.run(CreateScenario(unique_name(small_ws, "Baseline"), {"horizon_months": 24}))
    assert [s.name for s in scenarios(small_ws)] == ["Baseline", "Baseline (2)"]
    with pytest.raises(ValidationError, match="a scenario named 'baseline' exists"):
        h.run(CreateScenario("baseline", {}))
    h.run(RenameScenario(base.scenario_id, "Today's program"))
    assert scenario(small_ws, base.scenario_id).name == "Today's program"
    h.undo()
    assert scenario(small_ws, base.scenario_id).name == "Baseline"
    h.run(DeleteScenario(base.scenario_id))
    assert [s.name for s in scenarios(small_ws)] == ["Baseline (2)"]
    h.undo()
    assert [s.name for s in scenarios(small_ws)] == ["Baseline", "Baseline (2)"]


def test_changed_parameters_make_results_stale(small_ws):
    h = History(small_ws)
    sid = h.run(CreateScenario("A", {"x": 1})).scenario_id
    save_results(small_ws, sid, {"x": 1}, b"results")
    assert scenario(small_ws, sid).results == b"results"
    assert not scenario(small_ws, sid).stale
    h.run(SetScenarioParams(sid, {"x": 2}))
    assert scenario(small_ws, sid).stale and scenario(small_ws, sid).results == b"results"
    h.undo()
    assert not scenario(small_ws, sid).stale
    # Results of a run whose parameters were edited meanwhile are stored as stale.
    h.run(SetScenarioParams(sid, {"x": 3}))
    save_results(small_ws, sid, {"x": 2}, b"older")
    assert scenario(small_ws, sid).stale
