"""Value maps and row filters: a column's own texts onto a field's choices, and which rows
count at all.

A CRM writes a partner's role as "Reseller (Sourced)" or "Implementation Partner
(Influenced)", a stage as "Closed Won", an LMS a course status as "In Progress". A *value
map* says, per field, which stored choice each of the file's texts means; a *filter* keeps
only the rows that count (won deals, completed courses). Both are guessed from the values
themselves, shown and edited in the wizard and the mapping file, and saved with the mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .spec import Target


def value_key(text: Any) -> str:
    """How a value is looked up in a value map: trimmed, lower case, inner spaces collapsed."""
    return " ".join(str(text).lower().split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _stem(word: str) -> str:
    return word[:6]


def guess_value(target: Target, text: str) -> Any | None:
    """The stored choice ``text`` most likely means, or None when no choice or more than one
    fits. A text that is a choice (or a synonym) is that choice; otherwise a choice whose
    words all appear in the text (by their first six letters: "Influencer" → influenced)."""
    choices = target.choice_map
    key = value_key(text)
    if key in choices:
        return choices[key]
    words = {_stem(w) for w in _words(text)}
    if not words:
        return None
    found = set()
    for choice, stored in target.choices:
        cw = _words(choice)
        if cw and all(_stem(w) in words for w in cw):
            found.add(stored)
    return found.pop() if len(found) == 1 else None


def guess_value_map(target: Target, texts: list[str]) -> dict[str, Any]:
    """``{value_key(text): stored}`` for each of a column's texts that is not a choice as it
    stands but whose meaning :func:`guess_value` can tell."""
    out: dict[str, Any] = {}
    for text in texts:
        key = value_key(text)
        if not key or key in target.choice_map:
            continue
        v = guess_value(target, text)
        if v is not None:
            out[key] = v
    return out


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filter:
    """Take only the rows whose ``column`` holds one of ``keep`` (compared as
    :func:`value_key`); the others are *filtered out*, counted per value in the report."""

    column: str
    keep: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "keep": list(self.keep)}

    @classmethod
    def from_dict(cls, data: Any) -> Filter:
        from ..errors import JbpError

        if (not isinstance(data, dict) or not isinstance(data.get("column"), str)
                or not isinstance(data.get("keep"), list)):
            raise JbpError('a filter is written {"column": "Stage", "keep": ["Closed Won"]}')
        return cls(data["column"], tuple(str(v) for v in data["keep"]))

    def keeps(self, values: pd.Series) -> pd.Series:
        """Per row: whether the row is taken."""
        wanted = {value_key(v) for v in self.keep}
        keys = values.map(lambda v: value_key("" if v is None else v))
        return keys.isin(wanted)


#: Headers (normalised) of columns that say whether a row counts, per kind, and how to tell
#: a value that counts: (words that must be there, words that must not).
FILTER_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "deals": (("stage", "deal stage", "opportunity stage", "sales stage", "status",
               "opportunity status", "deal status", "won", "is won", "status reason"),
              ("won",), ("lost", "not")),
    "certifications": (("status", "completion status", "enrollment status", "course status",
                        "learning status", "completion", "result", "training status"),
                       ("complet", "passed", "certified", "achieved"),
                       ("not", "incomplete", "progress", "failed", "expired")),
}


def counts_as_taken(kind: str, text: str) -> bool:
    """Whether a status or stage text means the row counts for ``kind`` ("Closed Won" for a
    deal, "Completed" for a certification)."""
    _, yes, no = FILTER_COLUMNS[kind]
    words = _words(text)
    if words in (["true"], ["yes"], ["1"]):
        return True
    joined = " ".join(words)
    return any(y in joined for y in yes) and not any(
        re.search(rf"\b{n}", joined) for n in no)


def guess_filters(kind: str, frame: pd.DataFrame, headers: list[str],
                  mapped: set[str]) -> list[Filter]:
    """A filter for each unmapped status or stage column of the file whose values say which
    rows count (and some rows do not)."""
    from .reading import normalise

    if kind not in FILTER_COLUMNS:
        return []
    names = FILTER_COLUMNS[kind][0]
    out = []
    for h in headers:
        if h in mapped or normalise(h) not in names:
            continue
        values = [v for v in pd.unique(frame[h].map(lambda v: "" if v is None else str(v)))
                  if str(v).strip()]
        keep = [v for v in values if counts_as_taken(kind, v)]
        if keep:
            out.append(Filter(h, tuple(sorted(keep, key=str.lower))))
    return out


def filter_rows(frame: pd.DataFrame, filters: list[Filter]) -> tuple[Any, list[str]]:
    """(mask of rows taken, notes "filtered out: 24 rows with Status = In Progress")."""
    taken, dropped = filter_counts(frame, filters)
    return taken, filter_notes(dropped)


def filter_counts(frame: pd.DataFrame, filters: list[Filter]
                  ) -> tuple[Any, list[tuple[str, str, int]]]:
    """(mask of rows taken, (column, text, rows) of the rows each filter leaves out, most
    rows first)."""
    import numpy as np

    taken = np.ones(len(frame), dtype=bool)
    out = []
    for f in filters:
        if f.column not in frame.columns:
            continue
        values = frame[f.column]
        keeps = f.keeps(values).to_numpy(dtype=bool)
        dropped = values[taken & ~keeps].map(lambda v: "" if v is None else str(v).strip())
        out += [(f.column, str(text), int(n))
                for text, n in dropped.value_counts(sort=True).items()]
        taken &= keeps
    return taken, out


def filter_notes(dropped: list[tuple[str, str, int]]) -> list[str]:
    """The report's notes of :func:`filter_counts`' rows left out."""
    notes = []
    for column, text, n in dropped:
        shown = text if text else "(blank)"
        notes.append(f"filtered out: {n} {'row' if n == 1 else 'rows'} with "
                     f"{column} = {shown}")
    return notes


@dataclass
class ValueSummary:
    """What the wizard's values step shows: per choice field its texts (text, rows, stored
    choice or None); per filter column its values (text, rows, taken); the unknown partner
    texts with suggestions."""

    choices: dict[str, list[tuple[str, int, Any]]]
    filters: dict[str, list[tuple[str, int, bool]]]
    partners: list[Any]


def value_summary(ws: Any, table: Any, mapping: Any, *, guessed: bool = True,
                  counts: dict[str, dict[str, int]] | None = None) -> ValueSummary:
    """The distinct texts of the mapping's choice, filter and partner columns, with what the
    mapping (and its guesses) makes of each. Nothing is written.

    ``counts`` (header → text → rows, :attr:`.two_pass.StreamedCheck.counts`): the rows of
    a column over a whole file of which ``table`` holds only the head; its columns are
    listed and guessed from them instead of the head's."""
    from .aliases import alias_suggestions, load_aliases, resolve_partners
    from .mapping import complete_mapping
    from .spec import SPECS

    if counts:
        table = _with_texts(table, counts)
    mapping = complete_mapping(mapping, table, guessed=guessed)
    choices: dict[str, list[tuple[str, int, Any]]] = {}
    for t in SPECS[mapping.kind]:
        header = mapping.columns.get(t.name)
        if t.type != "enum" or not header:
            continue
        vmap = {**t.choice_map, **mapping.value_maps.get(t.name, {})}
        choices[t.name] = [(text, n, vmap.get(value_key(text)))
                           for text, n in column_counts(table, header, counts).items() if text]
    filters = {}
    for f in mapping.filters:
        keep = {value_key(k) for k in f.keep}
        filters[f.column] = [(text, n, value_key(text) in keep) for text, n in
                             column_counts(table, f.column, counts).items()]
    partners = []
    header = mapping.columns.get("partner")
    if header:
        given = resolve_partners(ws, mapping.aliases) if mapping.aliases else {}
        partners = alias_suggestions(ws, {t: n for t, n in
                                          column_counts(table, header, counts).items() if t},
                                     {**load_aliases(ws), **given})
    return ValueSummary(choices, filters, partners)


