"""The figures counted by SQLite (issue 17) equal the figures of the whole tables in pandas.

:meth:`jbp.metrics.Actuals.load` leaves the large activity tables (logins, registrations) in
the workspace: the scorecard asks SQLite for their per-partner window counts and last dates,
a bound KPI and a trend chart read one partner's rows. Here, on random small workspaces with
rows on and around every window's edges, that snapshot gives exactly the scorecard, the
bound KPI values and the trend series of a snapshot holding every table as a frame (the
straightforward computation), and the activity counts equal a plain loop over the rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jbp import metrics
from jbp.demo import PROGRAM
from jbp.kinds import KINDS
from jbp.metrics.activity import StaleSnapshot
from jbp.model import Partner
from jbp.store import Workspace

END = dt.date(2026, 10, 31)
AS_OF = dt.date(2026, 11, 15)
# Days around the edges of the 90-day windows, the 180-day baseline, T12M and the quarters.
EDGES = [0, 1, 2, 89, 90, 91, 179, 180, 181, 364, 365, 366]
STATUSES = ["won", "lost", "approved", "pending"]


def day_strategy() -> st.SearchStrategy[dt.date]:
    near = st.sampled_from(EDGES).map(lambda d: END - dt.timedelta(days=d))
    anywhere = st.integers(0, 700).map(lambda d: END - dt.timedelta(days=d))
    return st.one_of(near, anywhere)


@st.composite
def programs(draw) -> dict:
    n = draw(st.integers(1, 6))
    row = st.tuples(st.integers(0, n - 1), day_strategy())
    return {
        "partners": n,
        "logins": draw(st.lists(row, max_size=40)),
        "registrations": draw(st.lists(st.tuples(st.integers(0, n - 1), day_strategy(),
                                                 st.sampled_from(STATUSES)), max_size=25)),
        "deals": draw(st.lists(row, max_size=12)),
        "certifications": draw(st.lists(st.tuples(st.integers(0, n - 1), day_strategy(),
                                                  st.integers(0, 3)), max_size=10)),
    }


def build(path: Path, spec: dict) -> Path:
    with Workspace.create(path, PROGRAM) as ws, ws.transaction():
        ids = [ws.add_partner(Partner(name=f"P{i}", type="Reseller", region="EMEA",
                                      signup_date=dt.date(2024, 1, 1 + i)))
               for i in range(spec["partners"])]
        logins = [(ids[p], d.isoformat(), f"u{k % 3}") for k, (p, d) in
                  enumerate(spec["logins"])]
        ws.insert_actuals("logins", logins, [f"l{k}" for k in range(len(logins))])
        regs = [(f"R{k}", ids[p], d.isoformat(), 1000.0 + k, s, False)
                for k, (p, d, s) in enumerate(spec["registrations"])]
        ws.insert_actuals("registrations", regs, [f"r{k}" for k in range(len(regs))])
        deals = [(f"D{k}", ids[p], f"C{k % 4}", 5000.0 + k, k % 2 == 0, d.isoformat(),
                  (d - dt.timedelta(days=30)).isoformat(), "sourced" if k % 3 else "influenced")
                 for k, (p, d) in enumerate(spec["deals"])]
        ws.insert_actuals("deals", deals, [f"d{k}" for k in range(len(deals))])
        certs = [(ids[p], f"person {who}", "Sales", d.isoformat())
                 for p, d, who in spec["certifications"]]
        ws.insert_actuals("certifications", certs, [f"c{k}" for k in range(len(certs))])
    return path


def whole_tables(actuals: metrics.Actuals) -> metrics.Actuals:
    """The same snapshot with every table loaded as a frame (the straightforward path)."""
    return dataclasses.replace(actuals, **{k: getattr(actuals, k) for k in KINDS})


def same_frames(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(spec=programs(), as_of_shift=st.sampled_from([0, 1, 15, -1, -40]))
def test_figures_counted_by_sqlite_equal_the_whole_tables(tmp_path_factory, spec, as_of_shift):
    path = build(tmp_path_factory.mktemp("agg") / "w.jbp", spec)
    as_of = END + dt.timedelta(days=as_of_shift)
    with Workspace.open(path) as ws:
        lazy = metrics.Actuals.load(ws)
        assert lazy.frame("logins") is None and lazy.frame("registrations") is None
        card = metrics.scorecard_from(lazy, as_of)
        requests = [(m, int(pid), 2026) for m in metrics.METRICS
                    for pid in lazy.partners["id"]]
        values = metrics.quarterly_values_many(lazy, requests, as_of)
        trends = [metrics.monthly_series(lazy, int(pid), as_of) for pid in lazy.partners["id"]]
        full = whole_tables(lazy)
    assert full.frame("logins") is not None
    same_frames(card, metrics.scorecard_from(full, as_of))
    assert values == [metrics.quarterly_values(full, m, pid, fy, as_of)
                      for m, pid, fy in requests]
    for pid, series in zip(full.partners["id"], trends, strict=True):
        same_frames(series, metrics.monthly_series(full, int(pid), as_of))

    # And the counts are what a plain loop over the rows says.
    through = card.attrs["through"]
    ids = [int(i) for i in full.partners["id"]]
    for kind, rows in (("logins", spec["logins"]), ("registrations", spec["registrations"])):
        t = through[kind]
        for i, pid in enumerate(ids):
            recent = sum(1 for r in rows if r[0] == i and t - dt.timedelta(days=90) < r[1] <= t)
            column = "logins_90d" if kind == "logins" else "registrations_90d"
            assert int(card.loc[card["partner_id"] == pid, column].iloc[0]) == recent


def test_a_snapshot_refuses_to_mix_in_rows_imported_after_it(tmp_path: Path):
    path = build(tmp_path / "w.jbp", {"partners": 2, "logins": [(0, END)],
                                      "registrations": [], "deals": [],
                                      "certifications": []})
    with Workspace.open(path) as ws:
        snapshot = metrics.Actuals.load(ws)
        with ws.transaction():
            pid = int(snapshot.partners["id"].iloc[0])
            ws.insert_actuals("logins", [(pid, END.isoformat(), "late")], ["late"])
        with pytest.raises(StaleSnapshot, match="read them again"):
            metrics.scorecard_from(snapshot, AS_OF)
        fresh = metrics.Actuals.load(ws)
        assert int(metrics.scorecard_from(fresh, END)["logins_90d"].sum()) == 2


def test_a_snapshot_outlives_its_workspace(tmp_path: Path):
    """A snapshot read and then its workspace closed (a worker's connection) still answers,
    through a read-only connection of its own."""
    path = build(tmp_path / "w.jbp", {"partners": 1, "logins": [(0, END), (0, END)],
                                      "registrations": [(0, END, "won")], "deals": [],
                                      "certifications": []})
    with Workspace.open(path) as ws:
        snapshot = metrics.Actuals.load(ws)
    card = metrics.scorecard_from(snapshot, END)
    assert card["logins_90d"].tolist() == [2]
    assert card["registrations_90d"].tolist() == [1]
    assert len(snapshot.logins) == 2
