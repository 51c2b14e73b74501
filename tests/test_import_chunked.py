"""A CSV larger than one chunk is imported chunk by chunk (jbp.importers.streaming) with the
same outcome as the same file imported in one piece: stored rows, report (counts, every
rejection with its row number, notes, assumptions), result and import record. The chunk size
is lowered through its module constant (configuration: the same code runs, only with chunks
of 40 rows)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from jbp import importers as imp
from jbp.errors import JbpError
from jbp.importers import chunked, seen
from jbp.progress import Cancelled, Progress

CHUNK = 40
ROOT = Path(__file__).resolve().parent.parent


def _ws(tmp_path: Path, name: str):
    import datetime as dt

    from jbp.demo import PROGRAM
    from jbp.model import Partner
    from jbp.store import Workspace

    ws = Workspace.create(tmp_path / f"{name}.jbp", PROGRAM)
    for pname, ptype in (("Acme", "Reseller"), ("Bluepeak", "SI"), ("Cobalt Ltd", "MSP")):
        ws.add_partner(Partner(name=pname, type=ptype, region="EMEA",
                               signup_date=dt.date(2024, 3, 1)))
    return ws


def _stored(ws, kind: str) -> list[tuple]:
    cols = ", ".join(imp.kind_spec(kind).columns)
    return [tuple(r) for r in ws.rows(f"SELECT {cols}, natural_key, import_id FROM {kind} "
                                      "ORDER BY id")]


def _imports(ws) -> list[tuple]:
    return [tuple(r) for r in ws.rows("SELECT id, kind, file, rows_taken, rows_rejected, "
                                      "rows_duplicate FROM imports ORDER BY id")]


def _both(tmp_path, monkeypatch, files, kind, before=(), **kw):
    """Import ``files`` in turn into two fresh workspaces, in one piece and in chunks of
    CHUNK rows; return the (reports, results, stored rows, imports) of each."""
    out = []
    for name, rows in (("whole", chunked.STREAM_ROWS), ("chunks", CHUNK)):
        monkeypatch.setattr(chunked, "STREAM_ROWS", rows)
        ws = _ws(tmp_path, name)
        try:
            for f in before:
                monkeypatch.setattr(chunked, "STREAM_ROWS", 10**9)
                imp.run_import(ws, f, kind, allow_rejected=True)
                monkeypatch.setattr(chunked, "STREAM_ROWS", rows)
            got = [imp.run_import(ws, f, kind, **kw) for f in files]
            out.append(([g[0] for g in got], [g[1] for g in got], _stored(ws, kind),
                        _imports(ws)))
        finally:
            ws.close()
    return out


def _logins(n: int, *, bad_at: int = -1, dup_of: int = -1) -> str:
    """``n`` login rows; row index ``bad_at`` names an unknown partner and a bad date, and
    the rows from ``dup_of`` repeat row 0's login (same user, day: a second login)."""
    lines = ["Portal logins export", "Generated 2026-11-01", "", "Partner,User,Login date"]
    for i in range(n):
        partner = ("Acme", "Bluepeak", "Cobalt Ltd")[i % 3]
        user, day = f"user{i % 7}@x.com", f"2026-{1 + i % 9:02d}-{1 + i % 27:02d} 10:{i % 60:02d}"
        if i == bad_at:
            partner, day = "Acmee", "2026-02-30"
        if i >= dup_of >= 0 and i % 50 == dup_of % 50:
            partner, user, day = "Acme", "user0@x.com", "2026-01-01 10:00"
        lines.append(f"{partner},{user},{day}")
        if i == 57:
            lines.append(",,")  # a blank row in the file
    lines += ["", "Total,,", "Count: 300,,"]
    return "\n".join(lines) + "\n"


def test_a_file_bigger_than_one_chunk_is_streamed(tmp_path):
    f = tmp_path / "l.csv"
    f.write_text(_logins(300))
    assert chunked.is_large_csv(f, CHUNK)
    assert not chunked.is_large_csv(f)
    pieces = list(chunked.read_chunks(chunked.open_csv(f), CHUNK))
    assert len(pieces) > 5 and sum(len(p.frame) for p in pieces) == 300
    assert [int(p.rows[0]) for p in pieces[:3]] == [5, 15, 55]  # the header is line 4


