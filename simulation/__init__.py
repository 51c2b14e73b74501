"""The partner-program simulation. No Qt here.

Typical use::

    from simulation import Scenario, run, compare
    base = Scenario.load("baseline.toml")
    fast = base.with_changes({"onboarding.mean_days": 20}, name="Onboarding 20 days")
    a, b = run(base, workers=2), run(fast, workers=2)
    print(compare([a, b]))
"""

from jbp.progress import Cancelled, Progress

from .results import METRICS, ScenarioResult, compare
from .runner import run, run_many
from .scenario import Scenario

__all__ = ["METRICS", "Cancelled", "Progress", "Scenario", "ScenarioResult", "compare", "run",
           "run_many"]
