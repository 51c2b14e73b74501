"""A channel manager's own exports into a new workspace (qa-program walk): a UK Salesforce
partner-accounts report (day-first dates, every value quoted, report lines and footer) with
one mistyped date, and a finance cost export whose months are written as finance writes
them ("Apr-2025", "Apr-25", "April 2025", "04/2025")."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from jbp import import_partners as ip
from jbp.setup import new_workspace
from jbp.store import Workspace
from ui.cli import main

HEADER = ["Account Name", "Account ID", "Partner Type", "Billing Country", "Partner Since",
          "Onboarding Completed Date", "Partner Tier", "Account Owner"]
ROWS = [
    ["Smith, Jones & Partners Ltd", "0014K01", "Value Added Reseller", "United Kingdom",
     "14/03/2023", "02/05/2023", "Gold", "Harriet Cole"],
    ["Northgate Systems", "0014K02", "Systems Integrator", "Ireland", "01/09/2023",
     "17/10/2023", "Silver", "Tom Okafor"],
    ["Kite Managed IT", "0014K03", "Managed Service Provider", "Netherlands", "23/01/2024",
     "05/03/2024", "Silver", "Harriet Cole"],
    ["Harbour & Crane", "0014K04", "Value Added Reseller", "South Africa", "31/02/2023",
     "", "Silver", "Tom Okafor"],  # 31 February: a typo in the CRM
    ["Lumen Advisory", "0014K05", "Systems Integrator", "France", "07/07/2022", "19/09/2022",
     "Gold", "Harriet Cole"],
]


def salesforce_report(path: Path, rows: list[list[str]]) -> Path:
    """A Salesforce report exported as CSV: BOM, every value quoted, the title and filter
    lines above the table, Grand Totals and the copyright footer below it."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    out.write('"Partner Accounts - UK&I"\n"Filtered By:"\n"  Type equals Partner"\n\n')
    writer.writerow(HEADER)
    writer.writerows(rows)
    out.write(f'\n"Grand Totals ({len(rows)} records)"\n\n'
              '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
              '"Confidential Information - Do Not Distribute"\n')
    path.write_text(out.getvalue(), encoding="utf-8-sig")
    return path


@pytest.fixture
def ws(tmp_path):
    w = new_workspace(tmp_path / "mine.jbp", name="Fenwick Partner Programme", currency="GBP",
                      fiscal_year_start_month=4)
    yield w
    w.close()


def test_one_impossible_date_rejects_that_row_only_and_names_the_format(ws, tmp_path):
    report, result = ip.run_import(ws, salesforce_report(tmp_path / "accounts.csv", ROWS),
                                   "partners", dry_run=True)
    assert result is None
    # the other four rows read day-first; only the typo is a row error
    assert (report.new, report.rejected) == (4, 1), report.text()
    (error,) = report.errors
    assert (error.row, error.column, error.value) == (9, "Partner Since", "31/02/2023")  # line 9 of the file
    assert "DD/MM/YYYY" in error.reason and "YYYY-MM-DD" not in error.reason
    report, result = ip.run_import(ws, tmp_path / "accounts.csv", "partners",
                                   allow_rejected=True)
    assert result is not None and result.inserted == 4
    smith = next(p for p in ws.partners() if p.name.startswith("Smith"))
    assert (str(smith.signup_date), str(smith.activated_on)) == ("2023-03-14", "2023-05-02")


def test_a_column_with_more_rows_unreadable_than_read_is_still_refused_row_by_row(ws, tmp_path):
    rows = [r[:] for r in ROWS]
    for r in rows[:3]:
        r[4] = "n/a"
    rows[4][4] = "17/07/2022"  # the one readable date: day-first
    report, _ = ip.run_import(ws, salesforce_report(tmp_path / "a.csv", rows), "partners",
                              dry_run=True)
    assert report.new == 1 and report.rejected == 4, report.text()
    assert {e.value for e in report.errors} == {"n/a", "31/02/2023"}


def test_the_partner_list_report_says_what_was_assumed(ws, tmp_path):
    report, _ = ip.run_import(ws, salesforce_report(tmp_path / "accounts.csv", ROWS[:3]),
                              "partners", dry_run=True)
    text = "\n".join(report.assumed)
    assert "utf-8 with a byte-order mark" in text and "delimiter: comma" in text
    assert "date format of 'Partner Since': DD/MM/YYYY" in text
    assert "date format of 'Onboarding Completed Date': DD/MM/YYYY" in text
    assert "Partner type ← 'Partner Type'" in text
    assert "Assumed:" in report.text()


