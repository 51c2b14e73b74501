"""``jbp new`` and ``jbp program``: a workspace for your own program, and its settings.

Headless: nothing here imports Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ui.cli.args import add_workspace, open_workspace

#: Who the command line edits as (the change log names them).
CLI_AUTHOR = "Command line"


def register(sub: argparse._SubParsersAction) -> None:
    from jbp.setup import DEFAULT_TEMPLATE, TIER_TEMPLATES

    new = sub.add_parser(
        "new", help="create an empty workspace for your own partner program",
        description="Creates a workspace with your program's name, currency and fiscal year "
        "and tiers from a template (or copied from another workspace), with no partners or "
        "actuals. Then: jbp import W partners.csv --kind partners, jbp import W costs.csv "
        "--kind costs, and the actuals (deals, registrations, logins, certifications, mdf).")
    new.add_argument("path", type=Path, help="new workspace file, e.g. program.jbp")
    new.add_argument("--program-name", default="Partner program", help="the program's name")
    new.add_argument("--currency", default="USD",
                     help="ISO 4217 code of every amount in the workspace (default USD)")
    new.add_argument("--fiscal-year-start", default="1", metavar="MONTH",
                     help="month the fiscal year starts: 1-12 or a name (default January)")
    tiers = new.add_mutually_exclusive_group()
    tiers.add_argument("--tiers", default=DEFAULT_TEMPLATE, choices=sorted(TIER_TEMPLATES),
                       help=f"tier template (default {DEFAULT_TEMPLATE!r})")
    tiers.add_argument("--tiers-from", type=Path, metavar="WORKSPACE",
                       help="copy the tiers and metric settings of another workspace")
    new.set_defaults(func=run_new)

    prog = sub.add_parser("program", help="show or edit the program's settings and tiers")
    psub = prog.add_subparsers(dest="program_command", metavar="ACTION", required=True)
    show = psub.add_parser("show", help="the program's settings and tiers")
    add_workspace(show)
    show.set_defaults(func=run_show)
    st = psub.add_parser("set", help="change one program setting, e.g. influence_weight 0.4")
    add_workspace(st)
    st.add_argument("field", help="setting: " + ", ".join(_program_fields()))
    st.add_argument("value")
    st.set_defaults(func=run_set)
    tier = psub.add_parser("tier", help="change one field of a tier (shows who moves first)",
                           description="Prints how many of today's partners the change moves "
                           "up or down, then applies it (unless --preview).")
    add_workspace(tier)
    tier.add_argument("tier", help="tier name")
    tier.add_argument("field", help="field: " + ", ".join(_tier_fields()))
    tier.add_argument("value")
    tier.add_argument("--preview", action="store_true", help="show who would move; change "
                                                             "nothing")
    tier.set_defaults(func=run_tier)
    cost = psub.add_parser("cost", help="set the program-wide cost of one month and category")
    add_workspace(cost)
    cost.add_argument("month", help="YYYY-MM, Mar-2026 or March 2026")
    cost.add_argument("category", help="people, enablement, overhead or recruitment")
    cost.add_argument("amount", help="amount in the workspace currency (0 removes it)")
    cost.set_defaults(func=run_cost)


def _program_fields() -> tuple[str, ...]:
    from jbp.program_edit import PROGRAM_FIELDS

    return PROGRAM_FIELDS


def _tier_fields() -> tuple[str, ...]:
    from jbp.program_edit import TIER_FIELDS

    return TIER_FIELDS


def _editor():
    from jbp.commands import Editor

    return Editor(CLI_AUTHOR, "vendor")


def run_new(args: argparse.Namespace) -> int:
    from jbp.setup import new_workspace

    with new_workspace(args.path, name=args.program_name, currency=args.currency,
                       fiscal_year_start_month=args.fiscal_year_start, template=args.tiers,
                       tiers_from=args.tiers_from) as ws:
        print(format_program(ws.program()))
    print(f"Workspace written to {args.path}. Next: jbp import {args.path} PARTNERS.csv "
          "--kind partners")
    return 0


def format_program(program) -> str:
    from jbp.model import Program, Tier
    from jbp.setup import MONTHS

    lines = [f"Program    {program.name} (amounts in {program.currency})"]
    for f in Program.FIELDS:
        if f.name not in ("name", "currency"):
            value = getattr(program, f.name)
            shown = (MONTHS[int(value) - 1] if f.name == "fiscal_year_start_month"
                     else f.display(value))
            if f.kind == "money" and "currency" in f.unit:
                shown += " " + f.unit.replace("currency", program.currency)
            lines.append(f"  {f.label:<24} {shown}")
    lines.append("Tiers (thresholds in " + program.currency + ")")
    cols = [f for f in Tier.FIELDS if f.name != "rank"]
    lines.append("  " + " | ".join(f.label for f in cols))
    for t in program.tiers_by_rank():
        lines.append("  " + " | ".join(f.display(getattr(t, f.name)) for f in cols))
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:

    with open_workspace(args.workspace) as ws:
        print(format_program(ws.program()))
    return 0


def run_set(args: argparse.Namespace) -> int:
    from jbp.commands import History
    from jbp.program_edit import SetProgramField

    with open_workspace(args.workspace) as ws:
        History(ws).run(SetProgramField(_editor(), args.field, args.value))
        print(format_program(ws.program()))
    return 0


def run_tier(args: argparse.Namespace) -> int:
    from jbp.commands import History
    from jbp.program_edit import SetTierField, changed_tier_program, tier_preview

    with open_workspace(args.workspace) as ws:
        changed = changed_tier_program(ws.program(), args.tier, args.field, args.value)
        print(tier_preview(ws, changed).text())
        if args.preview:
            print("Preview only: nothing was changed.")
            return 0
        History(ws).run(SetTierField(_editor(), args.tier, args.field, args.value))
        print(f"Tier {args.tier}: {args.field} set to {args.value}.")
    return 0


def run_cost(args: argparse.Namespace) -> int:
    from jbp.commands import History
    from jbp.program_edit import SetCost

    with open_workspace(args.workspace) as ws:
        cmd = History(ws).run(SetCost(_editor(), args.month, args.category, args.amount))
        print(f"{cmd.category} cost of {cmd.month[:7]}: {cmd.amount:,.2f} "
              f"{ws.program().currency}")
    return 0
