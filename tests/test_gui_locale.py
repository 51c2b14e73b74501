"""The user's locale in the GUI, driven like a user (issue 19, item 4): in German, typing
"1.234,56" into a money target stores 1234.56, "12,5 %" stores 12.5 %, "31.12.2026" is the
last day of 2026, and what reads two ways is refused at the cell with a message, storing
nothing; English reads as before. With the German translator the menus and page titles are
German; every menu action has a mnemonic, unique in its menu, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from gui_support import cell_text, edit_cell, finish_tasks, no_thread_left, settings  # noqa: F401
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMenu

from jbp.commands import Editor
from ui import i18n, theme
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui

VENDOR = Editor("Dana Whitfield", "vendor")


def make_window(qtbot, settings, demo_path, number_format: str) -> MainWindow:
    settings.setValue(i18n.SETTING, number_format)
    settings.setValue("welcome/seen", True)
    win = MainWindow(settings=settings, ask_identity=False)
    qtbot.addWidget(win)
    win.show()
    win.open_workspace(demo_path)
    finish_tasks()
    win.ctx.set_editor(VENDOR)
    win.show_page("Plans")
    return win


@pytest.fixture
def german(qtbot, settings, demo_path):
    win = make_window(qtbot, settings, demo_path, "de")
    yield win
    win.ctx.discard_pending()
    win.close()
    i18n.reset()


@pytest.fixture
def english(qtbot, settings, demo_path):
    win = make_window(qtbot, settings, demo_path, "en")
    yield win
    win.ctx.discard_pending()
    win.close()
    i18n.reset()


def kpis_of(window):
    """The Goals & KPIs tab of Ironclad Security's 2026 plan (a Draft), and the rows of its
    first currency KPI and its percent KPI."""
    ws = window.ctx.workspace
    pid = ws.partner_by_name("Ironclad Security").id
    plan_id = next(p.id for p in ws.plans(pid) if p.fiscal_year == 2026)
    assert window.plans().select_plan(plan_id)
    editor = window.plans().editor
    editor.show_tab("Goals & KPIs")
    model = editor.kpi_model
    units = [model.element(r).unit for r in range(model.rowCount())]
    return editor, units.index("currency"), units.index("percent")


def stored(window, kpi_id: int, field: str):
    return getattr(window.ctx.workspace.element("kpi", kpi_id), field)


def test_german_money_and_percent_typed_in_german_forms_store_what_was_meant(qtbot, german):
    assert i18n.number_style().name == "German"
    editor, money_row, percent_row = kpis_of(german)
    money = editor.kpi_model.element(money_row)
    edit_cell(qtbot, editor.kpis, money_row, "target_q1", "1.234,56")
    assert stored(german, money.id, "target_q1") == pytest.approx(1234.56)
    assert cell_text(editor.kpis, money_row, "target_q1") == "1.235"  # shown in German
    edit_cell(qtbot, editor.kpis, money_row, "target_q2", "98765,4")
    assert stored(german, money.id, "target_q2") == pytest.approx(98765.4)
    edit_cell(qtbot, editor.kpis, money_row, "actual_q1", "1234,56")
    assert stored(german, money.id, "actual_q1") == pytest.approx(1234.56)
    # the international form, which German cannot read another way
    edit_cell(qtbot, editor.kpis, money_row, "target_q3", "2,500.75")
    assert stored(german, money.id, "target_q3") == pytest.approx(2500.75)

    rate = editor.kpi_model.element(percent_row)
    edit_cell(qtbot, editor.kpis, percent_row, "target_q1", "12,5 %")
    assert stored(german, rate.id, "target_q1") == pytest.approx(0.125)
    assert cell_text(editor.kpis, percent_row, "target_q1") == "12,5%"
    assert editor.kpis.refused_message() in ("", None)


def test_the_cell_editor_starts_from_the_value_in_german(qtbot, german):
    editor, money_row, _ = kpis_of(german)
    edit_cell(qtbot, editor.kpis, money_row, "target_q4", "4321,5")
    index = editor.kpi_model.index(money_row, editor.kpi_model.column_of("target_q4"))
    editor.kpis.view.setCurrentIndex(index)
    editor.kpis.view.edit(index)
    cell = editor.kpis.delegate.open_editor
    assert isinstance(cell, QLineEdit)
    # the stored value (not the rounded one shown), in German
    assert cell.text() == "4321,5"
    german.ctx.discard_pending()


def test_what_reads_two_ways_is_refused_at_the_cell_and_nothing_is_stored(qtbot, german):
    editor, money_row, _ = kpis_of(german)
    money = editor.kpi_model.element(money_row)
    before = stored(german, money.id, "target_q2")
    edit_cell(qtbot, editor.kpis, money_row, "target_q2", "1.234")
    assert stored(german, money.id, "target_q2") == before
    message = editor.kpis.refused_message()
    assert message.startswith("KPI Target Q2: “1.234” reads two ways: 1234 (German: a point "
                              "groups thousands) or 1,234 (international: a point marks "
                              "decimals). Nothing was stored; type 1234 or 1,2340")
    index = editor.kpi_model.index(money_row, editor.kpi_model.column_of("target_q2"))
    assert index.data(Qt.ItemDataRole.ToolTipRole) == message
    assert index.data(Qt.ItemDataRole.BackgroundRole) == theme.brush(theme.current().error_bg)
    assert german.statusBar().currentMessage() == message
    # typed as the message says, it is stored and the cell's message goes
    edit_cell(qtbot, editor.kpis, money_row, "target_q2", "1234")
    assert stored(german, money.id, "target_q2") == 1234
    assert index.data(Qt.ItemDataRole.BackgroundRole) != theme.brush(theme.current().error_bg)


def test_a_german_date_is_accepted_and_another_form_refused_with_the_expected_one(qtbot,
                                                                                    german):
    editor, _, _ = kpis_of(german)
    editor.show_tab("Initiatives")
    ws = german.ctx.workspace
    init = editor.initiative_model.element(0)
    edit_cell(qtbot, editor.initiatives, 0, "end_date", "31.12.2026")
    assert ws.element("initiative", init.id).end_date == dt.date(2026, 12, 31)
    assert cell_text(editor.initiatives, 0, "end_date") == "31.12.2026"
    edit_cell(qtbot, editor.initiatives, 0, "end_date", "2026-11-30")  # ISO too
    assert ws.element("initiative", init.id).end_date == dt.date(2026, 11, 30)
    edit_cell(qtbot, editor.initiatives, 0, "end_date", "11/30/2026")
    assert ws.element("initiative", init.id).end_date == dt.date(2026, 11, 30)
    assert editor.initiatives.refused_message() == (
        "Initiative End: “11/30/2026” is not a date; type 31.12.2026 or 2026-12-31")


def test_english_reads_as_before_and_refuses_a_german_decimal(qtbot, english):
    editor, money_row, _ = kpis_of(english)
    money = editor.kpi_model.element(money_row)
    edit_cell(qtbot, editor.kpis, money_row, "target_q1", "1,234.56")
    assert stored(english, money.id, "target_q1") == pytest.approx(1234.56)
    assert cell_text(editor.kpis, money_row, "target_q1") == "1,235"
    edit_cell(qtbot, editor.kpis, money_row, "target_q1", "1234,56")  # once 123456
    assert stored(english, money.id, "target_q1") == pytest.approx(1234.56)
    assert "a comma only groups thousands" in editor.kpis.refused_message()
    editor.show_tab("Initiatives")
    init = editor.initiative_model.element(0)
    edit_cell(qtbot, editor.initiatives, 0, "end_date", "2026-12-31")
    assert english.ctx.workspace.element("initiative", init.id).end_date == \
        dt.date(2026, 12, 31)
    assert cell_text(editor.initiatives, 0, "end_date") == "2026-12-31"


def menu_texts(window) -> dict[str, list[str]]:
    """Every menu's action texts (submenus included), by the menu's title."""
    out: dict[str, list[str]] = {}

    def walk(menu: QMenu) -> None:
        out[menu.title()] = [a.text() for a in menu.actions() if not a.isSeparator()]
        for a in menu.actions():
            if a.menu() is not None:
                walk(a.menu())

    out["menu bar"] = [a.text() for a in window.menuBar().actions()]
    for a in window.menuBar().actions():
        walk(a.menu())
    return out


def mnemonic(text: str) -> str:
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else ""


@pytest.mark.parametrize("number_format", ["en", "de"])
def test_every_menu_action_has_a_mnemonic_unique_in_its_menu(qtbot, settings, demo_path,
                                                            number_format):
    win = make_window(qtbot, settings, demo_path, number_format)
    try:
        menus = menu_texts(win)
        assert len(menus) >= 7 and sum(len(t) for t in menus.values()) >= 35
        for title, texts in menus.items():
            keys = [mnemonic(t) for t in texts]
            assert all(keys), (title, [t for t in texts if not mnemonic(t)])
            assert len(set(keys)) == len(keys), (title, texts)
    finally:
        win.close()
        i18n.reset()


def test_the_german_translation_names_the_menus_and_pages(german):
    menus = menu_texts(german)
    assert menus["menu bar"] == ["&Datei", "&Bearbeiten", "&Plan", "&Ansicht", "&Hilfe"]
    assert "&Beenden" in menus["&Datei"]
    assert "&Zahlenformat" in menus["&Ansicht"]
    assert [german.nav.item(i).text() for i in range(german.nav.count())] == [
        "Portfolio", "Pläne", "Szenario-Labor", "Programm", "Partner", "Daten"]
    # the pages keep their keys in code
    assert "Scenario Lab" in german.pages


def test_the_number_format_is_a_setting_that_applies_from_the_next_start(qtbot, english,
                                                                          settings):
    action = english.findChild(type(english.undo_action), "action_number_format_de")
    assert action is not None and not action.isChecked()
    action.trigger()
    assert settings.value(i18n.SETTING) == "de"
    assert "next" in english.statusBar().currentMessage()


def test_program_settings_and_costs_are_typed_in_german(qtbot, german):
    german.show_page("Program")
    page = german.pages["Program"]
    ws = german.ctx.workspace
    weight = page.editors["influence_weight"]
    weight.setFocus()
    weight.selectAll()
    qtbot.keyClicks(weight, "12,5 %")
    qtbot.keyClick(weight, Qt.Key.Key_Return)
    assert ws.program().influence_weight == pytest.approx(0.125)
    assert weight.text() == "12,5%"
    cac = page.editors["direct_cac"]
    cac.setFocus()
    cac.selectAll()
    qtbot.keyClicks(cac, "1.234,5")
    qtbot.keyClick(cac, Qt.Key.Key_Return)
    assert ws.program().direct_cac == pytest.approx(1234.5)
    before = ws.program().direct_cac
    cac.selectAll()
    qtbot.keyClicks(cac, "2.500")
    qtbot.keyClick(cac, Qt.Key.Key_Return)
    assert ws.program().direct_cac == before
    assert "reads two ways" in page.settings_error.text()


def test_the_scenario_labs_tier_cells_read_german(qtbot):
    from jbp.demo import PROGRAM
    from jbp.formatting import GERMAN
    from ui.scenario_lab.models import TierTableModel

    i18n.set_number_style(GERMAN)
    try:
        model = TierTableModel()
        tiers = PROGRAM.tiers_by_rank()
        model.set_tiers(tiers, None)
        edits, refusals = [], []
        model.edit_requested.connect(lambda path, value: edits.append((path, value)))
        model.refused.connect(lambda path, message: refusals.append(message))
        row = next(r for r, t in enumerate(model.tiers) if t.min_sourced_revenue >= 1000)
        col = model.column_of("min_sourced_revenue")
        index = model.index(row, col)
        shown = index.data(Qt.ItemDataRole.EditRole)
        assert "," not in shown  # German, and without a group that would read two ways
        assert model.setData(index, "1.234.567,5")
        assert edits[-1][1] == pytest.approx(1234567.5)
        assert not model.setData(index, "1.234")
        assert "reads two ways" in refusals[-1]
        margin = model.index(row, model.column_of("margin"))
        assert margin.data() == f"{model.tiers[row].margin * 100:.1f}%".replace(".", ",")
    finally:
        i18n.reset()
