"""Write a file whole or not at all.

A workbook is first written to a temporary file in the destination's folder, flushed to disk
(``fsync``) and only then moved over the destination with :func:`os.replace`, which is atomic
on one file system. A crash, a full disk or a cancelled export therefore never leaves half a
file under the user's name; the temporary file is removed on any failure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# One writer of whole files for the whole program (jbp.atomic); the names stay importable here.
from jbp.atomic import atomic_write


def save_workbook(workbook, path: str | Path) -> Path:
    """Save an openpyxl workbook to ``path`` atomically (see :func:`atomic_write`).

    Written as ``workbook.save`` writes it, except that formulas carry the values the app
    computed and user text stays text (:mod:`exporters.stored_values`), and that a chart carrying its finished XML
    (a ``prewritten_xml`` attribute, bytes) is stored as those bytes rather than rebuilt
    and serialised again: a plan's hundred KPI charts are written from one template per
    unit that way (see :mod:`exporters.plan_workbook`)."""
    return atomic_write(path, lambda fh: _save(workbook, fh))


def _save(workbook, fh: BinaryIO) -> None:
    # openpyxl.writer.excel.save_workbook, with the writer below.
    import datetime
    from zipfile import ZIP_DEFLATED, ZipFile

    if workbook.read_only:
        raise TypeError("a read-only workbook cannot be saved")
    if workbook.write_only and not workbook.worksheets:
        workbook.create_sheet()
    archive = ZipFile(fh, "w", ZIP_DEFLATED, allowZip64=True)
    workbook.properties.modified = datetime.datetime.now(
        tz=datetime.UTC).replace(tzinfo=None)
    try:
        _writer_class()(workbook, archive).save()
    except BaseException:
        # The half-written archive is thrown away with its temporary file; without this its
        # __del__ would try to finish it on the closed file and print "seek of closed file".
        archive.fp = None
        raise


_WRITER: type | None = None


def _writer_class() -> type:
    """openpyxl's ExcelWriter, writing prewritten charts as their bytes (built on first use:
    openpyxl is imported only when a workbook is saved)."""
    global _WRITER
    if _WRITER is None:
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
        from openpyxl.packaging.relationship import get_rels_path
        from openpyxl.utils.exceptions import InvalidFileException
        from openpyxl.writer.excel import ExcelWriter
        from openpyxl.xml.functions import tostring

        from .stored_values import sheet_writer_class

        sheet_writer = sheet_writer_class()

        class Writer(ExcelWriter):
            def write_worksheet(self, ws) -> None:
                # As ExcelWriter.write_worksheet, with formulas stored with their values.
                ws._drawing = SpreadsheetDrawing()
                ws._drawing.charts = ws._charts
                ws._drawing.images = ws._images
                # Streamed straight into the archive, not through a temporary file per sheet
                # that is then copied in and removed (openpyxl's way, a tenth of a small
                # workbook's save).
                with self._archive.open(ws.path[1:], "w") as out:
                    writer = sheet_writer(ws, out=out)
                    try:
                        writer.write()
                    finally:
                        writer.close()  # while the entry is open (no-op when written)
                ws._rels = writer._rels
                self.manifest.append(ws)

            def _write_drawing(self, drawing) -> None:
                charts = drawing.charts
                if drawing.images or not charts or not all(
                        getattr(c, "prewritten_xml", None) is not None
                        and isinstance(c.anchor, str) for c in charts):
                    super()._write_drawing(drawing)
                    return
                # As ExcelWriter._write_drawing, with the XML from templates (below).
                self._drawings.append(drawing)
                drawing._id = len(self._drawings)
                for chart in charts:
                    self._charts.append(chart)
                    chart._id = len(self._charts)
                xml, rels = _drawing_xml(charts)
                self._archive.writestr(drawing.path[1:], xml)
                self._archive.writestr(get_rels_path(drawing.path)[1:], rels)
                self.manifest.append(drawing)

            def _write_charts(self) -> None:
                if len(self._charts) != len(set(self._charts)):
                    raise InvalidFileException("The same chart cannot be used in more than "
                                               "one worksheet")
                for chart in self._charts:
                    xml = getattr(chart, "prewritten_xml", None)
                    self._archive.writestr(chart.path[1:],
                                           xml if xml is not None else tostring(chart._write()))
                    self.manifest.append(chart)

        _WRITER = Writer
    return _WRITER


_DRAWING_TEMPLATES: tuple[str, str, str, str, str, str] | None = None


def _drawing_xml(charts: list) -> tuple[str, str]:
    """The drawing part and its relationships for ``charts`` (each anchored at one cell):
    what openpyxl writes for them, from templates taken from openpyxl's own output for one
    chart. Serialising a hundred anchors object by object cost a tenth of a plan export."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.utils.units import cm_to_EMU

    head, anchor, tail, rels_head, rel, rels_tail = _drawing_templates()
    anchors, relations = [], []
    for idx, chart in enumerate(charts, start=1):
        row, col = coordinate_to_tuple(chart.anchor.upper())
        anchors.append(anchor.format(col=col - 1, row=row - 1, cx=cm_to_EMU(chart.width),
                                     cy=cm_to_EMU(chart.height), idx=idx))
        relations.append(rel.format(target=chart.path, idx=idx))
    return head + "".join(anchors) + tail, rels_head + "".join(relations) + rels_tail


