"""The workspace: one SQLite file holding a partner program, its plans and actuals.

Opening is careful: a file that is not a workspace, is damaged, or comes from a newer schema
is refused with a :class:`WorkspaceError` naming the file and the reason, and is never
modified (it is inspected read-only first). A write interrupted by a crash (a hot rollback
journal beside the file) is rolled back on open and reported as recovered, never as damage.
A file missing a table or column of its schema is refused naming it. An older schema is copied
to a backup beside it and migrated in one transaction.

Concurrency: every plan has a ``version`` that each committed edit increments. A session
remembers the version it last read; an edit made on top of an older version raises
:class:`StaleWriteError` instead of overwriting the other session's work. Writes take SQLite's
write lock up front (``BEGIN IMMEDIATE``) so two processes are serialised, never interleaved;
a lock held by another process for longer than :data:`BUSY_TIMEOUT_S` is refused with
:class:`WorkspaceBusyError`. SQLite errors of the file itself (read-only, disk full, I/O) are
refused as :class:`WorkspaceError` naming the file, after the transaction is rolled back.
Reads take no write lock: :meth:`Workspace.read` begins ``DEFERRED`` (a shared lock), so
a background load never waits for nor holds the write lock; with SQLite's rollback
journal (docs/workspace.md, "Journal mode") a writer's commit waits for open reads to end.

SQL lives here: the domain's modules call methods (the sections at the end of the class),
not SQL of their own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from . import atomic
from .errors import StaleWriteError, ValidationError, WorkspaceBusyError, WorkspaceError
from .model import (
    PLAN_PARTS,
    Comment,
    Element,
    Partner,
    Plan,
    PlanDocument,
    Program,
    Revision,
    SignOff,
    Tier,
    element_class,
)
from .schema import APPLICATION_ID, CURRENT_VERSION, MIGRATIONS

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Files up to this size get SQLite's quick_check of every page on every open (milliseconds).
#: A larger file gets the header, schema and length checks on open (the full check read
#: 1.4 GB, 2.8 s, at 20,000 partners); its full check runs after an unclean shutdown (a hot
#: journal rolled back) and on demand (``jbp check``, :func:`check_file`).
FULL_CHECK_BYTES = 64 * 1024 * 1024

#: How long a write waits for another process's write lock before it is refused as busy
#: (seconds; the environment variable ``JBP_BUSY_TIMEOUT`` overrides it, e.g. for tests).
BUSY_TIMEOUT_S = float(os.environ.get("JBP_BUSY_TIMEOUT", "10"))

#: Called with (workspace path, text) when opening had something to tell the user (a
#: recovered interrupted write); the CLI prints it, the GUI reads ``Workspace.recovered``.
NOTICE_HANDLERS: list[Callable[[Path, str], None]] = []

RECOVERED = ("recovered from an interrupted write: the unfinished change was rolled back "
             "and the last saved state is intact")

#: Tables of actuals with their columns (besides id, natural_key and import_id), in order.
ACTUALS_COLUMNS: dict[str, tuple[str, ...]] = {
    "deals": ("ext_id", "partner_id", "customer", "amount", "recurring", "close_date",
              "created_date", "attribution"),
    "registrations": ("ext_id", "partner_id", "reg_date", "value", "status", "conflict"),
    "logins": ("partner_id", "login_date", "user"),
    "certifications": ("partner_id", "person", "course", "cert_date"),
    "mdf": ("ext_id", "partner_id", "kind", "mdf_date", "amount", "status", "activity"),
    "program_costs": ("month", "category", "amount", "partner_id"),
}
#: Date columns of the actuals tables (stored as ISO text, read as datetime64).
ACTUALS_DATES = {"close_date", "created_date", "reg_date", "login_date", "cert_date",
                 "mdf_date", "month"}
ACTUALS_BOOLS = {"recurring", "conflict"}

_TABLE_OF = {"plan": "plans", **{k: v[1] for k, v in PLAN_PARTS.items()}}


def now_iso() -> str:
    """Current local time, to the second, as ISO text (revision and comment stamps)."""
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


@dataclasses.dataclass(frozen=True)
class Inspection:
    """What :func:`inspect` found: the schema version and whether a hot journal left by an
    interrupted write was rolled back."""

    version: int
    recovered: bool = False


def inspect_file(path: Path) -> int:
    """Check ``path`` and return its schema version, or raise WorkspaceError (see
    :func:`inspect`)."""
    return inspect(path).version


def inspect(path: Path) -> Inspection:
    """Check ``path`` and say what it is, or raise :class:`WorkspaceError`.

    Nothing is written to a file that is not a sound JBP Studio workspace: the file is opened
    with SQLite's ``mode=ro``. The one write is recovery: when a crash left a hot rollback
    journal (``NAME-journal``) that a read-only connection cannot roll back, the file, once its
    header says it is ours, is opened read-write so SQLite rolls the unfinished transaction back,
    and then checked as any other.
    """
    path = Path(path)
    if not path.exists():
        raise WorkspaceError(path, "no such file")
    if path.is_dir():
        raise WorkspaceError(path, "is a folder, not a workspace file")
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise WorkspaceError(path, f"cannot be read ({exc.strerror or exc})") from None
    if head[:16] != SQLITE_MAGIC:
        what = "an empty file, not an SQLite database" if not head else "not an SQLite database"
        raise WorkspaceError(path, f"is not a JBP Studio workspace ({what})")
    recovered = False
    full = path.stat().st_size <= FULL_CHECK_BYTES
    try:
        found = _read_identity(path, "ro", full)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_READONLY_ROLLBACK":
            raise _damaged_or_busy(path, exc) from None
        # A hot journal: the last write was interrupted. Roll it back, if the file is ours.
        if len(head) < 72 or int.from_bytes(head[68:72], "big") != APPLICATION_ID:
            raise WorkspaceError(path, "is an SQLite database but not a JBP Studio workspace "
                                       "(and has an unfinished write); it was not changed") \
                from None
        if not _writable(path):
            raise WorkspaceError(
                path, "was interrupted during a write and must be recovered, but the file or "
                "its folder is read-only; make both writable and open it again") from None
        try:
            # After an unclean shutdown the whole file is checked, whatever its size.
            found = _read_identity(path, "rw", True)
        except sqlite3.DatabaseError as exc2:
            raise _damaged_or_busy(path, exc2) from None
        recovered = True
    app_id, version, check, tables = found
    if check == [("ok",)] and not full and not recovered:
        check = _header_check(path)
    if app_id != APPLICATION_ID:
        raise WorkspaceError(path, "is an SQLite database but not a JBP Studio workspace")
    if check != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in check[:3])
        raise WorkspaceError(path, f"is damaged ({detail}); it was not changed")
    if version > CURRENT_VERSION:
        raise WorkspaceError(
            path,
            f"was written by a newer JBP Studio (workspace schema {version}; this version "
            f"reads up to {CURRENT_VERSION}); it was not changed",
        )
    if version < 1:
        raise WorkspaceError(path, "is an empty or unfinished workspace (no schema version)")
    if version == CURRENT_VERSION:
        check_schema(path, tables)
    return Inspection(version, recovered)


def _read_identity(path: Path, mode: str, full: bool = True
                   ) -> tuple[int, int, list, dict[str, set[str]]]:
    """(application id, user version, quick_check rows, {table: columns}) of ``path``;
    without ``full``, the check rows are ``[("ok",)]`` (:func:`_header_check` follows)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                           timeout=BUSY_TIMEOUT_S)
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        check = conn.execute("PRAGMA quick_check").fetchall() if full else [("ok",)]
        tables = _tables(conn) if app_id == APPLICATION_ID and check == [("ok",)] else {}
    finally:
        conn.close()
    return app_id, version, check, tables


