"""Build a large workspace for the GUI scale probe: N partners with a modest two years of
actuals (24 months ending 2026-10-31), written through the store's public API.

Per partner over the two years: about 4 deals, 6 registrations, 24 portal logins, 2
certifications, 2 MDF rows; monthly program costs. Tiers are set by the program's rules
as the demo does, about a fifth of the partners have no activity in the last 90 days (so
the at-risk list is long) and 3 % are churned. The workspace is pinned "as of" 2026-11-15.

Usage: python benchmarks/build_scale_workspace.py OUT.jbp --partners 20000 [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jbp.demo import PROGRAM  # noqa: E402
from jbp.model import PARTNER_TYPES, REGIONS, Partner  # noqa: E402
from jbp.store import Workspace  # noqa: E402

END = dt.date(2026, 10, 31)
START = dt.date(2024, 11, 1)
AS_OF = dt.date(2026, 11, 15)
SPAN = (END - START).days


def _day(k: int) -> str:
    return (START + dt.timedelta(days=int(k))).isoformat()


def build(path: Path, n: int, seed: int = 7) -> Path:
    """Write the workspace at ``path`` (replaced if it exists); returns ``path``."""
    rng = np.random.default_rng(seed)
    if path.exists():
        path.unlink()
    ws = Workspace.create(path, PROGRAM)
    tiers = [t.name for t in PROGRAM.tiers_by_rank()]
    managers = [f"Manager {i:02d}" for i in range(40)]
    with ws.transaction():
        ws.set_meta("as_of", AS_OF.isoformat())
        for i in range(n):
            signup = dt.date(2022, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1000)))
            churned = signup + dt.timedelta(days=400) if i % 33 == 0 else None
            ws.add_partner(Partner(
                name=f"Partner {i:05d} {('Cloud', 'Systems', 'Consulting', 'Data')[i % 4]}",
                type=PARTNER_TYPES[i % len(PARTNER_TYPES)], region=REGIONS[i % len(REGIONS)],
                signup_date=signup, activated_on=signup + dt.timedelta(days=45),
                tier=tiers[min(int(rng.exponential(0.8)), len(tiers) - 1)],
                churned_on=churned, manager=managers[i % len(managers)]))
        ids = np.array([p.id for p in ws.partners()])
        # A fifth of the partners went quiet 100+ days before the end: no recent activity.
        quiet = rng.random(len(ids)) < 0.2

        def partners_and_days(per_partner: int) -> tuple[np.ndarray, np.ndarray]:
            rows = per_partner * len(ids)
            who = rng.integers(0, len(ids), rows)
            days = rng.integers(0, SPAN + 1, rows)
            days = np.where(quiet[who], np.minimum(days, SPAN - 100), days)
            return ids[who], days

        kinds: dict[str, tuple[list[tuple], list[str]]] = {}
        pid, days = partners_and_days(4)
        amounts = np.round(rng.lognormal(np.log(40_000), 0.7, len(pid)), 2)
        kinds["deals"] = ([(f"D{k}", int(p), f"Customer {k // 3}", float(a), bool(k % 5),
                            _day(d), _day(max(d - 60, 0)),
                            "sourced" if k % 10 < 7 else "influenced")
                           for k, (p, d, a) in enumerate(zip(pid, days, amounts, strict=True))],
                          [f"ext|D{k}" for k in range(len(pid))])
        pid, days = partners_and_days(6)
        kinds["registrations"] = ([(f"R{k}", int(p), _day(d), 30_000.0,
                                    ("approved", "won", "lost")[k % 3], False)
                                   for k, (p, d) in enumerate(zip(pid, days, strict=True))],
                                  [f"ext|R{k}" for k in range(len(pid))])
        pid, days = partners_and_days(24)
        kinds["logins"] = ([(int(p), _day(d), f"u{k % 7}")
                            for k, (p, d) in enumerate(zip(pid, days, strict=True))],
                           [str(k) for k in range(len(pid))])
        pid, days = partners_and_days(2)
        kinds["certifications"] = ([(int(p), f"person {k}", "Sales", _day(d))
                                    for k, (p, d) in enumerate(zip(pid, days, strict=True))],
                                   [f"c{k}" for k in range(len(pid))])
        pid, days = partners_and_days(2)
        kinds["mdf"] = ([(f"M{k}", int(p), "request" if k % 2 == 0 else "claim", _day(d),
                          10_000.0, "approved" if k % 2 == 0 else "paid", "Campaign")
                         for k, (p, d) in enumerate(zip(pid, days, strict=True))],
                        [f"ext|M{k}" for k in range(len(pid))])
        for kind, (rows, keys) in kinds.items():
            import_id = ws.execute(
                "INSERT INTO imports (kind, file, imported_at, rows_taken, rows_rejected, "
                "rows_duplicate, extract_date) VALUES (?, ?, ?, ?, 0, 0, ?)",
                (kind, f"{kind}.csv", f"{AS_OF.isoformat()} 08:00:00", len(rows),
                 END.isoformat())).lastrowid
            ws.insert_actuals(kind, rows, keys, import_id)
        months = [dt.date(START.year + (START.month - 1 + m) // 12,
                          (START.month - 1 + m) % 12 + 1, 1) for m in range(24)]
        ws.insert_actuals("program_costs", [(m.isoformat(), c, 20.0 * n, None)
                                            for m in months for c in ("people", "enablement",
                                                                      "overhead", "recruitment")],
                          [])
    ws.close()
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--partners", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    build(args.out, args.partners, args.seed)
    print(f"{args.out}: {args.partners} partners, {args.out.stat().st_size / 1e6:.0f} MB, "
          f"built in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
