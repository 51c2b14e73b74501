"""Bring your own program in the app (offscreen, driven like a user): File ▸ New workspace →
setup wizard → import the partner list → import one actuals export → the Portfolio; the
Program page's edits (settings, tiers with their preview, costs) undo and redo; the
Partners page adds, edits and archives with undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import finish_tasks, no_thread_left, press_enter, settings  # noqa: F401

from jbp import store
from jbp.commands import Editor
from jbp.setup import new_workspace
from ui.context import AppContext

pytestmark = pytest.mark.gui
DATA = Path(__file__).parent / "data" / "byop"
ED = Editor("Ann Example", "vendor")


def run_import_wizard(qtbot, wizard, path: Path) -> None:
    """Pick the file, accept the guessed mapping, import: as a user clicks Next."""
    wizard.file_page.path.setText(str(path))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.mapping_page, timeout=20_000)
    assert wizard.mapping_page.isComplete(), wizard.mapping_page.missing.text()
    wizard.next()
    if wizard.currentPage() is wizard.values_page:  # value maps, filters, aliases (issue 13)
        wizard.next()
    report = wizard.report_page
    qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
    assert report.prepared.report.rejected == 0, report.prepared.report.text()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.result is not None, timeout=20_000)
    finish_tasks()


def test_new_workspace_setup_partner_import_actuals_and_portfolio(qtbot, settings, tmp_path):
    from ui.main_window import MainWindow

    win = MainWindow(settings=settings, ask_identity=False)
    qtbot.addWidget(win)
    win.show()
    win.new_workspace()
    wizard = win.setup_wizard
    page = wizard.program_page
    assert not page.isComplete()                       # a program needs a name
    page.path.setText(str(tmp_path / "contoso"))
    page.name.setText("Contoso Partner Network")
    page.currency.setCurrentText("EUR")
    page.fiscal.setCurrentIndex(3)                     # April
    page.template.setCurrentIndex(page.template.findData("three tiers"))
    wizard.next()
    ws = win.ctx.workspace
    assert ws is not None and ws.path == tmp_path / "contoso.jbp"
    program = ws.program()
    assert (program.name, program.currency, program.fiscal_year_start_month) == (
        "Contoso Partner Network", "EUR", 4)
    assert [t.name for t in program.tiers_by_rank()] == ["Member", "Select", "Premier"]
    win.ctx.set_editor(ED)

    partners = wizard.partners_page
    assert wizard.currentPage() is partners and "No partners yet" in partners.count.text()
    importer = partners.import_partners()
    qtbot.addWidget(importer)
    assert importer.file_page.kind.currentData() == "partners"
    run_import_wizard(qtbot, importer, DATA / "sfdc_partner_accounts.csv")
    assert "Imported 12 new" in importer.result_page.status.text()
    assert "<b>12</b> partners" in partners.count.text()
    importer.close()
    wizard.next()

    actuals = wizard.actuals_page
    assert wizard.currentPage() is actuals
    assert actuals.coverage["deals"].text().startswith("nothing yet (amounts in EUR)")
    # the opportunities name USD: refused in this EUR workspace, column and currency named
    importer = actuals.import_kind("deals")
    qtbot.addWidget(importer)
    importer.file_page.path.setText(str(DATA / "sfdc_opportunities.csv"))
    importer.next()
    qtbot.waitUntil(lambda: importer.currentPage() is importer.mapping_page, timeout=20_000)
    importer.next()
    importer.next()  # past the values step (value maps, filters, aliases; issue 13)
    qtbot.waitUntil(lambda: importer.report_page.prepared is not None, timeout=20_000)
    reasons = importer.report_page.prepared.report.text()
    assert "column 'Opportunity Currency': 'USD' is not the workspace currency EUR" in reasons
    assert not importer.report_page.isComplete()
    importer.close()
    finish_tasks()
    # one actuals import that fits: the LMS completions
    importer = actuals.import_kind("certifications")
    qtbot.addWidget(importer)
    run_import_wizard(qtbot, importer, DATA / "lms_completions.csv")
    importer.close()
    assert actuals.coverage["certifications"].text().startswith("42 rows, 2024-")
    wizard.accept()                                    # "Show the Portfolio"
    assert win.stack.currentWidget() is win.pages["Portfolio"]
    portfolio = win.pages["Portfolio"]
    finish_tasks()
    qtbot.waitUntil(lambda: portfolio.model.rowCount() == 12, timeout=20_000)
    win.ctx.discard_pending()
    win.close()


@pytest.fixture
def own_ctx(qtbot, tmp_path):
    from jbp import import_partners as ip

    ws = new_workspace(tmp_path / "own.jbp", name="Own program", currency="GBP")
    ip.run_import(ws, DATA / "sfdc_partner_accounts.csv", "partners")
    context = AppContext()
    context.set_workspace(ws)
    context.set_editor(ED)
    yield context
    finish_tasks()
    context.set_workspace(None)


def test_program_page_settings_tiers_and_costs_undo_and_redo(qtbot, own_ctx):
    from ui.program_page import ProgramPage, TierPreviewDialog

    ctx = own_ctx
    page = ProgramPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert "amounts in <b>GBP</b>" in page.title.text()
    ws = ctx.workspace
    # a setting, refused at the field, then accepted
    amber = page.editors["rag_amber"]
    amber.setText("99%")
    amber.editingFinished.emit()
    assert "must not exceed RAG green" in page.settings_error.text()
    assert "b3261e" in amber.styleSheet() and ws.program().rag_amber == 0.8
    weight = page.editors["influence_weight"]
    weight.setText("45%")
    weight.editingFinished.emit()
    assert ws.program().influence_weight == 0.45
    ctx.undo_stack.undo()
    assert ws.program().influence_weight == 0.3 and page.editors["influence_weight"].text() \
        == "30.0%"
    ctx.undo_stack.redo()
    assert ws.program().influence_weight == 0.45

    # a tier threshold that does not rise is refused at the cell
    table = page.tiers
    silver = [t.name for t in table.elements].index("Silver")
    col = table.column_of("min_sourced_revenue")
    assert not table.setData(table.index(silver, col), "5000000")
    assert "thresholds must rise" in page.tier_error.text()
    assert ws.program().tier("Silver").min_sourced_revenue == 75_000
    # a margin applies at once
    assert table.setData(table.index(silver, table.column_of("margin")), "18%")
    assert ws.program().tier("Silver").margin == 0.18
    # a threshold change shows who moves first, then applies on "Apply"
    assert not table.setData(table.index(silver, col), "1")
    qtbot.waitUntil(lambda: page.preview_dialog is not None, timeout=20_000)
    dialog = page.preview_dialog
    assert "would move up" in dialog.findChild(type(page.title),
                                               "tier_preview_summary").text()
    assert ws.program().tier("Silver").min_sourced_revenue == 75_000  # not yet
    dialog.apply_button.click()
    assert dialog.result() == TierPreviewDialog.DialogCode.Accepted
    assert ws.program().tier("Silver").min_sourced_revenue == 1
    ctx.undo_stack.undo()
    assert ws.program().tier("Silver").min_sourced_revenue == 75_000
    ctx.undo_stack.undo()
    assert ws.program().tier("Silver").margin == 0.15
    ctx.undo_stack.redo()
    ctx.undo_stack.redo()
    assert ws.program().tier("Silver").min_sourced_revenue == 1
    assert ws.program().tier("Silver").margin == 0.18

    # costs per month and category
    page.new_month.setText("2026-05")
    page.add_month()
    assert page.costs.rowCount() == 1 and page.costs.item(0, 0).text() == "2026-05"
    page.costs.item(0, 2).setText("4,500")           # enablement
    assert store.cost_table(ws) == [("2026-05-01", "enablement", 4500.0)]
    page.costs.item(0, 1).setText("lots")
    assert "is not a number" in page.cost_error.text()
    ctx.undo_stack.undo()
    assert store.cost_table(ws) == []
    ctx.undo_stack.redo()
    assert store.cost_table(ws) == [("2026-05-01", "enablement", 4500.0)]
    assert page.log.rowCount() == 0  # read when its tab is shown, not before
    page.tabs.setCurrentIndex(page.tabs.indexOf(page.log.parentWidget()))
    assert page.log.rowCount() >= 5


def test_tier_change_can_be_tried_in_the_scenario_lab_first(qtbot, own_ctx):
    from jbp.scenarios import scenarios
    from ui.program_page import ProgramPage

    page = ProgramPage(own_ctx)
    qtbot.addWidget(page)
    table = page.tiers
    gold = [t.name for t in table.elements].index("Gold")
    assert not table.setData(table.index(gold, table.column_of("min_new_logos")), "5")
    qtbot.waitUntil(lambda: page.preview_dialog is not None, timeout=20_000)
    page.preview_dialog.try_button.click()
    finish_tasks()
    qtbot.waitUntil(lambda: bool(scenarios(own_ctx.workspace)), timeout=20_000)
    made = scenarios(own_ctx.workspace)[0]
    assert made.name.startswith("Tier change: Gold")
    levels = {t["name"]: t for t in made.params["tiers"]["levels"]}
    assert levels["Gold"]["min_new_logos"] == 5
    assert own_ctx.workspace.program().tier("Gold").min_new_logos == 3  # program unchanged


def test_partners_page_add_edit_archive_with_undo(qtbot, own_ctx):
    from ui.partners_page import PartnersPage

    ctx = own_ctx
    page = PartnersPage(ctx)
    qtbot.addWidget(page)
    page.show()
    finish_tasks()                                      # the list is read off the GUI thread
    assert page.proxy.rowCount() == 12 and "amounts in <b>GBP</b>" in page.title.text()
    dialog = page.add_partner()
    dialog.name.setText("Harborline Systems")          # exists already
    dialog.accept()
    assert "exists already" in dialog.error.text() and dialog.isVisible()
    dialog.name.setText("Polar Bytes")
    dialog.region.setCurrentText("APAC")
    dialog.accept()
    assert not dialog.isVisible() and page.proxy.rowCount() == 13
    pid = ctx.workspace.partner_by_name("polar bytes").id
    page.select(pid)
    index = page.proxy.mapFromSource(page.model.index(page.model.row_of(pid),
                                                      page.model.column_of("manager")))
    page.view.setCurrentIndex(index)
    page.view.edit(index)
    editor = page.delegate.open_editor
    qtbot.keyClicks(editor, "Rita Ora")
    press_enter(qtbot, editor)
    assert ctx.workspace.partner(pid).manager == "Rita Ora"
    page.select(pid)
    assert page.archive_current()
    assert page.proxy.rowCount() == 12
    page.show_archived.setChecked(True)
    assert page.proxy.rowCount() == 13
    ctx.undo_stack.undo()                               # archive
    ctx.undo_stack.undo()                               # manager
    assert store.partner_full(ctx.workspace, pid).manager == ""
    assert not store.partner_full(ctx.workspace, pid).archived
    ctx.undo_stack.undo()                               # add
    assert ctx.workspace.partner_by_name("Polar Bytes") is None
    ctx.undo_stack.redo()
    assert ctx.workspace.partner_by_name("Polar Bytes") is not None
