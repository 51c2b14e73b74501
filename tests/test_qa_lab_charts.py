"""The Results tab's charts at the size they get on a 1366x768 laptop (about 300 x 235
pixels each): the legend names the lines whole, inside the chart, and leaves most of the
plot free. Drawn as the Lab's render thread draws them (its margins and font sizes)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

from simulation import charts
from simulation.runner import run
from simulation.scenario import Scenario
from ui.scenario_lab.canvas import DEFAULT_MARGINS

#: A chart of the Results tab's grid at 1366x768 (three columns in about 900 pixels).
LAPTOP_CHART = (300, 235)


@pytest.fixture(scope="module")
def result():
    sc = Scenario().with_changes({"recruitment.initial_partners": 30, "horizon_months": 12,
                                  "recruitment.arrivals_per_month": 4})
    return run(sc, replications=5, seed=4)


def laptop_axes():
    w, h = LAPTOP_CHART
    fig = Figure(figsize=(w / 96, h / 96), dpi=96)
    ax = fig.add_subplot(1, 1, 1)
    left, right, top, bottom = DEFAULT_MARGINS
    fig.subplots_adjust(left=left / w, right=1 - right / w, top=1 - top / h,
                        bottom=bottom / h)
    return fig, ax


@pytest.mark.parametrize("plot, lines", [
    (charts.plot_revenue, ["Partner-sourced revenue", "Partner-influenced revenue"]),
    (charts.plot_arr, ["ARR at month end", "Sourced ARR"]),
    (charts.plot_onboarding_queue, ["Onboarding queue", "Partners onboarding"]),
])
def test_a_laptop_sized_chart_names_its_lines_whole_inside_the_chart(result, plot, lines):
    fig, ax = laptop_axes()
    plot(ax, result)
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_fontsize(9)
    ax.tick_params(labelsize=8)
    fig.canvas.draw()
    legend = ax.get_legend()
    # One entry a line: the bands are P10–P90 for every line (the heading says so).
    assert [t.get_text() for t in legend.get_texts()] == lines
    box = legend.get_window_extent()
    chart = fig.bbox
    assert box.x0 >= chart.x0 and box.x1 <= chart.x1, "the legend is cut at the edge"
    assert box.y0 >= chart.y0 and box.y1 <= chart.y1
    plot_area = ax.get_window_extent()
    assert box.width * box.height <= 0.35 * plot_area.width * plot_area.height, \
        "the legend covers most of the plot"


def test_the_difference_chart_reads_in_the_comparison_tables_units(result):
    fast = run(Scenario().with_changes({"recruitment.initial_partners": 30,
                                        "horizon_months": 12,
                                        "recruitment.arrivals_per_month": 4,
                                        "onboarding.mean_days": 20}, name="Fast"),
               replications=5, seed=4)
    fig, ax = laptop_axes()
    charts.plot_deltas(ax, [result, fast], "sourced_revenue")
    assert result.currency and ax.get_xlabel() == result.currency
    fig, ax = laptop_axes()
    charts.plot_deltas(ax, [result, fast], "ropi")
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith(" pp") for t in ticks), ticks
