"""Benchmark: 1,000 / 5,000 / 20,000-partner programs, built through the public import path.

Each workspace holds 24 months of actuals ending 2026-10-31; per active partner-year 10 deals,
25 registrations, 300 portal logins, 5 certifications, quarterly MDF (a request and its claim),
monthly program costs; 50 plans. It is built once with ``jbp new`` and ``jbp import`` of CSV
files (the way a user brings a program) and cached under ``/tmp/jbp_scale/`` (``--rebuild``
builds again).

Then, per size, each operation runs in its own process and the benchmark prints its time and
peak memory (the child's peak RSS), its growth from the smallest size (time ratio ÷ partner
ratio: 1.0 is linear), and its ratio to the *floor*: the bare SQLite aggregation of the same
sums over the same file (one ``GROUP BY partner_id, month`` per actuals table, plain
``sqlite3``, also in its own process). When ``benchmarks/app_open_probe.py`` exists, the
app's open time and longest event-loop stall are printed too.

Usage: python benchmarks/bench_scale.py [--sizes 1000,5000,20000] [--rebuild] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path("/tmp/jbp_scale")
END = dt.date(2026, 10, 31)
START = dt.date(2024, 11, 1)  # 24 months to END
AS_OF = "2026-11-15"
PLANS = 50
TYPES = ("Reseller", "SI", "MSP", "ISV", "Referral")
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
#: Per active partner-year.
PER_YEAR = {"deals": 10, "registrations": 25, "logins": 300, "certifications": 5}
#: The files, in the order they are imported (partners first: the actuals name them).
KINDS = ("partners", "costs", "deals", "registrations", "logins", "certifications", "mdf")
PROBE = ROOT / "benchmarks" / "app_open_probe.py"

# The bare aggregation under the scorecard: the same sums per partner and month, one query
# per actuals table, read to the end. (What any figure of months costs SQLite alone.)
FLOOR_SQL = (
    "SELECT partner_id, substr(close_date, 1, 7), attribution, count(*), sum(amount) "
    "FROM deals GROUP BY 1, 2, 3",
    "SELECT partner_id, substr(reg_date, 1, 7), status, count(*), sum(value) "
    "FROM registrations GROUP BY 1, 2, 3",
    "SELECT partner_id, substr(login_date, 1, 7), count(*) FROM logins GROUP BY 1, 2",
    "SELECT partner_id, substr(cert_date, 1, 7), count(*) FROM certifications GROUP BY 1, 2",
    "SELECT partner_id, substr(mdf_date, 1, 7), kind, status, sum(amount) FROM mdf "
    "GROUP BY 1, 2, 3, 4",
    "SELECT partner_id, month, category, sum(amount) FROM program_costs GROUP BY 1, 2, 3",
)


# --------------------------------------------------------------------------- building


def _days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, per: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """``per[i]`` random days in ``[lo[i], hi[i]]`` for each partner i: (partner index, day)."""
    owner = np.repeat(np.arange(len(per)), per)
    span = (hi - lo).astype("timedelta64[D]").astype(int)[owner] + 1
    day = lo[owner] + (rng.random(len(owner)) * span).astype("timedelta64[D]")
    return owner, day


def write_csvs(folder: Path, n: int, seed: int = 17) -> dict[str, Path]:
    """The partner list, costs and actuals CSV files of an ``n``-partner program."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names = np.array([f"Partner {i:05d} Ltd" for i in range(n)])
    start, end = np.datetime64(START), np.datetime64(END)
    # Most partners signed up before the window; a fifth during it; a twentieth churned.
    signup = np.where(rng.random(n) < 0.8,
                      start - rng.integers(30, 1500, n).astype("timedelta64[D]"),
                      start + rng.integers(0, 600, n).astype("timedelta64[D]"))
    churn = np.where(rng.random(n) < 0.05,
                     np.maximum(signup, start) + rng.integers(90, 700, n).astype("timedelta64[D]"),
                     np.datetime64("NaT"))
    churn = np.where(churn > end, np.datetime64("NaT"), churn)
    lo = np.maximum(signup, start)
    hi = np.where(np.isnat(churn), end, churn)
    hi = np.maximum(hi, lo)
    years = ((hi - lo).astype("timedelta64[D]").astype(int) + 1) / 365.0
    paths: dict[str, Path] = {}

    def save(kind: str, frame: pd.DataFrame) -> None:
        paths[kind] = folder / f"{kind}.csv"
        frame.to_csv(paths[kind], index=False)

    save("partners", pd.DataFrame({
        "Account Name": names, "Account ID": [f"ACC-{i:06d}" for i in range(n)],
        "Partner Type": np.array(TYPES)[np.arange(n) % len(TYPES)],
        "Region": np.array(REGIONS)[np.arange(n) % len(REGIONS)],
        "Partner Since": signup.astype("datetime64[D]").astype(str),
        "Termination Date": pd.Series(churn.astype("datetime64[D]").astype(str)).replace(
            "NaT", ""),
        "Account Owner": [f"Manager {i % 40:02d}" for i in range(n)],
    }))

    def counts(kind: str) -> np.ndarray:
        return rng.poisson(PER_YEAR[kind] * years)

    owner, day = _days(rng, lo, hi, counts("deals"))
    k = len(owner)
    save("deals", pd.DataFrame({
        "Deal ID": [f"D{i:08d}" for i in range(k)], "Partner": names[owner],
        "Customer": [f"Customer {c}" for c in rng.integers(0, max(k // 3, 1), k)],
        "Amount": np.round(rng.lognormal(np.log(40_000), 0.7, k), 2),
        "Revenue Type": np.where(rng.random(k) < 0.8, "ARR", "One-off"),
        "Close Date": day.astype(str),
        "Created Date": (day - rng.integers(10, 200, k).astype("timedelta64[D]")).astype(str),
        "Sourced or Influenced": np.where(rng.random(k) < 0.7, "Sourced", "Influenced"),
    }))
    owner, day = _days(rng, lo, hi, counts("registrations"))
    k = len(owner)
    save("registrations", pd.DataFrame({
        "Registration ID": [f"R{i:08d}" for i in range(k)], "Partner": names[owner],
        "Registration date": day.astype(str),
        "Value": np.round(rng.lognormal(np.log(30_000), 0.6, k), 2),
        "Status": rng.choice(["Closed Won", "Closed Lost", "Approved", "Pending"], k),
        "Channel conflict": np.where(rng.random(k) < 0.05, "yes", "no"),
    }))
    owner, day = _days(rng, lo, hi, counts("logins"))
    k = len(owner)
    user = rng.integers(0, 8, k)
    save("logins", pd.DataFrame({
        "Partner": names[owner],
        "User": [f"user{u}@p{o}" for u, o in zip(user, owner, strict=True)],
        "Login date": [f"{d} {h:02d}:{m:02d}" for d, h, m in zip(
            day.astype(str), rng.integers(0, 24, k), rng.integers(0, 60, k), strict=True)],
    }))
    owner, day = _days(rng, lo, hi, counts("certifications"))
    k = len(owner)
    save("certifications", pd.DataFrame({
        "Partner": names[owner],
        "Learner": [f"Person {p} of {o}" for p, o in zip(rng.integers(0, 40, k), owner,
                                                          strict=True)],
        "Course": rng.choice(["Sales Foundations", "Technical Associate", "Architect"], k),
        "Completion date": day.astype(str),
    }))
    # Quarterly MDF: a request and its claim 45 days later, per active partner-quarter.
    quarters = np.arange(start, end, np.timedelta64(91, "D"))
    rows = []
    for qi, q in enumerate(quarters):
        active = np.nonzero((lo <= q) & (hi >= q + np.timedelta64(45, "D")))[0]
        amount = np.round(rng.uniform(2_000, 20_000, len(active)), -2)
        for kind, shift, status in (("Request", 0, "Approved"), ("Claim", 45, "Paid")):
            rows.append(pd.DataFrame({
                "MDF ID": [f"M{qi:02d}-{i}-{kind[0]}" for i in active],
                "Partner": names[active], "Type": kind,
                "Date": str(q + np.timedelta64(shift, "D")), "Amount": amount,
                "Status": status, "Activity": "Webinar"}))
    save("mdf", pd.concat(rows, ignore_index=True))
    months = pd.date_range(START, END, freq="MS")
    save("costs", pd.DataFrame([
        {"Period": m.strftime("%Y-%m"), "Cost Category": cat, "Amount": round(amt * n / 1000, 2),
         "Partner": ""}
        for m in months for cat, amt in (("Headcount", 40_000), ("Training", 6_000),
                                         ("Overhead", 3_000), ("Recruitment", 2_500))]))
    return paths


def _jbp(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, check=False)


def _env(code: Path = ROOT) -> dict[str, str]:
    """The environment a benchmark's child runs in: the code tree ``code``, no display."""
    return {**os.environ, "PYTHONPATH": str(code), "QT_QPA_PLATFORM": "offscreen",
            "MPLBACKEND": "Agg"}


def build(n: int, rebuild: bool = False) -> tuple[Path, dict[str, float]]:
    """The cached ``n``-partner workspace (built when missing) and the build's timings."""
    folder = CACHE / f"p{n}"
    path = folder / "program.jbp"
    if path.exists() and not rebuild:
        return path, {}
    for old in folder.glob("program.jbp*"):
        old.unlink()
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    paths = {k: folder / "csv" / f"{k}.csv" for k in KINDS}
    if not all(p.exists() for p in paths.values()):
        paths = write_csvs(folder / "csv", n)
        times["csv"] = time.perf_counter() - t0
    tmp = folder / "building.jbp"
    for old in folder.glob("building.jbp*"):
        old.unlink()
    done = _jbp("new", str(tmp), "--program-name", f"Scale {n}")
    if done.returncode:
        raise SystemExit(f"jbp new failed: {done.stderr or done.stdout}")
    for kind in KINDS:
        t0 = time.perf_counter()
        done = _jbp("import", str(tmp), str(paths[kind]), "--kind", kind, "--skip-bad",
                    "--no-refresh-kpis", "--as-of", AS_OF)
        times[f"import {kind}"] = time.perf_counter() - t0
        if done.returncode:
            raise SystemExit(f"import of {kind} failed:\n{done.stdout}\n{done.stderr}")
    t0 = time.perf_counter()
    _make_plans(tmp, PLANS)
    times["plans"] = time.perf_counter() - t0
    tmp.replace(path)
    return path, times


def _make_plans(path: Path, count: int) -> None:
    """``count`` plans from the standard template (their KPIs bound to metrics), spread over
    the partners, through the plan commands the app uses."""
    sys.path.insert(0, str(ROOT))
    from jbp.commands import Editor
    from jbp.plans import CreatePlan, draft_from_template
    from jbp.store import Workspace

    with Workspace.open(path) as ws:
        ids = [int(r[0]) for r in ws.rows("SELECT id FROM partners ORDER BY id")]
        editor = Editor("Bench", "vendor")
        step = max(len(ids) // count, 1)
        for pid in ids[::step][:count]:
            CreatePlan(editor, draft_from_template(ws, pid, 2026)).do(ws)


# --------------------------------------------------------------------------- measuring


def _timed(cmd: list[str], code: Path = ROOT) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of ``cmd`` run in its own process with the code
    tree ``code``: the peak from GNU time when installed, else from
    ``getrusage(RUSAGE_CHILDREN)`` (the largest child so far, so a smaller child after a
    larger one reads high)."""
    gtime = Path("/usr/bin/time")
    full = [str(gtime), "-f", "%M", *cmd] if gtime.exists() else cmd
    t0 = time.perf_counter()
    done = subprocess.run(full, cwd=code, env=_env(code), capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - t0
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n"
                         f"{done.stderr[-2000:]}")
    if gtime.exists():
        peak = int(done.stderr.strip().splitlines()[-1]) / 1024.0
    else:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return seconds, peak, done.stdout


FLOOR_SCRIPT = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
for sql in sys.argv[2:]:
    conn.execute(sql).fetchall()
"""


def measure(path: Path) -> dict[str, dict[str, float]]:
    """Time (s) and peak memory (MB) of each operation on the workspace at ``path``."""
    py = sys.executable
    out: dict[str, dict[str, float]] = {}
    ops = {
        "floor": [py, "-c", FLOOR_SCRIPT, str(path), *FLOOR_SQL],
        "scorecard": [py, "-m", "ui.cli", "scorecard", str(path), "--json", "--as-of", AS_OF],
        "refresh-kpis": [py, "-m", "ui.cli", "refresh-kpis", str(path), "--as-of", AS_OF],
        "portfolio": [py, "-m", "ui.cli", "export", str(path), "--portfolio", "--out",
                      str(path.parent / "portfolio.xlsx"), "--force", "--as-of", AS_OF],
        "info": [py, "-m", "ui.cli", "info", str(path)],
        # The Scenario Lab's "From workspace": a baseline calibrated from the actuals.
        "calibrate": [py, "-m", "ui.cli", "scenario", "baseline", str(path),
                      str(path.parent / "baseline.toml"), "--force", "--as-of", AS_OF],
    }
    for name, cmd in ops.items():
        seconds, peak, _ = _timed(cmd)
        out[name] = {"s": seconds, "mb": peak}
    if PROBE.exists():
        seconds, peak, stdout = _timed([py, str(PROBE), str(path), "--json"])
        try:
            probe = json.loads(stdout.strip().splitlines()[-1])
            out["app open"] = {"s": float(probe["open_s"]), "mb": peak,
                               "stall_ms": float(probe["longest_stall_ms"])}
        except (ValueError, KeyError, IndexError, TypeError):
            out["app open"] = {"s": float("nan"), "mb": peak, "stall_ms": float("nan")}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000",
                        help="partner counts, comma-separated (default 1000,5000,20000)")
    parser.add_argument("--rebuild", action="store_true", help="build the workspaces again")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[int, dict] = {}
    for n in sizes:
        path, build_times = build(n, args.rebuild)
        if build_times:
            print(f"built {n} partners in {sum(build_times.values()):.1f} s: "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in build_times.items()), flush=True)
        size_mb = path.stat().st_size / 1e6
        results[n] = {"file_mb": size_mb, "build": build_times, "ops": measure(path)}
        _print(results, sizes[0])
    if args.json:
        print(json.dumps({str(k): v for k, v in results.items()}, indent=1, default=str))
    return 0


def _print(results: dict[int, dict], base: int) -> None:
    print()
    print(f"{'partners':>9} {'operation':<13} {'time s':>8} {'peak MB':>8} {'÷ floor':>8} "
          f"{'growth':>7}")
    for n, res in results.items():
        floor = res["ops"]["floor"]["s"]
        for op, fig in res["ops"].items():
            ratio = fig["s"] / floor if op in ("scorecard", "refresh-kpis", "portfolio") else None
            growth = None
            if n != base and base in results and op in results[base]["ops"]:
                growth = (fig["s"] / results[base]["ops"][op]["s"]) / (n / base)
            extra = f"  longest stall {fig['stall_ms']:.0f} ms" if "stall_ms" in fig else ""
            print(f"{n:>9} {op:<13} {fig['s']:>8.2f} {fig['mb']:>8.0f} "
                  f"{'' if ratio is None else f'{ratio:.2f}':>8} "
                  f"{'' if growth is None else f'{growth:.2f}':>7}{extra}")
        print(f"{n:>9} {'file':<13} {res['file_mb']:>8.0f} MB")
    print("growth = (time ÷ time at the first size) ÷ (partners ÷ partners at the first size):"
          " 1.00 is linear", flush=True)


if __name__ == "__main__":
    sys.exit(main())
