"""Kill writes at random moments and count the damage.

Runs ``jbp import``, ``jbp export --force``, ``jbp refresh-kpis``, ``jbp demo --force`` and a
GUI-path edit (a loop of plan edits through :class:`ui.context.AppContext.run`, the path every
edit in the app takes, driven headless) as real processes, kills each with SIGKILL after a
random delay within the command's own duration (every other round within its last 40%, where
the writing happens), then checks what is left:

- **corrupt**: the workspace or the exported workbook is damaged (SQLite integrity check, a
  zip that does not test clean);
- **half-applied**: the workspace holds neither the state before the command nor the state
  after it (for edits: a revision without its change or the reverse);
- **unusable**: ``jbp info`` refuses the workspace although it is not damaged (e.g. a leftover
  journal the careful open cannot roll back);
- **lost**: something the command had already reported as saved is gone, or ``demo --force``
  left neither the old workspace nor the new one.

Usage::

    python benchmarks/crash_test.py [--kills 50] [--seed 14] [--max-seconds 900] [--code DIR]

``--code`` runs another checkout's ``jbp`` (e.g. main's, for a before/after figure); the
checks themselves only use SQLite and zipfile. Prints one line per command and the totals.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPS = ("import", "export", "refresh", "demo", "gui_edit")
EDITS = 400

GUI_EDIT = """
import os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
app = QApplication([])
from jbp.commands import Editor, SetField
from jbp.store import Workspace
from ui.context import AppContext
ws = Workspace.open(sys.argv[1])
ctx = AppContext()
ctx.set_workspace(ws)
initiative = int(sys.argv[2])
editor = Editor("crash-test", "vendor")
for i in range(int(sys.argv[3])):
    ok = ctx.run(SetField(editor, "initiative", initiative, "title", f"crash edit {i}"))
    print(f"{'ok' if ok else 'refused'} {i}", flush=True)
