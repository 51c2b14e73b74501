"""The one set of allowed ranges for sizes and amounts, used on every path.

A scenario file, ``jbp scenario variant --set``, the ``jbp simulate`` flags (``-n``,
``--months``, ``--workers``), the Scenario Lab's editors and the actuals import all check
against these, so a value refused on one path is refused on every other with the same words.
The ranges are documented in ``docs/scenario.md`` (a test checks that the documentation matches)
and ``docs/import.md``.

Why these limits: they are far beyond any real partner program, yet keep a run or an import
from hanging or overflowing (a sum of amounts of 1e308 is infinite; 10,000,000 starting partners
or 10⁹ replications run for days).
"""

from __future__ import annotations

from jbp.errors import ValidationError

#: Largest amount of money in one field or row (program currency): a trillion. Sums of a
#: million such rows stay far inside a float's exact-enough range.
MAX_AMOUNT = 1e12

#: Replications of a simulation run.
REPLICATIONS = (1, 100_000)
#: Months a simulation covers.
HORIZON_MONTHS = (1, 600)
#: Partners at the start of a simulation (and recruits waiting for onboarding).
PARTNERS = (0, 100_000)
#: Partner managers in a simulation.
MANAGERS = (1, 10_000)
#: Newly signed partners per month in a simulation.
ARRIVALS_PER_MONTH = (0, 10_000)
#: Open registrations of one age in the starting pipeline of a simulation (a 20,000-partner
#: program has well over 100,000 open at once).
OPEN_DEALS = (0, 1_000_000)
#: Worker processes that run replications in parallel.
WORKERS = (1, 64)
#: Any other rate per partner-month (registrations, influenced deals, certifications).
RATE_PER_PARTNER_MONTH = (0, 1_000)
#: A multiplier or uplift (2.0 = twice as likely).
MULTIPLIER = (0, 1_000)
#: Durations in days and months inside a scenario.
DAYS = (0, 3_650)
MONTHS = (0, 240)
#: A root seed (NumPy's SeedSequence takes any non-negative integer; 2**63 - 1 keeps it an
#: int64 everywhere it is stored).
SEED = (0, 2**63 - 1)


def check_range(field: str, value: int | float, bounds: tuple[float, float]) -> None:
    """Refuse ``value`` outside ``bounds`` (inclusive) naming ``field`` and the range."""
    lo, hi = bounds
    if not lo <= value <= hi:
        raise ValidationError(field, f"must be between {lo:,g} and {hi:,g} (got {value:,g})",
                              value=value)
