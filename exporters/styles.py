"""The look of every exported workbook: fonts, fills, number formats, column widths.

Styles are registered once per workbook as named styles, so a cell gets its whole look with
one cheap assignment (``cell.style = "jbp money"``) instead of four attribute writes; that is
what keeps a 1,000-partner export close to the cost of writing bare values.
"""

from __future__ import annotations

import math

from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

NAVY = "1F3864"
GREY_TEXT = "595959"
HEADER_FILL = "1F3864"
INPUT_FILL = "FFF9E5"  # pale yellow with blue text: the finance convention for inputs
INPUT_TEXT = "1F4E9F"
CHANGED_FILL = "FCE4D6"  # a scenario value that differs from the baseline
CALC_FILL = "F2F2F2"
SECTION_FILL = "DDE5F0"
TOTAL_FILL = "E7E6E6"
RAG_COLOURS = {"Green": ("C6EFCE", "006100"), "Amber": ("FFEB9C", "9C5700"),
               "Red": ("FFC7CE", "9C0006")}

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "AUD": "A$", "CAD": "C$",
                    "INR": "₹", "CHF": "CHF ", "SEK": "kr ", "NOK": "kr ", "DKK": "kr "}

PERCENT = "0.0%"
COUNT = "#,##0"
DECIMAL = "#,##0.0"
#: A model parameter: at least one decimal, up to four (0.0036, 1.088, 63.5).
PRECISE = "#,##0.0###"
DAYS = '#,##0.0 "d"'
DATE = "yyyy-mm-dd"
RATIO = '0.00"x"'


def currency_format(code: str) -> str:
    """An Excel number format for whole amounts of ``code`` (e.g. ``"$"#,##0``)."""
    symbol = CURRENCY_SYMBOLS.get((code or "").upper())
    if symbol is None:
        return f'#,##0 "{code}";-#,##0 "{code}"'
    return f'"{symbol}"#,##0;-"{symbol}"#,##0'


_thin = Side(style="thin", color="BFBFBF")
_BORDER = Border(bottom=_thin)


