"""Scenarios kept in the workspace: their parameters, and once run, their results.

The domain stores a scenario's parameters as the JSON document the simulation package reads
and writes (``simulation.scenario``), and its results as the bytes
``simulation`` serialises; it does not look inside either, so ``jbp`` stays independent of
``simulation``. Changing parameters marks stored results stale (they no longer describe the
parameters) without throwing them away.

Edits are commands (undoable) like plan edits; they are not plan revisions, so they write no
revision rows.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .commands import Command
from .errors import ValidationError
from .fields import Field
from .store import Workspace

_NAME = Field("name", "text", "Scenario name", required=True, max_length=80)


@dataclass
class ScenarioRecord:
    """A stored scenario. ``params``: the scenario document (dict); ``results``: serialised
    results or None; ``stale``: results exist but were computed from other parameters."""

    id: int
    name: str
    params: dict[str, Any]
    results: bytes | None
    stale: bool
    created_at: str
    updated_at: str
    position: int = 0

    @property
    def has_results(self) -> bool:
        return self.results is not None


def scenarios(ws: Workspace) -> list[ScenarioRecord]:
    return [_record(r) for r in ws.scenario_rows()]


def scenario(ws: Workspace, scenario_id: int) -> ScenarioRecord:
    row = ws.scenario_row(scenario_id)
    if row is None:
        raise ValidationError("Scenario", f"no scenario with id {scenario_id}")
    return _record(row)


def scenario_by_name(ws: Workspace, name: str) -> ScenarioRecord | None:
    row = ws.scenario_row_by_name(name)
    return _record(row) if row is not None else None


def _record(r: sqlite3.Row) -> ScenarioRecord:
    return ScenarioRecord(id=r["id"], name=r["name"], params=json.loads(r["params"]),
                          results=r["results"], stale=bool(r["results_stale"]),
                          created_at=r["created_at"], updated_at=r["updated_at"],
                          position=r["position"])


def unique_name(ws: Workspace, base: str) -> str:
    """``base``, or ``base (2)``, ``base (3)``… whichever is free."""
    name, n = base, 1
    while scenario_by_name(ws, name) is not None:
        n += 1
        name = f"{base} ({n})"
    return name


def _check_name(ws: Workspace, name: str, own_id: int | None = None) -> str:
    name = _NAME.coerce(name, element="Scenario").strip()
    other = scenario_by_name(ws, name)
    if other is not None and other.id != own_id:
        raise ValidationError("Scenario name", f"a scenario named {name!r} exists",
                              element="Scenario")
    return name


class CreateScenario(Command):
    """Add a scenario (new, or a duplicate when ``params`` come from another)."""

    def __init__(self, name: str, params: dict[str, Any], results: bytes | None = None):
        self.name = _NAME.coerce(name, element="Scenario")
        self.params, self.results = params, results
        self.scenario_id: int | None = None
        self.plan_id = 0
        self.text = f"New scenario {self.name}"

    def do(self, ws: Workspace) -> None:
        with ws.transaction():
            name = _check_name(ws, self.name)
            self.scenario_id = ws.insert_scenario(self.scenario_id, name, self.params,
                                                  self.results)
        ws.notify("scenarios")

    def undo(self, ws: Workspace) -> None:
        assert self.scenario_id is not None
        with ws.transaction():
            ws.delete_scenario(self.scenario_id)
        ws.notify("scenarios")


class RenameScenario(Command):
    def __init__(self, scenario_id: int, name: str):
        self.scenario_id = scenario_id
        self.name = _NAME.coerce(name, element="Scenario")
        self.old = ""
        self.plan_id = 0
        self.text = f"Rename scenario to {self.name}"

    def _set(self, ws: Workspace, name: str) -> str:
        with ws.transaction():
            current = scenario(ws, self.scenario_id)
            name = _check_name(ws, name, self.scenario_id)
            ws.rename_scenario(self.scenario_id, name)
        return current.name

    def do(self, ws: Workspace) -> None:
        self.old = self._set(ws, self.name)
        ws.notify("scenarios")

    def undo(self, ws: Workspace) -> None:
        self._set(ws, self.old)
        ws.notify("scenarios")


class DeleteScenario(Command):
    def __init__(self, scenario_id: int):
        self.scenario_id = scenario_id
        self.saved: ScenarioRecord | None = None
        self.plan_id = 0
        self.text = "Delete scenario"

    def do(self, ws: Workspace) -> None:
        with ws.transaction():
            self.saved = scenario(ws, self.scenario_id)
            ws.delete_scenario(self.scenario_id)
        ws.notify("scenarios")

    def undo(self, ws: Workspace) -> None:
        s = self.saved
        assert s is not None
        with ws.transaction():
            ws.insert_scenario(s.id, s.name, s.params, s.results, stale=s.stale,
                               created_at=s.created_at, updated_at=s.updated_at,
                               position=s.position)
        ws.notify("scenarios")


class SetScenarioParams(Command):
    """Replace a scenario's parameters; stored results become stale (kept, marked)."""

    def __init__(self, scenario_id: int, params: dict[str, Any], text: str = "Edit scenario"):
        self.scenario_id, self.params = scenario_id, params
        self.before: tuple[dict[str, Any], bool] | None = None
        self.plan_id = 0
        self.text = text

    def do(self, ws: Workspace) -> None:
        with ws.transaction():
            current = scenario(ws, self.scenario_id)
            self.before = (current.params, current.stale)
            stale = current.results is not None and current.params != self.params
            ws.set_scenario_params(self.scenario_id, self.params, stale or current.stale)
        ws.notify("scenarios")

    def undo(self, ws: Workspace) -> None:
        assert self.before is not None
        params, stale = self.before
        with ws.transaction():
            ws.set_scenario_params(self.scenario_id, params, stale)
        ws.notify("scenarios")


def save_results(ws: Workspace, scenario_id: int, params: dict[str, Any],
                 results: bytes) -> None:
    """Store the results of a run. They are fresh only if the scenario still has the
    parameters the run used (the user may have edited it while it ran)."""
    with ws.transaction():
        current = scenario(ws, scenario_id)
        stale = current.params != params
        ws.set_scenario_results(scenario_id, results, stale)
    ws.notify("scenarios")
