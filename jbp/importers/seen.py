"""What an import streamed in chunks remembers of the rows before the current chunk, in a
bounded structure: 64-bit hashes of texts (natural keys, their parts, distinct values) with a
few integers each, in sorted numpy runs (a handful, merged as they grow: each lookup and
insert costs log time, and the whole file n·log n), about 8 bytes per hash and 8 per payload
where a set of Python strings would take a hundred.

The hashes are Python's own (SipHash of the text); two different texts of one file share a
hash with odds of about n²/2⁶⁵ (3 in a million for 10 million texts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

#: The most hashes one sorted run holds.
MAX_RUN = 1 << 21


def hashes(texts: Iterable[object], count: int = -1) -> np.ndarray:
    """The 64-bit hash of each value (equal values, equal hashes)."""
    return np.fromiter(map(hash, texts), dtype=np.int64, count=count)


class HashTable:
    """A map from 64-bit hashes to ``width`` int64 payload values, kept as sorted runs."""

    def __init__(self, width: int = 0):
        self.width = width
        self._keys: list[np.ndarray] = []
        self._vals: list[np.ndarray] = []  # per run: (len, width) int64

    def __len__(self) -> int:
        return sum(len(k) for k in self._keys)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found mask, payload rows (zeros where not found)) of ``keys``."""
        order = np.argsort(keys)  # sorted needles walk each run once: far fewer misses
        needles = keys[order]
        found = np.zeros(len(keys), dtype=bool)
        vals = np.zeros((len(keys), self.width), dtype=np.int64)
        for run, payload in zip(self._keys, self._vals, strict=True):
            if not len(run) or not len(keys):
                continue
            pos = np.searchsorted(run, needles)
            pos[pos == len(run)] = 0
            hit = run[pos] == needles
            found[order[hit]] = True
            if self.width:
                vals[order[hit]] = payload[pos[hit]]
        return found, vals

    def add(self, keys: np.ndarray, vals: np.ndarray | Sequence | None = None, *,
            accumulate: bool = False) -> None:
        """Insert ``keys`` (distinct) not yet in the table with their payload rows; with
        ``accumulate`` the payload of keys already there is increased by theirs instead."""
        if not len(keys):
            return
        payload = (np.zeros((len(keys), self.width), dtype=np.int64) if vals is None
                   else np.asarray(vals, dtype=np.int64).reshape(len(keys), self.width))
        order = np.argsort(keys, kind="stable")
        keys, payload = keys[order], payload[order]  # sorted: the new run, and fast lookups
        new = np.ones(len(keys), dtype=bool)
        for run, stored in zip(self._keys, self._vals, strict=True):
            if not len(run):
                continue
            pos = np.searchsorted(run, keys)
            pos[pos == len(run)] = 0
            hit = (run[pos] == keys) & new
            if hit.any():
                if accumulate:
                    stored[pos[hit]] += payload[hit]
                new &= ~hit
        if not new.any():
            return
        self._keys.append(keys[new])
        self._vals.append(payload[new])
        # Merge while the newest run is at least half its elder's size: runs grow
        # geometrically, so there are O(log n) of them and each hash is merged O(log n) times.
        # Runs stop growing at MAX_RUN: a merge copies both runs a few times over, and that
        # spike stays small (past it, a lookup looks in one more run per MAX_RUN hashes).
        while (len(self._keys) > 1 and 2 * len(self._keys[-1]) >= len(self._keys[-2])
               and len(self._keys[-1]) + len(self._keys[-2]) <= MAX_RUN):
            k2, v2 = self._keys.pop(), self._vals.pop()
            k1, v1 = self._keys.pop(), self._vals.pop()
            merged = np.concatenate((k1, k2))
            order = np.argsort(merged, kind="stable")  # two sorted runs: timsort merges them
            self._keys.append(merged[order])
            self._vals.append(np.concatenate((v1, v2))[order])
