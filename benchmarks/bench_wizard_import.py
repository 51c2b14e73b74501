"""Benchmark: peak memory and time of the GUI import wizard importing a portal-logins CSV of N
rows (issue 17), in one piece and streamed, in the same run and the same code.

The CSV and the partner list come from ``benchmarks/bench_import_memory.py`` (its writer,
under ``/tmp/import-memory/``). A workspace is made with ``jbp new`` and the partner list;
then, for each way, a copy of it is imported into by the real wizard (``ui.import_wizard``),
driven offscreen in a child process read → mapping → values → report → import (the rejected
rows taken, no KPI refresh), whose peak RSS (``bench_scale._timed``: GNU time, else
``getrusage`` of the children) and time are printed with the streamed/one-piece ratios.
"One piece" is the wizard's unchanged path, chosen by configuration: the chunk size
(``jbp.importers.chunked.STREAM_ROWS``) is set above the file's rows, so the file is not
"large".

Usage: python benchmarks/bench_wizard_import.py [--rows 1000000] [--stream-rows N]
       [--ways 'one piece,streamed'] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_import_memory import WORK, _jbp, logins_csv  # noqa: E402
from bench_scale import AS_OF, _timed  # noqa: E402

WAYS = {"one piece": 10**12, "streamed": None}


def child(ws_path: str, csv: str, stream_rows: int | None) -> int:
    """Import ``csv`` into ``ws_path`` with the wizard, as a user clicks; print JSON."""
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from jbp.importers import chunked

    if stream_rows:
        chunked.STREAM_ROWS = stream_rows
    from jbp.store import Workspace
    from ui import workers
    from ui.context import AppContext
    from ui.import_wizard import ImportWizard

    def settle() -> None:
        for _ in range(20):
            app.processEvents()
            for task in workers.running_tasks():
                task.wait(3_600_000)
            app.processEvents()

    t0 = time.perf_counter()
    ctx = AppContext()
    ctx.set_workspace(Workspace.open(Path(ws_path)))
    wizard = ImportWizard(ctx, path=csv, kind="logins")
    wizard.show()
    for _ in range(3):  # read → mapping → values → report
        wizard.next()
        settle()
    report = wizard.report_page
    if report.prepared is None:
        print(json.dumps({"error": report.status.text()}))
        return 1
    report.take_valid.setChecked(True)
    report.refresh_kpis.setChecked(False)
    wizard.next()
    settle()
    result = wizard.result_page.result
    out = {"seconds": round(time.perf_counter() - t0, 1),
           "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
           "table_rows": len(wizard.read["table"].frame),
           "result": result.text() if result else wizard.result_page.status.text()}
    print(json.dumps(out))
    ctx.set_workspace(None)
    return 0 if result else 1


def measure(ws: Path, csv: Path, name: str) -> dict:
    copy = WORK / f"wizard_{name.replace(' ', '_')}.jbp"
    for old in WORK.glob(f"{copy.name}*"):
        old.unlink()
    shutil.copy2(ws, copy)
    rows = WAYS[name]
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(copy), str(csv),
           str(rows or 0)]
    seconds, peak, stdout = _timed(cmd)
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise SystemExit(f"{name} printed no result:\n{stdout[-2000:]}")
    got = json.loads(lines[-1])
    for old in WORK.glob(f"{copy.name}*"):
        old.unlink()
    return {"seconds": round(seconds, 1), "peak_mb": round(peak), **got}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1], argv[2], int(argv[3]) or None)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--stream-rows", type=int, default=0,
                    help="chunk size of the streamed way (default: the module's, 100,000)")
    ap.add_argument("--ways", default=",".join(WAYS),
                    help="which ways to run, comma-separated (default: both)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    WAYS["streamed"] = args.stream_rows or None
    ways = [w.strip() for w in args.ways.split(",") if w.strip() in WAYS]
    WORK.mkdir(parents=True, exist_ok=True)
    partners, logins = logins_csv(args.rows)
    ws = WORK / f"wizard_base_{args.rows}.jbp"
    if not ws.exists():
        _jbp(ROOT, "new", str(ws), "--program-name", f"Wizard import {args.rows}")
        _jbp(ROOT, "import", str(ws), str(partners), "--kind", "partners", "--skip-bad",
             "--no-refresh-kpis", "--as-of", AS_OF)
    results = {}
    for name in ways:
        results[name] = r = measure(ws, logins, name)
        print(f"{args.rows:>10,} rows  {name:<10} {r['seconds']:>7.1f} s  peak "
              f"{r['peak_mb']:>6,} MB  table {r['table_rows']:>9,} rows  {r['result']}",
              flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    if len(results) < 2:
        return 0
    a, b = results["streamed"], results["one piece"]
    print(f"streamed / one piece: peak {a['peak_mb'] / max(b['peak_mb'], 1):.2f}, "
          f"time {a['seconds'] / max(b['seconds'], 0.1):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
