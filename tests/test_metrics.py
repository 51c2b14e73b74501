"""Every metric on a small fixed data set, against values worked out by hand.

The data set (tests/data/small/*.csv, imported through the real importers) is worked through
in docs/metrics.md. Every export was extracted on 2026-06-30 (given at import), so each source
is complete through that day and T12M is (2025-06-30, 2026-06-30] whatever the "as of" after it.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from jbp import bindings, importers, metrics
from jbp.commands import History
from jbp.model import Partner, Program, Tier
from jbp.store import Workspace
from jbp.tiers import TierStanding

DATA = Path(__file__).parent / "data" / "small"
AS_OF = dt.date(2026, 6, 30)

PROGRAM = Program(
    name="Test program", currency="USD", influence_weight=0.5, direct_cac=10_000.0,
    tiers=[Tier("Registered", 0, 0, 0, 0, margin=0.10, rebate=0.0),
           Tier("Silver", 1, 100_000, 2, 2, margin=0.20, rebate=0.05, mdf_eligible=True)])


def build_small(path: Path) -> Workspace:
    ws = Workspace.create(path, PROGRAM)
    ws.add_partner(Partner(name="Alpha Partners", type="Reseller", region="EMEA",
                           signup_date=dt.date(2024, 1, 1)))
    ws.add_partner(Partner(name="Beta Systems", type="SI", region="APAC",
                           signup_date=dt.date(2026, 1, 1)))
    ws.add_partner(Partner(name="Gamma Cloud", type="MSP", region="EMEA",
                           signup_date=dt.date(2024, 6, 1), churned_on=dt.date(2026, 5, 1)))
    for kind in importers.KINDS:
        report, result = importers.run_import(ws, DATA / f"{kind}.csv", kind)
        assert not report.errors, report.text()
        assert result is not None and result.inserted == report.rows
        ws.set_extract_date(result.import_id, AS_OF)
    with ws.transaction():
        ws.execute("INSERT INTO imports (kind, file, imported_at, rows_taken, rows_rejected, "
                   "rows_duplicate, extract_date) VALUES ('program_costs', 'costs.csv', "
                   "'2026-07-01 09:00:00', 4, 0, 0, ?)", (AS_OF.isoformat(),))
        ws.insert_actuals("program_costs", [
            ("2025-05-01", "people", 999.0, None),       # before the window
            ("2026-01-01", "people", 3000.0, None),      # shared by 3 partners
            ("2026-02-01", "overhead", 600.0, None),     # shared by 3 partners
            ("2026-03-01", "enablement", 900.0, 1),      # Alpha's own
        ], [])
    return ws


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    ws = build_small(tmp_path_factory.mktemp("small") / "small.jbp")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def card(small) -> pd.DataFrame:
    return metrics.scorecard(small).set_index("partner")


def test_each_source_is_read_through_its_extract_date(small, card):
    cov = metrics.Actuals.load(small).coverage
    assert {k: cov.end(k) for k in cov.sources} == {k: AS_OF for k in cov.sources}
    assert not cov.uneven()
    # Not pinned and not set: the as-of is today; every source is read to 2026-06-30.
    assert card.attrs["as_of"] == dt.date.today()
    assert set(card.attrs["through"].values()) == {AS_OF}


def test_revenue(card):
    a, b, c = card.loc["Alpha Partners"], card.loc["Beta Systems"], card.loc["Gamma Cloud"]
    assert a.sourced_revenue == 110_000          # D1 60k + D2 50k (D5 is older than T12M)
    assert a.influenced_revenue == 40_000        # D3
    assert a.attributed_revenue == 130_000       # 110k + 0.5 × 40k
    assert b.sourced_revenue == 20_000 and c.sourced_revenue == 5_000


def test_tiers_and_gaps(card):
    a, b = card.loc["Alpha Partners"], card.loc["Beta Systems"]
    assert (a.tier, a.next_tier) == ("Silver", "")   # 110k, 2 people, 2 logos
    assert a.certified_people == 2 and a.new_logos == 2
    assert (b.tier, b.next_tier) == ("Registered", "Silver")
    assert (b.gap_sourced_revenue, b.gap_certified_people, b.gap_new_logos) == (80_000, 1, 1)
    # Beta's run-rate: 20k in the last 180 days = 40,556 a year < 100k: never at this pace.
    assert pd.isna(b.projected_next_tier_date)


def test_net_revenue_investment_ropi(card):
    a, b, c = card.loc["Alpha Partners"], card.loc["Beta Systems"], card.loc["Gamma Cloud"]
    assert a.margins == pytest.approx(22_000) and a.rebates == pytest.approx(5_500)
    assert a.net_revenue == pytest.approx(102_500)
    assert a.mdf_spent == 15_000
    # Jan people 3,000 / 3 + Feb overhead 600 / 3 + Alpha's own enablement 900.
    assert a.program_costs == pytest.approx(2_100)
    assert a.investment == pytest.approx(17_100)
    assert a.ropi == pytest.approx(85_400 / 17_100)
    assert a.mdf_roi == pytest.approx(130_000 / 15_000)
    assert b.net_revenue == pytest.approx(18_000) and b.investment == pytest.approx(1_200)
    assert b.ropi == pytest.approx(14.0)
    assert c.net_revenue == pytest.approx(4_500) and c.ropi == pytest.approx(2.75)
    assert math.isnan(b.mdf_roi)


def test_cltv_cac_time_to_first_revenue(card):
    a, b = card.loc["Alpha Partners"], card.loc["Beta Systems"]
    # X: 60k ARR / 0.2 churn × 0.75; Y: 50k one-off × 0.75; V: 30k ARR / 0.2 × 0.75.
    assert a.customers == 3
    assert a.cltv == pytest.approx((225_000 + 37_500 + 112_500) / 3)
    assert b.customers == 1 and b.cltv == pytest.approx(90_000)
    assert a.cac == pytest.approx((17_100 + 22_000 + 5_500) / 2)
    assert b.cac == pytest.approx(3_200)
    assert math.isnan(a.time_to_first_revenue_days)   # signed up before the actuals begin
    assert b.time_to_first_revenue_days == 31          # 2026-01-01 → 2026-02-01


def test_leading_indicators_and_mdf(card):
    a, b = card.loc["Alpha Partners"], card.loc["Beta Systems"]
    assert a.logins_90d == 4 and b.logins_90d == 3
    # The baseline (the 90 days before, from 2026-01-02) starts before the first login
    # (2026-01-10): a window without data is not a quiet window, so no trend.
    assert math.isnan(a.logins_trend) and math.isnan(b.logins_trend)
    assert a.registrations_90d == 1 and math.isnan(a.registrations_trend)
    assert a.certifications_90d == 0
    assert a.mdf_approved == 20_000 and a.mdf_utilisation == pytest.approx(0.75)


def test_risk(card):
    a, b, c = card.loc["Alpha Partners"], card.loc["Beta Systems"], card.loc["Gamma Cloud"]
    assert a.days_since_activity == 51                  # last activity D2 on 2026-05-10
    # No trend can be judged (see above): only inactivity counts.
    assert a.risk_score == pytest.approx(0.2 * (51 / 90))
    assert not a.at_risk and a.risk_reasons == ""
    assert b.risk_score == pytest.approx(0.2 * 10 / 90) and not b.at_risk
    assert c.status == "churned" and not c.at_risk and math.isnan(c.risk_score)
    assert c.risk_reasons == "churned on 2026-05-01"


def test_program_summary(small):
    s = metrics.program_summary(small)
    assert s["sourced_revenue"] == 135_000 and s["influenced_revenue"] == 40_000
    assert s["attributed_revenue"] == 155_000
    assert s["margins"] == pytest.approx(24_500) and s["rebates"] == pytest.approx(5_500)
    assert s["net_revenue"] == pytest.approx(125_000)
    assert (s["people"], s["overhead"], s["enablement"], s["recruitment"]) == (
        3000, 600, 900, 0)
    assert s["mdf_spent"] == 15_000 and s["investment"] == pytest.approx(19_500)
    assert s["ropi"] == pytest.approx((125_000 - 19_500) / 19_500)
    assert s["mdf_roi"] == pytest.approx(155_000 / 15_000)
    assert s["new_channel_customers"] == 4                # X, Y, W, U
    assert s["cac_channel"] == pytest.approx(49_500 / 4)
    assert s["cac_ratio"] == pytest.approx(12_375 / 10_000)


def test_project_tier_date():
    tier = Tier("Gold", 2, 100_000, 2, 1, margin=0.2)
    standing = TierStanding(50_000, 1, 1)
    day = metrics.project_tier_date(standing, tier, AS_OF, revenue_run_rate=150_000,
                                    logos_run_rate=2, certs_per_day=0.05)
    # revenue: (100k - 50k) / (150k - 50k) × 365 = 182.5 → 183 days; one person: 20 days
    assert day == AS_OF + dt.timedelta(days=183)
    assert metrics.project_tier_date(standing, tier, AS_OF, revenue_run_rate=90_000,
                                     logos_run_rate=2, certs_per_day=0.05) is None
    assert metrics.project_tier_date(standing, tier, AS_OF, revenue_run_rate=150_000,
                                     logos_run_rate=2, certs_per_day=0.0) is None


def test_bindable_metrics_per_quarter(small):
    a = metrics.Actuals.load(small)
    q = lambda name: metrics.quarterly_values(a, name, 1, 2026)  # noqa: E731
    assert q("sourced_revenue") == [60_000, 50_000, None, None]
    assert q("influenced_revenue") == [0, 40_000, None, None]
    assert q("attributed_revenue") == [60_000, 70_000, None, None]
    assert q("registrations") == [2, 1, None, None]
    assert q("win_rate") == [0.5, 1.0, None, None]
    assert q("certified_people") == [2, 2, None, None]
    assert q("certifications") == [1, 0, None, None]
    assert q("portal_logins") == [12, 4, None, None]
    assert q("new_logos") == [1, 1, None, None]
    assert q("mdf_claimed") == [15_000, 0, None, None]
    assert q("mdf_utilisation") == [0.75, None, None, None]
    assert q("days_to_close") == [59, 30, None, None]
    for name in ("sourced_revenue", "registrations", "win_rate", "certified_people",
                 "portal_logins", "influenced_revenue"):
        assert name in metrics.METRICS   # the names the shipped template binds to


def test_monthly_series(small):
    a = metrics.Actuals.load(small)
    m = metrics.monthly_series(a, 1, months=6)
    assert list(m.index.strftime("%Y-%m")) == ["2026-01", "2026-02", "2026-03", "2026-04",
                                               "2026-05", "2026-06"]
    assert m.loc["2026-03-01", "sourced_revenue"] == 60_000
    assert m.loc["2026-01-01", "logins"] == 12
    assert list(m["certified_people"]) == [1, 2, 2, 2, 2, 2]
    assert m.loc["2026-03-01", "mdf_claimed"] == 15_000


def test_refresh_bound_kpis_is_one_undoable_step(demo_ws):
    before = {k.id: k.actuals for p in demo_ws.plans() for k in
              demo_ws.plan_document(p.id).kpis}
    # The demo's plans were refreshed from its imports when it was built.
    assert bindings.refresh_macro(demo_ws) == (None, [])
    # Erase the bound actuals (as if never refreshed): one refresh fills them again.
    with demo_ws.transaction():
        demo_ws.execute("UPDATE kpis SET actual_q2 = NULL, actual_q3 = NULL "
                        "WHERE metric != ''")
    before = {k.id: k.actuals for p in demo_ws.plans() for k in
              demo_ws.plan_document(p.id).kpis}
    macro, updates = bindings.refresh_macro(demo_ws, editor=bindings.import_editor(
        "/tmp/crm/deals.csv"))
    assert macro is not None and len(updates) > 20
    assert all(u.new is not None for u in updates)
    plans = {u.plan_id for u in updates}
    counts = {p: len(demo_ws.revisions(p)) for p in plans}
    hist = History(demo_ws)
    hist.run(macro)
    again, more = bindings.refresh_macro(demo_ws)
    assert again is None and more == []          # refreshing twice changes nothing
    u = updates[0]
    doc = demo_ws.plan_document(u.plan_id)
    kpi = next(k for k in doc.kpis if k.id == u.kpi_id)
    assert kpi.actuals[u.quarter] == u.new
    # One history entry per plan, credited to the import, holding every cell it changed.
    for p in plans:
        revs = demo_ws.revisions(p)
        assert len(revs) == counts[p] + 1
        entry = revs[-1]
        assert (entry.author, entry.action) == ("Actuals import: deals.csv", "refresh")
        cells = bindings.refresh_cells(entry)
        assert len(cells) == sum(1 for x in updates if x.plan_id == p)
        assert all(old is None and new is not None for _, old, new in cells)
    hist.undo()
    after = {k.id: k.actuals for p in demo_ws.plans() for k in
             demo_ws.plan_document(p.id).kpis}
    assert after == before


def test_refresh_fills_only_started_quarters(demo_ws):
    _, updates = bindings.refresh_macro(demo_ws, as_of=dt.date(2026, 2, 10))
    assert updates and all(u.quarter == 0 for u in updates)


def test_churn_backtest_on_demo(demo_ws):
    result = metrics.churn_backtest(metrics.Actuals.load(demo_ws), lead_days=60)
    assert result["churners"] == 5
    assert result["auc"] > 0.8


def test_demo_scorecard_shape(demo_ws):
    card = metrics.scorecard(demo_ws)
    assert len(card) == len(demo_ws.partners())
    for col in ("partner_id", "partner", "type", "region", "tier", "next_tier",
                "sourced_revenue", "influenced_revenue", "attributed_revenue", "ropi",
                "net_revenue", "investment", "cltv", "time_to_first_revenue_days",
                "logins_90d", "certified_people", "registrations_90d", "mdf_utilisation",
                "gap_sourced_revenue", "gap_certified_people", "gap_new_logos",
                "projected_next_tier_date", "risk_score", "at_risk", "risk_reasons"):
        assert col in card.columns
    assert card["at_risk"].dtype == bool
    # The tier the demo stored is the tier the rules give on the same date.
    assert (card["tier"] == card["stored_tier"]).mean() > 0.9


def test_kpi_attainment_reuses_kpi_status_with_metric_values(demo_ws):
    from jbp.kpi import kpi_status

    a = metrics.Actuals.load(demo_ws)
    as_of = dt.date(2026, 10, 31)
    status = metrics.kpi_attainment(a, as_of)
    assert set(status["fiscal_year"]) == {2026}
    row = status[(status["plan_id"] == 1) & (status["metric"] == "sourced_revenue")].iloc[0]
    doc = demo_ws.plan_document(1)
    kpi = next(k for k in doc.kpis if k.metric == "sourced_revenue")
    values = metrics.quarterly_values(a, "sourced_revenue", doc.plan.partner_id, 2026, as_of)
    filled = kpi.replace(**{f"actual_q{q + 1}": v for q, v in enumerate(values)})
    expected = kpi_status(filled, a.program, 2026, as_of)
    assert row["actual_to_date"] == pytest.approx(sum(v for v in values if v is not None))
    assert row["attainment"] == pytest.approx(expected.attainment)
    assert row["rag"] == expected.rag
    card = metrics.scorecard_from(a, as_of).set_index("partner_id")
    me = card.loc[doc.plan.partner_id]
    assert me["plan_id"] == 1 and me["plan_status"] == "Active"
    assert me["plan_attainment"] == pytest.approx(expected.attainment)
    assert me["plan_rag"] == expected.rag
    assert card["plan_id"].notna().sum() == len(set(status["partner_id"]))


def test_every_bindable_metric_name_has_a_formula_and_others_are_refused():
    from jbp.errors import ValidationError
    from jbp.metrics import METRICS
    from jbp.model import BINDABLE_METRICS, Kpi

    assert set(BINDABLE_METRICS) == set(METRICS)
    assert Kpi(goal_id=1, name="k", metric="SOURCED_REVENUE").metric == "sourced_revenue"
    with pytest.raises(ValidationError, match="KPI Bound metric: 'sourced revenue' is not one"):
        Kpi(goal_id=1, name="k", metric="sourced revenue")


def test_quarters_before_the_actuals_begin_are_not_zero(demo_ws):
    actuals = metrics.Actuals.load(demo_ws)
    pid = demo_ws.plans()[0].partner_id
    values = metrics.quarterly_values(actuals, "sourced_revenue", pid, 2025,
                                      dt.date(2026, 10, 31))
    assert values[0] is None            # Jan-Mar 2025: the demo's actuals start in May 2025
    assert all(v is not None for v in values[1:])
