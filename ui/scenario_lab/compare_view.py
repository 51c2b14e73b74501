"""Side-by-side comparison of the ticked scenarios: a table of totals with each variant's
difference from the reference (the baseline unless another is chosen) and its 95%
confidence interval, and the charts overlaid.

The figures are :func:`simulation.results.compare`'s, unchanged: the table model keeps the
DataFrame (``model.frame``) and each cell's raw value (``UserRole``) so what is shown can be
checked against it. Differences are paired replication by replication when the runs share
their seed, replications and horizon (common random numbers), else Welch intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.numbers import LOWER_IS_BETTER, interval_text, value_text

from .canvas import ChartCanvas
from .models import Cell, FigureTableModel, figure_table_view
from .results_view import metric_label

GOOD, BAD = "good", "bad"  # roles of ui.theme.Theme

#: (object name, metric, cumulative) of the overlay charts.
OVERLAYS = (
    ("compare_sourced", "sourced_revenue", True),
    ("compare_arr", "arr", False),
    ("compare_ropi", "ropi", False),
)


@dataclass
class Entry:
    """A scenario offered to the comparison."""

    scenario_id: int
    name: str
    result: Any  # ScenarioResult or None (not run)
    stale: bool = False


def comparison_rows(results: list, reference: int, metrics, currency: str, *,
                    two_lines: bool = False):
    """Headers, rows, row keys and the :func:`compare` DataFrame of the comparison table:
    Metric | reference | variant | Δ variant [95% CI] | … (``two_lines``: each interval
    under its difference, for a table short of width)."""
    from simulation.results import METRICS, compare

    frame = compare(results, list(metrics), baseline=reference)
    ref = results[reference]
    order = [ref] + [r for i, r in enumerate(results) if i != reference]
    headers = ["Metric"]
    tips = ["Totals over the horizon: flows summed, stocks at the last month"]
    for r in order:
        headers.append(r.name)
        tips.append(f"Mean over {r.replications} replications")
        if r is not ref:
            headers.append(f"Δ {r.name}")
            tips.append(f"{r.name} − {ref.name}, with the 95% confidence interval of the "
                        "difference")
    sep = "\n" if two_lines else " "
    rows, keys = [], []
    for metric in metrics:
        meta = METRICS[metric]
        unit = meta.unit
        row = [Cell(metric_label(meta.label, unit, currency), metric, metric,
                    align_right=False)]
        for r in order:
            rec = frame.loc[(metric, r.name)]
            row.append(Cell(value_text(rec["mean"], unit), float(rec["mean"]),
                            "95% CI of the mean: "
                            + (interval_text(rec["ci_low"], rec["ci_high"], unit) or "n/a")))
            if r is ref:
                continue
            d, lo, hi = (float(rec["delta"]), float(rec["delta_ci_low"]),
                         float(rec["delta_ci_high"]))
            significant = bool(rec["significant"])
            good = (d < 0) if metric in LOWER_IS_BETTER else (d > 0)
            colour = (GOOD if good else BAD) if significant else ""
            rel = rec["delta_fraction"]
            rel_text = f" ({rel * 100:+.1f}% of {ref.name})" if math.isfinite(rel) else ""
            how = ("paired over replications (common random numbers)" if rec["paired"]
                   else "independent runs (Welch)")
            verdict = ("the interval excludes 0" if significant
                       else "the interval includes 0: not distinguishable from no change")
            row.append(Cell(
                (f"{value_text(d, unit, delta=True)}{sep}"
                 f"{interval_text(lo, hi, unit, delta=True)}").strip(), (d, lo, hi),
                f"{r.name} − {ref.name}{rel_text}; {how}; {verdict}",
                bold=significant, colour=colour))
        rows.append(row)
        keys.append(metric)
    return headers, rows, keys, frame, tips


class CompareView(QWidget):
    """See the module docstring. :meth:`set_entries` gives the ticked scenarios in list
    order with the baseline's id."""

    #: The comparison shown changed (number of scenarios compared).
    updated = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        from simulation.results import HEADLINE, METRICS

        self.entries: list[Entry] = []
        self.baseline_id: int | None = None
        self._dirty = False
        self.results: list = []
        self._key: tuple = ()
        #: (results, reference index, currency) of the table shown, to lay it out again.
        self._table_args: tuple | None = None
        #: Each interval under its difference: the table did not fit on one line each.
        self.two_lines = False
        self._one_line_width = 0
        self.reference = QComboBox(self)
        self.reference.setObjectName("compare_reference")
        self.reference.setAccessibleName("Differences measured from")
        self.reference.setToolTip("The scenario the differences are measured from")
        self.reference.currentIndexChanged.connect(lambda _i: self._refresh(force=True))
        self.delta_metric = QComboBox(self)
        self.delta_metric.setObjectName("compare_delta_metric")
        for m in HEADLINE:
            self.delta_metric.addItem(METRICS[m].label, m)
        self.delta_metric.currentIndexChanged.connect(lambda _i: self._draw_deltas())
        self.heading = QLabel(self)
        self.heading.setObjectName("compare_heading")
        self.heading.setWordWrap(True)
        self.model = FigureTableModel(self)
        self.table = figure_table_view(self.model, "compare_table", self)
        self.table.setWordWrap(False)
        self.table.installEventFilter(self)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Not stretched: a stretched last column keeps a width the others no longer leave
        # it when the table is laid out again on two lines.
        self.note = QLabel(
            "Δ = scenario − reference: mean over replications with its 95% confidence "
            "interval. <b>Bold</b> when the interval excludes zero (green good, red bad).",
            self)
        self.note.setWordWrap(True)
        theme.style(self.note, "color:$muted;")
        charts = QWidget(self)
        grid = QGridLayout(charts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.canvases: dict[str, ChartCanvas] = {}
        for i, (name, _m, _c) in enumerate(OVERLAYS):
            self.canvases[name] = ChartCanvas(charts, name=name, min_height=170)
            grid.addWidget(self.canvases[name], i // 2, i % 2)
        self.canvases["compare_deltas"] = ChartCanvas(charts, name="compare_deltas",
                                                      min_height=170)
        grid.addWidget(self.canvases["compare_deltas"], 1, 1)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Differences from", self))
        controls.addWidget(self.reference)
        controls.addSpacing(16)
        controls.addWidget(QLabel("Difference chart", self))
        controls.addWidget(self.delta_metric)
        controls.addStretch(1)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.note)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(charts)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.heading)
        layout.addWidget(splitter, 1)
        self.set_entries([], None)

    # ------------------------------------------------------------------ data

    def set_entries(self, entries: list[Entry], baseline_id: int | None) -> None:
        """The ticked scenarios, in list order. A hidden view updates when shown."""
        self.entries, self.baseline_id = list(entries), baseline_id
        if self.isVisible():
            self._apply_entries()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self._apply_entries()

    def _apply_entries(self) -> None:
        self._dirty = False
        entries, baseline_id = self.entries, self.baseline_id
        runnable = [e for e in entries if e.result is not None]
        chosen = self.reference.currentData()
        self.reference.blockSignals(True)
        self.reference.clear()
        for e in runnable:
            self.reference.addItem(e.name, e.scenario_id)
        ids = [e.scenario_id for e in runnable]
        pick = chosen if chosen in ids else (baseline_id if baseline_id in ids else
                                             (ids[0] if ids else None))
        if pick is not None:
            self.reference.setCurrentIndex(ids.index(pick))
        self.reference.blockSignals(False)
        self._refresh()

    def reference_id(self) -> int | None:
        return self.reference.currentData()

    def set_reference(self, scenario_id: int) -> None:
        i = self.reference.findData(scenario_id)
        if i >= 0:
            self.reference.setCurrentIndex(i)

    def _refresh(self, force: bool = False) -> None:
        from simulation.results import HEADLINE

        runnable = [e for e in self.entries if e.result is not None]
        key = (tuple((e.scenario_id, e.name, id(e.result), e.stale) for e in runnable),
               self.reference_id())
        if key == self._key and not force:
            return
        self._key = key
        missing = [e.name for e in self.entries if e.result is None]
        if len(runnable) < 2:
            self.results = [e.result for e in runnable]
            self._table_args = None
            self.model.set_rows([], [])
            text = ("Tick two or more scenarios in the list and run them to compare them "
                    "side by side.")
            if missing:
                text += f" Not run yet: {', '.join(missing)}."
            self.heading.setText(text)
            for canvas in self.canvases.values():
                canvas.set_plot(None, "Nothing to compare yet")
            self.updated.emit(len(runnable))
            return
        ref_id = self.reference_id()
        ref_index = next((i for i, e in enumerate(runnable) if e.scenario_id == ref_id), 0)
        results = [e.result for e in runnable]
        self.results = results
        currency = results[ref_index].currency
        self._table_args = (results, ref_index, currency)
        self.two_lines = False
        self._fill_table()
        self.table.setMinimumHeight(min(420, 30 + 22 * len(HEADLINE)))
        notes = []
        stale = [e.name for e in runnable if e.stale]
        if stale:
            notes.append(theme.span(f"Stale (parameters changed since the run): "
                                    f"{', '.join(stale)}.", "warning_text"))
        from simulation.results import is_paired

        ref = results[ref_index]
        unpaired = [r.name for r in results if r is not ref and not is_paired(ref, r)]
        if unpaired:
            notes.append(f"Not paired with {ref.name} (different seed, replications or "
                         f"horizon), so their intervals are wider: {', '.join(unpaired)}.")
        if missing:
            notes.append(f"Ticked but not run: {', '.join(missing)}.")
        self.heading.setText(f"Comparing {len(results)} scenarios with <b>{ref.name}</b>. "
                             + " ".join(notes))
        from simulation import charts

        ordered = [ref] + [r for r in results if r is not ref]
        for name, metric, cumulative in OVERLAYS:
            self.canvases[name].set_plot(
                lambda ax, m=metric, c=cumulative, rs=ordered: charts.plot_overlay(
                    ax, rs, m, cumulative=c))
        self._draw_deltas()
        self.updated.emit(len(results))

    # ------------------------------------------------------------------ fitting

    def _fill_table(self) -> None:
        """Fill the table, each difference and its interval on one line when the table is
        wide enough for that, else on two: on a laptop a comparison of three scenarios
        would otherwise cut the last difference off behind a horizontal scroll bar."""
        from simulation.results import HEADLINE

        if self._table_args is None:
            return
        results, ref_index, currency = self._table_args
        headers, rows, keys, frame, tips = comparison_rows(
            results, ref_index, HEADLINE, currency, two_lines=self.two_lines)
        self.model.set_rows(headers, rows, keys, frame, tips)
        self.table.horizontalHeader().resizeSections()  # now, not at the next layout
        rows_header = self.table.verticalHeader()
        if self.two_lines:
            rows_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        else:
            rows_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            rows_header.setDefaultSectionSize(22)
            self._one_line_width = self._columns_width()
            if self._one_line_width > self._room():
                self.two_lines = True
                self._fill_table()

    def _columns_width(self) -> int:
        header = self.table.horizontalHeader()
        return sum(max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                   for c in range(self.model.columnCount()))

    def _room(self) -> int:
        """The width the table's columns have (its viewport, less a vertical scroll bar
        it may need)."""
        scroll = self.table.verticalScrollBar().sizeHint().width()
        return self.table.width() - 2 * self.table.frameWidth() - scroll

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table and event.type() == QEvent.Type.Resize \
                and self._table_args is not None:
            fits = self._one_line_width <= self._room()
            if self.two_lines == fits:  # wider or narrower than the one-line table now
                self.two_lines = not fits
                self._fill_table()
        return super().eventFilter(watched, event)

    def _draw_deltas(self) -> None:
        from simulation import charts

        if len(self.results) < 2:
            return
        ref_id = self.reference_id()
        runnable = [e for e in self.entries if e.result is not None]
        ref = next((e.result for e in runnable if e.scenario_id == ref_id), self.results[0])
        ordered = [ref] + [r for r in self.results if r is not ref]
        metric = self.delta_metric.currentData()
        self.canvases["compare_deltas"].set_plot(
            lambda ax, rs=ordered, m=metric: charts.plot_deltas(ax, rs, m),
            left_labels=[r.name for r in ordered[1:]])
