"""The one date every figure is "as of", and why.

Every face (each GUI page, each CLI command that computes figures, each workbook) asks
:func:`resolve_as_of` and states the date and its reason. The rule: a date the user set
(View ▸ Set "as of" in the app, ``--as-of`` on the command line), else the date the
workspace is pinned to (the demo pins its own "today"), else today.

The "as of" is the date a view describes; it is *not* capped at the end of the data. Each
source of actuals is read only up to the end of its own coverage (see ``jbp.coverage``),
so a day past a source's data is never read as zero activity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Workspace

SET_BY_USER = "set by you"
PINNED = "pinned by the workspace"
TODAY = "today"


@dataclass(frozen=True)
class AsOf:
    """A date with the reason it was chosen."""

    date: dt.date
    reason: str

    def label(self) -> str:
        """The words every face shows, e.g. ``as of 2026-11-15 (pinned by the workspace)``."""
        return f"as of {self.date.isoformat()} ({self.reason})"

    def as_dict(self) -> dict[str, str]:
        return {"as_of": self.date.isoformat(), "as_of_reason": self.reason}


def resolve_as_of(ws: Workspace | None, requested: dt.date | None = None,
                  today: dt.date | None = None) -> AsOf:
    """The "as of" of a view of ``ws``: ``requested`` (set by the user), else the
    workspace's pinned date, else ``today`` (default: the system date)."""
    if requested is not None:
        return AsOf(requested, SET_BY_USER)
    pinned = ws.pinned_as_of if ws is not None else None
    if pinned is not None:
        return AsOf(pinned, PINNED)
    return AsOf(today or dt.date.today(), TODAY)
