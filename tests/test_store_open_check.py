"""Opening a large workspace is cheap (issue 17), and damage is still found.

A file up to :data:`jbp.store.FULL_CHECK_BYTES` gets SQLite's page-by-page check on every
open. Above it, opening checks the header, the schema and the file's length; the
page-by-page check runs after an unclean shutdown (a hot journal rolled back) and on demand
(``jbp check``). The threshold is set to 0 here so the small demo stands for a large file.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jbp import store
from jbp.errors import WorkspaceError
from jbp.store import Workspace, check_file

# A write killed half-way: a hot journal is left beside the file.
KILLED_WRITE = """
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA cache_size = 2")
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE deals SET customer = customer || ' (half-written)'")
os._exit(9)
"""


@pytest.fixture
def large(monkeypatch) -> None:
    """Every file counts as large."""
    monkeypatch.setattr(store, "FULL_CHECK_BYTES", 0)


def _damage_logins(path: Path) -> None:
    """Overwrite the middle of a page of the logins table (leaf data, not the schema)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'logins'").fetchone()[0]
    pages = [r[0] for r in conn.execute(
        "SELECT pageno FROM dbstat WHERE name = 'logins' AND pagetype = 'leaf'")] \
        if _has_dbstat(conn) else [root + 5]
    conn.close()
    page = pages[len(pages) // 2]
    data = bytearray(path.read_bytes())
    start = (page - 1) * page_size
    data[start:start + page_size] = b"\xde\xad" * (page_size // 2)
    path.write_bytes(bytes(data))


def _has_dbstat(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT 1 FROM dbstat LIMIT 1").fetchall()
        return True
    except sqlite3.OperationalError:
        return False


def test_a_large_healthy_file_opens_and_checks_clean(demo_path: Path, large):
    with Workspace.open(demo_path) as ws:
        assert ws.info()["partners"] > 0
    assert check_file(demo_path) == []


def test_a_truncated_large_file_is_refused_at_open(demo_path: Path, tmp_path: Path, large):
    cut = tmp_path / "cut.jbp"
    data = demo_path.read_bytes()
    cut.write_bytes(data[:len(data) * 3 // 4])
    with pytest.raises(WorkspaceError, match="damaged"):
        Workspace.open(cut)


def test_damage_inside_a_large_file_is_found_on_demand(demo_path: Path, large):
    """Opening does not read every page of a large file, so damage deep in a table passes
    the open; ``jbp check`` reads every page and names it."""
    _damage_logins(demo_path)
    with Workspace.open(demo_path) as ws:
        assert ws.schema_version == store.CURRENT_VERSION
    assert check_file(demo_path) != []
    done = subprocess.run([sys.executable, "-m", "ui.cli", "check", str(demo_path)],
                          capture_output=True, text=True, check=False)
    # (The command's own process sees a small file: its open already refuses it.)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "damaged" in done.stdout + done.stderr


def test_a_small_file_is_checked_page_by_page_on_every_open(demo_path: Path):
    _damage_logins(demo_path)
    with pytest.raises(WorkspaceError, match="damaged"):
        Workspace.open(demo_path)


def test_after_an_unclean_shutdown_a_large_file_is_checked_in_full(demo_path: Path, large):
    """The hot journal of a killed write is rolled back and the whole file checked: damage
    elsewhere in it is refused at this open, though a clean open of a large file would not
    read those pages."""
    _damage_logins(demo_path)
    subprocess.run([sys.executable, "-c", KILLED_WRITE, str(demo_path)], check=False)
    assert Path(f"{demo_path}-journal").exists()
    with pytest.raises(WorkspaceError, match="damaged"):
        Workspace.open(demo_path)
