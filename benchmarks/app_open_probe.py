"""Probe: open the real app on a workspace and measure how long until the Portfolio table is
filled, and the longest event-loop stall while it opens.

A ``QTimer`` ticks every 10 ms on the GUI thread; a stall is the gap between two ticks less
the interval. The measured span runs from building the main window until the Portfolio is
filled and every background task has ended, plus a short settling time (charts drawn, the
other pages filled). ``--why`` also samples the GUI thread's Python stack during each stall
from a watchdog thread, to say where a stall comes from, and what the other threads run
meanwhile (``other_threads``): a GUI stack that ends in the event loop (``probe``) is Qt's
own work or a wait for the interpreter lock, which one of those threads holds.

Prints JSON: {"open_s", "longest_stall_ms", "stalls_over_100ms": [{"at_s", "ms"}], ...}.
Runs offscreen unless ``QT_QPA_PLATFORM`` says otherwise (e.g. under Xvfb: ``xcb``); user
settings are kept in a temporary directory, never the user's own.

Usage: python benchmarks/app_open_probe.py WORKSPACE.jbp [--json] [--why]
       [--screenshot out.png] [--size 1366x768] [--screenshot2 big.png --size2 1920x1080]
       [--then Partners] [--timeout 900]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The stall meter's tick (milliseconds) and what counts as a stall worth listing.
TICK_MS = 10
STALL_MS = 100


class StallMeter:
    """Ticks on the GUI thread; :attr:`stalls` holds (seconds since start, stall ms)."""

    def __init__(self, t0: float, why: bool):
        from PySide6.QtCore import QTimer

        self.t0 = t0
        self.last = time.perf_counter()
        self.longest = 0.0
        self.stalls: list[dict] = []
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.samples: list[list[str]] = []
        #: The other threads' innermost frames sampled during the current stall.
        self.others: list[str] = []
        self._why = why
        self._stop = threading.Event()
        self._main = threading.main_thread().ident
        if why:
            threading.Thread(target=self._watch, daemon=True).start()

    def start(self) -> None:
        self.samples = []
        self.others = []
        self.last = time.perf_counter()
        self.timer.start()

    def tick(self) -> None:
        now = time.perf_counter()
        stall = (now - self.last) * 1000 - TICK_MS
        self.longest = max(self.longest, stall)
        if stall > STALL_MS:
            entry: dict = {"at_s": round(self.last - self.t0, 3), "ms": round(stall, 1)}
            if self.samples:
                entry["where"] = _summarise(self.samples)
            if self.others:
                entry["other_threads"] = _most_frequent(self.others, 3)
            self.stalls.append(entry)
        self.samples = []
        self.others = []
        self.last = now

    def _watch(self) -> None:
        """Sample the GUI thread's stack while it has not ticked for a while, and what the
        other threads run then: a GUI stack that ends in the event loop means Qt's own
        work, or a wait for the interpreter lock that another thread holds."""
        me = threading.get_ident()
        names = {}
        while not self._stop.wait(0.02):
            if (time.perf_counter() - self.last) * 1000 > STALL_MS / 2:
                frames = sys._current_frames()
                frame = frames.get(self._main)
                if frame is not None:
                    # Our own frames and the innermost one: import machinery is skipped.
                    stack = [f for f in traceback.extract_stack(frame)
                             if "importlib" not in f.filename and "shibokensupport"
                             not in f.filename]
                    self.samples.append([f"{Path(f.filename).name}:{f.lineno} {f.name}"
                                         for f in stack[-8:]])
                for ident, other in frames.items():
                    if ident in (me, self._main):
                        continue
                    if ident not in names:
                        names = {t.ident: t.name for t in threading.enumerate()}
                    inner = traceback.extract_stack(other)[-2:]
                    self.others.append(f"{names.get(ident, ident)}: " + " < ".join(
                        f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in inner[::-1]))

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()


def _summarise(samples: list[list[str]]) -> list[str]:
    """The most frequent innermost stack among the samples (the likeliest culprit)."""
    counts: dict[tuple[str, ...], int] = {}
    for s in samples:
        counts[tuple(s)] = counts.get(tuple(s), 0) + 1
    stack, n = max(counts.items(), key=lambda kv: kv[1])
    return [f"{n}/{len(samples)} samples", *stack]


def _most_frequent(items: list[str], n: int) -> list[str]:
    """The ``n`` most frequent items, each with its count."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:n]
    return [f"{c}× {item}" for item, c in top]


