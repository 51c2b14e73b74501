"""Plan domain checks found on a QA walk of the plan editor (no Qt)."""

from __future__ import annotations

from jbp import bindings, demo
from jbp.commands import Editor, History
from jbp.plans import CreatePlan, draft_from_template, with_measured_actuals

VENDOR = Editor("Dana Whitfield", "vendor")


def _unplanned_partner(ws) -> int:
    with_plan = {p.partner_id for p in ws.plans()}
    return next(p.id for p in ws.partners() if p.active and p.id not in with_plan)


def test_measured_draft_holds_what_a_refresh_would_write(demo_ws):
    pid = _unplanned_partner(demo_ws)
    as_of = demo.AS_OF
    draft = with_measured_actuals(demo_ws, draft_from_template(demo_ws, pid, as_of.year),
                                  as_of)
    kpis = [k for _, ks in draft.goals for k in ks]
    assert any(a is not None for k in kpis if k.metric for a in k.actuals)
    assert all(a is None for k in kpis if not k.metric for a in k.actuals)
    plan_id = History(demo_ws).run(CreatePlan(VENDOR, draft)).plan_id
    assert bindings.bound_updates(demo_ws, [plan_id], as_of) == []


def test_measured_draft_of_a_year_without_data_stays_empty(demo_ws):
    pid = _unplanned_partner(demo_ws)
    draft = with_measured_actuals(
        demo_ws, draft_from_template(demo_ws, pid, demo.AS_OF.year + 1), demo.AS_OF)
    assert all(a is None for _, ks in draft.goals for k in ks for a in k.actuals)


def test_second_kpi_of_one_name_in_a_plan_is_refused(demo_ws):
    import pytest

    from jbp.commands import AddPart, SetField
    from jbp.errors import ValidationError
    from jbp.model import Kpi

    plan = next(p for p in demo_ws.plans() if p.fiscal_year == demo.AS_OF.year)
    doc = demo_ws.plan_document(plan.id)
    first, second = doc.kpis[0], doc.kpis[-1]
    history = History(demo_ws)
    revisions = len(demo_ws.revisions(plan.id))
    with pytest.raises(ValidationError, match="already has a KPI named"):
        history.run(AddPart(VENDOR, Kpi(goal_id=second.goal_id, name=f" {first.name.upper()}")))
    with pytest.raises(ValidationError, match="already has a KPI named"):
        history.run(SetField(VENDOR, "kpi", second.id, "name", first.name))
    assert len(demo_ws.plan_document(plan.id).kpis) == len(doc.kpis)
    assert len(demo_ws.revisions(plan.id)) == revisions  # nothing half-written
    # another plan may use the name; undo of a rename restores the old name
    rename = history.run(SetField(VENDOR, "kpi", second.id, "name", "Fresh name"))
    history.undo()
    assert demo_ws.element("kpi", second.id).name == second.name
    assert rename.old == second.name


def test_initiative_dates_far_from_the_plan_year_are_refused(demo_ws):
    import datetime as dt

    import pytest

    from jbp.commands import AddPart, SetField
    from jbp.errors import ValidationError
    from jbp.model import Initiative

    plan = next(p for p in demo_ws.plans() if p.fiscal_year == 2026)
    initiative = demo_ws.plan_document(plan.id).initiatives[0]
    history = History(demo_ws)
    with pytest.raises(ValidationError, match="far from the plan's fiscal year"):
        history.run(SetField(VENDOR, "initiative", initiative.id, "start_date",
                             dt.date(2019, 1, 1)))
    with pytest.raises(ValidationError, match="2031-01-31"):
        history.run(AddPart(VENDOR, Initiative(plan_id=plan.id, title="Typo",
                                               start_date=dt.date(2026, 1, 1),
                                               end_date=dt.date(2031, 1, 31))))
    history.run(SetField(VENDOR, "initiative", initiative.id, "start_date",
                         dt.date(2025, 1, 1)))  # a year before: accepted
    assert demo_ws.element("initiative", initiative.id).start_date == dt.date(2025, 1, 1)


def test_chart_and_text_of_a_kpi_just_added_say_nothing_is_set():
    """A KPI just added (no targets, no actuals) drew an axis labelled 0, 0, 0, -0, -0 and
    read "full-year target ." under the chart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jbp.chart_text import kpi_chart_text
    from jbp.charts import draw_kpi
    from jbp.kpi import kpi_status
    from jbp.model import Kpi

    kpi = Kpi(goal_id=1, name="New KPI")
    status = kpi_status(kpi, demo.PROGRAM, 2026, demo.AS_OF)
    assert kpi_chart_text(kpi, status) == "New KPI: no actual reported yet; no targets set yet."
    fig, ax = plt.subplots()
    try:
        draw_kpi(ax, kpi, status, ["Q1", "Q2", "Q3", "Q4"])
        fig.canvas.draw()
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert not any(label.strip() for label in labels), labels
        assert ax.get_ylim() == (0.0, 1.0)
    finally:
        plt.close(fig)


def test_chart_and_text_of_a_kpi_with_actuals_but_no_targets():
    """A KPI bound to a metric before anyone set its targets: the chart said "no actuals
    yet" over its actual bars, and the text read "pro-rated target of 0 — (not judged) ...
    vs full-year target ()"."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jbp.chart_text import kpi_chart_text
    from jbp.charts import draw_kpi
    from jbp.kpi import kpi_status
    from jbp.model import Kpi

    kpi = Kpi(goal_id=1, name="Attributed revenue", unit="currency", actual_q1=100_000.0,
              actual_q2=50_000.0)
    status = kpi_status(kpi, demo.PROGRAM, 2026, demo.AS_OF)
    text = kpi_chart_text(kpi, status)
    assert "actual to date 150,000; no targets set, so it is not judged." in text
    assert "()" not in text and "target of 0" not in text
    fig, ax = plt.subplots()
    try:
        draw_kpi(ax, kpi, status, ["Q1", "Q2", "Q3", "Q4"])
        subtitle = [t.get_text() for t in ax.texts]
        assert any(t.startswith("no target set") for t in subtitle), subtitle
        assert not any("no actuals yet" in t for t in subtitle)
    finally:
        plt.close(fig)


def test_amendment_of_a_percent_kpi_reads_in_percent(demo_ws):
    """The Agreement tab listed a win rate's amended target as "0.52 → 0.55"."""
    from jbp.commands import SetField
    from jbp.plans import amendments

    plan = next(p for p in demo_ws.plans() if p.baseline and p.fiscal_year == 2026)
    kpi = next(k for k in demo_ws.plan_document(plan.id).kpis if k.unit == "percent")
    History(demo_ws).run(SetField(VENDOR, "kpi", kpi.id, "target_q4", 0.555))
    (row,) = [a for a in amendments(demo_ws, demo_ws.plan_document(plan.id))
              if a.element_id == kpi.id and a.field == "Target Q4"]
    assert row.current == "55.5%"
    assert row.baseline.endswith("%")
