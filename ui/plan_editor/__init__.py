"""The plan editor: every part of a joint business plan, its agreement, history and QBR.

``PlansPage(ctx)`` is the page the main window shows (plan list + editor);
``PlanEditor(ctx)`` edits one plan.
"""

from __future__ import annotations


def __getattr__(name: str):  # lazy: importing the package must not import Qt widgets
    if name == "PlansPage":
        from .page import PlansPage

        return PlansPage
    if name == "PlanEditor":
        from .editor import PlanEditor

        return PlanEditor
    raise AttributeError(name)
