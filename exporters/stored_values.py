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


def put_row(sheet, row: int, values: list[Any], styles: list[Any]) -> None:
    """Write a whole row of ``values`` (from column A) with their internal styles
    (``styles``: one ``StyleArray`` per value, from :meth:`exporters.styles.FastStyles.array`,
    or None) without making an openpyxl cell per value: the sheet writer writes the row as
    text, which is what keeps a table of 20,000 partners cheap to build.

    A value is a number, bool, date, text or None; text starting with ``=`` is a formula only
    when its value was registered (:func:`register`), any other text is written as text (with
    the quote prefix when a spreadsheet would take it for a formula). The row must hold no
    cell written another way, and is not seen by openpyxl's cell API (``sheet.cell``,
    ``iter_rows``) before the file is read back."""
    rows = sheet.__dict__.setdefault("_jbp_rows", {})
    if row in rows:  # (a clash with cells written otherwise is found when saving)
        raise ValueError(f"row {row} of {sheet.title!r} is already written")
    rows[row] = (values, styles)


def extent(sheet) -> tuple[int, int]:
    """(last row, last column) in use on ``sheet``, the rows of :func:`put_row` included
    (openpyxl's ``max_row`` and ``max_column`` see only its own cells)."""
    rows = sheet.__dict__.get("_jbp_rows") or {}
    last_row = max([sheet.max_row, *rows])
    last_col = max([sheet.max_column, *(len(v) for v, _ in rows.values())])
    return last_row, last_col


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


_NOT_FINITE = frozenset(("nan", "inf", "-inf"))