def _header_check(path: Path) -> list[tuple[str]]:
    """The cheap check of a large file: its length agrees with the page count its header
    gives (a truncated copy or a half-written download is refused at open). ``[("ok",)]``
    or one row naming the problem."""
    with path.open("rb") as fh:
        head = fh.read(100)
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    # The header's page count is valid only when written by the same change (SQLite's rule).
    valid = head[92:96] == head[24:28] and pages > 0
    size = path.stat().st_size
    if valid and page_size and size < pages * page_size:
        return [(f"the file is {size:,} bytes, its header says {pages * page_size:,}: "
                 "it was cut short",)]
    return [("ok",)]


def check_file(path: str | Path) -> list[str]:
    """SQLite's full integrity check of a workspace file, read-only: ``[]`` when sound, else
    the problems found (at most ten). What ``jbp check`` runs; opening a large file runs it
    only after an unclean shutdown (:data:`FULL_CHECK_BYTES`)."""
    path = Path(path)
    inspect(path)  # the header, the schema, and recovery from an interrupted write
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           timeout=BUSY_TIMEOUT_S)
    try:
        rows = conn.execute("PRAGMA integrity_check(10)").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == [("ok",)] else [str(r[0]) for r in rows]


def _tables(conn: sqlite3.Connection) -> dict[str, set[str]]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {n: {r[1] for r in conn.execute(f"PRAGMA table_info({_quote(n)})")} for n in names}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_EXPECTED: dict[str, set[str]] | None = None


def expected_schema() -> dict[str, set[str]]:
    """{table: columns} of a workspace of the current schema (its migrations run in memory)."""
    global _EXPECTED
    if _EXPECTED is None:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        try:
            for script in MIGRATIONS:
                _run_script(conn, script)
            _EXPECTED = _tables(conn)
        finally:
            conn.close()
    return _EXPECTED


def check_schema(path: Path, tables: dict[str, set[str]]) -> None:
    """Refuse a workspace missing a table or column its schema version promises, naming it.

    (Such a file was changed by another program or damaged; reading it would fail later with
    "no such table" half-way through a command.)"""
    for table, columns in expected_schema().items():
        if table not in tables:
            raise WorkspaceError(path, f"is missing table '{table}' (a workspace of schema "
                                       f"{CURRENT_VERSION} has it): the file was changed by "
                                       "another program or is damaged; it was not changed")
        missing = sorted(columns - tables[table])
        if missing:
            raise WorkspaceError(path, f"table '{table}' is missing column '{missing[0]}' (a "
                                       f"workspace of schema {CURRENT_VERSION} has it): the "
                                       "file was changed by another program or is damaged; "
                                       "it was not changed")


