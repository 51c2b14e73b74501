"""Natural keys: what makes a re-import of the same rows count once."""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..progress import Progress
from .seen import HashTable, hashes
from .spec import kind_spec

if TYPE_CHECKING:
    from ..store import Workspace

def _fmt_amount(v: Any) -> str:
    return "" if v is None else f"{float(v):.2f}"


def _natural_keys(kind: str, cols: dict[str, list], n: int,
                  counts: HashTable | None = None) -> list[str]:
    """``ext|<id>`` for rows with a record id; otherwise the fields of FALLBACK_KEYS joined
    by "|", where "#" is the row's occurrence number among rows with the same other fields
    (so two identical logins of a user on one day count twice, and once each on re-import).
    ``counts``: of a file read in chunks, how often each key's other fields (by hash) came
    in the chunks before; the occurrence numbers go on from there (and ``counts`` is kept
    up to date)."""
    ext = cols.get("ext_id")
    if ext is not None and None not in ext:
        return list(map("ext|".__add__, ext))
    spec = kind_spec(kind)
    fields = spec.fallback_key
    parts = []
    for f in fields:
        if f == "#":
            continue
        vals = cols[f]
        if f in ("amount", "value"):
            parts.append([_fmt_amount(v) for v in vals])
        else:
            parts.append(["" if v is None else str(v) for v in vals])
    base = ["|".join(p) for p in zip(*parts, strict=True)] if parts else [""] * n
    if "#" in fields and counts is not None:
        base = _numbered(base, counts)
    elif "#" in fields:
        seen: dict[str, int] = {}
        with_n = []
        for b in base:
            k = seen.get(b, 0)
            seen[b] = k + 1
            with_n.append(f"{b}|{k}")
        base = with_n
    prefix = spec.key_prefix
    if ext is None:
        return [prefix + b for b in base]
    return [f"ext|{e}" if e else prefix + b for e, b in zip(ext, base, strict=True)]


def _numbered(base: list[str], counts: HashTable) -> list[str]:
    """``base|k``: k the occurrence of the base among this chunk's rows and, by ``counts``,
    the earlier chunks' (which are then counted in)."""
    if not base:
        return []
    codes, uniques = pd.factorize(np.asarray(base, dtype=object))
    occurrence = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    keys = hashes(uniques.tolist(), len(uniques))
    _, before = counts.lookup(keys)
    k = before[:, 0][codes] + occurrence
    counts.add(keys, np.bincount(codes, minlength=len(uniques)), accumulate=True)
    return list(map("{}|{}".format, base, k.tolist()))


def _stored_rows(ws: Workspace, kind: str, keys: list[str],
                 state: Progress) -> dict[str, tuple]:
    """The stored values (the kind's column order) of those ``keys`` already in the workspace,
    by natural key (the result may hold other stored keys too)."""
    spec = kind_spec(kind)
    if spec.stored_rows is not None:
        return spec.stored_rows(ws, kind, keys, state)
    if not keys:
        return {}
    stored = ws.rows(f"SELECT count(*) FROM {kind}")[0][0]
    if not stored:  # most imports go into an empty table or add new rows
        return {}
    state.check()
    select = f"SELECT natural_key, {', '.join(spec.columns)} FROM {kind}"
    wanted = keys
    if len(keys) * 2 >= stored:
        # The file is a large share of the table: one pass over the stored keys says which
        # are there at all, far cheaper than looking up each of the file's keys ...
        wanted = list(_stored_keys(ws, kind, stored).intersection(keys))
        if not wanted:
            return {}
        if len(wanted) * 2 >= stored:
            # ... and when most of the table is wanted, one read of it is cheapest.
            state.check()
            return _by_key(ws.rows(select))
    found: dict[str, tuple] = {}
    for i in range(0, len(wanted), 900):
        state.check()
        chunk = wanted[i:i + 900]
        found.update(_by_key(ws.rows(
            f"{select} WHERE natural_key IN ({', '.join('?' * len(chunk))})", tuple(chunk))))
    return found


def _stored_keys(ws: Workspace, kind: str, count: int) -> set[str]:
    """Every natural key stored in actuals table ``kind`` (``count`` rows)."""
    # One text of all keys, split here: a row object per key would cost five times more.
    joined = ws.rows(f"SELECT group_concat(natural_key, char(31)) FROM {kind}")[0][0]
    keys = joined.split("\x1f") if joined else []
    if len(keys) != count:  # a key with the separator in it, or rows added meanwhile
        keys = [r[0] for r in ws.rows(f"SELECT natural_key FROM {kind}")]
    return set(keys)


def _by_key(rows: list) -> dict[str, tuple]:
    """``{natural_key: (the other values...)}`` of rows selected with the key first."""
    return dict(zip(map(operator.itemgetter(0), rows),
                    map(operator.itemgetter(slice(1, None)), rows), strict=True))


def _same(stored: tuple, record: tuple) -> bool:
    for a, b in zip(stored, record, strict=True):
        if isinstance(b, bool):
            a, b = bool(a), b
        if isinstance(b, float) and a is not None:
            if abs(float(a) - b) > 1e-9:
                return False
        elif a != b:
            return False
    return True
