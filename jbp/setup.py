"""A new workspace for the user's own program: name, currency, fiscal year and tiers.

:func:`new_workspace` is what File ▸ New workspace (the setup wizard) and ``jbp new`` call.
The tiers come from a template (:data:`TIER_TEMPLATES`) or are copied from another
workspace (``tiers_from``: its tiers and the settings the metrics use, not its name,
currency or data). The workspace starts with no partners, plans or actuals; they come from
the user's exports (``jbp import --kind partners``, then the actuals).

One currency per workspace: it is chosen here, every amount imported must be in it (an
import naming another currency is refused), and it changes later only while nothing holds
an amount.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ValidationError
from .model import Program, Tier
from .program_edit import _currency
from .store import Workspace

#: Tier templates (thresholds: T12M sourced revenue in the workspace currency, certified
#: people, net new logos; margin and rebate as fractions of sourced revenue).
TIER_TEMPLATES: dict[str, tuple[str, list[Tier]]] = {
    "four tiers": ("Registered, Silver, Gold, Platinum (thresholds of a mid-size SaaS "
                   "program)", [
        Tier("Registered", 0, 0, 0, 0, margin=0.10, rebate=0.0),
        Tier("Silver", 1, 75_000, 2, 1, margin=0.15, rebate=0.01, mdf_eligible=True),
        Tier("Gold", 2, 300_000, 4, 3, margin=0.20, rebate=0.02, lead_sharing=True,
             mdf_eligible=True),
        Tier("Platinum", 3, 900_000, 8, 6, margin=0.25, rebate=0.03, lead_sharing=True,
             mdf_eligible=True, priority_support=True),
    ]),
    "three tiers": ("Member, Select, Premier (a smaller program)", [
        Tier("Member", 0, 0, 0, 0, margin=0.10, rebate=0.0),
        Tier("Select", 1, 50_000, 1, 1, margin=0.15, rebate=0.01, mdf_eligible=True),
        Tier("Premier", 2, 250_000, 3, 3, margin=0.20, rebate=0.02, lead_sharing=True,
             mdf_eligible=True, priority_support=True),
    ]),
}
DEFAULT_TEMPLATE = "four tiers"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def parse_month(value: object) -> int:
    """A month as 1-12 from a number or an English month name (or its first three letters)."""
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    for i, name in enumerate(MONTHS, start=1):
        if text.lower() in (name.lower(), name[:3].lower()):
            return i
    raise ValidationError("Fiscal year starts", f"{value!r} is not a month (1-12 or a "
                          "month name)", element="Program")


def program_for(name: str, currency: str = "USD", fiscal_year_start_month: object = 1,
                template: str = DEFAULT_TEMPLATE, tiers_from: str | Path | None = None
                ) -> Program:
    """The program a new workspace starts with (validated; nothing is written)."""
    base = Program()
    if tiers_from is not None:
        with Workspace.open(tiers_from) as other:
            base = other.program()
        tiers = list(base.tiers)
    else:
        if template not in TIER_TEMPLATES:
            raise ValidationError("Tiers", f"no tier template {template!r}; choose one of: "
                                  f"{', '.join(TIER_TEMPLATES)}", element="Program")
        tiers = [t.replace() for t in TIER_TEMPLATES[template][1]]
    return Program(**{**base.values(), "name": " ".join(str(name).split()),
                      "currency": _currency(currency),
                      "fiscal_year_start_month": parse_month(fiscal_year_start_month)},
                   tiers=tiers)


def new_workspace(path: str | Path, *, name: str, currency: str = "USD",
                  fiscal_year_start_month: object = 1, template: str = DEFAULT_TEMPLATE,
                  tiers_from: str | Path | None = None) -> Workspace:
    """Create the workspace file ``path`` (which must not exist) for a program of the
    user's own; returns it open."""
    program = program_for(name, currency, fiscal_year_start_month, template, tiers_from)
    return Workspace.create(path, program)
