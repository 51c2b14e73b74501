"""Structural edits of a scenario's tier table that keep the tables keyed by tier consistent.

A scenario names tiers in three places: ``tiers.levels`` and the two tables keyed by tier
name, ``recruitment.initial_tier_mix`` (fractions of the starting cohort, adding up to 1) and
``mdf.tier_weights``. Renaming, adding or removing a tier through
:meth:`Scenario.with_changes` alone would leave those keys behind and be refused by the
scenario's own check; these functions carry the keys along. Each returns a new validated
:class:`~simulation.scenario.Scenario` or raises :class:`jbp.errors.ValidationError` naming
the field (``tiers.<name>.name``, ``tiers.levels``).

Added for the Scenario Lab's tier table (issue 6).
"""

from __future__ import annotations

from typing import Any

from jbp.errors import ValidationError

from .scenario import Scenario


def rename_tier(scenario: Scenario, old: str, new: str) -> Scenario:
    """``scenario`` with tier ``old`` called ``new`` (also in the tier mix and MDF weights)."""
    new = str(new).strip()
    if not new:
        raise ValidationError(f"tiers.{old}.name", "a tier needs a name")
    if new == old:
        return scenario
    if new in scenario.tiers.names():
        raise ValidationError(f"tiers.{old}.name", f"a tier named {new!r} exists")
    data = scenario.to_dict()
    for level in data["tiers"]["levels"]:
        if level["name"] == old:
            level["name"] = new
            break
    else:
        raise ValidationError(f"tiers.{old}", f"no tier named {old!r}")
    for section, key in (("recruitment", "initial_tier_mix"), ("mdf", "tier_weights")):
        table = data[section][key]
        data[section][key] = {(new if k == old else k): v for k, v in table.items()}
    return Scenario.from_dict(data)


def _fresh_name(names: list[str], base: str = "New tier") -> str:
    name, n = base, 1
    while name in names:
        n += 1
        name = f"{base} {n}"
    return name


def add_tier(scenario: Scenario, name: str | None = None) -> Scenario:
    """``scenario`` with a tier above the top one: thresholds raised (sourced revenue doubled,
    one more certified person and new logo), the top tier's margin, rebate and benefits.
    The starting cohort's mix is unchanged (nobody starts in the new tier)."""
    data = scenario.to_dict()
    levels: list[dict[str, Any]] = data["tiers"]["levels"]
    top = max(levels, key=lambda t: t["rank"])
    names = [t["name"] for t in levels]
    name = (name or "").strip() or _fresh_name(names)
    if name in names:
        raise ValidationError("tiers.levels", f"a tier named {name!r} exists")
    levels.append({**top, "name": name, "rank": top["rank"] + 1,
                   "min_sourced_revenue": max(2 * float(top["min_sourced_revenue"]), 100_000.0),
                   "min_certifications": int(top["min_certifications"]) + 1,
                   "min_new_logos": int(top["min_new_logos"]) + 1})
    return Scenario.from_dict(data)


def remove_tier(scenario: Scenario, name: str) -> Scenario:
    """``scenario`` without tier ``name``. Its share of the starting cohort moves to the tier
    below it (the one above when it is the lowest); its MDF weight is dropped."""
    data = scenario.to_dict()
    levels: list[dict[str, Any]] = sorted(data["tiers"]["levels"], key=lambda t: t["rank"])
    if len(levels) <= 1:
        raise ValidationError("tiers.levels", "at least one tier is needed")
    index = next((i for i, t in enumerate(levels) if t["name"] == name), None)
    if index is None:
        raise ValidationError(f"tiers.{name}", f"no tier named {name!r}")
    heir = levels[index - 1 if index > 0 else 1]["name"]
    del levels[index]
    data["tiers"]["levels"] = levels
    mix = dict(data["recruitment"]["initial_tier_mix"])
    if name in mix:
        share = mix.pop(name)
        mix[heir] = round(mix.get(heir, 0.0) + share, 12)
    data["recruitment"]["initial_tier_mix"] = mix
    data["mdf"]["tier_weights"] = {k: v for k, v in data["mdf"]["tier_weights"].items()
                                   if k != name}
    return Scenario.from_dict(data)
