"""Write a file whole or not at all.

Every file the program writes (a workbook, a scenario, simulation results, a new or replaced
workspace, the backup made before a migration) is first written to a temporary file in the
destination's folder, flushed to disk (``fsync``) and only then moved over the destination with
:func:`os.replace`, which is atomic on one file system. A crash, a kill, a full disk or a
cancelled export therefore never leaves half a file under the user's name: the destination holds
either its old content or the new one. The temporary file is removed on any failure we live to
see; one left by a kill is named ``.NAME.*.part`` and is never read.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_UMASK: int | None = None


def _umask() -> int:
    """The process's umask. Reading it means setting it, which is not thread-safe, so it
    is read once (the first write happens long after start-up's threads settle)."""
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return _UMASK


def _folder(path: Path) -> Path:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(2, "the folder does not exist", str(path))
    return folder


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path``, then move it to ``path``.

    Raises :class:`OSError` (with the destination as ``filename``) when the folder does not
    exist or cannot be written; the destination is untouched in every failure.
    """
    path = Path(path)
    folder = _folder(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); a document to share gets the permissions
        # any new file of this user gets (0644 under the usual umask).
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if exc.filename is None and exc.errno is not None:  # e.g. ENOSPC from a write
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_folder(folder)
    return path


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` whole or not at all."""
    data = text.encode(encoding)
    def write(fh: BinaryIO) -> None:
        fh.write(data)

    return atomic_write(path, write)


def copy_file(source: str | Path, target: str | Path) -> Path:
    """Copy ``source`` to ``target`` whole or not at all (a backup is never half a file)."""
    def write(fh: BinaryIO) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, fh, 1 << 20)

    out = atomic_write(target, write)
    shutil.copystat(source, out)
    return out


def temporary_sibling(path: str | Path) -> Path:
    """A name beside ``path`` that does not exist yet, for building a file to move over it."""
    path = Path(path)
    folder = _folder(path)
    while True:
        candidate = folder / f".{path.name}.{secrets.token_hex(4)}.part"
        if not candidate.exists():
            return candidate


def build_then_replace(path: str | Path, build: Callable[[Path], object]) -> Path:
    """``build(tmp)`` a file at a fresh name beside ``path`` (the callee creates it, e.g. an
    SQLite database), flush it to disk, then move it over ``path`` in one step.

    Until the move, ``path`` keeps its old content (or stays absent); a failure removes the
    half-built file and any SQLite journal beside it.
    """
    path = Path(path)
    tmp = temporary_sibling(path)
    try:
        build(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    fsync_folder(path.parent if str(path.parent) else Path("."))
    return path


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable: it is, once the folder entry is on disk (POSIX)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
