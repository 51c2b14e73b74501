"""`jbp program` as a channel manager uses it after `jbp program show` (qa-program walk):
settings and tier fields named as show prints them, the fiscal year by its month's name,
and show printing months and amounts in words."""

from __future__ import annotations

from jbp.setup import new_workspace
from jbp.store import Workspace
from ui.cli import main


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_program_show_prints_the_month_and_the_currency_of_amounts(tmp_path, capsys):
    path = tmp_path / "w.jbp"
    new_workspace(path, name="Fenwick", currency="GBP", fiscal_year_start_month=4).close()
    code, out, _ = run(capsys, "program", "show", path)
    assert code == 0
    assert "Fiscal year starts       April" in out
    assert "Direct CAC               18,000 GBP per customer" in out


def test_program_set_takes_the_label_show_prints_and_a_month_name(tmp_path, capsys):
    path = tmp_path / "w.jbp"
    new_workspace(path, name="Fenwick", currency="GBP").close()
    code, _, err = run(capsys, "program", "set", path, "fiscal_year_start_month", "April")
    assert code == 0, err
    code, _, err = run(capsys, "program", "set", path, "Fiscal year starts", "July")
    assert code == 0, err
    code, _, err = run(capsys, "program", "set", path, "Influence weight", "40%")
    assert code == 0, err
    with Workspace.open(path) as ws:
        program = ws.program()
        assert (program.fiscal_year_start_month, program.influence_weight) == (7, 0.4)
    code, _, err = run(capsys, "program", "set", path, "fiscal year", "3")
    assert code == 2 and "use one of:" in err and "fiscal_year_start_month" in err
    code, _, err = run(capsys, "program", "set", path, "fiscal_year_start_month", "Foo")
    assert code == 2 and "'Foo' is not a month" in err


def test_program_tier_takes_the_field_label(tmp_path, capsys):
    path = tmp_path / "w.jbp"
    new_workspace(path, name="Fenwick", currency="GBP").close()
    code, _, err = run(capsys, "program", "tier", path, "Silver", "Min T12M sourced revenue",
                       "80000")
    assert code == 0, err
    with Workspace.open(path) as ws:
        silver = next(t for t in ws.program().tiers if t.name == "Silver")
        assert silver.min_sourced_revenue == 80000


def test_partners_add_and_edit_take_the_words_the_partner_list_takes(tmp_path, capsys):
    path = tmp_path / "w.jbp"
    new_workspace(path, name="Fenwick", currency="GBP").close()
    code, _, err = run(capsys, "partners", "add", path, "Cairn Networks", "--type", "VAR",
                       "--region", "United Kingdom", "--signup-date", "2025-03-14")
    assert code == 0, err
    code, _, err = run(capsys, "partners", "edit", path, "Cairn Networks", "--set",
                       "type=Managed Service Provider", "--set", "region=Australia")
    assert code == 0, err
    with Workspace.open(path) as ws:
        (p,) = ws.partners()
        assert (p.type, p.region) == ("MSP", "APAC")
    code, _, err = run(capsys, "partners", "add", path, "Other", "--type", "Plumber",
                       "--region", "EMEA", "--signup-date", "2025-03-14")
    assert code == 2 and "'Plumber' is not one of" in err