def test_the_hash_table_remembers_and_counts():
    rng = np.random.default_rng(1)
    table, expected = seen.HashTable(1), {}
    for _ in range(60):
        keys = np.unique(rng.integers(0, 5000, 300))
        counts = rng.integers(1, 5, len(keys))
        found, before = table.lookup(keys)
        assert found.tolist() == [k in expected for k in keys.tolist()]
        assert before[:, 0].tolist() == [expected.get(k, 0) for k in keys.tolist()]
        table.add(keys, counts, accumulate=True)
        for k, n in zip(keys.tolist(), counts.tolist(), strict=True):
            expected[k] = expected.get(k, 0) + n
    assert len(table) == len(expected)


def test_logins_in_chunks_match_one_piece(tmp_path, monkeypatch):
    f = tmp_path / "logins.csv"
    # A bad row in the second chunk, the same login again and again across chunks.
    f.write_text(_logins(300, bad_at=CHUNK + 5, dup_of=10))
    old = tmp_path / "old.csv"  # stored before: an overlapping earlier export
    old.write_text("Partner,User,Login date\n" + "".join(
        f"{('Acme', 'Bluepeak', 'Cobalt Ltd')[i % 3]},user{i % 7}@x.com,"
        f"2026-{1 + i % 9:02d}-{1 + i % 27:02d} 10:{i % 60:02d}\n" for i in range(100)))
    whole, chunks = _both(tmp_path, monkeypatch, [f], "logins", before=[old],
                          allow_rejected=True)
    assert chunks == whole
    report = whole[0][0]
    assert [(e.row, e.column) for e in report.errors] == [(50, "Partner"), (50, "Login date")]
    assert report.duplicates > 0 and report.new > 0 and report.rows == 300
    assert any("below the table left out" in n for n in report.notes)
    # The repeats of row 0's login are numbered on across chunks: all stored, once each.
    keys = [r[3] for r in whole[2] if r[3].startswith("1|2026-01-01|user0@x.com|")]
    assert len(keys) == len(set(keys)) > 3


def test_logins_rejected_rows_import_nothing_in_chunks(tmp_path, monkeypatch):
    f = tmp_path / "logins.csv"
    f.write_text(_logins(200, bad_at=150))
    whole, chunks = _both(tmp_path, monkeypatch, [f], "logins")
    assert chunks == whole
    assert whole[1] == [None] and whole[2] == [] and whole[3] == []
    assert [e.row for e in whole[0][0].errors] == [156, 156]  # the header is line 4; a blank row above


DEALS = "Deal ID,Partner,Customer,Amount,Type,Close date,Created,Role,Stage\n"


def _deals(n: int) -> str:
    lines = []
    for i in range(n):
        # The first chunks' dates fit day/month and month/day alike; later ones tell.
        day = f"{1 + i % 12:02d}/{1 + i % 12:02d}/2026" if i < 100 else f"{13 + i % 15}/05/2026"
        amount = f"{1000 + i}.5" if i != 131 else '"12.500,00"'
        stage = "Closed Won" if i % 5 else "Closed Lost"
        role = "Reseller (Sourced)" if i % 2 else "Influenced"
        lines.append(f"D{i},{('Acme', 'Bluepeak')[i % 2]},Cust {i},{amount},ARR,{day},"
                     f"{day},{role},{stage}")
    lines.append(lines[3])                                   # the same deal again
    lines.append(lines[8].replace("Cust 8", "Other"))        # the same id, other values
    lines.append(lines[15].replace("Closed Lost", "Closed Won"))  # filtered first, now taken
    return DEALS + "\n".join(lines) + "\n"


