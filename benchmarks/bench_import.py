"""Benchmark: importing a 100,000-row deals export, and the scorecard of 1,000 partners.

Prints times as ratios measured in the same run, so the figures travel between machines:

* import ÷ ``pandas.read_csv`` of the same file (parse and validate only, then the full
  import into a workspace, then a re-import where every row is a duplicate);
* for scale, SQLite alone: the same records written with one ``executemany`` into the
  deals table of a fresh copy of the workspace, in one transaction (the floor under the
  full import: no parsing, no checks, no progress);
* the scorecard of 1,000 partners with 100,000 deals, 200,000 logins, 20,000 registrations,
  certifications and MDF rows (absolute seconds, and ÷ read_csv for scale).

Usage: python benchmarks/bench_import.py [--rows 100000] [--partners 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jbp import importers, metrics  # noqa: E402
from jbp.demo import PROGRAM  # noqa: E402
from jbp.model import PARTNER_TYPES, REGIONS, Partner  # noqa: E402
from jbp.store import Workspace  # noqa: E402


def make_workspace(path: Path, n_partners: int, rng: np.random.Generator) -> list[str]:
    ws = Workspace.create(path, PROGRAM)
    names = [f"Partner {i:04d} Ltd" for i in range(n_partners)]
    with ws.transaction():
        for i, name in enumerate(names):
            ws.add_partner(Partner(
                name=name, type=PARTNER_TYPES[i % len(PARTNER_TYPES)],
                region=REGIONS[i % len(REGIONS)],
                signup_date=dt.date(2023, 1, 1) + dt.timedelta(days=int(rng.integers(0, 900)))))
    ws.close()
    return names


def write_deals(path: Path, names: list[str], rows: int, rng: np.random.Generator) -> None:
    base = np.datetime64("2025-05-01")
    close = base + rng.integers(0, 540, rows).astype("timedelta64[D]")
    created = close - rng.integers(10, 200, rows).astype("timedelta64[D]")
    frame = pd.DataFrame({
        "Opportunity ID": [f"OPP-{i:07d}" for i in range(rows)],
        "Partner": np.array(names)[rng.integers(0, len(names), rows)],
        "Account Name": [f"Customer {i}" for i in rng.integers(0, rows // 2, rows)],
        "Amount": np.round(rng.lognormal(np.log(40_000), 0.7, rows), 2),
        "Revenue Type": np.where(rng.random(rows) < 0.85, "ARR", "One-off"),
        "Close Date": close.astype(str),
        "Created Date": created.astype(str),
        "Sourced or Influenced": np.where(rng.random(rows) < 0.7, "Sourced", "Influenced"),
    })
    frame.to_csv(path, index=False)


def fill_other_actuals(path: Path, rng: np.random.Generator) -> None:
    """Logins, registrations, certifications, MDF and costs for the scorecard benchmark."""
    with Workspace.open(path) as ws:
        ids = [p.id for p in ws.partners()]
        n = len(ids)
        base = dt.date(2025, 5, 1)

        def day(k: int) -> str:
            return (base + dt.timedelta(days=int(k))).isoformat()

        def pid() -> int:
            return ids[int(rng.integers(0, n))]

        with ws.transaction():
            logins = [(pid(), day(rng.integers(0, 540)), f"u{rng.integers(0, 8)}")
                      for _ in range(200_000)]
            ws.insert_actuals("logins", logins, [f"{i}" for i in range(len(logins))])
            regs = [(f"R{i}", pid(), day(rng.integers(0, 540)), 30_000.0,
                     str(rng.choice(["approved", "won", "lost"])), False)
                    for i in range(20_000)]
            ws.insert_actuals("registrations", regs, [f"ext|R{i}" for i in range(len(regs))])
            certs = [(pid(), f"person {i}", "Sales", day(rng.integers(0, 540)))
                     for i in range(20_000)]
            ws.insert_actuals("certifications", certs, [f"c{i}" for i in range(len(certs))])
            mdf = [(f"M{i}", pid(), "request" if i % 2 == 0 else "claim",
                    day(rng.integers(0, 540)), 10_000.0,
                    "approved" if i % 2 == 0 else "paid", "Campaign") for i in range(20_000)]
            ws.insert_actuals("mdf", mdf, [f"ext|M{i}" for i in range(len(mdf))])
            months = pd.date_range("2025-05-01", periods=18, freq="MS").date
            costs = [(m.isoformat(), c, 50_000.0, None) for m in months
                     for c in ("people", "enablement", "overhead", "recruitment")]
            ws.insert_actuals("program_costs", costs, [])


def sqlite_alone(master: Path, path: Path, prepared: importers.PreparedImport) -> float:
    """Seconds to write ``prepared``'s records into a copy of ``master`` with bare sqlite3:
    one transaction, one executemany, the same columns and settings as the import."""
    from jbp.store import ACTUALS_COLUMNS

    path.write_bytes(master.read_bytes())
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{importers.IMPORT_CACHE_KIB}")
    cols = ACTUALS_COLUMNS["deals"]
    rows = [(*r, k) for r, k in zip(prepared.records, prepared.keys, strict=True)]
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO imports (id, kind, file, imported_at, rows_taken, rows_rejected,"
                 " rows_duplicate) VALUES (1, 'deals', 'x', 'now', 0, 0, 0)")
    conn.executemany(f"INSERT INTO deals ({', '.join(cols)}, natural_key, import_id) VALUES "
                     f"({', '.join('?' * (len(cols) + 1))}, 1)", rows)
    conn.execute("COMMIT")
    t = time.perf_counter() - t0
    conn.close()
    return t


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--partners", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        names = make_workspace(tmp / "master.jbp", args.partners, rng)
        csv = tmp / "deals.csv"
        write_deals(csv, names, args.rows, rng)
        size_mb = csv.stat().st_size / 1e6
        read, prep, full, again, floor = [], [], [], [], []
        for r in range(args.repeat):
            _, t = timed(pd.read_csv, csv)
            read.append(t)
            ws_path = tmp / f"run{r}.jbp"
            ws_path.write_bytes((tmp / "master.jbp").read_bytes())
            with Workspace.open(ws_path) as ws:
                def parse_only(ws=ws):
                    table = importers.read_table(csv)
                    mapping = importers.guess_mapping("deals", table.headers)
                    return importers.prepare(ws, table, mapping)
                prepared, t = timed(parse_only)
                prep.append(t)
                assert prepared.report.rejected == 0, prepared.report.text(limit=5)
                floor.append(sqlite_alone(tmp / "master.jbp", tmp / f"floor{r}.jbp", prepared))
                (report, result), t = timed(importers.run_import, ws, csv, "deals",
                                            allow_rejected=False)
                full.append(t)
                assert result is not None and result.inserted == args.rows, report.text(5)
                (report, result), t = timed(importers.run_import, ws, csv, "deals")
                again.append(t)
                assert result is not None and result.inserted == 0
        base = statistics.median(read)
        print(f"deals export: {args.rows:,} rows, {size_mb:.1f} MB, {args.partners} partners")
        print(f"pandas.read_csv                      {base:7.3f} s   1.00x")
        for label, ts in (("read + validate (prepare)", prep),
                          ("full import (validate + write)", full),
                          ("re-import (all duplicates)", again),
                          ("SQLite alone: write the records", floor)):
            t = statistics.median(ts)
            print(f"{label:<36} {t:7.3f} s  {t / base:5.2f}x read_csv")
        ws_path = tmp / "run0.jbp"
        fill_other_actuals(ws_path, rng)
        with Workspace.open(ws_path) as ws:
            actuals, t_load = timed(metrics.Actuals.load, ws)
        cards = []
        for _ in range(args.repeat):
            card, t = timed(metrics.scorecard_from, actuals)
            cards.append(t)
        t_card = statistics.median(cards)
        print(f"scorecard, {len(card)} partners (load {t_load:.3f} s)"
              f"   {t_card:7.3f} s  {t_card / base:5.2f}x read_csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
