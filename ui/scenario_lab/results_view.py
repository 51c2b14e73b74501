"""Results of one scenario: six charts with P10–P90 bands and a table of totals with 95%
confidence intervals. The charts are :mod:`simulation.charts` functions drawn on this view's
canvases."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.numbers import interval_text, value_text

from .canvas import ChartCanvas
from .models import Cell, FigureTableModel, figure_table_view

#: (object name, chart function name in simulation.charts, keyword arguments).
CHARTS = (
    ("chart_revenue", "plot_revenue", {}),
    ("chart_arr", "plot_arr", {}),
    ("chart_ropi", "plot_ropi", {}),
    ("chart_tiers", "plot_partners_by_tier", {}),
    ("chart_onboarding", "plot_onboarding_queue", {}),
    ("chart_first_revenue", "plot_days_to_first_revenue", {}),
)

STALE_STYLE = ("background:$warning_bg;color:$warning_fg;border:1px solid $warning_border;"
               "padding:4px;border-radius:3px;")


def metric_label(label: str, unit: str, currency: str) -> str:
    """A metric's label with its unit: "Partner-sourced revenue (USD)",
    "ROPI (cumulative, %)"."""
    shown = {"currency": currency, "fraction": "%", "days": "days"}.get(unit, "")
    if not shown or shown in label:
        return label
    if label.endswith(")"):
        return f"{label[:-1]}, {shown})"
    return f"{label} ({shown})"


def summary_rows(result, names, frame=None) -> tuple[list[str], list[list[Cell]], list[str],
                                                     Any]:
    """Rows of the totals table: metric, mean, 95% CI of the mean, P10, P90 (``frame``:
    ``result.summary(names)`` when already computed)."""
    frame = result.summary(list(names)) if frame is None else frame
    headers = ["Total over the horizon", "Mean", "95% CI of the mean", "P10", "P90"]
    rows, keys = [], []
    for metric, row in frame.iterrows():
        unit = row["unit"]
        how = {"flow": "sum of the months", "stock": "at the last month",
               "ratio": "ratio of the summed parts"}.get(row["total"], "")
        rows.append([
            Cell(metric_label(row["label"], unit, result.currency), metric,
                 f"{metric}: {how}", align_right=False),
            Cell(value_text(row["mean"], unit), row["mean"], bold=True),
            Cell(interval_text(row["ci_low"], row["ci_high"], unit),
                 (row["ci_low"], row["ci_high"])),
            Cell(value_text(row["p10"], unit), row["p10"]),
            Cell(value_text(row["p90"], unit), row["p90"]),
        ])
        keys.append(str(metric))
    return headers, rows, keys, frame


class ResultsView(QWidget):
    """The selected scenario's results (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result = None
        self._pending: tuple | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("results_heading")
        self.heading.setWordWrap(True)
        self.stale = QLabel(self)
        self.stale.setObjectName("results_stale")
        theme.style(self.stale, STALE_STYLE)
        self.stale.setWordWrap(True)
        self.stale.hide()
        charts = QWidget(self)
        grid = QGridLayout(charts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.canvases: dict[str, ChartCanvas] = {}
        for i, (name, _fn, _kw) in enumerate(CHARTS):
            canvas = ChartCanvas(charts, name=name, min_height=180)
            self.canvases[name] = canvas
            grid.addWidget(canvas, i // 3, i % 3)
        self.table_model = FigureTableModel(self)
        self.table = figure_table_view(self.table_model, "results_table", self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # The metric names are read whole; the figures share what width is left.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(charts)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.table.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.stale)
        layout.addWidget(splitter, 1)
        self.set_result(None, name="")

    def set_result(self, result, *, name: str, stale: bool = False, running: bool = False,
                   summary=None) -> None:
        """Show ``result`` (a :class:`~simulation.results.ScenarioResult`, or None) of the
        scenario called ``name``; ``stale`` says its parameters changed since; ``summary``
        is ``result.summary(HEADLINE)`` when known. A hidden view updates when shown."""
        self._pending = (result, name, stale, running, summary)
        if self.isVisible():
            self._apply()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pending is not None:
            self._apply()

    def _apply(self) -> None:
        from simulation import charts
        from simulation.results import HEADLINE

        result, name, stale, running, summary = self._pending
        self._pending = None
        self.stale.setVisible(result is not None and stale)
        self.stale.setText("The parameters changed since this run: these results describe "
                           "the old parameters. Run the scenario again to update them.")
        if result is self.result and result is not None:
            return
        self.result = result
        if result is None:
            text = (f"<b>{name}</b> has not been run yet: press <i>Run selected</i>."
                    if name else "Select a scenario to see its results.")
            if running:
                text = f"<b>{name}</b> is running…"
            self.heading.setText(text)
            for canvas in self.canvases.values():
                canvas.set_plot(None, "No results yet" if name else "")
            self.table_model.set_rows([], [])
            return
        elapsed = f", computed in {result.elapsed_s:.1f} s" if result.elapsed_s else ""
        self.heading.setText(
            f"<b>{name}</b>: {result.replications} replications × {result.months} months, "
            f"seed {result.seed}{elapsed}. Lines are means; bands run from P10 to P90 "
            f"across replications. Amounts in {result.currency or 'the program currency'}.")
        for name_, fn, kw in CHARTS:
            draw = getattr(charts, fn)
            self.canvases[name_].set_plot(lambda ax, d=draw, k=kw, r=result: d(ax, r, **k))
        headers, rows, keys, frame = summary_rows(result, HEADLINE, summary)
        self.table_model.set_rows(headers, rows, keys, frame)
        # The metric names are read whole. Set once the column exists: set on the empty
        # table, the mode was lost and the column stretched like the others, cutting
        # "Partner-sourced revenue (USD)" to "Partner-sourced revenue ..." on a laptop.
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
