"""Run the hostile-input cases of ``tests/bad_input_cases.py`` as real ``jbp`` processes
against any checkout and count the outcomes: clean refusals, tracebacks, hangs, accepted
without a word, vague messages, and files changed by a refused command.

Usage::

    python benchmarks/bad_inputs_survey.py [--code DIR] [--timeout 30] [--jobs 2] [--list]

``--code`` is the checkout whose ``jbp`` runs (default this one; e.g. an export of main for
the "before" figure). The cases' files are built with this checkout's code.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bad_input_cases import Assets, Case, Prepared, all_cases, make_assets  # noqa: E402


def run_one(case: Case, root: Path, assets: Assets, code: Path, timeout: float) -> str:
    prepared = Prepared(case, root, assets)
    try:
        if not prepared.supported:
            return "skipped"
        before = prepared.snapshot()
        env = dict(os.environ, PYTHONPATH=str(code), QT_QPA_PLATFORM="offscreen",
                   MPLBACKEND="Agg", **case.env)
        try:
            # cwd is the checkout: ``python -m`` puts the working folder first on sys.path.
            r = subprocess.run([sys.executable, "-m", "ui.cli", *prepared.argv], env=env,
                               cwd=code, capture_output=True, text=True, timeout=timeout,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return "hang"
        after = prepared.snapshot()
    finally:
        prepared.close()
    text = (r.stderr if case.code == 2 else r.stdout + r.stderr).lower()
    if "traceback" in (r.stdout + r.stderr).lower() or "internal error" in text:
        return "traceback"
    if r.returncode == 0:
        return "accepted"
    if before != after:
        return "changed"
    if r.returncode != case.code or not all(w in text for w in prepared.expect):
        return "vague"
    return "clean"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--list", action="store_true", help="print each case's outcome")
    args = parser.parse_args(argv)
    cases = all_cases()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jbp-survey-") as tmp:
        work = Path(tmp)
        assets = make_assets(work / "assets")

        def one(item: tuple[int, Case]) -> tuple[Case, str]:
            i, case = item
            return case, run_one(case, work / f"c{i}", assets, args.code.resolve(),
                                 args.timeout)

        with ThreadPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(one, enumerate(cases)))
    counts = Counter(o for _, o in outcomes)
    if args.list:
        for case, outcome in outcomes:
            print(f"{outcome:<10} {case.id}")
    print(f"code: {args.code.resolve()}")
    print(f"cases {len(cases)}: " + ", ".join(
        f"{k} {counts.get(k, 0)}" for k in ("clean", "traceback", "hang", "accepted", "vague",
                                           "changed", "skipped"))
          + f"  ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
