"""Taking a plan workbook back: what someone changed in it, field by field, and applying the
changes the user accepts as one undoable step.

The comparison is three-way. The workbook's hidden sheet holds the plan as it was exported;
a cell differs from that snapshot only where the person who had the workbook changed it, so a
change made in the workspace since the export is never undone by an untouched cell. Each
change names the value it would replace in the workspace now (``old``) and is marked as a
conflict when the workspace changed that same value after the export.

Every typed value is parsed with the field's own :meth:`jbp.fields.Field.coerce`. Anything that
makes the workbook untrustworthy (not a plan workbook, from another workspace or plan, ids
edited, hidden data altered, a value of the wrong type, a damaged file) raises
:class:`WorkbookError` with one message per problem, and nothing is changed.

Accepted changes become :mod:`jbp.commands` (``SetField``, ``AddPart``, ``DeletePart``,
``AddComment``, ``ResolveComment``) inside one :class:`WorkbookImport` macro, recorded under the
editor (name and side) the user names, applied in one transaction.

The steps, one module each: :mod:`.reader` (open and trust the file), :mod:`.diff`,
:mod:`.part_rows` and :mod:`.comment_rows` (compare each sheet), :mod:`.read` (all of it into
a :class:`WorkbookReview`), :mod:`.review` (the changes) and :mod:`.apply` (the accepted
changes as one undoable step).
"""

from .apply import WorkbookImport, apply_import, build_import, review_as_text
from .read import read_plan_workbook
from .review import WorkbookChange, WorkbookError, WorkbookReview

__all__ = ["WorkbookChange", "WorkbookError", "WorkbookImport", "WorkbookReview",
           "apply_import", "build_import", "read_plan_workbook", "review_as_text"]
