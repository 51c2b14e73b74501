"""A partner's trend charts tell a month without data from a month of zero, and a month in
progress from the next series' colour."""

from __future__ import annotations

import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from jbp.charts_actuals import SOURCED, draw_revenue


def _monthly() -> pd.DataFrame:
    index = pd.date_range("2026-01-01", periods=6, freq="MS")
    frame = pd.DataFrame({"sourced_revenue": [10.0, 0.0, 30.0, 12.0, None, None],
                          "influenced_revenue": [5.0, 0.0, 0.0, 4.0, None, None]}, index=index)
    frame.attrs["partial"] = {"sourced_revenue": index[3]}
    return frame


def test_months_after_the_data_are_shaded_and_named_not_drawn_as_zero():
    ax = Figure().subplots()
    draw_revenue(ax, _monthly(), "USD")
    spans = [p for p in ax.patches if p.get_width() > 1.5]  # the shaded months (2 wide)
    assert len(spans) == 1 and spans[0].get_x() == 3.5
    assert any(t.get_text() == "no data\nyet" for t in ax.texts)
    assert [t.get_text() for t in ax.get_xticklabels()][3] == "Apr 26 to date"


def test_the_month_in_progress_keeps_its_series_colour():
    ax = Figure().subplots()
    draw_revenue(ax, _monthly(), "USD")
    sourced = [p for p in ax.containers[0].patches]
    assert sourced[3].get_hatch() == "///"
    assert to_rgba(sourced[3].get_facecolor()) == to_rgba(SOURCED)  # not a lighter bar
    # A month with no data at all: no full-month span on a source that runs to the end.
    ax = Figure().subplots()
    full = _monthly().fillna(1.0)
    draw_revenue(ax, full, "USD")
    assert not any(t.get_text() == "no data\nyet" for t in ax.texts)


def test_a_chart_of_nothing_says_so_with_one_tick_at_zero():
    from jbp.charts_actuals import draw_mdf

    index = pd.date_range("2026-01-01", periods=4, freq="MS")
    monthly = pd.DataFrame({"mdf_approved": [0.0, 0.0, 0.0, None],
                            "mdf_claimed": [0.0, 0.0, 0.0, None]}, index=index)
    ax = Figure().subplots()
    draw_mdf(ax, monthly, "USD")
    assert list(ax.get_yticks()) == [0]
    assert any(t.get_text() == "No MDF in these months" for t in ax.texts)


def test_count_axes_tick_whole_numbers():
    from jbp.charts_actuals import draw_activity

    index = pd.date_range("2026-01-01", periods=4, freq="MS")
    monthly = pd.DataFrame({"logins": [3.0, 5.0, 4.0, 2.0],
                            "registrations": [0.0, 2.0, 1.0, 0.0]}, index=index)
    fig = Figure()
    ax = fig.subplots()
    draw_activity(ax, monthly)
    fig.canvas.draw()
    for axis in fig.axes:
        assert all(float(t).is_integer() for t in axis.get_yticks()), axis.get_yticks()
