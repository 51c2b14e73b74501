"""Exports shaped as real tools write them (tests/data/exports/), imported through the CLI.

Each file's expected totals are computed here with the csv module and plain arithmetic from
the file's own text, not by the importers. The cases of issue 13 each have a test below.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from jbp import importers as imp
from jbp.demo import PROGRAM
from jbp.model import Partner
from jbp.store import Workspace
from ui.cli import main as cli

EXPORTS = Path(__file__).parent / "data" / "exports"
PARTNERS = ["Acme Cloud Partners", "Bluepeak Systems", "Northwind Integration",
            "Contoso Consulting"]


@pytest.fixture
def ws_path(tmp_path):
    path = tmp_path / "corpus.jbp"
    ws = Workspace.create(path, PROGRAM)
    for name in PARTNERS:
        ws.add_partner(Partner(name=name, type="Reseller", region="EMEA",
                               signup_date=dt.date(2024, 3, 1)))
    ws.close()
    return path


def rows_of(name: str, encoding: str = "utf-8-sig", delimiter: str = ",", skip: int = 0):
    with open(EXPORTS / name, encoding=encoding, newline="") as fh:
        lines = fh.read().splitlines()[skip:]
    return list(csv.DictReader(lines, delimiter=delimiter))


def stored(path: Path, sql: str):
    with Workspace.open(path) as ws:
        return [tuple(r) for r in ws.rows(sql)]


def import_(ws_path, name, kind, *extra):
    return cli(["import", str(ws_path), str(EXPORTS / name), "--kind", kind, *extra])


def by_partner_and_attribution(path: Path) -> dict:
    return {(p, a): round(v, 2) for p, a, v in stored(
        path, "SELECT p.name, d.attribution, SUM(d.amount) FROM deals d JOIN partners p "
              "ON p.id = d.partner_id GROUP BY 1, 2")}


def assumed(out: str) -> str:
    assert out.startswith("Assumed:"), out[:200]
    return out.split("\n", 1)[1]


# --------------------------------------------------------------------------- the corpus


def test_salesforce_printable_report(ws_path, capsys):
    """Salesforce report export: title and filter lines above the table, Grand Totals and a
    copyright footer below, US dates with one impossible date, "USD 48,000.00" amounts,
    Partner Role text, Stage to filter on."""
    rows = [r for r in rows_of("salesforce_opportunities_report.csv", skip=6)
            if r.get("Stage")]
    expected: dict = {}
    for r in rows:
        if r["Stage"] != "Closed Won" or r["Close Date"] == "13/45/2026":
            continue
        side = "sourced" if "Sourced" in r["Partner Role"] else "influenced"
        key = (r["Partner Account"], side)
        expected[key] = round(expected.get(key, 0) + float(r["Amount"][4:].replace(",", "")), 2)
    assert import_(ws_path, "salesforce_opportunities_report.csv", "deals", "--dry-run") == 1
    out = capsys.readouterr().out
    head = assumed(out)
    for said in ("encoding: utf-8 with a byte-order mark", "delimiter: comma",
                 "decimal separator of 'Amount': 1,234.56", "'Close Date': MM/DD/YYYY",
                 "mapping: guessed", "'reseller (sourced)' → sourced",
                 "'influencer' → influenced", "filter: take rows whose 'Stage' is 'Closed Won'",
                 "aliases: none used"):
        assert said in head
    assert "6 report lines above it left out" in out and "'Grand Totals (26 records)'" in out
    assert "filtered out: 4 rows with Stage = Closed Lost" in out
    assert "'13/45/2026' is not a valid date (expected MM/DD/YYYY)" in out
    assert import_(ws_path, "salesforce_opportunities_report.csv", "deals", "--skip-bad") == 0
    assert by_partner_and_attribution(ws_path) == expected
    # Month-first: no stored date has day and month swapped.
    closes = {r["Opportunity ID"]: r["Close Date"] for r in rows}
    for ext, day in stored(ws_path, "SELECT ext_id, close_date FROM deals"):
        m, d, y = closes[ext].split("/")
        assert day == f"{y}-{int(m):02d}-{int(d):02d}"


def test_hubspot_deals_export(ws_path, capsys):
    """HubSpot: Close Date with a time, Deal Stage ("Closed Won", "Contract Sent"), a
    custom Partner Involvement property, Deal Type values that are no ARR/one-off."""
    rows = rows_of("hubspot_deals_export.csv")
    won = [r for r in rows if r["Deal Stage"] == "Closed Won"]
    assert import_(ws_path, "hubspot_deals_export.csv", "deals", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "filter: take rows whose 'Deal Stage' is 'Closed Won'" in assumed(out)
    assert "encoding: utf-8\n" in out and "'Close Date': YYYY-MM-DD" in out
    assert import_(ws_path, "hubspot_deals_export.csv", "deals") == 0
    total = stored(ws_path, "SELECT COUNT(*), SUM(amount) FROM deals")[0]
    assert total == (len(won), pytest.approx(sum(float(r["Amount"]) for r in won)))
    sourced = sum(float(r["Amount"]) for r in won if r["Partner Involvement"] == "Sourced")
    assert stored(ws_path, "SELECT SUM(amount) FROM deals WHERE attribution = 'sourced'"
                  )[0][0] == pytest.approx(sourced)


def test_dynamics365_export_with_one_saved_mapping(ws_path, tmp_path, capsys):
    """Dynamics 365 (European locale): semicolons, BOM, CRLF, day-first dates, decimal
    comma, "(Do Not Modify)" id columns, Status/Status Reason. The user writes one mapping
    file naming the id column; the rest is guessed as before."""
    rows = rows_of("dynamics365_opportunities.csv", delimiter=";")
    won = [r for r in rows if r["Status"] == "Won"]
    total = sum(float(r["Actual Revenue"].replace(".", "").replace(",", ".")) for r in won)
    mapping = tmp_path / "dynamics.json"
    mapping.write_text(json.dumps({
        "kind": "deals",
        "columns": {"ext_id": "(Do Not Modify) Opportunity", "partner": "Partner",
                    "customer": "Potential Customer", "amount": "Actual Revenue",
                    "close_date": "Actual Close Date", "attribution": "Partner Role",
                    "currency": "Currency"},
        "date_format": "%d/%m/%Y", "decimal": ",",
        "filters": [{"column": "Status", "keep": ["Won"]}]}), encoding="utf-8")
    args = ("--mapping", str(mapping))
    assert import_(ws_path, "dynamics365_opportunities.csv", "deals", "--dry-run", *args) == 0
    head = assumed(capsys.readouterr().out)
    assert "mapping: the mapping file dynamics.json" in head
    assert "decimal separator of 'Actual Revenue': 1.234,56 (decimal comma) (as the mapping" \
        in head
    assert "delimiter: semicolon" in head and "byte-order mark" in head
    assert import_(ws_path, "dynamics365_opportunities.csv", "deals", *args) == 0
    assert stored(ws_path, "SELECT COUNT(*), ROUND(SUM(amount), 2) FROM deals")[0] == (
        len(won), round(total, 2))
    # Next month the saved mapping is used; guessed, the file shows its decimal comma and
    # day-first dates by itself.
    # (exit 1: a dry run says what the run would do, and every row was imported before)
    assert import_(ws_path, "dynamics365_opportunities.csv", "deals", "--dry-run") == 1
    assert "mapping: the mapping saved in the workspace as 'deals:" in capsys.readouterr().out
    with Workspace.open(ws_path) as ws:
        table = imp.read_table(EXPORTS / "dynamics365_opportunities.csv")
        report = imp.prepare(ws, table, imp.guess_mapping("deals", table.headers)).report
    said = "\n".join(report.assumed)
    assert "1.234,56 (decimal comma) (detected" in said and "DD/MM/YYYY (detected" in said


def test_partnerstack_registrations_with_aliases(ws_path, tmp_path, capsys):
    """PartnerStack deals export: partner companies spelled as the PRM has them, ISO
    timestamps with Z, blank amounts, open/won/lost/pending statuses."""
    rows = rows_of("partnerstack_deals_export.csv")
    assert import_(ws_path, "partnerstack_deals_export.csv", "registrations") == 1
    out = capsys.readouterr().out
    assert ("unknown partner 'ACME Cloud Partners Inc.' (not a partner name, id or alias in "
            "this workspace); did you mean 'Acme Cloud Partners'?") in out
    mapping = tmp_path / "partnerstack.json"
    mapping.write_text(json.dumps({
        "ext_id": "Deal Key", "partner": "Partner Company", "reg_date": "Created At",
        "value": "Amount", "status": "Status",
        "aliases": {"ACME Cloud Partners Inc.": "Acme Cloud Partners",
                    "Northwind Integration Ltd": "Northwind Integration"}}), encoding="utf-8")
    assert import_(ws_path, "partnerstack_deals_export.csv", "registrations",
                   "--mapping", str(mapping)) == 0
    out = capsys.readouterr().out
    assert "alias: 'acme cloud partners inc.' → Acme Cloud Partners (given with this import)" \
        in out
    expected = {"open": "approved", "won": "won", "lost": "lost", "pending": "pending"}
    got = dict(stored(ws_path, "SELECT status, COUNT(*) FROM registrations GROUP BY 1"))
    want: dict = {}
    for r in rows:
        want[expected[r["Status"]]] = want.get(expected[r["Status"]], 0) + 1
    assert got == want
    assert stored(ws_path, "SELECT SUM(value) FROM registrations")[0][0] == sum(
        float(r["Amount"]) for r in rows if r["Amount"])
    # The aliases were stored: next month's file matches with the guessed mapping alone.
    with Workspace.open(ws_path) as ws:
        assert imp.load_aliases(ws)["northwind integration ltd"] == ws.partner_by_name(
            "Northwind Integration").id


def test_docebo_course_report(ws_path, capsys):
    """Docebo "Users - Courses" report: Company as the partner, Status Completed / In
    Progress / Not Started (only completions count), timestamps, CRLF."""
    rows = rows_of("docebo_course_report.csv")
    done = [r for r in rows if r["Status"] == "Completed"]
    assert import_(ws_path, "docebo_course_report.csv", "certifications") == 0
    out = capsys.readouterr().out
    assert "Partner ← 'Company'" in out
    in_progress = sum(r["Status"] == "In Progress" for r in rows)
    assert f"filtered out: {in_progress} rows with Status = In Progress" in out
    per_partner = dict(stored(ws_path, "SELECT p.name, COUNT(*) FROM certifications c JOIN "
                                       "partners p ON p.id = c.partner_id GROUP BY 1"))
    want: dict = {}
    for r in done:
        want[r["Company"]] = want.get(r["Company"], 0) + 1
    assert per_partner == want


def test_prm_login_log_semicolon_cp1252(ws_path, capsys):
    """A PRM portal login log: Windows-1252, semicolons, DD.MM.YYYY HH:MM, decimal commas in
    an extra column, Account Name as the partner."""
    rows = rows_of("prm_portal_logins.csv", encoding="cp1252", delimiter=";")
    assert import_(ws_path, "prm_portal_logins.csv", "logins", "--dry-run") == 0
    head = assumed(capsys.readouterr().out)
    assert "encoding: cp1252" in head and "delimiter: semicolon" in head
    assert "'Login Date': DD.MM.YYYY" in head and "Partner ← 'Account Name'" in head
    assert import_(ws_path, "prm_portal_logins.csv", "logins") == 0
    first = rows[0]["Login Date"].split()[0].split(".")
    assert stored(ws_path, "SELECT COUNT(*), MIN(login_date) FROM logins")[0] == (
        len(rows), f"{first[2]}-{first[1]}-{first[0]}")


def test_csv_and_its_libreoffice_xlsx_count_once(ws_path, capsys):
    """A LibreOffice conversion keeps the byte-order mark inside the first header ("ï»¿Deal
    ID"): the id is still found, so the same deals count once; a changed amount under a
    known id updates the record."""
    rows = rows_of("crm_closed_deals.csv")
    assert import_(ws_path, "crm_closed_deals.csv", "deals") == 0
    capsys.readouterr()
    assert import_(ws_path, "crm_closed_deals_libreoffice.xlsx", "deals") == 1  # nothing new
    assert "22 imported before" in capsys.readouterr().err
    assert stored(ws_path, "SELECT COUNT(*), SUM(amount) FROM deals")[0] == (
        len(rows), sum(float(r["Amount"]) for r in rows))


# --------------------------------------------------------------------------- the cases


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_us_dates_with_an_impossible_date_are_never_swapped(ws_path, tmp_path, capsys):
    lines = ["Deal ID,Partner,Customer,Amount,Close Date,Partner Role"]
    lines += [f"D{i},Bluepeak Systems,C{i},100,03/{10 + i}/2026,Sourced" for i in range(10)]
    lines += ["D99,Bluepeak Systems,C99,100,13/45/2026,Sourced",
              "D98,Bluepeak Systems,C98,100,04/05/2026,Sourced"]
    f = write(tmp_path / "us.csv", "\n".join(lines) + "\n")
    assert import_(ws_path, f, "deals", "--skip-bad") == 0
    days = dict(stored(ws_path, "SELECT ext_id, close_date FROM deals"))
    assert "D99" not in days and days["D98"] == "2026-04-05" and days["D3"] == "2026-03-13"


def test_a_column_that_fits_both_ways_is_asked(ws_path, tmp_path, capsys):
    f = write(tmp_path / "amb.csv", "Partner,User,Login Date\nBluepeak Systems,a,03/04/2026\n")
    assert import_(ws_path, f, "logins") == 2
    assert "could be day/month or month/day" in capsys.readouterr().err


def test_mapping_naming_a_missing_column_is_an_error(ws_path, tmp_path, capsys):
    f = EXPORTS / "crm_closed_deals_libreoffice.xlsx"
    mapping = write(tmp_path / "m.json", json.dumps({
        "ext_id": "Opportunity ID", "partner": "Partner", "customer": "Customer",
        "amount": "Amount", "close_date": "Close Date",
        "attribution": "Sourced or Influenced"}))
    assert cli(["import", str(ws_path), str(f), "--kind", "deals", "--mapping",
                str(mapping)]) == 2
    err = capsys.readouterr().err
    assert "m.json" in err and "Deal ID → 'Opportunity ID'" in err
    assert stored(ws_path, "SELECT COUNT(*) FROM deals")[0][0] == 0


def test_duplicate_headers_are_refused_naming_both(ws_path, tmp_path, capsys):
    f = write(tmp_path / "dup.csv", "Partner,Amount,Customer,Amount,Close Date\n"
                                    "Bluepeak Systems,1,C,2,2026-01-05\n")
    assert import_(ws_path, f, "deals") == 2
    assert "columns 2 and 4 are both named 'Amount'" in capsys.readouterr().err


def test_bom_and_whitespace_in_headers_are_stripped(tmp_path):
    f = write(tmp_path / "b.csv", "\ufeff  Partner ;\u00a0User ; Login Date\n"
                                  "Bluepeak Systems;a;2026-01-05\n")
    assert imp.read_table(f).headers == ["Partner", "User", "Login Date"]


def test_role_text_maps_through_the_value_map(ws_path, tmp_path):
    f = write(tmp_path / "r.csv", "Deal ID,Partner,Customer,Amount,Close Date,Partner Role\n"
              "A,Bluepeak Systems,C1,10,2026-01-05,Reseller (Sourced)\n"
              "B,Bluepeak Systems,C2,20,2026-01-05,Influencer\n"
              "C,Bluepeak Systems,C3,40,2026-01-05,Implementation Partner (Influenced)\n")
    with Workspace.open(ws_path) as ws:
        _, result = imp.run_import(ws, f, "deals")
        assert result.inserted == 3
        assert dict(ws.rows("SELECT attribution, SUM(amount) FROM deals GROUP BY 1")) == {
            "sourced": 10.0, "influenced": 60.0}
        saved = imp.load_mapping(ws, imp.mapping_source("deals", imp.read_table(f)))
        assert saved.value_maps["attribution"]["influencer"] == "influenced"


def test_a_value_map_in_the_mapping_file_overrides_the_guess(ws_path, tmp_path):
    f = write(tmp_path / "r.csv", "Deal ID,Partner,Customer,Amount,Close Date,Partner Role\n"
              "A,Bluepeak Systems,C1,10,2026-01-05,Advisor\n")
    m = imp.ColumnMapping.from_dict({
        "ext_id": "Deal ID", "partner": "Partner", "customer": "Customer", "amount": "Amount",
        "close_date": "Close Date", "attribution": "Partner Role",
        "value_maps": {"attribution": {"Advisor": "influenced"}}}, "deals")
    with Workspace.open(ws_path) as ws:
        _, result = imp.run_import(ws, f, "deals", mapping=m)
        assert result.inserted == 1
        assert ws.rows("SELECT attribution FROM deals")[0][0] == "influenced"
    with pytest.raises(imp.ImportFileError, match="is not one of"):
        imp.ColumnMapping.from_file(write(tmp_path / "bad.json", json.dumps(
            {"attribution": "Partner Role", "kind": "deals",
             "value_maps": {"attribution": {"Advisor": "maybe"}}})))


def test_skip_bad_with_every_row_rejected_exits_non_zero_and_stores_nothing(ws_path, tmp_path,
                                                                            capsys):
    f = write(tmp_path / "n.csv", "Partner,User,Login Date\nNobody,a,2026-01-05\n"
                                  "Nobody,b,2026-01-06\n")
    assert import_(ws_path, f, "logins", "--skip-bad") == 1
    assert "nothing was stored (no import record, no saved mapping)" in capsys.readouterr().err
    assert stored(ws_path, "SELECT (SELECT COUNT(*) FROM imports), "
                           "(SELECT COUNT(*) FROM import_mappings)")[0] == (0, 0)


def test_a_confirmed_alias_matches_next_month(ws_path, tmp_path, capsys):
    f = write(tmp_path / "l.csv", "Company,User,Login Date\nACME Integration Ltd,a,2026-01-05\n")
    assert import_(ws_path, f, "logins") == 1
    assert "did you mean 'Acme Cloud Partners'?" in capsys.readouterr().out
    assert import_(ws_path, f, "logins", "--alias",
                   "ACME Integration Ltd=Acme Cloud Partners") == 0
    g = write(tmp_path / "l2.csv", "Company,User,Login Date\nACME Integration Ltd,b,2026-02-05\n")
    assert import_(ws_path, g, "logins") == 0
    assert "alias: 'acme integration ltd' → Acme Cloud Partners" in capsys.readouterr().out
    assert stored(ws_path, "SELECT COUNT(*) FROM logins")[0][0] == 2
    assert stored(ws_path, "SELECT spelled FROM partner_aliases") == [("ACME Integration Ltd",)]


def test_filters_are_saved_with_the_mapping(ws_path, tmp_path):
    f = EXPORTS / "docebo_course_report.csv"
    with Workspace.open(ws_path) as ws:
        imp.run_import(ws, f, "certifications", source="Docebo")
        saved = imp.load_mapping(ws, "Docebo")
    assert [flt.to_dict() for flt in saved.filters] == [
        {"column": "Status", "keep": ["Completed"]}]


def test_changed_amount_under_a_known_id_updates(ws_path, tmp_path):
    head = "Deal ID,Partner,Customer,Amount,Close Date,Partner Role\n"
    f = write(tmp_path / "a.csv", head + "A,Bluepeak Systems,C1,10,2026-01-05,Sourced\n")
    g = write(tmp_path / "b.csv", head + "A,Bluepeak Systems,C1,15,2026-01-05,Sourced\n")
    with Workspace.open(ws_path) as ws:
        imp.run_import(ws, f, "deals")
        _, result = imp.run_import(ws, g, "deals")
        assert (result.inserted, result.updated) == (0, 1)
        assert ws.rows("SELECT COUNT(*), SUM(amount) FROM deals")[0][:] == (1, 15.0)


@pytest.mark.parametrize("kind, text, again", [
    ("deals", "Partner,Customer,Amount,Close Date,Partner Role\n"
              "Bluepeak Systems,C1,10,2026-01-05,Sourced\n", "Bluepeak Systems,C2,10,"
                                                             "2026-01-05,Sourced\n"),
    ("registrations", "Partner,Registration Date,Value,Status\n"
                      "Bluepeak Systems,2026-01-05,10,approved\n",
     "Bluepeak Systems,2026-01-06,10,approved\n"),
    ("logins", "Partner,User,Login Date\nBluepeak Systems,a,2026-01-05\n",
     "Bluepeak Systems,a,2026-01-05\n"),
    ("certifications", "Partner,Person,Course,Completion Date\n"
                       "Bluepeak Systems,a,SA,2026-01-05\n", "Bluepeak Systems,b,SA,2026-01-05\n"),
    ("mdf", "Partner,Type,Date,Amount,Status,Activity\n"
            "Bluepeak Systems,claim,2026-01-05,10,approved,Webinar\n",
     "Bluepeak Systems,claim,2026-01-05,10,approved,Webinar\n"),
])
def test_every_key_fallback_counts_once(ws_path, tmp_path, kind, text, again):
    """Without a record id each kind keys on its fields; a re-import adds only new rows."""
    f = write(tmp_path / "a.csv", text)
    g = write(tmp_path / "b.csv", text + again)
    with Workspace.open(ws_path) as ws:
        imp.run_import(ws, f, kind)
        _, result = imp.run_import(ws, g, kind)
        assert (result.inserted, result.duplicates) == (1, 1)
        assert ws.rows(f"SELECT COUNT(*) FROM {kind}")[0][0] == 2
        prefix = {"deals": "deal|", "registrations": "reg|", "mdf": "mdf|"}.get(kind, "")
        assert all(k.startswith(prefix) and not k.startswith("ext|") for (k,) in ws.rows(
            f"SELECT natural_key FROM {kind}"))


def test_a_new_kind_plugs_in_with_one_registration():
    spec = imp.KindSpec("test_widgets", "Widgets", (imp.Target("partner", "Partner", "partner",
                                                               True, ("partner",)),),
                        ("partner_id",), ("partner_id", "#"))
    try:
        imp.register_kind(spec)
        assert "test_widgets" in imp.KINDS and imp.KIND_LABELS["test_widgets"] == "Widgets"
        assert imp.guess_mapping("test_widgets", ["Partner"]).columns == {"partner": "Partner"}
    finally:
        for registry in (imp.KIND_SPECS, imp.KIND_LABELS, imp.SPECS, imp.FALLBACK_KEYS):
            registry.pop("test_widgets", None)
        imp.KINDS.remove("test_widgets")


def test_a_dotted_amount_that_could_be_either_is_asked(ws_path, tmp_path):
    """12.500 in a file where no amount says which separator it uses is 12.5 or 12,500:
    refused (named), never guessed; the mapping's decimal separator settles it."""
    text = ("Partner;Customer;Amount;Close Date;Partner Role\n"
            "Bluepeak Systems;C1;12.500;2026-01-05;Sourced\n"
            "Bluepeak Systems;C2;900;2026-01-06;Sourced\n")
    f = write(tmp_path / "eu.csv", text)
    with Workspace.open(ws_path) as ws:
        table = imp.read_table(f)
        mapping = imp.guess_mapping("deals", table.headers)
        report = imp.prepare(ws, table, mapping).report
        assert [(e.row, e.value) for e in report.errors] == [(2, "12.500")]
        assert "thousands dot" in report.errors[0].reason
        mapping.decimal = ","
        prepared = imp.prepare(ws, table, mapping)
        assert prepared.report.errors == []
        assert sorted(r[3] for r in prepared.records) == [900.0, 12500.0]


def test_did_you_mean_ignores_legal_words_and_prefers_the_brand():
    from jbp.importers.aliases import Suggester

    find = Suggester([(1, "Acme Cloud Partners"), (2, "Northwind Integration"),
                      (3, "Bluepeak Systems")])
    assert [s[0] for s in find("ACME Integration Ltd")][:1] == ["Acme Cloud Partners"]
    assert find("Bluepeak Systems GmbH")[0][:2] == ("Bluepeak Systems", 3)
    assert find("Umbrella Health") == ()                 # nothing alike: no suggestion


def test_count_rows_and_title_lines_of_a_report_are_not_data(tmp_path):
    f = write(tmp_path / "lms.csv", "Course completion report\nGenerated 2026-04-02\n\n"
              "Company,Learner,Course,Completion Date,Status\n"
              "Bluepeak Systems,a,SA,2026-01-05,Completed\n"
              "Bluepeak Systems,b,SA,,In Progress\n\nCount: 2\n")
    table = imp.read_table(f)
    assert table.headers == ["Company", "Learner", "Course", "Completion Date", "Status"]
    assert len(table.frame) == 2 and list(table.rows) == [5, 6]
    assert any("'Count: 2'" in n for n in table.notes)
    assert any("2 report lines above it" in n for n in table.notes)


def test_title_rows_above_an_xlsx_table_are_not_data(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.append(["Opportunities report"])
    sheet.append([])
    sheet.append(["Partner", "User", "Login Date"])
    sheet.append(["Bluepeak Systems", "a", dt.datetime(2026, 1, 5)])
    sheet.append(["Grand Total", None, None])
    wb.save(tmp_path / "x.xlsx")
    table = imp.read_table(tmp_path / "x.xlsx")
    assert table.headers == ["Partner", "User", "Login Date"]
    assert len(table.frame) == 1 and list(table.rows) == [4]


def test_a_saved_mapping_without_filters_is_not_filtered_again(ws_path):
    """The user removed the filter and saved the mapping: next time no filter is guessed."""
    f = EXPORTS / "docebo_course_report.csv"
    with Workspace.open(ws_path) as ws:
        table = imp.read_table(f)
        mapping, source, saved = imp.mapping_for(ws, "certifications", table, "LMS")
        assert not saved and mapping.filters
        mapping.filters = []
        imp.save_mapping(ws, source, mapping)
        again, _, saved = imp.mapping_for(ws, "certifications", table, "LMS")
        assert saved and again.filters == []
        report = imp.prepare(ws, table, again).report
        assert report.filtered == 0 and report.rejected == 27   # no completion date


def test_every_name_the_package_lists_is_there():
    """``from jbp.importers import X`` keeps working for every listed name (loaded lazily)."""
    missing = [n for n in imp.__all__ if not hasattr(imp, n)]
    assert missing == []
    assert imp.ImportFileError.__module__ == "jbp.importers.spec"
