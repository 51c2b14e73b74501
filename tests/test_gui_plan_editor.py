"""The plan editor driven like a user: new plan from the template, goals and KPIs through
the cells, undo/redo, bad input, comments as the partner side, sign-off on both sides,
amendments after approval, history, QBR."""

from __future__ import annotations

import pytest
from gui_support import cell_text, edit_cell, finish_tasks, no_thread_left, press_enter, settings  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from jbp import demo
from jbp.commands import Editor, SetField
from jbp.store import Workspace
from ui import theme
from ui.main_window import MainWindow
from ui.plan_editor.models import CELL_STATE_ROLE

pytestmark = pytest.mark.gui

VENDOR = Editor("Dana Whitfield", "vendor")


@pytest.fixture
def window(qtbot, demo_path, settings):
    win = MainWindow(settings=settings, ask_identity=False)
    qtbot.addWidget(win)
    win.show()
    win.open_workspace(demo_path)
    finish_tasks()
    win.ctx.set_editor(VENDOR)
    win.show_page("Plans")
    yield win
    win.ctx.discard_pending()
    win.close()


def plan_id_of(ws: Workspace, partner: str, fy: int) -> int:
    pid = ws.partner_by_name(partner).id
    return next(p.id for p in ws.plans(pid) if p.fiscal_year == fy)


def open_plan(window, partner: str, fy: int):
    ws = window.ctx.workspace
    plan_id = plan_id_of(ws, partner, fy)
    assert window.plans().select_plan(plan_id)
    return window.plans().editor, plan_id


def become(window, name: str, side: str) -> None:
    """Say who you are through the identity dialog, as a user does."""
    dialog = window.switch_editor()
    dialog.name.setText(name)
    (dialog.partner if side == "partner" else dialog.vendor).click()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert window.ctx.editor == Editor(name, side)


def test_new_plan_from_template_then_goal_and_kpi_through_cells_with_undo_redo(qtbot, window):
    ws = window.ctx.workspace
    page = window.plans()
    page.new_button.click()
    dialog = page.new_plan_dialog
    dialog.partner.setCurrentIndex(dialog.partner.findText("Acme Integration", Qt.MatchFlag.MatchStartsWith))
    dialog.year.setValue(2027)
    assert dialog.from_template.isChecked()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    acme = ws.partner_by_name("Acme Integration")
    plans = ws.plans(acme.id)
    assert [p.fiscal_year for p in plans] == [2027]
    editor = page.editor
    assert editor.plan_id == plans[0].id
    doc = ws.plan_document(plans[0].id)
    assert len(doc.goals) == 3 and len(doc.kpis) == 7 and doc.plan.status == "Draft"
    assert "Acme Integration" in editor.header.text()

    editor.show_tab("Goals & KPIs")
    editor.goals.add_button.click()  # adds "New goal" and opens its title for typing
    goal_editor = editor.goals.delegate.open_editor
    assert goal_editor is not None
    goal_editor.selectAll()
    qtbot.keyClicks(goal_editor, "Win the public sector")
    press_enter(qtbot, goal_editor)
    goals = ws.plan_document(plans[0].id).goals
    assert goals[-1].title == "Win the public sector"
    assert editor.goals.current().id == goals[-1].id

    editor.kpis.add_button.click()
    kpi_editor = editor.kpis.delegate.open_editor
    kpi_editor.selectAll()
    qtbot.keyClicks(kpi_editor, "Public-sector ARR")
    press_enter(qtbot, kpi_editor)
    edit_cell(qtbot, editor.kpis, 0, "unit", "currency")
    edit_cell(qtbot, editor.kpis, 0, "target_q1", "120,000")
    edit_cell(qtbot, editor.kpis, 0, "actual_q1", "90000")
    kpi = ws.plan_document(plans[0].id).kpis_of(goals[-1].id)[0]
    assert (kpi.name, kpi.unit, kpi.target_q1, kpi.actual_q1) == (
        "Public-sector ARR", "currency", 120000.0, 90000.0)
    assert cell_text(editor.kpis, 0, "target_q1") == "120,000"
    # attainment and RAG come from jbp.kpi, shown in the table
    att_col = [c.title for c in editor.kpi_model.columns].index("Attainment")
    assert editor.kpi_model.index(0, att_col).data().endswith("%")
    # every edit is in the revision log under the editor's name and side
    revs = ws.revisions(plans[0].id, element_kind="kpi")
    assert {(r.author, r.side) for r in revs} == {("Dana Whitfield", "vendor")}

    window.undo_action.trigger()  # the actual
    assert ws.element("kpi", kpi.id).actual_q1 is None
    assert cell_text(editor.kpis, 0, "actual_q1") == ""
    window.undo_action.trigger()  # the target
    assert ws.element("kpi", kpi.id).target_q1 is None
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert ws.element("kpi", kpi.id).target_q1 == 120000.0
    assert ws.element("kpi", kpi.id).actual_q1 == 90000.0
    assert cell_text(editor.kpis, 0, "actual_q1") == "90,000"
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert window.redo_action.shortcut().toString() == "Ctrl+Shift+Z"