def probe(workspace: Path, *, why: bool = False, screenshot: Path | None = None,
          size: tuple[int, int] = (1366, 768), timeout: float = 900.0,
          settle: float = 1.0,
          second: tuple[Path, tuple[int, int]] | None = None, then: str = "") -> dict:
    from PySide6.QtCore import QEventLoop, QSettings, QTimer

    from ui.app import create_application

    _app = create_application([sys.argv[0]])  # kept alive while the probe runs
    from ui import workers
    from ui.main_window import MainWindow

    t0 = time.perf_counter()
    meter = StallMeter(t0, why)
    settings = QSettings(str(Path(os.environ["XDG_CONFIG_HOME"]) / "probe.ini"),
                         QSettings.Format.IniFormat)
    settings.setValue("welcome/seen", True)  # open on the Portfolio, as a returning user
    window = MainWindow(settings=settings, ask_identity=False)
    window.resize(*size)
    window.show()
    window.start(workspace)
    portfolio = window.pages["Portfolio"]
    state: dict = {"filled": None, "quiet_since": None}
    # Each phase (opening, then another page, then another size) runs a loop of its own
    # that the poll ends.
    loop = QEventLoop()
    state["loop"] = loop

    def check() -> None:
        now = time.perf_counter()
        if state["filled"] is None and portfolio.model.rowCount() > 0 \
                and portfolio.view.model().rowCount() > 0 and window.ctx.workspace is not None:
            state["filled"] = now - t0
        from ui.scenario_lab import canvas

        busy = bool(workers.running_tasks()) or (canvas._renderer is not None
                                                 and canvas._renderer.busy())
        if now < state.get("not_before", 0.0):
            busy = True
        if state["filled"] is not None and not busy:
            state["quiet_since"] = state["quiet_since"] or now
            if now - state["quiet_since"] >= settle:
                state["loop"].quit()
        else:
            state["quiet_since"] = None
        if now - t0 > timeout:
            state["loop"].quit()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(check)
    poll.start()
    # The window is built (modules imported, pages made) before the loop runs: that is
    # start-up, reported apart; stalls are counted from the first turn of the loop.
    built = time.perf_counter() - t0
    meter.start()
    loop.exec()
    poll.stop()
    meter.stop()
    filled, measured = state["filled"], time.perf_counter() - t0
    shot = None
    if screenshot is not None:
        window.grab().save(str(screenshot))
        shot = str(screenshot)
    then_result = None
    if then:
        # Switch to another page (e.g. Partners) and measure that the same way.
        meter2 = StallMeter(time.perf_counter(), why)
        state.update(filled=filled or 0.0, quiet_since=None)
        QTimer.singleShot(0, lambda: window.show_page(then))
        state["loop"] = QEventLoop()
        poll.start()
        meter2.start()
        state["loop"].exec()
        poll.stop()
        meter2.stop()
        shown = window.current_page()
        then_result = {"page": then, "rows": shown.model.rowCount()
                       if hasattr(shown, "model") else None,
                       "longest_stall_ms": round(meter2.longest, 1),
                       "stalls_over_100ms": meter2.stalls}
    if second is not None:
        window.resize(*second[1])
        # The new size reaches the charts through the event loop: look after a moment.
        state.update(filled=filled or 0.0, quiet_since=None,
                     not_before=time.perf_counter() + 1.0)
        state["loop"] = QEventLoop()
        poll.start()  # until the charts are drawn again at the new size
        state["loop"].exec()
        poll.stop()
        window.grab().save(str(second[0]))
    result = {
        "workspace": str(workspace),
        "partners": portfolio.model.rowCount(),
        "window_built_s": round(built, 3),
        "open_s": None if filled is None else round(filled, 3),
        "measured_s": round(measured, 3),
        "longest_stall_ms": round(meter.longest, 1),
        "stalls_over_100ms": meter.stalls,
        "screenshot": shot,
    }
    if then_result is not None:
        result["then"] = then_result
    workers.wait_all()
    import shiboken6

    shiboken6.delete(window)
    return result


def _size(text: str) -> tuple[int, int]:
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workspace", type=Path)
    ap.add_argument("--json", action="store_true", help="print only the JSON line")
    ap.add_argument("--why", action="store_true", help="sample the GUI stack in stalls")
    ap.add_argument("--screenshot", type=Path)
    ap.add_argument("--size", default="1366x768")
    ap.add_argument("--screenshot2", type=Path, help="a second screenshot, at --size2")
    ap.add_argument("--size2", default="1920x1080")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--then", default="", help="then show this page (e.g. Partners) and "
                    "measure its stalls too")
    args = ap.parse_args(argv)
    if not args.workspace.exists():
        ap.error(f"{args.workspace}: no such workspace")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory(prefix="jbp_probe_") as home:
        # QSettings and the app data dir (the demo's home) go here, not to the user's.
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / "config")
        os.environ["XDG_DATA_HOME"] = str(Path(home) / "data")
        w, h = _size(args.size)
        result = probe(args.workspace.resolve(), why=args.why, screenshot=args.screenshot,
                       size=(w, h), timeout=args.timeout,
                       second=None if args.screenshot2 is None else (
                           args.screenshot2, _size(args.size2)), then=args.then)
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))
    return 0 if result["open_s"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
