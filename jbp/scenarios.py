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
from dataclasses import dataclass
from typing import Any

from .commands import Command
from .errors import ValidationError
from .fields import Field
from .store import Workspace, now_iso

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
    rows = ws.rows("SELECT * FROM scenarios ORDER BY position, id")
    return [_record(r) for r in rows]


def scenario(ws: Workspace, scenario_id: int) -> ScenarioRecord:
    rows = ws.rows("SELECT * FROM scenarios WHERE id = ?", (scenario_id,))
    if not rows:
        raise ValidationError("Scenario", f"no scenario with id {scenario_id}")
    return _record(rows[0])


def scenario_by_name(ws: Workspace, name: str) -> ScenarioRecord | None:
    rows = ws.rows("SELECT * FROM scenarios WHERE name = ? COLLATE NOCASE", (name.strip(),))
    return _record(rows[0]) if rows else None


def _record(r) -> ScenarioRecord:
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
            stamp = now_iso()
            position = ws.rows("SELECT COALESCE(MAX(position), -1) + 1 FROM scenarios")[0][0]
            cur = ws.execute(
                "INSERT INTO scenarios (id, name, params, results, results_stale, created_at, "
                "updated_at, position) VALUES (?, ?, ?, ?, 0, ?, ?, ?)",
                (self.scenario_id, name, json.dumps(self.params), self.results, stamp, stamp,
                 position))
            self.scenario_id = cur.lastrowid
        ws.notify("scenarios")

    def undo(self, ws: Workspace) -> None:
        with ws.transaction():
            ws.execute("DELETE FROM scenarios WHERE id = ?", (self.scenario_id,))
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
            ws.execute("UPDATE scenarios SET name = ?, updated_at = ? WHERE id = ?",
                       (name, now_iso(), self.scenario_id))
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
            ws.execute("DELETE FROM scenarios WHERE id = ?", (self.scenario_id,))
        ws.notify("scenarios")

    def undo(self, ws: Workspace) -> None:
        s = self.saved
        assert s is not None
        with ws.transaction():
            ws.execute(
                "INSERT INTO scenarios (id, name, params, results, results_stale, created_at, "
                "updated_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (s.id, s.name, json.dumps(s.params), s.results, int(s.stale), s.created_at,
                 s.updated_at, s.position))
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
            ws.execute("UPDATE scenarios SET params = ?, results_stale = ?, updated_at = ? "
                       "WHERE id = ?", (json.dumps(self.params), int(stale or current.stale),
                                        now_iso(), self.scenario_id))
        ws.notify("scenarios")

    def undo(self, ws: Workspace) -> None:
        assert self.before is not None
        params, stale = self.before
        with ws.transaction():
            ws.execute("UPDATE scenarios SET params = ?, results_stale = ?, updated_at = ? "
                       "WHERE id = ?", (json.dumps(params), int(stale), now_iso(),
                                        self.scenario_id))
        ws.notify("scenarios")


def save_results(ws: Workspace, scenario_id: int, params: dict[str, Any],
                 results: bytes) -> None:
    """Store the results of a run. They are fresh only if the scenario still has the
    parameters the run used (the user may have edited it while it ran)."""
    with ws.transaction():
        current = scenario(ws, scenario_id)
        stale = current.params != params
        ws.execute("UPDATE scenarios SET results = ?, results_stale = ?, updated_at = ? "
                   "WHERE id = ?", (results, int(stale), now_iso(), scenario_id))
    ws.notify("scenarios")
