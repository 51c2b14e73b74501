"""Opening a returned workbook and checking it is a plan workbook of this workspace whose
hidden data is intact (the signature), and the values each row holds."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jbp.model import Kpi

from .. import plan_workbook as pw
from ..workbook_keys import verify
from .review import WorkbookError

PART_SHEETS = {pw.INITIATIVES: ("initiative",), pw.ACCOUNTS: ("account",),
               pw.RULES_RISKS: ("rule", "risk"), pw.KPIS: ("goal", "kpi")}
REQUIRED_SHEETS = (pw.COVER, pw.KPIS, pw.INITIATIVES, pw.ACCOUNTS, pw.RULES_RISKS, pw.COMMENTS)
KPI_ONLY_HEADERS = {f.label for f in Kpi.FIELDS if f.name != "name"}
_REF_RE = re.compile(r"^\s*(RK|[PGKIAR])(\d+)\b")
_PREFIX_KIND = {v: k for k, v in pw.REF_PREFIX.items()}


@dataclass
class _Row:
    number: int
    kind: str
    element_id: int | None
    values: dict[str, Any]  # field name -> domain value (only cells that were readable)
    cells: dict[str, tuple[str, Any]]  # field name -> (header, raw)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (author, text) cell notes
    parent_row: int | None = None  # for KPI rows: the goal row above
    parent_goal: int | None = None


class _Reader:
    def __init__(self, ws, path: Path, plan_id: int | None):
        self.ws, self.path, self.expected_plan = ws, path, plan_id
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.cached = None  # the workbook's saved formula values, loaded on demand
        self.renamed: dict[str, str] = {}  # our sheet name -> the name the editor gave it

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def fail_if_problems(self) -> None:
        if self.problems:
            raise WorkbookError(self.path, self.problems)

    # -- opening -------------------------------------------------------------

    def open(self):
        import openpyxl

        if not self.path.exists():
            raise WorkbookError(self.path, ["no such file"])
        if self.path.is_dir():
            raise WorkbookError(self.path, ["is a folder, not a workbook"])
        try:
            with self.path.open("rb") as fh:
                head = fh.read(4)
        except OSError as exc:
            raise WorkbookError(self.path, [f"cannot be read ({exc.strerror or exc})"]) from exc
        if head == b"PK\x03\x04" and _is_opendocument(self.path):
            raise WorkbookError(self.path, [
                "is an OpenDocument spreadsheet (.ods), not an Excel workbook; open it in "
                "LibreOffice, choose File ▸ Save As ▸ Excel 2007-365 (.xlsx), keep the "
                "format, and import the .xlsx"])
        if head != b"PK\x03\x04":
            raise WorkbookError(self.path, [
                "is not an Excel workbook (.xlsx); save it as an Excel workbook and try "
                "again" if head[:4] != b"\xd0\xcf\x11\xe0" else
                "is an old-style .xls file; save it as an Excel workbook (.xlsx)"])
        try:
            with warnings.catch_warnings():
                # openpyxl warns about cells it cannot read (a date out of range); the
                # field's own check reports them with the row and column instead.
                warnings.simplefilter("ignore", UserWarning)
                return openpyxl.load_workbook(self.path, data_only=False)
        except Exception as exc:  # openpyxl raises many kinds for a damaged archive
            raise WorkbookError(self.path, [
                f"is damaged and cannot be read as a workbook ({type(exc).__name__}: {exc})"
            ]) from exc

    def cached_value(self, sheet: str, row: int, col: int) -> Any:
        if self.cached is None:
            import openpyxl

            self.cached = openpyxl.load_workbook(self.path, data_only=True)
        return self.cached[self.renamed.get(sheet, sheet)].cell(row, col).value

    def find_renamed(self, wb) -> None:
        """Take back a required sheet the editor renamed ("Goals & KPIs" → "KPIs FY26"): it
        is found by the hidden markers only our sheets carry, read under its own name, and
        a note says so. A sheet that was deleted stays missing."""
        wanted = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
        if not wanted:
            return
        sheet_of_kind = {k: s for s, kinds in PART_SHEETS.items() for k in kinds}
        sheet_of_kind["comment"] = pw.COMMENTS
        for sheet in wb.worksheets:
            if sheet.title in REQUIRED_SHEETS or sheet.title == pw.META:
                continue
            found = None
            for row in sheet.iter_rows(max_row=min(sheet.max_row, 60), values_only=True):
                for v in row:
                    if isinstance(v, str) and v.startswith(pw.HEADER_MARK):
                        found = sheet_of_kind.get(v[len(pw.HEADER_MARK):])
                    elif isinstance(v, str) and v.startswith(pw.FIELD_MARK):
                        found = pw.COVER
                    if found:
                        break
                if found:
                    break
            if found in wanted:
                wanted.remove(found)
                self.renamed[found] = sheet.title
                self.notes.append(f"sheet {sheet.title!r} is the plan's {found!r} sheet, "
                                  f"renamed; the changes name it {found!r}")
                sheet.title = found

    def meta(self, wb) -> tuple[dict[str, Any], dict[str, Any], bytes]:
        if pw.META not in wb.sheetnames:
            raise WorkbookError(self.path, [
                "was not exported by JBP Studio as a plan workbook (its hidden sheet "
                f"{pw.META!r} is missing)"])
        sheet = wb[pw.META]
        meta = {}
        chunks: list[str] = []
        for row in sheet.iter_rows(min_col=1, max_col=3, values_only=True):
            if row[0] is not None:
                meta[str(row[0])] = row[1]
            if row[2] is not None:
                chunks.append(str(row[2]))
        if meta.get("format") != pw.FORMAT:
            raise WorkbookError(self.path, ["is not a JBP Studio plan workbook"])
        try:
            version = int(meta.get("format_version"))
        except (TypeError, ValueError):
            raise WorkbookError(self.path, [
                "its hidden data is damaged (no format version)"]) from None
        if version > pw.FORMAT_VERSION:
            raise WorkbookError(self.path, [
                f"was written by a newer JBP Studio (workbook format {version}; this version "
                f"reads up to {pw.FORMAT_VERSION})"])
        workspace_id, key = self.ws.workbook_keys()
        if meta.get("workspace_id") != workspace_id:
            raise WorkbookError(self.path, [
                f"comes from another workspace ({meta.get('workspace') or 'unknown'}), not "
                f"from {self.ws.name}; open that workspace to import it"])
        try:
            n = int(meta.get("snapshot_chunks"))
        except (TypeError, ValueError):
            n = -1
        text = "".join(chunks)
        if n != len(chunks) or not verify(key, pw.signed_text(meta, text), meta.get("signature")):
            raise WorkbookError(self.path, [
                f"its hidden sheet {pw.META!r} was changed, so the ids in it cannot be "
                "trusted; export the plan again and copy your edits into the new workbook"])
        snapshot = json.loads(text)
        return meta, snapshot, key


_BAD = object()


def _is_opendocument(path: Path) -> bool:
    """True when ``path`` is an OpenDocument file (a zip whose ``mimetype`` says so)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument")
    except (KeyError, OSError, zipfile.BadZipFile):
        return False


def _getter(header: dict[str, int], values: list[Any]) -> Callable[[str], Any]:
    def get(name: str) -> Any:
        col = header.get(name)
        return values[col] if col is not None and col < len(values) else None
    return get
