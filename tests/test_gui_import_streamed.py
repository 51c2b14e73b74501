"""The import wizard takes a CSV larger than one chunk chunk by chunk (jbp.importers.two_pass):
it shows only the file's head, checks every row without writing, then imports in a second
pass, storing what a one-piece import of the same file stores. The chunk size is lowered
through its module constant (configuration: the same code runs, with chunks of 40 rows)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_support import finish_tasks, no_thread_left  # noqa: F401
from test_import_chunked import CHUNK, _imports, _logins, _stored, _ws

from jbp import importers as imp
from jbp.importers import chunked

pytestmark = pytest.mark.gui


@pytest.fixture
def large(tmp_path, monkeypatch):
    """A logins CSV of 300 rows, large for chunks of CHUNK rows, with a bad row (row 50)
    in its second chunk, and a context on a fresh workspace of its partners."""
    from ui.context import AppContext

    f = tmp_path / "logins.csv"
    f.write_text(_logins(300, bad_at=CHUNK + 5, dup_of=10))
    monkeypatch.setattr(chunked, "STREAM_ROWS", CHUNK)
    assert imp.is_large_csv(f)
    ctx = AppContext()
    ctx.set_workspace(_ws(tmp_path, "wizard"))
    yield f, ctx
    finish_tasks()
    ctx.set_workspace(None)


def one_piece(tmp_path, monkeypatch, f: Path):
    """The report and stored rows of the same file imported in one piece (run_import)."""
    monkeypatch.setattr(chunked, "STREAM_ROWS", 10**9)
    ws = _ws(tmp_path, "one_piece")
    try:
        report, result = imp.run_import(ws, f, "logins", allow_rejected=True,
                                        source="Portal logins")
        return report, result, _stored(ws, "logins"), _imports(ws)
    finally:
        ws.close()
        monkeypatch.setattr(chunked, "STREAM_ROWS", CHUNK)


def go_next(qtbot, wizard, page_id_before: int) -> None:
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() != page_id_before, timeout=20_000)


def to_values(qtbot, wizard, source: str = "Portal logins"):
    """read → mapping → values, as a user clicks Next; the values page (of a file's head)."""
    wizard.show()
    go_next(qtbot, wizard, 0)
    mapping = wizard.mapping_page
    assert wizard.currentPage() is mapping and mapping.isComplete()
    mapping.source.setText(source)
    go_next(qtbot, wizard, 1)
    assert wizard.values_page.head_note.isVisibleTo(wizard.values_page)
    return wizard.values_page


def to_report(qtbot, wizard):
    """read → mapping → values → report, as a user clicks Next; the report page once its
    check has ended."""
    to_values(qtbot, wizard)
    go_next(qtbot, wizard, 2)
    report = wizard.report_page
    qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
    return report


def test_wizard_streams_a_large_csv_as_one_piece_imports_it(qtbot, large, tmp_path,
                                                            monkeypatch):
    from ui.import_wizard import ImportWizard

    f, ctx = large
    real, whole_reads = imp.read_table, []
    monkeypatch.setattr(imp, "read_table", lambda *a, **k: whole_reads.append(a) or real(
        *a, **k))  # counts the wizard's whole-file reads
    wizard = ImportWizard(ctx, path=str(f), kind="logins")
    qtbot.addWidget(wizard)
    report = to_report(qtbot, wizard)
    # Only the head was read as a table: the pages show its rows and say the file is large.
    read = wizard.read
    assert whole_reads == []
    assert read["large"] == {"rows_about": read["large"]["rows_about"], "head_rows": CHUNK}
    assert len(read["table"].frame) == CHUNK and read["table"].rows[-1] == CHUNK + 4
    assert "about" in wizard.mapping_page.note.text() and "first" in (
        wizard.mapping_page.note.text())
    whole_report, whole_result, whole_rows, whole_imports = one_piece(tmp_path, monkeypatch, f)
    # The check read every row: the same counts and rejections (row 50, the 2nd chunk).
    got = report.prepared.report
    assert (got.rows, got.new, got.changed, got.duplicates, got.in_file_duplicates,
            got.filtered, got.rejected) == (
        whole_report.rows, whole_report.new, whole_report.changed, whole_report.duplicates,
        whole_report.in_file_duplicates, whole_report.filtered, whole_report.rejected)
    assert got.errors == whole_report.errors and got.notes == whole_report.notes
    assert [report.errors.item(r, 0).text() for r in range(report.errors.rowCount())] == [
        "50", "50"]
    assert f"<b>{whole_report.rows:,}</b> rows" in report.summary.text()
    assert _stored(ctx.workspace, "logins") == []  # the check wrote nothing
    assert not report.isComplete()
    report.take_valid.setChecked(True)
    report.refresh_kpis.setChecked(False)
    with qtbot.waitSignal(wizard.imported, timeout=20_000) as sig:
        wizard.next()
    result = sig.args[0]
    assert (result.inserted, result.updated, result.duplicates, result.rejected) == (
        whole_result.inserted, whole_result.updated, whole_result.duplicates,
        whole_result.rejected)
    ws = ctx.workspace
    assert _stored(ws, "logins") == whole_rows
    assert [i[1:] for i in _imports(ws)] == [i[1:] for i in whole_imports]
    qtbot.waitUntil(wizard.result_page.isComplete, timeout=20_000)
    assert "Imported" in wizard.result_page.status.text()


def test_cancel_during_a_streamed_import_leaves_nothing(qtbot, large, monkeypatch):
    import ui.import_wizard as wiz_module
    from ui.import_wizard import ImportWizard

    f, ctx = large
    real = wiz_module.import_streamed
    written: list[float] = []

    def cancel_after_a_chunk(*args, state, **kw):
        """The real import; the user presses Cancel once a chunk is written (the worker's
        own report of it, not a timer)."""
        forward = state.on_report

        def report(fraction, text):
            forward(fraction, text)
            if fraction > 0.05:  # a chunk was checked and written
                written.append(fraction)
                wizard.result_page.task.cancel()

        state.on_report = report
        return real(*args, state=state, **kw)

    monkeypatch.setattr(wiz_module, "import_streamed", cancel_after_a_chunk)
    wizard = ImportWizard(ctx, path=str(f), kind="logins")
    qtbot.addWidget(wizard)
    report = to_report(qtbot, wizard)
    report.take_valid.setChecked(True)
    wizard.next()
    page = wizard.result_page
    qtbot.waitUntil(lambda: not page.busy(), timeout=20_000)
    assert written and page.result is None
    assert "Cancelled; nothing was imported" in page.status.text()
    assert _stored(ctx.workspace, "logins") == []
    assert _imports(ctx.workspace) == []


def test_a_file_changed_after_its_check_imports_nothing(qtbot, large):
    from ui.import_wizard import ImportWizard

    f, ctx = large
    wizard = ImportWizard(ctx, path=str(f), kind="logins")
    qtbot.addWidget(wizard)
    report = to_report(qtbot, wizard)
    report.take_valid.setChecked(True)
    # Between the check and the import, the export is replaced: a bad row in chunk 5.
    f.write_text(_logins(300, bad_at=4 * CHUNK + 3, dup_of=10))
    wizard.next()
    page = wizard.result_page
    qtbot.waitUntil(lambda: not page.busy(), timeout=20_000)
    assert page.result is None
    text = page.status.text()
    assert "changed since it was checked" in text and "nothing was imported" in text
    assert "169" in text  # the row the first check did not reject
    assert _stored(ctx.workspace, "logins") == [] and _imports(ctx.workspace) == []


def test_a_small_csv_is_read_whole_as_before(qtbot, tmp_path, monkeypatch):
    from ui.context import AppContext
    from ui.import_wizard import ImportWizard

    f = tmp_path / "logins.csv"
    f.write_text(_logins(30))
    ctx = AppContext()
    ctx.set_workspace(_ws(tmp_path, "small"))
    try:
        wizard = ImportWizard(ctx, path=str(f), kind="logins")
        qtbot.addWidget(wizard)
        wizard.show()
        go_next(qtbot, wizard, 0)
        assert wizard.read["large"] is None and len(wizard.read["table"].frame) == 30
        assert "about" not in wizard.mapping_page.note.text()
    finally:
        finish_tasks()
        ctx.set_workspace(None)


def test_a_streamed_import_checks_the_extract_date_and_refreshes_kpis(qtbot, large):
    import datetime as dt

    from PySide6.QtCore import QDate

    from ui.import_wizard import ImportWizard

    f, ctx = large
    for day, ok in ((dt.date(2026, 1, 5), False), (dt.date(2026, 11, 1), True)):
        wizard = ImportWizard(ctx, path=str(f), kind="logins")
        qtbot.addWidget(wizard)
        report = to_report(qtbot, wizard)
        report.take_valid.setChecked(True)
        report.extract_given.setChecked(True)
        report.extract_date.setDate(QDate(day.year, day.month, day.day))
        if not ok:  # before the file's last login: refused before anything is kept
            wizard.next()
            page = wizard.result_page
            qtbot.waitUntil(lambda p=page: not p.busy(), timeout=20_000)
            assert page.result is None and "is before the last date" in page.status.text()
            assert _stored(ctx.workspace, "logins") == [] and _imports(ctx.workspace) == []
            wizard.reject()
            continue
        with qtbot.waitSignal(wizard.kpis_refreshed, timeout=20_000):
            wizard.next()
        qtbot.waitUntil(wizard.result_page.isComplete, timeout=20_000)
        assert ctx.workspace.rows("SELECT extract_date FROM imports")[0][0] == day.isoformat()
        assert len(_stored(ctx.workspace, "logins")) == 299


def test_a_value_first_seen_past_the_head_can_be_mapped_after_the_check(qtbot, tmp_path,
                                                                        monkeypatch):
    """A deals export whose role "Referral Partner" and partner "Cobalt" first appear past
    the head: the check rejects those rows and says so, the values step then lists them with
    their rows over the whole file, and once mapped the file checks clean."""
    from test_import_chunked import DEALS

    from ui.context import AppContext
    from ui.import_wizard import ImportWizard

    lines = []
    for i in range(200):
        role = "Reseller (Sourced)" if i % 2 else "Influenced"
        partner = "Acme"
        if i >= 3 * CHUNK:
            role = "Referral Partner" if i % 2 else role
            partner = "Cobalt Limited" if i % 4 == 0 else partner
        lines.append(f"D{i},{partner},Cust {i},{1000 + i},ARR,2026-05-01,2026-05-01,{role},"
                     "Closed Won")
    f = tmp_path / "deals.csv"
    f.write_text(DEALS + "\n".join(lines) + "\n")
    monkeypatch.setattr(chunked, "STREAM_ROWS", CHUNK)
    ctx = AppContext()
    ctx.set_workspace(_ws(tmp_path, "later_values"))
    try:
        wizard = ImportWizard(ctx, path=str(f), kind="deals")
        qtbot.addWidget(wizard)
        values = to_values(qtbot, wizard, "CRM deals")
        assert "Referral Partner" not in [t for _f, t, _b in values.value_boxes]
        go_next(qtbot, wizard, 2)
        report = wizard.report_page
        qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
        first = report.prepared.report
        assert first.rejected == 40 + 20  # 40 referral rows, 20 Cobalt Limited rows
        text = report.summary.text()
        assert "“Referral Partner” (Role, 40 rows)" in text
        assert "“Cobalt Limited” (Partner, 20 rows)" in text and "Back" in text
        wizard.back()
        assert wizard.currentPage() is values
        assert "every row" in values.head_note.text()
        boxes = {t: b for _f, t, b in values.value_boxes}
        rows = {values.values.item(r, 1).text(): values.values.item(r, 2).text()
                for r in range(values.values.rowCount())}
        assert rows["Referral Partner"] == "40" and rows["Influenced"] == "100"
        assert boxes["Reseller (Sourced)"].currentData() == "sourced"  # kept
        boxes["Referral Partner"].setCurrentIndex(boxes["Referral Partner"].findData("sourced"))
        aliases = dict(values.alias_boxes)
        assert "Cobalt Limited" in aliases
        aliases["Cobalt Limited"].setCurrentIndex(aliases["Cobalt Limited"].findData(
            "Cobalt Ltd"))
        go_next(qtbot, wizard, 2)
        qtbot.waitUntil(lambda: report.prepared is not None, timeout=20_000)
        again = report.prepared.report
        assert again.rejected == 0 and again.new == 200
        assert "first seen past" not in report.summary.text()
        with qtbot.waitSignal(wizard.imported, timeout=20_000) as sig:
            wizard.next()
        assert sig.args[0].inserted == 200
    finally:
        finish_tasks()
        ctx.set_workspace(None)
