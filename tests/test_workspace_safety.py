"""Crash- and contention-safety of the workspace: busy refusals (CLI and the GUI's retry),
the schema check, whole-file writes, demo --force, refresh-kpis retrying a changed plan."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jbp.errors import WorkspaceBusyError, WorkspaceError

LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE meta SET value = value WHERE key = 'created_at'")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


class LockHolder:
    """Another real process holding the workspace's write lock until :meth:`release`."""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", LOCK, str(path)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def short_busy_wait(monkeypatch):
    from jbp import store

    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.3)


def test_a_write_lock_held_elsewhere_is_refused_as_busy(demo_path: Path, short_busy_wait):
    from jbp.store import Workspace

    holder = LockHolder(demo_path)
    try:
        with Workspace.open(demo_path) as ws:
            with pytest.raises(WorkspaceBusyError, match="busy in another process"):
                ws.set_meta("x", "1")
            assert ws.meta("x") is None
    finally:
        holder.release()
    with Workspace.open(demo_path) as ws:
        ws.set_meta("x", "1")  # free again: the same write goes through
        assert ws.meta("x") == "1"


def test_gui_offers_retry_when_busy_and_the_retried_edit_lands(qtbot, demo_path: Path,
                                                               short_busy_wait):
    from jbp.commands import Editor, SetField
    from jbp.store import Workspace
    from ui.context import AppContext

    ctx = AppContext()
    ctx.set_workspace(Workspace.open(demo_path))
    initiative = ctx.workspace.rows("SELECT MIN(id) FROM initiatives")[0][0]
    holder = LockHolder(demo_path)
    asked = []

    def ask_retry(text: str) -> bool:
        asked.append(text)
        holder.release()  # the other window finished
        return True

    ctx.ask_retry = ask_retry
    try:
        assert ctx.run(SetField(Editor("Pat", "vendor"), "initiative", initiative, "title",
                                "Retried after busy"))
    finally:
        holder.release()
    assert len(asked) == 1 and "busy in another process" in asked[0]
    assert ctx.workspace.element("initiative", initiative).title == "Retried after busy"
    ctx.set_workspace(None)


def test_gui_cancel_on_busy_reports_and_changes_nothing(qtbot, demo_path: Path,
                                                        short_busy_wait):
    from jbp.commands import Editor, SetField
    from jbp.store import Workspace
    from ui.context import AppContext

    ctx = AppContext()
    ctx.set_workspace(Workspace.open(demo_path))
    initiative = ctx.workspace.rows("SELECT MIN(id) FROM initiatives")[0][0]
    before = ctx.workspace.element("initiative", initiative).title
    ctx.ask_retry = lambda text: False
    holder = LockHolder(demo_path)
    try:
        with qtbot.waitSignal(ctx.error) as blocker:
            assert not ctx.run(SetField(Editor("Pat", "vendor"), "initiative", initiative,
                                        "title", "Never saved"))
    finally:
        holder.release()
    assert "busy in another process" in blocker.args[0]
    assert ctx.workspace.element("initiative", initiative).title == before
    ctx.set_workspace(None)


def test_busy_dialog_offers_retry_and_cancel(qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.app import ask_retry_busy

    seen = {}

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets()
                   if w.objectName() == "workspace_busy" and w.isVisible())
        seen["buttons"] = box.standardButtons()
        seen["text"] = box.text()
        box.button(QMessageBox.StandardButton.Retry).click()

    QTimer.singleShot(50, answer)
    assert ask_retry_busy(None, "demo.jbp: is busy in another process") is True
    assert "busy in another process" in seen["text"]
    assert seen["buttons"] & QMessageBox.StandardButton.Cancel


def test_missing_table_or_column_is_named_at_open(demo_path: Path):
    from jbp.store import Workspace

    conn = sqlite3.connect(demo_path)
    conn.execute("ALTER TABLE partners DROP COLUMN manager")
    conn.commit()
    conn.close()
    before = digest(demo_path)
    with pytest.raises(WorkspaceError, match="table 'partners' is missing column 'manager'"):
        Workspace.open(demo_path)
    assert digest(demo_path) == before


def test_demo_force_keeps_the_old_workspace_when_the_build_fails(demo_path: Path,
                                                                  monkeypatch):
    from jbp import demo

    before = digest(demo_path)

    def broken_fill(ws, rng, steady=False):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(demo, "_fill", broken_fill)
    with pytest.raises(RuntimeError):
        demo.generate(demo_path, replace=True)
    assert digest(demo_path) == before
    assert sorted(p.name for p in demo_path.parent.iterdir()) == [demo_path.name]


