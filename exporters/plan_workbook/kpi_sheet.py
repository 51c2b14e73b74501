"""Goals & KPIs: a row per goal and per KPI, the KPI's live formulas stored with the app's
figures (:func:`jbp.kpi.status_on`), drop-downs and RAG formatting."""

from __future__ import annotations

from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from jbp.kpi import partial_quarter, quarter_progress
from jbp.model import (
    DIRECTIONS,
    KPI_KINDS,
    KPI_TO_DATE,
    KPI_UNITS,
    QUARTERS,
    Kpi,
)

from .. import styles
from ..stored_values import put_row, register
from .base import _WRAP_TOP, PlanBuilder
from .formulas import (
    _kpi_formulas_fast,
    _source_of,
    quarter_state,
)
from .layout import (
    FIRST_ROW,
    GOAL_DESCRIPTION_HEADER,
    HEADER_ROW,
    K_ACTUAL,
    K_ATD,
    K_ATT,
    K_DIR,
    K_ELAPSED,
    K_FORECAST,
    K_FULL,
    K_GOALDESC,
    K_KIND,
    K_MARKS,
    K_METRIC,
    K_NAME,
    K_QUARTER,
    K_RAG,
    K_REF,
    K_TARGET,
    K_THROUGH,
    K_TODATE,
    K_TTD,
    K_UNIT,
    K_VAR,
    KPI_GOAL_HEADER,
    KPI_REF_HEADER,
    KPIS,
    QUARTER_HEADER,
    THROUGH_HEADER,
    Col,
    ref,
)

#: The goal or KPI name wraps in its column (a KPI's indented under its goal).
_WRAP = Alignment(wrap_text=True)
_INDENT_WRAP = Alignment(indent=1, wrap_text=True)


