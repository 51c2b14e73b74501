"""What a cell of an exported workbook holds: a formula *with the value the app computed*, or
text that stays text.

Excel and LibreOffice recalculate on open, but pandas, Power Query, mail and cloud-drive
previews and phones read the value stored beside a formula; a formula stored without one reads
as empty there. So every formula an exporter writes goes through :func:`put_formula` with the
value the app computed (the export tests recalculate each workbook in LibreOffice and compare
every formula cell with it).

The same list is what keeps user text safe: a cell whose text starts with ``=`` becomes a
formula only when an exporter registered it here. A partner, plan or goal named
``=HYPERLINK("http://…"&A1,"Click")`` is written as the text it is, with Excel's "quote prefix"
so that editing the cell keeps it text; so is text starting with ``+``, ``-``, ``@``, a tab or a
carriage return.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

#: First characters that make a spreadsheet program read typed text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def computed(sheet) -> dict[tuple[int, int], Any]:
    """The values registered for the formula cells of ``sheet`` ((row, column) → value)."""
    values = sheet.__dict__.get("_jbp_values")
    if values is None:
        values = sheet.__dict__["_jbp_values"] = {}
    return values


def put_formula(sheet, row: int, col: int, text: str, value: Any, style: str | None = None):
    """Write formula ``text`` (starting with ``=``) to the cell at ``row``, ``col`` of
    ``sheet`` together with ``value``, what it evaluates to (a number, text, a date, a bool,
    or None/"" for an empty result). Returns the cell."""
    if not text.startswith("="):
        raise ValueError(f"not a formula: {text!r}")
    cell = sheet.cell(row, col, text)
    computed(sheet)[(row, col)] = value
    if style is not None:
        cell.style = style
    return cell


def register(sheet, row: int, col: int, value: Any) -> None:
    """Record ``value`` for a formula cell written another way (a row added whole)."""
    computed(sheet)[(row, col)] = value


def clean_number(value: Any) -> Any:
    """``value`` as a cell can hold it: NaN and infinities become None (an empty cell)."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _value_xml(value: Any, epoch) -> tuple[str, str]:
    """(cell type, text of <v>) of a formula's stored value."""
    from openpyxl.utils.datetime import to_excel

    if value is None or value == "":
        return "str", ""
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, int | float):
        value = clean_number(float(value)) if isinstance(value, float) else value
        if value is None:
            return "str", ""
        return "n", repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return "n", repr(float(to_excel(value, epoch)))
    return "str", str(value)


def sheet_writer_class() -> type:
    """openpyxl's WorksheetWriter, writing registered formulas with their values and every
    other text as text (built on first use, so openpyxl is imported only when saving)."""
    global _SHEET_WRITER
    if _SHEET_WRITER is None:
        from openpyxl.cell._writer import write_cell
        from openpyxl.comments.comment_sheet import CommentRecord
        from openpyxl.worksheet._writer import WorksheetWriter
        from openpyxl.xml.functions import Element, SubElement

        class SheetWriter(WorksheetWriter):
            def write_row(self, xf, row, row_idx):
                attrs = {"r": f"{row_idx}"}
                attrs.update(self.ws.row_dimensions.get(row_idx, {}))
                values = self.ws.__dict__.get("_jbp_values") or {}
                epoch = self.ws.parent.epoch
                with xf.element("row", attrs):
                    for cell in row:
                        if cell._comment is not None:
                            self.ws._comments.append(CommentRecord.from_cell(cell))
                        value = cell._value
                        if not isinstance(value, str):  # numbers, dates, empty cells
                            if value is not None or cell.has_style or cell._comment:
                                write_cell(xf, self.ws, cell, cell.has_style)
                            continue
                        if not value.startswith(FORMULA_STARTS):
                            write_cell(xf, self.ws, cell, cell.has_style)
                            continue
                        key = (cell.row, cell.column)
                        if cell.data_type == "f" and key in values:
                            t, v = _value_xml(values[key], epoch)
                            el_attrs = {"r": cell.coordinate}
                            if cell.has_style:
                                el_attrs["s"] = f"{cell.style_id}"
                            if t != "n":
                                el_attrs["t"] = t
                            el = Element("c", el_attrs)
                            SubElement(el, "f").text = value[1:]
                            SubElement(el, "v").text = v
                            xf.write(el)
                            continue
                        # Text that a spreadsheet would read as a formula: written as the
                        # text it is, with the quote prefix that keeps it text when edited.
                        kind = cell.data_type
                        cell.data_type = "s"
                        cell.quotePrefix = True
                        write_cell(xf, self.ws, cell, True)
                        cell.data_type = kind

        _SHEET_WRITER = SheetWriter
    return _SHEET_WRITER


_SHEET_WRITER: type | None = None
