"""Coverage per source and one "as of" (issue 10).

Properties (hypothesis) on the demo's real actuals: rows added to one source never change an
at-risk flag that depends only on the other sources, and a day without data never changes
a figure. End to end on a real workspace file: importing a few valid deals dated after the
other sources end flags nobody new, and the CLI and the GUI Portfolio report the same
"as of" and the same figures. The quarter in progress is marked partial in the chart data
and the QBR table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jbp import coverage, demo, metrics
from jbp.kinds import KINDS
from jbp.store import Workspace
from ui.cli import main as cli

#: Every source of the demo is complete through this day (its October exports).
END = dt.date(2026, 10, 31)
RISK = ["at_risk", "risk_score", "days_since_activity"]
#: Columns read from deals only (revenue, tier inputs) — unchanged by other sources.
DEAL_COLUMNS = ["sourced_revenue", "influenced_revenue", "attributed_revenue", "new_logos",
                "customers", "cltv"]


@pytest.fixture(scope="module")
def demo_actuals(tmp_path_factory) -> metrics.Actuals:
    path = demo.generate(tmp_path_factory.mktemp("cov") / "demo.jbp")
    with Workspace.open(path) as ws:
        return metrics.Actuals.load(ws)


def _same(a: pd.Series, b: pd.Series) -> bool:
    return all((x == y) or (pd.isna(x) and pd.isna(y)) for x, y in zip(a, b, strict=True))


def with_rows(actuals: metrics.Actuals, kind: str, rows: list[dict]) -> metrics.Actuals:
    """A copy of ``actuals`` with ``rows`` appended to source ``kind``."""
    frame = getattr(actuals, kind)
    extra = pd.DataFrame(rows, columns=list(frame.columns))
    for col in frame.columns:
        extra[col] = extra[col].astype(frame[col].dtype)
    return dataclasses.replace(actuals, **{kind: pd.concat([frame, extra],
                                                           ignore_index=True)})


def row_of(kind: str, pid: int, day: dt.date, n: int) -> dict:
    ts = pd.Timestamp(day)
    return {
        "deals": {"ext_id": f"H-{n}", "partner_id": pid, "customer": f"Hypo {n}",
                  "amount": 10_000.0 + n, "recurring": True, "close_date": ts,
                  "created_date": ts - pd.Timedelta(days=40), "attribution": "sourced"},
        "certifications": {"partner_id": pid, "person": f"hypo person {n}",
                           "course": "Sales Foundations", "cert_date": ts},
        "mdf": {"ext_id": f"HM-{n}", "partner_id": pid, "kind": "claim", "mdf_date": ts,
                "amount": 5_000.0, "status": "paid", "activity": "Webinar"},
        "logins": {"partner_id": pid, "login_date": ts, "user": f"hypo{n}@x"},
        "registrations": {"ext_id": f"HR-{n}", "partner_id": pid, "reg_date": ts,
                          "value": 20_000.0, "status": "approved", "conflict": False},
    }[kind]


@st.composite
def added_rows(draw, partner_ids: list[int]):
    """A source and some valid rows of it: deals, certifications and MDF anywhere up to the
    as-of (so also after the other sources end); logins and registrations inside their
    coverage (rows after it would move their own windows, which is their own business)."""
    kind = draw(st.sampled_from(["deals", "certifications", "mdf", "logins",
                                 "registrations"]))
    inside = st.integers(0, (END - dt.date(2025, 11, 1)).days)
    # Half of the rows of the sources that may run past the others fall after them.
    after = st.integers((END - dt.date(2025, 11, 1)).days + 1,
                        (demo.AS_OF - dt.date(2025, 11, 1)).days)
    days = st.one_of(inside, after) if kind in ("deals", "certifications", "mdf") else inside
    rows = draw(st.lists(st.tuples(st.sampled_from(partner_ids), days), min_size=1,
                         max_size=8))
    return kind, [(pid, dt.date(2025, 11, 1) + dt.timedelta(days=d)) for pid, d in rows]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_rows_of_one_source_never_move_a_flag_that_depends_only_on_others(demo_actuals,
                                                                           data):
    ids = [int(i) for i in demo_actuals.partners["id"]]
    kind, rows = data.draw(added_rows(ids))
    before = metrics.scorecard_from(demo_actuals, demo.AS_OF).set_index("partner_id")
    changed = with_rows(demo_actuals, kind, [row_of(kind, pid, day, n)
                                             for n, (pid, day) in enumerate(rows)])
    after = metrics.scorecard_from(changed, demo.AS_OF).set_index("partner_id")
    touched = {pid for pid, _ in rows}
    # MDF is not activity: no flag depends on it. For the activity sources, a partner
    # without new rows depends on them only through the coverage, which these rows leave
    # where it was (the common end of the activity sources stays 2026-10-31).
    others = [p for p in before.index if kind == "mdf" or p not in touched]
    for col in RISK:
        assert _same(before.loc[others, col], after.loc[others, col]), (kind, col)
    # And rows dated after the other sources end (the issue's case: a few new deals)
    # put nobody at risk. Rows inside the windows may: they are the partner's own trend.
    late_only = [p for p in touched if all(day > END for q, day in rows if q == p)]
    assert not (after.loc[late_only, "at_risk"] & ~before.loc[late_only, "at_risk"]).any(), kind


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra_days=st.integers(1, 45))
def test_a_day_without_data_changes_no_metric(demo_actuals, extra_days):
    """Every source ends on 2026-10-31: viewing the workspace days later (days none of the
    sources has data for) reads each source to the same day, so every figure is equal."""
    base = metrics.scorecard_from(demo_actuals, END)
    later = metrics.scorecard_from(demo_actuals, END + dt.timedelta(days=extra_days))
    for col in base.columns:
        assert _same(base[col], later[col]), col
    assert later.attrs["through"] == base.attrs["through"]


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["logins", "registrations", "certifications", "mdf"]))
def test_an_empty_day_appended_to_one_source_changes_no_figure_of_the_others(demo_actuals,
                                                                             kind):
    """An extract date one day after a source's data extends its coverage by an empty day:
    the figures read from the other sources (revenue, tier inputs) and the "as of" stay."""
    base = metrics.scorecard_from(demo_actuals, demo.AS_OF)
    extracts = {**(demo_actuals.extract_dates or {}), kind: END + dt.timedelta(days=1)}
    longer = dataclasses.replace(demo_actuals, extract_dates=extracts)
    assert longer.coverage.end(kind) == END + dt.timedelta(days=1)
    after = metrics.scorecard_from(longer, demo.AS_OF)
    for col in DEAL_COLUMNS + ["tier"] * (kind != "certifications"):
        assert _same(base[col], after[col]), (kind, col)
    # The idle days stop at the common end of the activity sources: still 2026-10-31.
    assert _same(base["days_since_activity"], after["days_since_activity"])


def test_coverage_reads_extract_dates_and_refuses_one_before_the_data(tmp_path):
    path = demo.generate(tmp_path / "d.jbp")
    with Workspace.open(path) as ws:
        cov = coverage.coverage_of(ws)
        assert {k: cov.end(k) for k in KINDS} == {k: END for k in KINDS}
        assert cov.summary(demo.AS_OF) == "Every source is complete through 2026-10-31."
    from jbp.errors import ValidationError

    with pytest.raises(ValidationError, match=r"before the last date in deals\.csv"):
        coverage.check_extract_date(dt.date(2026, 11, 1), dt.date(2026, 11, 5), "deals.csv")


# --------------------------------------------------------------------------- end to end

FEW_DEALS = ("Deal ID,Partner,Customer,Amount,Revenue Type,Close Date,Sourced or Influenced\n"
             "NOV-1,Cascade Integrators,Aster Bank,48000,ARR,2026-11-03,Sourced\n"
             "NOV-2,Harbor MSP,Birch Health,21000,ARR,2026-11-06,Sourced\n"
             "NOV-3,Oakridge Data,Cedar Foods,35000,One-off,2026-11-10,Influenced\n")


def scorecard_json(path: Path, capsys) -> dict:
    assert cli(["scorecard", str(path), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_scorecard_states_as_of_and_coverage(demo_path, capsys):
    out = scorecard_json(demo_path, capsys)
    assert (out["as_of"], out["as_of_reason"]) == ("2026-11-15", "pinned by the workspace")
    assert [c["kind"] for c in out["coverage"]] == list(KINDS)
    assert all(c["through"] == "2026-10-31" for c in out["coverage"])
    assert len(out["partners"]) == 50
    assert cli(["scorecard", str(demo_path), "--as-of", "2026-09-30"]) == 0
    text = capsys.readouterr().out
    assert "Figures as of 2026-09-30 (set by you)" in text
    assert "ROPI" in text and "%" in text.splitlines()[-1]


def test_few_deals_after_the_other_sources_flag_nobody_new(demo_path, tmp_path, capsys):
    before = scorecard_json(demo_path, capsys)
    f = tmp_path / "deals.csv"
    f.write_text(FEW_DEALS)
    assert cli(["import", str(demo_path), str(f), "--kind", "deals"]) == 0
    out = capsys.readouterr().out
    assert "Imported 3 new" in out and 'recorded under "Actuals import: deals.csv"' in out
    after = scorecard_json(demo_path, capsys)
    assert after["as_of"] == before["as_of"] == "2026-11-15"
    through = {c["kind"]: c["through"] for c in after["coverage"]}
    assert through["deals"] == "2026-11-10" and through["logins"] == "2026-10-31"
    risky = lambda o: {p["partner"] for p in o["partners"] if p["at_risk"]}  # noqa: E731
    assert risky(after) <= risky(before)
    # The KPI refresh after the import is one history entry per plan, under the import.
    with Workspace.open(demo_path) as ws:
        revs = ws.revisions(1)
        assert (revs[-1].author, revs[-1].action) == ("Actuals import: deals.csv", "refresh")
        assert len([r for r in revs if r.author == "Actuals import: deals.csv"]) == 1


def test_gui_portfolio_and_cli_report_the_same_figures(qtbot, demo_path, tmp_path, capsys):
    from jbp.kpi import status_on
    from ui.context import AppContext
    from ui.portfolio import PortfolioPage

    f = tmp_path / "deals.csv"
    f.write_text(FEW_DEALS)
    assert cli(["import", str(demo_path), str(f), "--kind", "deals"]) == 0
    capsys.readouterr()
    cli_out = scorecard_json(demo_path, capsys)
    ctx = AppContext()
    ctx.set_workspace(Workspace.open(demo_path))
    try:
        page = PortfolioPage(ctx)
        qtbot.addWidget(page)
        with qtbot.waitSignal(page.refreshed, timeout=30_000):
            pass
        assert page.as_of.isoformat() == cli_out["as_of"]
        assert f"as of {cli_out['as_of']} ({cli_out['as_of_reason']})" in \
            page.as_of_label.text()
        assert "Sources end on different days" in page.as_of_label.text()
        gui = page.model.frame.set_index("partner_id")
        for rec in cli_out["partners"]:
            row = gui.loc[rec["partner_id"]]
            for col in ("sourced_revenue", "influenced_revenue", "tier", "at_risk"):
                assert row[col] == rec[col], col
            if rec["ropi"] is None:
                assert math.isnan(row["ropi"])
            else:
                assert row["ropi"] == pytest.approx(rec["ropi"])
        # A plan's KPI actual and attainment are the Portfolio's figures for it.
        ws = ctx.workspace
        doc = ws.plan_document(1)
        kpi = next(k for k in doc.kpis if k.metric == "sourced_revenue")
        status = status_on(kpi, ws.program(), doc.plan.fiscal_year, ctx.as_of, ctx.coverage())
        mine = gui.loc[doc.plan.partner_id]
        assert mine["plan_id"] == 1
        assert mine["plan_attainment"] == pytest.approx(status.attainment)
        assert mine["plan_rag"] == status.rag
        # The plan's actual for Q4 is the one the imports measure, November deals included.
        q4 = metrics.quarterly_values(metrics.Actuals.load(ws), "sourced_revenue",
                                      doc.plan.partner_id, 2026, ctx.as_of)[3]
        assert kpi.actual_q4 == q4 and status.through == dt.date(2026, 11, 10)
    finally:
        ctx.set_workspace(None)


# --------------------------------------------------------------------------- partial quarter


def test_quarter_in_progress_is_partial_in_chart_data_and_qbr(demo_ws):
    from jbp.charts import kpi_chart_data
    from jbp.qbr import plan_scorecard, quarter_labels

    program = demo_ws.program()
    doc = demo_ws.plan_document(1)
    card = plan_scorecard(doc, program, demo.AS_OF, coverage=coverage.coverage_of(demo_ws))
    line = next(x for x in card.kpis if x.kpi.metric == "sourced_revenue")
    # Deals are complete through 31 October: Q4 is measured to date, 31 of its 92 days.
    assert line.status.through == END
    assert line.period == "Q4 to date, 31 of 92 days"
    data = kpi_chart_data(line.kpi, line.status, quarter_labels(2026, 1))
    assert [d["partial"] for d in data] == [False, False, False, True]
    q4 = data[3]
    assert q4["partial_label"] == "Q4 to date, 31 of 92 days"
    assert q4["target_to_date"] == pytest.approx(line.kpi.target_q4 * 31 / 92)
    # The pro-rated target to date counts only the 31 days of Q4 the data covers.
    targets = line.kpi.targets
    assert line.status.target_to_date == pytest.approx(sum(targets[:3]) + targets[3] * 31 / 92)
    # A finished year has no quarter in progress.
    closed = plan_scorecard(demo_ws.plan_document(5), program, demo.AS_OF)
    assert all(x.status.partial is None for x in closed.kpis)


def test_partial_quarter_is_drawn_hatched(demo_ws):
    from matplotlib.figure import Figure

    from jbp.charts import draw_kpi
    from jbp.qbr import plan_scorecard

    card = plan_scorecard(demo_ws.plan_document(1), demo_ws.program(), demo.AS_OF,
                          coverage=coverage.coverage_of(demo_ws))
    line = next(x for x in card.kpis if x.kpi.metric == "sourced_revenue")
    ax = Figure().add_subplot()
    draw_kpi(ax, line.kpi, line.status, card.quarter_labels)
    hatched = [p for p in ax.patches if p.get_hatch() == "//"]
    assert len(hatched) == 1 and hatched[0].get_height() == line.kpi.actual_q4
    assert ax.get_xticklabels()[3].get_text().endswith("to date")


def test_the_dashboards_quarter_in_progress_is_marked_to_date(demo_actuals):
    """The Portfolio's revenue charts end on the deals' coverage, and the quarter in
    progress is labelled and flagged as to date, not drawn as a finished quarter."""
    from matplotlib.figure import Figure

    from jbp import dashboard
    from jbp.charts_portfolio import draw_revenue_by

    card = metrics.scorecard_from(demo_actuals, demo.AS_OF)
    table = dashboard.revenue_by(demo_actuals, card, demo.AS_OF, "type")
    assert table.index[-1] == "Q4 26 to date"
    assert table.attrs["partial"] == {"label": "Q4 26 to date", "days": 31, "of": 92}
    ax = Figure().subplots()
    draw_revenue_by(ax, table, "Revenue by partner type")
    last = [p for p in ax.patches if abs(p.get_x() + p.get_width() / 2 - (len(table) - 1)) < 1e-9]
    assert last and all(p.get_hatch() == "//" for p in last)
    # A finished quarter is not marked.
    done = dashboard.revenue_by(demo_actuals, card, dt.date(2026, 9, 30), "type")
    assert "partial" not in done.attrs and not done.index[-1].endswith("to date")
