"""``jbp import``, ``jbp scorecard`` and ``jbp refresh-kpis``: actuals in, metrics out.

Headless: nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

KINDS = ("deals", "registrations", "logins", "certifications", "mdf")


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser(
        "import", help="import actuals from a CSV or XLSX export",
        description="Import closed deals, deal registrations, portal logins, certifications "
        "or MDF requests/claims. Prints the validation report. A file with rejected rows "
        "imports nothing (exit 1) unless --skip-bad is given; rows imported before are "
        "recognised by their natural key and counted once.")
    imp.add_argument("workspace", type=Path, help="workspace file")
    imp.add_argument("file", type=Path, help="CSV or XLSX export")
    imp.add_argument("--kind", required=True, choices=KINDS, help="what the file holds")
    imp.add_argument("--mapping", type=Path,
                     help="JSON column mapping: {\"field\": \"column header\", ...} "
                          "(default: the mapping saved for this source, else a guess)")
    imp.add_argument("--source", help="name the column mapping is saved under "
                                      "(default: the kind and the file's header signature)")
    imp.add_argument("--sheet", help="worksheet of an XLSX file (default: the first)")
    imp.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    imp.add_argument("--skip-bad", action="store_true",
                     help="take the valid rows even when some rows were rejected")
    imp.add_argument("--refresh-kpis", action="store_true",
                     help="then fill the plans' KPI actuals bound to a metric (as "
                          "refresh-kpis does)")
    imp.add_argument("--show-mapping", action="store_true",
                     help="print the column mapping used (JSON, reusable with --mapping)")
    imp.set_defaults(func=run_import)

    card = sub.add_parser("scorecard", help="partner scorecards from the actuals")
    card.add_argument("workspace", type=Path, help="workspace file")
    fmt = card.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON records")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    card.add_argument("--as-of", type=dt.date.fromisoformat,
                      help="date YYYY-MM-DD (default: end of the last month with actuals)")
    card.add_argument("--program", action="store_true",
                      help="print the program summary (ROPI, CAC) instead")
    card.set_defaults(func=run_scorecard)

    ref = sub.add_parser("refresh-kpis",
                         help="fill bound KPI actuals of plans from the imported actuals")
    ref.add_argument("workspace", type=Path, help="workspace file")
    ref.add_argument("--plan", type=int, action="append",
                     help="plan id (repeatable; default: every plan not Closed)")
    ref.add_argument("--as-of", type=dt.date.fromisoformat,
                     help="date YYYY-MM-DD (default: end of the last month with actuals)")
    ref.add_argument("--dry-run", action="store_true", help="list the changes only")
    ref.set_defaults(func=run_refresh)


def run_import(args: argparse.Namespace) -> int:
    from jbp import importers as imp
    from jbp.store import Workspace

    mapping = load_mapping_file(args.mapping, args.kind) if args.mapping else None
    with Workspace.open(args.workspace) as ws:
        if not args.dry_run:
            ws.require_writable()  # before the file is read and validated, not after
        table = imp.read_table(args.file, sheet=args.sheet)
        if mapping is not None:
            check_mapping_columns(args.mapping, mapping, table)
        if mapping is None:
            mapping, source, _ = imp.mapping_for(ws, args.kind, table, args.source)
        else:
            source = args.source or imp.mapping_source(args.kind, table)
        if args.show_mapping:
            print(mapping.to_json())
        prepared = imp.prepare(ws, table, mapping)
        report = prepared.report
        print(report.text())
        if args.dry_run:
            print("Dry run: nothing was written.")
            return 1 if report.errors else 0
        if report.errors and not args.skip_bad:
            print(f"Nothing was imported: {report.rejected} rows were rejected "
                  "(fix them, or use --skip-bad to take the valid rows).", file=sys.stderr)
            return 1
        result = imp.commit(ws, prepared, allow_rejected=True, source=source)
        print(result.text())
        if args.refresh_kpis:
            updates = refresh_retrying(ws)
            print(f"Updated {len(updates)} bound KPI actuals.")
    return 0


def load_mapping_file(path: Path, kind: str):
    """A ``--mapping`` file; every refusal names the mapping file and the reason."""
    from jbp import importers as imp
    from jbp.errors import JbpError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise JbpError(f"{path}: is not a JSON column mapping (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise JbpError(f"{path}: is not a JSON column mapping ({exc})") from None
    if not isinstance(data, dict):
        raise JbpError(f"{path}: a column mapping is a JSON object of field → column, not "
                       f"{type(data).__name__}")
    columns = data.get("columns", {k: v for k, v in data.items()
                                   if k not in ("kind", "date_format")})
    if not isinstance(columns, dict):
        raise JbpError(f"{path}: \"columns\" must be an object of field → column")
    for name, value in [*columns.items(), *((k, data[k]) for k in ("kind", "date_format")
                                            if k in data)]:
        if value is not None and not isinstance(value, str):
            raise JbpError(f"{path}: {name}: must be a column name (text), not {value!r}")
    said = data.get("kind")
    if said is not None and said != kind:
        raise JbpError(f"{path}: is a column mapping for {said}, not for {kind} (--kind)")
    try:
        return imp.ColumnMapping.from_dict(data, kind)
    except JbpError as exc:
        raise JbpError(f"{path}: {exc}") from None


def check_mapping_columns(path: Path, mapping, table) -> None:
    """Refuse a ``--mapping`` that names a column the file does not have, naming both files,
    the field and the column."""
    from jbp.errors import JbpError

    have = set(table.headers)
    for field, column in mapping.columns.items():
        if column is not None and column not in have:
            raise JbpError(
                f"{path}: maps the field {field} to the column {column!r}, which "
                f"{table.path.name} does not have (its columns are: "
                f"{', '.join(repr(h) for h in table.headers)})")


def _jsonable(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "isoformat"):
        try:
            import pandas as pd

            if v is pd.NaT:
                return None
        except ImportError:  # pragma: no cover
            pass
        return v.isoformat()[:10]
    if hasattr(v, "item"):
        return _jsonable(v.item())
    return v


def run_scorecard(args: argparse.Namespace) -> int:
    from jbp import metrics
    from jbp.store import Workspace

    with Workspace.open(args.workspace) as ws:
        actuals = metrics.Actuals.load(ws)
    if args.program:
        summary = metrics.program_summary_from(actuals, args.as_of)
        if args.json:
            print(json.dumps({k: _jsonable(v) for k, v in summary.items()}, indent=2))
        else:
            for k, v in summary.items():
                print(f"{k:<24} {_fmt(v)}")
        return 0
    card = metrics.scorecard_from(actuals, args.as_of)
    if args.json:
        records = [{k: _jsonable(v) for k, v in row.items()}
                   for row in card.to_dict(orient="records")]
        print(json.dumps(records, indent=2))
        return 0
    if args.csv:
        out = card.copy()
        out["projected_next_tier_date"] = out["projected_next_tier_date"].dt.strftime("%Y-%m-%d")
        out.to_csv(sys.stdout, index=False, float_format="%.4f")
        return 0
    as_of = args.as_of or metrics.default_as_of(actuals)
    print(f"Scorecard as of {as_of} (T12M = the 365 days to then)")
    print(f"{'Partner':<26}{'Tier':<11}{'Sourced':>12}{'Influenced':>12}{'ROPI':>9}"
          f"{'Logins90':>9}{'Certs':>6}  {'Next tier gap':<44}{'Risk'}")
    for row in card.sort_values("sourced_revenue", ascending=False).itertuples():
        gap = _gap_text(row)
        risk = ("AT RISK: " + row.risk_reasons) if row.at_risk else (
            row.risk_reasons if row.status != "active" else "")
        print(f"{row.partner[:25]:<26}{row.tier[:10]:<11}{row.sourced_revenue:>12,.0f}"
              f"{row.influenced_revenue:>12,.0f}{_percent(row.ropi):>9}{row.logins_90d:>9}"
              f"{row.certified_people:>6}  {gap[:43]:<44}{risk}")
    return 0


def _gap_text(row) -> str:
    if not row.next_tier:
        return "top tier"
    parts = []
    if row.gap_sourced_revenue > 0:
        parts.append(f"{row.gap_sourced_revenue:,.0f} rev")
    if row.gap_certified_people > 0:
        parts.append(f"{row.gap_certified_people:.0f} certs")
    if row.gap_new_logos > 0:
        parts.append(f"{row.gap_new_logos:.0f} logos")
    when = row.projected_next_tier_date
    eta = when.date().isoformat() if when is not None and str(when) != "NaT" else "not on pace"
    return f"{row.next_tier}: {', '.join(parts) or 'met'} ({eta})"


def _percent(v) -> str:
    """ROPI and other fractions as the percent finance reads (1.5 -> 150%)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v * 100:,.0f}%"


