"""What every ``jbp`` command declares the same way: the ``workspace`` argument, ``--as-of``,
and opening the workspace with the clean errors of :mod:`jbp.store` (never a traceback).

``--as-of`` has one meaning everywhere: the date the figures are *as of*, resolved by
:func:`jbp.asof.resolve_as_of` (the date given, else the date the workspace is pinned to,
else today). Each source of actuals is read only to the end of its own data
(:mod:`jbp.coverage`), so a day past it is never read as zero activity.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jbp.asof import AsOf
    from jbp.store import Workspace

AS_OF_HELP = ("the date the figures are as of, YYYY-MM-DD (default: the date the workspace "
              "is pinned to, else today)")


def add_workspace(parser: argparse.ArgumentParser, help: str = "workspace file (.jbp)") -> None:
    """The positional ``workspace`` argument (``args.workspace``, a Path)."""
    parser.add_argument("workspace", type=Path, metavar="WORKSPACE", help=help)


def iso_date(text: str) -> dt.date:
    """An argparse type: a date written YYYY-MM-DD, with a message that says so."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
            raise ValueError(text)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def add_as_of(parser: argparse.ArgumentParser) -> None:
    """``--as-of DATE`` (``args.as_of``: a date or None); see the module doc."""
    parser.add_argument("--as-of", type=iso_date, metavar="DATE", help=AS_OF_HELP)


def as_of(ws: Workspace, args: argparse.Namespace, actuals=None) -> AsOf:
    """The "as of" of this command on ``ws`` (:func:`jbp.asof.resolve_as_of`). It is not
    capped at the end of the data: each source is read only to its own end
    (:mod:`jbp.coverage`). ``actuals`` is accepted for callers that have them loaded."""
    from jbp.asof import resolve_as_of

    return resolve_as_of(ws, getattr(args, "as_of", None))


def open_workspace(path: Path) -> Workspace:
    """:meth:`Workspace.open`, with SQLite's own errors (a locked or unreadable file) turned
    into a :class:`WorkspaceError` naming the file."""
    from jbp.errors import WorkspaceError
    from jbp.store import Workspace

    try:
        return Workspace.open(path)
    except sqlite3.Error as exc:
        raise WorkspaceError(path, f"cannot be opened ({exc})") from None
