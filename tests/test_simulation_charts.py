"""Charts draw on a caller's Axes (no pyplot state); sensitivity ranks levers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from jbp.errors import ValidationError
from jbp.progress import Progress
from simulation import charts
from simulation.runner import run
from simulation.scenario import Scenario
from simulation.sensitivity import sensitivity


@pytest.fixture(scope="module")
def scenario():
    return Scenario().with_changes({"recruitment.initial_partners": 30, "horizon_months": 12,
                                    "recruitment.arrivals_per_month": 4})


@pytest.fixture(scope="module")
def results(scenario):
    a = run(scenario, replications=5, seed=4)
    b = run(scenario.with_changes({"onboarding.mean_days": 20}, name="Fast"), replications=5,
            seed=4)
    return a, b


@pytest.fixture(scope="module")
def sens(scenario):
    seen = []
    out = sensitivity(scenario, ["deals.win_probability", "onboarding.mean_days",
                                 "onboarding.managers"], outcome="sourced_revenue", pct=0.3,
                      state=Progress(lambda f, _t: seen.append(f)), replications=4)
    # Non-decreasing (up to the rounding of start + width × fraction between the runs).
    assert seen[-1] == 1.0 and all(b >= a - 1e-12 for a, b in itertools.pairwise(seen))
    return out


@pytest.mark.parametrize("draw", [
    charts.plot_revenue, charts.plot_arr, charts.plot_ropi, charts.plot_partners_by_tier,
    charts.plot_onboarding_queue, charts.plot_days_to_first_revenue,
])
def test_single_result_charts_draw(draw, results):
    fig = Figure()
    ax = fig.subplots()
    draw(ax, results[0])
    assert ax.has_data()
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_overlay_and_deltas(results):
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    charts.plot_overlay(ax1, results, "sourced_revenue", cumulative=True)
    assert [t.get_text() for t in ax1.get_legend().get_texts()] == ["Baseline", "Fast"]
    charts.plot_deltas(ax2, results, "mean_days_to_first_revenue")
    assert ax2.has_data()


def test_sensitivity_ranks_and_tornado(sens):
    swings = [e.swing for e in sens.effects]
    assert swings == sorted(swings, reverse=True)
    win = next(e for e in sens.effects if e.lever == "deals.win_probability")
    assert win.low < sens.base < win.high  # more wins, more sourced revenue
    assert win.low_value == pytest.approx(0.25 * 0.7)
    managers = next(e for e in sens.effects if e.lever == "onboarding.managers")
    assert isinstance(managers.low_value, float) and managers.low_value != managers.high_value
    frame = sens.to_frame()
    assert list(frame["lever"]) == [e.lever for e in sens.effects]
    fig = Figure()
    ax = fig.subplots()
    charts.plot_tornado(ax, sens)
    assert len(ax.patches) == 2 * len(sens.effects)


def test_sensitivity_refuses_unknown_lever_and_outcome(scenario):
    with pytest.raises(ValidationError):
        sensitivity(scenario, ["deals.nope"], replications=1)
    with pytest.raises(ValidationError):
        sensitivity(scenario, outcome="happiness", replications=1)


def test_money_labels():
    assert charts.money(1_250_000) == "1.2M" and charts.money(350_000) == "350k"
    # Each step of the scale, its boundaries, and losses keep their sign.
    assert [charts.money(v) for v in (0, 999, 999.7, 1_000, 999_999, 999_960_000,
                                      3_200_000_000)] == [
        "0", "999", "1k", "1k", "1.0M", "1.0B", "3.2B"]
    assert charts.money(-2_500_000) == "-2.5M" and charts.money(-400) == "-400"


@given(st.floats(min_value=-5e11, max_value=5e11, allow_nan=False))
def test_money_labels_read_back_to_the_value(value):
    """A label is under 1000 of its unit and within half its last digit of the value."""
    label = charts.money(value)
    unit, step = {"B": (1e9, 0.05), "M": (1e6, 0.05), "k": (1e3, 0.5)}.get(label[-1], (1, 0.5))
    number = float(label[:-1] if label[-1] in "BMk" else label)
    assert abs(number) < 1000 or label.endswith("B")
    assert abs(number * unit - value) <= step * unit + 1e-9 * abs(value)


def test_tornado_of_a_fraction_speaks_percentage_points_like_its_table():
    """The tornado's axis says pp (a change of a fraction), as the table beside it does."""
    from types import SimpleNamespace

    from matplotlib.figure import Figure

    from simulation import charts

    effect = SimpleNamespace(low_delta=(-0.02, 0, 0), high_delta=(0.03, 0, 0), label="Win rate")
    sens = SimpleNamespace(effects=[effect], pct=0.1, outcome_label="Partner share",
                           unit="fraction")
    ax = Figure().subplots()
    charts.plot_tornado(ax, sens)
    text = ax.xaxis.get_major_formatter()(0.03, 0)
    assert text == "+3 pp" and "%" not in text