def _writable(path: Path) -> bool:
    """Whether SQLite can write ``path``: the file and its folder (for the journal)."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def _damaged_or_busy(path: Path, exc: sqlite3.Error) -> WorkspaceError:
    translated = translate_error(path, exc)
    if translated is not None:
        return translated
    return WorkspaceError(path, f"is damaged and cannot be read ({exc}); it was not changed")


def translate_error(path: Path, exc: BaseException) -> WorkspaceError | None:
    """A user's message for an SQLite error of the file itself (busy, read-only, disk full,
    I/O, cannot open), or None for any other error."""
    if not isinstance(exc, sqlite3.Error):
        return None
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return WorkspaceBusyError(
            path, "is busy in another process (another JBP Studio window or command is "
            f"writing to it; waited {BUSY_TIMEOUT_S:g} s); nothing was changed. Try again "
            "when it has finished")
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return WorkspaceError(path, "is read-only (the file or its folder cannot be "
                                    "written); nothing was changed")
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return WorkspaceError(path, "could not be written: the disk is full; nothing was "
                                    "changed")
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return WorkspaceError(path, f"could not be read or written ({text}); nothing was "
                                    "changed")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return WorkspaceError(path, "cannot be opened (permission denied, or the folder "
                                    "is missing or read-only)")
    if name.startswith("SQLITE_PERM"):
        return WorkspaceError(path, "cannot be written: permission denied")
    return None


def backup_path(path: Path, version: int) -> Path:
    """Where the copy of a workspace of schema ``version`` goes before it is migrated."""
    candidate = path.with_name(f"{path.name}.schema{version}.bak")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.schema{version}.{n}.bak")
    return candidate


class Workspace:
    """An open workspace file. Use :meth:`open` or :meth:`create`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection):
        self.path = path
        self._conn = conn
        self._depth = 0
        self._seen: dict[int, int] = {}
        self._bumped: dict[int, int] = {}
        self._read_only = False
        self._listeners: list[Callable[[str, int | None], None]] = []
        self.backup: Path | None = None
        #: True when opening rolled back a write interrupted by a crash.
        self.recovered = False
        #: Whether this process can write the file and its folder (checked at open).
        self.writable = _writable(path)

    # ------------------------------------------------------------------ open / create

    @classmethod
    def create(cls, path: str | Path, program: Program | None = None) -> Workspace:
        """Create a new workspace file at ``path`` (which must not exist)."""
        path = Path(path)
        if path.exists():
            raise WorkspaceError(path, "already exists; choose another name")
        if not path.parent.exists():
            raise WorkspaceError(path, f"folder {path.parent} does not exist")
        if not os.access(path.parent, os.W_OK):
            raise WorkspaceError(path, f"folder {path.parent} is read-only")
        try:
            conn = _connect(path)
        except sqlite3.Error as exc:
            raise (translate_error(path, exc) or WorkspaceError(
                path, f"cannot be created ({exc})")) from None
        ws = cls(path, conn)
        try:
            with ws.transaction():
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                for script in MIGRATIONS:
                    _run_script(conn, script)
                conn.execute(f"PRAGMA user_version = {CURRENT_VERSION}")
                conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (now_iso(),))
                ws._write_program(program or Program())
        except BaseException:
            conn.close()
            path.unlink(missing_ok=True)
            raise
        return ws

    @classmethod
    def create_atomically(cls, path: str | Path, fill: Callable[[Workspace], None],
                          program: Program | None = None) -> Path:
        """Build a new workspace beside ``path`` (``fill(ws)`` writes its content), then move
        it over ``path`` in one step: an existing file at ``path`` stays as it was until the
        new one is complete, and a crash leaves no half-built workspace under that name."""
        path = Path(path)

        def build(tmp: Path) -> None:
            ws = cls.create(tmp, program)
            try:
                fill(ws)
            finally:
                ws.close()

        # A hot journal of the file being replaced would be "rolled back" into the new one.
        Path(f"{path}-journal").unlink(missing_ok=True)
        return atomic.build_then_replace(path, build)

    @classmethod
    def open(cls, path: str | Path) -> Workspace:
        """Open an existing workspace, migrating an older schema after backing it up."""
        path = Path(path)
        found = inspect(path)
        version = found.version
        if found.recovered:
            for handler in list(NOTICE_HANDLERS):
                handler(path, RECOVERED)
        backup = None
        if version < CURRENT_VERSION:
            if not _writable(path):
                raise WorkspaceError(path, f"has the older schema {version} and must be "
                                           "upgraded, but the file or its folder is read-only")
            backup = backup_path(path, version)
            try:
                atomic.copy_file(path, backup)
            except OSError as exc:
                raise WorkspaceError(path, f"could not be backed up before its upgrade to "
                                           f"{backup} ({exc.strerror or exc}); it was not "
                                           "changed") from None
        try:
            conn = _connect(path)
        except sqlite3.Error as exc:
            raise (translate_error(path, exc) or WorkspaceError(
                path, f"cannot be opened ({exc})")) from None
        ws = cls(path, conn)
        ws.backup = backup
        ws.recovered = found.recovered
        if version < CURRENT_VERSION:
            try:
                with ws.transaction():
                    for script in MIGRATIONS[version:]:
                        _run_script(conn, script)
                    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION}")
            except (sqlite3.Error, WorkspaceError) as exc:
                conn.close()
                raise WorkspaceError(path, f"could not be migrated ({exc}); "
                                           f"the original is kept at {backup}") from exc
        return ws

    def require_writable(self) -> None:
        """Refuse, before any work starts, to change a workspace this process cannot write."""
        if not self.writable or not _writable(self.path):
            raise WorkspaceError(self.path, "is read-only (the file or its folder cannot be "
                                            "written); nothing was changed")

    def close(self) -> None:
        self._conn.close()
        self._closed = True

    @property
    def is_open(self) -> bool:
        """False once :meth:`close` was called."""
        return not getattr(self, "_closed", False)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    # ------------------------------------------------------------------ meta

    def meta(self, key: str) -> str | None:
        """A workspace-wide setting from the ``meta`` table, or None."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self.transaction():
            if value is None:
                self._conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def pinned_as_of(self) -> dt.date | None:
        """The date this workspace is read "as of", when it is pinned to one (the demo is
        pinned to its own "today", so its attainment reads the same on any day)."""
        value = self.meta("as_of")
        return dt.date.fromisoformat(value) if value else None

    # ------------------------------------------------------------------ events

    def subscribe(self, listener: Callable[[str, int | None], None]) -> None:
        """Call ``listener(what, plan_id)`` after each committed change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[str, int | None], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def notify(self, what: str, plan_id: int | None = None) -> None:
        for listener in list(self._listeners):
            listener(what, plan_id)

    # ------------------------------------------------------------------ transactions

    @contextlib.contextmanager
    def transaction(self, plan_id: int | None = None, *,
                    write: bool = True, read: bool = False) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing unit of work; nested calls join the outer one.

        With ``plan_id``, first checks that nobody else changed that plan since this
        session last read it, and bumps the plan's version on commit.

        ``write=False`` (also ``read=True``, or :meth:`read`) is a read-only snapshot: it
        begins ``DEFERRED`` and does not take the write lock, so it does not wait for another
        process's long write (an import). Writing inside it raises ``RuntimeError``; a read
        nested in a write joins the write.
        """
        conn = self._conn
        outer = self._depth == 0
        write = write and not read
        if not outer and write and self._read_only:
            raise RuntimeError("a write inside a read-only transaction; open the write "
                               "transaction first")
        if outer:
            try:
                # A read-only file still gives a consistent snapshot to read; any write in it
                # is then refused below as read-only.
                conn.execute("BEGIN IMMEDIATE" if self.writable and write else "BEGIN DEFERRED")
            except sqlite3.OperationalError as exc:
                raise (translate_error(self.path, exc) or exc) from None
            self._read_only = not write
            self._bumped = {}
        self._depth += 1
        try:
            if plan_id is not None:
                self._check_fresh(plan_id)
            yield conn
            if plan_id is not None:
                conn.execute("UPDATE plans SET version = version + 1 WHERE id = ?", (plan_id,))
                row = conn.execute("SELECT version FROM plans WHERE id = ?",
                                   (plan_id,)).fetchone()
                if row:
                    self._bumped[plan_id] = row[0]
            if outer:
                conn.execute("COMMIT")
                # Only now is this session's view of those plans the stored one.
                self._seen.update(self._bumped)
        except BaseException as exc:
            if outer and conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            translated = translate_error(self.path, exc) if outer else None
            if translated is not None:
                raise translated from None
            raise
        finally:
            self._depth -= 1
            if outer:
                self._read_only = False

    def read(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A read-only snapshot (``transaction(write=False)``): several reads that agree
        with each other, without the write lock."""
        return self.transaction(write=False)

    def _check_fresh(self, plan_id: int) -> None:
        row = self._conn.execute("SELECT version, title FROM plans WHERE id = ?",
                                 (plan_id,)).fetchone()
        if row is None:
            raise StaleWriteError(f"{self.path}: plan {plan_id} no longer exists "
                                  "(another session deleted it)")
        seen = self._bumped.get(plan_id, self._seen.get(plan_id))
        if seen is not None and seen != row[0]:
            last = self._conn.execute(
                "SELECT author, side, at FROM revisions WHERE plan_id = ? ORDER BY id DESC "
                "LIMIT 1", (plan_id,)).fetchone()
            who = f" by {last[0]} ({last[1]} side) at {last[2]}" if last else ""
            raise StaleWriteError(
                f"{self.path}: plan '{row[1]}' was changed in another session{who} after "
                "you loaded it; your edit was not saved. Reload the plan and make it again."
            )

    def mark_seen(self, plan_id: int) -> None:
        """Accept the plan's stored state as the one this session edits on top of."""
        row = self._conn.execute("SELECT version FROM plans WHERE id = ?", (plan_id,)).fetchone()
        if row:
            self._seen[plan_id] = row[0]

    def is_stale(self, plan_id: int) -> bool:
        row = self._conn.execute("SELECT version FROM plans WHERE id = ?", (plan_id,)).fetchone()
        return row is not None and self._seen.get(plan_id, row[0]) != row[0]

    # ------------------------------------------------------------------ program

    def program(self) -> Program:
        row = self._conn.execute("SELECT * FROM program WHERE id = 1").fetchone()
        tiers = [_element_from_row(Tier, r)
                 for r in self._conn.execute("SELECT * FROM tiers ORDER BY rank")]
        values = {f.name: f.from_store(row[f.name]) for f in Program.FIELDS}
        return Program(**values, tiers=tiers)

    def save_program(self, program: Program) -> None:
        """Replace the program and its tiers (validated as a whole)."""
        Program(**program.values(), tiers=list(program.tiers))
        with self.transaction():
            self._write_program(program)
        self.notify("program")

    def _write_program(self, program: Program) -> None:
        cols = [f.name for f in Program.FIELDS]
        self._conn.execute(
            f"INSERT OR REPLACE INTO program (id, {', '.join(cols)}) "
            f"VALUES (1, {', '.join('?' * len(cols))})",
            [f.to_store(getattr(program, f.name)) for f in Program.FIELDS],
        )
        self._conn.execute("DELETE FROM tiers")
        for tier in program.tiers:
            _insert_element(self._conn, "tiers", tier, {})

    # ------------------------------------------------------------------ partners

    def partners(self) -> list[Partner]:
        return [_element_from_row(Partner, r)
                for r in self._conn.execute("SELECT * FROM partners ORDER BY name")]

    def partner(self, partner_id: int) -> Partner:
        row = self._conn.execute("SELECT * FROM partners WHERE id = ?", (partner_id,)).fetchone()
        if row is None:
            raise ValidationError("Partner", f"no partner with id {partner_id}")
        return _element_from_row(Partner, row)

    def partner_by_name(self, name: str) -> Partner | None:
        # Through the indexed name key (see name_key); COLLATE NOCASE would scan the table.
        row = self._conn.execute("SELECT * FROM partners WHERE name_key = ?",
                                 (name_key(name),)).fetchone()
        return _element_from_row(Partner, row) if row else None

    def add_partner(self, partner: Partner) -> int:
        with self.transaction():
            if self.partner_by_name(partner.name):
                raise ValidationError("Name", f"a partner named {partner.name!r} exists",
                                      element="Partner")
            new_id = _insert_element(self._conn, "partners", partner, {}, partner.id)
        self.notify("partners")
        return new_id

    def update_partner(self, partner: Partner) -> None:
        if partner.id is None:
            raise ValidationError("Partner", "has no id")
        with self.transaction():
            _update_element(self._conn, "partners", partner)
        self.notify("partners")

    # ------------------------------------------------------------------ plans

    def plans(self, partner_id: int | None = None) -> list[Plan]:
        sql = "SELECT * FROM plans"
        args: tuple = ()
        if partner_id is not None:
            sql += " WHERE partner_id = ?"
            args = (partner_id,)
        return [self._plan_from_row(r)
                for r in self._conn.execute(sql + " ORDER BY fiscal_year DESC, title", args)]

    def plan(self, plan_id: int) -> Plan:
        row = self._conn.execute("SELECT * FROM plans WHERE id = ?", (plan_id,)).fetchone()
        if row is None:
            raise ValidationError("Plan", f"no plan with id {plan_id}")
        return self._plan_from_row(row)

    def _plan_from_row(self, row: sqlite3.Row) -> Plan:
        plan = _element_from_row(Plan, row)
        plan.version = row["version"]
        plan.baseline = json.loads(row["baseline"]) if row["baseline"] else None
        plan.approved_at = row["approved_at"]
        return plan

    def plan_document(self, plan_id: int) -> PlanDocument:
        """The plan with every part, read in one snapshot; marks it seen for edits."""
        with self.read():
            plan = self.plan(plan_id)
            doc = PlanDocument(plan=plan, partner=self.partner(plan.partner_id))
            doc.goals = self._parts("goal", "plan_id = ?", (plan_id,))
            doc.kpis = self._parts(
                "kpi", "goal_id IN (SELECT id FROM goals WHERE plan_id = ?)", (plan_id,))
            for kind in ("initiative", "account", "rule", "risk"):
                doc.parts(kind).extend(self._parts(kind, "plan_id = ?", (plan_id,)))
            doc.comments = self.comments(plan_id)
            doc.signoffs = self.signoffs(plan_id)
            reading_only = self._depth == 1 and not self._bumped
        if reading_only:  # a read inside someone's edit must not move the session's view
            self._seen[plan_id] = plan.version
        return doc

    def _parts(self, kind: str, where: str, args: tuple) -> list[Any]:
        cls, table, _ = PLAN_PARTS[kind]
        rows = self._conn.execute(
            f"SELECT * FROM {table} WHERE {where} ORDER BY position, id", args)
        return [_element_from_row(cls, r) for r in rows]

    def element(self, kind: str, element_id: int) -> Element:
        if kind == "plan":
            return self.plan(element_id)
        cls, table, _ = PLAN_PARTS[kind]
        row = self._conn.execute(f"SELECT * FROM {table} WHERE id = ?", (element_id,)).fetchone()
        if row is None:
            raise ValidationError(cls.LABEL, f"no {cls.LABEL.lower()} with id {element_id}")
        return _element_from_row(cls, row)

    def plan_id_of(self, kind: str, element_id: int) -> int:
        """The plan an element belongs to."""
        if kind == "plan":
            return element_id
        if kind == "kpi":
            row = self._conn.execute(
                "SELECT g.plan_id FROM kpis k JOIN goals g ON g.id = k.goal_id WHERE k.id = ?",
                (element_id,)).fetchone()
        else:
            table = _TABLE_OF[kind]
            row = self._conn.execute(f"SELECT plan_id FROM {table} WHERE id = ?",
                                     (element_id,)).fetchone()
        if row is None:
            raise ValidationError(kind, f"no {kind} with id {element_id}")
        return row[0]

    # Low-level writers used by jbp.commands inside a transaction -----------------

    def insert_plan(self, plan: Plan, plan_id: int | None = None) -> int:
        new_id = _insert_element(self._conn, "plans", plan, {
            "version": plan.version, "baseline": json.dumps(plan.baseline) if plan.baseline
            else None, "approved_at": plan.approved_at}, plan_id)
        self._seen[new_id] = plan.version
        return new_id

    def delete_plan(self, plan_id: int) -> None:
        self._conn.execute("DELETE FROM plans WHERE id = ?", (plan_id,))
        self._seen.pop(plan_id, None)

    def insert_part(self, element: Element, element_id: int | None = None,
                    position: int | None = None) -> int:
        kind = element.KIND
        _, table, parent = PLAN_PARTS[kind]
        if position is None:
            parent_value = getattr(element, parent)
            row = self._conn.execute(
                f"SELECT COALESCE(MAX(position), -1) + 1 FROM {table} WHERE {parent} = ?",
                (parent_value,)).fetchone()
            position = row[0]
        extra = {parent: getattr(element, parent), "position": position}
        return _insert_element(self._conn, table, element, extra, element_id)

    def delete_part(self, kind: str, element_id: int) -> None:
        self._conn.execute(f"DELETE FROM {_TABLE_OF[kind]} WHERE id = ?", (element_id,))

    def write_field(self, kind: str, element_id: int, field: str, value: Any) -> None:
        cls = element_class(kind)
        stored = cls.field(field).to_store(value)
        self._conn.execute(f"UPDATE {_TABLE_OF[kind]} SET {field} = ? WHERE id = ?",
                           (stored, element_id))

    def write_plan_state(self, plan_id: int, status: str, baseline: dict | None,
                         approved_at: str | None) -> None:
        self._conn.execute(
            "UPDATE plans SET status = ?, baseline = ?, approved_at = ? WHERE id = ?",
            (status, json.dumps(baseline) if baseline is not None else None, approved_at,
             plan_id))

    def rows(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        """Raw read access for the domain's own modules (commands, metrics)."""
        return self._conn.execute(sql, args).fetchall()

    def execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        """Raw write access for the domain's own modules, inside :meth:`transaction`."""
        if self._depth == 0 or self._read_only:
            raise RuntimeError("write outside a write transaction")
        return self._conn.execute(sql, args)

    # ------------------------------------------------------------------ comments, sign-offs

    def comments(self, plan_id: int) -> list[Comment]:
        rows = self._conn.execute("SELECT * FROM comments WHERE plan_id = ? ORDER BY id",
                                  (plan_id,))
        return [_element_from_row(Comment, r) for r in rows]

    def insert_comment(self, comment: Comment, comment_id: int | None = None) -> int:
        return _insert_element(self._conn, "comments", comment, {
            "plan_id": comment.plan_id, "element_kind": comment.element_kind,
            "element_id": comment.element_id, "created_at": comment.created_at}, comment_id)

    def signoffs(self, plan_id: int) -> list[SignOff]:
        rows = self._conn.execute("SELECT * FROM signoffs WHERE plan_id = ? ORDER BY id",
                                  (plan_id,))
        return [_element_from_row(SignOff, r) for r in rows]

    def insert_signoff(self, signoff: SignOff, signoff_id: int | None = None) -> int:
        return _insert_element(self._conn, "signoffs", signoff, {
            "plan_id": signoff.plan_id, "signed_at": signoff.signed_at}, signoff_id)

    # ------------------------------------------------------------------ revisions

    def add_revision(self, rev: Revision) -> int:
        cur = self._conn.execute(
            "INSERT INTO revisions (plan_id, author, side, at, element_kind, element_id, "
            "field, old, new, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rev.plan_id, rev.author, rev.side, rev.at, rev.element_kind, rev.element_id,
             rev.field, json.dumps(rev.old), json.dumps(rev.new), rev.action))
        return _new_id(cur)

    def revisions(self, plan_id: int, side: str | None = None,
                  element_kind: str | None = None) -> list[Revision]:
        sql = "SELECT * FROM revisions WHERE plan_id = ?"
        args: list[Any] = [plan_id]
        if side:
            sql += " AND side = ?"
            args.append(side)
        if element_kind:
            sql += " AND element_kind = ?"
            args.append(element_kind)
        return [
            Revision(plan_id=r["plan_id"], author=r["author"], side=r["side"], at=r["at"],
                     element_kind=r["element_kind"], element_id=r["element_id"],
                     field=r["field"], old=json.loads(r["old"]) if r["old"] else None,
                     new=json.loads(r["new"]) if r["new"] else None, action=r["action"],
                     id=r["id"])
            for r in self._conn.execute(sql + " ORDER BY id", args)
        ]

    # ------------------------------------------------------------------ actuals

    def actuals(self, kind: str):
        """The actuals table ``kind`` as a DataFrame (dates as datetime64, flags as bool)."""
        return read_actuals(self._conn, kind)

    def insert_actuals(self, kind: str, records: list[tuple], natural_keys: list[str],
                       import_id: int | None = None) -> int:
        """Insert rows (tuples in :data:`ACTUALS_COLUMNS` order); skip known natural keys.

        Returns the number of rows inserted. Call inside :meth:`transaction`.
        """
        cols = ACTUALS_COLUMNS[kind]
        has_key = kind != "program_costs"
        names = (("natural_key",) if has_key else ()) + cols + (
            ("import_id",) if has_key else ())
        sql = (f"INSERT {'OR IGNORE ' if has_key else ''}INTO {kind} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        before = self._conn.total_changes
        if has_key:
            self._conn.executemany(
                sql, ((key, *rec, import_id) for key, rec in zip(natural_keys, records,
                                                                  strict=True)))
        else:
            self._conn.executemany(sql, records)
        return self._conn.total_changes - before

    def existing_keys(self, kind: str, keys: list[str]) -> set[str]:
        """Which of ``keys`` are already stored in actuals table ``kind``."""
        found: set[str] = set()
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            rows = self._conn.execute(
                f"SELECT natural_key FROM {kind} WHERE natural_key IN "
                f"({', '.join('?' * len(chunk))})", chunk)
            found.update(r[0] for r in rows)
        return found

    # ------------------------------------------------------------------ coverage

    def actuals_span(self, kind: str) -> tuple[int, dt.date | None, dt.date | None]:
        """Rows of actuals table ``kind`` and the first and last day of its data (by the
        kind's date column, :mod:`jbp.kinds`)."""
        from .kinds import kind as kind_of

        k = kind_of(kind)
        n, lo, hi = self._conn.execute(
            f"SELECT COUNT(*), MIN({k.date_column}), MAX({k.date_column}) FROM {k.name}"
        ).fetchone()
        day = lambda v: dt.date.fromisoformat(str(v)[:10]) if v else None  # noqa: E731
        return int(n), day(lo), day(hi)

    def extract_dates(self) -> dict[str, dt.date]:
        """The latest extract date given at import, per kind of actuals."""
        rows = self._conn.execute(
            "SELECT kind, MAX(extract_date) FROM imports WHERE extract_date IS NOT NULL "
            "GROUP BY kind").fetchall()
        # A cost file is imported as kind "costs" (jbp.import_partners) into program_costs.
        named = {"costs": "program_costs"}
        return {named.get(r[0], r[0]): dt.date.fromisoformat(r[1]) for r in rows if r[1]}

    def set_extract_date(self, import_id: int, day: dt.date | None) -> None:
        """Record the day the export of import ``import_id`` was extracted."""
        with self.transaction():
            self._conn.execute("UPDATE imports SET extract_date = ? WHERE id = ?",
                               (day.isoformat() if day else None, import_id))

    # ------------------------------------------------------------------ summary

    def info(self) -> dict[str, Any]:
        """What the workspace holds: counts by tier and status, date range of actuals."""
        with self.read():
            return self._info()

    def _info(self) -> dict[str, Any]:
        q = self._conn.execute
        tiers = {r[0] or "(none)": r[1] for r in q(
            "SELECT tier, COUNT(*) FROM partners WHERE churned_on IS NULL GROUP BY tier")}
        order = [t.name for t in self.program().tiers_by_rank()][::-1]
        tiers = {k: tiers[k] for k in order + sorted(set(tiers) - set(order)) if k in tiers}
        statuses = {r[0]: r[1] for r in q("SELECT status, COUNT(*) FROM plans GROUP BY status")}
        types = {r[0]: r[1] for r in q(
            "SELECT type, COUNT(*) FROM partners GROUP BY type ORDER BY 2 DESC")}
        actuals = {}
        for kind, col in (("deals", "close_date"), ("registrations", "reg_date"),
                          ("logins", "login_date"), ("certifications", "cert_date"),
                          ("mdf", "mdf_date")):
            n, lo, hi = q(f"SELECT COUNT(*), MIN({col}), MAX({col}) FROM {kind}").fetchone()
            actuals[kind] = {"rows": n, "from": lo, "to": hi}
        n_partners, n_churned = q(
            "SELECT COUNT(*), SUM(churned_on IS NOT NULL) FROM partners").fetchone()
        program = self.program()
        return {
            "workspace": str(self.path),
            "schema_version": self.schema_version,
            "program": program.name,
            "currency": program.currency,
            "partners": n_partners,
            "churned_partners": n_churned or 0,
            "partners_by_tier": tiers,
            "partners_by_type": types,
            "plans": sum(statuses.values()),
            "plans_by_status": statuses,
            "actuals": actuals,
            "scenarios": q("SELECT COUNT(*) FROM scenarios").fetchone()[0],
        }

    # ------------------------------------------------------------ workbooks (issue 15)
    # What the exporters read: the keys that sign a plan workbook's hidden ids, and the
    # imports behind the figures (the workbooks' Sources sheet).

    def workbook_keys(self) -> tuple[str, bytes]:
        """``(workspace_id, key)``: the id a plan workbook names its workspace by and the
        secret its hidden ids are signed with; made (random) and stored on first use."""
        import secrets
        import uuid

        def read() -> dict[str, str]:
            return {r[0]: r[1] for r in self.rows(
                "SELECT key, value FROM meta WHERE key IN ('workspace_id', 'workbook_key')")}

        values = read()
        if "workspace_id" not in values or "workbook_key" not in values:
            with self.transaction():
                self.execute("INSERT OR IGNORE INTO meta (key, value) VALUES "
                             "('workspace_id', ?)", (uuid.uuid4().hex,))
                self.execute("INSERT OR IGNORE INTO meta (key, value) VALUES "
                             "('workbook_key', ?)", (secrets.token_hex(32),))
            values = read()
        return values["workspace_id"], bytes.fromhex(values["workbook_key"])

    def import_sources(self) -> list[dict[str, Any]]:
        """Each import of actuals, oldest first: ``kind``, ``file``, ``imported_at``,
        ``rows`` (taken), ``rejected``, and ``first``/``last`` (ISO dates: the earliest and
        latest data date of the rows it brought that are still stored, None when none)."""
        from .kinds import KINDS

        out = []
        for r in self.rows("SELECT id, kind, file, imported_at, rows_taken, rows_rejected "
                           "FROM imports ORDER BY imported_at, id"):
            first = last = None
            k = KINDS.get(r["kind"])
            if k is not None:
                cols = {c[1] for c in self.rows(f"PRAGMA table_info({k.name})")}
                if "import_id" in cols:
                    first, last = self.rows(
                        f"SELECT MIN({k.date_column}), MAX({k.date_column}) FROM {k.name} "
                        "WHERE import_id = ?", (r["id"],))[0]
            out.append({"kind": r["kind"], "file": r["file"], "imported_at": r["imported_at"],
                        "rows": r["rows_taken"], "rejected": r["rows_rejected"],
                        "first": first, "last": last})
        return out


    # ================================================================== issue 12: SQL that
    # lived in jbp.commands and jbp.scenarios. Call the writers inside transaction().

    # ---- plan parts, comments, sign-offs (jbp.commands)

    def part_position(self, kind: str, element_id: int) -> int:
        """Where a plan part sits among its siblings."""
        row = self._conn.execute(f"SELECT position FROM {_TABLE_OF[kind]} WHERE id = ?",
                                 (element_id,)).fetchone()
        if row is None:
            raise ValidationError(kind, f"no {kind} with id {element_id}")
        return int(row[0])

    def goal_kpis(self, goal_id: int) -> list[tuple[int, int]]:
        """``(kpi id, position)`` of the KPIs under a goal."""
        return [(r[0], r[1]) for r in self._conn.execute(
            "SELECT id, position FROM kpis WHERE goal_id = ? ORDER BY position, id",
            (goal_id,))]

    def initiative_ids(self, plan_id: int) -> list[int]:
        return [r[0] for r in self._conn.execute(
            "SELECT id FROM initiatives WHERE plan_id = ? ORDER BY position, id", (plan_id,))]

    def delete_comment(self, comment_id: int) -> None:
        self.execute("DELETE FROM comments WHERE id = ?", (comment_id,))

    def comment_target(self, plan_id: int, comment_id: int) -> tuple[str, int] | None:
        """``(element kind, element id)`` a comment of ``plan_id`` is about, or None."""
        row = self._conn.execute(
            "SELECT element_kind, element_id FROM comments WHERE id = ? AND plan_id = ?",
            (comment_id, plan_id)).fetchone()
        return (row[0], row[1]) if row else None

    def set_comment_resolved(self, comment_id: int, resolved: bool) -> None:
        self.execute("UPDATE comments SET resolved = ? WHERE id = ?",
                     (int(resolved), comment_id))

    def delete_signoff(self, signoff_id: int) -> None:
        self.execute("DELETE FROM signoffs WHERE id = ?", (signoff_id,))

    def delete_signoffs(self, plan_id: int) -> None:
        """Withdraw every sign-off of a plan."""
        self.execute("DELETE FROM signoffs WHERE plan_id = ?", (plan_id,))

    # ---- scenarios (jbp.scenarios keeps the records and the commands)

    def scenario_rows(self) -> list[sqlite3.Row]:
        return self._conn.execute("SELECT * FROM scenarios ORDER BY position, id").fetchall()

    def scenario_row(self, scenario_id: int) -> sqlite3.Row | None:
        return self._conn.execute("SELECT * FROM scenarios WHERE id = ?",
                                  (scenario_id,)).fetchone()

    def scenario_row_by_name(self, name: str) -> sqlite3.Row | None:
        """The scenario called ``name`` (case-insensitive, surrounding blanks ignored)."""
        return self._conn.execute("SELECT * FROM scenarios WHERE name = ? COLLATE NOCASE",
                                  (name.strip(),)).fetchone()

    def insert_scenario(self, scenario_id: int | None, name: str, params: dict[str, Any],
                        results: bytes | None, *, stale: bool = False,
                        created_at: str | None = None, updated_at: str | None = None,
                        position: int | None = None) -> int:
        """Store a scenario (at the end of the list unless ``position``); returns its id."""
        stamp = now_iso()
        if position is None:
            position = self._conn.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM scenarios").fetchone()[0]
        cur = self.execute(
            "INSERT INTO scenarios (id, name, params, results, results_stale, created_at, "
            "updated_at, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (scenario_id, name, json.dumps(params), results, int(stale),
             created_at or stamp, updated_at or stamp, position))
        return _new_id(cur)

    def delete_scenario(self, scenario_id: int) -> None:
        self.execute("DELETE FROM scenarios WHERE id = ?", (scenario_id,))

    def rename_scenario(self, scenario_id: int, name: str) -> None:
        self.execute("UPDATE scenarios SET name = ?, updated_at = ? WHERE id = ?",
                     (name, now_iso(), scenario_id))

    def set_scenario_params(self, scenario_id: int, params: dict[str, Any],
                            stale: bool) -> None:
        self.execute("UPDATE scenarios SET params = ?, results_stale = ?, updated_at = ? "
                     "WHERE id = ?", (json.dumps(params), int(stale), now_iso(), scenario_id))

    def set_scenario_results(self, scenario_id: int, results: bytes, stale: bool) -> None:
        self.execute("UPDATE scenarios SET results = ?, results_stale = ?, updated_at = ? "
                     "WHERE id = ?", (results, int(stale), now_iso(), scenario_id))