def test_the_cli_prints_the_assumed_date_format_of_a_partner_list(ws, tmp_path, capsys):
    path = salesforce_report(tmp_path / "accounts.csv", ROWS[:3])
    ws_path = ws.path
    ws.close()
    assert main(["import", str(ws_path), str(path), "--kind", "partners", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "date format of 'Partner Since': DD/MM/YYYY" in out


def cost_file(path: Path, months: list[str]) -> Path:
    lines = ["Month,Category,Amount"]
    for m in months:
        lines += [f'{m},Headcount,"£38,000.00"', f'{m},Training,"£4,200.00"']
    lines += [",,", 'Total,,"£0.00"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("months", [
    ["Apr-2025", "May-2025"],       # Excel's mmm-yyyy
    ["Apr-25", "May-25"],           # Excel's default mmm-yy
    ["April 2025", "May 2025"],
    ["Apr 2025", "May 2025"],
    ["04/2025", "05/2025"],
    ["2025/04", "2025/05"],
    ["2025-04", "2025-05"],
    ["01/04/2025", "01/05/2025"],   # a day-first first-of-month date
])
def test_cost_months_as_finance_writes_them(ws, tmp_path, months):
    report, result = ip.run_import(ws, cost_file(tmp_path / "costs.csv", months), "costs")
    assert report.rejected == 0, report.text()
    assert result is not None and result.inserted == 4
    got = [tuple(r) for r in ws.rows("SELECT month, category, amount FROM program_costs "
                                      "ORDER BY month, category")]
    assert got == [("2025-04-01", "enablement", 4200.0), ("2025-04-01", "people", 38000.0),
                   ("2025-05-01", "enablement", 4200.0), ("2025-05-01", "people", 38000.0)]
    assert any("date format of 'Month'" in a for a in report.assumed), report.assumed


def test_a_month_that_is_no_month_is_still_a_row_error(ws, tmp_path):
    report, _ = ip.run_import(ws, cost_file(tmp_path / "c.csv", ["Apr-2025", "Foo-2025"]),
                              "costs", dry_run=True)
    assert report.rejected == 2 and report.new == 2, report.text()
    assert all(e.column == "Month" and e.value == "Foo-2025" for e in report.errors)


def test_jbp_program_cost_takes_the_months_the_import_takes(tmp_path, capsys):
    path = tmp_path / "w.jbp"
    new_workspace(path, name="X", currency="GBP").close()
    assert main(["program", "cost", str(path), "Jun-2025", "people", "39000"]) == 0
    assert main(["program", "cost", str(path), "July 2025", "people", "39000"]) == 0
    assert main(["program", "cost", str(path), "13/2025", "people", "1"]) == 2
    assert "13/2025" in capsys.readouterr().err
    with Workspace.open(path) as ws:
        assert [tuple(r) for r in ws.rows("SELECT month FROM program_costs ORDER BY month")] == [
            ("2025-06-01",), ("2025-07-01",)]


def test_two_accounts_with_one_name_are_a_row_error_not_a_failed_import(ws, tmp_path, capsys):
    """Salesforce holds a company's subsidiaries as accounts of the same name; the workspace
    keeps partner names distinct. The second is refused in the report, naming the first."""
    path = tmp_path / "accounts.csv"
    path.write_text("Account Name,Account ID,Partner Type,Billing Country,Partner Since\n"
                    "Northgate Systems,001A,Systems Integrator,Ireland,2023-09-01\n"
                    "Kite Managed IT,001K,MSP,Netherlands,2024-01-23\n"
                    "NORTHGATE  SYSTEMS,001B,Systems Integrator,United States,2024-01-15\n",
                    encoding="utf-8")
    report, result = ip.run_import(ws, path, "partners", allow_rejected=True)
    assert result is not None and result.inserted == 2
    (error,) = report.errors
    assert (error.row, error.column) == (4, "Account Name")
    assert "row 2" in error.reason and "001A" in error.reason
    assert sorted(p.name for p in ws.partners()) == ["Kite Managed IT", "Northgate Systems"]
    # renaming a stored partner (by its account id) to another stored partner's name
    path.write_text("Account Name,Account ID,Partner Type,Billing Country,Partner Since\n"
                    "Northgate Systems,001K,MSP,Netherlands,2024-01-23\n", encoding="utf-8")
    ws_path = ws.path
    ws.close()
    assert main(["import", str(ws_path), str(path), "--kind", "partners"]) == 1
    err = capsys.readouterr()
    assert "cannot be used" not in err.err and "UNIQUE" not in err.err + err.out
    assert "row 2" in err.out and "Northgate Systems" in err.out


def test_a_prm_partner_list_maps_its_partner_account_name_not_its_status(ws, tmp_path):
    """A PRM export names its columns 'Partner Account Name', 'Partner Status', 'Partner
    Level': the name is the account name, never the status (both contain 'partner')."""
    path = tmp_path / "prm_partners.csv"
    path.write_text(
        "Partner Account Name,Partner ID,Partner Level,Partner Program Type,Region,"
        "Created Date,Partner Status,Channel Account Manager\n"
        '"Acme Cloud, Inc.",IMP-1001,Gold,Reseller,North America,3/14/2023 10:15 AM,Active,'
        "Dana Whitfield\n"
        "Blue Ridge Consulting,IMP-1002,Silver,Consulting Partner,NA,11/2/2023 4:02 PM,Active,"
        "Dana Whitfield\n"
        "Cobalt MSP Ltd,IMP-1003,Registered,MSP,EMEA,1/9/2024 9:00 AM,Inactive,Jonas Berger\n",
        encoding="utf-8")
    report, result = ip.run_import(ws, path, "partners")
    assert report.rejected == 0, report.text()
    assert "  Partner name ← 'Partner Account Name'" in report.assumed
    assert result is not None and result.inserted == 3
    acme = next(p for p in ws.partners() if p.source_id == "IMP-1001")
    assert (acme.name, str(acme.signup_date), acme.tier) == ("Acme Cloud, Inc.", "2023-03-14",
                                                             "Gold")