def test_bad_input_gets_the_domain_message_at_the_cell_and_keeps_the_old_value(qtbot, window):
    editor, plan_id = open_plan(window, "Ironclad Security", 2026)
    ws = window.ctx.workspace
    editor.show_tab("Goals & KPIs")
    kpi = editor.kpi_model.element(0)
    before = ws.element("kpi", kpi.id).target_q2
    edit_cell(qtbot, editor.kpis, 0, "target_q2", "lots")
    assert ws.element("kpi", kpi.id).target_q2 == before
    message = "KPI Target Q2: 'lots' is not a number"
    assert editor.kpis.refused_message() == message
    index = editor.kpi_model.index(0, editor.kpi_model.column_of("target_q2"))
    assert index.data(Qt.ItemDataRole.ToolTipRole) == message
    assert index.data(Qt.ItemDataRole.BackgroundRole) == theme.brush(theme.current().error_bg)
    assert window.statusBar().currentMessage() == message

    # a cross-field rule (the domain refuses it in the command) shows the same way
    editor.show_tab("Initiatives")
    init = editor.initiative_model.element(0)
    edit_cell(qtbot, editor.initiatives, 0, "end_date", "2020-01-01")
    assert ws.element("initiative", init.id).end_date == init.end_date
    assert editor.initiatives.refused_message() == "Initiative End: is before the start"

    # fixing the value clears the message
    edit_cell(qtbot, editor.kpis, 0, "target_q2", "55")
    assert ws.element("kpi", kpi.id).target_q2 == 55.0
    assert editor.kpis.refused_message() == ""

    # the overview form: the message under the field, the stored value back in it
    editor.show_tab("Overview")
    field = editor.overview.editors["fiscal_year"]
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "next year")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert ws.plan(plan_id).fiscal_year == 2026
    assert editor.overview.errors["fiscal_year"].text() == \
        "Plan Fiscal year: 'next year' is not a number"
    assert field.text() == "2026"
    title = editor.overview.editors["title"]
    title.setFocus()
    title.selectAll()
    qtbot.keyClick(title, Qt.Key.Key_Delete)
    qtbot.keyClick(title, Qt.Key.Key_Return)
    assert editor.overview.errors["title"].text() == "Plan Title: a value is required"
    assert ws.plan(plan_id).title.startswith("Ironclad")


def test_comment_as_partner_side_thread_and_resolve(qtbot, window):
    editor, plan_id = open_plan(window, "Ironclad Security", 2026)
    ws = window.ctx.workspace
    become(window, "Jordan Novak", "partner")
    assert "Jordan Novak" in window.identity.label.text()
    editor.show_tab("Goals & KPIs")
    editor.kpis.view.setCurrentIndex(editor.kpi_model.index(1, 0))
    kpi = editor.kpis.current()
    assert editor.comments.heading.text() == f"KPI: {kpi.name}"
    qtbot.keyClicks(editor.comments.input, "Can we count renewals here?")
    assert window.isWindowModified()  # an unsent comment is a pending edit
    editor.comments.post_button.click()
    assert not window.isWindowModified()
    comments = [c for c in ws.comments(plan_id) if c.element_kind == "kpi"]
    assert [(c.author, c.side, c.text, c.element_id) for c in comments] == [
        ("Jordan Novak", "partner", "Can we count renewals here?", kpi.id)]
    html = editor.comments.thread.toPlainText()
    assert "Jordan Novak" in html and "partner" in html and comments[0].created_at in html
    assert [c.id for c in editor.comments.comments()] == [comments[0].id]

    editor.comments.resolve(comments[0].id)
    assert ws.comments(plan_id)[-1].resolved
    assert editor.comments.comments() == []  # resolved ones are hidden by default
    editor.comments.show_resolved.setChecked(True)
    assert len(editor.comments.comments()) == 1

    window.undo_action.trigger()  # reopen
    window.undo_action.trigger()  # un-post
    assert [c for c in ws.comments(plan_id) if c.element_kind == "kpi"] == []


