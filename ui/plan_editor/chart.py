"""One KPI's chart (``jbp.charts.draw_kpi`` in a ``FigureCanvasQTAgg``) with its numbers:
attainment to date against the pro-rated target and the run-rate forecast to period end."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from jbp.chart_text import kpi_chart_text
from jbp.kpi import KpiStatus
from jbp.model import Kpi
from ui import theme


class KpiChart(QWidget):
    """Chart and figures of the KPI given to :meth:`show_kpi` (empty until then)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        # FigureCanvasQTAgg draws at the screen's device pixel ratio itself (sharp at 2×).
        self.figure = Figure(figsize=(5, 3.2), dpi=96)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumHeight(220)
        self.canvas.setObjectName("kpi_chart")
        self.canvas.setAccessibleName("KPI chart")
        # Drawn only while shown: the Plans page is built hidden, and its empty chart drawn
        # on the GUI thread as the window first showed stalled the opening 50–200 ms.
        self._draw_on_show = False
        self._draw_idle = self.canvas.draw_idle
        self.canvas.draw_idle = self._draw_when_shown  # matplotlib calls it (resizes too)
        self.canvas.installEventFilter(self)
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

    def _draw_when_shown(self) -> None:
        self._draw_on_show = not self.canvas.isVisible()
        if not self._draw_on_show:
            self._draw_idle()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.canvas and event.type() == QEvent.Type.Show \
                and self._draw_on_show:
            self._draw_on_show = False
            self._draw_idle()
        return super().eventFilter(watched, event)

    def _theme_changed(self) -> None:
        self.show_kpi(*self._shown)

    def show_kpi(self, kpi: Kpi | None, status: KpiStatus | None,
                 quarter_labels: list[str]) -> None:
        from jbp.chart_style import style_figure
        from jbp.charts import draw_kpi

        self.kpi = kpi
        self._shown = (kpi, status, quarter_labels)
        style = theme.current().chart
        self.figure.clear()
        if kpi is None or status is None:
            self.figure.text(0.5, 0.5, "Select a KPI to see its chart", ha="center",
                             va="center", color=style.muted)
            self.figures.setText("")
            self.canvas.setAccessibleDescription("No KPI selected.")
        else:
            ax = self.figure.add_subplot(1, 1, 1)
            draw_kpi(ax, kpi, status, quarter_labels, style=style)
            self.figure.subplots_adjust(left=0.14, right=0.97, top=0.82, bottom=0.24)
            self.figures.setText(kpi_summary(kpi, status))
            # The chart's text alternative: the figures printed under it.
            self.canvas.setAccessibleDescription(
                "Targets and actuals per quarter. " + kpi_chart_text(kpi, status))
        style_figure(self.figure, style)
        self.canvas.draw_idle()


def kpi_summary(kpi: Kpi, status: KpiStatus) -> str:
    """The KPI's standing in one paragraph (rich text): :func:`jbp.chart_text.kpi_chart_text`
    with its key figures in bold."""
    return kpi_chart_text(kpi, status, strong=lambda text: f"<b>{html.escape(text)}</b>")
