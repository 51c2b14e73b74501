"""The Scenario Lab driven like a channel chief drives it: a calibrated baseline, a variant
with a lower Gold threshold typed into the tier table, runs in the background, the
comparison, cancel, undo. Real widgets (offscreen), a real workspace file, real runs with
few partners, replications and months."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest
from gui_support import CALIBRATION_WAIT, no_thread_left  # noqa: F401
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLineEdit

from jbp.scenarios import scenarios
from jbp.store import Workspace
from simulation.results import HEADLINE, ScenarioResult, compare
from ui import workers
from ui.context import AppContext
from ui.scenario_lab import ScenarioLabPage
from ui.scenario_lab.canvas import chart_renderer

pytestmark = pytest.mark.gui

SMALL = {"horizon_months": 12, "replications": 6}


def open_lab(qtbot, path) -> ScenarioLabPage:
    ctx = AppContext()
    ctx.set_workspace(Workspace.open(path))
    page = ScenarioLabPage(ctx)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()  # clicks reach visible widgets only; charts draw only when visible
    return page


@pytest.fixture
def lab(qtbot, demo_path):
    page = open_lab(qtbot, demo_path)
    yield page
    page.wait()
    page.ctx.set_workspace(None)


def make_baseline(qtbot, page: ScenarioLabPage, **kw) -> int:
    with qtbot.waitSignal(page.baseline_created, timeout=CALIBRATION_WAIT) as blocker:
        page.create_baseline(show_report=False, **{**SMALL, **kw})
    qtbot.waitUntil(lambda: page.calibration_task is None, timeout=10_000)
    return blocker.args[0]


def type_into_tier_cell(qtbot, page: ScenarioLabPage, tier: str, field: str, text: str):
    editor = page.editor
    model = editor.tier_model
    row = next(i for i, t in enumerate(model.tiers) if t.name == tier)
    index = model.index(row, model.column_of(field))
    editor.tier_view.setCurrentIndex(index)
    editor.tier_view.edit(index)
    line = editor.tier_view.findChild(QLineEdit)
    assert line is not None, "no cell editor opened"
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    QCoreApplication.processEvents()


def type_into_field(qtbot, page: ScenarioLabPage, path: str, text: str) -> None:
    line = page.editor.rows[path].editor
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)
    QCoreApplication.processEvents()


def no_worker_left() -> bool:
    """No background thread runs, and no worker process is busy: the runner keeps its
    process pool between runs (simulation.runner), so the check is that stopping the pool
    leaves no child process (a process still simulating would make shutdown wait)."""
    from simulation.runner import shutdown_pools

    tasks = workers.running_tasks()
    assert not tasks, [t.title for t in tasks]
    shutdown_pools()
    children = multiprocessing.active_children()
    assert not children, children
    return True


# --------------------------------------------------------------------------- first open


def test_an_empty_workspace_is_offered_a_calibrated_baseline_with_its_report(qtbot, lab):
    page = lab
    assert page.stack.currentWidget() is page.empty
    assert page.create_baseline_button.isVisibleTo(page)
    with qtbot.waitSignal(page.baseline_created, timeout=CALIBRATION_WAIT):
        qtbot.mouseClick(page.create_baseline_button, Qt.MouseButton.LeftButton)
        # calibrated in the figures process, not on a thread of the window's (at 20,000
        # partners its pandas work held the interpreter lock for seconds)
        assert page.calibration_task.fn is workers.in_process
    qtbot.waitUntil(lambda: page.calibration_task is None, timeout=10_000)
    assert [r.name for r in page.records] == ["Baseline"]
    assert page.stack.currentWidget() is page.tabs
    dialog = page.calibration_dialog
    assert dialog is not None and dialog.isVisible()
    # the report says what was estimated from how much data, and what kept its default
    rows = {dialog.model.rows[i][0].value: dialog.model.rows[i] for i in
            range(dialog.model.rowCount())}
    assert rows["deals.win_probability"][2].text == "estimated"
    assert "registrations" in rows["deals.win_probability"][3].text
    # (MDF's pipeline per dollar is estimated within partners since issue 18; the
    # certified uplift cannot be identified from these exports.)
    assert rows["enablement.certified_win_uplift"][2].text == "default"
    baseline = page.scenario(page.baseline_id())
    assert baseline.recruitment.initial_partners == 45  # the demo's active partners
    dialog.close()
    # creating it was one undoable step
    page.ctx.undo_stack.undo()
    assert page.records == [] and page.stack.currentWidget() is page.empty
    page.ctx.undo_stack.redo()
    assert [r.name for r in page.records] == ["Baseline"]


# --------------------------------------------------------------------------- the story


def test_variant_with_lower_gold_threshold_runs_and_the_comparison_matches_the_results(
        qtbot, lab):
    page = lab
    base_id = make_baseline(qtbot, page)
    gold_before = page.scenario(base_id).tiers.tier("Gold").min_sourced_revenue
    qtbot.mouseClick(page.duplicate_button, Qt.MouseButton.LeftButton)
    variant_id = page.current_id()
    assert variant_id != base_id
    assert page.record(variant_id).name == "Baseline variant"

    # the tier threshold, typed into the tier table
    page.tabs.setCurrentWidget(page.editor)
    type_into_tier_cell(qtbot, page, "Gold", "min_sourced_revenue", "150k")
    variant = page.scenario(variant_id)
    assert variant.tiers.tier("Gold").min_sourced_revenue == 150_000
    assert page.scenario(base_id).tiers.tier("Gold").min_sourced_revenue == gold_before
    assert "tiers.Gold.min_sourced_revenue" in page.editor.differences()
    cell = page.editor.tier_model.index(2, page.editor.tier_model.column_of(
        "min_sourced_revenue"))
    assert "baseline" in cell.data()  # the baseline's value beside the changed one

    # run both with few replications in the background
    page.run_panel.replications.setValue(6)
    page.run_panel.workers.setValue(1)
    page.set_compared([base_id, variant_id])
    finished = []
    page.run_finished.connect(finished.append)
    with qtbot.waitSignal(page.runs_idle, timeout=60_000):
        qtbot.mouseClick(page.run_panel.run_checked_button, Qt.MouseButton.LeftButton)
        assert not page.run_panel.is_idle()
    assert sorted(finished) == sorted([base_id, variant_id])
    assert page.run_panel.is_idle() and no_worker_left()

    # the comparison table is filled and says what the stored results say
    page.tabs.setCurrentWidget(page.compare_view)
    table = page.compare_view.model
    assert table.rowCount() == len(HEADLINE)
    records = {r.id: r for r in scenarios(page.ctx.workspace)}
    stored = [ScenarioResult.from_bytes(records[i].results) for i in (base_id, variant_id)]
    assert [r.replications for r in stored] == [6, 6]
    expected = compare(stored, list(HEADLINE))
    names = [records[base_id].name, records[variant_id].name]
    assert table.headers == ["Metric", names[0], names[1], f"Δ {names[1]}"]
    for metric in HEADLINE:
        row = table.row_of(metric)
        base_mean = table.index(row, 1).data(Qt.ItemDataRole.UserRole)
        var_mean = table.index(row, 2).data(Qt.ItemDataRole.UserRole)
        d, lo, hi = table.index(row, 3).data(Qt.ItemDataRole.UserRole)
        e_base = expected.loc[(metric, names[0])]
        e_var = expected.loc[(metric, names[1])]
        np.testing.assert_allclose([base_mean, var_mean], [e_base["mean"], e_var["mean"]],
                                   equal_nan=True)
        np.testing.assert_allclose([d, lo, hi], [e_var["delta"], e_var["delta_ci_low"],
                                                 e_var["delta_ci_high"]], equal_nan=True)
        assert bool(e_var["paired"])  # same seed and replications: common random numbers
    sourced = table.index(table.row_of("sourced_revenue"), 3).data()
    assert sourced.startswith(("+", "−", "0")) and "[" in sourced

    # the variant's parameters change again: its results are kept but marked stale
    page.select(variant_id)
    type_into_field(qtbot, page, "onboarding.mean_days", "20")
    assert page.record(variant_id).stale and page.record(variant_id).results is not None
    assert page.list_model.index(page.list_model.row_of(variant_id), 1).data() \
        .startswith("stale")
    page.tabs.setCurrentWidget(page.results_view)
    assert not page.results_view.stale.isHidden()
    assert not page.record(base_id).stale


def test_results_reopen_with_the_workspace_without_running_again(qtbot, demo_path, tmp_path):
    page = open_lab(qtbot, demo_path)
    base_id = make_baseline(qtbot, page)
    variant_id = page.new_variant("Onboarding 20 days", {"onboarding.mean_days": 20})
    with qtbot.waitSignal(page.runs_idle, timeout=60_000):
        page.run_scenarios([base_id, variant_id], replications=5, workers=1)
    page.tabs.setCurrentWidget(page.compare_view)
    shown = page.compare_view.model.frame

    # the ticked scenarios go to the Excel exporter, the comparison's reference first
    assert page.export_button.isVisible()
    assert page.export_names() == ["Baseline", "Onboarding 20 days"]
    task = page.export_to_excel(tmp_path / "comparison.xlsx")
    assert task is not None
    with qtbot.waitSignal(task.finished, timeout=60_000):
        pass
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "comparison.xlsx", read_only=True)
    text = " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True)
                    for c in row if c is not None)
    assert "Baseline" in text and "Onboarding 20 days" in text
    book.close()
    page.ctx.set_workspace(None)

    again = open_lab(qtbot, demo_path)
    assert [r.name for r in again.records] == ["Baseline", "Onboarding 20 days"]
    assert all(r.results is not None and not r.stale for r in again.records)
    assert not again.is_running()
    again.tabs.setCurrentWidget(again.results_view)
    assert again.results_view.result is not None
    assert again.results_view.table_model.rowCount() == len(HEADLINE)
    again.tabs.setCurrentWidget(again.compare_view)
    assert again.compare_view.model.rowCount() == len(HEADLINE)
    assert again.compare_view.model.frame.equals(shown)
    # the calibration report of this workspace, without storing another scenario
    again.show_calibration_report()
    qtbot.waitUntil(lambda: again.calibration_dialog is not None,
                    timeout=CALIBRATION_WAIT)
    qtbot.waitUntil(lambda: again.calibration_task is None, timeout=10_000)
    assert again.calibration_dialog.isVisible()
    assert len(again.records) == 2
    again.ctx.set_workspace(None)


# --------------------------------------------------------------------------- fields


def test_fields_show_unit_and_baseline_and_the_domains_message(qtbot, lab):
    page = lab
    base_id = make_baseline(qtbot, page)
    page.duplicate()
    variant_id = page.current_id()
    row = page.editor.rows["onboarding.mean_days"]
    assert row.unit.text() == "days"
    base_days = page.scenario(base_id).onboarding.mean_days
    assert row.baseline.text() == f"{base_days:.6g}"
    assert not row.differs

    stack = page.ctx.undo_stack
    before = stack.count()
    type_into_field(qtbot, page, "onboarding.mean_days", "-3")
    assert page.editor.error_text("onboarding.mean_days") == "must be greater than 0, not -3"
    assert stack.count() == before
    assert page.scenario(variant_id).onboarding.mean_days == base_days

    type_into_field(qtbot, page, "onboarding.mean_days", "20")
    assert page.editor.error_text("onboarding.mean_days") == ""
    assert page.scenario(variant_id).onboarding.mean_days == 20
    assert page.editor.rows["onboarding.mean_days"].differs
    assert stack.count() == before + 1

    # a rule between fields: the message names the field it is about
    type_into_tier_cell(qtbot, page, "Gold", "min_sourced_revenue", "10")
    message = page.editor.error_text("tiers.Gold.min_sourced_revenue")
    assert message.startswith("tiers.Gold.min_sourced_revenue:")
    assert "thresholds must rise with the tier" in message
    assert stack.count() == before + 1

    # a flag through its check box, a policy through its combo box
    page.editor.rows["onboarding.automated"].editor.click()
    assert page.scenario(variant_id).onboarding.automated is True
    combo = page.editor.rows["mdf.allocation"].editor
    combo.setCurrentIndex(combo.findText("by_revenue"))
    combo.activated.emit(combo.currentIndex())
    assert page.scenario(variant_id).mdf.allocation == "by_revenue"

    stack.undo()
    stack.undo()
    stack.undo()
    assert page.scenario(variant_id).onboarding.mean_days == base_days
    assert page.editor.rows["onboarding.mean_days"].editor.text() == f"{base_days:.6g}"


def test_rename_duplicate_delete_and_undo(qtbot, lab):
    page = lab
    base_id = make_baseline(qtbot, page)
    with qtbot.waitSignal(page.runs_idle, timeout=30_000):
        page.run_scenarios([base_id], replications=3, workers=1)
    model = page.list_model
    page.tabs.setCurrentWidget(page.results_view)
    model.setData(model.index(0, 0), "Today's program")
    assert page.record(base_id).name == "Today's program"
    assert page.results_view.result.name == "Today's program"
    copy_id = page.duplicate(base_id)
    assert page.record(copy_id).name == "Today's program variant"
    assert page.record(copy_id).results is None
    # a name already taken is refused with the domain's message
    messages = []
    page.message.connect(messages.append)
    assert not page.rename(copy_id, "today's program")
    assert "exists" in messages[-1]

    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)  # the copy is selected
    assert [r.id for r in page.records] == [base_id]
    page.select(base_id)
    page.delete()
    assert page.records == [] and page.stack.currentWidget() is page.empty
    page.ctx.undo_stack.undo()  # the baseline comes back with its results
    assert page.record(base_id).results is not None
    assert page.result(base_id).replications == 3
    page.ctx.undo_stack.undo()
    page.ctx.undo_stack.undo()
    page.ctx.undo_stack.undo()
    assert page.record(base_id).name == "Baseline"


# --------------------------------------------------------------------------- runs


def test_a_parallel_run_finishes_with_no_worker_left(qtbot, lab):
    page = lab
    base_id = make_baseline(qtbot, page)
    with qtbot.waitSignal(page.run_finished, timeout=60_000):
        page.run_scenarios([base_id], replications=4, workers=2)
    qtbot.waitUntil(lambda: page.run_panel.is_idle())
    assert no_worker_left()
    assert page.result(base_id).replications == 4


def test_cancel_a_long_run_returns_to_idle_with_no_worker_left(qtbot, lab):
    page = lab
    make_baseline(qtbot, page)
    long_id = page.new_variant("Long", {"recruitment.initial_partners": 300,
                                        "horizon_months": 120})
    queued_id = page.new_variant("Waiting")
    panel = page.run_panel
    panel.replications.setValue(0)  # "scenario's": the widest text the box shows
    assert panel.replications.width() >= panel.replications.sizeHint().width()

    def where(w):
        return w.mapTo(page, w.rect().topLeft())

    placed = {b: where(b) for b in (panel.cancel_button, panel.run_button)}
    panel.replications.setValue(100_000)
    panel.workers.setValue(2)
    page.run_scenarios([long_id, queued_id])
    qtbot.waitUntil(lambda: page.queue.current is not None, timeout=10_000)
    assert len(panel.rows) == 2
    qtbot.waitUntil(lambda: all(r.isVisible() for r in panel.rows.values()))
    # progress rows have a place of their own: the buttons stay where the click aims
    assert {b: where(b) for b in placed} == placed
    assert page.list_model.index(page.list_model.row_of(queued_id), 1).data() == "queued"
    assert page.run_panel.cancel_button.isEnabled()
    with qtbot.waitSignal(page.runs_idle, timeout=30_000):
        qtbot.mouseClick(page.run_panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not workers.running_tasks(), timeout=10_000)
    assert page.run_panel.is_idle() and not page.run_panel.cancel_button.isEnabled()
    assert no_worker_left()
    assert page.record(long_id).results is None and page.record(queued_id).results is None
    for sid in (long_id, queued_id):
        assert page.list_model.index(page.list_model.row_of(sid), 1).data() == "not run"

    # one run on one process, cancelled from its own row once it reports progress
    page.run_scenarios([long_id], workers=1)
    qtbot.waitUntil(lambda: page.queue.current is not None and page.queue.current.progress > 0,
                    timeout=20_000)
    row = page.run_panel.rows[long_id]
    with qtbot.waitSignal(page.runs_idle, timeout=30_000):
        qtbot.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
    assert page.run_panel.is_idle() and no_worker_left()


# --------------------------------------------------------------------------- charts


def test_charts_and_tornado_are_drawn_from_the_simulation_chart_functions(qtbot, lab):
    page = lab
    base_id = make_baseline(qtbot, page)
    with qtbot.waitSignal(page.runs_idle, timeout=30_000):
        page.run_scenarios([base_id], replications=4, workers=1)
    page.tabs.setCurrentWidget(page.results_view)
    qtbot.waitUntil(lambda: not chart_renderer().busy(), timeout=20_000)
    titles = {name: c.title for name, c in page.results_view.canvases.items()}
    assert titles["chart_revenue"] == "Recognised revenue per month"
    assert titles["chart_tiers"] == "Active partners by tier (mean)"
    assert titles["chart_first_revenue"] == "Time to first revenue"

    sens = page.sensitivity_view
    page.tabs.setCurrentWidget(sens)
    sens.set_levers(["deals.win_probability", "onboarding.mean_days"])
    sens.set_outcome("sourced_revenue")
    sens.replications.setValue(3)
    with qtbot.waitSignal(sens.finished, timeout=60_000) as blocker:
        qtbot.mouseClick(sens.run_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert result.effects[0].lever == "deals.win_probability"
    assert sens.model.rowCount() == 2
    assert sens.model.cell(0, 0).value == "deals.win_probability"
    qtbot.waitUntil(lambda: not sens.is_running() and not chart_renderer().busy(),
                    timeout=20_000)
    assert sens.canvas.title == "What moves Partner-sourced revenue most"


def test_opening_another_workspace_cancels_the_runs_of_this_one(qtbot, lab, demo_master,
                                                                  tmp_path):
    import shutil

    page = lab
    make_baseline(qtbot, page)
    long_id = page.new_variant("Long", {"recruitment.initial_partners": 300})
    page.run_scenarios([long_id], replications=100_000, workers=1)
    qtbot.waitUntil(lambda: page.queue.current is not None, timeout=10_000)
    other = tmp_path / "other.jbp"
    shutil.copy2(demo_master, other)
    # As the app opens one (ui.app.open_workspace_file): with its coverage read, so the
    # context starts no read of its own and any thread left is a run's.
    from ui.app import open_workspace_file

    page.ctx.set_workspace(*open_workspace_file(other))
    assert not page.is_running() and page.run_panel.is_idle()
    assert no_worker_left()
    assert page.records == [] and page.stack.currentWidget() is page.empty


def test_unreadable_numbers_are_refused_at_the_field_not_raised_in_the_slot(qtbot, lab):
    """``inf``, ``nan`` and ``1,5`` (a decimal comma; it used to read as 15) get a message."""
    page = lab
    make_baseline(qtbot, page)
    page.duplicate()
    variant_id = page.current_id()
    base_days = page.scenario(variant_id).onboarding.mean_days
    before = page.ctx.undo_stack.count()
    for text, says in (("inf", "not a finite number"), ("nan", "not a finite number"),
                       ("1,5", "a comma only groups thousands")):
        type_into_field(qtbot, page, "onboarding.mean_days", text)
        assert says in page.editor.error_text("onboarding.mean_days")
        assert page.scenario(variant_id).onboarding.mean_days == base_days
    assert page.ctx.undo_stack.count() == before
    type_into_field(qtbot, page, "onboarding.mean_days", "1,500")
    assert page.editor.error_text("onboarding.mean_days") == ""
    assert page.scenario(variant_id).onboarding.mean_days == 1500
