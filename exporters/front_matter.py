"""What every workbook states about itself: the version banner of its cover, the Sources
sheet (each import behind the figures), the legend of input and calculated cells, and the
page setup with its header and footer.

The "as of" is the one of :func:`jbp.asof.resolve_as_of`, stated with its reason, exactly as
the app and the CLI state it.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field
from typing import Any

from jbp.asof import AsOf, resolve_as_of

from . import styles
from .stored_values import put_formula

SOURCES = "Sources"


@dataclass(frozen=True)
class Provenance:
    """Who exported what, when, from which workspace and data, and as of which day."""

    program: str
    currency: str
    workspace: str
    as_of: AsOf
    exported_at: str
    exported_by: str
    app_version: str
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def as_of_text(self) -> str:
        """e.g. ``2026-11-15 (pinned by the workspace)``."""
        return f"{self.as_of.date.isoformat()} ({self.as_of.reason})"


def provenance(ws, as_of: dt.date | None = None) -> Provenance:
    """The provenance of a workbook of ``ws`` exported now; ``as_of`` is the date the user
    set, if any (see :func:`jbp.asof.resolve_as_of`)."""
    import jbp

    program = ws.program()
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no user name in this environment
        user = "unknown"
    return Provenance(
        program=program.name, currency=program.currency, workspace=str(ws.path),
        as_of=resolve_as_of(ws, as_of),
        exported_at=dt.datetime.now().replace(microsecond=0).isoformat(sep=" "),
        exported_by=user, app_version=f"JBP Studio {jbp.__version__}",
        sources=ws.import_sources())


def banner(sheet, row: int, prov: Provenance, *, label_col: int = 1) -> int:
    """Write the version banner (as of and why, exported at, by whom, workspace, app
    version) from ``row``; return the row after it."""
    lines = [("As of", prov.as_of_text), ("Exported at", prov.exported_at),
             ("Exported by", prov.exported_by), ("Workspace", prov.workspace),
             ("Exported with", prov.app_version),
             ("Sources", f"{len(prov.sources)} imports of actuals: see the "
                         f"'{SOURCES}' sheet" if prov.sources else
                         "no imports of actuals (figures from the workspace as entered)")]
    sheet.cell(row, label_col, "Version").style = "jbp section"
    sheet.cell(row, label_col + 1).style = "jbp section"
    row += 1
    for label, value in lines:
        sheet.cell(row, label_col, label).style = "jbp label"
        sheet.cell(row, label_col + 1, value).style = "jbp calc text"
        row += 1
    return row


def legend(sheet, row: int, col: int = 1) -> int:
    """The legend of cell styles (input, calculated, total); return the row after it."""
    sheet.cell(row, col, "Legend").style = "jbp label"
    sheet.cell(row, col + 1, "Input: you may edit it").style = "jbp input text"
    row += 1
    put_formula(sheet, row, col + 1, '="Calculated: a formula"', "Calculated: a formula",
                "jbp calc text")
    row += 1
    sheet.cell(row, col + 1, "Total").style = "jbp total text"
    return row + 1


def sources_sheet(wb, prov: Provenance) -> None:
    """The Sources sheet: each import behind the figures (kind, file, imported at, rows,
    coverage from–to, currency)."""
    sheet = wb.create_sheet(SOURCES)
    sheet["A1"] = "Sources"
    sheet["A1"].style = "jbp title"
    sheet["A2"] = ("Each import of actuals behind the figures, oldest first. Coverage: the "
                   "first and last data date of the rows it brought.")
    sheet["A2"].style = "jbp subtitle"
    sheet.sheet_view.showGridLines = False
    heads = ("Kind", "File", "Imported at", "Rows", "Rejected", "Coverage from",
             "Coverage to", "Currency")
    for c, text in enumerate(heads, start=1):
        sheet.cell(4, c, text).style = "jbp header"
    sheet.row_dimensions[4].height = 30
    row = 5
    for s in prov.sources:
        money = s["kind"] in ("deals", "registrations", "mdf", "program_costs")
        values = (s["kind"], s["file"], s["imported_at"], s["rows"], s["rejected"],
                  _date(s["first"]), _date(s["last"]), prov.currency if money else "")
        for c, value in enumerate(values, start=1):
            style = "jbp count" if c in (4, 5) else "jbp date" if c in (6, 7) else "jbp text"
            sheet.cell(row, c, value).style = style
        row += 1
    if not prov.sources:
        sheet.cell(row, 1, "No imports: the workspace's figures were entered or generated "
                   "(the demo).").style = "jbp subtitle"
    styles.set_widths(sheet, {1: 14, 2: 40, 3: 19, 4: 9, 5: 9, 6: 13, 7: 13, 8: 9})
    sheet.freeze_panes = "A5"
    styles.page_setup(sheet, header(prov), title_rows="4:4")


def _date(text: Any) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def header(prov: Provenance, *parts: str) -> str:
    """The page header's text: program, the given parts (partner, plan), as of."""
    return " · ".join([prov.program, *[p for p in parts if p], f"as of {prov.as_of_text}"])