# ---------------------------------------------------------------------- helpers


def read_actuals(conn: sqlite3.Connection, kind: str, partner_ids: list[int] | None = None):
    """Rows of actuals table ``kind`` as a DataFrame (dates as datetime64, flags as bool), in
    the order they were stored; only those of ``partner_ids`` when given (read through the
    partner/date index)."""
    import pandas as pd

    if kind not in ACTUALS_COLUMNS:
        raise ValidationError("Kind", f"unknown actuals kind {kind!r}")
    cols = ACTUALS_COLUMNS[kind]
    where = ""
    args: tuple[int, ...] = ()
    if partner_ids is not None:
        where = f" WHERE partner_id IN ({', '.join('?' * len(partner_ids))})"
        args = tuple(partner_ids)
    frame = pd.read_sql_query(f"SELECT {', '.join(cols)} FROM {kind}{where} ORDER BY id",
                              conn, params=args)
    for col in cols:
        if col in ACTUALS_DATES:
            frame[col] = pd.to_datetime(frame[col], format="ISO8601")
        elif col in ACTUALS_BOOLS:
            frame[col] = frame[col].astype(bool)
    return frame


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    # SQLite's default rollback journal, not WAL: see docs/workspace.md ("Journal mode").
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    # Files made while the app briefly used WAL go back to the rollback journal.
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = DELETE")
    return conn


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT our transaction first; run statement by statement.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _element_from_row(cls: type[Element], row: sqlite3.Row) -> Any:
    keys = row.keys()
    values = {f.name: f.from_store(row[f.name]) for f in cls.FIELDS}
    extra = {}
    for f in dataclasses.fields(cls):
        if f.name in keys and f.name not in values and f.name not in (
                "baseline", "version", "approved_at"):
            extra[f.name] = row[f.name]
    return cls(**values, **extra)


