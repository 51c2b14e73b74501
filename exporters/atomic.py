"""Write a file whole or not at all.

A workbook is first written to a temporary file in the destination's folder, flushed to disk
(``fsync``) and only then moved over the destination with :func:`os.replace`, which is atomic
on one file system. A crash, a full disk or a cancelled export therefore never leaves half a
file under the user's name; the temporary file is removed on any failure.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path``, then move it to ``path``.

    Raises :class:`OSError` (with the destination as ``filename``) when the folder does not
    exist or cannot be written; the destination is untouched in every failure.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(2, "the folder does not exist", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)
    return path


def save_workbook(workbook, path: str | Path) -> Path:
    """Save an openpyxl workbook to ``path`` atomically (see :func:`atomic_write`)."""
    return atomic_write(path, workbook.save)


def _fsync_folder(folder: Path) -> None:
    # The rename itself is durable only once the folder entry is on disk (POSIX).
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
