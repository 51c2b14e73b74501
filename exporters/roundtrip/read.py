"""Reading a returned plan workbook into a :class:`WorkbookReview`, sheet by sheet."""

from __future__ import annotations

from pathlib import Path

from jbp.errors import ValidationError

from .. import plan_workbook as pw
from .comment_rows import CommentRows
from .part_rows import PartRows
from .reader import PART_SHEETS, REQUIRED_SHEETS, _Reader, _Row
from .review import WorkbookError, WorkbookReview


class _Diff(PartRows, CommentRows):
    """One comparison, each sheet's steps in its own module."""


def read_plan_workbook(ws, path: str | Path, *, plan_id: int | None = None) -> WorkbookReview:
    """Compare a returned plan workbook with the plan it was exported from.

    ``plan_id``, when given, is the plan the user means to update; a workbook of another plan
    is refused. Raises :class:`WorkbookError` (one message per problem) when the workbook
    cannot be trusted or holds values that cannot be taken; nothing is changed either way.
    """
    path = Path(path)
    reader = _Reader(ws, path, plan_id)
    wb = reader.open()
    meta, snapshot, key = reader.meta(wb)
    wb_plan = int(meta["plan_id"])
    if plan_id is not None and wb_plan != plan_id:
        other = meta.get("plan_title") or f"plan {wb_plan}"
        mine = ws.plan(plan_id).title
        raise WorkbookError(path, [f"is the workbook of '{other}' (plan {wb_plan}), not of "
                                   f"'{mine}' (plan {plan_id})"])
    try:
        doc = ws.plan_document(wb_plan)
    except ValidationError:
        raise WorkbookError(path, [
            f"is the workbook of '{meta.get('plan_title')}' (plan {wb_plan}), which no longer "
            "exists in this workspace"]) from None
    reader.find_renamed(wb)
    missing = [s for s in REQUIRED_SHEETS if s not in wb.sheetnames]
    for s in missing:
        reader.problem(f"sheet {s!r} is missing (deleted or renamed?); restore it or export "
                       "the plan again")
    reader.fail_if_problems()
    diff = _Diff(ws, reader, doc, snapshot, key, wb_plan)
    diff.cover(wb[pw.COVER])
    reader.notes += _measurement_notes(wb, ws.program())
    rows: dict[str, list[_Row]] = {}
    for sheet_name in (pw.KPIS, pw.INITIATIVES, pw.ACCOUNTS, pw.RULES_RISKS):
        rows[sheet_name] = diff.scan_parts(wb[sheet_name], PART_SHEETS[sheet_name])
    diff.comments(wb[pw.COMMENTS])
    for sheet_name, sheet_rows in rows.items():
        diff.compare_parts(sheet_name, sheet_rows)
    diff.deletions(rows)
    reader.fail_if_problems()
    version_then = int(meta.get("plan_version") or 0)
    review = WorkbookReview(path=path, plan_id=wb_plan, plan_title=doc.plan.title,
                            exported_at=str(meta.get("exported_at") or ""),
                            version_then=version_then, version_now=doc.plan.version,
                            changes=diff.changes, notes=reader.notes)
    conflicts = sum(1 for c in review.changes if c.conflict)
    if conflicts:
        what = "1 change is" if conflicts == 1 else f"{conflicts} changes are"
        review.notes.insert(0, "The plan was changed in the workspace after this workbook was "
                               f"exported; {what} to values changed there too (conflicts).")
    for i, change in enumerate(review.changes, start=1):
        change.key = change.key or f"c{i}"
    return review


def _measurement_notes(wb, program) -> list[str]:
    """The Cover's measurement inputs are the workbook's own (its KPI formulas read them): a
    RAG threshold changed there is not imported, and the review says so rather than keep
    the edit silently."""
    notes = []
    for name, field in (("RAG_green", "rag_green"), ("RAG_amber", "rag_amber")):
        defined = wb.defined_names.get(name)
        if defined is None:
            continue
        for sheet, ref in defined.destinations:
            if sheet not in wb.sheetnames:
                continue
            value = wb[sheet][ref.replace("$", "")].value
            mine = getattr(program, field)
            if isinstance(value, int | float) and abs(float(value) - mine) > 1e-9:
                label = "green" if field == "rag_green" else "amber"
                notes.append(
                    f"{sheet}: the {label} RAG threshold was changed to {float(value):.0%} "
                    f"(the program's is {mine:.0%}); it colours this workbook's KPIs only and "
                    "is not imported: the program's thresholds are set on the Program page")
    return notes

