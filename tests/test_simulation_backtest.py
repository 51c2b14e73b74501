"""Calibration as of a date and the back-test, on the demo workspace (issue 18)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from jbp.progress import Cancelled, Progress
from jbp.store import Workspace
from simulation.backtest import HEADLINE, METRICS, actual_series, backtest, mid_pit, origins
from simulation.calibrate import baseline_from_workspace
from simulation.state_at import workspace_at
from ui.cli import main

TRAIN = dt.date(2026, 4, 30)


@pytest.fixture(scope="module")
def ws(demo_master):
    with Workspace.open(demo_master) as w:
        yield w


def test_workspace_as_of_a_date_sees_nothing_after_it(ws):
    at = workspace_at(ws, TRAIN)
    ts = np.datetime64(TRAIN)
    for kind, col in (("deals", "close_date"), ("registrations", "reg_date"),
                      ("certifications", "cert_date"), ("mdf", "mdf_date")):
        assert (at.frames[kind][col].to_numpy() <= ts).all(), kind
    # Partners: none signed later; activations and churn after the date are not known.
    assert all(p.signup_date <= TRAIN for p in at.partners)
    assert all(p.activated_on is None or p.activated_on <= TRAIN for p in at.partners)
    assert all(p.churned_on is None or p.churned_on <= TRAIN for p in at.partners)
    now = {p.id: p for p in ws.partners()}
    assert any(now[p.id].churned_on and not p.churned_on for p in at.partners)
    # A registration won after the date was still open then; the open ones have ages.
    regs = at.frames["registrations"]
    assert (regs["status"] == "approved").sum() > (
        ws.actuals("registrations").query("reg_date <= @TRAIN")["status"] == "approved").sum()
    assert sum(at.open_by_age.values()) > 0 and min(at.open_by_age) == 0


def test_tiers_then_follow_the_program_rules_not_todays_tier(ws):
    at = workspace_at(ws, TRAIN)
    then = {p.id: p.tier for p in at.partners}
    now = {p.id: p.tier for p in ws.partners()}
    assert set(then.values()) <= {"", "Registered", "Silver", "Gold", "Platinum"}
    assert any(then[i] != now[i] for i in then)  # tiers moved since
    assert workspace_at(ws, None).partners[0].tier == ws.partners()[0].tier


def test_calibration_as_of_uses_only_data_up_to_the_date(ws):
    early = baseline_from_workspace(ws, as_of=dt.date(2026, 1, 31)).scenario
    late = baseline_from_workspace(ws, as_of=TRAIN).scenario
    assert early.deals.initial_open_by_age != late.deals.initial_open_by_age
    assert late.deals.sales_cycle_distribution == "gamma"
    assert 2.0 < late.deals.sales_cycle_months < 4.0
    # The base win rate is net of the certification uplift most partners have.
    cal = baseline_from_workspace(ws, as_of=TRAIN)
    win = next(e for e in cal.estimates if e.path == "deals.win_probability")
    assert "net of the uplifts" in win.basis
    regs = workspace_at(ws, TRAIN).frames["registrations"]
    decided = regs[regs["status"].isin(["won", "lost"]) & ~regs["conflict"]]
    assert late.deals.win_probability < (decided["status"] == "won").mean()


def test_calibration_as_of_takes_the_starting_state_and_rates_from_the_workspace(ws):
    cal = baseline_from_workspace(ws, as_of=TRAIN)
    sc, basis = cal.scenario, {e.path: e.basis for e in cal.estimates}
    at = workspace_at(ws, TRAIN)
    start = [p for p in at.partners if p.churned_on is None and p.activated_on]
    rec = sc.recruitment
    assert len(rec.initial_tenure_months) == len(start) == rec.initial_partners
    # Tenure and idle months as of the date, in the order of the starting partners.
    first = start[0]
    assert rec.initial_tenure_months["0"] == pytest.approx(
        (TRAIN - first.activated_on).days / (365.25 / 12), abs=0.01)
    regs = at.frames["registrations"]
    last = regs[regs["partner_id"] == first.id]["reg_date"].max().date()
    assert rec.initial_idle_months["0"] == pytest.approx(
        (TRAIN - last).days / (365.25 / 12), abs=0.01)
    assert 0 < sum(v >= 6 for v in rec.initial_idle_months.values()) < len(start)
    assert len(rec.initial_onboarding_elapsed_days) == rec.initial_onboarding
    # Churn net of its drivers: below the observed rate when drivers are common.
    assert "net of the drivers" in basis["churn.base_hazard"]
    # The LMS export's first two months date people certified before it: left out.
    assert "first 2 month(s)" in basis["enablement.certification_rate"]
    certs = at.frames["certifications"]
    assert sc.enablement.certification_rate < len(certs) / 500
    assert 0 < sc.deals.win_probability_cv < 0.2 and 0 < sc.deals.registrations_cv < 0.1


def test_calibration_reports_each_stage_and_stops_when_cancelled(ws):
    """Tens of seconds at 20,000 partners: each estimating stage reports, and a cancel
    asked for during one stops the calibration before the next."""
    texts: list[str] = []
    progress = Progress(lambda f, t: texts.append(t or ""))
    baseline_from_workspace(ws, as_of=TRAIN, progress=progress)
    stages = [t for t in texts if t.startswith("estimating ")]
    assert stages[:2] == ["estimating registrations", "estimating deals"]
    assert "estimating churn" in stages and "estimating MDF" in stages

    seen: list[str] = []

    def cancel_at_churn(_f, text):
        seen.append(text or "")
        if text == "estimating churn":
            stopping.cancel()

    stopping = Progress(cancel_at_churn)
    with pytest.raises(Cancelled):
        baseline_from_workspace(ws, as_of=TRAIN, progress=stopping)
    assert seen[-1] == "estimating churn" and "estimating MDF" not in seen


def test_actual_series_counts_calendar_months_after_the_date(ws):
    act = actual_series(ws, TRAIN, 6)
    regs = ws.actuals("registrations")
    may = regs[(regs["reg_date"] >= "2026-05-01") & (regs["reg_date"] <= "2026-05-31")]
    assert act["registrations"][0] == len(may)
    assert set(act) == set(METRICS)
    # The flows that move the active-partner stock, from the partner list's own dates:
    # stock at the end = stock before + activated - churned.
    parts = ws.partners()
    churned = [p.churned_on for p in parts if p.churned_on
               and dt.date(2026, 5, 1) <= p.churned_on <= dt.date(2026, 10, 31)]
    signed = [p.signup_date for p in parts
              if dt.date(2026, 5, 1) <= p.signup_date <= dt.date(2026, 10, 31)]
    assert act["partners_churned"].sum() == len(churned) > 0
    assert act["sign_ups"].sum() == len(signed)
    before = sum(1 for p in parts if p.activated_on and p.activated_on <= TRAIN
                 and (p.churned_on is None or p.churned_on > TRAIN))
    activated = sum(1 for p in parts if p.activated_on
                    and TRAIN < p.activated_on <= dt.date(2026, 10, 31))
    assert act["active_partners"][-1] == before + activated - len(churned)


def test_mid_pit_counts_ties_half():
    sim = np.array([1, 2, 2, 2, 3])
    assert mid_pit(sim, 2) == pytest.approx(0.5)
    assert mid_pit(sim, 0) == 0.0 and mid_pit(sim, 9) == 1.0


def test_backtest_on_the_demo(ws):
    bt = backtest(ws, TRAIN, 6, replications=60)
    assert bt.months == 6
    book = bt.get("sourced_bookings")
    assert book.inside_80 and abs(book.error) <= 0.10
    assert bt.get("registrations").inside_80
    for s in bt.series:
        assert s.p10 <= s.p50 <= s.p90 and len(s.monthly) == 6
    assert origins(ws, 6)[0] == dt.date(2025, 11, 30)


def test_backtest_cli_json(demo_master, capsys):
    code = main(["backtest", str(demo_master), "--train-until", "2026-04-30", "--months", "3",
                 "-n", "30", "--no-rolling", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["train_until"] == "2026-04-30" and out["months"] == 3
    first = out["series"][0]
    assert {"metric", "actual", "p10", "p50", "p90", "inside_80"} <= set(first)
    assert [s["metric"] for s in out["series"]] == list(METRICS)
    assert out["rolling"] == {}
    assert set(HEADLINE) <= set(METRICS)


def test_backtest_cli_refuses_dates_outside_the_data(demo_master, capsys):
    assert main(["backtest", str(demo_master), "--train-until", "2020-01-31"]) == 2
    assert "before the first actuals" in capsys.readouterr().err
    assert main(["backtest", str(demo_master), "--train-until", "2026-10-31"]) == 2
    assert "no full month" in capsys.readouterr().err


def test_baseline_as_of_cli(demo_master, tmp_path, capsys):
    out = tmp_path / "b.toml"
    assert main(["scenario", "baseline", str(demo_master), str(out), "--as-of",
                 "2026-04-30"]) == 0
    text = capsys.readouterr().out
    assert "Calibrated as of 2026-04-30 (set by you)" in text
    assert "open on 2026-04-30" in text


def test_rolling_says_how_many_calendar_months_its_share_rests_on():
    from simulation.backtest import Backtest, Rolling

    runs = [Backtest(dt.date(2026, 1, 31), 3, [], 1), Backtest(dt.date(2026, 2, 28), 3, [], 1),
            Backtest(dt.date(2026, 4, 30), 1, [], 1)]
    # Feb-Apr, Mar-May and May: six origin-months over four calendar months.
    assert Rolling(runs).distinct_months() == 4


@pytest.fixture(scope="module")
def steady(tmp_path_factory):
    """The demo's steady variant: recruits sign up and churners leave at any time of the
    window (the demo recruits only in its first 330 days and loses its churners 300-500
    days in, a change of regime after 2026-04-30 that no data before it shows)."""
    from jbp import demo

    path = demo.generate(tmp_path_factory.mktemp("steady") / "steady.jbp", steady=True)
    with Workspace.open(path) as w:
        yield w


def test_steady_variant_spreads_recruiting_and_churn_over_the_window(steady, ws):
    start = dt.date(2025, 5, 1)
    late = [p for p in steady.partners() if p.signup_date > start + dt.timedelta(days=330)]
    early_churn = [p for p in steady.partners()
                   if p.churned_on and p.churned_on < start + dt.timedelta(days=300)]
    assert late and early_churn
    assert not [p for p in ws.partners() if p.signup_date > start + dt.timedelta(days=330)]
    # Everything else is the demo's: the same partners, program and plans.
    assert [p.name for p in steady.partners()] == [p.name for p in ws.partners()]
    assert len(steady.plans()) == len(ws.plans())


def test_launch_factors_estimated_from_the_recruits_seen_before_and_after_their_launch(steady):
    # The generator gives a new partner ×2.5 registrations (at least 0.8 a month) in its
    # first 120 days: about ×2 over the model's 6-month launch period.
    cal = baseline_from_workspace(steady, as_of=TRAIN)
    est = {e.path: e for e in cal.estimates}
    reg = est["deals.new_partner_registration_factor"]
    assert reg.estimated and 1.5 < cal.scenario.deals.new_partner_registration_factor < 3.0, reg
    assert "each partner against itself" in reg.basis
    assert est["deals.new_partner_win_factor"].estimated
    # The base registration rate leaves the launch months out.
    assert "after the partners' launch periods" in est["deals.registrations_per_month"].basis


def test_backtest_on_the_steady_variant_holds_the_headline_series(steady):
    bt = backtest(steady, TRAIN, 6, replications=200)
    for m in HEADLINE:
        assert bt.get(m).inside_80, (m, bt.get(m))
    assert abs(bt.get("sourced_bookings").error) <= 0.10
