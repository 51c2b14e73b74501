"""Importing actuals: mapping guesses, strict parsing, the validation report, one-transaction
commits, duplicates, malformed files and the ``jbp import`` command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jbp import importers as imp
from jbp.demo import PROGRAM
from jbp.errors import JbpError
from jbp.importers import writing as commit_step
from jbp.model import Partner
from jbp.progress import Progress
from jbp.store import Workspace
from ui.cli import main as cli

DATA = Path(__file__).parent / "data" / "small"
HEADER = "Deal ID,Partner,Customer,Amount,Revenue Type,Close Date,Sourced or Influenced\n"


def counts(ws: Workspace) -> dict[str, int]:
    return {t: ws.rows(f"SELECT COUNT(*) FROM {t}")[0][0]
            for t in ("deals", "registrations", "logins", "certifications", "mdf", "imports",
                      "import_mappings")}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- mapping


def test_guess_mapping_from_header_names():
    m = imp.guess_mapping("deals", ["Opportunity ID", "Partner Name", "Account Name",
                                    "Amount (USD)", "Revenue Type", "Close Date",
                                    "Created Date", "Partner Role"])
    assert m.columns == {"ext_id": "Opportunity ID", "partner": "Partner Name",
                         "customer": "Account Name", "amount": "Amount (USD)",
                         "recurring": "Revenue Type", "close_date": "Close Date",
                         "created_date": "Created Date", "attribution": "Partner Role",
                         "currency": None}
    m = imp.guess_mapping("certifications", ["Partner", "Learner", "Course", "Completion date"])
    assert m.columns == {"partner": "Partner", "person": "Learner", "course": "Course",
                         "cert_date": "Completion date"}


def test_guess_kind():
    assert imp.guess_kind(["Partner", "User", "Login date"]) == "logins"
    assert imp.guess_kind(["MDF ID", "Partner", "Type", "Date", "Amount", "Status"]) == "mdf"
    table = imp.read_table(DATA / "registrations.csv")
    assert imp.guess_kind(table.headers) == "registrations"


def test_mapping_saved_per_source_and_reused(small_ws, tmp_path):
    f = write(tmp_path / "deals.csv", "Opp,Reseller,Client,Value,Kind,When,Source\n"
                                      "1,Acme,C1,100,ARR,2026-01-05,sourced\n")
    table = imp.read_table(f)
    guessed, source, saved = imp.mapping_for(small_ws, "deals", table)
    assert not saved and guessed.missing(table.headers)
    mapping = imp.ColumnMapping.from_dict({"ext_id": "Opp", "partner": "Reseller",
                                           "customer": "Client", "amount": "Value",
                                           "recurring": "Kind", "close_date": "When",
                                           "attribution": "Source"}, "deals")
    _, result = imp.run_import(small_ws, f, "deals", mapping=mapping)
    assert result.inserted == 1
    # Next month's file with the same headers maps in one click: the saved mapping.
    f2 = write(tmp_path / "deals2.csv", "Opp,Reseller,Client,Value,Kind,When,Source\n"
                                        "2,Acme,C2,200,one-off,2026-02-05,influenced\n")
    again, source2, saved2 = imp.mapping_for(small_ws, "deals", imp.read_table(f2))
    assert saved2 and source2 == source and again.columns == mapping.columns
    _, result = imp.run_import(small_ws, f2, "deals")
    assert result.inserted == 1
    deals = small_ws.actuals("deals")
    assert list(deals["ext_id"]) == ["1", "2"]
    assert list(deals["recurring"]) == [True, False]


# --------------------------------------------------------------------------- parsing


def test_values_are_parsed_strictly(small_ws, tmp_path):
    f = write(tmp_path / "d.csv", HEADER +
              'A1,Acme,C1,"1,234.50",ARR,2026-01-05,Sourced\n'      # ok
              "A2,acme ,C2,USD 99,one-off,2026-01-06 10:30,influenced\n"  # ok
              "A3,Nobody,C3,10,ARR,2026-01-07,sourced\n"            # unknown partner
              "A4,Acme,C4,ten,ARR,2026-01-08,sourced\n"             # text in amount
              "A5,Acme,C5,10,ARR,2026-02-30,sourced\n"              # impossible date
              'A6,Acme,C6,"1,5",ARR,2026-01-09,sourced\n'           # decimal comma
              "A7,Acme,C7,EUR 10,ARR,2026-01-09,sourced\n"          # another currency
              "A8,Acme,C8,-10,ARR,2026-01-09,sourced\n"             # negative
              "A9,Acme,C9,10,monthly,2026-01-09,sourced\n"          # unknown ARR/one-off
              "A10,Acme,,10,ARR,2026-01-09,sourced\n"               # no customer
              "A11,2,C11,10,ARR,2026-01-09,resold\n")               # id ok, bad attribution
    table = imp.read_table(f)
    prepared = imp.prepare(small_ws, table, imp.guess_mapping("deals", table.headers))
    report = prepared.report
    by_row = {e.row: e for e in report.errors}
    assert report.rows == 11 and report.new == 2 and report.rejected == 9
    assert "unknown partner 'Nobody'" in by_row[4].reason and by_row[4].column == "Partner"
    assert "'ten' is not an amount" in by_row[5].reason and by_row[5].column == "Amount"
    assert "'2026-02-30' is not a valid date" in by_row[6].reason
    assert "'1,5' is not an amount" in by_row[7].reason
    assert "not in the workspace currency USD" in by_row[8].reason
    assert "negative" in by_row[9].reason
    assert "'monthly' is not one of" in by_row[10].reason
    assert by_row[11].column == "Customer" and "required" in by_row[11].reason
    assert "'resold' is not one of: sourced, influenced" in by_row[12].reason
    recs = prepared.records
    assert recs[0][1:] == (1, "C1", 1234.5, True, "2026-01-05", None, "sourced")
    assert recs[1][1:] == (1, "C2", 99.0, False, "2026-01-06", None, "influenced")
    text = report.text()
    assert "row 5, column 'Amount': 'ten' is not an amount" in text


def test_date_formats(small_ws, tmp_path):
    f = write(tmp_path / "c.csv", "Partner,Person,Course,Date\n"
                                  "Acme,P1,C,03/04/2026\nAcme,P2,C,05/06/2026\n")
    table = imp.read_table(f)
    mapping = imp.guess_mapping("certifications", table.headers)
    with pytest.raises(imp.ImportFileError, match="day/month or month/day"):
        imp.prepare(small_ws, table, mapping)
    mapping.date_format = "%m/%d/%Y"
    prepared = imp.prepare(small_ws, table, mapping)
    assert [r[3] for r in prepared.records] == ["2026-03-04", "2026-05-06"]
    f = write(tmp_path / "c2.csv", "Partner,Person,Course,Date\n"
                                   "Acme,P1,C,13/04/2026\nAcme,P2,C,05/06/2026\n")
    table = imp.read_table(f)
    prepared = imp.prepare(small_ws, table, imp.guess_mapping("certifications", table.headers))
    assert [r[3] for r in prepared.records] == ["2026-04-13", "2026-06-05"]


def test_xlsx_import(small_ws, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.append(["Registration ID", "Partner", "Registration date", "Value", "Status",
                  "Conflict"])
    sheet.append(["R1", "Acme", dt.datetime(2026, 3, 1), 12000, "Approved", False])
    sheet.append(["R2", "Bluepeak", "2026-03-02", "15,000", "won", "yes"])
    sheet.append(["R3", "Bluepeak", 46000, 15, "won", "no"])  # a number in a date column
    path = tmp_path / "regs.xlsx"
    wb.save(path)
    report, result = imp.run_import(small_ws, path, "registrations", allow_rejected=True)
    assert report.rejected == 1 and "is a number, not a date" in report.errors[0].reason
    assert report.errors[0].row == 4
    assert result.inserted == 2
    regs = small_ws.actuals("registrations")
    assert list(regs["value"]) == [12000.0, 15000.0]
    assert list(regs["conflict"]) == [False, True]
    assert list(regs["status"]) == ["approved", "won"]


# --------------------------------------------------------------------------- duplicates


def test_reimport_counts_once_and_updates_changed_records(small_ws, tmp_path):
    f = write(tmp_path / "r.csv", "Registration ID,Partner,Date,Status\n"
                                  "R1,Acme,2026-01-05,approved\nR2,Acme,2026-01-06,approved\n")
    _, first = imp.run_import(small_ws, f, "registrations")
    assert first.inserted == 2
    report, again = imp.run_import(small_ws, f, "registrations")
    assert report.duplicates == 2 and again.inserted == 0
    # Next month's export: R1 was won meanwhile, R3 is new.
    f2 = write(tmp_path / "r2.csv", "Registration ID,Partner,Date,Status\n"
                                    "R1,Acme,2026-01-05,won\nR2,Acme,2026-01-06,approved\n"
                                    "R3,Acme,2026-02-01,submitted\n")
    report, result = imp.run_import(small_ws, f2, "registrations")
    assert (report.new, report.changed, report.duplicates) == (1, 1, 1)
    assert (result.inserted, result.updated) == (1, 1)
    regs = small_ws.actuals("registrations")
    assert len(regs) == 3 and list(regs["status"]) == ["won", "approved", "submitted"]


def test_rows_without_ids_use_a_natural_key(small_ws, tmp_path):
    f = write(tmp_path / "l.csv", "Partner,User,Date\nAcme,a,2026-01-05\nAcme,a,2026-01-05\n"
                                  "Acme,b,2026-01-05\n")
    _, r1 = imp.run_import(small_ws, f, "logins")
    assert r1.inserted == 3        # two logins of one user on one day are two logins
    _, r2 = imp.run_import(small_ws, f, "logins")
    assert r2.inserted == 0
    f2 = write(tmp_path / "l2.csv", "Partner,User,Date\nAcme,a,2026-01-05\nAcme,a,2026-01-05\n"
                                    "Acme,a,2026-01-05\n")
    _, r3 = imp.run_import(small_ws, f2, "logins")
    assert r3.inserted == 1        # the overlapping export adds only the third login
    assert len(small_ws.actuals("logins")) == 4


def test_same_id_twice_in_a_file(small_ws, tmp_path):
    f = write(tmp_path / "d.csv", HEADER + "A1,Acme,C1,10,ARR,2026-01-05,sourced\n"
                                           "A1,Acme,C1,10,ARR,2026-01-05,sourced\n"
                                           "A1,Acme,C1,99,ARR,2026-01-05,sourced\n")
    report, result = imp.run_import(small_ws, f, "deals", allow_rejected=True)
    assert report.in_file_duplicates == 1
    assert report.errors[0].row == 4 and "repeats the record of row 2" in report.errors[0].reason
    assert result.inserted == 1


def test_rejected_rows_import_nothing_unless_allowed(small_ws, tmp_path):
    f = write(tmp_path / "d.csv", HEADER + "A1,Acme,C1,10,ARR,2026-01-05,sourced\n"
                                           "A2,Acme,C2,x,ARR,2026-01-05,sourced\n")
    before = counts(small_ws)
    report, result = imp.run_import(small_ws, f, "deals")
    assert result is None and report.rejected == 1 and counts(small_ws) == before
    table = imp.read_table(f)
    prepared = imp.prepare(small_ws, table, imp.guess_mapping("deals", table.headers))
    with pytest.raises(JbpError, match="rejected; nothing was imported"):
        imp.commit(small_ws, prepared, allow_rejected=False)
    assert counts(small_ws) == before
    result = imp.commit(small_ws, prepared, skip_rows=[2])   # the user left row 2 out too
    # A run that takes no rows stores nothing: no import record, no mapping (issue 13).
    assert result.inserted == 0 and result.import_id is None and counts(small_ws) == before
    assert "Nothing was imported" in result.text()
    result = imp.commit(small_ws, prepared)
    assert result.inserted == 1
    row = small_ws.rows("SELECT * FROM imports ORDER BY id DESC LIMIT 1")[0]
    assert (row["kind"], row["rows_taken"], row["rows_rejected"]) == ("deals", 1, 1)


class CancelAfter(Progress):
    """The user presses Cancel after ``checks`` checks."""

    def __init__(self, checks: int):
        super().__init__()
        self.left = checks

    def check(self) -> None:
        self.left -= 1
        if self.left < 0:
            self.cancel()
        super().check()


def test_cancel_during_write_leaves_nothing(small_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(commit_step, "CHUNK", 2)
    rows = "".join(f"A{i},Acme,C{i},10,ARR,2026-01-05,sourced\n" for i in range(9))
    f = write(tmp_path / "d.csv", HEADER + rows)
    table = imp.read_table(f)
    prepared = imp.prepare(small_ws, table, imp.guess_mapping("deals", table.headers))
    before = counts(small_ws)
    with pytest.raises(imp.Cancelled):
        imp.commit(small_ws, prepared, source="x", state=CancelAfter(3))
    assert counts(small_ws) == before
    assert imp.commit(small_ws, prepared).inserted == 9


def test_failure_during_write_rolls_back(small_ws, tmp_path, monkeypatch):
    rows = "".join(f"A{i},Acme,C{i},10,ARR,2026-01-05,sourced\n" for i in range(5))
    f = write(tmp_path / "d.csv", HEADER + rows)
    table = imp.read_table(f)
    prepared = imp.prepare(small_ws, table, imp.guess_mapping("deals", table.headers))
    prepared.records[3] = (*prepared.records[3][:1], 999, *prepared.records[3][2:])  # no such
    before = counts(small_ws)
    with pytest.raises(sqlite3.IntegrityError):
        imp.commit(small_ws, prepared)
    assert counts(small_ws) == before


# --------------------------------------------------------------------------- malformed files


MALFORMED = {
    "wrong_delimiter.csv": (HEADER + "A1;Acme;C1;10;ARR;2026-01-05;sourced\n"
                                     "A2;Acme;C2;10;ARR;2026-01-05;sourced\n",
                            "header is comma-separated but the rows are semicolon-separated"),
    "one_column.csv": ("Deal ID Partner Customer Amount\nA1 Acme C1 10\n",
                       "only one column found; a CSV export needs a delimiter"),
    "missing_column.csv": ("Deal ID,Partner,Customer,Revenue Type,Close Date,Source\n"
                           "A1,Acme,C1,ARR,2026-01-05,sourced\n", "no column for Amount"),
    "ragged.csv": (HEADER + "A1,Acme,C1,10,ARR,2026-01-05,sourced,extra,more\n",
                   "a row has more fields than the header (delimiter comma)"),
    "ragged_later.csv": (HEADER + "A1,Acme,C1,10,ARR,2026-01-05,sourced\n"
                                  "A2,Acme,C1,10,ARR,2026-01-05,sourced,extra,more\n",
                         "row 3 has 9 fields but the header has 7"),
    "empty.csv": ("", "is empty"),
    "header_only.csv": (HEADER, "has a header but no data rows"),
    "blank_lines.csv": ("\n\n  \n", "no header row"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_get_a_clear_message_and_change_nothing(small_ws, tmp_path, name):
    text, message = MALFORMED[name]
    f = write(tmp_path / name, text)
    before = counts(small_ws)
    with pytest.raises(imp.ImportFileError) as err:
        imp.run_import(small_ws, f, "deals")
    assert message in str(err.value)
    assert str(err.value).startswith(name)
    assert counts(small_ws) == before


@pytest.mark.parametrize("payload,message", [
    (bytes(range(256)) * 10, "binary file"),
    (b"PK\x03\x04" + b"\x00" * 200, "zip or Excel file"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary file"),
])
def test_binary_file_named_csv(small_ws, tmp_path, payload, message):
    f = tmp_path / "export.csv"
    f.write_bytes(payload)
    before = counts(small_ws)
    with pytest.raises(imp.ImportFileError, match=message):
        imp.run_import(small_ws, f, "deals")
    assert counts(small_ws) == before


def test_broken_xlsx(small_ws, tmp_path):
    f = tmp_path / "export.xlsx"
    f.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(imp.ImportFileError, match=r"not a readable \.xlsx"):
        imp.run_import(small_ws, f, "deals")
    f.write_text("a,b\n1,2\n")
    with pytest.raises(imp.ImportFileError, match=r"not a valid \.xlsx"):
        imp.run_import(small_ws, f, "deals")


def test_semicolon_and_cp1252_files_are_read(small_ws, tmp_path):
    f = tmp_path / "d.csv"
    f.write_bytes(("Deal ID;Partner;Customer;Amount;Revenue Type;Close Date;Source\n"
                   "A1;Acme;Café Müller;10;ARR;2026-01-05;sourced\n").encode("cp1252"))
    report, result = imp.run_import(small_ws, f, "deals")
    assert result.inserted == 1 and any("Windows-1252" in n for n in report.notes)
    assert small_ws.actuals("deals")["customer"][0] == "Café Müller"


# --------------------------------------------------------------------------- property tests


ROW = st.fixed_dictionaries({
    "id": st.integers(1, 12),
    "partner": st.sampled_from(["Acme", "acme", "Bluepeak", "Nobody", ""]),
    "amount": st.sampled_from(["10", "1,000.50", "x", "-5", "$20", "", "3e2"]),
    "date": st.sampled_from(["2026-01-05", "2026-02-30", "2026-12-31", "", "yesterday"]),
    "attr": st.sampled_from(["sourced", "Influenced", "both"]),
})


def _valid(row: dict) -> bool:
    return (row["partner"] in ("Acme", "acme", "Bluepeak")
            and row["amount"] in ("10", "1,000.50", "$20", "3e2")
            and row["date"] in ("2026-01-05", "2026-12-31")
            and row["attr"] != "both")


def _csv(rows: list[dict]) -> str:
    lines = [HEADER.strip()]
    for r in rows:
        amount = f'"{r["amount"]}"' if "," in r["amount"] else r["amount"]
        lines.append(f"D{r['id']},{r['partner']},Cust {r['id']},{amount},ARR,{r['date']},"
                     f"{r['attr']}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("prop") / "master.jbp"
    with Workspace.create(path, PROGRAM) as ws:
        ws.add_partner(Partner(name="Acme", type="Reseller", region="EMEA",
                               signup_date=dt.date(2024, 3, 1)))
        ws.add_partner(Partner(name="Bluepeak", type="SI", region="APAC",
                               signup_date=dt.date(2025, 1, 15)))
    return path


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=12), skip_bad=st.booleans(),
       fail_at=st.integers(0, 6))
def test_imports_never_half_apply_and_count_once(master, tmp_path_factory, rows, skip_bad,
                                                 fail_at):
    tmp = tmp_path_factory.mktemp("ex")
    path = tmp / "ws.jbp"
    shutil.copy2(master, path)
    f = write(tmp / "deals.csv", _csv(rows))
    with Workspace.open(path) as ws:
        # An interrupted import writes nothing.
        with pytest.raises(imp.Cancelled):
            imp.run_import(ws, f, "deals", allow_rejected=True, state=CancelAfter(fail_at))
        assert counts(ws)["deals"] == 0 and counts(ws)["imports"] == 0
        report, result = imp.run_import(ws, f, "deals", allow_rejected=skip_bad)
        any_bad = report.rejected > 0
        stored = ws.actuals("deals")
        if any_bad and not skip_bad:
            assert result is None and len(stored) == 0 and counts(ws)["imports"] == 0
        else:
            # One record per deal id among the valid rows (the first wins; a later valid
            # row with the same id and other values is rejected).
            expected = {r["id"] for r in rows if _valid(r)}
            assert set(stored["ext_id"]) == {f"D{i}" for i in expected}
        n = len(stored)
        report2, _ = imp.run_import(ws, f, "deals", allow_rejected=True)
        assert len(ws.actuals("deals")) == max(n, report2.new + n)
        # A third import of the same file never adds anything.
        imp.run_import(ws, f, "deals", allow_rejected=True)
        assert len(ws.actuals("deals")) == len(ws.actuals("deals").drop_duplicates("ext_id"))
        after_two = len(ws.actuals("deals"))
        imp.run_import(ws, f, "deals", allow_rejected=True)
        assert len(ws.actuals("deals")) == after_two


# --------------------------------------------------------------------------- CLI


def test_cli_import_dry_run_and_exit_codes(small_ws, tmp_path, capsys):
    path = small_ws.path
    small_ws.close()
    good = write(tmp_path / "good.csv", HEADER + "A1,Acme,C1,10,ARR,2026-01-05,sourced\n")
    bad = write(tmp_path / "bad.csv", HEADER + "A2,Acme,C2,10,ARR,2026-01-05,sourced\n"
                                               "A3,Nobody,C3,10,ARR,2026-01-05,sourced\n")
    assert cli(["import", str(path), str(good), "--kind", "deals", "--dry-run"]) == 0
    assert "Dry run" in capsys.readouterr().out
    assert cli(["import", str(path), str(bad), "--kind", "deals"]) == 1
    captured = capsys.readouterr()
    assert "row 3, column 'Partner': unknown partner 'Nobody'" in captured.out
    assert "Nothing was imported" in captured.err
    assert cli(["import", str(path), str(good), "--kind", "deals"]) == 0
    assert "Imported 1 new" in capsys.readouterr().out
    # Again: every row was imported before, so the run takes none: exit 1, nothing stored.
    assert cli(["import", str(path), str(good), "--kind", "deals"]) == 1
    assert "1 imported before; nothing was stored" in capsys.readouterr().err
    assert cli(["import", str(path), str(bad), "--kind", "deals", "--skip-bad"]) == 0
    assert cli(["import", str(path), str(tmp_path / "empty.csv"), "--kind", "deals"]) == 2
    assert "no such file" in capsys.readouterr().err
    mapping = write(tmp_path / "m.json", json.dumps({"ext_id": "Deal ID", "partner": "Partner",
                                                     "customer": "Customer",
                                                     "amount": "Amount", "close_date": "Close Date",
                                                     "attribution": "Sourced or Influenced"}))
    # A dry run exits as the run would: 1, as every row was imported before.
    assert cli(["import", str(path), str(good), "--kind", "deals", "--mapping",
                str(mapping), "--dry-run"]) == 1
    assert "mapping: the mapping file m.json" in capsys.readouterr().out
    with Workspace.open(path) as ws:
        assert len(ws.actuals("deals")) == 2


def test_cli_scorecard(demo_path, capsys):
    assert cli(["scorecard", str(demo_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["as_of"], out["as_of_reason"]) == ("2026-11-15", "pinned by the workspace")
    assert {c["kind"]: c["through"] for c in out["coverage"]}["deals"] == "2026-10-31"
    records = out["partners"]
    assert len(records) == 50 and "ropi" in records[0] and "at_risk" in records[0]
    assert cli(["scorecard", str(demo_path), "--csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("partner_id,partner,type,region")
    assert len(out.splitlines()) == 51
    assert cli(["scorecard", str(demo_path)]) == 0
    text = capsys.readouterr().out
    assert "Figures as of 2026-11-15 (pinned by the workspace)" in text
    assert "revenue T12M to 2026-10-31" in text
    assert cli(["scorecard", str(demo_path), "--program", "--json"]) == 0
    assert "cac_channel" in json.loads(capsys.readouterr().out)


def test_cli_import_then_refresh_kpis(demo_path, tmp_path, capsys):
    f = write(tmp_path / "d.csv", HEADER + "N1,Acme Integration,C1,10,ARR,2026-10-05,sourced\n")
    assert cli(["import", str(demo_path), str(f), "--kind", "deals", "--refresh-kpis"]) == 0
    out = capsys.readouterr().out
    assert "Imported 1 new" in out and "bound KPI actuals" in out
    assert cli(["refresh-kpis", str(demo_path)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_cli_refresh_kpis(demo_path, capsys):
    # The demo's plans were filled from its imports by this same refresh.
    assert cli(["refresh-kpis", str(demo_path), "--plan", "1"]) == 0
    assert "up to date" in capsys.readouterr().out
    with Workspace.open(demo_path) as ws, ws.transaction():
        ws.execute("UPDATE kpis SET actual_q1 = NULL WHERE goal_id IN "
                   "(SELECT id FROM goals WHERE plan_id = 2)")
    assert cli(["refresh-kpis", str(demo_path), "--plan", "2", "--dry-run"]) == 0
    assert "would change" in capsys.readouterr().out
    assert cli(["refresh-kpis", str(demo_path), "--plan", "2"]) == 0
    assert "Updated" in capsys.readouterr().out
    assert cli(["refresh-kpis", str(demo_path), "--plan", "2"]) == 0
    assert "up to date" in capsys.readouterr().out
