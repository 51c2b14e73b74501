"""The KPI table read as an alliance manager types into it: a percent KPI's quarter cells
show percent, so what is typed there is percent too (found on a QA walk: "55" in a win
rate's target cell was stored as 5,500%)."""

from __future__ import annotations

import pytest
from gui_support import cell_text, demo_window, edit_cell, finish_tasks, no_thread_left, settings  # noqa: F401

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, demo_path, settings):  # noqa: F811
    win = demo_window(qtbot, settings, demo_path)
    win.show_page("Plans")
    yield win
    win.ctx.discard_pending()
    win.close()


def open_kpi(window, partner: str, fy: int, kpi_name: str):
    ws = window.ctx.workspace
    pid = ws.partner_by_name(partner).id
    plan_id = next(p.id for p in ws.plans(pid) if p.fiscal_year == fy)
    assert window.plans().select_plan(plan_id)
    editor = window.plans().editor
    editor.show_tab("Goals & KPIs")
    doc = ws.plan_document(plan_id)
    kpi = next(k for k in doc.kpis if k.name == kpi_name)
    editor.goals.select_id(kpi.goal_id)
    row = next(r for r in range(editor.kpi_model.rowCount())
               if editor.kpi_model.element(r).id == kpi.id)
    return editor, kpi, row


def test_plain_number_in_a_percent_kpi_cell_is_percent(qtbot, window):
    editor, kpi, row = open_kpi(window, "Cascade Integrators", 2026,
                                "Win rate of registered deals")
    ws = window.ctx.workspace
    assert kpi.unit == "percent"
    edit_cell(qtbot, editor.kpis, row, "target_q4", "55")
    assert ws.element("kpi", kpi.id).target_q4 == pytest.approx(0.55)
    assert cell_text(editor.kpis, row, "target_q4") == "55%"
    edit_cell(qtbot, editor.kpis, row, "target_q4", "60%")  # with the sign, as before
    assert ws.element("kpi", kpi.id).target_q4 == pytest.approx(0.60)
    edit_cell(qtbot, editor.kpis, row, "actual_q4", "0")
    assert ws.element("kpi", kpi.id).actual_q4 == 0.0


def test_fraction_typed_in_a_percent_kpi_cell_is_refused_not_guessed(qtbot, window):
    editor, kpi, row = open_kpi(window, "Cascade Integrators", 2026,
                                "Win rate of registered deals")
    ws = window.ctx.workspace
    before = ws.element("kpi", kpi.id).target_q4
    edit_cell(qtbot, editor.kpis, row, "target_q4", "0.55")  # 0.55% or 55%?
    assert ws.element("kpi", kpi.id).target_q4 == before
    message = editor.kpis.error_line.text()
    assert "Target Q4" in message and "0.55%" in message and "55%" in message
    assert "Nothing was stored" in message


def test_count_kpi_cells_are_read_as_typed(qtbot, window):
    editor, kpi, row = open_kpi(window, "Cascade Integrators", 2026, "Registered deals")
    edit_cell(qtbot, editor.kpis, row, "target_q4", "40")
    assert window.ctx.workspace.element("kpi", kpi.id).target_q4 == 40.0
    edit_cell(qtbot, editor.kpis, row, "target_q3", "0.5")  # a count: no percent reading
    assert window.ctx.workspace.element("kpi", kpi.id).target_q3 == 0.5