ctx.set_workspace(None)
"""


@dataclass
class Tally:
    kills: int = 0
    corrupt: int = 0
    half_applied: int = 0
    unusable: int = 0
    lost: int = 0
    recovered: int = 0  # opens that said "recovered from an interrupted write"
    mid_write: int = 0  # kills that left a journal or a temporary file behind
    litter: int = 0  # temporary files left beside the target
    notes: list[str] = field(default_factory=list)


def _env(code: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(code), QT_QPA_PLATFORM="offscreen", MPLBACKEND="Agg")
    return env


def jbp(code: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], env=_env(code), cwd=code,
                          capture_output=True, text=True, timeout=timeout)


def table_hash(path: Path, sql: str) -> str:
    """A fingerprint of a query's rows (the connection rolls back a hot journal first)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def integrity_ok(path: Path) -> bool:
    try:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def zip_ok(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None and "[Content_Types].xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


DEALS_SQL = "SELECT natural_key, amount FROM deals ORDER BY natural_key"
KPIS_SQL = "SELECT * FROM kpis ORDER BY id"
#: What makes a demo workspace complete (plans and revisions are written last).
DEMO_SQL = ("SELECT (SELECT COUNT(*) FROM partners), (SELECT COUNT(*) FROM plans), "
            "(SELECT COUNT(*) FROM revisions), (SELECT COUNT(*) FROM deals)")


def make_deals_csv(demo: Path, out: Path, rows: int, seed: int) -> None:
    conn = sqlite3.connect(demo)
    names = [r[0] for r in conn.execute("SELECT name FROM partners WHERE churned_on IS NULL")]
    conn.close()
    rng = random.Random(seed)
    lines = ["Deal ID,Partner,Customer,Amount,Revenue Type,Close Date,Created Date,"
             "Sourced or Influenced"]
    for i in range(rows):
        month = 1 + i % 11
        lines.append(f"CT{i},{rng.choice(names)},Crash Customer {i},{rng.randint(1, 90) * 1000},"
                     f"ARR,2026-{month:02d}-15,2026-{month:02d}-01,Sourced")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Bench:
    def __init__(self, code: Path, work: Path, seed: int):
        self.code, self.work, self.rng = code, work, random.Random(seed)
        self.master = work / "master.jbp"
        r = jbp(code, "demo", str(self.master))
        assert r.returncode == 0, r.stderr
        self.csv = work / "deals.csv"
        make_deals_csv(self.master, self.csv, 20_000, seed)
        self.imported = work / "imported.jbp"
        shutil.copyfile(self.master, self.imported)
        r = jbp(code, "import", str(self.imported), str(self.csv), "--kind", "deals")
        assert r.returncode == 0, r.stderr
        conn = sqlite3.connect(self.master)
        self.initiative = conn.execute("SELECT MIN(id) FROM initiatives").fetchone()[0]
        conn.close()
        self.demo_state = table_hash(self.master, DEMO_SQL)
        self.expected = {
            "import": (table_hash(self.master, DEALS_SQL),
                       table_hash(self.imported, DEALS_SQL)),
        }
        refreshed = work / "refreshed.jbp"
        shutil.copyfile(self.imported, refreshed)
        self.durations: dict[str, float] = {}
        t = time.perf_counter()
        r = jbp(code, "refresh-kpis", str(refreshed))
        assert r.returncode == 0, r.stderr
        self.durations["refresh"] = time.perf_counter() - t
        self.expected["refresh"] = (table_hash(self.imported, KPIS_SQL),
                                    table_hash(refreshed, KPIS_SQL))
        for op in OPS:
            if op != "refresh":
                case = work / f"timing-{op}"
                case.mkdir()
                t = time.perf_counter()
                proc = self.start(op, case)
                proc.communicate(timeout=600)
                self.durations[op] = time.perf_counter() - t
                shutil.rmtree(case)

    # ------------------------------------------------------------------ one command

    def start(self, op: str, case: Path) -> subprocess.Popen:
        ws = case / "w.jbp"
        src = self.imported if op == "refresh" else self.master
        shutil.copyfile(src, ws)
        if op == "import":
            args = ["import", str(ws), str(self.csv), "--kind", "deals"]
        elif op == "export":
            old = case / "out.xlsx"
            old.write_bytes(b"the previous export")
            args = ["export", str(ws), "--portfolio", "--out", str(old), "--force"]
        elif op == "refresh":
            args = ["refresh-kpis", str(ws)]
        elif op == "demo":
            conn = sqlite3.connect(ws)
            conn.execute("INSERT INTO meta VALUES ('crash_marker', 'old')")
            conn.commit()
            conn.close()
            args = ["demo", str(ws), "--force"]
        else:
            return subprocess.Popen(
                [sys.executable, "-c", GUI_EDIT, str(ws), str(self.initiative), str(EDITS)],
                env=_env(self.code), cwd=self.code, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, start_new_session=True)
        # cwd is the checkout too: ``python -m`` puts the working folder first on sys.path.
        return subprocess.Popen([sys.executable, "-m", "ui.cli", *args], env=_env(self.code),
                                cwd=self.code, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)

    def kill_one(self, op: str, case: Path, tally: Tally, late: bool) -> bool:
        """Start ``op`` in ``case``, kill it, check; False when it finished first. The moment
        is uniform over the command's duration, or with ``late`` over its last 40%, where
        a command that reads first and writes last does its writing."""
        proc = self.start(op, case)
        d = self.durations[op]
        time.sleep(self.rng.uniform(0.6 * d if late else 0.0, d))
        if proc.poll() is not None:  # finished before the kill: not a kill, try again
            proc.communicate(timeout=60)
            return False
        os.killpg(proc.pid, signal.SIGKILL)
        out, _err = proc.communicate(timeout=60)
        tally.kills += 1
        ws = case / "w.jbp"
        leftovers = [p for p in case.iterdir() if p.name.endswith((".part", "-journal"))]
        if leftovers:
            tally.mid_write += 1
        tally.litter += sum(1 for p in leftovers if p.name.endswith(".part"))
        self.check(op, case, ws, out, tally)
        return True

    def check(self, op: str, case: Path, ws: Path, out: str, tally: Tally) -> None:
        def note(kind: str, text: str) -> None:
            setattr(tally, kind, getattr(tally, kind) + 1)
            tally.notes.append(f"{op}: {kind}: {text}")

        if op == "demo" and not ws.exists():
            note("lost", "neither the old workspace nor the new one is there")
            return
        if op == "export":
            target = case / "out.xlsx"
            if target.read_bytes() != b"the previous export" and not zip_ok(target):
                note("corrupt", "the exported workbook is half written")
        info = jbp(self.code, "info", str(ws))
        if "recovered from an interrupted write" in info.stderr:
            tally.recovered += 1
        if not integrity_ok(ws):
            note("corrupt", info.stderr.strip()[:200])
            return
        if info.returncode != 0:
            note("unusable", info.stderr.strip()[:200])
        if op in ("import", "refresh"):
            sql = DEALS_SQL if op == "import" else KPIS_SQL
            state = table_hash(ws, sql)
            before, after = self.expected[op]
            if state not in (before, after):
                note("half_applied", "neither the state before nor after")
            said = "Imported" if op == "import" else "Updated"
            if said in out and state != after:
                note("lost", "reported as saved, not in the workspace")
        elif op == "demo":
            conn = sqlite3.connect(ws)
            try:
                marker = conn.execute(
                    "SELECT value FROM meta WHERE key = 'crash_marker'").fetchone()
                state = table_hash(ws, DEMO_SQL)
            except sqlite3.Error:
                marker, state = None, None
            finally:
                conn.close()
            if "Demo workspace written" in out and marker is not None:
                note("lost", "reported as written, the old workspace is still there")
            elif marker is None and state != self.demo_state:
                note("lost", "the old workspace is gone and the new one is unfinished")
        elif op == "gui_edit":
            acknowledged = sum(1 for line in out.splitlines() if line.startswith("ok "))
            conn = sqlite3.connect(ws)
            revs = conn.execute(
                "SELECT new FROM revisions WHERE author = 'crash-test' ORDER BY id").fetchall()
            title = conn.execute("SELECT title FROM initiatives WHERE id = ?",
                                 (self.initiative,)).fetchone()[0]
            conn.close()
            if len(revs) < acknowledged:
                note("lost", f"{acknowledged - len(revs)} acknowledged edits missing")
            if revs and f'"{title}"' != revs[-1][0]:
                note("half_applied", f"title {title!r} but last revision {revs[-1][0]}")
            if not revs and title.startswith("crash edit"):
                note("half_applied", "a change without its revision")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--max-seconds", type=float, default=900.0,
                        help="stop killing after this long (the counts say how many ran)")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="checkout whose jbp is killed (default: this one)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jbp-crash-") as tmp:
        work = Path(tmp)
        bench = Bench(args.code.resolve(), work, args.seed)
        print("Command durations (s): " + ", ".join(
            f"{op} {d:.2f}" for op, d in bench.durations.items()), flush=True)
        tallies = {op: Tally() for op in OPS}
        kills = attempt = 0
        while kills < args.kills:
            if time.perf_counter() - started > args.max_seconds:
                print(f"time limit reached after {kills} kills", flush=True)
                break
            op = OPS[kills % len(OPS)]
            case = work / f"kill-{attempt}"
            case.mkdir()
            attempt += 1
            kills += bench.kill_one(op, case, tallies[op], late=(kills // len(OPS)) % 2 == 1)
            shutil.rmtree(case, ignore_errors=True)
    cols = ("kills", "corrupt", "half_applied", "unusable", "lost", "recovered", "mid_write",
            "litter")
    print(f"{'command':<10}" + "".join(f"{c:>13}" for c in cols))
    total = Tally()
    for op, t in tallies.items():
        print(f"{op:<10}" + "".join(f"{getattr(t, c):>13}" for c in cols))
        for c in cols:
            setattr(total, c, getattr(total, c) + getattr(t, c))
        total.notes += t.notes
    print(f"{'total':<10}" + "".join(f"{getattr(total, c):>13}" for c in cols))
    print(f"corrupt / half-applied / unusable / lost: {total.corrupt} / {total.half_applied} / "
          f"{total.unusable} / {total.lost} over {total.kills} kills "
          f"({time.perf_counter() - started:.0f} s)")
    for n in total.notes[:20]:
        print("  " + n)
    return 0 if not (total.corrupt or total.half_applied or total.unusable or total.lost) \
        else 1


if __name__ == "__main__":
    sys.exit(main())