def test_deals_in_chunks_match_one_piece(tmp_path, monkeypatch):
    f = tmp_path / "deals.csv"
    f.write_text(_deals(200))
    whole, chunks = _both(tmp_path, monkeypatch, [f, f], "deals", allow_rejected=True)
    assert chunks == whole
    first, again = whole[0]
    assert first.filtered and first.in_file_duplicates == 1
    assert any("repeats the record of row 10" in e.reason for e in first.errors)
    assert any("day/month" in a for a in first.assumed)  # decided by the later rows
    assert again.duplicates == first.new  # the second import finds every row stored


def test_a_cancelled_chunked_import_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(chunked, "STREAM_ROWS", CHUNK)
    f = tmp_path / "logins.csv"
    f.write_text(_logins(300))

    class StopLate(Progress):
        def report(self, fraction=None, message=None):
            super().report(fraction, message)
            if fraction is not None and 0.5 < fraction < 0.95:
                self.cancel()

    ws = _ws(tmp_path, "cancel")
    try:
        with pytest.raises(Cancelled):
            imp.run_import(ws, f, "logins", state=StopLate())
        assert _stored(ws, "logins") == [] and _imports(ws) == []
        with pytest.raises(JbpError):
            imp.run_import(ws, tmp_path / "missing.csv", "logins")
    finally:
        ws.close()


KILLED = """
import os, sys
from jbp import importers as imp
from jbp.importers import chunked, seen
from jbp.progress import Progress
from jbp.store import Workspace

chunked.STREAM_ROWS = 40

class Stop(Progress):
    written = 0
    def report(self, fraction=None, message=None):
        super().report(fraction, message)
        n = Workspace_rows()
        if n >= 80:  # two chunks written inside the transaction: say so, wait to be killed
            open(sys.argv[3], "w").close()
            while True:
                pass

ws = Workspace.open(sys.argv[1])
def Workspace_rows():
    return ws.rows("SELECT count(*) FROM logins")[0][0]
imp.run_import(ws, sys.argv[2], "logins", state=Stop())
"""


def test_a_killed_chunked_import_leaves_nothing(tmp_path):
    from jbp.store import Workspace

    f = tmp_path / "logins.csv"
    f.write_text(_logins(300))
    ws = _ws(tmp_path, "killed")
    ws.close()
    ready = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED),
                              str(tmp_path / "killed.jbp"), str(f), str(ready)],
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        while not ready.exists():
            assert child.poll() is None, "the import ended before it was killed"
            os.sched_yield()
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    with Workspace.open(tmp_path / "killed.jbp") as ws:
        assert _stored(ws, "logins") == [] and _imports(ws) == []
        assert len(ws.rows("SELECT id FROM partners")) == 3


@pytest.mark.parametrize("flags", [[], ["--skip-bad"], ["--dry-run"],
                                   ["--skip-bad", "--extract-date", "2026-03-01"]])
def test_the_cli_says_and_stores_the_same_in_chunks(tmp_path, monkeypatch, capsys, flags):
    from ui.cli import main

    f = tmp_path / "logins.csv"
    f.write_text(_logins(300, bad_at=CHUNK + 5, dup_of=10))
    out = []
    for name, rows in (("whole", chunked.STREAM_ROWS), ("chunks", CHUNK)):
        monkeypatch.setattr(chunked, "STREAM_ROWS", rows)
        _ws(tmp_path, name).close()
        ws_path = tmp_path / f"{name}.jbp"
        try:
            code = main(["import", str(ws_path), str(f), "--kind", "logins",
                         "--no-refresh-kpis", *flags])
        except JbpError as exc:  # main's caller prints it
            code = str(exc)
        said = capsys.readouterr()
        from jbp.store import Workspace

        with Workspace.open(ws_path) as ws:
            out.append((code, said.out, said.err, _stored(ws, "logins"), _imports(ws)))
    assert out[1] == out[0]
    assert out[0][1].count("row 50, column") == 2
    stored = {"--skip-bad": 299, "--dry-run": 0, "2026-03-01": 0}.get(flags[-1] if flags else "",
                                                                       0)
    assert len(out[0][3]) == stored
    if "--extract-date" in flags:
        assert out[0][0] == 2 and "2026-03-01" in out[0][2]  # refused: rows go on past it
