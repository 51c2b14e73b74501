"""The background-work API: a pure function with a state object, run on a QThread."""

from __future__ import annotations

import threading

import pytest
from gui_support import no_thread_left  # noqa: F401

from jbp.errors import ValidationError
from ui import workers
from ui.workers import Cancelled, Progress, start_task

pytestmark = pytest.mark.gui


def count_to(n: int, *, state: Progress) -> int:
    total = 0
    for i in range(n):
        state.check()
        total += i
        state.report((i + 1) / n, f"step {i + 1}")
    return total


def test_the_work_function_runs_without_qt():
    state = Progress()
    assert count_to(4, state=state) == 6
    assert (state.fraction, state.text) == (1.0, "step 4")
    state.cancel()
    with pytest.raises(Cancelled):
        count_to(4, state=state)


def test_result_and_progress_arrive_on_the_gui_thread(qtbot):
    seen = []
    task = start_task(count_to, 5, title="Counting")
    task.progress.connect(lambda f, text: seen.append((f, text, threading.current_thread())))
    with qtbot.waitSignal(task.succeeded) as blocker:
        pass
    assert blocker.args == [10]
    qtbot.waitUntil(lambda: not task.running)
    assert not workers.running_tasks()
    assert all(t is threading.main_thread() for *_, t in seen)


def test_failure_gives_the_users_message(qtbot):
    def refuse(*, state):
        raise ValidationError("Amount", "is not a number", element="Deal")

    task = start_task(refuse)
    with qtbot.waitSignal(task.failed) as blocker:
        pass
    assert blocker.args[0] == "Deal Amount: is not a number"
    assert isinstance(blocker.args[1], ValidationError)


def test_cancel_stops_cooperatively(qtbot):
    gate = threading.Event()

    def wait_for_gate(*, state):
        gate.wait(5)
        state.check()
        return "not reached"

    task = start_task(wait_for_gate, title="Waiting")
    assert task in workers.running_tasks()
    task.cancel()
    gate.set()
    with qtbot.waitSignal(task.was_cancelled):
        pass
    assert task.result is None and isinstance(task.error, Cancelled)


def test_plain_functions_run_with_uses_state_false(qtbot):
    task = start_task(sorted, [3, 1, 2], uses_state=False)
    assert task.wait(5000)
    assert task.result == [1, 2, 3] and task.done


def test_the_tasks_state_is_the_shared_progress_and_its_parts_forward(qtbot):
    from jbp import progress

    def halves(*, state: Progress) -> None:
        state.part(0.0, 0.5).step(1.0, "first half")
        state.part(0.5, 0.5).report(0.5, "second half")

    seen = []
    task = start_task(halves)
    assert isinstance(task.state, progress.Progress) and Cancelled is progress.Cancelled
    task.progress.connect(lambda f, text: seen.append((f, text)))
    with qtbot.waitSignal(task.succeeded):
        pass
    assert seen == [(0.5, "first half"), (0.75, "second half")]
