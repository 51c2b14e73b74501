"""Importing the partner list and the program costs (kinds ``partners`` and ``costs``).

They reuse the actuals importers' steps (:func:`jbp.importers.read_table`, the column
mapping with its guesses and saved mappings, the :class:`~jbp.importers.ValidationReport`)
and differ where the data differs:

* **partners** (a PRM's or CRM's partner/account list): name, the source's account id,
  type, region, sign-up date, onboarded date, the tier as the PRM holds it, partner
  manager, competencies, churned date. A row is the partner with that account id, else the
  partner with that name (case and spacing aside); a re-import updates what changed (a new
  tier, a new manager) and never adds a partner twice. Columns that are not mapped leave
  the stored values alone. Types and regions accept the usual words of PRM exports
  (:data:`TYPE_WORDS`, :data:`REGION_WORDS`: "VAR" is a Reseller, "Germany" is in EMEA).
* **costs** (month, category, amount, optional partner; :mod:`jbp.import_costs`): each
  (month, category, partner) in the file *replaces* what is stored for it, so a corrected
  cost file imported again is counted once. Rows of the same month and category add up.

Amounts must be in the workspace currency: an amount written with another currency's code
or symbol, or a currency column naming another currency, rejects the row with the column
and the currency named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import importers as imp
from . import store
from .commands import Editor
from .errors import JbpError
from .import_cells import (
    PreparedList,
    as_date,
    assumptions,
    blank,
    cell_text,
    choice,
    column_cells,
    detect_date_format,
    format_name,
)
from .import_costs import COST_TARGETS, prepare_costs
from .model import PARTNER_TYPES, REGIONS, Partner
from .store import Workspace

Target = imp.Target
IMPORT_EDITOR = Editor("Partner-list import", "vendor")
KIND_LABELS = {"partners": "Partners", "costs": "Program costs"}

TYPE_WORDS: dict[str, str] = {
    **{w: "Reseller" for w in ("reseller", "var", "value added reseller",
                               "value-added reseller", "solution provider", "distributor",
                               "distribution", "resale", "channel reseller")},
    **{w: "SI" for w in ("si", "system integrator", "systems integrator", "gsi",
                         "global system integrator", "consulting", "consultancy",
                         "consulting partner", "services partner", "integrator")},
    **{w: "MSP" for w in ("msp", "managed service provider", "managed services",
                          "mssp", "managed security service provider", "cloud msp")},
    **{w: "ISV" for w in ("isv", "technology", "technology partner", "tech partner",
                          "technology alliance", "software vendor", "alliance", "oem")},
    **{w: "Referral" for w in ("referral", "referral partner", "agent", "affiliate",
                               "influencer", "referral agent")},
}
REGION_WORDS: dict[str, str] = {
    **{w: "North America" for w in (
        "north america", "na", "amer", "noram", "us", "usa", "united states",
        "united states of america", "canada", "us & canada")},
    **{w: "EMEA" for w in (
        "emea", "europe", "eu", "uk", "united kingdom", "great britain", "ireland",
        "germany", "deutschland", "france", "netherlands", "belgium", "spain", "italy",
        "sweden", "norway", "denmark", "finland", "switzerland", "austria", "poland",
        "portugal", "israel", "united arab emirates", "uae", "south africa", "dach",
        "nordics", "benelux", "middle east", "africa")},
    **{w: "APAC" for w in (
        "apac", "asia pacific", "asia-pacific", "asia", "anz", "australia",
        "new zealand", "japan", "singapore", "india", "china", "hong kong", "korea",
        "south korea", "malaysia", "indonesia", "philippines", "thailand", "vietnam")},
    **{w: "LATAM" for w in (
        "latam", "latin america", "south america", "brazil", "brasil", "mexico",
        "argentina", "chile", "colombia", "peru", "central america")},
}
PARTNER_TARGETS: tuple[Target, ...] = (
    Target("name", "Partner name", "text", True, (
        "partner name", "account name", "company", "company name", "partner",
        "organization name", "organisation name", "name", "partner account",
        "partner company", "account", "partner account name", "partner company name",
        "partner organization name", "partner organisation name", "partner display name",
        "account display name", "legal name", "company legal name")),
    Target("source_id", "Account ID", "id", False, (
        "account id", "partner id", "id", "record id", "account number", "partner number",
        "external id", "crm id", "prm id", "18 digit account id", "account id 18",
        "partner key", "company id")),
    Target("type", "Partner type", "enum", True, (
        "partner type", "type", "account type", "partner category", "business type",
        "program type", "partnership type", "category")),
    Target("region", "Region", "enum", True, (
        "region", "partner region", "territory", "geo", "geography", "theater", "theatre",
        "country", "billing country", "hq country", "market")),
    Target("signup_date", "Sign-up date", "date", True, (
        "sign up date", "signup date", "partner since", "joined", "join date",
        "joined date", "enrollment date", "enrolment date", "application date",
        "created date", "created", "date joined", "start date", "agreement date")),
    Target("activated_on", "Onboarded date", "date", False, (
        "onboarded date", "onboarded", "onboarding completed", "onboarding complete date",
        "activated", "activation date", "activated date", "approved date",
        "approval date", "go live date", "live date")),
    Target("tier", "Tier", "text", False, (
        "tier", "partner tier", "partner level", "level", "program tier", "program level",
        "status level")),
    Target("manager", "Partner manager", "text", False, (
        "partner manager", "channel manager", "partner account manager", "pam",
        "account owner", "owner", "partner owner", "account manager", "cam",
        "channel account manager")),
    Target("competencies", "Competencies", "text", False, (
        "competencies", "competency", "specializations", "specialisations",
        "specialization", "certifications", "designations", "solution areas",
        "expertise")),
    Target("churned_on", "Churned date", "date", False, (
        "churned date", "churned", "churn date", "terminated", "termination date",
        "deactivated", "deactivation date", "end date", "left program", "exit date",
        "inactive date")),
)

def register() -> None:
    """Make ``partners`` and ``costs`` known to the importers' mapping functions (the column
    mapping, its guesses and saved mappings). Idempotent."""
    imp.SPECS.setdefault("partners", PARTNER_TARGETS)
    imp.SPECS.setdefault("costs", COST_TARGETS)
    labels = getattr(imp, "KIND_LABELS", None)
    if isinstance(labels, dict):
        for k, v in KIND_LABELS.items():
            labels.setdefault(k, v)


register()

KINDS = tuple(KIND_LABELS)


def guess_kind(headers: list[str]) -> str:
    """What a file most likely holds, the partner list and costs included: the share of a
    kind's required fields the headers cover first, then the share of the headers it uses
    (the actuals importers' rule, :func:`jbp.importers.guess_kind`, over every kind)."""
    best, best_score = imp.KINDS[0], -1.0
    for kind in (*imp.KINDS, *KINDS):
        m = imp.guess_mapping(kind, headers)
        req = [t for t in imp.targets(kind) if t.required]
        covered = sum(1 for t in req if m.columns[t.name]) / len(req)
        used = sum(1 for v in m.columns.values() if v) / max(1, len(headers))
        score = 10 * covered + used
        if score > best_score:
            best, best_score = kind, score
    return best


# --------------------------------------------------------------------------- prepare


def prepare(ws: Workspace, table: imp.RawTable, mapping: imp.ColumnMapping) -> PreparedList:
    """Parse and check every row of a partner list or a cost file; nothing is written."""
    if mapping.kind not in KINDS:
        raise JbpError(f"{mapping.kind!r} is not a partner list or cost file")
    missing = mapping.missing(table.headers)
    if missing:
        names = ", ".join(t.label for t in missing)
        found = ", ".join(repr(h) for h in table.headers[:12])
        raise imp.ImportFileError(table.path, f"no column for {names} in this "
                                              f"{KIND_LABELS[mapping.kind].lower()} export; "
                                              f"the file's columns are: {found}. Map them in "
                                              "the column-mapping step (or --mapping)")
    if mapping.kind == "partners":
        return _prepare_partners(ws, table, mapping)
    return prepare_costs(ws, table, mapping)


def _date_formats(cells: dict[str, list[Any]], mapping: imp.ColumnMapping,
                  path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Each date column's format and why. A column whose every date reads both day/month
    and month/day (01/09/2023) takes the slash format the file's other date columns
    decided; when none did, the import is refused until the mapping says."""
    formats: dict[str, str] = {}
    notes: dict[str, str] = {}
    for t in PARTNER_TARGETS:
        if t.type == "date" and t.name in cells:
            formats[t.name], notes[t.name] = detect_date_format(
                cells[t.name], mapping.date_format, mapping.columns[t.name] or t.label, path,
                ambiguous="none")
    decided = {f for f in formats.values() if f in ("%d/%m/%Y", "%m/%d/%Y")}
    for name, fmt in formats.items():
        if fmt:
            continue
        if len(decided) != 1:
            raise imp.ImportFileError(path, f"the dates of column {mapping.columns[name]!r} "
                                            "read both as MM/DD/YYYY and DD/MM/YYYY; choose "
                                            "the date format in the mapping")
        formats[name] = next(iter(decided))
        notes[name] = (f"{format_name(formats[name])} (every value fits either way; decided "
                       "by the file's other date columns)")
    return formats, notes


def _prepare_partners(ws: Workspace, table: imp.RawTable,
                      mapping: imp.ColumnMapping) -> PreparedList:
    cells = column_cells(table, mapping)
    report = imp.ValidationReport(file=table.path.name, kind="partners",
                                  rows=len(table.frame), notes=list(table.notes))
    prepared = PreparedList("partners", str(table.path), report, mapping)
    formats, notes = _date_formats(cells, mapping, table.path)
    report.assumed = assumptions(table, mapping, notes)
    tiers = {t.name.lower(): t.name for t in ws.program().tiers}
    odd_tiers: dict[str, int] = {}
    seen: dict[str, tuple[int, dict]] = {}
    names: dict[str, tuple[int, str]] = {}  # name key → (first row, its account id)
    for i, row_no in enumerate(table.rows.tolist()):
        errors: list[imp.RowError] = []

        def bad(name: str, value: Any, reason: str, _errors=errors, _row=row_no) -> None:
            _errors.append(imp.RowError(int(_row), mapping.columns[name] or name,
                                        cell_text(value), reason))

        values: dict[str, Any] = {}
        for t in PARTNER_TARGETS:
            if t.name not in cells:
                continue
            raw = cells[t.name][i]
            if blank(raw):
                if t.required:
                    bad(t.name, raw, "a value is required")
                values[t.name] = None
                continue
            if t.type == "date":
                d = as_date(raw, formats[t.name])
                if d is None or not (imp.YEAR_RANGE[0] <= d.year <= imp.YEAR_RANGE[1]):
                    bad(t.name, raw, f"{cell_text(raw)!r} is not a date "
                                     f"(expected {format_name(formats[t.name])})")
                values[t.name] = d
            elif t.name == "type":
                values["type"] = choice(TYPE_WORDS, PARTNER_TYPES, raw)
                if values["type"] is None:
                    bad("type", raw, f"{cell_text(raw)!r} is not a partner type the program knows "
                                     f"({', '.join(PARTNER_TYPES)})")
            elif t.name == "region":
                values["region"] = choice(REGION_WORDS, REGIONS, raw)
                if values["region"] is None:
                    bad("region", raw, f"{cell_text(raw)!r} is not a region or a country of one "
                                       f"({', '.join(REGIONS)})")
            elif t.name == "competencies":
                parts = [p.strip() for p in re.split(r"[;,|]", cell_text(raw)) if p.strip()]
                values[t.name] = "; ".join(parts)
            elif t.name == "tier":
                text = cell_text(raw)
                values["tier"] = tiers.get(text.lower(), text)
                if text.lower() not in tiers:
                    odd_tiers[text] = odd_tiers.get(text, 0) + 1
            else:
                values[t.name] = cell_text(raw)
        if errors:
            report.errors.extend(errors)
            continue
        key = f"id|{values['source_id']}" if values.get("source_id") else \
            f"name|{store.name_key(values['name'])}"
        if key in seen:
            first_row, first = seen[key]
            if first == values:
                report.in_file_duplicates += 1
            else:
                bad("source_id" if key.startswith("id|") else "name",
                    values.get("source_id") or values["name"],
                    f"repeats the partner of row {first_row} with other values")
                report.errors.extend(errors)
            continue
        seen[key] = (int(row_no), values)
        # Partner names are distinct in the workspace (case and spacing aside): a CRM's
        # subsidiaries of one name are refused here, naming the row that has it first.
        name_at = names.setdefault(store.name_key(values["name"]),
                                   (int(row_no), values.get("source_id") or ""))
        if name_at[0] != int(row_no):
            bad("name", values["name"],
                f"row {name_at[0]} has a partner of this name"
                + (f" (account id {name_at[1]!r})" if name_at[1] else "")
                + "; partner names must differ: rename one in the file")
            report.errors.extend(errors)
            continue
        stored = None
        if values.get("source_id"):
            stored = store.partner_by_source_id(ws, values["source_id"])
            other = store.partner_id_by_name(ws, values["name"])
            if stored is not None and other is not None and other != stored.id:
                held = store.partner_full(ws, other)
                bad("name", values["name"],
                    f"the stored partner {held.name!r}"
                    + (f" (account id {held.source_id!r})" if held.source_id else "")
                    + " has this name; partner names must differ: rename one")
                report.errors.extend(errors)
                continue
        if stored is None:
            pid = store.partner_id_by_name(ws, values["name"])
            stored = store.partner_full(ws, pid) if pid is not None else None
            if (stored is not None and stored.source_id and values.get("source_id")
                    and stored.source_id != values["source_id"]):
                bad("source_id", values["source_id"],
                    f"a partner named {stored.name!r} is stored with account id "
                    f"{stored.source_id!r}")
                report.errors.extend(errors)
                continue
        try:
            if stored is None:
                partner = Partner(**{k: v for k, v in values.items() if v is not None or
                                     k in ("activated_on", "churned_on")})
                partner = partner.replace(name=store.tidy_name(partner.name))
            else:
                changes = {k: v for k, v in values.items()
                           if getattr(stored, k) != v and not (v is None and k not in (
                               "activated_on", "churned_on"))}
                partner = stored.replace(**changes)
        except JbpError as exc:  # cross-field rules (churned before sign-up, ...)
            field_name = getattr(exc, "field", "") or ""
            target = next((t.name for t in PARTNER_TARGETS if t.label == field_name
                           or Partner.field(t.name).label == field_name), "name")
            bad(target if target in cells else "name", "", str(getattr(exc, "reason", exc)))
            report.errors.extend(errors)
            continue
        if stored is None:
            prepared.new.append(partner)
            prepared.new_rows.append(int(row_no))
        elif partner != stored:
            prepared.updates.append((stored, partner))
            prepared.update_rows.append(int(row_no))
        else:
            report.duplicates += 1
    report.errors.sort(key=lambda e: e.row)
    report.new, report.changed = len(prepared.new), len(prepared.updates)
    for text, n in sorted(odd_tiers.items()):
        report.notes.append(f"tier {text!r} ({n} rows) is not one of the program's tiers; "
                            "kept as the source holds it (the scorecard computes the tier "
                            "by the program's rules)")
    return prepared


# --------------------------------------------------------------------------- commit


@dataclass(frozen=True)
class ListImportResult:
    import_id: int
    kind: str
    file: str
    inserted: int
    updated: int
    duplicates: int
    rejected: int

    def text(self) -> str:
        what = "partners" if self.kind == "partners" else "month-and-category costs"
        return (f"Imported {self.inserted} new and updated {self.updated} changed {what} "
                f"from {Path(self.file).name}; {self.duplicates} unchanged, "
                f"{self.rejected} rows rejected.")


def commit(ws: Workspace, prepared: PreparedList, *, allow_rejected: bool = True,
           skip_rows: Any = (), source: str | None = None,
           editor: Editor = IMPORT_EDITOR) -> ListImportResult:
    """Write the new and changed partners (or costs) in one transaction with a row in
    ``imports``, the change log's rows and the mapping saved under ``source``."""
    report = prepared.report
    if report.errors and not allow_rejected:
        raise JbpError(f"{report.file}: {report.rejected} rows were rejected; nothing was "
                       "imported")
    skip = set(skip_rows)
    new = [x for x, r in zip(prepared.new, prepared.new_rows, strict=True) if r not in skip]
    updates = [x for x, r in zip(prepared.updates, prepared.update_rows, strict=True)
               if r not in skip]
    with ws.transaction():
        cur = ws.execute("INSERT INTO imports (kind, file, imported_at, rows_taken, "
                         "rows_rejected, rows_duplicate) VALUES (?, ?, ?, ?, ?, ?)",
                         (prepared.kind, prepared.file, store.now_iso(),
                          len(new) + len(updates), report.rejected + len(skip),
                          report.duplicates + report.in_file_duplicates))
        assert cur.lastrowid is not None  # set by the INSERT
        import_id = int(cur.lastrowid)
        if prepared.kind == "partners":
            for p in new:
                pid = store.insert_partner(ws, p)
                store.add_program_revision(ws, editor.author, editor.side, "partner", pid,
                                           "*", None, {f.name: f.to_store(getattr(p, f.name))
                                                       for f in Partner.FIELDS}, "import")
            for old, p in updates:
                store.write_partner(ws, p)
                for f in Partner.FIELDS:
                    a, b = getattr(old, f.name), getattr(p, f.name)
                    if a != b:
                        store.add_program_revision(ws, editor.author, editor.side, "partner",
                                                   p.id, f.name, f.to_store(a), f.to_store(b),
                                                   "import")
        else:
            for (month, category, pid), amount in [*new, *updates]:
                ws.execute("DELETE FROM program_costs WHERE month = ? AND category = ? AND "
                           "partner_id IS ?", (month, category, pid))
                ws.execute("INSERT INTO program_costs (month, category, amount, partner_id) "
                           "VALUES (?, ?, ?, ?)", (month, category, amount, pid))
        if source:
            imp.save_mapping(ws, source, prepared.mapping)
    ws.notify("partners" if prepared.kind == "partners" else "actuals")
    return ListImportResult(import_id, prepared.kind, prepared.file, len(new), len(updates),
                            report.duplicates + report.in_file_duplicates,
                            report.rejected + len(skip))


def run_import(ws: Workspace, path: str | Path, kind: str, *,
               mapping: imp.ColumnMapping | None = None, source: str | None = None,
               dry_run: bool = False, allow_rejected: bool = False, sheet: str | None = None
               ) -> tuple[imp.ValidationReport, ListImportResult | None]:
    """Read, map, validate and (unless ``dry_run``) commit a partner list or cost file."""
    if kind not in KINDS:
        raise JbpError(f"unknown kind {kind!r}; choose one of: {', '.join(KINDS)}")
    table = imp.read_table(path, sheet=sheet)
    if mapping is None:
        mapping, source, _ = imp.mapping_for(ws, kind, table, source)
    else:
        source = source or imp.mapping_source(kind, table)
    prepared = prepare(ws, table, mapping)
    if dry_run or (prepared.report.errors and not allow_rejected):
        return prepared.report, None
    return prepared.report, commit(ws, prepared, allow_rejected=allow_rejected,
                                   source=source)