def register_styles(wb, currency: str, *, compare: bool = False) -> None:
    """Add the named styles used by the exporters to ``wb``.

    Names: ``jbp title``, ``jbp subtitle``, ``jbp header``, ``jbp section``, ``jbp label``,
    ``jbp text``, ``jbp wrap``, ``jbp money``, ``jbp count``, ``jbp decimal``, ``jbp percent``,
    ``jbp days``, ``jbp date``, ``jbp ratio``, and each of the number styles again as
    ``jbp calc …`` (grey, for computed cells) and ``jbp total …`` (bold, for totals).
    """
    money = currency_format(currency)
    base_font = Font(name="Calibri", size=10)
    styles = [
        NamedStyle("jbp title", font=Font(name="Calibri", size=16, bold=True, color=NAVY)),
        NamedStyle("jbp subtitle", font=Font(name="Calibri", size=10, italic=True,
                                             color=GREY_TEXT)),
        NamedStyle("jbp header", font=Font(name="Calibri", size=10, bold=True, color="FFFFFF"),
                   fill=PatternFill("solid", fgColor=HEADER_FILL),
                   alignment=Alignment(wrap_text=True, vertical="center")),
        NamedStyle("jbp section", font=Font(name="Calibri", size=10, bold=True, color=NAVY),
                   fill=PatternFill("solid", fgColor=SECTION_FILL)),
        NamedStyle("jbp label", font=Font(name="Calibri", size=10, bold=True, color=GREY_TEXT)),
        NamedStyle("jbp text", font=base_font, border=_BORDER),
        NamedStyle("jbp wrap", font=base_font, border=_BORDER,
                   alignment=Alignment(wrap_text=True, vertical="top")),
        NamedStyle("jbp hidden", font=Font(name="Calibri", size=8, color="A6A6A6")),
    ]
    numbers = {"money": money, "count": COUNT, "decimal": DECIMAL, "percent": PERCENT,
               "days": DAYS, "date": DATE, "ratio": RATIO, "precise": PRECISE}
    for name, fmt in numbers.items():
        styles.append(NamedStyle(f"jbp {name}", font=base_font, number_format=fmt,
                                 border=_BORDER))
        styles.append(NamedStyle(f"jbp calc {name}", number_format=fmt, border=_BORDER,
                                 font=Font(name="Calibri", size=10, color="262626"),
                                 fill=PatternFill("solid", fgColor=CALC_FILL)))
        styles.append(NamedStyle(f"jbp total {name}", number_format=fmt,
                                 font=Font(name="Calibri", size=10, bold=True),
                                 fill=PatternFill("solid", fgColor=TOTAL_FILL),
                                 border=Border(top=Side(style="thin", color="7F7F7F"))))
    styles.append(NamedStyle("jbp calc text", font=Font(name="Calibri", size=10, color="262626"),
                             fill=PatternFill("solid", fgColor=CALC_FILL), border=_BORDER))
    styles.append(NamedStyle("jbp total text", font=Font(name="Calibri", size=10, bold=True),
                             fill=PatternFill("solid", fgColor=TOTAL_FILL),
                             border=Border(top=Side(style="thin", color="7F7F7F"))))
    # Cells the partner may edit: blue text on pale yellow (the finance convention).
    inputs = {k: numbers[k] for k in ("money", "count", "decimal", "percent", "date")}
    inputs.update(text="General", wrap="General")
    for name, fmt in inputs.items():
        styles.append(NamedStyle(
            f"jbp input {name}", number_format=fmt, border=_BORDER,
            font=Font(name="Calibri", size=10, color=INPUT_TEXT),
            fill=PatternFill("solid", fgColor=INPUT_FILL),
            alignment=Alignment(wrap_text=True, vertical="top") if name == "wrap" else None))
    # Values that differ from the baseline (the scenario workbook, ``compare=True``).
    changed = (("text", "General"), ("money", money), ("percent", PERCENT),
               ("decimal", DECIMAL), ("count", COUNT), ("precise", PRECISE))
    for name, fmt in changed if compare else ():
        styles.append(NamedStyle(f"jbp changed {name}", number_format=fmt, border=_BORDER,
                                 font=Font(name="Calibri", size=10, bold=True, color="843C0C"),
                                 fill=PatternFill("solid", fgColor=CHANGED_FILL)))
    for style in styles:
        wb.add_named_style(style)


def number_style(kind: str) -> str:
    """The named-style suffix for a value kind: money, count, decimal, percent, days, date."""
    return {"currency": "money", "money": "money", "count": "count", "int": "count",
            "percent": "percent", "fraction": "percent", "days": "days", "date": "date",
            "float": "decimal"}.get(kind, "text")


def set_widths(ws, widths: dict[int, float]) -> None:
    """Column widths in characters, by 1-based column number."""
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def hide_columns(ws, first: int, last: int) -> None:
    for col in range(first, last + 1):
        ws.column_dimensions[get_column_letter(col)].hidden = True


def rag_rules(ws, cell_range: str, first_cell: str) -> None:
    """Colour the RAG text cells in ``cell_range`` green, amber or red by their value.

    ``first_cell`` is the top-left cell of the range written relative (e.g. ``$R5``)."""
    for name, (fill, font) in RAG_COLOURS.items():
        ws.conditional_formatting.add(cell_range, FormulaRule(
            formula=[f'{first_cell}="{name}"'], fill=PatternFill("solid", bgColor=fill),
            font=Font(color=font, bold=True), stopIfTrue=True))


def attainment_rules(ws, cell_range: str, first_cell: str, green: str, amber: str) -> None:
    """Colour attainment fractions against the RAG thresholds (cells or names)."""
    rules = [("Green", f'AND(ISNUMBER({first_cell}),{first_cell}>={green})'),
             ("Amber", f'AND(ISNUMBER({first_cell}),{first_cell}>={amber})'),
             ("Red", f'ISNUMBER({first_cell})')]
    for name, formula in rules:
        fill, font = RAG_COLOURS[name]
        ws.conditional_formatting.add(cell_range, FormulaRule(
            formula=[formula], fill=PatternFill("solid", bgColor=fill),
            font=Font(color=font), stopIfTrue=True))


