"""``jbp export`` and ``jbp import-plan``: workbooks out, a partner's edited plan workbook in.

Headless: nothing here imports Qt, and openpyxl is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ui.cli.args import add_as_of, add_workspace, open_workspace
from ui.cli.args import as_of as resolved_as_of


def register(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser(
        "export", help="write a plan, the portfolio or scenarios to an Excel workbook",
        description="Write an Excel workbook: a plan (live KPI formulas, drop-downs, charts; "
        "it can be edited and imported back with jbp import-plan), the partner portfolio "
        "(scorecards, a sheet per tier, charts) or a comparison of scenarios. The file is "
        "written whole or not at all.")
    add_workspace(exp)
    what = exp.add_mutually_exclusive_group(required=True)
    what.add_argument("--plan", type=int, metavar="ID", help="plan id (see jbp info)")
    what.add_argument("--portfolio", action="store_true", help="every partner's scorecard")
    what.add_argument("--scenarios", nargs="+", metavar="NAME",
                      help="scenario names; the first is the baseline of the comparison")
    exp.add_argument("--out", type=Path, required=True, help="workbook to write (.xlsx)")
    add_as_of(exp)
    exp.add_argument("--force", action="store_true", help="replace an existing file")
    exp.set_defaults(func=run_export)

    imp = sub.add_parser(
        "import-plan", help="take back a plan workbook someone edited",
        description="Compare an edited plan workbook with the plan it was exported from and "
        "list every change (field, old and new value). With --accept-all the changes are "
        "applied as one step recorded under --author/--side; with --dry-run nothing is "
        "written; otherwise each change is asked about (or pick them with --accept). A "
        "workbook from another plan or workspace, with changed ids, wrong values or a "
        "damaged file is refused with one message per problem, and nothing changes.")
    add_workspace(imp)
    imp.add_argument("file", type=Path, help="the edited workbook (.xlsx)")
    mode = imp.add_mutually_exclusive_group()
    mode.add_argument("--accept-all", action="store_true", help="apply every change")
    mode.add_argument("--dry-run", action="store_true", help="list the changes only")
    mode.add_argument("--accept", metavar="N,N,...",
                      help="apply only these changes (numbers from the list)")
    imp.add_argument("--plan", type=int, metavar="ID",
                     help="refuse the workbook unless it belongs to this plan")
    imp.add_argument("--author", help="name the changes are recorded under "
                                      "(default: the plan's owner on that side)")
    imp.add_argument("--side", choices=("vendor", "partner"), default="partner",
                     help="side the changes are recorded under (default: partner)")
    imp.set_defaults(func=run_import_plan)


def run_export(args: argparse.Namespace) -> int:
    from jbp.errors import ValidationError

    out: Path = args.out
    if out.suffix.lower() != ".xlsx":
        raise ValidationError("--out", f"{out}: give a file name ending in .xlsx")
    check_writable_target("--out", out)
    if out.exists() and not args.force:
        raise ValidationError("--out", f"{out} already exists (use --force to replace it)")
    with open_workspace(args.workspace) as ws:
        as_of = resolved_as_of(ws, args)
        if args.plan is not None:
            from exporters.plan_workbook import export_plan

            ws.plan(args.plan)  # a clear error for an unknown id
            export_plan(ws, args.plan, out, as_of=args.as_of)
            what = f"plan {args.plan} ({as_of.label()})"
        elif args.portfolio:
            from exporters.portfolio_workbook import export_portfolio

            export_portfolio(ws, out, as_of=args.as_of)
            what = f"portfolio ({as_of.label()})"
        else:
            from exporters.scenario_workbook import export_scenarios

            export_scenarios(ws, list(args.scenarios), out)
            what = "scenarios " + ", ".join(args.scenarios)
    print(f"Wrote {what} to {out}")
    return 0


def check_writable_target(flag: str, out: Path) -> None:
    """Refuse, before any work starts, a destination that cannot be written: a folder, a
    missing or read-only folder, a read-only file."""
    import os

    from jbp.errors import ValidationError

    folder = out.parent if str(out.parent) else Path(".")
    if out.is_dir():
        raise ValidationError(flag, f"{out} is a folder; give a file name")
    if not folder.is_dir():
        raise ValidationError(flag, f"{out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise ValidationError(flag, f"{out}: permission denied (the folder or file is "
                                    "read-only)")


def _pick(text: str, n: int) -> list[int]:
    from jbp.errors import ValidationError

    picked = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                picked.extend(range(lo, hi + 1))
            else:
                picked.append(int(part))
        except ValueError:
            raise ValidationError("--accept", f"{part!r} is not a change number") from None
    bad = [p for p in picked if not 1 <= p <= n]
    if bad:
        raise ValidationError("--accept", f"there is no change {bad[0]} (1..{n})")
    return sorted(set(picked))


def run_import_plan(args: argparse.Namespace) -> int:
    from exporters.roundtrip import apply_import, read_plan_workbook, review_as_text
    from jbp.commands import Editor
    from jbp.errors import JbpError

    with open_workspace(args.workspace) as ws:
        if not args.dry_run:
            ws.require_writable()
        review = read_plan_workbook(ws, args.file, plan_id=args.plan)
        print(review_as_text(review))
        if not review.changes or args.dry_run:
            return 0
        plan = ws.plan(review.plan_id)
        author = args.author or (plan.partner_owner if args.side == "partner"
                                 else plan.vendor_owner) or ""
        if not author.strip():
            raise JbpError("name who the changes are recorded under with --author")
        editor = Editor(author, args.side)
        if args.accept_all:
            chosen = review.changes
        elif args.accept:
            chosen = [review.changes[i - 1] for i in _pick(args.accept, len(review.changes))]
        else:
            if not sys.stdin.isatty():
                raise JbpError("no terminal to ask about each change: use --accept-all, "
                               "--accept N,N or --dry-run")
            chosen = []
            for i, change in enumerate(review.changes, start=1):
                answer = input(f"Accept change {i}? [y/N] ").strip().lower()
                if answer in ("y", "yes"):
                    chosen.append(change)
        macro = apply_import(ws, review, chosen, editor)
    if macro is None:
        print("No change accepted; nothing was written.")
    else:
        print(f"Applied {len(chosen)} change{'s' if len(chosen) != 1 else ''} as "
              f"{editor.author} ({editor.side} side).")
    return 0
