"""The workspace store: round trips, migrations, refusals, concurrency."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jbp.commands import AddPart, Editor, History, SetField
from jbp.errors import StaleWriteError, ValidationError, WorkspaceError
from jbp.model import (
    Comment,
    Goal,
    Initiative,
    Kpi,
    Partner,
    Plan,
    Program,
    Risk,
    Rule,
    SignOff,
    TargetAccount,
    Tier,
)
from jbp.plans import CreatePlan, PlanDraft
from jbp.schema import APPLICATION_ID, MIGRATIONS
from jbp.store import Workspace, inspect_file

VENDOR = Editor("Dana Whitfield", "vendor")
PARTNER = Editor("Alex Meyer", "partner")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_plan(ws: Workspace, partner_id: int = 1) -> int:
    draft = PlanDraft(plan=Plan(title="Acme FY2026", partner_id=partner_id, fiscal_year=2026))
    return History(ws).run(CreatePlan(VENDOR, draft)).plan_id


def test_every_domain_object_round_trips(small_ws: Workspace, tmp_path: Path):
    ws = small_ws
    program = Program(name="P", currency="EUR", influence_weight=0.25, review_months=3,
                      rag_green=0.9, rag_amber=0.7, fiscal_year_start_month=4,
                      direct_cac=12345.0,
                      tiers=[Tier("Base", 0), Tier("Top", 1, 100_000, 2, 1, margin=0.2,
                                                    rebate=0.05, lead_sharing=True,
                                                    mdf_eligible=True, priority_support=True)])
    ws.save_program(program)
    partner = Partner(name="Cobalt", type="MSP", region="LATAM",
                      signup_date=dt.date(2023, 5, 2), activated_on=dt.date(2023, 7, 1),
                      ipp_fit=0.8, competencies="Security;Data", tier="Top",
                      churned_on=dt.date(2026, 1, 31), manager="Tom")
    pid = ws.add_partner(partner)
    plan = Plan(title="Cobalt FY26", partner_id=pid, fiscal_year=2026, vendor_owner="Tom",
                partner_owner="Ana", vendor_sponsor="CRO", partner_sponsor="CEO",
                executive_summary="Line one\nLine two")
    goal = Goal(plan_id=0, title="Grow", description="More ARR")
    kpi = Kpi(goal_id=0, name="Sourced", kind="lagging", unit="currency", direction="higher",
              target_q1=1.0, target_q2=2.5, target_q3=None, target_q4=4.0, actual_q1=0.5,
              metric="sourced_revenue")
    initiative = Initiative(plan_id=0, title="Webinar", type="MDF activity",
                            owner_side="partner", owner="Ana",
                            start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 3, 31),
                            status="In progress", mdf_requested=10_000.0, mdf_approved=8_000.0,
                            mdf_claimed=5_000.0)
    account = TargetAccount(plan_id=0, name="Big Bank", industry="Finance", region="EMEA",
                            owner_side="vendor", stage="Engaged", potential=50_000.0,
                            notes="CIO sponsor")
    rule = Rule(plan_id=0, topic="Registration", rule="90 days")
    risk = Risk(plan_id=0, description="Late certs", likelihood="High", impact="Low",
                mitigation="Bootcamp", owner_side="joint")
    draft = PlanDraft(plan=plan, goals=[(goal, [kpi])], initiatives=[(initiative, [0])],
                      accounts=[account], rules=[rule], risks=[risk])
    plan_id = History(ws).run(CreatePlan(VENDOR, draft)).plan_id
    with ws.transaction(plan_id):
        ws.insert_comment(Comment(plan_id=plan_id, element_kind="plan", element_id=plan_id,
                                  author="Ana", side="partner", text="Hi", created_at="t"))
        ws.insert_signoff(SignOff(plan_id=plan_id, name="Tom", side="vendor", role="PM",
                                  signed_at="t"))
    ws.close()

    with Workspace.open(ws.path) as again:
        assert again.program() == program
        assert again.partner(pid) == partner.replace(id=pid)
        doc = again.plan_document(plan_id)
        assert doc.plan.values() == plan.values()
        assert doc.goals[0].values() == goal.values()
        assert doc.kpis[0].values() == kpi.values()
        got = doc.initiatives[0]
        assert got.values() == initiative.replace(goal_ids=[doc.goals[0].id]).values()
        assert doc.accounts[0].values() == account.values()
        assert doc.rules[0].values() == rule.values()
        assert doc.risks[0].values() == risk.values()
        assert doc.comments[0].text == "Hi" and doc.comments[0].side == "partner"
        assert doc.signoffs[0].name == "Tom" and doc.signoffs[0].role == "PM"
        assert again.revisions(plan_id)[0].action == "create"


def test_file_passes_integrity_check_and_has_application_id(demo_path: Path):
    conn = sqlite3.connect(demo_path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_sqlite3_shell_opens_the_workspace(demo_path: Path):
    shell = subprocess.run(["sqlite3", "-version"], capture_output=True, check=False) \
        if _has_sqlite3_shell() else None
    if shell is None:
        pytest.skip("no sqlite3 shell on this machine")
    out = subprocess.run(["sqlite3", str(demo_path), "PRAGMA integrity_check;"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def _has_sqlite3_shell() -> bool:
    import shutil

    return shutil.which("sqlite3") is not None


def _v1_workspace(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO program VALUES (1, 'Old', 'USD', 0.3, 6, 0.95, 0.8, 1, NULL)")
    conn.execute("INSERT INTO partners (name, type, region, signup_date) "
                 "VALUES ('Acme', 'Reseller', 'EMEA', '2024-01-01')")
    conn.commit()
    conn.close()


def test_older_schema_is_backed_up_and_migrated(tmp_path: Path):
    path = tmp_path / "old.jbp"
    _v1_workspace(path)
    before = digest(path)
    with Workspace.open(path) as ws:
        assert ws.schema_version == len(MIGRATIONS)
        assert ws.backup is not None and ws.backup.exists()
        assert digest(ws.backup) == before
        assert [p.name for p in ws.partners()] == ["Acme"]
        assert ws.info()["scenarios"] == 0  # the v2 table exists
    assert inspect_file(ws.backup) == 1


@pytest.mark.parametrize("kind", ["not_sqlite", "empty", "corrupt", "newer", "foreign_sqlite",
                                  "folder"])
def test_refused_files_are_left_byte_identical(tmp_path: Path, demo_master: Path, kind: str):
    path = tmp_path / "bad.jbp"
    if kind == "not_sqlite":
        path.write_bytes(b"PK\x03\x04 this is a zip, not a workspace" * 10)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "corrupt":
        data = bytearray(demo_master.read_bytes())
        for offset in range(4096 * 3, len(data), 4096 * 7):
            data[offset + 100:offset + 400] = b"\xde\xad" * 150
        path.write_bytes(bytes(data))
    elif kind == "newer":
        path.write_bytes(demo_master.read_bytes())
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA user_version = 99")
        conn.commit()
        conn.close()
    elif kind == "foreign_sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    elif kind == "folder":
        path.mkdir()
    before = None if kind == "folder" else digest(path)
    with pytest.raises(WorkspaceError) as err:
        Workspace.open(path)
    assert str(path) in str(err.value)
    expected = {"not_sqlite": "not an SQLite database", "empty": "not an SQLite database",
                "corrupt": "damaged", "newer": "newer JBP Studio",
                "foreign_sqlite": "not a JBP Studio workspace", "folder": "folder"}[kind]
    assert expected in str(err.value)
    if before is not None:
        assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jbp"]


def test_two_connections_do_not_lose_each_others_edits(small_ws: Workspace):
    plan_id = make_plan(small_ws)
    other = Workspace.open(small_ws.path)
    try:
        mine = small_ws.plan_document(plan_id)
        theirs = other.plan_document(plan_id)
        assert mine.plan.version == theirs.plan.version
        History(other).run(SetField(PARTNER, "plan", plan_id, "partner_owner", "Alex"))
        with pytest.raises(StaleWriteError) as err:
            History(small_ws).run(SetField(VENDOR, "plan", plan_id, "vendor_owner", "Dana"))
        assert "Alex Meyer (partner side)" in str(err.value)
        # Nothing of the refused edit was written, the other edit is intact.
        assert small_ws.plan(plan_id).vendor_owner == ""
        assert small_ws.plan(plan_id).partner_owner == "Alex"
        # After reloading, the edit goes through and the other session sees it as stale.
        small_ws.plan_document(plan_id)
        History(small_ws).run(SetField(VENDOR, "plan", plan_id, "vendor_owner", "Dana"))
        assert other.is_stale(plan_id)
        assert other.plan(plan_id).vendor_owner == "Dana"
    finally:
        other.close()


_WRITER = """
import sys, time
from pathlib import Path
from jbp.store import Workspace
from jbp.commands import AddPart, Editor, History
from jbp.errors import StaleWriteError
from jbp.model import Goal
path, who, plan_id, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
ws = Workspace.open(path); h = History(ws)
(folder / f"ready-{who}").touch()
while not (folder / "go").exists():  # the barrier: both start writing together
    time.sleep(0.001)
