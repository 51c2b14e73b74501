"""KPI charts on a matplotlib Axes (no Qt, no pyplot) and the QBR scorecard."""

from __future__ import annotations

import datetime as dt

from matplotlib.figure import Figure

from jbp import demo
from jbp.charts import draw_kpi, format_kpi_value, render_kpi_grid
from jbp.kpi import kpi_status
from jbp.model import Initiative, Kpi, Partner, Plan, PlanDocument
from jbp.qbr import plan_scorecard, quarter_labels


def sample_kpi(**kw) -> Kpi:
    values = dict(goal_id=1, name="Sourced revenue", unit="currency", target_q1=100_000,
                  target_q2=100_000, target_q3=100_000, target_q4=100_000,
                  actual_q1=90_000, actual_q2=120_000)
    values.update(kw)
    return Kpi(**values)


def test_draw_kpi_draws_targets_actuals_and_the_forecast():
    kpi = sample_kpi()
    status = kpi_status(kpi, demo.PROGRAM, 2026, dt.date(2026, 6, 30))
    fig = Figure()
    ax = fig.add_subplot()
    draw_kpi(ax, kpi, status, quarter_labels(2026, 1))
    heights = [round(p.get_height()) for p in ax.patches]
    # 4 targets, 2 actuals, 2 forecast bars at the run-rate (210k forecast over 2 quarters)
    assert heights[:4] == [100_000] * 4
    assert heights[4:6] == [90_000, 120_000]
    assert heights[6:] == [105_000, 105_000]
    assert ax.get_title(loc="left") == "Sourced revenue"
    assert ax.get_xticklabels()[0].get_text() == "Q1 (Jan–Mar)"


def test_rate_kpi_and_no_actuals_draw_without_forecast_bars():
    kpi = sample_kpi(unit="percent", target_q1=0.3, target_q2=0.3, target_q3=0.3,
                     target_q4=0.3, actual_q1=None, actual_q2=None)
    status = kpi_status(kpi, demo.PROGRAM, 2026, dt.date(2026, 6, 30))
    fig = Figure()
    draw_kpi(fig.add_subplot(), kpi, status, ["Q1", "Q2", "Q3", "Q4"])
    assert len(fig.axes[0].patches) == 4
    assert "no actuals yet" in fig.axes[0].texts[0].get_text()


def test_render_grid_returns_rgba_of_the_asked_width():
    kpi = sample_kpi()
    status = kpi_status(kpi, demo.PROGRAM, 2026, dt.date(2026, 6, 30))
    data, w, h = render_kpi_grid([(kpi, status)] * 4, ["Q1", "Q2", "Q3", "Q4"], 900,
                                 columns=3)
    assert w == 900 and h == 2 * 210 and len(data) == w * h * 4


def test_format_kpi_value():
    assert format_kpi_value(1234567, "currency") == "1,234,567"
    assert format_kpi_value(1_250_000, "currency", short=True) == "1.2M"
    assert format_kpi_value(0.25, "percent") == "25%"
    assert format_kpi_value(12.0, "count") == "12"
    assert format_kpi_value(None, "count") == ""


def test_scorecard_of_the_active_demo_plan(demo_ws):
    plan = next(p for p in demo_ws.plans() if p.status == "Active")
    doc = demo_ws.plan_document(plan.id)
    card = plan_scorecard(doc, demo_ws.program(), demo.AS_OF)
    assert len(card.kpis) == len(doc.kpis)
    assert all(line.status.rag in ("Green", "Amber", "Red", "") for line in card.kpis)
    assert sum(card.rag_counts().values()) == len(doc.kpis)
    for init in card.late:
        assert init.end_date < demo.AS_OF and init.status not in ("Done", "Cancelled")
    for init in card.due:
        assert demo.AS_OF <= init.end_date <= demo.AS_OF + dt.timedelta(days=45)
    assert [c.id for c in card.open_comments] == sorted(
        (c.id for c in doc.comments if not c.resolved), reverse=True)


def test_due_means_open_and_ending_within_45_days_of_as_of():
    """The rule on data built around its edges (the demo's plans have nothing due)."""
    as_of = dt.date(2026, 5, 15)
    doc = PlanDocument(plan=Plan(partner_id=1, title="Edges", fiscal_year=2026),
                       partner=Partner(name="Acme", type="Reseller", region="EMEA",
                                       signup_date=dt.date(2024, 3, 1)))

    def ending(title: str, days: int, status: str = "In progress") -> Initiative:
        init = Initiative(plan_id=1, title=title, status=status,
                          start_date=as_of - dt.timedelta(days=90),
                          end_date=as_of + dt.timedelta(days=days))
        doc.initiatives.append(init)
        return init

    today, last_day, too_far = ending("today", 0), ending("day 45", 45), ending("day 46", 46)
    done, cancelled = ending("done", 10, "Done"), ending("cancelled", 10, "Cancelled")
    yesterday, open_ended = ending("yesterday", -1), Initiative(plan_id=1, title="no end")
    doc.initiatives.append(open_ended)
    card = plan_scorecard(doc, demo.PROGRAM, as_of)
    assert [i.title for i in card.due] == ["today", "day 45"]
    assert [i.title for i in card.late] == ["yesterday"]
    for left_out in (too_far, done, cancelled, open_ended):
        assert left_out not in card.due and left_out not in card.late
    assert today in card.due and last_day in card.due and yesterday in card.late
    # A shorter window is honoured too.
    assert [i.title for i in plan_scorecard(doc, demo.PROGRAM, as_of, 0).due] == ["today"]
