"""One partner's page: headline scorecard figures, the tier gap and trend charts.

The numbers come from :mod:`jbp.metrics` and the charts from :mod:`jbp.charts_actuals`,
computed off the GUI thread on a connection of their own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.context import AppContext
from ui.widgets.figures_task import FiguresTask
from ui.workers import Progress, Task


def partner_data(path: Path, partner_id: int, as_of: dt.date | None, *,
                 state: Progress) -> dict[str, Any]:
    """Scorecard row, monthly series and currency of one partner (own connection)."""
    from jbp import metrics
    from jbp.store import Workspace

    state.report(0.1, "reading actuals")
    with Workspace.open(path) as ws:
        actuals = metrics.Actuals.load(ws)
    state.check()
    card = metrics.scorecard_from(actuals, as_of)
    state.report(0.6, "trends")
    row = card[card["partner_id"] == partner_id]
    if row.empty:
        from jbp.errors import JbpError

        raise JbpError(f"no partner with id {partner_id}")
    monthly = metrics.monthly_series(actuals, partner_id, as_of)
    return {"row": row.iloc[0].to_dict(), "monthly": monthly, "as_of": as_of,
            "currency": actuals.program.currency, "coverage": actuals.coverage,
            "through": card.attrs["through"]}


#: The unit of each tile (formatted by :mod:`jbp.formatting`, as on every face).
TILE_UNITS = {"ropi": "fraction", "mdf_utilisation": "fraction",
              "time_to_first_revenue_days": "days", "logins_90d": "count",
              "registrations_90d": "count", "certified_people": "count"}

#: The source each tile is read from: with nothing of it imported the tile shows "–" (not
#: the 0 the scorecard holds), and the header says so rather than "logins to <as of>".
NO_DATA = {"logins_90d": "logins", "registrations_90d": "registrations",
           "certified_people": "certifications", "mdf_utilisation": "mdf",
           "sourced_revenue": "deals", "influenced_revenue": "deals",
           "attributed_revenue": "deals", "net_revenue": "deals", "cltv": "deals",
           "time_to_first_revenue_days": "deals"}
NO_DATA_WORDS = {"logins": "portal logins", "registrations": "deal registrations",
                 "certifications": "certifications", "mdf": "MDF requests or claims",
                 "deals": "closed deals"}


class PartnerPage(FiguresTask, QWidget):
    """Scorecard and trend charts of one partner; recomputes when actuals change."""

    def __init__(self, ctx: AppContext, partner_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.partner_id = ctx, partner_id
        self.task: Task | None = None
        self.data: dict[str, Any] | None = None
        self.title = QLabel(self)
        self._failure_label = self.title
        self.title.setObjectName("partner_title")
        self.tier = QLabel(self)
        self.tier.setObjectName("partner_tier")
        self.tier.setWordWrap(True)
        self.risk = QLabel(self)
        self.risk.setObjectName("partner_risk")
        self.risk.setWordWrap(True)
        self.tiles = QGridLayout()
        self.values: dict[str, QLabel] = {}
        tiles = [("sourced_revenue", "Sourced T12M"), ("influenced_revenue", "Influenced T12M"),
                 ("attributed_revenue", "Attributed T12M"), ("net_revenue", "Net revenue"),
                 ("investment", "Investment"), ("ropi", "ROPI"), ("cltv", "CLTV / customer"),
                 ("time_to_first_revenue_days", "Time to first revenue"),
                 ("logins_90d", "Logins 90d"), ("registrations_90d", "Registrations 90d"),
                 ("certified_people", "Certified people"), ("mdf_utilisation", "MDF used")]
        for i, (key, label) in enumerate(tiles):
            caption = QLabel(label, self)
            theme.style(caption, "color: $muted; font-size: 8pt")
            value = QLabel("…", self)
            value.setObjectName(f"tile_{key}")
            value.setStyleSheet("font-size: 12pt; font-weight: 600")
            self.values[key] = value
            self.tiles.addWidget(caption, (i // 6) * 2, i % 6)
            self.tiles.addWidget(value, (i // 6) * 2 + 1, i % 6)
        self.figure = Figure(figsize=(9, 6), dpi=90)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setObjectName("partner_charts")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tier)
        layout.addWidget(self.risk)
        layout.addLayout(self.tiles)
        layout.addWidget(self.progress)
        layout.addWidget(self.canvas, 1)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.as_of_changed.connect(self.reload)
        theme.signals().changed.connect(self._theme_changed)
        self.reload()

    def _on_data_changed(self, what: str) -> None:
        if what in ("actuals", "partners", "program"):
            self.reload()

    def reload(self) -> None:
        ws = self.ctx.workspace
        if ws is None:
            return
        # No Qt parent and bound-method slots: a window closed before its figures arrive
        # is simply not called (a lambda would reach its deleted widgets).
        self.start_figures(partner_data, ws.path, self.partner_id, self.ctx.as_of,
                           title="Partner page")

    def _show(self, data: dict[str, Any]) -> None:
        from jbp.chart_style import style_figure
        from jbp.charts_actuals import draw_partner_trends

        self.data = data
        row = data["row"]
        cur = data["currency"]
        from jbp import formatting as fmt

        self.setWindowTitle(f"{row['partner']} — partner page")
        through, coverage = data["through"], data["coverage"]
        missing = {kind for kind in NO_DATA.values() if coverage.end(kind) is None}

        def upto(kind: str, what: str) -> str:
            return (f"no {NO_DATA_WORDS[kind]} imported" if kind in missing
                    else f"{what} to {through[kind]}")

        self.title.setText(f"<span style='font-size:15pt;font-weight:600'>{row['partner']}"
                           f"</span>  {row['type']} · {row['region']} · "
                           f"{row['manager'] or 'no manager'} · "
                           f"{self.ctx.as_of_info.label()} · {upto('deals', 'revenue T12M')}, "
                           f"{upto('logins', 'logins')}")
        if row["next_tier"]:
            gaps = []
            if row["gap_sourced_revenue"] > 0:
                gaps.append(f"{fmt.money(row['gap_sourced_revenue'], cur)} sourced revenue")
            if row["gap_certified_people"] > 0:
                gaps.append(f"{row['gap_certified_people']:.0f} certified people")
            if row["gap_new_logos"] > 0:
                gaps.append(f"{row['gap_new_logos']:.0f} new logos")
            when = row["projected_next_tier_date"]
            eta = (f"projected {when.date().isoformat()} at the current run-rate"
                   if when is not None and str(when) != "NaT" else
                   "not reached at the current run-rate")
            tier_text = (f"Tier <b>{row['tier'] or 'none'}</b> by the program's rules. "
                         f"To reach <b>{row['next_tier']}</b>: {', '.join(gaps) or 'met'}; "
                         f"{eta}.")
        else:
            tier_text = f"Tier <b>{row['tier']}</b>: the top tier."
        self.tier.setText(tier_text)
        if row["at_risk"]:
            self.risk.setText(theme.span(f"<b>At risk</b> (score {fmt.score(row['risk_score'])}"
                                         f"): {row['risk_reasons']}", "error_text"))
        elif row["status"] != "active":
            self.risk.setText(row["risk_reasons"] or row["status"])
        else:
            self.risk.setText(f"Risk score {fmt.score(row['risk_score'])}: not at risk")
        for key, label in self.values.items():
            kind = NO_DATA.get(key)
            if kind in missing:  # no such export yet: not a zero
                label.setText("–")
                label.setToolTip(f"No {NO_DATA_WORDS[kind]} imported yet (Data page ▸ "
                                 "Import actuals…)")
            else:
                label.setText(fmt.by_unit(row.get(key), TILE_UNITS.get(key, "currency")))
                label.setToolTip("")
        draw_partner_trends(self.figure, data["monthly"], cur)
        style_figure(self.figure, theme.current().chart)
        self.canvas.draw_idle()

    def _theme_changed(self) -> None:
        if self.data is not None:
            self._show(self.data)