landed = refused = 0
for i in range(25):
    try:
        h.run(AddPart(Editor(who, "vendor"), Goal(plan_id=plan_id, title=f"{who} {i}")))
        landed += 1
    except StaleWriteError:
        refused += 1
ws.close()
print(landed, refused)
"""


def _overlapping_writers(ws: Workspace, tmp_path: Path, plans: dict[str, int]) -> dict:
    """Run one writer process per ``plans`` entry (name -> plan id), released together once
    both have opened the workspace, so their writes really overlap. Returns name -> (landed,
    refused)."""
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    procs = {who: subprocess.Popen([sys.executable, str(script), str(ws.path), who,
                                    str(plan_id), str(tmp_path)], stdout=subprocess.PIPE,
                                   text=True)
             for who, plan_id in plans.items()}
    while not all((tmp_path / f"ready-{who}").exists() for who in plans):
        assert all(p.poll() is None for p in procs.values()), "a writer died before starting"
        time.sleep(0.01)
    (tmp_path / "go").touch()
    out = {}
    for who, p in procs.items():
        stdout, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        out[who] = tuple(int(x) for x in stdout.split())
    return out


def test_concurrent_processes_serialise_writes(small_ws: Workspace, tmp_path: Path):
    """Two processes adding goals to their own plans at the same moment: the write lock
    serialises them and every goal lands."""
    plans = {"A": make_plan(small_ws, 1), "B": make_plan(small_ws, 2)}
    assert _overlapping_writers(small_ws, tmp_path, plans) == {"A": (25, 0), "B": (25, 0)}
    for plan_id in plans.values():
        assert len(small_ws.plan_document(plan_id).goals) == 25
        assert len(small_ws.revisions(plan_id)) == 26


def test_concurrent_edits_of_one_plan_land_or_are_refused(small_ws: Workspace,
                                                          tmp_path: Path):
    """Two processes editing one plan at the same moment: an edit made on top of the other's
    is refused (StaleWriteError), never lost — every edit that says it landed is stored."""
    plan_id = make_plan(small_ws)
    out = _overlapping_writers(small_ws, tmp_path, {"A": plan_id, "B": plan_id})
    landed = sum(n for n, _ in out.values())
    assert landed + sum(r for _, r in out.values()) == 50
    assert len(small_ws.plan_document(plan_id).goals) == landed
    assert len(small_ws.revisions(plan_id)) == landed + 1


def test_each_command_is_one_transaction(small_ws: Workspace):
    """A command refused half-way (cross-field rule) leaves no revision and no change."""
    plan_id = make_plan(small_ws)
    h = History(small_ws)
    add = h.run(AddPart(VENDOR, Initiative(plan_id=plan_id, title="X", mdf_requested=100.0)))
    before = small_ws.revisions(plan_id)
    with pytest.raises(ValidationError, match="MDF approved: exceeds MDF requested"):
        h.run(SetField(VENDOR, "initiative", add.element_id, "mdf_approved", 500))
    assert small_ws.revisions(plan_id) == before
    assert small_ws.element("initiative", add.element_id).mdf_approved is None


def test_create_refuses_an_existing_file(tmp_path: Path):
    path = tmp_path / "x.jbp"
    path.write_text("keep me")
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(path)
    assert path.read_text() == "keep me"


def test_foreign_keys_are_on(small_ws: Workspace):
    with pytest.raises(sqlite3.IntegrityError), small_ws.transaction():
        small_ws.execute("INSERT INTO goals (plan_id, title) VALUES (999, 'orphan')")


def test_demo_is_pinned_to_its_own_today(demo_ws, small_ws):
    from jbp import demo

    assert demo_ws.pinned_as_of == demo.AS_OF
    assert small_ws.pinned_as_of is None
    small_ws.set_meta("as_of", "2026-03-31")
    assert small_ws.pinned_as_of == dt.date(2026, 3, 31)
