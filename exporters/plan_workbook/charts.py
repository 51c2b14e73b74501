"""KPI charts: a native line chart per KPI (target against actual by quarter), written from
one template per unit."""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.chart._chart import ChartBase
from openpyxl.worksheet.pagebreak import Break
from openpyxl.xml.functions import fromstring, tostring

from .. import styles
from .base import PlanBuilder
from .layout import (
    CHARTS,
    COVER,
    K_ACTUAL,
    K_TARGET,
    KPIS,
    ref,
)


class ChartSheet(PlanBuilder):
    def charts(self) -> None:
        ws = self.wb.create_sheet(CHARTS)
        self.heading(ws, "KPI charts", "Target vs actual per quarter, in each KPI's unit. "
                     "The charts read the Goals & KPIs sheet, so they follow edits there.")
        kpis = {k.id: k for k in self.doc.kpis}
        for n, (kpi_id, r) in enumerate(sorted(self.kpi_rows.items(), key=lambda kv: kv[1])):
            kpi = kpis[kpi_id]
            chart = _TemplateChart(self._chart_template(kpi.unit), r,
                                   f"{kpi.name} ({ref('kpi', kpi.id)})")
            chart.height, chart.width = 6.0, 11.5
            anchor_col = "A" if n % 2 == 0 else "H"
            ws.add_chart(chart, f"{anchor_col}{4 + 13 * (n // 2)}")
        # Two rows of charts (6 cm = 11.3 rows each, 13 rows apart) per page; each break
        # leaves an empty row above the next charts, so none is cut or touches a break.
        pairs = (len(self.kpi_rows) + 1) // 2
        for k in range(2, pairs, 2):
            ws.row_breaks.append(Break(id=2 + 13 * k))
        self.page_setup(ws, last_col=15)
        if not self.doc.kpis:
            ws["A4"] = "This plan has no KPIs yet."

    def _chart_template(self, unit: str) -> str:
        """The XML of the chart of a KPI in ``unit``, with :data:`_TEMPLATE_ROW` and
        :data:`_TEMPLATE_TITLE` standing for its row and title. It depends on nothing else
        than the unit, the currency's format and where the quarter labels are, so it is kept
        for the next export."""
        key = (unit, self.money, self.quarter_label_row)
        template = _CHART_TEMPLATES.get(key)
        if template is None:
            chart = self.kpi_chart(unit, _TEMPLATE_ROW, _TEMPLATE_TITLE)
            template = _CHART_TEMPLATES[key] = tostring(chart._write()).decode("utf-8")
        return template

    def kpi_chart(self, unit: str, r: int, title: str) -> LineChart:
        """Target and actual of the KPI in row ``r`` of the Goals & KPIs sheet by quarter:
        straight lines with markers, the y axis in the KPI's unit."""
        kpi_ws, cover = self.wb[KPIS], self.wb[COVER]
        fmt = {"currency": self.money, "count": "#,##0", "percent": "0%", "days": "0"}
        chart = LineChart()
        chart.title = styles.chart_title(title)
        chart.style = 2
        chart.height, chart.width = 6.0, 11.5
        for name, col, colour, dash in (("Target", K_TARGET, "7F7F7F", "dash"),
                                        ("Actual", K_ACTUAL, "1F3864", None)):
            values = Reference(kpi_ws, min_col=col, max_col=col + 3, min_row=r, max_row=r)
            series = Series(values, title=name)
            series.smooth = False
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 22000
            if dash:
                series.graphicalProperties.line.dashStyle = dash
            series.marker.symbol = "circle"
            series.marker.size = 5
            series.marker.graphicalProperties.solidFill = colour
            series.marker.graphicalProperties.line.solidFill = colour
            chart.series.append(series)
        chart.set_categories(Reference(cover, min_col=1, min_row=self.quarter_label_row,
                                       max_row=self.quarter_label_row + 3))
        chart.y_axis.number_format = fmt.get(unit, "General")
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        return chart


# A plan can have a hundred KPI charts that differ only in their row and title. The chart is
# built once per unit with openpyxl and its XML reused with the row and title put in, which
# makes the charts ten times cheaper to write than serialising a hundred chart objects.
_TEMPLATE_ROW = 999983
_TEMPLATE_TITLE = "@@jbp-chart-title@@"
_CHART_TEMPLATES: dict[tuple[str, str, int], str] = {}


class _TemplateChart(ChartBase):
    """A KPI chart written from the XML of its unit's template chart (see above), with the
    row and title put in. It carries only what a worksheet's drawing and the workbook writer
    ask of a chart (anchor, size, id and path, all ChartBase's) and its XML, which
    :func:`exporters.atomic.save_workbook` stores as is (``prewritten_xml``)."""

    def __init__(self, template: str, row: int, title: str):
        # No ChartBase.__init__: it builds a plot area and a legend this chart never uses.
        text = template.replace(f"${_TEMPLATE_ROW}", f"${row}")
        self.prewritten_xml = text.replace(_TEMPLATE_TITLE, xml_escape(title)).encode("utf-8")

    def _write(self):
        """The chart's XML element, for openpyxl's own ``Workbook.save``."""
        return fromstring(self.prewritten_xml)