class KpiSheet(PlanBuilder):
    def kpis(self) -> None:
        ws = self.wb.create_sheet(KPIS)
        g, a = self.program.rag_green, self.program.rag_amber
        self.heading(ws, "Goals & KPIs", (
            f"Attainment as of the Cover's date; a bound KPI is measured through its "
            f"source's last day when earlier (column {get_column_letter(K_THROUGH)}). Sums of "
            f"quarters against the target pro-rated to that day; levels, percent and days "
            f"on the latest reported quarter. Green at {g:.0%} or more, Amber at {a:.0%}."))
        # Printed from the KPI to the quarter in progress on one A3 page width at 82% or
        # more (styles.page_setup): the widths below add up to just that.
        headers = {K_NAME: (KPI_GOAL_HEADER, 31), K_REF: (KPI_REF_HEADER, 5),
                   K_KIND: ("Kind", 7.5), K_UNIT: ("Unit", 8), K_DIR: ("Direction", 8.5),
                   K_FULL: ("Full-year target", 11.5), K_TTD: ("Target to date", 11.5),
                   K_ATD: ("Actual to date", 11.5), K_ATT: ("Attainment", 10),
                   K_VAR: ("Variance", 10.5), K_RAG: ("RAG", 7),
                   K_FORECAST: ("Forecast (year end)", 11.5),
                   K_THROUGH: (THROUGH_HEADER, 10.5), K_QUARTER: (QUARTER_HEADER, 22),
                   K_METRIC: (Kpi.field("metric").label, 16),
                   K_TODATE: (Kpi.field("to_date").label, 15),
                   K_GOALDESC: (GOAL_DESCRIPTION_HEADER, 40)}
        for q in range(4):
            headers[K_ELAPSED + q] = (f"Q{q + 1} elapsed", 9)
        for q in range(4):
            headers[K_TARGET + q] = (Kpi.field(f"target_{QUARTERS[q]}").label, 10)
            headers[K_ACTUAL + q] = (Kpi.field(f"actual_{QUARTERS[q]}").label, 10)
            state = quarter_state(*self.bounds[q], self.data.as_of)
            if state.startswith("to date"):
                # The quarter in progress: never shown as a finished quarter.
                for col in (K_TARGET + q, K_ACTUAL + q):
                    ws.cell(3, col, f"Q{q + 1} {state}").style = "jbp subtitle"
        cols = [Col(headers[c][0], width=headers[c][1]) for c in range(1, K_MARKS)]
        self.header_row(ws, HEADER_ROW, cols, "goal", K_MARKS)
        styles.set_widths(ws, {c: headers[c][1] for c in headers})
        row = FIRST_ROW
        unit_style = {"currency": "money", "count": "count", "percent": "percent",
                      "days": "decimal"}
        for goal in self.doc.goals:
            self._goal_row(ws, row, goal)
            row += 1
            for kpi in self.doc.kpis_of(goal.id):
                self.kpi_rows[kpi.id] = row
                self._kpi_row(ws, row, kpi, unit_style.get(kpi.unit, "decimal"))
                row += 1
        last = max(row - 1, FIRST_ROW)
        for col, choices in ((K_KIND, KPI_KINDS), (K_UNIT, KPI_UNITS), (K_DIR, DIRECTIONS),
                             (K_TODATE, KPI_TO_DATE)):
            letter = get_column_letter(col)
            self.validation(ws, choices, f"{letter}{FIRST_ROW}:{letter}{last}")
        rag_letter, att_letter = get_column_letter(K_RAG), get_column_letter(K_ATT)
        styles.rag_rules(ws, f"{rag_letter}{FIRST_ROW}:{rag_letter}{last}",
                         f"${rag_letter}{FIRST_ROW}")
        styles.attainment_rules(ws, f"{att_letter}{FIRST_ROW}:{att_letter}{last}",
                                f"${att_letter}{FIRST_ROW}", "RAG_green", "RAG_amber")
        ws.freeze_panes = f"{get_column_letter(K_KIND)}{FIRST_ROW}"
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(K_TODATE)}{last}"
        styles.hide_columns(ws, K_MARKS, K_MARKS + 2)
        # Printed: the figures (A..Quarter in progress); metric, goal description, "to
        # date" and the per-quarter elapsed fractions are for editing on screen.
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}", last_col=K_QUARTER)

    # Goal and KPI rows are written whole (stored_values.put_row: no cell object per value,
    # the sheet writer writes them as text), a fraction of setting cells one by one.

    def _goal_row(self, ws, r: int, goal) -> None:
        values: list[Any] = [None] * (K_MARKS - 1)
        values[K_NAME - 1], values[K_REF - 1] = goal.title, ref("goal", goal.id)
        values[K_GOALDESC - 1] = goal.description or None
        values += ["goal", goal.id, self.check("goal", goal.id)]
        self._append(ws, r, values, self._row_styles(ws, "goal"))
        self._fit_name(ws, r, goal.title, indent=0)

    def _kpi_row(self, ws, r: int, kpi: Kpi, number: str) -> None:
        formulas = _kpi_formulas_fast(r, self.quarter_label_row)
        status = self.statuses[kpi.id]
        through = self.through[kpi.id]
        source = _source_of(kpi)
        through_formula = (f"=MIN(AsOf,DataEnd_{source})" if source in self.data_ends
                           else "=AsOf")
        partial = partial_quarter(self.bounds, through)
        values_of = {K_FULL: status.full_target, K_TTD: status.target_to_date,
                     K_ATD: status.actual_to_date, K_ATT: status.attainment,
                     K_VAR: None if status.actual_to_date is None or status.target_to_date
                     is None else status.actual_to_date - status.target_to_date,
                     K_RAG: status.rag, K_FORECAST: status.forecast, K_THROUGH: through,
                     K_QUARTER: partial.label() if partial is not None else ""}
        for q, fraction in enumerate(quarter_progress(self.bounds, through)):
            values_of[K_ELAPSED + q] = fraction
        for col, value in values_of.items():
            register(ws, r, col, value)
        values = [kpi.name, ref("kpi", kpi.id), kpi.kind, kpi.unit, kpi.direction,
                  *kpi.targets, *kpi.actuals,
                  *(formulas[c] for c in range(K_FULL, K_FORECAST + 1)),
                  through_formula, formulas[K_QUARTER],
                  kpi.metric or None, None, kpi.to_date,  # K_METRIC, K_GOALDESC, K_TODATE
                  *(formulas[K_ELAPSED + q] for q in range(4)),
                  "kpi", kpi.id, self.check("kpi", kpi.id)]
        self._append(ws, r, values, self._row_styles(ws, number))
        self._fit_name(ws, r, kpi.name, indent=2)

    @staticmethod
    def _fit_name(ws, r: int, name: str, indent: int) -> None:
        """Make row ``r`` tall enough for its goal or KPI name wrapped in the name column
        (printed, a long name is not cut by the reference beside it)."""
        per_line = max(1, int(ws.column_dimensions["A"].width * 1.15) - indent)
        lines = -(-len(name or "") // per_line)
        if lines > 1:
            ws.row_dimensions[r].height = 13.5 * lines

    def _row_styles(self, ws, number: str) -> list:
        """The style of each cell of a goal row (``number`` "goal") or of a KPI row whose
        figures are in named style ``jbp <number>``, as internal style arrays."""
        key = ("row", number)
        if key not in self.s.arrays:
            array = self.s.array
            if number == "goal":
                names = [array(ws, "jbp section")] * (K_MARKS - 1)
                names[K_NAME - 1] = array(ws, "jbp section", _WRAP)
                names[K_GOALDESC - 1] = array(ws, "jbp section", _WRAP_TOP)
            else:
                calc = {K_ATT: "percent", K_RAG: "text"}
                names = [array(ws, "jbp input text", _INDENT_WRAP), array(ws, "jbp calc text"),
                         *[array(ws, "jbp input text")] * 3,
                         *[array(ws, f"jbp input {number}")] * 8,
                         *[array(ws, f"jbp calc {calc.get(c, number)}")
                           for c in range(K_FULL, K_FORECAST + 1)],
                         array(ws, "jbp calc date"), array(ws, "jbp calc text"),
                         *[array(ws, "jbp input text")] * 3,
                         *[array(ws, "jbp calc percent")] * 4]
            self.s.arrays[key] = names + [array(ws, "jbp hidden")] * 3
        return self.s.arrays[key]

    @staticmethod
    def _append(ws, r: int, values: list, arrays: list) -> None:
        put_row(ws, r, values, arrays)