def _escape(text: str) -> str:
    """``text`` as XML character data (what ElementTree escapes in text)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;").replace("\n", "&#10;")


def sheet_writer_class() -> type:
    """openpyxl's WorksheetWriter, writing registered formulas with their values and every
    other text as text (built on first use, so openpyxl is imported only when saving).

    The rows are written as XML text directly, the way XlsxWriter writes them, rather than
    as one element tree per cell serialised by ``et_xmlfile``: the same XML as openpyxl's
    own cell writer (inline strings, numbers as ``%.16g``, dates as serial numbers, the
    named style's id), about three times faster, which is what keeps a 20,000-partner
    portfolio's save linear and cheap. Cells this writer does not know (rich text, array
    formulas, hyperlinks, errors, text taken for a formula) go through openpyxl's writer."""
    global _SHEET_WRITER
    if _SHEET_WRITER is None:
        from openpyxl.cell._writer import write_cell
        from openpyxl.comments.comment_sheet import CommentRecord
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.datetime import to_excel
        from openpyxl.worksheet._writer import WorksheetWriter
        from openpyxl.xml.functions import Element, SubElement

        letters = [""] + [get_column_letter(c) for c in range(1, 16385)]

        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles.cell_style import StyleArray
        from openpyxl.worksheet.dimensions import SheetDimension

        class SheetWriter(WorksheetWriter):
            def write_dimensions(self):
                ws = self.ws
                rows = ws.__dict__.get("_jbp_rows")
                if not rows:
                    super().write_dimensions()
                    return
                cells = list(ws._cells) + [(r, max(1, len(v))) for r, (v, _) in rows.items()]
                cells.append((min(rows), 1))
                first_row, last_row = min(r for r, _ in cells), max(r for r, _ in cells)
                first_col, last_col = min(c for _, c in cells), max(c for _, c in cells)
                ref = (f"{letters[first_col]}{first_row}:{letters[last_col]}{last_row}")
                self.xf.send(SheetDimension(ref).to_tree())

            def write_rows(self):
                xf = self.xf.send(True)
                raw = getattr(xf, "_file", None)
                whole = self.ws.__dict__.get("_jbp_rows") or {}
                rows = self.rows()
                if whole:
                    clash = {r for r, cells in rows if cells} & whole.keys()
                    if clash:
                        raise ValueError(f"rows {sorted(clash)} of {self.ws.title!r} written "
                                         "twice")
                    rows = sorted([(r, c) for r, c in rows if r not in whole]
                                  + [(r, None) for r in whole])
                with xf.element("sheetData"):
                    for row_idx, row in rows:
                        if row is None:
                            if raw is None:  # pragma: no cover - another et_xmlfile
                                raise RuntimeError("et_xmlfile without a raw writer")
                            self.write_whole_row(raw, row_idx, *whole[row_idx])
                        elif raw is None:  # pragma: no cover - another et_xmlfile
                            self.write_row(xf, row, row_idx)
                        else:
                            self.write_row_text(xf, raw, row, row_idx)
                self.xf.send(None)

            def write_whole_row(self, raw, row_idx, values, arrays):
                """A row of :func:`put_row` as XML text (the hot loop of a big export: the
                styles of a table's columns are looked up once, numbers go first)."""
                ws = self.ws
                dims = ws.row_dimensions.get(row_idx)
                attrs = "".join(f' {k}="{_attr(v)}"' for k, v in dims) if dims else ""
                registered = ws.__dict__.get("_jbp_values") or {}
                epoch = ws.parent.epoch
                styles = ws.parent._cell_styles
                ids = self.__dict__.setdefault("_array_ids", {})
                by_list = self.__dict__.setdefault("_styles_of", {})
                cached = by_list.get(id(arrays))
                if cached is None or cached[0] is not arrays:
                    cached = by_list[id(arrays)] = (
                        arrays, [self.style_attr(a, ids, styles) for a in arrays])
                column_styles = cached[1]
                if len(values) != len(arrays):
                    raise ValueError(f"row {row_idx}: {len(values)} values, {len(arrays)} "
                                     "styles")
                r = str(row_idx)
                out = [f'<row r="{r}"{attrs}>']
                for col, value in enumerate(values, start=1):
                    kind = type(value)
                    if kind is float or kind is int:
                        number = f"{value:.16g}"
                        if number in _NOT_FINITE:
                            number = ""
                        out.append(f'<c r="{letters[col]}{r}"{column_styles[col - 1]} t="n">'
                                   f"<v>{number}</v></c>")
                        continue
                    if value is None:
                        if arrays[col - 1] is not None:
                            out.append(f'<c r="{letters[col]}{r}"{column_styles[col - 1]} '
                                       't="n" />')
                        continue
                    style = column_styles[col - 1]
                    ref = f"{letters[col]}{r}"
                    if kind is str:
                        if value.startswith(FORMULA_STARTS):
                            if value[0] == "=" and (row_idx, col) in registered:
                                t, v = _value_xml(registered[(row_idx, col)], epoch)
                                t = "" if t == "n" else f' t="{t}"'
                                v = f"<v>{_escape(v)}</v>" if v else "<v />"
                                out.append(f'<c r="{ref}"{style}{t}>'
                                           f'<f>{_escape(value[1:])}</f>{v}</c>')
                                continue
                            # User text a spreadsheet would take for a formula.
                            style = self.style_attr(arrays[col - 1], ids, styles, True)
                        if value == "":
                            out.append(f'<c r="{ref}"{style} t="inlineStr" />')
                            continue
                        if ILLEGAL_CHARACTERS_RE.search(value):
                            value = ILLEGAL_CHARACTERS_RE.sub("", value)
                        space = (' xml:space="preserve"' if value != value.strip()
                                 and value.strip() else "")
                        out.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>'
                                   f'{_escape(value)}</t></is></c>')
                    elif isinstance(value, bool):
                        out.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, dt.date | dt.datetime | dt.time):
                        number = f"{to_excel(value, epoch):.16g}"
                        out.append(f'<c r="{ref}"{style} t="n"><v>{number}</v></c>')
                    else:  # another kind of number (numpy, Decimal)
                        number = f"{value:.16g}"
                        if number in _NOT_FINITE:
                            number = ""
                        out.append(f'<c r="{ref}"{style} t="n"><v>{number}</v></c>')
                out.append("</row>")
                raw("".join(out))

            def style_attr(self, array, ids, styles, quote=False) -> str:
                """`` s="<id>"`` of an internal style (shared by many cells: looked up once)."""
                if array is None and not quote:
                    return ""
                key = (id(array), quote)
                sid = ids.get(key)
                if sid is None:
                    style = StyleArray(array) if array is not None else StyleArray()
                    if quote:
                        style.quotePrefix = 1
                    sid = ids[key] = styles.add(style)
                    # Kept alive so its id is not reused by another array.
                    self.__dict__.setdefault("_arrays", []).append(array)
                return f' s="{sid}"'

            def write_row_text(self, xf, raw, row, row_idx):
                ws = self.ws
                dims = ws.row_dimensions.get(row_idx)
                attrs = "".join(f' {k}="{_attr(v)}"' for k, v in dims) if dims else ""
                values = ws.__dict__.get("_jbp_values") or {}
                epoch = ws.parent.epoch
                styles = ws.parent._cell_styles
                ids = self.__dict__.setdefault("_style_ids", {})
                out = [f'<row r="{row_idx}"{attrs}>']
                for cell in row:
                    if cell._comment is not None:
                        ws._comments.append(CommentRecord.from_cell(cell))
                    value = cell._value
                    kind = cell.data_type
                    if cell.hyperlink is not None or kind not in "nsfdb" or (
                            kind == "s" and (not isinstance(value, str)
                                             or value.startswith(FORMULA_STARTS))) or (
                            kind == "f" and (not isinstance(value, str)
                                             or (cell.row, cell.column) not in values)):
                        raw("".join(out))
                        out.clear()
                        self.write_one(xf, cell, values, epoch)
                        continue
                    if value is None and not cell.has_style and cell._comment is None:
                        continue
                    ref = f"{letters[cell.column]}{row_idx}"
                    style = ""
                    if cell.has_style:
                        array = cell._style
                        sid = ids.get(array)
                        if sid is None:
                            sid = ids[array] = styles.add(array)
                        style = f' s="{sid}"'
                    if value is None or value == "":
                        t = {"s": ' t="inlineStr"', "f": ""}.get(kind, f' t="{kind}"')
                        out.append(f'<c r="{ref}"{style}{t} />')
                        continue
                    if kind == "n":
                        number = f"{value:.16g}"
                        if number in ("nan", "inf", "-inf"):
                            number = ""
                        out.append(f'<c r="{ref}"{style} t="n"><v>{number}</v></c>')
                    elif kind == "s":
                        space = (' xml:space="preserve"' if value != value.strip()
                                 and value.strip() else "")
                        out.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>'
                                   f'{_escape(value)}</t></is></c>')
                    elif kind == "d":
                        if getattr(value, "tzinfo", None) is not None or ws.parent.iso_dates:
                            raw("".join(out))
                            out.clear()
                            self.write_one(xf, cell, values, epoch)
                            continue
                        number = f"{to_excel(value, epoch):.16g}"
                        out.append(f'<c r="{ref}"{style} t="n"><v>{number}</v></c>')
                    elif kind == "b":
                        out.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
                    else:  # "f", a registered formula
                        t, v = _value_xml(values[(cell.row, cell.column)], epoch)
                        t = "" if t == "n" else f' t="{t}"'
                        v = f"<v>{_escape(v)}</v>" if v else "<v />"
                        out.append(f'<c r="{ref}"{style}{t}><f>{_escape(value[1:])}</f>{v}</c>')
                out.append("</row>")
                raw("".join(out))

            def write_row(self, xf, row, row_idx):
                attrs = {"r": f"{row_idx}"}
                attrs.update(self.ws.row_dimensions.get(row_idx, {}))
                values = self.ws.__dict__.get("_jbp_values") or {}
                epoch = self.ws.parent.epoch
                with xf.element("row", attrs):
                    for cell in row:
                        if cell._comment is not None:
                            self.ws._comments.append(CommentRecord.from_cell(cell))
                        self.write_one(xf, cell, values, epoch)

            def write_one(self, xf, cell, values, epoch):
                """One cell through openpyxl's own writer (registered formulas with their
                value, text taken for a formula with the quote prefix)."""
                value = cell._value
                if not isinstance(value, str):  # numbers, dates, empty cells
                    if value is not None or cell.has_style or cell._comment:
                        write_cell(xf, self.ws, cell, cell.has_style)
                    return
                if not value.startswith(FORMULA_STARTS):
                    write_cell(xf, self.ws, cell, cell.has_style)
                    return
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
                    return
                # Text that a spreadsheet would read as a formula: written as the text it
                # is, with the quote prefix that keeps it text when edited.
                from openpyxl.styles.cell_style import StyleArray

                kind = cell.data_type
                cell.data_type = "s"
                # A copy: the cell's style may be a key of the workbook's list of styles.
                if cell._style is not None:
                    cell._style = StyleArray(cell._style)
                cell.quotePrefix = True
                write_cell(xf, self.ws, cell, True)
                cell.data_type = kind

        _SHEET_WRITER = SheetWriter
    return _SHEET_WRITER


_SHEET_WRITER: type | None = None
