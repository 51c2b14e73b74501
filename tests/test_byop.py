"""Bring your own program: from an empty workspace to a scorecard, a refreshed plan and a
calibrated baseline with the user's own exports (tests/data/byop/, shaped like Salesforce,
Impartner, PRM-portal, LMS, MDF and finance exports), no demo data involved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jbp import import_partners as ip
from jbp import store
from jbp.commands import Editor, History
from jbp.errors import ValidationError
from jbp.model import Partner
from jbp.partners import AddPartner, ArchivePartner, EditPartner
from jbp.program_edit import (
    SetCost,
    SetProgramField,
    SetTierField,
    changed_tier_program,
    tier_preview,
)
from jbp.setup import new_workspace
from jbp.store import Workspace
from ui.cli import main

DATA = Path(__file__).parent / "data" / "byop"
ACTUALS = [("sfdc_opportunities.csv", "deals"),
           ("impartner_deal_registrations.csv", "registrations"),
           ("prm_portal_logins.csv", "logins"),
           ("lms_completions.csv", "certifications"),
           ("mdf_fund_requests.csv", "mdf")]
ED = Editor("Ann Example", "vendor")


def jbp(*args, capsys=None) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr() if capsys else None
    return code, out.out if out else "", out.err if out else ""


def test_from_nothing_to_scorecard_plan_and_baseline(tmp_path, capsys):
    ws_path = tmp_path / "mine.jbp"
    code, out, _ = jbp("new", ws_path, "--program-name", "Contoso Partner Network",
                       "--currency", "USD", "--fiscal-year-start", "February", capsys=capsys)
    assert code == 0 and "Contoso Partner Network (amounts in USD)" in out
    with Workspace.open(ws_path) as ws:
        assert ws.partners() == [] and ws.program().fiscal_year_start_month == 2
        assert ws.info()["actuals"]["deals"]["rows"] == 0

    code, out, _ = jbp("import", ws_path, DATA / "sfdc_partner_accounts.csv", "--kind",
                       "partners", capsys=capsys)
    assert code == 0, out
    assert "Imported 12 new" in out
    code, out, _ = jbp("import", ws_path, DATA / "program_costs_finance.csv", "--kind", "costs",
                       capsys=capsys)
    assert code == 0 and "Imported 49 new" in out
    for name, kind in ACTUALS:
        code, out, err = jbp("import", ws_path, DATA / name, "--kind", kind, capsys=capsys)
        assert code == 0, (name, out, err)
        assert "rejected           0" in out

    with Workspace.open(ws_path) as ws:
        harbor = ws.partner_by_name("HARBORLINE systems")
        assert (harbor.type, harbor.region, harbor.tier) == ("Reseller", "North America",
                                                            "Platinum")
        assert ws.partner_by_name("Kestrel Managed Services").competencies == \
            "Managed Security; Backup"
        assert ws.partner_by_name("Redstone Networks Inc.").churned_on.isoformat() == \
            "2025-06-30"
        costs = store.cost_table(ws)
        assert len({m for m, _, _ in costs}) == 12
        assert {c for _, c, _ in costs} == {"people", "enablement", "overhead",
                                            "recruitment"}
        # a plan for one partner, its KPIs bound to metrics
        from jbp.plans import CreatePlan, draft_from_template

        History(ws).run(CreatePlan(ED, draft_from_template(ws, harbor.id, 2026)))

    code, out, _ = jbp("scorecard", ws_path, "--json", "--as-of", "2026-10-31", capsys=capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["as_of"] == "2026-10-31" and doc["coverage"]
    card = {r["partner"]: r for r in doc["partners"]}
    assert len(card) == 12
    assert card["Harborline Systems"]["sourced_revenue"] > 0
    assert card["Harborline Systems"]["certified_people"] > 0
    assert card["Harborline Systems"]["program_costs"] > 0
    assert card["Redstone Networks Inc."]["status"] == "churned"

    code, out, _ = jbp("refresh-kpis", ws_path, "--as-of", "2026-10-31", capsys=capsys)
    assert code == 0
    with Workspace.open(ws_path) as ws:
        plan = ws.plans()[0]
        kpis = ws.plan_document(plan.id).kpis
        filled = [k for k in kpis if k.metric and any(a is not None for a in k.actuals)]
        assert filled, "refresh-kpis filled no bound KPI"

    scenario = tmp_path / "baseline.toml"
    code, out, _ = jbp("scenario", "baseline", ws_path, scenario, "--replications", "5",
                       capsys=capsys)
    assert code == 0 and scenario.exists()
    estimated = [line for line in out.splitlines() if line.strip().startswith("estimated")]
    # figures learnt from these exports, not from the demo
    assert any("deal" in line or "registration" in line for line in estimated), out
    assert any("cost" in line for line in estimated), out
    assert 'currency = "USD"' in scenario.read_text()


def test_reimport_updates_partners_by_id_and_never_duplicates(tmp_path):
    with new_workspace(tmp_path / "w.jbp", name="P") as ws:
        ip.run_import(ws, DATA / "sfdc_partner_accounts.csv", "partners")
        _, result = ip.run_import(ws, DATA / "sfdc_partner_accounts_v2.csv", "partners")
        assert (result.inserted, result.updated, result.duplicates) == (1, 2, 10)
        assert ws.partner_by_name("Kestrel Managed Services").tier == "Gold"
        assert ws.partner_by_name("Nordlicht IT GmbH").manager == "Lena Vogt"
        assert len(ws.partners()) == 13
        # the same file again changes nothing
        _, result = ip.run_import(ws, DATA / "sfdc_partner_accounts_v2.csv", "partners")
        assert (result.inserted, result.updated, result.duplicates) == (0, 0, 13)
        log = store.program_revisions(ws, "partner",
                                      ws.partner_by_name("Kestrel Managed Services").id)
        assert [(r["field"], r["old"], r["new"]) for r in log if r["field"] == "tier"] == \
            [("tier", "Silver", "Gold")]
        # a cost file imported twice is counted once
        ip.run_import(ws, DATA / "program_costs_finance.csv", "costs")
        before = store.cost_table(ws)
        _, again = ip.run_import(ws, DATA / "program_costs_finance.csv", "costs")
        assert again.inserted == again.updated == 0 and store.cost_table(ws) == before


def test_partner_list_rows_are_checked_with_row_column_and_reason(tmp_path):
    bad = tmp_path / "partners.csv"
    bad.write_text("Account Name,Partner Type,Region,Partner Since\r\n"
                   "Good Co,Reseller,EMEA,2024-01-02\r\n"
                   "Odd Co,Franchise,EMEA,2024-01-02\r\n"
                   "Moon Co,SI,Moon,2024-01-02\r\n"
                   ",SI,EMEA,2024-01-02\r\n"
                   "Late Co,SI,EMEA,not a date\r\n", encoding="utf-8")
    with new_workspace(tmp_path / "w.jbp", name="P") as ws:
        report, result = ip.run_import(ws, bad, "partners")
        assert result is None and ws.partners() == []
        text = report.text()
        assert "row 3, column 'Partner Type': 'Franchise' is not a partner type" in text
        assert "row 4, column 'Region': 'Moon' is not a region" in text
        assert "row 5, column 'Account Name': a value is required" in text
        assert "row 6, column 'Partner Since': 'not a date' is not a date" in text


def test_amounts_in_another_currency_are_refused_naming_column_and_currency(tmp_path, capsys):
    ws_path = tmp_path / "w.jbp"
    with new_workspace(ws_path, name="P", currency="USD") as ws:
        ip.run_import(ws, DATA / "sfdc_partner_accounts.csv", "partners")
    code, out, err = jbp("import", ws_path, DATA / "sfdc_opportunities_eur.csv", "--kind",
                         "deals", capsys=capsys)
    assert code == 1 and "Nothing was imported" in err
    assert "column 'Opportunity Currency': 'EUR' is not the workspace currency USD" in out
    costs = tmp_path / "costs.csv"
    costs.write_text("Month,Category,Amount\n2026-01,people,€4.000\n2026-01,training,EUR 300\n",
                     encoding="utf-8")
    code, out, err = jbp("import", ws_path, costs, "--kind", "costs", capsys=capsys)
    assert code == 1
    assert "row 2, column 'Amount': column 'Amount' names EUR, not the workspace currency USD" \
        in out
    assert "row 3, column 'Amount'" in out
    with Workspace.open(ws_path) as ws:
        assert ws.info()["actuals"]["deals"]["rows"] == 0 and store.cost_table(ws) == []


def test_program_and_tier_edits_undo_and_redo_with_change_log(tmp_path):
    with new_workspace(tmp_path / "w.jbp", name="P", currency="eur") as ws:
        h = History(ws)
        h.run(SetProgramField(ED, "influence_weight", "0.45"))
        h.run(SetTierField(ED, "Gold", "min_sourced_revenue", 350_000))
        h.run(SetTierField(ED, "Silver", "margin", 0.18))
        h.run(SetTierField(ED, "Gold", "name", "Gold Plus"))
        assert ws.program().influence_weight == 0.45
        assert ws.program().tier("Gold Plus").min_sourced_revenue == 350_000
        h.undo()
        h.undo()
        assert ws.program().tier("Gold").min_sourced_revenue == 350_000
        assert ws.program().tier("Silver").margin == 0.15
        h.undo()
        h.undo()
        assert ws.program().influence_weight == 0.3
        assert ws.program().tier("Gold").min_sourced_revenue == 300_000
        h.redo()
        h.redo()
        assert ws.program().tier("Gold").min_sourced_revenue == 350_000
        log = store.program_revisions(ws)
        assert [r["action"] for r in log] == ["edit"] * 4 + ["undo"] * 4 + ["edit"] * 2
        # the Program page reads only the newest entries, still oldest first
        assert store.program_revisions(ws, newest=3) == log[-3:]
        # thresholds that do not rise are refused, nothing is written
        with pytest.raises(ValidationError, match="thresholds must rise"):
            h.run(SetTierField(ED, "Silver", "min_sourced_revenue", 400_000))
        assert ws.program().tier("Silver").min_sourced_revenue == 75_000
        with pytest.raises(ValidationError, match="must not exceed"):
            h.run(SetProgramField(ED, "rag_amber", 0.99))
        # costs per month and category
        h.run(SetCost(ED, "2026-03", "people", "12,500"))
        assert store.cost_table(ws) == [("2026-03-01", "people", 12_500.0)]
        h.undo()
        assert store.cost_table(ws) == []
        # the currency changes only while no amount is stored
        h.run(SetProgramField(ED, "currency", "gbp"))
        assert ws.program().currency == "GBP"
        h.run(SetCost(ED, "2026-03", "people", 100))
        with pytest.raises(ValidationError, match="holds amounts in GBP"):
            h.run(SetProgramField(ED, "currency", "USD"))


def test_partner_commands_undo_redo_and_archive(tmp_path):
    with new_workspace(tmp_path / "w.jbp", name="P") as ws:
        h = History(ws)
        h.run(AddPartner(ED, Partner(name="  Acme   Cloud ", type="MSP", region="APAC",
                                     signup_date="2025-01-01", source_id="A-1")))
        acme = ws.partner_by_name("ACME CLOUD")
        assert acme.name == "Acme Cloud"
        with pytest.raises(ValidationError, match="exists already"):
            h.run(AddPartner(ED, Partner(name="acme cloud", type="SI", region="EMEA",
                                         signup_date="2025-01-01")))
        h.run(EditPartner(ED, acme.id, "manager", "Rita"))
        h.run(ArchivePartner(ED, acme.id))
        assert store.partner_list(ws) == [] and len(store.partner_list(ws, True)) == 1
        h.undo()
        h.undo()
        assert store.partner_full(ws, acme.id).manager == "" and store.partner_list(ws)
        h.redo()
        assert store.partner_full(ws, acme.id).manager == "Rita"
        with pytest.raises(ValidationError, match="before the sign-up date"):
            h.run(EditPartner(ED, acme.id, "churned_on", "2024-01-01"))
        actions = [(r["field"], r["action"]) for r in store.program_revisions(ws, "partner")]
        assert actions == [("*", "add"), ("manager", "edit"), ("archived", "edit"),
                           ("archived", "undo"), ("manager", "undo"), ("manager", "edit")]


def test_partner_name_lookup_uses_the_name_key_index(tmp_path):
    with new_workspace(tmp_path / "w.jbp", name="P") as ws:
        plan = ws.rows("EXPLAIN QUERY PLAN SELECT id FROM partners WHERE name_key = ?",
                       ("x",))
        assert "USING INDEX partners_name_key" in plan[0]["detail"]


def test_tier_preview_names_who_moves(tmp_path):
    with new_workspace(tmp_path / "w.jbp", name="P") as ws:
        ip.run_import(ws, DATA / "sfdc_partner_accounts.csv", "partners")
        for name, kind in ACTUALS:
            from jbp import importers

            importers.run_import(ws, DATA / name, kind)
        import datetime as dt

        day = dt.date(2026, 10, 31)
        program = ws.program()
        easier = changed_tier_program(program, "Silver", "min_sourced_revenue", 1)
        easier = changed_tier_program(easier, "Silver", "min_certifications", 0)
        easier = changed_tier_program(easier, "Silver", "min_new_logos", 0)
        preview = tier_preview(ws, easier, day)
        assert preview.up and not preview.down
        assert all(m.new == "Silver" for m in preview.up)
        assert "would move up" in preview.text()
        harder = changed_tier_program(program, "Platinum", "min_sourced_revenue", 5_000_000)
        down = tier_preview(ws, harder, day).down
        assert all(m.old == "Platinum" for m in down)


def test_partners_cli(tmp_path, capsys):
    ws_path = tmp_path / "w.jbp"
    assert jbp("new", ws_path, "--tiers", "three tiers", capsys=capsys)[0] == 0
    code, out, _ = jbp("partners", "add", ws_path, "Polar Bytes", "--type", "SI", "--region",
                       "EMEA", "--signup-date", "2025-02-03", "--account-id", "PB-9",
                       capsys=capsys)
    assert code == 0 and "Added partner Polar Bytes" in out
    code, out, _ = jbp("partners", "edit", ws_path, "PB-9", "--set", "tier=Select", "--set",
                       "manager=Ola", capsys=capsys)
    assert code == 0
    code, out, _ = jbp("partners", "list", ws_path, capsys=capsys)
    assert "Polar Bytes" in out and "Select" in out and "Ola" in out
    code, _, err = jbp("partners", "edit", ws_path, "Polar Bytes", "--set", "region=Mars",
                       capsys=capsys)
    assert code == 2 and "Region" in err and "Traceback" not in err
    assert jbp("partners", "archive", ws_path, "polar bytes", capsys=capsys)[0] == 0
    code, out, _ = jbp("partners", "list", ws_path, capsys=capsys)
    assert "0 partners" in out
    code, out, _ = jbp("partners", "list", ws_path, "--all", capsys=capsys)
    assert "Polar Bytes (archived)" in out


def test_new_refuses_bad_input_without_a_traceback(tmp_path, capsys):
    code, _, err = jbp("new", tmp_path / "a.jbp", "--currency", "Euro", capsys=capsys)
    assert code == 2 and "three-letter ISO 4217 code" in err
    assert not (tmp_path / "a.jbp").exists()
    code, _, err = jbp("new", tmp_path / "b.jbp", "--fiscal-year-start", "Smarch",
                       capsys=capsys)
    assert code == 2 and "is not a month" in err
    src = tmp_path / "src.jbp"
    assert jbp("new", src, "--tiers", "three tiers", capsys=capsys)[0] == 0
    code, out, _ = jbp("new", tmp_path / "c.jbp", "--tiers-from", src, "--currency", "GBP",
                       capsys=capsys)
    assert code == 0 and "Premier" in out and "GBP" in out


def test_program_cli_tier_preview_and_set(tmp_path, capsys):
    ws_path = tmp_path / "w.jbp"
    jbp("new", ws_path, capsys=capsys)
    code, out, _ = jbp("program", "tier", ws_path, "Gold", "min_sourced_revenue", "250000",
                       "--preview", capsys=capsys)
    assert code == 0 and "would move up" in out and "nothing was changed" in out
    code, _, err = jbp("program", "tier", ws_path, "Gold", "min_sourced_revenue", "10",
                       capsys=capsys)
    assert code == 2 and "thresholds must rise" in err
    assert jbp("program", "set", ws_path, "direct_cac", "25000", capsys=capsys)[0] == 0
    assert jbp("program", "cost", ws_path, "2026-01", "people", "9000", capsys=capsys)[0] == 0
    code, out, _ = jbp("program", "show", ws_path, capsys=capsys)
    assert "25,000" in out or "25000" in out


def test_an_older_workspace_gains_account_ids_name_keys_and_the_change_log(tmp_path):
    import sqlite3

    from jbp import schema

    before = schema.MIGRATIONS.index(schema._V_PARTNERS)
    path = tmp_path / "old.jbp"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    for script in schema.MIGRATIONS[:before]:
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.execute("INSERT INTO program (id, name, currency, influence_weight, review_months, "
                 "rag_green, rag_amber, fiscal_year_start_month) "
                 "VALUES (1, 'Old', 'USD', 0.3, 6, 0.95, 0.8, 1)")
    conn.execute("INSERT INTO partners (name, type, region, signup_date) "
                 "VALUES ('Old Partner GmbH', 'SI', 'EMEA', '2022-01-01')")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        assert ws.backup is not None
        old = ws.partner_by_name("OLD PARTNER gmbh")
        assert old is not None and old.source_id == "" and not old.archived
        History(ws).run(EditPartner(ED, old.id, "source_id", "ACC-1"))
        assert store.partner_by_source_id(ws, "ACC-1").name == "Old Partner GmbH"
        assert store.program_revisions(ws, "partner")[0]["new"] == "ACC-1"


@pytest.mark.parametrize(("name", "kind"), [
    ("sfdc_partner_accounts.csv", "partners"), ("sfdc_partner_accounts_v2.csv", "partners"),
    ("program_costs_finance.csv", "costs"), *ACTUALS])
def test_the_wizard_detects_partner_lists_and_cost_files_among_the_actuals(name, kind):
    from jbp import importers

    assert ip.guess_kind(importers.read_table(DATA / name).headers) == kind


def test_a_baseline_calibrates_from_a_partner_list_before_any_actuals(tmp_path):
    """The first day with your own program: partners imported, no actuals yet. The
    baseline (and the Program page's "Try it in the Scenario Lab first") still calibrates,
    keeping the defaults it cannot estimate and saying so."""
    from simulation.calibrate import baseline_from_workspace

    ws = new_workspace(tmp_path / "own.jbp", name="Own program", currency="GBP")
    ip.run_import(ws, DATA / "sfdc_partner_accounts.csv", "partners")
    cal = baseline_from_workspace(ws, name="First")
    assert cal.scenario.recruitment.initial_partners > 0
    assert "no dated actuals" in cal.report()
    ws.close()
