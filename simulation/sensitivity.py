"""One-at-a-time sensitivity (tornado): which lever moves the outcome most.

Each lever (a dotted scenario path, see :meth:`Scenario.get`) is moved down and up by
``pct`` of its value, all other fields held; every run uses the same seed, so the variants
share random numbers with the base run and the differences are paired. Levers are ranked by
their swing: the larger of |outcome(low) − outcome(base)| and |outcome(high) − outcome(base)|.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from jbp.errors import ValidationError
from jbp.progress import Progress

from .results import METRICS, ScenarioResult, delta
from .runner import run
from .scenario import GROUPS, Scenario

#: Levers a channel chief changes, used when none are named.
DEFAULT_LEVERS = (
    "deals.registrations_per_month",
    "deals.win_probability",
    "deals.deal_size_mean",
    "deals.conflict_probability",
    "customers.renewal_rate",
    "recruitment.arrivals_per_month",
    "onboarding.mean_days",
    "enablement.certification_rate",
    "tiers.lead_sharing_uplift",
    "mdf.budget_per_period",
    "mdf.pipeline_per_dollar",
    "churn.base_hazard",
)

#: Outcomes offered by the GUI: total over the horizon (ROPI cumulative, ARR at the end).
OUTCOMES = ("ropi", "sourced_revenue", "arr", "net_partner_revenue", "attributed_revenue")


@dataclass
class LeverEffect:
    """The outcome (mean over replications) with a lever at its low and high value, and the
    paired differences from the base run with their 95% confidence intervals."""

    lever: str
    label: str
    base_value: float
    low_value: float
    high_value: float
    low: float
    high: float
    low_delta: tuple[float, float, float]
    high_delta: tuple[float, float, float]
    note: str = ""

    @property
    def swing(self) -> float:
        vals = [abs(self.low_delta[0]), abs(self.high_delta[0])]
        vals = [v for v in vals if math.isfinite(v)]
        return max(vals) if vals else 0.0


@dataclass
class SensitivityResult:
    """Levers ranked by swing (largest first) for one outcome."""

    outcome: str
    outcome_label: str
    unit: str
    base: float
    pct: float
    effects: list[LeverEffect] = field(default_factory=list)
    results: dict[str, ScenarioResult] = field(default_factory=dict, repr=False)

    def to_frame(self):
        import pandas as pd

        rows = [{"lever": e.lever, "label": e.label, "base_value": e.base_value,
                 "low_value": e.low_value, "high_value": e.high_value,
                 "outcome_low": e.low, "outcome_base": self.base, "outcome_high": e.high,
                 "delta_low": e.low_delta[0], "delta_low_ci_low": e.low_delta[1],
                 "delta_low_ci_high": e.low_delta[2], "delta_high": e.high_delta[0],
                 "delta_high_ci_low": e.high_delta[1], "delta_high_ci_high": e.high_delta[2],
                 "swing": e.swing, "note": e.note} for e in self.effects]
        return pd.DataFrame(rows)


def lever_label(path: str) -> str:
    """The documentation line of a lever, shortened, for chart labels."""
    parts = path.split(".")
    if parts[0] == "tiers" and len(parts) == 3:
        return f"{parts[1]} {parts[2].replace('_', ' ')}"
    for g in GROUPS:
        if parts[0] == g.SECTION:
            for f in g.params():
                if f.name == parts[-1]:
                    return f"{g.TITLE}: {f.name.replace('_', ' ')}"
    return path


def _moved(scenario: Scenario, path: str, factor: float) -> tuple[Scenario | None, float, str]:
    value = scenario.get(path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(path, "is not a number, so it cannot be varied by a percentage")
    new = value * factor
    parts = path.split(".")
    meta = None
    for g in GROUPS:
        if parts[0] == g.SECTION and len(parts) == 2:
            meta = next((f.metadata for f in g.params() if f.name == parts[1]), None)
    if meta is not None:
        if meta["hi"] is not None:
            new = min(new, meta["hi"])
        if meta["lo"] is not None:
            new = max(new, meta["lo"])
        if meta["kind"] is int:
            new = round(new)
            if new == value:
                new = value + (1 if factor > 1 else -1)
                if meta["lo"] is not None and new < meta["lo"]:
                    new = value
    try:
        return scenario.with_changes({path: new}), float(new), ""
    except ValidationError as exc:
        return None, float(new), f"not run: {exc}"


def sensitivity(scenario: Scenario, levers: Sequence[str] | None = None,
                outcome: str = "ropi", pct: float = 0.2, state: Progress | None = None, *,
                replications: int | None = None, seed: int | None = None,
                workers: int = 1) -> SensitivityResult:
    """Vary each lever by ±``pct`` (fraction, 0.2 = 20%) around ``scenario`` and rank the
    levers by their effect on ``outcome`` (a metric of :data:`METRICS`, totalled over the
    horizon: ROPI cumulative, revenue summed, ARR at the horizon)."""
    if outcome not in METRICS:
        raise ValidationError("outcome", f"{outcome!r} is not a result metric")
    if not 0 < pct < 1:
        raise ValidationError("pct", "must be a fraction between 0 and 1 (0.2 = 20%)")
    levers = list(levers or DEFAULT_LEVERS)
    for lv in levers:
        scenario.get(lv)  # unknown paths fail before anything runs
    seed = int(seed if seed is not None else scenario.seed)
    runs = 1 + 2 * len(levers)
    k = 0

    def step() -> Progress | None:
        nonlocal k
        sub = state.part(k / runs, 1 / runs) if state is not None else None
        k += 1
        return sub

    base_res = run(scenario, step(), replications=replications, seed=seed, workers=workers)
    base = float(np.nanmean(base_res.total(outcome)))
    meta = METRICS[outcome]
    out = SensitivityResult(outcome, meta.label, meta.unit, base, pct,
                            results={"base": base_res})
    nan3 = (math.nan, math.nan, math.nan)
    for lv in levers:
        rows = []
        notes = []
        for factor in (1 - pct, 1 + pct):
            sc, value, note = _moved(scenario, lv, factor)
            if sc is None:
                step()
                rows.append((value, math.nan, nan3))
                notes.append(note)
                continue
            res = run(dataclasses.replace(sc, name=f"{lv} x{factor:g}"), step(),
                      replications=replications, seed=seed, workers=workers)
            out.results[f"{lv}:{'low' if factor < 1 else 'high'}"] = res
            d = delta(base_res, res, outcome)[:3]
            rows.append((value, float(np.nanmean(res.total(outcome))), d))
        (lo_v, lo, lo_d), (hi_v, hi, hi_d) = rows
        out.effects.append(LeverEffect(lv, lever_label(lv), float(scenario.get(lv)), lo_v, hi_v,
                                       lo, hi, lo_d, hi_d, "; ".join(notes)))
    out.effects.sort(key=lambda e: e.swing, reverse=True)
    if state is not None:
        state.report(1.0)
    return out
