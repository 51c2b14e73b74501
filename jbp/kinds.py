"""The one registry of the kinds of actuals a workspace holds.

Each kind names its table, its label in the user's words, its stored columns, its date
column (the day a row happened: what coverage, windows and trends are measured on), which
columns are booleans, whether rows carry a natural key, and whether the importers take it
from a file. The store, the importers, the metrics, the calibration and the CLI derive
their lists from :data:`KINDS`; adding a kind is one entry here plus its migration (the
table) and its parsing spec in the importers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    columns: tuple[str, ...]
    date_column: str
    bools: tuple[str, ...] = ()
    keyed: bool = True
    #: Counts as partner activity (what the at-risk score and "no activity for N days" read).
    activity: bool = False

    @property
    def dates(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c.endswith("_date") or c == "month")


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("deals", "Closed deals",
         ("ext_id", "partner_id", "customer", "amount", "recurring", "close_date",
          "created_date", "attribution"), "close_date", bools=("recurring",), activity=True),
    Kind("registrations", "Deal registrations",
         ("ext_id", "partner_id", "reg_date", "value", "status", "conflict"), "reg_date",
         bools=("conflict",), activity=True),
    Kind("logins", "Portal logins", ("partner_id", "login_date", "user"), "login_date",
         activity=True),
    Kind("certifications", "Certifications", ("partner_id", "person", "course", "cert_date"),
         "cert_date", activity=True),
    Kind("mdf", "MDF requests and claims",
         ("ext_id", "partner_id", "kind", "mdf_date", "amount", "status", "activity"),
         "mdf_date"),
    Kind("program_costs", "Program costs", ("month", "category", "amount", "partner_id"),
         "month", keyed=False),
)}

#: The kinds imported from files, in the order the app lists them.
IMPORTABLE = ("deals", "registrations", "logins", "certifications", "mdf")
#: The kinds whose rows count as a partner's activity.
ACTIVITY = tuple(k.name for k in KINDS.values() if k.activity)


def kind(name: str) -> Kind:
    """The kind called ``name``; a :class:`KeyError` naming the known kinds otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown kind of actuals {name!r}; known: {', '.join(KINDS)}") from None