def _insert_element(conn: sqlite3.Connection, table: str, element: Element,
                    extra: dict[str, Any], element_id: int | None = None) -> int:
    cols = [f.name for f in element.FIELDS if f.name not in extra]
    vals = [f.to_store(getattr(element, f.name)) for f in element.FIELDS if f.name not in extra]
    cols += list(extra)
    vals += list(extra.values())
    if element_id is None:
        element_id = getattr(element, "id", None)
    if element_id is not None:
        cols.append("id")
        vals.append(element_id)
    cur = conn.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", vals)
    return _new_id(cur) if element_id is None else element_id


def _new_id(cur: sqlite3.Cursor) -> int:
    """The id SQLite gave the row an INSERT just added."""
    if cur.lastrowid is None:  # only after a statement that inserted nothing
        raise RuntimeError("the INSERT added no row")
    return cur.lastrowid


def _update_element(conn: sqlite3.Connection, table: str, element: Partner) -> None:
    sets = ", ".join(f"{f.name} = ?" for f in element.FIELDS)
    vals = [f.to_store(getattr(element, f.name)) for f in element.FIELDS]
    conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*vals, element.id])


# ---------------------------------------------------------------------- partners and program
# Issue 11 (partners the user brings, the editable program, program costs). Functions of a
# workspace rather than methods, used by jbp.partners, jbp.program_edit, jbp.import_partners
# and jbp.setup. Writers run inside Workspace.transaction and send no event.

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def name_key(name: str) -> str:
    """A partner name as the indexed ``partners.name_key`` column holds it: SQLite's
    ``lower(trim(name))`` (ASCII letters lower-cased), runs of white space made one space as
    names are stored (:func:`tidy_name`)."""
    return tidy_name(name).translate(_ASCII_LOWER)


