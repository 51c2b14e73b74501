"""The Scenario Lab on a 1366x768 laptop: what a channel chief edits and reads must be
readable without scrolling sideways. Real widgets (offscreen), the demo workspace, a
calibrated baseline (its per-partner tables are long) and a variant of it."""

from __future__ import annotations

import pytest
from gui_support import no_thread_left  # noqa: F401
from PySide6.QtCore import QCoreApplication, QPoint
from PySide6.QtWidgets import QLineEdit
from test_gui_scenario_lab import make_baseline, open_lab

pytestmark = pytest.mark.gui

#: The Lab's share of a maximised window on a 1366x768 screen (the navigation list and the
#: window's margins take the rest).
LAPTOP = (1200, 690)


@pytest.fixture
def laptop_lab(qtbot, demo_path):
    page = open_lab(qtbot, demo_path)
    page.resize(*LAPTOP)
    yield page
    page.wait()
    page.ctx.set_workspace(None)


def settle() -> None:
    for _ in range(3):
        QCoreApplication.processEvents()


def test_onboarding_fields_are_readable_beside_a_long_baseline_on_a_laptop(qtbot,
                                                                           laptop_lab):
    page = laptop_lab
    base = make_baseline(qtbot, page)
    variant = page.new_variant("Two more managers", {"onboarding.managers": 8})
    page.select(variant)
    editor = page.editor
    page.tabs.setCurrentWidget(editor)
    editor.tabs.setCurrentIndex([editor.tabs.tabText(i) for i in
                                 range(editor.tabs.count())].index("Onboarding"))
    settle()
    scroll = editor.tabs.currentWidget()
    viewport = scroll.viewport()
    # The calibrated baseline's per-partner tables are hundreds of characters long...
    long_row = editor.rows["recruitment.initial_productivity"]
    full = long_row.baseline.text()
    assert len(full) > 300
    # ... and push nothing sideways: no horizontal scrolling in the tab,
    assert scroll.horizontalScrollBar().maximum() == 0, "the Onboarding tab scrolls sideways"
    # every number the user types into is shown whole,
    for path, row in editor.rows.items():
        if not path.startswith(("recruitment.", "onboarding.")):
            continue
        if isinstance(row.editor, QLineEdit) and row.kind in (int, float):
            ed = row.editor
            needed = ed.fontMetrics().horizontalAdvance(ed.text() or "0000") + 8
            assert ed.width() >= needed, f"{path}: {ed.text()!r} in {ed.width()} px"
    # the baseline's value of the field being changed is in view beside it,
    managers = editor.rows["onboarding.managers"]
    assert managers.differs and managers.baseline.text() == "6"
    right = managers.baseline.mapTo(viewport, QPoint(managers.baseline.width(), 0)).x()
    assert right <= viewport.width(), "the baseline's value is off to the right"
    # and the long value is whole in the label's text and its tool tip.
    assert full in long_row.baseline.toolTip()
    # A per-partner table is not offered a by-tier example.
    hint = editor.rows["recruitment.initial_onboarding_elapsed_days"].editor.placeholderText()
    assert "Gold" not in hint and "0:" in hint
    assert page.baseline_id() == base
