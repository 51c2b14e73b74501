"""The Portfolio page, a dashboard: headline tiles with their change against the prior
twelve months, charts (revenue by tier and by partner type per quarter, tiers and the moves
the rules call for, the ROPI waterfall), the at-risk list with its reasons, then the
scorecard table (Partner column frozen, columns chosen and remembered).

The figures are :mod:`jbp.dashboard`'s, computed in the figures process on a connection
of their own, together with everything the page shows of them
(:func:`ui.portfolio_figures.portfolio_data`): the scorecard table's texts and sort keys
(:func:`ui.portfolio_table.build_table`, each column of texts one string), the at-risk
rows, the filters' values. The GUI thread receives a few buffers, resets the table's
model on them and paints; the charts go to the render thread once the table has painted.
A program of 20,000 partners fills the page without a stall of the window. The charts are drawn by :mod:`jbp.charts_portfolio` on the
process's chart render thread (:mod:`ui.scenario_lab.canvas`). Double-clicking a partner
emits :attr:`PortfolioPage.partner_activated`; "Open partner page" shows its
:class:`~ui.partner_page.PartnerPage` with trend charts.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.context import AppContext
from ui.portfolio_figures import (  # noqa: F401 (re-exported: the page's parts)
    AT_RISK_SHOWN,
    AtRiskModel,
    gap_text,
    portfolio_data,
    shared_window,
    summary_html,
)
from ui.portfolio_table import (  # noqa: F401 (re-exported: the page's table parts)
    COLUMNS,
    DEFAULT_COLUMNS,
    ScorecardFilter,
    ScorecardModel,
    build_table,
    display,
)
from ui.widgets.column_chooser import ColumnChooser
from ui.widgets.figures_task import FiguresTask
from ui.widgets.frozen_table import FrozenTableView
from ui.widgets.keyboard import keyboard_view, tab_order
from ui.widgets.tiles import TileRow
from ui.workers import Task

#: Where the chosen scorecard columns are remembered (QSettings key).
COLUMNS_KEY = "portfolio/columns"


class PortfolioPage(FiguresTask, QWidget):
    """The portfolio dashboard; see the module doc."""

    partner_activated = Signal(int)
    #: Emitted after each recomputation (rows shown).
    refreshed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.task: Task | None = None
        self.data: dict[str, Any] = {}
        #: Figures shown whose charts wait for the table's paint (:meth:`_draw_after_paint`).
        self._pending_draw: dict[str, Any] | None = None
        self.summary_data: dict[str, Any] = {}
        self.as_of: dt.date | None = None
        self.partner_pages: list[QDialog] = []
        self.model = ScorecardModel(self)
        self.proxy = ScorecardFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = FrozenTableView(self)
        self.view.setObjectName("scorecard_table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(self.model.column_of("sourced_revenue"),
                               Qt.SortOrder.DescendingOrder)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(self._activated)
        self.chooser = ColumnChooser(self.view, [c for c, _, _ in COLUMNS],
                                     [self.model.title(i) for i in range(len(COLUMNS))],
                                     DEFAULT_COLUMNS, COLUMNS_KEY, locked=["partner"])

        self.search = QLineEdit(self)
        self.search.setObjectName("scorecard_search")
        self.search.setPlaceholderText("Filter by partner or manager…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._search_changed)
        keyboard_view(self.view, "Partner scorecards")
        self.search.setAccessibleName("Filter by partner or manager")
        self.tier_box = self._combo("All tiers", "tier")
        self.region_box = self._combo("All regions", "region")
        self.type_box = self._combo("All types", "ptype")
        self.risk_box = QCheckBox("At risk only", self)
        self.risk_box.setObjectName("scorecard_at_risk_only")
        self.risk_box.toggled.connect(self._risk_toggled)
        self.churned_box = QCheckBox("Show churned", self)
        self.churned_box.toggled.connect(self._churned_toggled)
        self.open_button = QPushButton("Open partner page", self)
        self.open_button.setObjectName("open_partner_page")
        self.open_button.clicked.connect(self.open_selected)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(140)
        self.progress.hide()
        self.summary = QLabel(self)
        self._failure_label = self.summary
        self._failure_text = "Could not compute the scorecards: {message}"
        self.summary.setObjectName("program_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.count = QLabel(self)

        self.tiles = TileRow(6, self)
        self.tiles.setObjectName("headline_tiles")
        self.charts = self._charts()
        self.at_risk_model = AtRiskModel(self)
        self.at_risk = QTableView(self)
        self.at_risk.setObjectName("at_risk_list")
        self.at_risk.setModel(self.at_risk_model)
        self.at_risk.verticalHeader().hide()
        self.at_risk.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.at_risk.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.at_risk.horizontalHeader().setStretchLastSection(True)
        # The reasons wrap onto as many lines as they need (rows grow to fit), never cut
        # with "…" nor scrolled sideways.
        self.at_risk.setWordWrap(True)
        self.at_risk.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.at_risk.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.at_risk.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.at_risk.doubleClicked.connect(self._at_risk_activated)
        keyboard_view(self.at_risk, "Partners at risk")
        tab_order(self, [self.at_risk, self.view])  # Tab: filters, at risk, scorecards
        self.at_risk.setMinimumWidth(260)

        top = QHBoxLayout()
        top.addWidget(QLabel("<span style='font-size:14pt;font-weight:600'>Portfolio</span>"))
        top.addWidget(self.search, 1)
        for w in (self.tier_box, self.region_box, self.type_box, self.risk_box,
                  self.churned_box, self.chooser.button(self), self.open_button,
                  self.progress):
            top.addWidget(w)
        from ui.widgets.coverage_strip import CoverageStrip

        self.as_of_label = QLabel(self)  # the one "as of" and where each source ends
        self.as_of_label.setObjectName("portfolio_as_of")
        self.as_of_label.setWordWrap(True)
        self.coverage_strip = CoverageStrip(self)
        # Charts and table share the height; the charts collapse to the splitter's handle.
        self.upper = QSplitter(Qt.Orientation.Horizontal, self)
        self.upper.addWidget(self.charts)
        self.upper.addWidget(self.at_risk)
        self.upper.setStretchFactor(0, 4)
        self.upper.setStretchFactor(1, 1)
        self.upper.setSizes([1000, 300])  # about a quarter for the reasons
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("portfolio_splitter")
        self.splitter.addWidget(self.upper)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        for s in (self.upper, self.splitter):
            s.setCollapsible(0, True)
            s.setHandleWidth(6)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.as_of_label)
        layout.addWidget(self.coverage_strip)
        layout.addWidget(self.tiles)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.count)
        self.proxy.rowsInserted.connect(self._count)
        self.proxy.rowsRemoved.connect(self._count)
        self.proxy.modelReset.connect(self._count)
        self.proxy.layoutChanged.connect(self._count)

        ctx.workspace_changed.connect(self.reload)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.as_of_changed.connect(self.reload)
        theme.signals().changed.connect(self._theme_changed)
        self.reload()

    def _charts(self) -> QWidget:
        """Four charts side by side, each rendered off the GUI thread."""
        from ui.scenario_lab.canvas import ChartCanvas

        box = QWidget(self)
        box.setObjectName("portfolio_charts")
        box.setAccessibleName("Portfolio charts")
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.chart_canvases: list[ChartCanvas] = []
        # Margins in pixels (left, right, top, bottom): room for "400.0M" ticks on the
        # left, the quarter labels below, the waterfall's slanted labels below it.
        for name, stretch, margins in (("revenue_by_tier", 12, (52, 6, 22, 34)),
                                       ("revenue_by_type", 12, (52, 6, 22, 34)),
                                       ("tier_moves", 9, (62, 24, 22, 34)),
                                       ("ropi_waterfall", 12, (60, 6, 22, 74))):
            canvas = ChartCanvas(box, name=f"portfolio_{name}", min_height=150,
                                 margins=margins)
            canvas.setMinimumWidth(120)
            row.addWidget(canvas, stretch)
            self.chart_canvases.append(canvas)
        return box

    def _combo(self, everything: str, attr: str) -> QComboBox:
        box = QComboBox(self)
        box.setObjectName(f"scorecard_{attr}")
        box.setProperty("filter_attr", attr)
        box.addItem(everything, "")
        box.currentIndexChanged.connect(self._combo_changed)
        return box

    def _combo_changed(self, _index: int) -> None:
        box = self.sender()
        self.proxy.set(**{str(box.property("filter_attr")): box.currentData() or ""})

    def _search_changed(self, text: str) -> None:
        self.proxy.set(text=text.strip())

    def _risk_toggled(self, on: bool) -> None:
        self.proxy.set(at_risk_only=on)

    def _churned_toggled(self, on: bool) -> None:
        self.proxy.set(show_churned=on)

    def _on_data_changed(self, what: str) -> None:
        if what in ("partners", "actuals", "program"):
            self.reload()

    # ------------------------------------------------------------------ data

    def reload(self) -> None:
        ws = self.ctx.workspace
        if ws is None:
            if self.task is not None and self.task.running:
                self.task.cancel()
            return
        task = self.start_figures(portfolio_data, ws.path, self.ctx.as_of,
                                  title="Scorecards", in_process=True)
        # The figures read the coverage with their snapshot: offered to the context (the
        # pages that state it) when they arrive, if the actuals did not change meanwhile.
        task.actuals_state = self.ctx.actuals_state  # type: ignore[attr-defined]

    def _show(self, data: dict[str, Any]) -> None:
        self.data = data
        self.as_of = data["as_of"]
        self.ctx.offer_coverage(data["coverage"], getattr(self.task, "actuals_state", -1))
        self.as_of_label.setText(f"Figures {self.ctx.as_of_info.label()} · "
                                 f"{data['coverage'].summary(self.as_of)}")
        self.coverage_strip.set_coverage(data["coverage"], self.as_of)
        self.summary_data = data["summary"]
        self.model.currency = data["currency"]
        for box, col in ((self.tier_box, "tier"), (self.region_box, "region"),
                         (self.type_box, "type")):
            current = box.currentData()
            box.blockSignals(True)
            while box.count() > 1:
                box.removeItem(1)
            values = list(data["filter_values"][col])
            if col == "tier":
                order = {t: i for i, t in enumerate(data.get("tier_order", []))}
                values.sort(key=lambda v: order.get(v, 0))
            for v in values:
                box.addItem(v, v)
            idx = box.findData(current)
            box.setCurrentIndex(max(idx, 0))
            box.blockSignals(False)
            self.proxy.configure(**{str(box.property("filter_attr")): box.currentData() or ""})
        # One reset: the proxy filters and sorts the new table as the model resets.
        self.model.set_table(data["table"])
        prior = f"in the 12 months to {data['prior_as_of']:%d %b %Y}"
        for widget, tile in zip(self.tiles.tiles, data["tiles"], strict=True):
            widget.show_tile(tile, data["currency"], prior)
        self.summary.setText(summary_html(self.summary_data))
        self._draw_after_paint(data)
        self._fill_at_risk(data["at_risk_rows"])
        self._size_columns(data["table"].widest)
        self._count()
        self.refreshed.emit()

    def _draw_after_paint(self, data: dict[str, Any]) -> None:
        """Hand the charts to the render thread once the table has painted its new rows:
        the render thread holds the interpreter lock for most of a chart (100–300 ms under
        load), and each cell the GUI thread paints meanwhile is a Python call that waits
        for it — the longest stall of the window when a large program opened. A page not
        shown draws at once (its canvases render when shown); if no paint comes, a timer
        draws after half a second."""
        from jbp.chart_text import portfolio_charts_text

        self.charts.setAccessibleDescription(portfolio_charts_text(data))
        viewport = self.view.viewport()
        if not viewport.isVisible():
            self._draw(data)
            return
        self._pending_draw = data
        viewport.installEventFilter(self)
        QTimer.singleShot(500, self, partial(self._draw_pending, data))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and watched is self.view.viewport():
            watched.removeEventFilter(self)
            if self._pending_draw is not None:
                # After this paint and the others of the same update have run.
                QTimer.singleShot(0, self, partial(self._draw_pending, self._pending_draw))
        return super().eventFilter(watched, event)

    def _draw_pending(self, data: dict[str, Any]) -> None:
        if self._pending_draw is data:
            self._pending_draw = None
            if data is self.data:
                self._draw(data)

    def _draw(self, data: dict[str, Any]) -> None:
        """Hand the four charts to the render thread (nothing is drawn here; each canvas
        draws in the theme's style and describes itself for screen readers)."""
        from functools import partial

        from jbp.chart_text import portfolio_charts_text
        from jbp.charts_portfolio import (
            TIER_COLOURS,
            draw_revenue_by,
            draw_ropi_waterfall,
            draw_tier_moves,
        )

        cur = data["currency"]
        plots = (partial(draw_revenue_by, table=data["by_tier"], title="Revenue by tier",
                         currency=cur,
                         colours=theme.current().chart.tiers or TIER_COLOURS),
                 partial(draw_revenue_by, table=data["by_type"],
                         title="Revenue by partner type", currency=cur),
                 partial(draw_tier_moves, moves=data["moves"]),
                 partial(draw_ropi_waterfall, steps=data["ropi_steps"],
                         ropi=data["summary"]["ropi"], currency=cur))
        for canvas, plot in zip(self.chart_canvases, plots, strict=True):
            labels = ([str(v) for v in data["moves"].index]
                      if canvas.objectName() == "portfolio_tier_moves" else None)
            canvas.set_plot(plot, left_labels=labels)
        self.charts.setAccessibleDescription(portfolio_charts_text(data))

    def _theme_changed(self) -> None:
        if self.data:
            self._draw(self.data)
            self.summary.setText(summary_html(self.summary_data))

    def _fill_at_risk(self, at_risk: dict[str, Any]) -> None:
        rows = at_risk["rows"]
        self.at_risk_model.set_rows(rows, at_risk["total"], at_risk["window"])
        names = [r[0] for r in rows[:200]]
        widest = max(names, key=len, default="")
        metrics = self.at_risk.fontMetrics()
        self.at_risk.setColumnWidth(0, min(220, max(90, metrics.horizontalAdvance(widest)
                                                    + 16)))

    def _size_columns(self, widest: list[str]) -> None:
        """Column widths from each column's longest text (measured once; never a pass over
        every row): the last column stretches, the others keep to a width that fits 1366
        pixels."""
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        caps = {"risk_reasons": 160, "tier_gap": 190, "partner": 170}
        for col, (key, _, _) in enumerate(COLUMNS):
            width = max(metrics.horizontalAdvance(widest[col]) + 16,
                        header.sectionSizeFromContents(col).width())
            self.view.setColumnWidth(col, min(width, caps.get(key, width)))

    def _count(self, *_args) -> None:
        table = self.model.table
        total = len(table)
        shown = self.proxy.rowCount()
        at_risk = int(table.at_risk.sum()) if total else 0
        self.count.setText(f"{shown} of {total} partners shown · {at_risk} at risk"
                           + (f" · as of {self.as_of}" if self.as_of else ""))

    # ------------------------------------------------------------------ actions

    def selected_partner(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.partner_id(self.proxy.mapToSource(rows[0]).row())

    def _activated(self, index) -> None:
        pid = self.model.partner_id(self.proxy.mapToSource(index).row())
        self.partner_activated.emit(pid)

    def _at_risk_activated(self, index) -> None:
        if index.isValid():
            self.open_partner(self.at_risk_model.partner_id(index.row()))

    def open_selected(self) -> None:
        pid = self.selected_partner()
        if pid is not None:
            self.open_partner(pid)

    def open_partner(self, partner_id: int) -> QDialog:
        """Show the partner's page with its trend charts in a window of its own."""
        from ui.partner_page import PartnerPage

        dialog = QDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        page = PartnerPage(self.ctx, partner_id, dialog)
        layout = QVBoxLayout(dialog)
        layout.addWidget(page)
        dialog.resize(1000, 720)
        dialog.setWindowTitle("Partner")
        dialog.page = page  # type: ignore[attr-defined]
        self.partner_pages.append(dialog)
        dialog.destroyed.connect(self._partner_window_closed)
        dialog.show()
        return dialog

    def _partner_window_closed(self, dialog) -> None:
        self.partner_pages = [d for d in self.partner_pages if d is not dialog
                              and _alive(d)]


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
