"""Work in the figures process (ui.workers.in_process): the Portfolio's figures of a large
workspace are computed in a process of their own, so their pandas work neither holds this
process's interpreter lock nor fills the garbage collector the GUI thread runs. The same
signals, progress, failure and cancel as a thread; the result arrives whole."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time

import pytest
from gui_support import no_thread_left  # noqa: F401

from jbp.errors import ValidationError
from ui import workers
from ui.workers import Progress, start_process_task

pytestmark = pytest.mark.gui


@dataclasses.dataclass
class Figures:
    frame: object
    text: list[list[str]]


def figures(rows: int, *, state: Progress):
    """A result shaped like the Portfolio's: a long DataFrame with attrs, lists of lists
    of text in a dataclass, small values; and the pid of the process that made it."""
    import pandas as pd

    state.report(0.5, "half way")
    frame = pd.DataFrame({"partner": [f"P{i}" for i in range(rows)],
                          "revenue": [float(i) for i in range(rows)],
                          "day": pd.date_range("2026-01-01", periods=rows, freq="h")},
                         index=pd.Index([f"k{i}" for i in range(rows)], name="key"))
    frame.attrs["partial"] = {"days": 3}
    state.report(1.0, "done")
    return {"pid": os.getpid(), "card": frame,
            "table": Figures(frame, [[f"{c}{i}" for i in range(rows)] for c in "abc"]),
            "small": [1, 2, 3]}


def refuse(*, state: Progress):
    raise ValidationError("Amount", "not a number")


def until_cancelled(*, state: Progress):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state.step(0.1, "waiting")
        time.sleep(0.02)
    return "not cancelled"


def test_the_result_arrives_whole_from_another_process(qtbot):
    task = start_process_task(figures, 5000, title="Figures")
    reports = []
    task.progress.connect(lambda f, t: reports.append((f, t)))
    with qtbot.waitSignal(task.succeeded, timeout=60_000) as sig:
        pass
    out = sig.args[0]
    assert out["pid"] != os.getpid()
    frame = out["card"]
    assert list(frame.columns) == ["partner", "revenue", "day"] and len(frame) == 5000
    assert frame.index.name == "key" and frame.index[4999] == "k4999"
    assert frame.attrs == {"partial": {"days": 3}}
    assert str(frame["day"].dtype).startswith("datetime64")
    assert frame.loc["k42", "revenue"] == 42.0
    assert isinstance(out["table"], Figures) and out["table"].text[2][4999] == "c4999"
    assert out["small"] == [1, 2, 3]
    qtbot.waitUntil(lambda: (1.0, "done") in reports or task.done, timeout=5_000)


def test_a_failure_gives_the_users_message(qtbot):
    task = start_process_task(refuse, title="Refuse")
    with qtbot.waitSignal(task.failed, timeout=60_000) as sig:
        pass
    assert "Amount" in sig.args[0] and "not a number" in sig.args[0]


def test_cancel_stops_the_work_in_the_process_and_the_process_serves_the_next(qtbot):
    # Children of earlier tests in this worker (the simulation runner keeps its pool
    # between runs) are not the figures process's.
    before = set(multiprocessing.active_children())
    task = start_process_task(until_cancelled, title="Wait")
    reports = []
    task.progress.connect(lambda f, t: reports.append(t))
    qtbot.waitUntil(lambda: "waiting" in reports, timeout=60_000)
    with qtbot.waitSignal(task.was_cancelled, timeout=10_000):
        task.cancel()
    again = start_process_task(figures, 10, title="Again")
    with qtbot.waitSignal(again.succeeded, timeout=60_000) as sig:
        pass
    assert len(sig.args[0]["card"]) == 10
    assert not workers.running_tasks()
    # The process ends when no work is left for it: no child behind an idle window. (Its
    # pool is shut down as the last run ends; on a loaded machine a worker may still be
    # exiting as the result arrives, so it gets a moment: a child that stays fails.)
    qtbot.waitUntil(lambda: not set(multiprocessing.active_children()) - before,
                    timeout=15_000)