def test_sign_off_both_sides_approve_then_amend_and_see_the_diff(qtbot, window):
    editor, plan_id = open_plan(window, "Ironclad Security", 2026)
    ws = window.ctx.workspace
    agreement = editor.agreement
    editor.show_tab("Agreement")
    agreement.action_buttons["In review"].click()
    assert ws.plan(plan_id).status == "In review"
    agreement.action_buttons["Approved"].click()  # nobody signed yet: refused, says why
    assert ws.plan(plan_id).status == "In review"
    assert agreement.error_line.text() == ("Approval needs a sign-off from both sides; "
                                           "missing: vendor side, partner side")
    assert agreement.action_buttons["Approved"].text() == "Approve (needs both sign-offs)"
    agreement.role_edit.setText("Partner manager")
    agreement.sign_button.click()
    assert not agreement.sign_button.isEnabled()  # the vendor side has signed
    assert agreement.action_buttons["Approved"].text() == (
        "Approve (needs the partner sign-off)")
    become(window, "Jordan Novak", "partner")
    assert agreement.sign_button.isEnabled()
    agreement.sign_button.click()
    assert agreement.action_buttons["Approved"].text() == "Approve"  # both signed
    assert {(s.side, s.name) for s in ws.signoffs(plan_id)} == {
        ("vendor", "Dana Whitfield"), ("partner", "Jordan Novak")}
    assert agreement.signoffs.rowCount() == 2
    agreement.action_buttons["Approved"].click()
    plan = ws.plan(plan_id)
    assert plan.status == "Approved" and plan.baseline
    assert agreement.amendments.rowCount() == 0
    assert editor.banner.isVisible() or not window.isVisible()
    assert not editor.banner.isHidden()

    editor.show_tab("Goals & KPIs")
    kpi = editor.kpi_model.element(0)
    baseline = kpi.target_q4
    edit_cell(qtbot, editor.kpis, 0, "target_q4", "200000")
    assert ws.element("kpi", kpi.id).target_q4 == 200000.0
    rows = [agreement.amendments.element(r) for r in range(agreement.amendments.rowCount())]
    assert [(a.element, a.field, a.baseline, a.current, a.author, a.side) for a in rows] == [
        (f"KPI: {kpi.name}", "Target Q4", f"{baseline:,.2f}".rstrip("0").rstrip("."),
         "200,000", "Jordan Novak", "partner")]
    index = editor.kpi_model.index(0, editor.kpi_model.column_of("target_q4"))
    assert index.data(Qt.ItemDataRole.BackgroundRole) == theme.brush(
        theme.current().amended_bg)
    assert "Jordan Novak" in index.data(Qt.ItemDataRole.ToolTipRole)
    # not by colour alone: a screen reader hears it and an icon shows it
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == f"{index.data()} (amended)"
    assert "Jordan Novak" in index.data(Qt.ItemDataRole.AccessibleDescriptionRole)
    assert index.data(CELL_STATE_ROLE) == "amended"  # the delegate's corner mark
    other = editor.kpi_model.index(0, editor.kpi_model.column_of("target_q1"))
    assert other.data(CELL_STATE_ROLE) is None
    assert other.data(Qt.ItemDataRole.AccessibleTextRole) is None
    assert "1 change to what was agreed" in editor.banner.text()

    # the history lists every step, filterable by side and element
    history = editor.history
    history.side_filter.setCurrentIndex(history.side_filter.findData("partner"))
    sides = {history.model.element(r).side for r in range(history.model.rowCount())}
    assert sides == {"partner"}
    history.element_filter.setCurrentIndex(history.element_filter.findData("kpi"))
    rows = [history.model.element(r) for r in range(history.model.rowCount())]
    assert [(r.field, r.new) for r in rows] == [("target_q4", 200000.0)]
    assert history.model.index(0, 4).data() == "Target Q4"


