"""Runner and results: determinism, parallel runs, progress and cancellation, totals, ROPI,
serialisation and comparison."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats

from jbp.progress import Cancelled, Progress
from simulation.results import COST_PARTS, METRICS, ScenarioResult, compare, mean_ci, t_quantile_975
from simulation.runner import run
from simulation.scenario import Scenario


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario().with_changes({
        "recruitment.initial_partners": 40, "horizon_months": 18,
        "recruitment.initial_tier_mix": {"Registered": 0.6, "Silver": 0.3, "Gold": 0.1}})


@pytest.fixture(scope="module")
def result(scenario) -> ScenarioResult:
    return run(scenario, replications=8, seed=99)


def test_same_seed_same_numbers_exactly(scenario, result):
    again = run(scenario, replications=8, seed=99)
    for k, v in result.monthly.items():
        assert np.array_equal(v, again.monthly[k]), k
    assert np.array_equal(result.tier_counts, again.tier_counts)
    other = run(scenario, replications=8, seed=100)
    assert not np.array_equal(result.monthly["sourced_revenue"], other.monthly["sourced_revenue"])


def test_fewer_replications_are_a_prefix(scenario, result):
    part = run(scenario, replications=3, seed=99)
    assert np.array_equal(part.monthly["wins"], result.monthly["wins"][:3])


def test_parallel_workers_give_identical_results(scenario, result):
    states = []
    par = run(scenario, Progress(lambda f, _t: states.append(f)), replications=8, seed=99,
              workers=2, chunk=2)
    for k, v in result.monthly.items():
        assert np.array_equal(v, par.monthly[k]), k
    assert states[-1] == 1.0 and states == sorted(states)


def test_progress_and_cancellation(scenario):
    seen = []
    state = Progress()

    def progress(f, _text):
        seen.append(f)
        if f >= 0.25:
            state.cancel()

    state.on_report = progress
    with pytest.raises(Cancelled):
        run(scenario, state, replications=8, seed=1)
    assert 0.25 <= max(seen) < 1.0


def test_cancel_before_start_stops_inside_the_first_replication(scenario):
    state = Progress()
    state.cancel()
    with pytest.raises(Cancelled):
        run(scenario, state, replications=2)


def test_result_arrays_grow_with_months_not_events(result):
    r, h = result.replications, result.months
    for v in result.monthly.values():
        assert v.shape == (r, h)
    assert result.tier_counts.shape == (r, h, len(result.tier_names))


def test_totals_are_sums_of_monthly_parts(result):
    for name, meta in METRICS.items():
        total, series = result.total(name), result.series(name)
        if meta.kind == "flow":
            np.testing.assert_allclose(total, series.sum(axis=1))
        elif meta.kind == "stock":
            np.testing.assert_array_equal(total, series[:, -1])
    np.testing.assert_allclose(result.total("investment"),
                               sum(result.total(k) for k in COST_PARTS))
    tiers = sum(result.series(f"tier:{t}") for t in result.tier_names)
    np.testing.assert_array_equal(tiers, result.series("partners_active"))


def test_ropi_equals_its_formula(result):
    w = result.influence_weight
    attributed = result.total("sourced_revenue") + w * result.total("influenced_revenue")
    net = attributed - result.total("margins") - result.total("rebates")
    inv = sum(result.total(k) for k in COST_PARTS)
    np.testing.assert_allclose(result.total("ropi"), (net - inv) / inv)
    np.testing.assert_allclose(result.series("ropi")[:, -1], result.total("ropi"))
    parts = result.ropi_components()
    assert parts["investment"] == pytest.approx(parts["mdf_spent"] + parts["cost_people"]
                                                + parts["cost_enablement"]
                                                + parts["cost_overhead"]
                                                + parts["cost_recruitment"])


def test_serialisation_round_trips(result, tmp_path):
    for back in (ScenarioResult.from_bytes(result.to_bytes()),
                 ScenarioResult.from_json(result.to_json())):
        assert back.name == result.name and back.tier_names == result.tier_names
        for k, v in result.monthly.items():
            np.testing.assert_array_equal(back.monthly[k], v)
        np.testing.assert_array_equal(back.hist_first_revenue, result.hist_first_revenue)
        assert back.summary().equals(result.summary())
    frame = result.to_frame()
    assert len(frame) == result.replications * result.months
    assert {"replication", "month", "sourced_revenue", "ropi", "tier:Gold"} <= set(frame)


def test_aggregate_bands_are_ordered(result):
    agg = result.aggregate("sourced_revenue")
    assert list(agg.columns) == ["mean", "p10", "p50", "p90", "ci_low", "ci_high"]
    assert (agg["p10"] <= agg["p50"]).all() and (agg["p50"] <= agg["p90"]).all()
    assert (agg["ci_low"] <= agg["mean"]).all() and (agg["mean"] <= agg["ci_high"]).all()


def test_compare_gives_paired_deltas(scenario, result):
    variant = run(scenario.with_changes({"onboarding.mean_days": 20}, name="Fast"),
                  replications=8, seed=99)
    table = compare([result, variant], ["sourced_revenue", "mean_days_to_active"])
    row = table.loc[("mean_days_to_active", "Fast")]
    assert row["paired"] and row["delta"] < 0 and row["delta_ci_high"] < 0
    assert table.loc[("sourced_revenue", result.name), "delta"] == 0


@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 30, 99, 1000])
def test_t_quantile_matches_scipy(df):
    assert t_quantile_975(df) == pytest.approx(scipy.stats.t.ppf(0.975, df), rel=2e-3)


def test_mean_ci_ignores_nan():
    mean, lo, hi = mean_ci(np.array([1.0, 2.0, np.nan, 3.0]))
    assert mean == 2.0 and lo < 2.0 < hi


def test_parallel_run_can_be_cancelled_and_pool_reused(scenario, result):
    state = Progress()
    state.on_report = lambda f, _t: state.cancel() if f > 0 else None
    with pytest.raises(Cancelled):
        run(scenario, state, replications=40, seed=99, workers=2, chunk=1)
    again = run(scenario, replications=8, seed=99, workers=2)
    assert np.array_equal(again.monthly["wins"], result.monthly["wins"])


def test_memory_is_linear_in_months():
    # Peak memory of one replication of 200 partners at 150 and 600 months: four times the
    # months may take about four times the memory (linear), not sixteen (quadratic).
    import tracemalloc

    from simulation.model import simulate_replications
    from simulation.runner import replication_seed

    sc = Scenario().with_changes({"recruitment.initial_partners": 200,
                                  "recruitment.arrivals_per_month": 0.0,
                                  "deals.influenced_per_month": 0.0})
    peaks = []
    for months in (150, 600):
        tracemalloc.start()
        simulate_replications(sc.with_changes({"horizon_months": months}),
                              [replication_seed(1, 0)])
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] / peaks[0] < 5.0, peaks
