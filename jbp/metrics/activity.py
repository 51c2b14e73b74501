"""Per-partner sums of the actuals, counted where the data lives.

The scorecard needs, of the large activity tables (logins, registrations), only a few
numbers per partner: the rows in two 90-day windows and the date of the last row. Loading
ten million login rows into pandas to count them cost 4 GB and most of a minute at 20,000
partners; SQLite counts them in one pass over the ``(partner_id, date)`` index, and a bound
KPI or a trend chart reads one partner's rows through the same index.

Each function here answers from the snapshot's frame when the kind is loaded
(:meth:`jbp.metrics.Actuals.frame`) and from :class:`ActivitySource` otherwise, with the
same rule: a window of ``days`` ending ``offset`` days before ``t`` holds the rows dated in
``(t - offset - days, t - offset]`` (ISO dates compare as their text does, so the SQL and
the pandas comparisons agree, time of day included).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import JbpError
from ..kinds import KINDS

if TYPE_CHECKING:
    from ..store import Workspace
    from .snapshot import Actuals

#: Partner ids per ``IN (...)`` query (SQLite's default limit of host parameters is 32,766;
#: stay well under it).
_IDS_PER_QUERY = 900


class StaleSnapshot(JbpError):
    """The workspace took new actuals after this snapshot was read: read it again."""


class ActivitySource:
    """Where a snapshot reads the kinds it did not load: the workspace it was read from.

    It reads through the workspace's own connection while that is open (so a read inside an
    import's transaction sees the rows just written) and through a read-only connection of
    its own after the workspace was closed. ``mark`` fingerprints the actuals when the
    snapshot was read; a later read that finds them changed raises :class:`StaleSnapshot`.
    """

    def __init__(self, ws: Workspace, kinds: Sequence[str]):
        self._ws = ws
        self.path = ws.path
        self.kinds = tuple(kinds)
        with self._read() as conn:
            self.mark = self._fingerprint(conn)
            self._spans = {k: self._span(conn, k) for k in self.kinds}

    # ------------------------------------------------------------------ reading

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        if self._ws.is_open:
            with self._ws.read() as conn:
                yield conn
            return
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("BEGIN")
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _checked(self) -> Iterator[sqlite3.Connection]:
        with self._read() as conn:
            if self._fingerprint(conn) != self.mark:
                raise StaleSnapshot(
                    f"{self.path.name}: actuals were imported after these figures were read; "
                    "read them again")
            yield conn

    def _fingerprint(self, conn: sqlite3.Connection) -> tuple:
        # The newest row of each table (its rowid: a lookup, not a scan) and the imports.
        parts = ", ".join(f"(SELECT max(id) FROM {k})" for k in self.kinds)
        return tuple(conn.execute(
            f"SELECT (SELECT count(*) FROM imports), (SELECT max(id) FROM imports), {parts}"
        ).fetchone())

    @staticmethod
    def _span(conn: sqlite3.Connection, kind: str) -> tuple[int, dt.date | None,
                                                           dt.date | None]:
        col = KINDS[kind].date_column
        n, lo, hi = conn.execute(
            f"SELECT count(*), min({col}), max({col}) FROM {kind}").fetchone()
        day = lambda v: dt.date.fromisoformat(str(v)[:10]) if v else None  # noqa: E731
        return int(n), day(lo), day(hi)

    def span(self, kind: str) -> tuple[int, dt.date | None, dt.date | None]:
        """(rows, first day, last day) of ``kind`` when the snapshot was read."""
        return self._spans[kind]

    def frame(self, kind: str) -> pd.DataFrame:
        """The whole table ``kind`` (what ``Workspace.actuals`` returns)."""
        from ..store import read_actuals

        with self._checked() as conn:
            return read_actuals(conn, kind)

    def partner_rows(self, kind: str, partner_ids: list[int]) -> pd.DataFrame:
        """The rows of ``partner_ids`` in table ``kind``, in stored order."""
        from ..store import read_actuals

        parts = []
        with self._checked() as conn:
            for i in range(0, len(partner_ids), _IDS_PER_QUERY):
                parts.append(read_actuals(conn, kind, partner_ids[i:i + _IDS_PER_QUERY]))
        if len(parts) == 1:
            return parts[0]
        return pd.concat(parts, ignore_index=True)

    def window_counts(self, kind: str, through: dt.date,
                      windows: Sequence[tuple[int, int]]) -> tuple[list[pd.Series], pd.Series]:
        """Rows per partner in each ``(days, offset)`` window ending ``through``, and each
        partner's last date on or before ``through``.

        One statement; per partner each figure is a seek into the ``(partner_id, date)``
        index and a walk over that partner's rows inside the window, so the work grows with
        the rows in the windows, not with the table (two years of logins)."""
        col = KINDS[kind].date_column
        sums, args = [], []
        for days, offset in windows:
            hi = through - dt.timedelta(days=offset)
            sums.append(f"(SELECT count(*) FROM {kind} WHERE partner_id = p.id "
                        f"AND {col} > ? AND {col} <= ?)")
            args += [(hi - dt.timedelta(days=days)).isoformat(), hi.isoformat()]
        sums.append(f"(SELECT max({col}) FROM {kind} WHERE partner_id = p.id AND {col} <= ?)")
        args.append(through.isoformat())
        sql = f"SELECT p.id, {', '.join(sums)} FROM partners p"
        with self._checked() as conn:
            rows = conn.execute(sql, args).fetchall()
        ids = pd.Index([r[0] for r in rows], name="partner_id")
        counts = [pd.Series([r[1 + i] for r in rows], index=ids, dtype="int64")
                  for i in range(len(windows))]
        last = pd.Series(pd.to_datetime([r[-1] for r in rows], format="ISO8601"), index=ids)
        return counts, last.dropna()


# --------------------------------------------------------------------------- per partner


def partner_rows(actuals: Actuals, kind: str, partner_id: int) -> pd.DataFrame:
    """The rows of one partner in actuals ``kind`` (in stored order)."""
    key = ("rows", kind)
    groups = actuals.cache.get(key)
    if groups is None:
        groups = actuals.cache[key] = {}
        frame = actuals.frame(kind)
        if frame is not None:
            # One pass: every partner's rows at once, then each KPI reads only its own.
            groups.update(dict(tuple(frame.groupby("partner_id", sort=False))))
            groups["complete"] = True
    if partner_id not in groups:
        if groups.get("complete"):
            frame = actuals.frame(kind)
            assert frame is not None
            return frame.iloc[0:0]
        prefetch_partners(actuals, kind, [partner_id])
    return groups[partner_id]


def prefetch_partners(actuals: Actuals, kind: str, partner_ids: list[int]) -> None:
    """Read the rows of ``partner_ids`` of a kind left in the workspace in one query per
    chunk (the bound KPIs of every plan, before their values are measured)."""
    key = ("rows", kind)
    groups = actuals.cache.setdefault(key, {})
    if groups.get("complete") or actuals.source is None:
        return
    wanted = sorted({int(p) for p in partner_ids} - set(groups))
    if not wanted:
        return
    rows = actuals.source.partner_rows(kind, wanted)
    found = dict(tuple(rows.groupby("partner_id", sort=False)))
    for pid in wanted:
        groups[pid] = found.get(pid, rows.iloc[0:0])


# --------------------------------------------------------------------------- windows


def window_counts(actuals: Actuals, kind: str, through: dt.date,
                  windows: Sequence[tuple[int, int]], idx: pd.Index) -> list[pd.Series]:
    """Rows per partner of ``idx`` (0 for none) in each ``(days, offset)`` window ending
    ``through``: the rows dated in ``(through - offset - days, through - offset]``."""
    frame = actuals.frame(kind)
    if frame is None:
        assert actuals.source is not None
        counts, last = actuals.source.window_counts(kind, through, windows)
        actuals.cache[("last", kind, through)] = last
    else:
        col = KINDS[kind].date_column
        dates = frame[col]
        counts = []
        for days, offset in windows:
            hi = pd.Timestamp(through) - pd.Timedelta(days=offset)
            lo = hi - pd.Timedelta(days=days)
            mine = frame[(dates > lo) & (dates <= hi)]
            counts.append(mine.groupby("partner_id").size())
    return [c.reindex(idx).fillna(0).astype(int) for c in counts]


def last_dates(actuals: Actuals, kind: str, upto: dt.date, idx: pd.Index) -> pd.Series:
    """Each partner's last date in ``kind`` on or before ``upto`` (NaT for none)."""
    cached = actuals.cache.get(("last", kind, upto))
    if cached is None:
        frame = actuals.frame(kind)
        if frame is None:
            assert actuals.source is not None
            _, cached = actuals.source.window_counts(kind, upto, [])
        else:
            col = KINDS[kind].date_column
            mine = frame[frame[col] <= pd.Timestamp(upto)]
            cached = mine.groupby("partner_id")[col].max()
        actuals.cache[("last", kind, upto)] = cached
    return cached.reindex(idx)

