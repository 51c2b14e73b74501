"""Benchmark: peak memory and time of ``jbp import WS logins.csv --kind logins`` (issue 17).

Writes a portal-logins CSV of N rows in the format ``benchmarks/bench_scale.py`` writes (its
own writer, :func:`bench_scale.write_csvs`, for enough partners; the first N login rows kept)
under ``/tmp/import-memory/``, then, for each code tree given (``--code name=path``, default:
``before=/work/main`` and ``after=`` this tree), in the same run: ``jbp new`` a fresh
workspace, import the partner list, and import the logins in a child process whose time and
peak RSS (GNU time, else ``getrusage(RUSAGE_CHILDREN)``) are printed, with the after/before
ratios and the growth from the smallest size (ratio ÷ row ratio: 1.0 is linear).

Usage: python benchmarks/bench_import_memory.py [--sizes 1000000,4000000]
       [--code before=/work/main --code after=.] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_scale import AS_OF, _timed, write_csvs  # noqa: E402  (the scale benchmark's writer)

WORK = Path("/tmp/import-memory")
#: Logins per partner bench_scale writes (300 per active partner-year over 24 months).
LOGINS_PER_PARTNER = 540


def logins_csv(rows: int) -> tuple[Path, Path]:
    """(partner list, logins CSV of ``rows`` rows) for a program big enough to have them."""
    out = WORK / f"logins_{rows}.csv"
    partners = math.ceil(rows / LOGINS_PER_PARTNER * 1.05)
    folder = WORK / f"p{partners}"
    if not (folder / "logins.csv").exists() or not (folder / "partners.csv").exists():
        write_csvs(folder, partners)
    if not out.exists():
        tmp = out.with_suffix(".part")
        with (folder / "logins.csv").open("rb") as src, tmp.open("wb") as dst:
            dst.write(src.readline())  # the header
            for _ in range(rows):
                line = src.readline()
                if not line:
                    break
                dst.write(line)
        tmp.replace(out)
    return folder / "partners.csv", out


def _jbp(code: Path, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS MB, output) of ``python -m ui.cli ARGS`` run with ``code``."""
    return _timed([sys.executable, "-m", "ui.cli", *args], code)


def measure(code: Path, name: str, rows: int) -> dict[str, float]:
    partners, logins = logins_csv(rows)
    ws = WORK / f"ws_{name}_{rows}.jbp"
    for old in WORK.glob(f"{ws.name}*"):
        old.unlink()
    _jbp(code, "new", str(ws), "--program-name", f"Import memory {rows}")
    _jbp(code, "import", str(ws), str(partners), "--kind", "partners", "--skip-bad",
         "--no-refresh-kpis", "--as-of", AS_OF)
    seconds, peak, out = _jbp(code, "import", str(ws), str(logins), "--kind", "logins",
                              "--skip-bad", "--no-refresh-kpis", "--as-of", AS_OF)
    line = next((ln for ln in out.splitlines() if ln.startswith("Imported")), out[-200:])
    for old in WORK.glob(f"{ws.name}*"):
        old.unlink()
    return {"seconds": round(seconds, 1), "peak_mb": round(peak), "result": line}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000000,4000000",
                    help="rows of the logins CSV, comma-separated")
    ap.add_argument("--code", action="append", default=[],
                    help="NAME=PATH of a code tree to run (repeatable)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    codes = [c.split("=", 1) for c in args.code] or [["before", "/work/main"],
                                                     ["after", str(ROOT)]]
    sizes = [int(s) for s in args.sizes.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, dict]] = {}
    for rows in sizes:
        results[rows] = {}
        for name, path in codes:
            r = measure(Path(path).resolve(), name, rows)
            results[rows][name] = r
            print(f"{rows:>10,} rows  {name:<8} {r['seconds']:>8.1f} s  "
                  f"peak {r['peak_mb']:>7,.0f} MB   {r['result']}", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    names = [n for n, _ in codes]
    print(f"\n{'rows':>10}  " + "  ".join(f"{n + ' s':>10} {n + ' MB':>10}" for n in names)
          + ("  MB ratio  time ratio" if len(names) == 2 else ""))
    for rows, by in results.items():
        line = f"{rows:>10,}  " + "  ".join(
            f"{by[n]['seconds']:>10.1f} {by[n]['peak_mb']:>10,.0f}" for n in names)
        if len(names) == 2:
            a, b = by[names[1]], by[names[0]]
            line += (f"  {a['peak_mb'] / max(b['peak_mb'], 1):>8.2f}"
                     f"  {a['seconds'] / max(b['seconds'], 0.1):>10.2f}")
        print(line)
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        for n in names:
            t = results[hi][n]["seconds"] / max(results[lo][n]["seconds"], 0.1)
            m = results[hi][n]["peak_mb"] / max(results[lo][n]["peak_mb"], 1)
            print(f"growth {n}: {hi / lo:.1f}x rows -> time {t:.2f}x "
                  f"({t / (hi / lo):.2f} of linear), peak {m:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
