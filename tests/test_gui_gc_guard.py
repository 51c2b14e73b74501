"""Cycles holding Qt objects are freed on the GUI thread only (ui.gc_guard).

A collection triggered by a worker thread once destroyed an AppContext on the chart
renderer's thread while the GUI thread set a line edit's text: each waited for the other's
lock and the suite hung. With the guard, a worker thread's allocations never start a
collection; the GUI thread's timer does it."""

from __future__ import annotations

import gc
import threading

import pytest

pytestmark = pytest.mark.gui


def test_cycles_are_collected_by_the_gui_threads_timer_not_by_a_worker(qtbot):
    from ui.gc_guard import GuiThreadCollector

    collector = GuiThreadCollector(interval_ms=10)
    freed_on: list[str] = []

    class Cycle:
        def __del__(self):
            freed_on.append(threading.current_thread().name)

    try:
        assert not gc.isenabled()
        for _ in range(gc.get_threshold()[0] + 50):
            c = Cycle()
            c.me = c
        del c
        # A worker allocating far past the threshold frees nothing: it starts no collection.
        worker = threading.Thread(target=lambda: [[] for _ in range(50_000)], name="worker")
        worker.start()
        worker.join()
        assert freed_on == []
        qtbot.waitUntil(lambda: len(freed_on) > 0, timeout=5_000)
        assert set(freed_on) == {threading.main_thread().name}
    finally:
        collector.timer.stop()
        collector.deleteLater()


def test_the_app_installs_the_guard():
    from ui.app import create_application

    app = create_application()
    from ui import gc_guard

    assert gc_guard._installed is not None and gc_guard._installed.parent() is app