def tidy_name(name: str) -> str:
    """A name as it is stored: trimmed, inner runs of white space made one space."""
    return " ".join(str(name).split())


def _partners_where(ws: Workspace, where: str = "", args: tuple = ()) -> list[Partner]:
    out = []
    for r in ws._conn.execute(f"SELECT * FROM partners {where} ORDER BY name", args):
        p = _element_from_row(Partner, r)
        p.archived = bool(r["archived"])
        out.append(p)
    return out


def partner_list(ws: Workspace, include_archived: bool = False) -> list[Partner]:
    """Partners by name with their archived flag; archived ones only when asked."""
    return _partners_where(ws, "" if include_archived else "WHERE archived = 0")


def partner_full(ws: Workspace, partner_id: int) -> Partner:
    """One partner with its archived flag."""
    found = _partners_where(ws, "WHERE id = ?", (partner_id,))
    if not found:
        raise ValidationError("Partner", f"no partner with id {partner_id}")
    return found[0]


def partner_by_source_id(ws: Workspace, source_id: str) -> Partner | None:
    found = _partners_where(ws, "WHERE source_id = ?", (str(source_id).strip(),))
    return found[0] if found else None


def partner_id_by_name(ws: Workspace, name: str) -> int | None:
    """The id of the partner called ``name`` (case of ASCII letters and spacing aside),
    looked up through the ``partners_name_key`` index."""
    row = ws._conn.execute("SELECT id FROM partners WHERE name_key = ?",
                           (name_key(name),)).fetchone()
    return row[0] if row else None


