"""Reads take no write lock: a long read (a background actuals load) never keeps an edit from
starting, and the edit lands as soon as the read ends.

The workspace uses SQLite's rollback journal (docs/workspace.md, "Journal mode"): a read holds
a shared lock, which lets a writer begin (take the write lock, make its changes) but makes its
commit wait for the read to end. Two real connections to one SQLite file; the writer's busy
timeout is zero, so any write lock the reader held would refuse the write at once instead of
waiting (no timing in the test)."""

from __future__ import annotations

import pytest

from jbp.commands import Editor, History, SetField
from jbp.errors import WorkspaceBusyError
from jbp.metrics import Actuals
from jbp.model import Partner
from jbp.store import Workspace

VENDOR = Editor("Dana", "vendor")


def _impatient(path) -> Workspace:
    ws = Workspace.open(path)
    ws.rows("PRAGMA busy_timeout = 0")  # fail at once rather than wait for a lock
    return ws


def test_an_edit_begins_while_another_session_is_reading(demo_ws: Workspace):
    writer = _impatient(demo_ws.path)
    try:
        partner = writer.partners()[0]
        edit = writer.transaction()
        with demo_ws.read():
            before = Actuals.load(demo_ws)  # joins the outer snapshot
            edit.__enter__()  # the write lock is free: the read did not take it
            writer.update_partner(Partner(**{**partner.__dict__, "manager": "Zoë Writer"}))
            # The reader still sees the snapshot it began with.
            assert demo_ws.partner(partner.id).manager == partner.manager
            assert len(Actuals.load(demo_ws).deals) == len(before.deals)
        edit.__exit__(None, None, None)  # the read ended: the edit commits
        assert demo_ws.partner(partner.id).manager == "Zoë Writer"
    finally:
        writer.close()


def test_a_plan_edit_lands_after_a_background_load(demo_ws: Workspace):
    plan_id = demo_ws.plans()[0].id
    writer = _impatient(demo_ws.path)
    try:
        writer.plan_document(plan_id)
        with demo_ws.read():
            demo_ws.plan_document(plan_id)  # a read: no write lock, no plan version bump
        History(writer).run(SetField(VENDOR, "plan", plan_id, "vendor_owner", "Zoë"))
        assert demo_ws.plan(plan_id).vendor_owner == "Zoë"
    finally:
        writer.close()


def test_a_write_transaction_does_block_so_the_test_above_can_fail(demo_ws: Workspace):
    writer = _impatient(demo_ws.path)
    try:
        partner = writer.partners()[0]
        with demo_ws.transaction(), pytest.raises(WorkspaceBusyError, match="busy"):
            writer.update_partner(Partner(**{**partner.__dict__, "manager": "Blocked"}))
    finally:
        writer.close()
    assert demo_ws.partner(partner.id).manager == partner.manager


def test_writing_inside_a_read_is_refused_and_a_read_inside_a_write_joins(small_ws):
    with small_ws.read(), pytest.raises(RuntimeError, match="read-only"):
        small_ws.set_meta("x", "1")
    with small_ws.read(), pytest.raises(RuntimeError, match="write transaction"):
        small_ws.execute("DELETE FROM meta WHERE key = 'x'")
    with small_ws.transaction():
        small_ws.set_meta("x", "2")
        with small_ws.read():
            assert small_ws.meta("x") == "2"
    assert small_ws.meta("x") == "2"
    # The refused write left the session usable: the next write transaction works.
    small_ws.set_meta("x", None)
    assert small_ws.meta("x") is None
