"""One KPI's chart (``jbp.charts.draw_kpi`` in a ``FigureCanvasQTAgg``) with its numbers:
attainment to date against the pro-rated target and the run-rate forecast to period end."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from jbp.charts import format_attainment, format_kpi_value
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
        else:
            ax = self.figure.add_subplot(1, 1, 1)
            draw_kpi(ax, kpi, status, quarter_labels, style=style)
            self.figure.subplots_adjust(left=0.14, right=0.97, top=0.82, bottom=0.24)
            self.figures.setText(kpi_summary(kpi, status))
        style_figure(self.figure, style)
        self.canvas.draw_idle()


def kpi_summary(kpi: Kpi, status: KpiStatus) -> str:
    """The KPI's standing in one paragraph (rich text)."""
    unit = kpi.unit
    if status.actual_to_date is None:
        return (f"<b>{kpi.name}</b>: no actual reported yet; full-year target "
                f"{format_kpi_value(status.full_target, unit)}.")
    period = ""
    if status.partial is not None:  # the quarter in progress: to date, never finished
        period = f" ({status.partial.label()}, measured to {status.through})"
    elif status.through is not None:
        period = f" (measured to {status.through})"
    return (
        f"<b>{kpi.name}</b> ({kpi.kind}, {kpi.direction} is better){period}: actual to date "
        f"<b>{format_kpi_value(status.actual_to_date, unit)}</b> against a pro-rated target "
        f"of {format_kpi_value(status.target_to_date, unit)} — "
        f"<b>{format_attainment(status.attainment)}</b> ({status.rag or 'not judged'}). "
        f"Run-rate forecast to period end: <b>{format_kpi_value(status.forecast, unit)}</b> "
        f"vs full-year target {format_kpi_value(status.full_target, unit)}"
        f" ({format_attainment(status.forecast_attainment)})."
    )