def test_atomic_write_leaves_the_target_on_failure(tmp_path: Path):
    from jbp.atomic import atomic_write, write_text

    target = tmp_path / "s.toml"
    write_text(target, "old")

    def half(fh):
        fh.write(b"new, half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        atomic_write(target, half)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["s.toml"]


def test_migration_backup_is_written_whole(tmp_path: Path, demo_master: Path):
    """The copy made before a migration goes through jbp.atomic (no half backup)."""
    from jbp import schema
    from jbp.store import Workspace

    path = tmp_path / "old.jbp"  # a genuine schema-3 workspace (the first three migrations)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    for script in schema.MIGRATIONS[:3]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    original = path.read_bytes()
    with Workspace.open(path) as ws:
        assert ws.backup is not None and ws.backup.read_bytes() == original
    assert not list(tmp_path.glob(".*.part"))


def test_refresh_kpis_rereads_and_retries_a_plan_changed_meanwhile(demo_path: Path,
                                                                   monkeypatch, capsys):
    """Another session edits a plan between refresh's reading and its writing: the first
    attempt is refused as stale, the refresh reads again and lands."""
    from jbp import bindings
    from jbp.bindings import refresh_retrying
    from jbp.commands import Editor, History, SetField
    from jbp.store import Workspace
    from ui.cli.actuals import _say_retry

    with Workspace.open(demo_path) as ws:
        # Make the bound KPIs out of date, so a refresh has something to write.
        ws_rows = ws.rows("SELECT k.id, g.plan_id FROM kpis k JOIN goals g ON g.id = "
                          "k.goal_id WHERE k.metric IS NOT NULL AND k.metric != '' LIMIT 1")
        assert ws_rows, "the demo has bound KPIs"
        with ws.transaction():
            ws.execute("UPDATE kpis SET actual_q1 = NULL, actual_q2 = NULL, actual_q3 = NULL, "
                       "actual_q4 = NULL WHERE metric IS NOT NULL")
        plan_id = ws_rows[0][1]
        real = bindings.refresh_macro
        calls = []

        def refresh_then_someone_edits(*args, **kwargs):
            result = real(*args, **kwargs)
            calls.append(1)
            if len(calls) == 1:
                with Workspace.open(demo_path) as other:
                    History(other).run(SetField(Editor("Alex", "partner"), "plan", plan_id,
                                                "partner_owner", "Changed meanwhile"))
            return result

        monkeypatch.setattr(bindings, "refresh_macro", refresh_then_someone_edits)
        updates = refresh_retrying(ws, on_retry=_say_retry)
        assert len(calls) == 2 and updates
        assert ws.plan(plan_id).partner_owner == "Changed meanwhile"
        assert "re-reading" in capsys.readouterr().err


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 3 MB file system (tmpfs), when this process may mount one."""
    import os

    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_disk_full_is_refused_and_nothing_changes(small_disk: Path, demo_master: Path,
                                                  tmp_path: Path, capsys):
    """An import that fills the disk, and an export to a full disk: refused naming the file
    and the reason (exit 2, no traceback); the workspace and the old export stay as they
    were, no temporary file is left."""
    from ui.cli import main

    ws = small_disk / "w.jbp"
    shutil.copyfile(demo_master, ws)
    rows = ["Deal ID,Partner,Customer,Amount,Revenue Type,Close Date,Created Date,"
            "Sourced or Influenced"]
    rows += [f"F{i},Acme Integration,Customer {i},{1000 + i},ARR,2026-03-15,2026-02-01,"
             "Sourced" for i in range(20_000)]
    deals = tmp_path / "deals.csv"
    deals.write_text("\n".join(rows) + "\n")
    before = digest(ws)
    capsys.readouterr()
    assert main(["import", str(ws), str(deals), "--kind", "deals"]) == 2
    err = capsys.readouterr().err
    assert f"{ws}: could not be written: the disk is full; nothing was changed" in err
    assert "Traceback" not in err
    assert digest(ws) == before
    old = small_disk / "out.xlsx"
    old.write_bytes(b"previous export")
    filler = small_disk / "filler"
    with open(filler, "wb") as fh:  # leave a few kilobytes free
        free = shutil.disk_usage(small_disk).free
        fh.write(b"\0" * max(0, free - 8192))
    assert main(["export", str(ws), "--portfolio", "--out", str(old), "--force"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "out.xlsx" in err
    assert old.read_bytes() == b"previous export"
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "out.xlsx", "w.jbp"]


KILLED_WRITE = """
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA cache_size = 2")
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE deals SET customer = customer || ' (half-written)'")
os._exit(9)
"""


def test_the_app_opens_an_interrupted_workspace_and_says_it_recovered(qtbot, demo_path: Path,
                                                                     tmp_path: Path):
    from gui_support import finish_tasks
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    subprocess.run([sys.executable, "-c", KILLED_WRITE, str(demo_path)], check=False)
    assert Path(f"{demo_path}-journal").exists()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.show()
    win.open_workspace(demo_path)
    finish_tasks()
    assert win.ctx.workspace is not None and win.ctx.workspace.recovered
    assert "recovered from an interrupted write" in win.statusBar().currentMessage()
    rows = win.ctx.workspace.rows("SELECT COUNT(*) FROM deals WHERE customer LIKE "
                                  "'%(half-written)'")
    assert rows[0][0] == 0
    win.ctx.discard_pending()
    win.ctx.set_workspace(None)


def test_reading_a_plan_does_not_wait_for_another_process_writing(demo_path: Path,
                                                                 short_busy_wait):
    """A plan is read in a snapshot that does not take the write lock: opening a plan (or
    exporting it) while another process imports works."""
    from jbp.store import Workspace

    holder = LockHolder(demo_path)
    try:
        with Workspace.open(demo_path) as ws:
            assert ws.plan_document(1).goals
    finally:
        holder.release()
