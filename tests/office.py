"""LibreOffice headless as the "real spreadsheet program" of the export tests.

:func:`recalculate` opens workbooks in LibreOffice, which recalculates every formula on load
(its profile is set to "always recalculate", so the values stored by the exporters are not
simply kept), and saves them again as xlsx with the computed values, which openpyxl
(``data_only=True``) or pandas then read. One LibreOffice start
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
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_ALWAYS_RECALCULATE)
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


# Calc's "recalculation on file load" for Excel and ODF files: 0 = always.
_ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode"
 oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculate(paths: list[Path], outdir: Path) -> dict[Path, Path]:
    """Open each workbook in LibreOffice and save it with recalculated values.

    Returns original path → recalculated copy (in ``outdir``)."""
    out = convert(paths, outdir, "xlsx")
    return dict(zip(paths, out, strict=True))
