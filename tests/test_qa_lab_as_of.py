"""The Scenario Lab's baseline and its report say the same "as of" as the app and as
``jbp scenario baseline``: with View ▸ Set "as of" at a past date the baseline is calibrated
from what was known then (as ``--as-of`` does), and the report says which date it read."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_support import no_thread_left  # noqa: F401
from test_gui_scenario_lab import SMALL, make_baseline, open_lab

from simulation.calibrate import baseline_from_file

pytestmark = pytest.mark.gui

PAST = dt.date(2026, 4, 30)


@pytest.fixture
def lab(qtbot, demo_path):
    page = open_lab(qtbot, demo_path)
    yield page
    page.wait()
    page.ctx.set_workspace(None)


def test_a_baseline_made_with_the_app_as_of_a_past_date_is_calibrated_as_of_it(
        qtbot, lab, demo_path):
    page = lab
    page.ctx.as_of = PAST  # View ▸ Set "as of": every figure of the app is as of it
    sid = make_baseline(qtbot, page)
    made = page.scenario(sid)
    cli = baseline_from_file(demo_path, name="Baseline", as_of=PAST, **SMALL).scenario
    everything = baseline_from_file(demo_path, name="Baseline", **SMALL).scenario
    for path in ("recruitment.initial_partners", "deals.win_probability",
                 "recruitment.initial_tier_mix", "deals.initial_open_by_age"):
        assert made.get(path) == cli.get(path), path
    assert made.get("recruitment.initial_partners") != \
        everything.get("recruitment.initial_partners")
    dialog = page.show_calibration_report()
    assert "Calibrated as of 2026-04-30 (set by you)" in dialog.summary.text()


def test_the_report_says_a_baseline_read_every_actual(qtbot, lab):
    page = lab
    make_baseline(qtbot, page)
    dialog = page.show_calibration_report()
    text = dialog.summary.text()
    assert "Calibrated from all actuals; the workspace as it is" in text
    assert page.ctx.as_of_info.label() in text
