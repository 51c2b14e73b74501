"""The import wizard and the Data page, driven like a user (offscreen)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from gui_support import ctx, finish_tasks, no_thread_left  # noqa: F401
from PySide6.QtWidgets import QWizard

from ui import workers

pytestmark = pytest.mark.gui
DATA = Path(__file__).parent / "data" / "small"


def deals_file(tmp_path: Path, rows: str) -> Path:
    f = tmp_path / "crm_export.csv"
    f.write_text("Opportunity ID,Reseller,Account,Deal Value,Billing,Won On,Role\n" + rows)
    return f


def go_next(qtbot, wizard, page_id_before: int) -> None:
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() != page_id_before, timeout=20_000)


def test_wizard_maps_reports_and_imports(qtbot, ctx, tmp_path):
    from ui.import_wizard import ImportWizard

    f = deals_file(tmp_path, "X-1,Cascade Integrators,New Co,12000,ARR,2026-10-03,sourced\n"
                             "X-2,Nobody Ltd,Other Co,500,ARR,2026-10-03,sourced\n"
                             "X-3,Acme Integration,Third Co,abc,ARR,2026-10-04,influenced\n")
    wizard = ImportWizard(ctx, path=str(f), kind="deals")
    qtbot.addWidget(wizard)
    wizard.show()
    before = len(ctx.workspace.actuals("deals"))
    go_next(qtbot, wizard, 0)                                 # reads the file off-thread
    mapping = wizard.mapping_page
    assert wizard.currentPage() is mapping
    # "Reseller" and "Won On" are not guessed: the user maps them ("Role" is guessed).
    assert not mapping.isComplete()
    assert mapping.missing.text() == "Still to map: Close date"
    mapping.combos["partner"].setCurrentIndex(mapping.combos["partner"].findData("Reseller"))
    mapping.combos["close_date"].setCurrentIndex(
        mapping.combos["close_date"].findData("Won On"))
    mapping.combos["attribution"].setCurrentIndex(
        mapping.combos["attribution"].findData("Role"))
    assert mapping.combos["amount"].currentData() == "Deal Value"
    assert mapping.isComplete() and mapping.missing.text() == ""
    # a new mapping's name is the file's and the day's, not a hash of the headers
    import re

    assert re.fullmatch(r"crm_export\.csv, \d{1,2} [A-Z][a-z]{2} \d{4}", mapping.source.text())
    mapping.source.setText("Salesforce deals")
    go_next(qtbot, wizard, 1)
    go_next(qtbot, wizard, 2)                                 # values, filters, partners
    report = wizard.report_page
    qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
    assert report.errors.rowCount() == 2
    reasons = [report.errors.item(r, 3).text() for r in range(2)]
    assert any("unknown partner 'Nobody Ltd'" in r for r in reasons)
    assert any("'abc' is not an amount" in r for r in reasons)
    assert report.errors.item(0, 0).text() == "3"
    assert not report.isComplete()                      # rejected rows: the user must choose
    report.take_valid.setChecked(True)
    assert report.isComplete()
    assert report.refresh_kpis.isChecked()
    with qtbot.waitSignal(wizard.kpis_refreshed, timeout=20_000) as refreshed, \
            qtbot.waitSignal(wizard.imported, timeout=20_000) as sig:
        wizard.next()
    assert sig.args[0].inserted == 1
    assert refreshed.args[0] > 0                       # the plans' bound KPIs filled in
    assert ctx.undo_stack.count() == 1
    qtbot.waitUntil(lambda: wizard.result_page.isComplete(), timeout=20_000)
    assert "Imported 1 new" in wizard.result_page.status.text()
    assert "KPI actuals" in wizard.result_page.status.text()
    assert len(ctx.workspace.actuals("deals")) == before + 1
    wizard.button(QWizard.WizardButton.FinishButton).click()
    # The mapping was saved: next month's file with these headers maps itself.
    from jbp import importers

    saved = importers.load_mapping(ctx.workspace, "Salesforce deals")
    assert saved is not None and saved.columns["partner"] == "Reseller"


def test_saved_mapping_is_reused_and_detects_kind(qtbot, ctx, tmp_path):
    from jbp import importers
    from ui.import_wizard import ImportWizard

    f = deals_file(tmp_path, "Y-1,Acme Integration,A Co,100,ARR,2026-10-03,sourced\n")
    table = importers.read_table(f)
    mapping = importers.guess_mapping("deals", table.headers)
    mapping.columns.update(partner="Reseller", close_date="Won On", attribution="Role")
    importers.save_mapping(ctx.workspace, importers.mapping_source("deals", table), mapping)
    wizard = ImportWizard(ctx, path=str(f))            # kind: detect
    qtbot.addWidget(wizard)
    wizard.show()
    go_next(qtbot, wizard, 0)
    assert wizard.read["kind"] == "deals" and wizard.read["saved"]
    assert wizard.mapping_page.isComplete()
    go_next(qtbot, wizard, 1)
    go_next(qtbot, wizard, 2)                                 # values, filters, partners
    qtbot.waitUntil(lambda: wizard.report_page.prepared is not None, timeout=20_000)
    assert wizard.report_page.isComplete()               # no rejected rows
    wizard.reject()


def test_a_mapping_saved_under_its_readable_name_maps_next_months_file(qtbot, ctx,
                                                                      tmp_path):
    from jbp import importers
    from ui.import_wizard import read_step

    f = deals_file(tmp_path, "Y-1,Acme Integration,A Co,100,ARR,2026-10-03,sourced\n")
    table = importers.read_table(f)
    mapping = importers.guess_mapping("deals", table.headers)
    mapping.columns.update(partner="Reseller", close_date="Won On", attribution="Role")
    importers.save_mapping(ctx.workspace, "crm_export.csv, 2 Nov 2026", mapping)
    later = tmp_path / "crm_export_2026-11.csv"
    later.write_text(f.read_text())
    read = read_step(later, ctx.workspace.path, "deals", state=workers.Progress())
    assert read["saved"] and read["source"] == "crm_export.csv, 2 Nov 2026"
    assert read["mapping"].columns["partner"] == "Reseller"
    other = tmp_path / "other.csv"
    other.write_text("Reseller,Amount\nAcme Integration,5\n")  # no "Won On": not that one
    read = read_step(other, ctx.workspace.path, "deals", state=workers.Progress())
    assert not read["saved"] and read["source"].startswith("other.csv, ")


def test_bad_file_shows_the_message_and_stays(qtbot, ctx, tmp_path):
    from ui.import_wizard import ImportWizard

    f = tmp_path / "export.csv"
    f.write_bytes(bytes(range(256)) * 4)
    wizard = ImportWizard(ctx, path=str(f), kind="deals")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    qtbot.waitUntil(lambda: "binary file" in wizard.file_page.status.text(), timeout=20_000)
    assert wizard.currentId() == 0
    wizard.reject()


def test_cancel_while_checking(qtbot, ctx, tmp_path):
    from ui.import_wizard import ImportWizard

    rows = "".join(f"Z-{i},Acme Integration,C{i},100,ARR,2026-10-03,sourced\n"
                   for i in range(3000))
    f = deals_file(tmp_path, rows)
    wizard = ImportWizard(ctx, path=str(f), kind="deals")
    qtbot.addWidget(wizard)
    wizard.show()
    go_next(qtbot, wizard, 0)
    m = wizard.mapping_page
    for name, header in (("partner", "Reseller"), ("close_date", "Won On"),
                         ("attribution", "Role")):
        m.combos[name].setCurrentIndex(m.combos[name].findData(header))
    before = len(ctx.workspace.actuals("deals"))
    go_next(qtbot, wizard, 1)
    # Hold the check at its first progress report (the task is announced before its thread
    # runs), so the Cancel button is pressed while it is checking, whatever the machine's speed.
    gate = threading.Event()

    def hold_at_first_report(task):
        forward = task.state.on_report

        def report(fraction, text):
            gate.wait(20)
            forward(fraction, text)
        task.state.on_report = report

    workers.monitor().started.connect(hold_at_first_report)
    try:
        go_next(qtbot, wizard, 2)                             # values, filters, partners
    finally:
        workers.monitor().started.disconnect(hold_at_first_report)
    assert wizard.report_page.busy()
    wizard.report_page.cancel_button.click()
    gate.set()
    finish_tasks()
    qtbot.waitUntil(lambda: not wizard.report_page.busy(), timeout=20_000)
    assert wizard.report_page.prepared is None
    assert "Cancelled; nothing was imported." in wizard.report_page.status.text()
    assert len(ctx.workspace.actuals("deals")) == before
    wizard.reject()


def test_data_page_lists_imports_and_refreshes_kpis(qtbot, ctx, tmp_path):
    from jbp import importers
    from ui.data_page import DataPage

    page = DataPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.show()
    assert page.table.rowCount() == 5                    # the demo's own five exports
    # The coverage is read off the GUI thread ("reading…" until it is there).
    qtbot.waitUntil(lambda: "deals" in page.totals.text(), timeout=20_000)
    f = deals_file(tmp_path, "W-1,Cascade Integrators,A Co,100,ARR,2026-10-03,sourced\n")
    table = importers.read_table(f)
    mapping = importers.guess_mapping("deals", table.headers)
    mapping.columns.update(partner="Reseller", close_date="Won On", attribution="Role")
    importers.run_import(ctx.workspace, f, "deals", mapping=mapping)
    assert page.table.rowCount() == 6                    # the page listened to "actuals"
    assert page.table.item(0, 3).text() == "crm_export.csv"
    qtbot.wait(10)
    table = page.table                                   # still as wide as the page
    assert sum(table.columnWidth(c) for c in range(table.columnCount())) >= \
        table.viewport().width() - 2 >= 1000
    with qtbot.waitSignal(page.kpis_refreshed, timeout=20_000) as sig:
        page.refresh_button.click()
    assert sig.args[0] > 0
    assert ctx.undo_stack.count() == 1
    assert "Updated" in page.status.text()
    with qtbot.waitSignal(page.kpis_refreshed, timeout=20_000) as sig:
        page.refresh_button.click()
    assert sig.args[0] == 0
    ctx.undo_stack.undo()                                # one step takes them all back
    with qtbot.waitSignal(page.kpis_refreshed, timeout=20_000) as sig:
        page.refresh_button.click()
    assert sig.args[0] > 0


def test_data_page_opens_the_wizard(qtbot, ctx):
    from ui.data_page import DataPage

    page = DataPage(ctx)
    qtbot.addWidget(page)
    page.import_button.click()
    assert page.wizard is not None and page.wizard.isVisible()
    page.wizard.reject()


def test_values_step_maps_roles_filters_stages_and_confirms_aliases(qtbot, ctx, tmp_path):
    """The wizard's values step: role texts mapped to sourced/influenced, the Stage filter,
    an unknown partner with its "did you mean" suggestion; the alias is stored on import."""
    from ui.import_wizard import ImportWizard

    f = tmp_path / "sf.csv"
    f.write_text("Opportunity ID,Partner Account,Account Name,Amount,Close Date,Partner Role,"
                 "Stage\n"
                 "O-1,Acme Integration Ltd,Globex,1000,2026-10-03,Reseller (Sourced),Closed Won\n"
                 "O-2,Acme Integration,Initech,2000,2026-10-04,Influencer,Closed Won\n"
                 "O-3,Acme Integration,Hooli,3000,2026-10-05,Influencer,Closed Lost\n",
                 encoding="utf-8")
    wizard = ImportWizard(ctx, path=str(f), kind="deals")
    qtbot.addWidget(wizard)
    wizard.show()
    go_next(qtbot, wizard, 0)
    go_next(qtbot, wizard, 1)
    values = wizard.values_page
    assert wizard.currentPage() is values
    maps = {(f_, t): b.currentData() for f_, t, b in values.value_boxes}
    assert maps[("attribution", "Reseller (Sourced)")] == "sourced"
    assert maps[("attribution", "Influencer")] == "influenced"
    takes = {t: tick.isChecked() for _c, t, tick in values.filter_boxes}
    assert takes == {"Closed Won": True, "Closed Lost": False}
    [(spelled, box)] = values.alias_boxes
    assert spelled == "Acme Integration Ltd"
    assert box.itemData(1) == "Acme Integration"          # the best suggestion first
    box.setCurrentIndex(1)
    go_next(qtbot, wizard, 2)
    report = wizard.report_page
    qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
    assert report.prepared.report.errors == [] and report.prepared.report.filtered == 1
    assert "filter: take rows whose 'Stage' is 'Closed Won'" in report.summary.text()
    with qtbot.waitSignal(wizard.imported, timeout=20_000) as sig:
        wizard.next()
    assert sig.args[0].inserted == 2
    from jbp import importers

    assert "acme integration ltd" in importers.load_aliases(ctx.workspace)


def test_decimal_separator_is_chosen_on_the_mapping_page(qtbot, ctx, tmp_path):
    """12.500 with no other amount telling is asked; choosing the decimal comma settles it."""
    from ui.import_wizard import ImportWizard

    f = tmp_path / "eu.csv"
    f.write_text("Deal ID;Partner;Customer;Amount;Close Date;Sourced or influenced\n"
                 "E-1;Acme Integration;Globex;12.500;2026-10-03;sourced\n", encoding="utf-8")
    wizard = ImportWizard(ctx, path=str(f), kind="deals")
    qtbot.addWidget(wizard)
    wizard.show()
    go_next(qtbot, wizard, 0)
    page = wizard.mapping_page
    assert page.decimal.currentData() == "auto"
    go_next(qtbot, wizard, 1)
    go_next(qtbot, wizard, 2)
    report = wizard.report_page
    qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
    assert "thousands dot" in report.errors.item(0, 3).text()
    wizard.back()
    wizard.back()
    page.decimal.setCurrentIndex(page.decimal.findData(","))
    go_next(qtbot, wizard, 1)
    go_next(qtbot, wizard, 2)
    qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
    assert report.prepared.report.errors == []
    assert report.prepared.records[0][3] == 12500.0
