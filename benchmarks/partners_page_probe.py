"""Probe: the Partners page of the real app on a (large) workspace (issue 17).

Opens the workspace as ``app_open_probe.py`` does (until the Portfolio is filled and the
window is quiet), then shows the Partners page and measures, with the same 10 ms stall
meter: the time until the partner list is filled and the longest event-loop stall while it
is read and shown; then one sort by a column and one filter typed (each a single step on the
GUI thread: its own time, and that of the sort as a ratio to the fill).

Usage: python benchmarks/partners_page_probe.py WORKSPACE.jbp [--why] [--screenshot out.png]
Prints one JSON line: {"partners", "filled_s", "longest_stall_ms", "stalls_over_100ms",
"sort_ms", "filter_ms"}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _run_until(loop_cond, timeout: float = 900.0, settle: float = 0.0) -> None:
    """Run the event loop until ``loop_cond()`` holds and no task runs (for ``settle``
    seconds)."""
    from PySide6.QtCore import QEventLoop, QTimer

    from ui import workers

    loop = QEventLoop()
    t0 = time.perf_counter()
    quiet: list[float] = []

    def check() -> None:
        now = time.perf_counter()
        if loop_cond() and not workers.running_tasks():
            quiet.append(now)
            if now - quiet[0] >= settle:
                loop.quit()
        else:
            quiet.clear()
        if now - t0 > timeout:
            loop.quit()

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()


def probe(workspace: Path, why: bool, screenshot: Path | None,
          size: tuple[int, int]) -> dict:
    from app_open_probe import StallMeter
    from PySide6.QtCore import QSettings, Qt, QTimer

    from ui import workers
    from ui.app import create_application
    from ui.main_window import MainWindow

    _app = create_application([sys.argv[0]])  # kept alive while the probe runs
    settings = QSettings(str(Path(os.environ["XDG_CONFIG_HOME"]) / "probe.ini"),
                         QSettings.Format.IniFormat)
    settings.setValue("welcome/seen", True)
    window = MainWindow(settings=settings, ask_identity=False)
    window.resize(*size)
    window.show()
    window.start(workspace)
    portfolio = window.pages["Portfolio"]
    _run_until(lambda: portfolio.model.rowCount() > 0 and window.ctx.workspace is not None,
               settle=1.0)

    page = window.pages["Partners"]
    t0 = time.perf_counter()
    meter = StallMeter(t0, why)
    filled: list[float] = []

    def show() -> None:
        window.show_page("Partners")

    def is_filled() -> bool:
        if not filled and page.model.rowCount() > 0 and not getattr(page, "loading", False):
            filled.append(time.perf_counter() - t0)
        return bool(filled)

    QTimer.singleShot(0, show)
    meter.start()
    _run_until(is_filled, settle=1.0)
    meter.stop()
    result = {"workspace": str(workspace), "partners": page.model.rowCount(),
              "filled_s": round(filled[0], 3) if filled else None,
              "longest_stall_ms": round(meter.longest, 1),
              "stalls_over_100ms": meter.stalls}
    if screenshot is not None:
        window.grab().save(str(screenshot))
        result["screenshot"] = str(screenshot)
    t = time.perf_counter()
    page.view.sortByColumn(page.model.column_of("region"), Qt.SortOrder.DescendingOrder)
    result["sort_ms"] = round((time.perf_counter() - t) * 1000, 1)
    t = time.perf_counter()
    page.search.setText("0042")
    result["filter_ms"] = round((time.perf_counter() - t) * 1000, 1)
    result["filtered_rows"] = page.view.model().rowCount()
    if filled:
        result["sort_to_fill"] = round(result["sort_ms"] / 1000 / filled[0], 4)
    workers.wait_all()
    import shiboken6

    shiboken6.delete(window)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workspace", type=Path)
    ap.add_argument("--why", action="store_true", help="sample the GUI stack in stalls")
    ap.add_argument("--screenshot", type=Path)
    ap.add_argument("--size", default="1366x768")
    args = ap.parse_args(argv)
    if not args.workspace.exists():
        ap.error(f"{args.workspace}: no such workspace")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("MPLBACKEND", "Agg")
    w, h = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="jbp_probe_") as home:
        os.environ["XDG_CONFIG_HOME"] = str(Path(home) / "config")
        os.environ["XDG_DATA_HOME"] = str(Path(home) / "data")
        result = probe(args.workspace.resolve(), args.why, args.screenshot, (w, h))
    print(json.dumps(result))
    return 0 if result["filled_s"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
