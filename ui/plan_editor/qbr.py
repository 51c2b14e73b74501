"""The QBR view: the plan's scorecard on one screen — every KPI's RAG, the initiatives due
or late, open comments, and the KPI charts (drawn off the GUI thread)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jbp.chart_text import kpi_grid_text
from jbp.charts import format_attainment, format_kpi_value, render_kpi_grid
from jbp.qbr import Scorecard, plan_scorecard
from ui import theme
from ui.plan_editor.models import Column, ElementTableModel, RecordTableModel
from ui.plan_editor.session import PlanSession
from ui.widgets.keyboard import keyboard_view
from ui.workers import Task, start_task


def _fit_columns(view: QTableView, cap: int = 230) -> None:
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    for col in range(header.count()):
        header.resizeSection(col, min(cap, header.sectionSize(col)))


def _table(parent: QWidget, model, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setDefaultSectionSize(24)
    view.setWordWrap(False)
    keyboard_view(view, name.removeprefix("qbr_").replace("_", " ").capitalize())
    return view


class QbrView(QWidget):
    """Scorecard of the session's plan as of the context's date."""

    def __init__(self, session: PlanSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.ctx = session, session.ctx
        self.card: Scorecard | None = None
        self.task: Task | None = None
        self._dirty = True
        self.heading = QLabel(self)
        self.heading.setObjectName("qbr_heading")
        self.heading.setWordWrap(True)
        self.rag_summary = QLabel(self)
        self.rag_summary.setObjectName("qbr_rag_summary")
        self.scorecard = ElementTableModel([
            Column("KPI", value=lambda line: line.kpi.name,
                   tooltip="KPI (its goal in the tool tip of the row)"),
            Column("RAG", value=lambda line: line.status.rag or "–",
                   rag=lambda line: line.status.rag),
            Column("Attainment", value=lambda line: format_attainment(line.status.attainment),
                   numeric=True),
            Column("Period", value=lambda line: line.period,
                   tooltip="The quarter in progress is measured to date against its "
                           "pro-rated target, never as a finished quarter"),
            Column("Actual to date", numeric=True, value=lambda line: format_kpi_value(
                line.status.actual_to_date, line.kpi.unit)),
            Column("Target to date", numeric=True, value=lambda line: format_kpi_value(
                line.status.target_to_date, line.kpi.unit)),
            Column("Forecast", numeric=True, value=lambda line: format_kpi_value(
                line.status.forecast, line.kpi.unit)),
            Column("FY target", numeric=True, value=lambda line: format_kpi_value(
                line.status.full_target, line.kpi.unit)),
        ], self)
        self.scorecard_view = _table(self, self.scorecard, "qbr_scorecard")
        self.initiatives = RecordTableModel([
            ("", lambda x: x[0]), ("Initiative", lambda x: x[1].title),
            ("Owner", lambda x: x[1].owner or x[1].owner_side),
            ("Ends", lambda x: x[1].end_date.isoformat() if x[1].end_date else ""),
            ("Status", lambda x: x[1].status)], self)
        self.initiative_view = _table(self, self.initiatives, "qbr_initiatives")
        self.comments = RecordTableModel([
            ("Who", lambda c: f"{c.author} ({c.side})"), ("On", self._comment_target),
            ("Comment", lambda c: " ".join(c.text.split()))], self)
        self.comment_view = _table(self, self.comments, "qbr_comments")
        self.charts = QLabel(self)
        self.charts.setObjectName("qbr_charts")
        self.charts.setAccessibleName("KPI charts")
        self.charts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy indicator while charts are drawn
        self.progress.setMaximumHeight(6)
        self.progress.setTextVisible(False)
        self.progress.hide()

        right = QWidget(self)
        rlayout = QVBoxLayout(right)
        rlayout.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox("Initiatives due or late", right)
        QVBoxLayout(box).addWidget(self.initiative_view)
        rlayout.addWidget(box)
        box = QGroupBox("Open comments", right)
        QVBoxLayout(box).addWidget(self.comment_view)
        rlayout.addWidget(box)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        score_box = QGroupBox("Scorecard", self)
        QVBoxLayout(score_box).addWidget(self.scorecard_view)
        top.addWidget(score_box)
        top.addWidget(right)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.charts)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.chart_scroll = scroll
        scroll.setAccessibleName("KPI charts")
        vertical = QSplitter(Qt.Orientation.Vertical, self)
        vertical.addWidget(top)
        vertical.addWidget(scroll)
        vertical.setStretchFactor(0, 2)
        vertical.setStretchFactor(1, 3)
        vertical.setSizes([330, 470])
        top.setSizes([640, 440])
        self.splitters = (vertical, top)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.rag_summary)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.progress)
        layout.addWidget(vertical, 1)
        session.loaded.connect(self._invalidate)
        theme.signals().changed.connect(self._theme_changed)
        self._chart_width = 0
        self._chart_height = 0
        self._chart_ratio = 1.0

    def _comment_target(self, c) -> str:
        doc = self.session.doc
        if doc is not None and c.element_kind != "plan":
            for e in doc.parts(c.element_kind):
                if e.id == c.element_id:
                    return f"{e.LABEL}: {getattr(e, e.FIELDS[0].name)}"
        return "Plan"

    def _invalidate(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.card is not None and (
                abs(self._chart_width - self._wanted_width()) > 40
                or abs(self._chart_height - self.chart_scroll.viewport().height()) > 30):
            self._draw_charts()

    def _wanted_width(self) -> int:
        return max(600, self.chart_scroll.viewport().width() - 8)

    def refresh(self) -> None:
        self._dirty = False
        doc, program = self.session.doc, self.session.program
        if doc is None or program is None:
            self.card = None
            self.heading.setText("No plan open")
            self.scorecard.set_elements([])
            self.initiatives.set_elements([])
            self.comments.set_elements([])
            self.charts.clear()
            return
        card = plan_scorecard(doc, program, self.ctx.as_of, coverage=self.ctx.coverage())
        self.card = card
        self.heading.setText(
            f"<span style='font-size:14pt;font-weight:600'>{doc.plan.title}</span><br>"
            f"QBR {self.ctx.as_of_info.label()} · status {doc.plan.status} · "
            f"owners {doc.plan.vendor_owner or '–'} (vendor) / "
            f"{doc.plan.partner_owner or '–'} (partner)")
        counts = card.rag_counts()
        rag = theme.current().rag_badge
        self.rag_summary.setText(" ".join(
            theme.badge(f"{counts[k]} {k}", rag[k], "font-weight:600;")
            for k in ("Green", "Amber", "Red"))
            + (f" &nbsp;{counts['']} not judged" if counts[""] else ""))
        self.scorecard.set_elements(card.kpis)
        _fit_columns(self.scorecard_view, 200)
        self.initiatives.set_elements([("LATE", i) for i in card.late]
                                      + [("due", i) for i in card.due])
        _fit_columns(self.initiative_view)
        self.comments.set_elements(card.open_comments)
        _fit_columns(self.comment_view, 170)
        self._draw_charts()

    def _draw_charts(self) -> None:
        if self.card is None:
            return
        if self.task is not None and self.task.running:
            self.task.cancel()
        width = self._wanted_width()
        self._chart_width = width
        self._chart_ratio = self.pixel_ratio()
        items = [(line.kpi, line.status) for line in self.card.kpis]
        self.charts.setAccessibleDescription(kpi_grid_text(items))
        self.progress.show()
        columns = 4 if width >= 1100 else 3 if width >= 760 else 2
        # The QBR is one screen: the rows of charts share the height there is (down to a
        # readable minimum) rather than scrolling.
        height = self.chart_scroll.viewport().height()
        self._chart_height = height
        rows = max(1, -(-len(items) // columns))
        row_height = max(150, min(260, (height - 12) // rows))
        # Drawn at the screen's device pixel ratio (sharp at 2×, not a 1× image stretched).
        task = start_task(render_kpi_grid, items, self.card.quarter_labels, width,
                          columns=columns, row_height_px=row_height,
                          style=theme.current().chart, pixel_ratio=self._chart_ratio,
                          title="Drawing KPI charts", uses_state=False, parent=self)
        self.task = task
        task.succeeded.connect(lambda result, t=task: self._charts_ready(t, result))
        task.finished.connect(lambda t=task: self._task_done(t))

    def _charts_ready(self, task: Task, result) -> None:
        if task is not self.task:
            return  # a newer drawing is on its way
        data, w, h = result
        image = QImage(data, w, h, w * 4, QImage.Format.Format_RGBA8888).copy()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self._chart_ratio)  # the ratio it was drawn at
        self.charts.setPixmap(pixmap)

    def pixel_ratio(self) -> float:
        """Device pixels per logical pixel where the charts are shown."""
        return max(1.0, self.charts.devicePixelRatioF())

    def _theme_changed(self) -> None:
        if self.card is not None:
            self._invalidate()  # redrawn now if in view, else when shown

    def _task_done(self, task: Task) -> None:
        if task is self.task:
            self.progress.hide()

    def wait_for_charts(self, msecs: int = 10_000) -> bool:
        """Block until the charts being drawn are shown (tests, screenshots)."""
        return self.task is None or self.task.wait(msecs)
