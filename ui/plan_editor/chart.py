"""One KPI's chart (``jbp.charts.draw_kpi``, drawn on the render thread) with its numbers:
attainment to date against the pro-rated target and the run-rate forecast to period end."""

from __future__ import annotations

import html
from functools import partial

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from jbp.chart_style import ChartStyle
from jbp.chart_text import kpi_chart_text
from jbp.kpi import KpiStatus
from jbp.model import Kpi
from ui import theme
from ui.scenario_lab.canvas import ChartCanvas


class _KpiCanvas(ChartCanvas):
    """The render thread's canvas, keeping the KPI chart's own text alternative (the
    figures printed under it) rather than the one read off the drawn axes."""

    #: Room for the title (attainment and forecast, two lines) and the quarter labels.
    MARGINS = (64, 14, 52, 62)

    def show_rendered(self, out) -> None:
        name, described = self.accessibleName(), self.accessibleDescription()
        super().show_rendered(out)
        self.setAccessibleName(name)
        self.setAccessibleDescription(described)


class KpiChart(QWidget):
    """Chart and figures of the KPI given to :meth:`show_kpi` (empty until then). The chart
    is drawn on the render thread (:class:`ui.scenario_lab.canvas.ChartCanvas`): drawing it
    on the GUI thread stalled the window 80-160 ms each time a plan opened or a KPI was
    picked."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = _KpiCanvas(self, name="kpi_chart", min_height=220)
        self.canvas.setAccessibleName("KPI chart")
        self.figures = QLabel(self)
        self.figures.setObjectName("kpi_figures")
        self.figures.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.figures)
        self.kpi: Kpi | None = None
        self._shown: tuple[Kpi | None, KpiStatus | None, list[str]] = (None, None, [])
        self.show_kpi(None, None, [])
        theme.signals().changed.connect(self._theme_changed)

    def _theme_changed(self) -> None:
        self.show_kpi(*self._shown)

    def show_kpi(self, kpi: Kpi | None, status: KpiStatus | None,
                 quarter_labels: list[str]) -> None:
        self.kpi = kpi
        self._shown = (kpi, status, quarter_labels)
        if kpi is None or status is None:
            self.canvas.set_plot(None, "Select a KPI to see its chart")
            self.figures.setText("")
            self.canvas.setAccessibleDescription("No KPI selected.")
            return
        self.canvas.set_plot(partial(_draw, kpi=kpi, status=status,
                                     quarter_labels=list(quarter_labels),
                                     style=theme.current().chart))
        self.figures.setText(kpi_summary(kpi, status))
        # The chart's text alternative: the figures printed under it.
        self.canvas.setAccessibleDescription(
            "Targets and actuals per quarter. " + kpi_chart_text(kpi, status))


def _draw(ax, *, kpi: Kpi, status: KpiStatus, quarter_labels: list[str],
          style: ChartStyle) -> None:
    """The plot the render thread runs (no widget touched)."""
    from jbp.charts import draw_kpi

    draw_kpi(ax, kpi, status, quarter_labels, style=style)


def kpi_summary(kpi: Kpi, status: KpiStatus) -> str:
    """The KPI's standing in one paragraph (rich text): :func:`jbp.chart_text.kpi_chart_text`
    with its key figures in bold."""
    return kpi_chart_text(kpi, status, strong=lambda text: f"<b>{html.escape(text)}</b>")
