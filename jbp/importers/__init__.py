"""Importing actuals from CRM, PRM and LMS exports (CSV or XLSX), as the tools write them.

The pipeline, each step a module and a pure function the CLI, the GUI wizard and the tests
call alike:

1. :mod:`.reading` — :func:`read_table` reads the file into text columns: encoding,
   delimiter and the header row are found (report lines above the table and total rows
   below it, as CRM report exports write them, are left out and said so); empty, binary,
   malformed files and duplicate headers are refused with an :class:`ImportFileError`
   naming the file and the reason.
2. :mod:`.mapping` — :func:`guess_mapping` proposes which file column feeds each field of
   the kind (:mod:`.spec` says what each kind needs); :func:`load_mapping` /
   :func:`save_mapping` keep the mapping the user settled on per *source*, with its value
   maps and filters, so next month's file maps in one click.
3. :mod:`.values` — value maps (a column's own texts onto a field's choices: "Reseller
   (Sourced)" → sourced) and row filters (only won deals, completed courses), guessed from
   the values themselves.
4. :mod:`.aliases` — a partner as the source spells it onto a workspace partner; unknown
   names get a "did you mean …?"; confirmed aliases are stored in the workspace.
5. :mod:`.checking` — :func:`prepare` parses every value strictly (:mod:`.parsing`,
   :mod:`.dates`), resolves partners, builds each row's natural key (:mod:`.keys`) and sorts
   rows into new, changed, duplicate, filtered and rejected; its :class:`ValidationReport`
   (:mod:`.report`) begins with what was assumed and lists every bad row.
6. :mod:`.writing` — :func:`commit` writes the rows the user chose to take in one transaction
   (all or nothing) and records the import in the ``imports`` table.

:func:`run_import` chains them for the CLI. A CSV file larger than one chunk
(:data:`.chunked.STREAM_ROWS` rows: millions of portal logins) goes through the same steps
chunk by chunk (:mod:`.chunked` reads it, :mod:`.streaming` surveys it for what needs the
whole file, then checks and writes each chunk in one transaction), holding one chunk. Long steps take a ``state``
(:class:`jbp.progress.Progress`) to report progress and to be cancelled from another thread.

A new kind plugs in with one registration: :func:`register_kind` with a :class:`KindSpec`
(its targets, stored columns, fallback key and, optionally, its own ``commit`` and
``stored_rows`` functions). See ``docs/import.md``.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..progress import Cancelled, Progress
from .spec import (
    CHUNK,
    DATE_FORMATS,
    DECIMALS,
    FALLBACK_KEYS,
    KIND_LABELS,
    KIND_SPECS,
    KINDS,
    SPECS,
    YEAR_RANGE,
    ImportFileError,
    KindSpec,
    Target,
    kind_spec,
    register_kind,
    targets,
)

# The steps load pandas and numpy: they are imported on first use, so that the CLI's
# argument parser (which lists the kinds) starts without them.
_LAZY = {
    "aliases": ("AliasSuggestion", "alias_suggestions", "load_aliases", "save_aliases",
                "resolve_partners"),
    "checking": ("prepare",),
    "chunked": ("is_large_csv",),
    "streaming": ("StreamedImport", "stream_import"),
    "writing": ("IMPORT_CACHE_KIB", "ImportResult", "commit", "past_imports", "run_import"),
    "mapping": ("ColumnMapping", "guess_kind", "guess_mapping", "load_mapping",
                "mapping_for", "mapping_source", "save_mapping", "saved_mappings"),
    "reading": ("RawTable", "normalise", "read_table"),
    "report": ("PreparedImport", "RowError", "ValidationReport"),
    "values": ("Filter", "guess_filters", "guess_value_map"),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}

__all__ = ["CHUNK", "DATE_FORMATS", "DECIMALS", "FALLBACK_KEYS", "KINDS", "KIND_LABELS",
           "KIND_SPECS", "SPECS", "YEAR_RANGE", "Cancelled", "ImportFileError", "KindSpec", "Progress",
           "Target", "kind_spec", "register_kind", "targets", *_HOME]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
