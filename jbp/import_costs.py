"""Program costs from a finance export (kind ``costs``): month, category, amount, optional
partner, optional currency. Each (month, category, partner) in the file replaces what is
stored for it; rows of the same cell add up (docs/partners-and-program.md)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from . import importers as imp
from . import store
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
    parse_amount,
)
from .program_edit import COST_CATEGORIES, month_of_text
from .store import Workspace

Target = imp.Target

CATEGORY_WORDS: dict[str, str] = {
    **{c: c for c in COST_CATEGORIES},
    **{w: "people" for w in ("headcount", "salaries", "salary", "payroll", "staff",
                             "personnel", "partner managers", "channel team", "labor",
                             "labour", "compensation")},
    **{w: "enablement" for w in ("training", "certification", "certifications", "lms",
                                 "education", "partner enablement", "learning")},
    **{w: "overhead" for w in ("tools", "software", "prm", "licences", "licenses",
                               "license", "events", "admin", "administration", "g&a",
                               "other", "operations")},
    **{w: "recruitment" for w in ("recruiting", "partner recruitment", "acquisition",
                                  "partner acquisition", "onboarding")},
}

COST_TARGETS: tuple[Target, ...] = (
    Target("month", "Month", "date", True, (
        "month", "period", "date", "posting date", "accounting period", "fiscal month",
        "month start")),
    Target("category", "Category", "enum", True, (
        "category", "cost category", "cost type", "expense type", "type", "gl category",
        "expense category", "cost bucket")),
    Target("amount", "Amount", "money", True, (
        "amount", "cost", "spend", "actual", "actuals", "value", "total", "expense")),
    Target("partner", "Partner", "partner", False, (
        "partner", "partner name", "partner id", "account", "account name")),
    Target("currency", "Currency", "currency", False, (
        "currency", "currency code", "curr", "ccy")),
)


def _partner_ref(ws: Workspace, text: str) -> int | None:
    found = store.partner_by_source_id(ws, text)
    if found is not None:
        return found.id
    pid = store.partner_id_by_name(ws, text)
    if pid is None and re.fullmatch(r"\d+", text):
        rows = ws.rows("SELECT id FROM partners WHERE id = ?", (int(text),))
        pid = rows[0][0] if rows else None
    return pid


def _month_only(v: Any) -> dt.date | None:
    return month_of_text(v) if isinstance(v, str) else None


def _month_format(values: list[Any], mapping: imp.ColumnMapping,
                  path: Path) -> tuple[str, str]:
    """The format of the month column's full dates, and why. Months written alone
    (2026-03, Mar-2026, March 2026) need none; a column of first-of-month dates that read
    both ways (01/04/2025) is read the way that puts each on the 1st."""
    dates = [v for v in values if not blank(v) and _month_only(v) is None]
    if not dates:
        alone = next((cell_text(v) for v in values if not blank(v)), "")
        return "%Y-%m-%d", f"months written alone (such as {alone!r})"
    return detect_date_format(dates, mapping.date_format, mapping.columns["month"] or "Month",
                              path, ambiguous="first-day")


def prepare_costs(ws: Workspace, table: imp.RawTable,
                   mapping: imp.ColumnMapping) -> PreparedList:
    cells = column_cells(table, mapping)
    currency = ws.program().currency
    report = imp.ValidationReport(file=table.path.name, kind="costs", rows=len(table.frame),
                                  notes=list(table.notes))
    prepared = PreparedList("costs", str(table.path), report, mapping)
    fmt, note = _month_format(cells["month"], mapping, table.path)
    report.assumed = assumptions(table, mapping, {"month": note})
    # (month, category, partner id or None) → total amount, first row
    totals: dict[tuple[str, str, int | None], float] = {}
    first_row: dict[tuple[str, str, int | None], int] = {}
    for i, row_no in enumerate(table.rows.tolist()):
        errors: list[imp.RowError] = []

        def bad(name: str, value: Any, reason: str, _errors=errors, _row=row_no) -> None:
            _errors.append(imp.RowError(int(_row), mapping.columns[name] or name,
                                        cell_text(value), reason))

        raw = cells["month"][i]
        month = _month_only(raw) or as_date(raw, fmt)
        if month is None:
            bad("month", raw, "a month is required" if blank(raw) else
                f"{cell_text(raw)!r} is not a month or date (expected a month such as "
                f"2026-03 or Mar-2026, or a date written {format_name(fmt)})")
        raw = cells["category"][i]
        category = choice(CATEGORY_WORDS, tuple(COST_CATEGORIES), raw)
        if category is None:
            bad("category", raw, f"{cell_text(raw)!r} is not a cost category "
                                 f"({', '.join(COST_CATEGORIES)})")
        amount, why = parse_amount(cells["amount"][i], currency, mapping.columns["amount"])
        if why:
            bad("amount", cells["amount"][i], why)
        pid = None
        if "partner" in cells and not blank(cells["partner"][i]):
            pid = _partner_ref(ws, cell_text(cells["partner"][i]))
            if pid is None:
                bad("partner", cells["partner"][i], f"unknown partner "
                    f"{cell_text(cells['partner'][i])!r} (import the partner list first)")
        if "currency" in cells and not blank(cells["currency"][i]):
            code = cell_text(cells["currency"][i]).upper()
            if code != currency:
                bad("currency", code, f"column {mapping.columns['currency']!r} names {code}, "
                                      f"not the workspace currency {currency}; convert the "
                                      "amounts before importing")
        if errors:
            report.errors.extend(errors)
            continue
        # A row without a month, category or amount has an error above.
        assert month is not None and category is not None and amount is not None
        key = (month.replace(day=1).isoformat(), category, pid)
        totals[key] = totals.get(key, 0.0) + float(amount)
        first_row.setdefault(key, int(row_no))
    for key, amount in totals.items():
        stored = sum(a for _, a in store.cost_rows(ws, *key))
        had = bool(store.cost_rows(ws, *key))
        if not had:
            prepared.new.append((key, amount))
            prepared.new_rows.append(first_row[key])
        elif abs(stored - amount) > 1e-9:
            prepared.updates.append((key, amount))
            prepared.update_rows.append(first_row[key])
        else:
            report.duplicates += 1
    report.in_file_duplicates = 0
    report.new, report.changed = len(prepared.new), len(prepared.updates)
    report.errors.sort(key=lambda e: e.row)
    return prepared