def insert_partner(ws: Workspace, partner: Partner, partner_id: int | None = None) -> int:
    return _insert_element(ws._conn, "partners", partner, {"archived": int(partner.archived)},
                           partner_id)


def write_partner(ws: Workspace, partner: Partner) -> None:
    """Replace a stored partner's fields and archived flag."""
    _update_element(ws._conn, "partners", partner)
    ws._conn.execute("UPDATE partners SET archived = ? WHERE id = ?",
                     (int(partner.archived), partner.id))


def delete_partner(ws: Workspace, partner_id: int) -> None:
    """Delete a partner row; refused while plans or actuals refer to it."""
    try:
        ws._conn.execute("DELETE FROM partners WHERE id = ?", (partner_id,))
    except sqlite3.IntegrityError:
        raise ValidationError("Partner", "has plans or actuals now; archive it instead of "
                              "removing it") from None


def add_program_revision(ws: Workspace, author: str, side: str, element_kind: str,
                         element_id: Any, field: str, old: Any, new: Any, action: str) -> None:
    """A row of the program's change log (program, tier, partner, cost)."""
    ws._conn.execute(
        "INSERT INTO program_revisions (author, side, at, element_kind, element_id, field, "
        "old, new, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (author, side, now_iso(), element_kind, str(element_id), field,
         json.dumps(old, default=str), json.dumps(new, default=str), action))


