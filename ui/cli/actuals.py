"""``jbp import``, ``jbp scorecard`` and ``jbp refresh-kpis``: actuals in, metrics out.

Every command that computes figures takes ``--as-of`` (:func:`add_as_of`), resolves it with
:func:`jbp.asof.resolve_as_of` (the same rule as the app and the workbooks) and states the
date it used, its reason and each source's coverage. Headless: nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path

from ui.cli.args import add_as_of, add_workspace, iso_date, open_workspace

#: The partner list and program costs (jbp.import_partners), imported the same way.
LIST_KINDS = ("partners", "costs")


def as_of_lines(as_of, coverage) -> list[str]:
    """What every figure-computing command prints first: the as-of with its reason, then
    one line per source with the day it is complete through."""
    lines = [f"Figures {as_of.label()}; each source is read only to the end of its data:"]
    lines += coverage.lines(as_of.date)
    if coverage.uneven():
        lines.append("  Sources end on different days: days after a source's end are not "
                     "read as zero activity.")
    return lines


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser(
        "import", help="import actuals from a CSV or XLSX export",
        description="Import closed deals, deal registrations, portal logins, certifications "
        "or MDF requests/claims. Prints the validation report. A file with rejected rows "
        "imports nothing (exit 1) unless --skip-bad is given; rows imported before are "
        "recognised by their natural key and counted once.")
    add_workspace(imp)
    imp.add_argument("file", type=Path, help="CSV or XLSX export")
    from jbp.importers.spec import KINDS  # every registered kind (no pandas loaded)

    imp.add_argument("--kind", required=True,
                     choices=[*KINDS, *(k for k in LIST_KINDS if k not in KINDS)],
                     help="what the file holds")
    imp.add_argument("--mapping", type=Path,
                     help="JSON column mapping: {\"field\": \"column header\", ...} "
                          "(default: the mapping saved for this source, else a guess)")
    imp.add_argument("--source", help="name the column mapping is saved under "
                                      "(default: the kind and the file's header signature)")
    imp.add_argument("--sheet", help="worksheet of an XLSX file (default: the first)")
    imp.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    imp.add_argument("--skip-bad", action="store_true",
                     help="take the valid rows even when some rows were rejected")
    imp.add_argument("--refresh-kpis", action="store_true", default=True,
                     help="then fill the plans' KPI actuals bound to a metric, recorded "
                          "under the import (the default)")
    imp.add_argument("--no-refresh-kpis", dest="refresh_kpis", action="store_false",
                     help="leave the plans' bound KPI actuals as they are")
    imp.add_argument("--extract-date", type=iso_date, metavar="YYYY-MM-DD",
                     help="the day the export was pulled: the source is complete through "
                          "it (default: the file's last date)")
    add_as_of(imp)
    imp.add_argument("--alias", action="append", default=[], metavar="'AS SPELLED=PARTNER'",
                     help="a partner as the file spells it = a workspace partner (name or "
                          "id); repeatable; stored in the workspace when rows are imported")
    imp.add_argument("--show-mapping", action="store_true",
                     help="print the column mapping used (JSON, reusable with --mapping)")
    imp.set_defaults(func=run_import)

    card = sub.add_parser("scorecard", help="partner scorecards from the actuals")
    add_workspace(card)
    fmt = card.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON records")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    add_as_of(card)
    card.add_argument("--program", action="store_true",
                      help="print the program summary (ROPI, CAC) instead")
    card.set_defaults(func=run_scorecard)

    ref = sub.add_parser("refresh-kpis",
                         help="fill bound KPI actuals of plans from the imported actuals")
    add_workspace(ref)
    ref.add_argument("--plan", type=int, action="append",
                     help="plan id (repeatable; default: every plan not Closed)")
    add_as_of(ref)
    ref.add_argument("--dry-run", action="store_true", help="list the changes only")
    ref.set_defaults(func=run_refresh)


def run_import(args: argparse.Namespace) -> int:
    from jbp import importers as imp

    steps = imp
    if args.kind in LIST_KINDS:  # the same steps, with their own prepare and commit
        from jbp import import_partners as steps

    mapping = imp.ColumnMapping.from_file(args.mapping, args.kind) if args.mapping else None
    aliases = {}
    for item in args.alias:
        spelled, sep, partner = item.rpartition("=")
        if not sep or not spelled.strip() or not partner.strip():
            print(f"--alias {item!r}: write it 'AS THE FILE SPELLS IT=Workspace partner'",
                  file=sys.stderr)
            return 2
        aliases[spelled.strip()] = partner.strip()
    with open_workspace(args.workspace) as ws:
        if not args.dry_run:
            ws.require_writable()  # before the file is read and validated, not after
        if steps is imp and args.sheet is None and imp.is_large_csv(args.file):
            return _run_streamed(args, ws, mapping, aliases)  # one chunk in memory at a time
        table = imp.read_table(args.file, sheet=args.sheet)
        if mapping is None:
            mapping, source, _ = imp.mapping_for(ws, args.kind, table, args.source)
        else:
            source = args.source or imp.mapping_source(args.kind, table)
        mapping.aliases.update(aliases)
        if args.show_mapping:
            print(mapping.to_json())
        prepared = steps.prepare(ws, table, mapping)
        stop = _stop_before_writing(args, prepared.report)
        if stop is not None:
            return stop
        if args.extract_date is not None:  # refused before anything is written
            from jbp.coverage import check_extract_date, last_date_of_records

            check_extract_date(args.extract_date,
                               last_date_of_records(args.kind, getattr(prepared, "records", [])),
                               args.file.name)
        result = steps.commit(ws, prepared, allow_rejected=True, source=source)
        return _after_commit(args, ws, result)


def _stop_before_writing(args: argparse.Namespace, report) -> int | None:
    """Print the check's report; the exit code when the import stops here (a dry run, or
    rows rejected without --skip-bad), else None."""
    print(report.text())
    if args.dry_run:
        print("Dry run: nothing was written.")
        # The exit code the import would have (a run that takes no rows fails).
        nothing = not (report.new or report.changed) and args.kind not in LIST_KINDS
        return 1 if report.errors or nothing else 0
    if report.errors and not args.skip_bad:
        print(f"Nothing was imported: {report.rejected} rows were rejected "
              "(fix them, or use --skip-bad to take the valid rows).", file=sys.stderr)
        return 1
    return None


def _after_commit(args: argparse.Namespace, ws, result) -> int:
    """What every import prints and does once its rows are kept: the extract date, the
    result, the bound KPIs refreshed; 1 when the run took no rows (nothing was stored)."""
    if not (result.inserted or result.updated) and args.kind not in LIST_KINDS:
        print(result.text(), file=sys.stderr)  # a run that takes no rows stored nothing
        return 1
    if args.extract_date is not None and result.import_id is not None:
        ws.set_extract_date(result.import_id, args.extract_date)
    print(result.text())
    if args.refresh_kpis:
        from jbp import bindings
        from jbp.asof import resolve_as_of

        as_of = resolve_as_of(ws, args.as_of)
        updates = bindings.refresh_retrying(ws, None, as_of.date,
                                            bindings.import_editor(args.file),
                                            on_retry=_say_retry)
        print(f"Updated {len(updates)} bound KPI actuals {as_of.label()}, recorded "
              f"under \"{bindings.import_editor(args.file).author}\".")
    return 0


def _run_streamed(args: argparse.Namespace, ws, mapping, aliases: dict[str, str]) -> int:
    """:func:`run_import` of a CSV larger than one chunk: the same steps, output and exit
    codes, checked and written chunk by chunk in one transaction, kept only at the end."""
    from jbp import importers as imp

    def settled(m) -> None:
        m.aliases.update(aliases)
        if args.show_mapping:
            print(m.to_json())

    with imp.stream_import(ws, args.file, args.kind, mapping=mapping, source=args.source,
                           write=not args.dry_run, on_mapping=settled) as run:
        stop = _stop_before_writing(args, run.report)
        if stop is not None:
            return stop
        if args.extract_date is not None:  # refused before anything is kept
            from jbp.coverage import check_extract_date

            check_extract_date(args.extract_date, run.last_date, args.file.name)
        result = run.commit(allow_rejected=True)
    return _after_commit(args, ws, result)


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
    from jbp import formatting as fmt
    from jbp import metrics
    from jbp.asof import resolve_as_of

    with open_workspace(args.workspace) as ws:
        actuals = metrics.Actuals.load(ws)
        as_of = resolve_as_of(ws, args.as_of)
    coverage = actuals.coverage
    head = {**as_of.as_dict(), "coverage": coverage.as_list()}
    if args.program:
        summary = metrics.program_summary_from(actuals, as_of.date)
        if args.json:
            print(json.dumps({**head, **{k: _jsonable(v) for k, v in summary.items()
                                         if k != "as_of"}}, indent=2))
        else:
            print("\n".join(as_of_lines(as_of, coverage)))
            for k, v in summary.items():
                print(f"{k:<24} {_summary_value(k, v, summary.get('currency', ''))}")
        return 0
    card = metrics.scorecard_from(actuals, as_of.date)
    if args.json:
        records = [{k: _jsonable(v) for k, v in row.items()}
                   for row in card.to_dict(orient="records")]
        print(json.dumps({**head, "partners": records}, indent=2))
        return 0
    if args.csv:
        out = card.copy()
        out["projected_next_tier_date"] = out["projected_next_tier_date"].dt.strftime("%Y-%m-%d")
        out.to_csv(sys.stdout, index=False, float_format="%.4f")
        print(f"# {as_of.label()}", file=sys.stderr)
        return 0
    print("\n".join(as_of_lines(as_of, coverage)))
    t = card.attrs["through"]
    print(f"Scorecard: revenue T12M to {t['deals']}, leading indicators 90 days to each "
          f"source's end; {int(card['at_risk'].sum())} partners at risk.")
    print(f"{'Partner':<26}{'Tier':<11}{'Sourced':>12}{'Influenced':>12}{'ROPI':>9}"
          f"{'Logins90':>9}{'Certs':>6}  {'Next tier gap':<44}{'Risk'}")
    for row in card.sort_values("sourced_revenue", ascending=False).itertuples():
        gap = _gap_text(row)
        risk = ("AT RISK: " + row.risk_reasons) if row.at_risk else (
            row.risk_reasons if row.status != "active" else "")
        print(f"{row.partner[:25]:<26}{row.tier[:10]:<11}{fmt.money(row.sourced_revenue):>12}"
              f"{fmt.money(row.influenced_revenue):>12}{fmt.percent(row.ropi):>9}"
              f"{fmt.count(row.logins_90d):>9}"
              f"{fmt.count(row.certified_people):>6}  {gap[:43]:<44}{risk}")
    return 0


def _summary_value(key: str, value, currency: str) -> str:
    """A program summary figure by the formatter of its unit (ROPI as a percent)."""
    from jbp import formatting as fmt

    if key in ("ropi",):
        return fmt.percent(value)
    if key in ("mdf_roi", "cac_ratio"):
        return fmt.ratio(value)
    if key == "influence_weight":
        return fmt.percent(value)
    if isinstance(value, float):
        return fmt.money(value, currency)
    return fmt.date(value) if isinstance(value, dt.date) else str(value)


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


def _say_retry(attempt: int) -> None:
    from jbp.bindings import REFRESH_ATTEMPTS

    print(f"jbp refresh-kpis: a plan changed in another session meanwhile; re-reading "
          f"(attempt {attempt} of {REFRESH_ATTEMPTS})", file=sys.stderr)


def run_refresh(args: argparse.Namespace) -> int:
    from jbp import bindings
    from jbp.asof import resolve_as_of
    from jbp.coverage import coverage_of

    with open_workspace(args.workspace) as ws:
        if not args.dry_run:
            ws.require_writable()
        as_of = resolve_as_of(ws, args.as_of)
        print("\n".join(as_of_lines(as_of, coverage_of(ws))))
        updates = bindings.refresh_retrying(ws, args.plan, as_of.date, dry_run=args.dry_run,
                                            on_retry=_say_retry)
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
