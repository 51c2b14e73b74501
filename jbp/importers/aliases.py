"""Partner aliases: a partner as the source spells it ("ACME Integration Ltd", an account
id) onto a workspace partner.

A name is resolved, in order, by: an alias confirmed before (stored in the workspace, table
``partner_aliases``) or given with this import (the mapping's ``aliases``, ``--alias``); the
workspace partner's own name (case and spacing ignored); its id. An unknown name is a row
error with a "did you mean …?" from a fuzzy match; nothing is matched silently.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .values import value_key

if TYPE_CHECKING:
    from ..store import Workspace

#: Words a company name carries that say nothing about which company it is.
_LEGAL = {"ltd", "limited", "inc", "incorporated", "llc", "gmbh", "ag", "sa", "sas", "bv",
          "plc", "corp", "corporation", "co", "company", "group", "holdings", "the", "pty",
          "srl", "spa", "oy", "ab", "as", "kg", "nv", "llp", "sarl"}
#: Lowest similarity (0-1) a suggestion must have.
MIN_SCORE = 0.6


def _core(name: str) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _LEGAL]
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    """0-1: how alike two company names are, legal words ("Ltd", "GmbH") left out; a name
    whose words all start the other ("Acme" in "Acme Ltd") scores at least 0.8, one with the
    same first word at least 0.75."""
    ca, cb = _core(a), _core(b)
    if not ca or not cb:
        return 0.0
    score = difflib.SequenceMatcher(None, ca, cb).ratio()
    wa, wb = ca.split(), cb.split()
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if long_[:len(short)] == short:
        score = max(score, 0.8 + 0.2 * len(short) / len(long_))
    elif wa[0] == wb[0] and len(wa[0]) > 2:
        # The brand comes first: "ACME Integration Ltd" is nearer "Acme Cloud Partners"
        # than "Northwind Integration".
        score = max(score, 0.75 + 0.05 * difflib.SequenceMatcher(None, ca, cb).ratio())
    return score


@dataclass(frozen=True)
class AliasSuggestion:
    """An unknown partner text, the rows that carry it, and the workspace partners it may
    mean (``(name, partner id, similarity 0-1)``, best first)."""

    spelled: str
    rows: int
    suggestions: tuple[tuple[str, int, float], ...]

    @property
    def best(self) -> tuple[str, int, float] | None:
        return self.suggestions[0] if self.suggestions else None


class Suggester:
    """Finds the workspace partners a name may mean, best first. Names are compared only
    with partners that share a word with it (an index built once), else with the names
    difflib finds close: a workspace of 20,000 partners is not compared pair by pair."""

    def __init__(self, partners: list[tuple[int, str]]):
        self.partners = partners
        self.cores = {pid: _core(name) for pid, name in partners}
        self.by_word: dict[str, list[int]] = {}
        for pid, core in self.cores.items():
            for w in set(core.split()):
                self.by_word.setdefault(w, []).append(pid)
        self.by_core: dict[str, list[int]] = {}
        for pid, core in self.cores.items():
            self.by_core.setdefault(core, []).append(pid)
        self.names = dict(partners)

    def __call__(self, name: str, limit: int = 3) -> tuple[tuple[str, int, float], ...]:
        core = _core(name)
        candidates = {pid for w in core.split() for pid in self.by_word.get(w, ())}
        if not candidates:
            close = difflib.get_close_matches(core, list(self.by_core), n=limit,
                                              cutoff=MIN_SCORE)
            candidates = {pid for c in close for pid in self.by_core[c]}
        scored = sorted(((similarity(name, self.names[pid]), pid) for pid in candidates),
                        key=lambda x: (-x[0], self.names[x[1]]))
        return tuple((self.names[pid], pid, round(sc, 2)) for sc, pid in scored[:limit]
                     if sc >= MIN_SCORE)


def suggest(name: str, partners: list[tuple[int, str]], limit: int = 3
            ) -> tuple[tuple[str, int, float], ...]:
    """The workspace partners ``name`` may mean, best first (see :class:`Suggester`)."""
    return Suggester(partners)(name, limit)


def load_aliases(ws: Workspace) -> dict[str, int]:
    """``{value_key(spelled): partner id}`` of every confirmed alias."""
    from ..store import partner_aliases

    return partner_aliases(ws)


def save_aliases(ws: Workspace, aliases: dict[str, int]) -> None:
    """Store confirmed aliases (``{spelled: partner id}``); call inside a transaction."""
    from ..store import save_partner_aliases

    save_partner_aliases(ws, aliases)


def resolve_partners(ws: Workspace, given: dict[str, str | int]) -> dict[str, int]:
    """The aliases of a mapping or the command line (``{spelled: partner name or id}``) as
    ``{value_key(spelled): partner id}``; a target that is no workspace partner is an
    error naming it."""
    from ..errors import JbpError

    partners = ws.rows("SELECT id, name FROM partners")
    by_name = {value_key(n): pid for pid, n in partners}
    ids = {pid for pid, _ in partners}
    out = {}
    for spelled, target in given.items():
        pid = by_name.get(value_key(target))
        if pid is None and str(target).strip().isdigit() and int(target) in ids:
            pid = int(target)
        if pid is None:
            near = suggest(str(target), [(p, n) for p, n in partners], 1)
            hint = f"; did you mean {near[0][0]!r}?" if near else ""
            raise JbpError(f"alias {spelled!r} → {target!r}: no such partner in this "
                           f"workspace{hint}")
        out[value_key(spelled)] = pid
    return out


def alias_suggestions(ws: Workspace, texts: dict[str, int],
                      aliases: dict[str, int] | None = None) -> list[AliasSuggestion]:
    """For each partner text of a file (``{text: rows}``) that no partner name, id or alias
    resolves: the partners it may mean."""
    partners = [(pid, name) for pid, name in ws.rows("SELECT id, name FROM partners")]
    known = {value_key(n) for _, n in partners} | set(aliases or {})
    ids = {str(pid) for pid, _ in partners}
    out = []
    find = Suggester(partners)
    for text, rows in texts.items():
        key = value_key(text)
        if not key or key in known or re.sub(r"\.0$", "", key) in ids:
            continue
        out.append(AliasSuggestion(text, rows, find(text)))
    return sorted(out, key=lambda s: (-s.rows, s.spelled.lower()))
