"""What the import wizard's pages say of a CSV larger than one chunk, read only to its head
(the checking and importing of such a file: :mod:`jbp.importers.two_pass`)."""

from __future__ import annotations

from typing import Any


def large_note(read: dict[str, Any]) -> str:
    """What the pages say of a file read only in part ("" for a file read whole)."""
    large = read.get("large")
    if not large:
        return ""
    return (f"This file is large (about {large['rows_about']:,} rows): the first "
            f"{large['head_rows']:,} are shown here, and every row is checked in full in the "
            "report step.")
