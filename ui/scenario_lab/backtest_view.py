"""Back-test: does the calibrated model predict what actually happened?

Pick the last day of the training data and a number of months: the work (a calibration as
of that date, a run from the state then, the comparison with the actuals, and optionally the
same from every month-end origin) is :func:`simulation.backtest.backtest` on a worker
thread, against a :class:`~ui.scenario_lab.calibration.WorkspaceSnapshot` that thread reads
through its own connection. The table sets each metric's actual beside the simulated P10/P50/P90; the charts
show the headline series month by month (:func:`simulation.charts.plot_backtest`). "Save as
baseline" stores the calibration as of that date as a new scenario.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jbp.formatting import count
from ui import theme
from ui.numbers import value_text
from ui.widgets.keyboard import keyboard_view
from ui.workers import Progress, Task

from .calibration import WorkspaceSnapshot
from .canvas import ChartCanvas
from .models import Cell, FigureTableModel
from .run_panel import RunPanel

LABELS = {"sourced_bookings": "Sourced bookings", "influenced_bookings": "Influenced bookings",
          "registrations": "Registrations", "wins": "Wins",
          "certifications": "Certifications", "active_partners": "Active partners",
          "sign_ups": "Partner sign-ups", "partners_churned": "Partners churned"}


def run_backtest(path: Any, train_until: dt.date, months: int, replications: int,
                 with_rolling: bool, *, state: Progress):
    """The view's task (no Qt): read the workspace at ``path`` (its own connection), then
    the back-test and, if asked, the rolling origins."""
    from simulation.backtest import backtest, rolling

    state.report(0.0, "Reading the workspace")
    snapshot = WorkspaceSnapshot.read(path)

    share = 0.4 if with_rolling else 1.0
    bt = backtest(snapshot, train_until, months, replications=replications,
                  progress=state.part(0.0, share))
    roll = None
    if with_rolling:
        roll = rolling(snapshot, months, replications=max(20, replications // 2),
                       progress=state.part(share, 1 - share))
    return bt, roll


class BacktestView(RunPanel, QWidget):
    """The Scenario Lab's back-test tab (see the module docstring)."""

    _what = "Back-test"

    message = Signal(str)

    def __init__(self, page: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backtest_view")
        self.page = page
        self.task: Task | None = None
        self.result = None
        self.rolling = None
        self.train_until = QDateEdit(self)
        self.train_until.setObjectName("bt_train_until")
        self.train_until.setCalendarPopup(True)
        self.train_until.setDisplayFormat("yyyy-MM-dd")
        self.months = QSpinBox(self)
        self.months.setObjectName("bt_months")
        self.months.setRange(1, 60)
        self.months.setValue(6)
        self.replications = QSpinBox(self)
        self.replications.setObjectName("bt_replications")
        self.replications.setRange(20, 2000)
        self.replications.setValue(200)
        self.with_rolling = QCheckBox("Also from every month-end origin (rolling)", self)
        self.with_rolling.setObjectName("bt_rolling")
        self.with_rolling.setChecked(True)
        self.run_button = QPushButton("Run back-test", self)
        self.run_button.setObjectName("bt_run")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("bt_cancel")
        self.cancel_button.setEnabled(False)
        self.save_button = QPushButton("Save calibration as of this date as a scenario", self)
        self.save_button.setObjectName("bt_save")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("bt_progress")
        self.progress.setRange(0, 1000)
        self.status = QLabel("Calibrate as of a past date, simulate the months after it from "
                             "the workspace's state then, and compare with what happened.",
                             self)
        self.status.setObjectName("bt_status")
        self.status.setWordWrap(True)
        self.model = FigureTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("bt_table")
        keyboard_view(self.table, "Back-test figures")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        # Compact rows, and the table as tall as its eight metrics: on a laptop the charts
        # took the height and hid the last rows (the flows of partners, often the misses).
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.chart_note = QLabel(
            "Band: simulated P10–P90; line: P50; dots: the actuals (hollow when outside "
            "the band).", self)
        self.chart_note.setObjectName("bt_chart_note")
        self.chart_note.setWordWrap(True)
        theme.style(self.chart_note, "color:$muted;")
        self.canvases = [ChartCanvas(self, name=f"bt_chart_{m}", min_height=220)
                         for m in ("sourced_bookings", "registrations", "active_partners")]

        form = QFormLayout()
        form.addRow("Train until", self.train_until)
        form.addRow("Months to compare", self.months)
        form.addRow("Replications", self.replications)
        form.addRow("", self.with_rolling)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        charts = QHBoxLayout()
        for c in self.canvases:
            charts.addWidget(c, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        layout.addLayout(charts, 1)
        layout.addWidget(self.chart_note)

        self.run_button.clicked.connect(lambda: self.start())
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button.clicked.connect(self.save_as_baseline)
        self.reset()

    # ------------------------------------------------------------------ state

    def reset(self) -> None:
        """A new workspace: a default date six months before the end of its data."""
        self.result = self.rolling = None
        self.model.set_rows([], [])
        for c in self.canvases:
            c.set_plot(None, "")
        ws = self.page.workspace if self.page is not None else None
        default = dt.date.today()
        if ws is not None:
            try:
                from simulation.backtest import data_end

                # The context's coverage (read when the workspace opened) has the dates.
                end = data_end(ws, self.page.ctx.coverage()) + dt.timedelta(days=1)
                m = end.month - 6
                y = end.year + (m - 1) // 12
                default = dt.date(y, (m - 1) % 12 + 1, 1) - dt.timedelta(days=1)
            except Exception:  # no dated actuals: keep today; the run will say why
                pass
        self.train_until.setDate(QDate(default.year, default.month, default.day))
        self.run_button.setEnabled(ws is not None)
        self.save_button.setEnabled(ws is not None)

    def chosen_date(self) -> dt.date:
        d = self.train_until.date()
        return dt.date(d.year(), d.month(), d.day())

    def start(self) -> Task | None:
        ws = self.page.workspace
        if ws is None or self.task is not None:
            return self.task
        when = self.chosen_date()
        return self.start_run(run_backtest, ws.path, when, self.months.value(),
                              self.replications.value(), self.with_rolling.isChecked(),
                              title=f"Back-test from {when.isoformat()}",
                              status=f"Calibrating as of {when.isoformat()} and simulating…",
                              in_process=True)  # each origin calibrates: seconds of pandas

    def save_as_baseline(self) -> None:
        when = self.chosen_date()
        self.page.create_baseline(name=f"Baseline as of {when.isoformat()}", as_of=when)

    # ------------------------------------------------------------------ results

    def _fit_table(self) -> None:
        """The table as tall as its header and rows (it has eight)."""
        table = self.table
        rows = sum(table.rowHeight(r) for r in range(self.model.rowCount()))
        scroll = table.horizontalScrollBar().sizeHint().height() \
            if table.horizontalScrollBar().isVisible() else 0
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows
                             + 2 * table.frameWidth() + scroll)

    def _currency(self) -> str:
        ws = self.page.workspace if self.page is not None else None
        try:
            return ws.program().currency if ws is not None else ""
        except Exception:  # a workspace without a program: amounts without a unit
            return ""

    def _can_run(self) -> bool:
        return self.page.workspace is not None

    def _succeeded(self, out) -> None:
        from simulation import charts

        bt, roll = out
        self.result, self.rolling = bt, roll
        self.progress.setValue(1000)
        rolled = roll.as_dict() if roll is not None else {}
        share = rolled.get("share_inside_80", {})
        by_month = rolled.get("share_inside_80_by_calendar_month", {})
        rows, keys = [], []
        for s in bt.series:
            # Bookings in money; the rest are counts of whole things (partners,
            # registrations): no decimals, also below 100.
            text = partial(value_text, unit="currency") if "bookings" in s.metric else count
            err = "—" if s.actual == 0 else f"{s.error:+.1%}"
            rows.append([
                Cell(LABELS.get(s.metric, s.metric), s.metric, align_right=False),
                Cell(text(s.actual), s.actual, bold=True),
                Cell(text(s.p10), s.p10),
                Cell(text(s.p50), s.p50),
                Cell(text(s.p90), s.p90),
                Cell("yes" if s.inside_80 else "no", s.inside_80,
                     colour="" if s.inside_80 else "bad", align_right=False),
                Cell(err, s.error),
                Cell(f"{s.months_inside()} of {bt.months}", s.months_inside()),
                Cell(f"{share[s.metric]:.0%} ({by_month[s.metric]:.0%})"
                     if s.metric in share and s.metric in by_month else
                     f"{share[s.metric]:.0%}" if s.metric in share else "—",
                     share.get(s.metric)),
            ])
            keys.append(s.metric)
        last = "active partners at the end" if bt.months else ""
        self.model.set_rows(
            ["Metric", "Actual", "P10", "P50", "P90", "In 80% band", "Median error",
             "Months in band", "Rolling: months in band"], rows, keys,
            header_tips=["", f"Window total ({last} for the stock)", "", "", "", "", "",
                         "", "Share of months inside the band over every month-end origin (in "
                         "brackets: each calendar month counted once, as `jbp backtest` "
                         "prints it beside)"])
        self._fit_table()
        currency = self._currency()
        for canvas, metric in zip(self.canvases, ("sourced_bookings", "registrations",
                                                  "active_partners"), strict=True):
            canvas.set_plot(partial(charts.plot_backtest, series=bt.get(metric),
                                    title=LABELS[metric], currency=currency,
                                    train_until=bt.train_until))
        # Short enough for a laptop's status bar: the count, then only the misses named.
        outside = [LABELS.get(s.metric, s.metric) for s in bt.series if not s.inside_80]
        inside = len(bt.series) - len(outside)
        self._ended(f"Trained until {bt.train_until.isoformat()}, {bt.months} months compared: "
                    f"{inside} of {len(bt.series)} actuals inside the 80% band"
                    + (f"; outside: {', '.join(outside)}." if outside else "."))