def test_roll_forward_carries_targets_and_clears_actuals(qtbot, window):
    editor, plan_id = open_plan(window, "Oakridge Data", 2026)
    ws = window.ctx.workspace
    dialog = window.plans().roll_forward()
    assert dialog.from_previous.isChecked() and dialog.year.value() == 2027
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    new_id = editor.plan_id
    assert new_id != plan_id
    old, new = ws.plan_document(plan_id), ws.plan_document(new_id)
    assert new.plan.fiscal_year == 2027 and new.plan.status == "Draft"
    assert [k.targets for k in new.kpis] == [k.targets for k in old.kpis]
    assert all(a is None for k in new.kpis for a in k.actuals)
    # a second roll-forward into the same year is refused with the domain's message
    dialog = window.plans().new_plan(roll_from=plan_id)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "already has a plan for FY2027" in dialog.error_line.text()
    dialog.reject()


def test_qbr_view_shows_scorecard_due_and_late_comments_and_charts(qtbot, window):
    editor, plan_id = open_plan(window, "Cascade Integrators", 2026)
    assert window.ctx.as_of == demo.AS_OF  # the demo workspace's "today"
    window.show_plan_tab("QBR")
    qbr = editor.qbr
    finish_tasks()
    doc = window.ctx.workspace.plan_document(plan_id)
    assert qbr.scorecard.rowCount() == len(doc.kpis)
    rags = {qbr.scorecard.index(r, 1).data() for r in range(qbr.scorecard.rowCount())}
    assert rags <= {"Green", "Amber", "Red", "–"} and rags & {"Green", "Amber", "Red"}
    late = [qbr.initiatives.element(r) for r in range(qbr.initiatives.rowCount())]
    assert late and all(i[1].status not in ("Done", "Cancelled") for i in late)
    assert qbr.comments.rowCount() == sum(1 for c in doc.comments if not c.resolved)
    assert qbr.charts.pixmap() is not None and not qbr.charts.pixmap().isNull()
    assert qbr.charts.pixmap().height() > 200
    assert "Green" in qbr.rag_summary.text()
    assert editor.comments.isHidden()  # the QBR uses the whole width

    # the KPI chart on the Goals tab has the KPI's numbers
    window.show_plan_tab("Goals & KPIs")
    editor.kpis.view.setCurrentIndex(editor.kpi_model.index(0, 0))
    assert "pro-rated target" in editor.chart.figures.text()
    # drawn on the render thread: the GUI thread only paints the image that comes back
    canvas = editor.chart.canvas
    qtbot.waitUntil(lambda: canvas.image is not None and not canvas.dirty, timeout=20_000)
    assert canvas.title.startswith(editor.chart.kpi.name)
    assert canvas.accessibleName() == "KPI chart"


def test_stale_write_offers_reload(qtbot, window, monkeypatch):
    editor, plan_id = open_plan(window, "Ironclad Security", 2026)
    ws = window.ctx.workspace
    asked = []
    monkeypatch.setattr(window, "ask_reload", lambda msg: asked.append(msg) or True)
    other = Workspace.open(ws.path)  # another app instance on the same file
    try:
        kpi = editor.kpi_model.element(0) if editor.kpi_model.rowCount() else None
        editor.show_tab("Goals & KPIs")
        kpi = editor.kpi_model.element(0)
        other.plan_document(plan_id)
        SetField(Editor("Sam Chen", "partner"), "kpi", kpi.id, "target_q1", 7).do(other)
    finally:
        other.close()
    edit_cell(qtbot, editor.kpis, 0, "target_q1", "8")
    assert asked and "changed in another session by Sam Chen (partner side)" in asked[0]
    assert ws.element("kpi", kpi.id).target_q1 == 7.0  # theirs kept
    assert cell_text(editor.kpis, 0, "target_q1") == "7"  # reloaded
    edit_cell(qtbot, editor.kpis, 0, "target_q1", "8")  # after reloading, edits go through
    assert ws.element("kpi", kpi.id).target_q1 == 8.0


