"""LibreOffice headless as the "real spreadsheet program" of the export tests.

:func:`recalculate` opens workbooks in LibreOffice, which recalculates every formula on load
(openpyxl writes formulas without cached values), and saves them again as xlsx with the
computed values, which openpyxl (``data_only=True``) or pandas then read. One LibreOffice start
takes a few seconds, so callers pass every file at once; each call uses its own user profile
so parallel test processes never share one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

requires_office = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")


def convert(paths: list[Path], outdir: Path, to: str = "xlsx", timeout: float = 240) -> list[Path]:
    """Convert ``paths`` with one LibreOffice run; return the converted files (same stems).

    ``to`` is a LibreOffice filter spec such as ``xlsx`` or ``pdf``.
    """
    if SOFFICE is None:
        raise RuntimeError("soffice is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(f"/tmp/lo_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    try:
        result = subprocess.run(
            [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
             "--norestore", "--convert-to", to, "--outdir", str(outdir),
             *[str(p) for p in paths]],
            capture_output=True, text=True, timeout=timeout)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    ext = to.split(":")[0]
    out = [outdir / f"{Path(p).stem}.{ext}" for p in paths]
    missing = [p for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}: {result.stdout} "
                           f"{result.stderr}")
    return out


def recalculate(paths: list[Path], outdir: Path) -> dict[Path, Path]:
    """Open each workbook in LibreOffice and save it with recalculated values.

    Returns original path → recalculated copy (in ``outdir``)."""
    out = convert(paths, outdir, "xlsx")
    return dict(zip(paths, out, strict=True))