def program_revisions(ws: Workspace, element_kind: str | None = None,
                      element_id: Any = None, *, newest: int | None = None
                      ) -> list[dict[str, Any]]:
    """The program's change log, oldest first (old/new decoded from JSON); with ``newest``,
    only that many of the latest entries (a program of 20,000 partners logs 20,000 adds:
    the Program page shows the last 500 without reading the rest)."""
    sql = "SELECT * FROM program_revisions WHERE 1"
    args: list[Any] = []
    if element_kind:
        sql += " AND element_kind = ?"
        args.append(element_kind)
    if element_id is not None:
        sql += " AND element_id = ?"
        args.append(str(element_id))
    if newest is not None:
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(int(newest))
    else:
        sql += " ORDER BY id"
    rows = [{**dict(r), "old": json.loads(r["old"]), "new": json.loads(r["new"])}
            for r in ws._conn.execute(sql, args)]
    return rows[::-1] if newest is not None else rows


def write_program(ws: Workspace, program: Program) -> None:
    """Replace the stored program and its tiers."""
    ws._write_program(program)


def holds_amounts(ws: Workspace) -> bool:
    """Whether any amount in the program currency is stored (deals, registrations, MDF,
    program costs): the workspace currency cannot change then."""
    return any(ws._conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
               for t in ("deals", "registrations", "mdf", "program_costs"))


def cost_rows(ws: Workspace, month: str, category: str,
              partner_id: int | None = None) -> list[tuple[int, float]]:
    """Stored program-cost rows (id, amount) of one month, category and partner."""
    return [(r[0], float(r[1])) for r in ws._conn.execute(
        "SELECT id, amount FROM program_costs WHERE month = ? AND category = ? AND "
        "partner_id IS ? ORDER BY id", (month, category, partner_id))]


def cost_table(ws: Workspace) -> list[tuple[str, str, float]]:
    """Program costs summed by (month, category), months in order."""
    return [(r[0], r[1], float(r[2])) for r in ws._conn.execute(
        "SELECT month, category, SUM(amount) FROM program_costs GROUP BY month, category "
        "ORDER BY month, category")]


# ---------------------------------------------------------------------- import: partner aliases
# (issue 13) A partner as an export spells it → a workspace partner, confirmed by the user.


def partner_aliases(ws: Workspace) -> dict[str, int]:
    """``{alias: partner id}``: each alias as the importers look it up (trimmed, lower
    case, inner spaces collapsed)."""
    return {r[0]: r[1] for r in ws.rows("SELECT alias, partner_id FROM partner_aliases")}


def save_partner_aliases(ws: Workspace, aliases: dict[str, int]) -> None:
    """Store ``{spelled: partner id}`` (replacing an alias spelled the same way). Call inside
    :meth:`Workspace.transaction`."""
    stamp = now_iso()
    for spelled, pid in aliases.items():
        key = " ".join(str(spelled).lower().split())
        ws.execute("INSERT OR REPLACE INTO partner_aliases (alias, spelled, partner_id, "
                     "created_at) VALUES (?, ?, ?, ?)", (key, str(spelled).strip(), int(pid),
                                                         stamp))