#: Printable width (inches, after margins) of each paper choice, narrowest first.
_PAPERS = (("portrait", 9, 8.27 - 0.8), ("landscape", 9, 11.69 - 0.8),
           ("landscape", 8, 16.54 - 0.8))  # 9 = A4, 8 = A3
#: Body text is 10 pt; printed at 82% or more it stays above 8 pt.
MIN_SCALE = 0.82


def printed_width(sheet, last_col: int | None = None) -> float:
    """Width in inches of the visible columns 1..``last_col`` (default: the last used) at
    100% (a column of width w characters is 7w + 5 pixels at 96 dpi)."""
    from .stored_values import extent

    last_col = last_col or extent(sheet)[1]
    px = 0.0
    for col in range(1, last_col + 1):
        dim = sheet.column_dimensions.get(get_column_letter(col))
        if dim is not None and dim.hidden:
            continue
        width = dim.width if dim is not None and dim.width else 8.43
        px += 7 * width + 5
    return px / 96


#: Points per line of a 10 pt bold header, and the padding of its cell.
HEADER_LINE, HEADER_PAD = 12.75, 4.0
#: Rows searched for table headers (they sit near the top; a tall sheet is not walked).
HEADER_SEARCH_ROWS = 400


def header_lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in a header cell ``width`` characters wide (words kept
    whole, as Excel and LibreOffice wrap them; a word wider than the cell is broken)."""
    per_line = max(1, math.floor(width - 0.5))
    lines, used = 1, 0
    for word in str(text).split():
        if used and used + 1 + len(word) <= per_line:
            used += 1 + len(word)
            continue
        if used:
            lines += 1
        used = len(word)
        while used > per_line:
            lines += 1
            used -= per_line
    return lines


def fit_header_rows(wb) -> None:
    """Make every row of table headers (``jbp header`` cells) tall enough for its longest
    wrapped label, so "Partner investment T12M" in a narrow column is not cut to two of its
    three lines on screen and on paper. Rows are only ever made taller."""
    for sheet in wb.worksheets:
        if sheet.sheet_state != "visible":
            continue
        widths: dict[int, float] = {}
        lines_of: dict[int, int] = {}
        # The cells written so far only: iter_rows would create the cells of rows that
        # stored_values.put_row writes at save time.
        for (r, col), cell in list(sheet._cells.items()):
            if r > HEADER_SEARCH_ROWS or not isinstance(cell.value, str) \
                    or cell.style != "jbp header":
                continue
            if col not in widths:
                dim = sheet.column_dimensions.get(get_column_letter(col))
                widths[col] = dim.width if dim is not None and dim.width else 8.43
            lines_of[r] = max(lines_of.get(r, 0), header_lines(cell.value, widths[col]))
        for r, lines in lines_of.items():
            if lines < 2:
                continue  # one line fits the default height
            need = HEADER_LINE * lines + HEADER_PAD
            have = sheet.row_dimensions[r].height if r in sheet.row_dimensions else None
            if have is None or have < need:
                sheet.row_dimensions[r].height = need


def chart_extent(sheet, chart) -> tuple[int, int]:
    """(last row, last column) a chart anchored at a cell of ``sheet`` covers (rows of the
    default 15 pt = 0.529 cm; columns by their widths, 7w + 5 pixels at 96 dpi)."""
    import math

    from openpyxl.utils.cell import coordinate_to_tuple

    anchor = chart.anchor if isinstance(chart.anchor, str) else "A1"
    row, col = coordinate_to_tuple(anchor.upper())
    covered = 0.0
    while covered < chart.width - 0.05:
        dim = sheet.column_dimensions.get(get_column_letter(col))
        width = dim.width if dim is not None and dim.width else 8.43
        covered += (7 * width + 5) / 96 * 2.54
        col += 1
    return row + math.ceil(chart.height / 0.529), col - 1


def page_setup(sheet, header: str, *, title_rows: str | None = None,
               last_col: int | None = None, footer: str = "") -> None:
    """Print setup of one sheet: the narrowest paper (A4 portrait, A4 landscape, A3
    landscape) on which columns 1..``last_col`` fit one page wide at 82% or more (so 10 pt
    body text prints at 8 pt or more), as many pages tall as needed; ``title_rows`` (e.g.
    ``"4:4"``) repeated on every page; margins; ``header`` (program, partner, plan, as of)
    at the top and "Page x of y" at the bottom."""
    width = printed_width(sheet, last_col)
    orientation, paper = _PAPERS[-1][:2]
    for option in _PAPERS:
        if width * MIN_SCALE <= option[2]:
            orientation, paper = option[:2]
            break
    sheet.page_setup.orientation = orientation
    sheet.page_setup.paperSize = paper
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.25
    sheet.print_options.horizontalCentered = False
    if title_rows:
        sheet.print_title_rows = title_rows
    # A print area always: without one, text running past the last column (a subtitle, a
    # long value) widens the printed range and shrinks everything on the page.
    from .stored_values import extent

    used_rows, used_cols = extent(sheet)
    last, last_row = last_col or used_cols, max(1, used_rows)
    for chart in sheet._charts:  # the print area must hold the charts drawn below the cells
        row, col = chart_extent(sheet, chart)
        last, last_row = max(last, col), max(last_row, row)
    sheet.print_area = f"A1:{get_column_letter(last)}{last_row}"
    for part, text in ((sheet.oddHeader.left, header),
                       (sheet.oddFooter.left, footer or sheet.title),
                       (sheet.oddFooter.right, "Page &P of &N")):
        part.text = text.replace("&", "&&") if "&P" not in text else text
        part.size = 9
        part.font = "Calibri"


def chart_title(text: str, size: int = 1000) -> Title:
    """A chart title in a modest bold font (``size`` in hundredths of a point)."""
    props = CharacterProperties(sz=size, b=True, solidFill="1F3864")
    para = Paragraph(pPr=ParagraphProperties(defRPr=props),
                     r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def style_arrays(ws, names: list[str]) -> list:
    """The internal style of each named style in ``names``, to copy into many new cells
    (``Cell(ws, value=v, style_array=StyleArray(a))``) without a lookup per cell."""
    from openpyxl.cell import Cell

    out = []
    cache: dict[str, object] = {}
    for name in names:
        if name not in cache:
            probe = Cell(ws)
            probe.style = name
            cache[name] = probe._style
        out.append(cache[name])
    return out


class FastStyles:
    """``fs(cell, "jbp money")`` sets a named style like ``cell.style = ...`` does, but looks
    the style up once per workbook and copies its internal form into later cells.

    :meth:`array` gives that internal form, for new cells made with it and written whole
    rows at a time with ``ws.append`` (the cheapest way to fill a sheet with openpyxl):
    ``Cell(ws, value=v, style_array=fs.array(ws, "jbp money"))``."""

    def __init__(self) -> None:
        self.cache: dict[str, object] = {}
        self.arrays: dict[tuple, object] = {}

    def array(self, ws, name: str, alignment=None):
        """The internal style of named style ``name`` (with ``alignment`` on top, if given)
        in ``ws``'s workbook, computed once."""
        key = (name, alignment)
        array = self.arrays.get(key)
        if array is None:
            from openpyxl.cell import Cell

            probe = Cell(ws)
            probe.style = name
            if alignment is not None:
                probe.alignment = alignment
            array = self.arrays[key] = probe._style
        return array


    def __call__(self, cell, name: str):
        from openpyxl.styles.cell_style import StyleArray

        array = self.cache.get(name)
        if array is None:
            cell.style = name
            self.cache[name] = StyleArray(cell._style)
        else:
            cell._style = StyleArray(array)
        return cell
