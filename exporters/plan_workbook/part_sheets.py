"""Initiatives, Target accounts, and Rules & risks: the plan's part tables."""

from __future__ import annotations

from .. import styles
from .base import PlanBuilder
from .layout import (
    ACCOUNT_COLS,
    ACCOUNTS,
    FIRST_ROW,
    HEADER_ROW,
    INITIATIVE_COLS,
    INITIATIVES,
    RISK_COLS,
    RULE_COLS,
    RULES_RISKS,
    SKIP,
    ref,
)


class PartSheets(PlanBuilder):
    def initiatives(self) -> None:
        ws = self.wb.create_sheet(INITIATIVES)
        # The example names this plan's own goals ("G12" alone reads as a cell address).
        example = ", ".join(ref("goal", g.id) for g in self.doc.goals[:2]) or "G1, G2"
        self.heading(ws, "Initiatives", "Status, type and owner side are drop-downs. "
                     "Add rows above the total. Linked goals: goal references from the Goals "
                     f"& KPIs sheet, e.g. {example}. MDF open = approved − claimed.")
        cols = INITIATIVE_COLS
        marks = len(cols) + 2
        money = [i for i, c in enumerate(cols, start=1) if c.style == "money"]
        self.table(ws, HEADER_ROW, cols, "initiative",
                                      self.doc.initiatives, marks,
                                      totals={c: "money" for c in money})
        styles.set_widths(ws, {i: c.width for i, c in enumerate(cols, start=1)})
        ws.freeze_panes = ws.cell(FIRST_ROW, 2)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")

    def accounts(self) -> None:
        ws = self.wb.create_sheet(ACCOUNTS)
        self.heading(ws, "Target accounts", "Accounts both sides work together. Owner side "
                     "and stage are drop-downs; add rows above the total.")
        cols = ACCOUNT_COLS
        marks = len(cols) + 2
        self.table(ws, HEADER_ROW, cols, "account", self.doc.accounts, marks,
                   totals={6: "money"})
        styles.set_widths(ws, {i: c.width for i, c in enumerate(cols, start=1)})
        ws.freeze_panes = ws.cell(FIRST_ROW, 2)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}")

    def rules_risks(self) -> None:
        ws = self.wb.create_sheet(RULES_RISKS)
        self.heading(ws, "Rules of engagement and risks",
                     "Rules both field teams follow, and what could stop the plan. "
                     "Add rows inside each table.")
        marks = 8
        _, last = self.table(ws, HEADER_ROW, RULE_COLS, "rule", self.doc.rules, marks)
        risk_top = last + 3
        ws.cell(risk_top - 1, 1, "Risks").style = "jbp section"
        ws.cell(risk_top - 1, marks, SKIP).style = "jbp hidden"
        for c in range(2, len(RISK_COLS) + 1):
            ws.cell(risk_top - 1, c).style = "jbp section"
        self.table(ws, risk_top, RISK_COLS, "risk", self.doc.risks, marks)
        widths = {1: 34, 2: 14, 3: 12, 4: 56, 5: 12}
        styles.set_widths(ws, widths)
        # The rule text spans the risk table's columns B..E.
        for r in range(FIRST_ROW, last + 1):
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
            text = ws.cell(r, 2).value or ""
            ws.row_dimensions[r].height = max(15, 13.5 * (len(str(text)) // 95 + 1))
        ws.merge_cells(start_row=HEADER_ROW, start_column=2, end_row=HEADER_ROW, end_column=5)
        styles.hide_columns(ws, marks, marks + 2)
        self.page_setup(ws)