def column_counts(table: Any, header: str, counts: dict[str, dict[str, int]] | None = None,
                  ) -> dict[str, int]:
    """Rows per (stripped) text of column ``header``, most rows first: from ``counts`` when
    it has the column (a whole file), else from the table's rows."""
    if counts and header in counts:
        out: dict[str, int] = {}
        for text, n in counts[header].items():
            key = "" if text is None else str(text).strip()
            out[key] = out.get(key, 0) + n
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))
    if header not in table.frame.columns:
        return {}
    return {str(t): int(n) for t, n in table.frame[header].map(
        lambda v: "" if v is None else str(v).strip()).value_counts().items()}


def unseen_texts(table: Any, mapping: Any, counts: dict[str, dict[str, int]],
                 report: Any = None) -> list[tuple[str, str, int]]:
    """(column, text, rows) of the texts a whole file's ``counts`` has in the mapping's
    choice and partner columns that its head ``table`` does not: what a values step shown
    from the head could not map; with a ``report``, only those its rejections name. Most
    rows first."""
    from .spec import SPECS

    headers = [h for t in SPECS[mapping.kind] if t.type in ("enum", "partner")
               and (h := mapping.columns.get(t.name))]
    out = []
    for header in dict.fromkeys(headers):
        if header not in counts:
            continue
        head = set(column_counts(table, header))
        out += [(header, text, n) for text, n in column_counts(table, header, counts).items()
                if text and text not in head]
    if report is not None:
        rejected = {(e.column, str(e.value).strip()) for e in report.errors}
        out = [x for x in out if (x[0], x[1]) in rejected]
    return sorted(out, key=lambda x: -x[2])


def _with_texts(table: Any, counts: dict[str, dict[str, int]]) -> Any:
    """``table`` whose counted columns hold each text of ``counts`` once (what the mapping's
    guesses read: a column's distinct texts), the others the head's."""
    import dataclasses

    import pandas as pd

    texts = {h: list(column_counts(table, h, counts)) for h in counts}
    width = max([len(v) for v in texts.values()] + [len(table.frame)])
    data = {}
    for h in table.frame.columns:
        column = texts.get(h, table.frame[h].tolist())
        data[h] = [*column, *([None] * (width - len(column)))]
    return dataclasses.replace(table, frame=pd.DataFrame(data, columns=table.frame.columns,
                                                         dtype=object))
