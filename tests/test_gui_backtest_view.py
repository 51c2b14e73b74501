"""The Scenario Lab's back-test tab: real widgets (offscreen), the demo workspace, a real
back-test on a worker thread, its table and charts; and a baseline calibrated as of the
date from the tab."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_support import CALIBRATION_WAIT, no_thread_left  # noqa: F401
from PySide6.QtCore import QDate, Qt

from jbp.scenarios import scenarios
from jbp.store import Workspace
from simulation.scenario import Scenario
from ui.context import AppContext
from ui.scenario_lab import ScenarioLabPage

pytestmark = pytest.mark.gui


@pytest.fixture
def lab(qtbot, demo_path):
    ctx = AppContext()
    ctx.set_workspace(Workspace.open(demo_path))
    page = ScenarioLabPage(ctx)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    yield page
    page.wait()
    page.backtest_view.wait()
    ctx.set_workspace(None)


def test_backtest_tab_runs_off_the_gui_thread_and_shows_the_comparison(qtbot, lab):
    view = lab.backtest_view
    assert view.chosen_date() == dt.date(2026, 4, 30)  # six months before the data end
    lab.stack.setCurrentWidget(lab.tabs)
    lab.tabs.setCurrentWidget(view)
    view.months.setValue(3)
    view.replications.setValue(30)
    view.with_rolling.setChecked(False)
    with qtbot.waitSignal(view.message, timeout=60_000) as blocker:
        qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
        assert view.is_running() and not view.run_button.isEnabled()
        # in the figures process: its calibrations would hold this process's lock
        from ui import workers
        assert view.task.fn is workers.in_process
    said = blocker.args[0]
    assert "Trained until 2026-04-30, 3 months compared" in said
    assert " of 8 actuals inside the 80% band" in said and len(said) < 200
    model = view.model
    assert model.rowCount() == 8
    assert model.index(0, 0).data() == "Sourced bookings"
    # The flows that move the active-partner count, below it
    assert [model.index(r, 0).data() for r in (5, 6, 7)] == [
        "Active partners", "Partner sign-ups", "Partners churned"]
    assert model.index(0, 7).data().endswith("of 3")
    titles = ["Sourced bookings", "Registrations", "Active partners"]
    qtbot.waitUntil(lambda: [c.title for c in view.canvases] == titles, timeout=20_000)
    assert all(c.image is not None for c in view.canvases)


def test_backtest_refuses_a_date_before_the_data(qtbot, lab):
    view = lab.backtest_view
    view.train_until.setDate(QDate(2020, 1, 31))
    view.with_rolling.setChecked(False)
    with qtbot.waitSignal(view.message, timeout=30_000) as blocker:
        view.start()
    assert "before the first actuals" in blocker.args[0]
    assert view.run_button.isEnabled() or view.task is None


def test_baseline_as_of_a_date_from_the_tab(qtbot, lab):
    view = lab.backtest_view
    with qtbot.waitSignal(lab.baseline_created, timeout=CALIBRATION_WAIT):
        view.save_as_baseline()
    qtbot.waitUntil(lambda: lab.calibration_task is None, timeout=10_000)
    rec = next(r for r in scenarios(lab.workspace) if "as of 2026-04-30" in r.name)
    sc = Scenario.from_dict(rec.params)
    assert sc.deals.initial_open_by_age and sc.deals.sales_cycle_distribution == "gamma"


def test_calibration_reads_the_workspace_on_its_own_thread(demo_path):
    # The task gets the file's path and reads it through its own connection (no Qt here).
    from ui.scenario_lab.calibration import calibrate
    from ui.workers import Progress

    state = Progress()
    cal = calibrate(demo_path, state=state, as_of=dt.date(2026, 4, 30))
    assert cal.scenario.recruitment.initial_partners > 0
    assert (state.fraction, state.text) == (1.0, "Calibrated")


def test_rolling_share_reads_as_the_cli_prints_it(qtbot, lab):
    """The rolling column shows the share of origin-months and, in brackets, that of each
    calendar month counted once: the two figures `jbp backtest` prints side by side."""
    from simulation.backtest import Rolling, backtest

    view = lab.backtest_view
    ws = lab.workspace
    runs = [backtest(ws, d, 3, replications=20) for d in (dt.date(2026, 6, 30),
                                                          dt.date(2026, 7, 31))]
    roll = Rolling(runs)
    view._succeeded((runs[0], roll))
    shares = roll.as_dict()
    row = next(r for r in range(view.model.rowCount())
               if view.model.index(r, 0).data() == "Registrations")
    text = view.model.index(row, 8).data()
    assert text == (f"{shares['share_inside_80']['registrations']:.0%} "
                    f"({shares['share_inside_80_by_calendar_month']['registrations']:.0%})")
