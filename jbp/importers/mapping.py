"""Column mappings: which file column feeds each field, guessed from the headers or saved
per source in the workspace."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import JbpError
from .reading import RawTable, normalise
from .spec import DATE_FORMATS, DECIMALS, KINDS, SPECS, ImportFileError, Target, targets
from .values import Filter, value_key

if TYPE_CHECKING:
    from ..store import Workspace

# --------------------------------------------------------------------------- mappings


@dataclass
class ColumnMapping:
    """Which file column feeds each field (``columns[field] = header`` or None), how dates
    and decimals are written (keys of :data:`DATE_FORMATS` and :data:`DECIMALS`), the value
    maps (``value_maps[field] = {file text: stored choice}``), the row filters and the
    partner aliases (``{as the file spells it: workspace partner name or id}``).
    ``origin`` says where the mapping came from (shown in the report; not saved)."""

    kind: str
    columns: dict[str, str | None]
    date_format: str = "auto"
    decimal: str = "auto"
    value_maps: dict[str, dict[str, Any]] = field(default_factory=dict)
    filters: list[Filter] = field(default_factory=list)
    aliases: dict[str, str | int] = field(default_factory=dict)
    origin: str = "guessed from the header names"
    #: The mapping file it was read from (None: guessed or saved in the workspace).
    path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "columns": self.columns,
                               "date_format": self.date_format, "decimal": self.decimal}
        if self.value_maps:
            out["value_maps"] = self.value_maps
        if self.filters:
            out["filters"] = [f.to_dict() for f in self.filters]
        if self.aliases:
            out["aliases"] = self.aliases
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict, kind: str | None = None) -> ColumnMapping:
        """From a saved mapping, or from a plain ``{"field": "header"}`` dictionary (which
        may also hold ``date_format``, ``decimal``, ``value_maps``, ``filters`` and
        ``aliases``)."""
        if not isinstance(data, dict):
            raise JbpError("a column mapping must be a JSON object of field → column")
        data = dict(data)
        extra = {k: data.pop(k) for k in ("date_format", "decimal", "value_maps", "filters",
                                          "aliases") if k in data}
        if "columns" in data:
            k = kind or data.get("kind")
            cols = data["columns"]
        else:
            k, cols = kind or data.get("kind"), dict(data)
            cols.pop("kind", None)
        if k not in SPECS:
            raise JbpError(f"the mapping does not say which kind of actuals it is for "
                           f"({k!r})")
        if not isinstance(cols, dict):
            raise JbpError("a column mapping's columns must be an object of field → column")
        known = {t.name: t for t in SPECS[k]}
        unknown = [c for c in cols if c not in known]
        if unknown:
            raise JbpError(f"the mapping names unknown fields {', '.join(unknown)} for {k}; "
                           f"known: {', '.join(sorted(known))}")
        fmt = extra.get("date_format", "auto")
        if fmt not in DATE_FORMATS:
            raise JbpError(f"unknown date format {fmt!r}; use one of "
                           f"{', '.join(DATE_FORMATS)}")
        decimal = extra.get("decimal", "auto")
        if decimal not in DECIMALS:
            raise JbpError(f"unknown decimal separator {decimal!r}; use one of "
                           f"{', '.join(repr(d) for d in DECIMALS)}")
        value_maps: dict[str, dict[str, Any]] = {}
        for name, vmap in (extra.get("value_maps") or {}).items():
            t = known.get(name)
            if t is None or t.type not in ("enum", "bool") or not isinstance(vmap, dict):
                raise JbpError(f"value_maps: {name!r} is not a field with choices of {k}")
            stored = {v for _, v in t.choices} if t.type == "enum" else {True, False}
            out = {}
            for text, v in vmap.items():
                v = _choice(t, v)
                if v not in stored:
                    raise JbpError(f"value_maps.{name}: {text!r} → {v!r} is not one of "
                                   f"{', '.join(sorted(map(str, stored)))}")
                out[value_key(text)] = v
            value_maps[name] = out
        filters = [Filter.from_dict(f) for f in extra.get("filters") or []]
        aliases = extra.get("aliases") or {}
        if not isinstance(aliases, dict):
            raise JbpError('aliases are written {"as the file spells it": "workspace partner"}')
        return cls(k, {t.name: cols.get(t.name) for t in SPECS[k]}, fmt, decimal, value_maps,
                   filters, dict(aliases))

    @classmethod
    def from_file(cls, path: str | Path, kind: str | None = None) -> ColumnMapping:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise ImportFileError(path, f"cannot be read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise ImportFileError(path, "is not a JSON column mapping (not UTF-8 text)") from None
        except json.JSONDecodeError as exc:
            raise ImportFileError(path, f"is not a JSON column mapping ({exc})") from None
        _check_mapping_shape(path, data, kind)
        try:
            mapping = cls.from_dict(data, kind)
        except ImportFileError:
            raise
        except JbpError as exc:
            raise ImportFileError(path, str(exc)) from None
        mapping.origin = f"the mapping file {path.name}"
        mapping.path = path
        return mapping

    def absent(self, headers: Iterable[str]) -> list[tuple[str, str]]:
        """(field label or "filter", column) of every column the mapping names that the
        file does not have."""
        have = set(headers)
        labels = {t.name: t.label for t in SPECS[self.kind]}
        out = [(labels[name], col) for name, col in self.columns.items()
               if col is not None and col not in have]
        out += [("filter", f.column) for f in self.filters if f.column not in have]
        return out

    def missing(self, headers: Iterable[str]) -> list[Target]:
        """Required fields with no column, or mapped to a column the file does not have."""
        have = set(headers)
        return [t for t in SPECS[self.kind]
                if t.required and (self.columns.get(t.name) not in have)]


def guess_mapping(kind: str, headers: list[str]) -> ColumnMapping:
    """Propose a column for each field from the header names: an exact (normalised) match
    of the field's name or a synonym first, then a header containing a synonym's words."""
    specs = targets(kind)
    norm = {h: normalise(h) for h in headers}
    scores: list[tuple[int, int, str, str]] = []
    for ti, t in enumerate(specs):
        names = (normalise(t.name), normalise(t.label), *t.synonyms)
        for h, n in norm.items():
            best = 0
            for rank, syn in enumerate(names):
                if n == syn:
                    best = max(best, 1000 - rank)
                elif t.type != "id" and len(syn) > 3 and re.search(
                        rf"\b{re.escape(syn)}\b", n):
                    best = max(best, 500 - rank - len(n))
            if t.type == "partner" and n in ("partner id", "partner name"):
                best = max(best, 990)
            if best:
                scores.append((best, -ti, t.name, h))
    scores.sort(reverse=True)
    columns: dict[str, str | None] = {t.name: None for t in specs}
    used: set[str] = set()
    for _, _, name, h in scores:
        if columns[name] is None and h not in used:
            columns[name] = h
            used.add(h)
    return ColumnMapping(kind, columns)


def guess_kind(headers: list[str]) -> str:
    """The kind of actuals a file most likely holds: the share of its required fields the
    headers cover first, then the share of the headers it uses (ties: order of
    :data:`KINDS`)."""
    best, best_score = KINDS[0], -1.0
    for kind in KINDS:
        m = guess_mapping(kind, headers)
        req = [t for t in SPECS[kind] if t.required]
        covered = sum(1 for t in req if m.columns[t.name]) / len(req)
        used = sum(1 for v in m.columns.values() if v) / max(1, len(headers))
        score = 10 * covered + used
        if score > best_score:
            best, best_score = kind, score
    return best


def mapping_source(kind: str, table: RawTable) -> str:
    """The default name a mapping is saved under: the kind and the header signature."""
    return f"{kind}:{table.signature}"


def load_mapping(ws: Workspace, source: str) -> ColumnMapping | None:
    rows = ws.rows("SELECT kind, mapping FROM import_mappings WHERE source = ?", (source,))
    if not rows:
        return None
    mapping = ColumnMapping.from_dict(json.loads(rows[0]["mapping"]), rows[0]["kind"])
    mapping.origin = f"the mapping saved in the workspace as {source!r}"
    return mapping


def saved_mappings(ws: Workspace, kind: str | None = None) -> list[tuple[str, str, str]]:
    """(source, kind, updated_at) of every saved mapping, newest first."""
    sql = "SELECT source, kind, updated_at FROM import_mappings"
    args: tuple = ()
    if kind:
        sql += " WHERE kind = ?"
        args = (kind,)
    return [(r[0], r[1], r[2]) for r in ws.rows(sql + " ORDER BY updated_at DESC", args)]


def save_mapping(ws: Workspace, source: str, mapping: ColumnMapping) -> None:
    from ..store import now_iso

    with ws.transaction():
        ws.execute("INSERT OR REPLACE INTO import_mappings (source, kind, mapping, updated_at)"
                   " VALUES (?, ?, ?, ?)", (source, mapping.kind, mapping.to_json(),
                                           now_iso()))


def mapping_for(ws: Workspace, kind: str, table: RawTable,
                source: str | None = None) -> tuple[ColumnMapping, str, bool]:
    """The mapping to start from: the one saved under ``source`` (default: this header
    signature) when there is one, else a guess. Returns (mapping, source, was_saved)."""
    source = source or mapping_source(kind, table)
    saved = load_mapping(ws, source)
    if saved is not None and saved.kind == kind:
        return complete_mapping(saved, table, guessed=False), source, True
    return complete_mapping(guess_mapping(kind, table.headers), table), source, False


def complete_mapping(mapping: ColumnMapping, table: RawTable, *,
                     guessed: bool = True) -> ColumnMapping:
    """Add what the file's values tell: a value map entry for each text of a choice column
    that is not a choice as it stands ("Reseller (Sourced)" → sourced). For a mapping
    ``guessed`` from the headers (not one the user saved or wrote) also: an optional choice
    column whose values mean none of the choices is not mapped, and a status or stage column
    nobody mapped becomes a filter."""
    from .values import guess_filters, guess_value, guess_value_map

    for t in SPECS[mapping.kind]:
        header = mapping.columns.get(t.name)
        if t.type != "enum" or header is None or header not in table.frame.columns:
            continue
        texts = [str(v) for v in table.frame[header].dropna().unique().tolist()]
        known = mapping.value_maps.get(t.name, {})
        if (guessed and not t.required and mapping.path is None and texts and not known
                and not any(guess_value(t, x) is not None for x in texts if x.strip())):
            # An optional column guessed from its header whose values mean none of the
            # field's choices (a CRM's "Type: New Business" is no ARR/one-off): not mapped.
            mapping.columns[t.name] = None
            continue
        new = {k: v for k, v in guess_value_map(t, texts).items() if k not in known}
        if new:
            mapping.value_maps[t.name] = {**known, **new}
    if guessed and not mapping.filters:
        mapped = {c for c in mapping.columns.values() if c}
        mapping.filters = guess_filters(mapping.kind, table.frame, table.headers, mapped)
    return mapping


def _choice(t: Target, v: Any) -> Any:
    """A value map's target as stored: choices as written, yes/no for flags."""
    if t.type == "bool" or all(isinstance(c, bool) for _, c in t.choices):
        if isinstance(v, bool):
            return v
        return {"yes": True, "true": True, "arr": True, "recurring": True, "no": False,
                "false": False, "one-off": False}.get(str(v).strip().lower(), v)
    return str(v).strip().lower()


def _check_mapping_shape(path: Path, data: Any, kind: str | None) -> None:
    """Refuse a mapping file of the wrong shape, naming the file and the field: not an
    object, columns that are not text, or a mapping made for another kind."""
    if not isinstance(data, dict):
        raise ImportFileError(path, "a column mapping is a JSON object of field → column, "
                                    f"not {type(data).__name__}")
    settings = ("kind", "date_format", "decimal", "value_maps", "filters", "aliases")
    columns = data.get("columns", {k: v for k, v in data.items() if k not in settings})
    if not isinstance(columns, dict):
        raise ImportFileError(path, '"columns" must be an object of field → column')
    for name, value in [*columns.items(),
                        *((k, data[k]) for k in ("kind", "date_format", "decimal")
                          if k in data)]:
        if value is not None and not isinstance(value, str):
            raise ImportFileError(path, f"{name}: must be a column name (text), not {value!r}")
    said = data.get("kind")
    if kind is not None and said is not None and said != kind:
        raise ImportFileError(path, f"is a column mapping for {said}, not for {kind} (--kind)")

