"""``jbp demo``, ``jbp info`` and ``jbp check``: make a demo workspace, say what a workspace
holds, check a workspace file page by page."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ui.cli.args import add_workspace, open_workspace


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="write a demo workspace (a realistic partner program)")
    demo.add_argument("path", type=Path, help="new workspace file, e.g. demo.jbp")
    demo.add_argument("--seed", type=int, default=None, help="random seed (default: fixed)")
    demo.add_argument("--force", action="store_true", help="replace an existing file")
    demo.set_defaults(func=run_demo)

    info = sub.add_parser("info", help="what a workspace holds")
    add_workspace(info)
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=run_info)

    check = sub.add_parser(
        "check", help="check every page of a workspace file (SQLite's integrity check)",
        description="Reads the whole file read-only and reports damage. Opening a large "
                    "workspace checks its header, schema and length; the page-by-page check "
                    "runs there only after an unclean shutdown, and here on demand.")
    add_workspace(check)
    check.set_defaults(func=run_check)


def run_demo(args: argparse.Namespace) -> int:
    from jbp import demo
    from jbp.errors import WorkspaceError
    from jbp.store import inspect_file

    path: Path = args.path
    if path.exists():
        if not args.force:
            raise WorkspaceError(path, "already exists (use --force to replace it)")
        inspect_file(path)  # only ever replace a workspace, never another kind of file
    # Built beside the old file and moved over it in one step: a kill leaves one of the two.
    demo.generate(path, seed=args.seed if args.seed is not None else demo.SEED, replace=True)
    print(f"Demo workspace written to {path}")
    return 0


def run_info(args: argparse.Namespace) -> int:
    with open_workspace(args.workspace) as ws:
        info = ws.info()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(format_info(info))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from jbp.store import check_file

    problems = check_file(args.workspace)
    if problems:
        print(f"{args.workspace} is damaged:")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"{args.workspace}: every page checked, no damage found")
    return 0


def format_info(info: dict) -> str:
    lines = [
        f"Workspace  {info['workspace']} (schema {info['schema_version']})",
        f"Program    {info['program']} ({info['currency']})",
        f"Partners   {info['partners']} ({info['churned_partners']} churned)",
    ]
    for tier, n in info["partners_by_tier"].items():
        lines.append(f"  {tier:<12} {n:>4}")
    lines.append("  by type: " + ", ".join(f"{k} {v}" for k, v in info["partners_by_type"].items()))
    lines.append(f"Plans      {info['plans']}")
    for status, n in info["plans_by_status"].items():
        lines.append(f"  {status:<12} {n:>4}")
    lines.append("Actuals")
    for kind, a in info["actuals"].items():
        span = f"{a['from']} .. {a['to']}" if a["rows"] else "none"
        lines.append(f"  {kind:<15} {a['rows']:>7} rows  {span}")
    lines.append(f"Scenarios  {info['scenarios']}")
    return "\n".join(lines)