def test_new_plan_for_a_year_with_data_starts_with_its_bound_actuals(qtbot, window):
    """A plan made from the template for this fiscal year shows the partner's actuals on
    its first screen (before: every bound KPI read "no actuals yet" until someone pressed
    Refresh on the Data page), and one Ctrl+Z takes the whole plan back."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox

    from jbp.bindings import bound_updates

    ws = window.ctx.workspace
    acme = ws.partner_by_name("Acme Integration")
    assert not ws.plans(acme.id)
    page = window.plans()
    page.new_button.click()
    dialog = page.new_plan_dialog
    dialog.partner.setCurrentIndex(
        dialog.partner.findText("Acme Integration", Qt.MatchFlag.MatchStartsWith))
    dialog.year.setValue(window.ctx.as_of.year)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    (plan,) = ws.plans(acme.id)
    doc = ws.plan_document(plan.id)
    bound = [k for k in doc.kpis if k.metric]
    assert bound and any(a is not None for k in bound for a in k.actuals)
    # exactly what a refresh from the imports would write: nothing left to refresh
    assert bound_updates(ws, [plan.id], window.ctx.as_of) == []
    editor = page.editor
    editor.show_tab("Goals & KPIs")
    assert editor.plan_id == plan.id
    assert cell_text(editor.kpis, 0, "actual_q1") != ""
    rag = [c.title for c in editor.kpi_model.columns].index("RAG")
    assert editor.kpi_model.index(0, rag).data() in ("Green", "Amber", "Red")
    window.undo_action.trigger()
    assert ws.plans(acme.id) == []


def test_a_second_kpi_of_one_name_is_refused_at_the_cell(qtbot, window):
    """Renaming a KPI to the name of another KPI of the plan is refused with a message
    (before: accepted silently, and the QBR, the history and the refresh log then showed
    two "Partner-sourced revenue" rows nobody could tell apart)."""
    editor, kpi, row = open_kpi(window, "Cascade Integrators", 2026, "Registered deals")
    ws = window.ctx.workspace
    edit_cell(qtbot, editor.kpis, row, "name", "partner-sourced  Revenue")
    assert ws.element("kpi", kpi.id).name == "Registered deals"
    assert "already has a KPI named “Partner-sourced revenue”" in (
        editor.kpis.error_line.text())
    # its own name in other letters is no clash
    edit_cell(qtbot, editor.kpis, row, "name", "Registered Deals")
    assert ws.element("kpi", kpi.id).name == "Registered Deals"


def test_empty_kpi_name_is_refused_with_a_message(qtbot, window):
    editor, kpi, row = open_kpi(window, "Cascade Integrators", 2026, "Registered deals")
    from gui_support import press_enter
    from PySide6.QtCore import Qt

    table = editor.kpis
    index = table.model.index(row, table.model.column_of("name"))
    table.view.setCurrentIndex(index)
    table.view.edit(index)
    cell = table.delegate.open_editor
    cell.selectAll()
    qtbot.keyClick(cell, Qt.Key.Key_Backspace)
    press_enter(qtbot, cell)
    assert window.ctx.workspace.element("kpi", kpi.id).name == "Registered deals"
    assert editor.kpis.error_line.text()


def test_add_kpi_twice_gives_two_names(qtbot, window):
    editor, kpi, _ = open_kpi(window, "Cascade Integrators", 2026, "Registered deals")
    ws = window.ctx.workspace
    editor.kpis.add_button.click()
    editor.kpis.delegate.discard_pending()  # leave the typed name as it is
    editor.kpis.add_button.click()
    editor.kpis.delegate.discard_pending()
    names = [k.name for k in ws.plan_document(editor.plan_id).kpis_of(kpi.goal_id)]
    assert names[-2:] == ["New KPI", "New KPI 2"]
    assert not editor.kpis.error_line.text()
    assert window.statusBar().currentMessage() == "Added KPI (Ctrl+Z to undo)"


def test_initiative_date_far_from_the_plan_year_is_refused_at_the_cell(qtbot, window):
    """A typo'd year (2031 in a FY2026 plan) was stored silently; the initiative then never
    showed as due or late. A date within a year of the plan's is still taken."""
    import datetime as dt

    ws = window.ctx.workspace
    pid = ws.partner_by_name("Cascade Integrators").id
    plan_id = next(p.id for p in ws.plans(pid) if p.fiscal_year == 2026)
    assert window.plans().select_plan(plan_id)
    editor = window.plans().editor
    editor.show_tab("Initiatives")
    table = editor.initiatives
    initiative = table.model.element(0)
    edit_cell(qtbot, table, 0, "end_date", "2031-03-31")
    assert ws.element("initiative", initiative.id).end_date == initiative.end_date
    message = table.error_line.text()
    assert "2031-03-31" in message and "FY2026" in message
    edit_cell(qtbot, table, 0, "end_date", "2027-02-26")  # runs into next year: fine
    assert ws.element("initiative", initiative.id).end_date == dt.date(2027, 2, 26)


def test_binding_a_metric_in_the_table_fills_the_actuals_in_one_step(qtbot, window):
    """A KPI the manager adds and binds to "Partner-sourced revenue" shows the partner's
    actuals at once (before: "no actuals yet" until Refresh on the Data page); one Ctrl+Z
    takes the binding and the filled actuals back together."""
    from gui_support import press_enter

    from jbp.bindings import bound_updates

    editor, kpi, _ = open_kpi(window, "Cascade Integrators", 2026, "Registered deals")
    ws = window.ctx.workspace
    editor.kpis.add_button.click()
    editor.kpis.delegate.discard_pending()
    new = ws.plan_document(editor.plan_id).kpis_of(kpi.goal_id)[-1]
    row = editor.kpi_model.rowCount() - 1
    edit_cell(qtbot, editor.kpis, row, "unit", "currency")
    table = editor.kpis
    index = table.model.index(row, table.model.column_of("metric"))
    table.view.setCurrentIndex(index)
    table.view.edit(index)
    combo = table.delegate.open_editor
    combo.setCurrentIndex(combo.findData("sourced_revenue"))
    press_enter(qtbot, combo)
    stored = ws.element("kpi", new.id)
    assert stored.metric == "sourced_revenue"
    assert any(a is not None for a in stored.actuals)
    assert bound_updates(ws, [editor.plan_id], window.ctx.as_of) == []  # nothing to refresh
    assert cell_text(table, row, "actual_q1") != ""
    window.undo_action.trigger()
    stored = ws.element("kpi", new.id)
    assert stored.metric in ("", None) and all(a is None for a in stored.actuals)


def test_history_reads_kpi_values_in_their_unit_and_lists_refreshed_cells(qtbot, window):
    """The History tab showed a win rate's edit as "0.52 → 0.55" and a refresh from the
    imports with empty Old and New columns (which actuals it filled was not readable)."""
    from jbp.bindings import REFRESH_FIELD

    editor, kpi, row = open_kpi(window, "Cascade Integrators", 2026,
                                "Win rate of registered deals")
    edit_cell(qtbot, editor.kpis, row, "target_q4", "55%")
    editor.show_tab("History")
    history = editor.history
    top = history.model.element(0)
    assert (top.element_id, top.field) == (kpi.id, "target_q4")
    assert history.model.index(0, 6).data() == "52%"
    assert history.model.index(0, 7).data() == "55%"
    refresh = next(r for r in range(history.model.rowCount())
                   if history.model.element(r).field == REFRESH_FIELD)
    new = history.model.index(refresh, 7).data()
    assert "Win rate of registered deals · Q" in new and "%" in new
    assert "Partner-sourced revenue · Q" in new
