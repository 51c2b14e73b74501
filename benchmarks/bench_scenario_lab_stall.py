"""How long can the Scenario Lab's window freeze during a big run? (issue 6)

Runs the real :class:`ui.scenario_lab.ScenarioLabPage` (offscreen) on a 500-partner × 100-
replication × 36-month scenario (``recruitment.initial_partners = 500`` on top of the demo
workspace's calibrated baseline) while a 10 ms ``QTimer`` records the interval between its
ticks. A tick that comes late means the event loop was busy: the longest gap is the longest
time the window could not repaint or react to a click.

The episode measured is what the user sees: from clicking Run until the results are stored,
the tables filled and every visible chart of the Results tab drawn. It is split into the run
itself (simulation in worker processes, progress arriving) and the finish (storing, tables,
charts drawn one per event-loop turn). The same timer on an idle window gives the floor set by
the machine (shared CPUs, timer granularity); the ratio says how much the Lab adds.

Run: ``python benchmarks/bench_scenario_lab_stall.py`` (``--repeat N``, ``--workers N``,
``--replications N``, ``--partners N``). Aim: longest stall under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")


class GapMeter:
    """A 10 ms timer that records the intervals between its ticks (milliseconds)."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.last = 0.0

    def start(self) -> None:
        self.gaps = []
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000)
        self.last = now

    def cut(self) -> list[float]:
        """The gaps so far (the last one closed now), and start over."""
        now = time.perf_counter()
        gaps = [*self.gaps, (now - self.last) * 1000]
        self.gaps, self.last = [], now
        return gaps

    def stop(self) -> None:
        self.timer.stop()


def spin(app, until, timeout_s: float = 600) -> None:
    """Run the event loop until ``until()`` (no busy waiting beyond Qt's own)."""
    from PySide6.QtCore import QEventLoop

    end = time.perf_counter() + timeout_s
    while not until():
        if time.perf_counter() > end:
            raise TimeoutError("the run did not finish")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.001)


def p99(gaps: list[float]) -> float:
    ordered = sorted(gaps)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from jbp import demo
    from jbp.store import Workspace
    from simulation.runner import default_workers, shutdown_pools
    from ui import workers as ui_workers
    from ui.context import AppContext
    from ui.scenario_lab import ScenarioLabPage
    from ui.scenario_lab.canvas import chart_renderer

    procs = args.workers or default_workers()
    tmp = Path(tempfile.mkdtemp(prefix="bench_lab_"))
    try:
        path = tmp / "demo.jbp"
        demo.generate(path)
        ctx = AppContext()
        ctx.set_workspace(Workspace.open(path))
        page = ScenarioLabPage(ctx)
        page.resize(1500, 950)
        page.show()
        done = {"baseline": False}
        page.baseline_created.connect(lambda _i: done.__setitem__("baseline", True))
        page.create_baseline(show_report=False, horizon_months=args.months,
                             replications=args.replications)
        spin(app, lambda: done["baseline"] and page.calibration_task is None)
        sid = page.new_variant(f"{args.partners} partners",
                               {"recruitment.initial_partners": args.partners})
        page.select(sid)
        page.tabs.setCurrentWidget(page.results_view)
        spin(app, lambda: not chart_renderer().busy())

        meter = GapMeter()
        meter.start()
        spin_until = time.perf_counter() + 2.0
        spin(app, lambda: time.perf_counter() > spin_until)
        idle = meter.cut()
        print(f"Scenario Lab stall benchmark: {args.partners} partners × "
              f"{args.replications} replications × {args.months} months, {procs} worker "
              f"processes, offscreen, {os.cpu_count()} CPUs (shared)")
        print(f"  idle window, 2 s:          longest gap {max(idle):6.1f} ms, "
              f"p99 {p99(idle):5.1f} ms ({len(idle)} ticks)")
        worst = 0.0
        for k in range(args.repeat):
            finished = {"run": False}
            page.run_finished.connect(lambda _i, f=finished: f.__setitem__("run", True))
            drawn_before = chart_renderer().drawn
            meter.cut()
            t0 = time.perf_counter()
            page.run_scenarios([sid], workers=procs)
            spin(app, lambda f=finished: f["run"])
            t_run = time.perf_counter() - t0
            during = meter.cut()
            spin(app, lambda: not chart_renderer().busy() and not ui_workers.running_tasks()
                 and not page.queue.is_busy())
            t_all = time.perf_counter() - t0
            after = meter.cut()
            charts = chart_renderer().drawn - drawn_before
            res = page.result(sid)
            longest = max(max(during), max(after))
            worst = max(worst, longest)
            print(f"  run {k + 1}: simulation {t_run:5.2f} s   longest gap {max(during):6.1f} ms"
                  f" (p99 {p99(during):5.1f});  finish {t_all - t_run:4.2f} s, {charts} charts"
                  f"  longest gap {max(after):6.1f} ms (p99 {p99(after):5.1f});  "
                  f"{res.replications} reps stored")
        meter.stop()
        print(f"Longest event-loop stall during a {args.partners}-partner × "
              f"{args.replications}-replication run: {worst:.1f} ms "
              f"({worst / max(idle):.1f}× the idle window's {max(idle):.1f} ms); aim < 100 ms")
        ctx.set_workspace(None)
        shutdown_pools()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