def _fmt(v, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:,.{digits}f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


#: How many times a batch refresh re-reads and retries when another session changed a plan
#: between its reading and its writing.
REFRESH_ATTEMPTS = 5


def refresh_retrying(ws, plan_ids=None, as_of=None, *, dry_run: bool = False):
    """Compute the bound KPI updates and apply them as one step; when another session changed
    a plan meanwhile (StaleWriteError), re-read and compute them again (a batch command has no
    user to ask to "reload and make it again"). Returns the updates applied (or, with
    ``dry_run``, those that would be)."""
    from jbp import bindings
    from jbp.commands import History
    from jbp.errors import StaleWriteError

    for attempt in range(1, REFRESH_ATTEMPTS + 1):
        macro, updates = bindings.refresh_macro(ws, plan_ids, as_of)
        if macro is None or dry_run:
            return updates
        try:
            History(ws).run(macro)
            return updates
        except StaleWriteError:
            if attempt == REFRESH_ATTEMPTS:
                raise
            print(f"jbp refresh-kpis: a plan changed in another session meanwhile; "
                  f"re-reading (attempt {attempt + 1} of {REFRESH_ATTEMPTS})", file=sys.stderr)
    return []  # pragma: no cover - the loop returns or raises


def run_refresh(args: argparse.Namespace) -> int:
    from jbp.store import Workspace

    with Workspace.open(args.workspace) as ws:
        if not args.dry_run:
            ws.require_writable()
        updates = refresh_retrying(ws, args.plan, args.as_of, dry_run=args.dry_run)
        for u in updates:
            old = "-" if u.old is None else f"{u.old:g}"
            print(f"plan {u.plan_id}  {u.kpi_name:<32} Q{u.quarter + 1}  {old} -> {u.new:g}")
        if not updates:
            print("Bound KPI actuals are up to date.")
            return 0
        if args.dry_run:
            print(f"Dry run: {len(updates)} actuals would change.")
            return 0
    print(f"Updated {len(updates)} KPI actuals.")
    return 0