def _drawing_templates() -> tuple[str, str, str, str, str, str]:
    """(head, anchor, tail) of a drawing and (head, relationship, tail) of its relationships,
    with ``{col}``, ``{row}``, ``{cx}``, ``{cy}``, ``{idx}`` and ``{target}`` to fill in."""
    global _DRAWING_TEMPLATES
    if _DRAWING_TEMPLATES is None:
        from openpyxl.chart import LineChart
        from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
        from openpyxl.utils import get_column_letter
        from openpyxl.utils.units import cm_to_EMU
        from openpyxl.xml.functions import tostring

        # Values that occur once each in the output, to be replaced by placeholders
        # (col and row are 0-based there).
        col, row, width, height, chart_id = 730, 9870, 3.3, 7.7, 4321
        probe = LineChart()
        probe.anchor = f"{get_column_letter(col + 1)}{row + 1}"
        probe.width, probe.height, probe._id = width, height, chart_id
        drawing = SpreadsheetDrawing()
        drawing.charts = [probe]
        xml = _placeholders(tostring(drawing._write()).decode("utf-8"), {
            f"<col>{col}</col>": "<col>{col}</col>",
            f"<row>{row}</row>": "<row>{row}</row>",
            f'cx="{cm_to_EMU(width)}"': 'cx="{cx}"', f'cy="{cm_to_EMU(height)}"': 'cy="{cy}"',
            'id="1" name="Chart 1"': 'id="{idx}" name="Chart {idx}"',
            'r:id="rId1"': 'r:id="rId{idx}"'})
        rels = _placeholders(tostring(drawing._write_rels()).decode("utf-8"), {
            f'Target="{probe.path}"': 'Target="{target}"', 'Id="rId1"': 'Id="rId{idx}"'})
        start, end = xml.index("<oneCellAnchor>"), xml.index("</oneCellAnchor>") + 16
        rel_start = rels.index("<Relationship ")
        rel_end = rels.index(">", rels.index('Id="rId{idx}"')) + 1
        _DRAWING_TEMPLATES = (xml[:start], xml[start:end], xml[end:], rels[:rel_start],
                              rels[rel_start:rel_end], rels[rel_end:])
    return _DRAWING_TEMPLATES


def _placeholders(text: str, replacements: dict[str, str]) -> str:
    """``text`` made a str.format template: braces doubled, then each key (which must occur
    exactly once) replaced by its placeholder."""
    text = text.replace("{", "{{").replace("}", "}}")
    for old, new in replacements.items():
        if text.count(old) != 1:
            raise RuntimeError(f"unexpected openpyxl drawing XML: {old!r} not found once")
        text = text.replace(old, new)
    return text


def build_and_save(build: Callable, data, path: str | Path, state=None, **options) -> Path:
    """``build(data, state, **options)`` a workbook, then save it atomically, reporting
    progress (building is 0-90%, saving the rest) through a :class:`jbp.progress.Progress`;
    :class:`jbp.progress.Cancelled` leaves nothing under ``path``."""
    from jbp.progress import Progress

    state = state or Progress()
    workbook = build(data, state, **options)
    from .styles import fit_header_rows

    fit_header_rows(workbook)
    state.step(0.9, "Saving")
    out = save_workbook(workbook, path)
    state.step(1.0, "Done")
    return out