@pytest.mark.parametrize("answer", ["save", "discard", "cancel"])
def test_closing_with_an_edit_still_being_typed_asks(qtbot, window, monkeypatch, answer):
    editor, _plan_id = open_plan(window, "Ironclad Security", 2026)
    ws = window.ctx.workspace
    editor.show_tab("Goals & KPIs")
    kpi = editor.kpi_model.element(0)
    index = editor.kpi_model.index(0, editor.kpi_model.column_of("target_q3"))
    editor.kpis.view.setCurrentIndex(index)
    editor.kpis.view.edit(index)
    cell = editor.kpis.delegate.open_editor
    cell.selectAll()
    qtbot.keyClicks(cell, "4242")
    assert window.isWindowModified()
    assert "[*]" in window.windowTitle()
    buttons = {"save": QMessageBox.StandardButton.Save,
               "discard": QMessageBox.StandardButton.Discard,
               "cancel": QMessageBox.StandardButton.Cancel}
    asked = []
    monkeypatch.setattr(window, "ask_pending",
                        lambda items: asked.append(items) or buttons[answer])
    path = ws.path
    closed = window.close()
    assert asked and "Target Q3" in asked[0][0]
    if answer == "cancel":
        assert not closed and window.ctx.workspace is not None
        assert ws.element("kpi", kpi.id).target_q3 != 4242.0
        return
    assert closed and window.ctx.workspace is None
    with Workspace.open(path) as again:
        stored = again.element("kpi", kpi.id).target_q3
    assert (stored == 4242.0) == (answer == "save")


def test_discard_in_the_prompt_discards_a_field_that_loses_focus_to_the_prompt(
        qtbot, window, monkeypatch):
    """The prompt takes the focus from the field being typed in; that must not save it."""

    editor, _plan_id = open_plan(window, "Ironclad Security", 2026)
    ws = window.ctx.workspace
    editor.show_tab("Overview")
    field = editor.overview.editors["title"]
    stored = field.text()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClicks(field, " (typo)")
    assert window.isWindowModified()

    def ask(_items):
        box = QMessageBox(QMessageBox.Icon.Question, "JBP Studio", "Save?", parent=window)
        box.show()
        box.activateWindow()
        qtbot.waitUntil(lambda: not field.hasFocus(), timeout=2_000)
        box.close()
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(window, "ask_pending", ask)
    path = ws.path
    plan = editor.session.doc.plan
    assert window.close()
    with Workspace.open(path) as again:
        assert again.plan(plan.id).title == stored


def test_esc_reverts_a_field(qtbot, window):
    editor, _plan_id = open_plan(window, "Ironclad Security", 2026)
    editor.show_tab("Overview")
    field = editor.overview.editors["title"]
    stored = field.text()
    field.setFocus()
    qtbot.keyClicks(field, " (typo)")
    assert window.ctx.pending()
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert field.text() == stored
    assert not window.ctx.pending()


def test_esc_reverts_a_cell(qtbot, window):
    editor, _plan_id = open_plan(window, "Ironclad Security", 2026)
    ws = window.ctx.workspace
    editor.show_tab("Goals & KPIs")
    kpi = editor.kpi_model.element(0)
    index = editor.kpi_model.index(0, editor.kpi_model.column_of("target_q3"))
    editor.kpis.view.setCurrentIndex(index)
    editor.kpis.view.edit(index)
    cell = editor.kpis.delegate.open_editor
    cell.selectAll()
    qtbot.keyClicks(cell, "4242")
    assert window.ctx.pending()
    qtbot.keyClick(cell, Qt.Key.Key_Escape)
    assert not window.ctx.pending()
    assert ws.element("kpi", kpi.id).target_q3 == kpi.target_q3
    assert index.data() != "4,242"


def test_qbr_side_lists_show_a_cut_short_text_whole_on_hover(qtbot, window):
    """At 1366×768 the QBR's side lists elide initiative names and comments ("Sales and …");
    hovering such a cell shows the whole text, a cell whose text fits gets no extra tip."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QStyleOptionViewItem, QToolTip

    from ui.widgets.elided_tips import cut_short

    editor, _plan_id = open_plan(window, "Cascade Integrators", 2026)
    window.show_plan_tab("QBR")
    finish_tasks()
    view = editor.qbr.comment_view
    view.setColumnWidth(2, 40)  # as narrow as a laptop screen leaves it
    row, col = 0, 2
    index = view.model().index(row, col)
    text = index.data()
    assert text and len(text) > 8
    rect = view.visualRect(index)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = rect
    option.widget = view
    QToolTip.hideText()
    event = QHelpEvent(QEvent.Type.ToolTip, rect.center(), view.viewport().mapToGlobal(
        rect.center()))
    assert view.itemDelegate().helpEvent(event, view, option, index)
    assert QToolTip.text().startswith(text)
    # the same cell wide enough: no whole-text tip of the delegate's own
    view.setColumnWidth(2, 4000)
    option.rect = view.visualRect(index).adjusted(0, 0, 4000, 0)
    assert not cut_short(option, text)
