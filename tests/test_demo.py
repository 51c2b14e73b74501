"""The demo workspace looks like a real mid-size SaaS partner program."""

from __future__ import annotations

import pandas as pd


def test_demo_program_shape(demo_ws):
    info = demo_ws.info()
    assert info["partners"] >= 40
    assert 3 <= len(demo_ws.program().tiers) <= 4
    assert sum(1 for n in info["partners_by_tier"].values() if n) >= 3
    assert len(info["partners_by_type"]) >= 4
    assert len(info["plans_by_status"]) >= 3
    deals = demo_ws.actuals("deals")
    months = deals.close_date.dt.to_period("M").nunique()
    assert months >= 12
    for kind in ("registrations", "logins", "certifications", "mdf"):
        assert len(demo_ws.actuals(kind)) > 0, kind
    assert set(deals.attribution) == {"sourced", "influenced"}


def test_tier_bands_and_concentration(demo_ws):
    tiers = {t.name: t for t in demo_ws.program().tiers}
    assert 50_000 <= tiers["Silver"].min_sourced_revenue <= 100_000
    assert 250_000 <= tiers["Gold"].min_sourced_revenue <= 500_000
    deals = demo_ws.actuals("deals")
    sourced = deals[deals.attribution == "sourced"].groupby("partner_id").amount.sum()
    sourced = sourced.reindex([p.id for p in demo_ws.partners()], fill_value=0)
    top = sourced.sort_values(ascending=False)
    top_fifth = top.iloc[: len(top) // 5].sum() / top.sum()
    assert top_fifth > 0.5, f"top 20% bring {top_fifth:.0%}"


def test_months_to_first_deal_is_a_few_months(demo_ws):
    deals = demo_ws.actuals("deals")
    first = deals[deals.attribution == "sourced"].groupby("partner_id").close_date.min()
    start = deals.close_date.min()
    recruits = [p for p in demo_ws.partners() if pd.Timestamp(p.signup_date) > start
                and p.id in first.index]
    months = [(first[p.id] - pd.Timestamp(p.signup_date)).days / 30.4 for p in recruits]
    assert recruits
    median = sorted(months)[len(months) // 2]
    assert 1.5 <= median <= 8, median


def test_plans_have_both_sides_talking(demo_ws):
    statuses = {p.status for p in demo_ws.plans()}
    assert {"Draft", "In review", "Approved", "Active", "Closed"} <= statuses
    active = next(p for p in demo_ws.plans() if p.status == "Active")
    doc = demo_ws.plan_document(active.id)
    assert doc.goals and doc.kpis and doc.initiatives and doc.accounts
    assert {c.side for c in doc.comments} == {"vendor", "partner"}
    assert any(k.actual_q1 is not None for k in doc.kpis)
    assert doc.plan.baseline is not None
    assert {s.side for s in doc.signoffs} == {"vendor", "partner"}
