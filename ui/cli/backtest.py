"""``jbp backtest``: calibrate as of a date, simulate on, and compare with what happened.

A thin face over :mod:`simulation.backtest` (no Qt here): a table of the window's actuals
against the simulated P10/P50/P90, whether each actual is inside the 80% band, the median's
error; then the rolling-origin share of months inside the band. ``--json`` prints the same
as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys

from jbp.formatting import count
from ui.numbers import value_text


def register(sub: argparse._SubParsersAction) -> None:
    from ui.cli.args import add_workspace, iso_date

    bt = sub.add_parser(
        "backtest", help="back-test the calibrated model on held-out actuals",
        description="Calibrate a baseline from what the workspace knew on --train-until, "
        "simulate the next --months months from the state then, and compare month by month "
        "with the actuals: P10/P50/P90 against actual, inside the 80%% band, median error; "
        "then the same from every month-end origin (rolling).")
    add_workspace(bt)
    bt.add_argument("--train-until", type=iso_date, required=True, metavar="DATE",
                    help="last day of the training data (YYYY-MM-DD)")
    bt.add_argument("--months", type=int, default=6, help="months to compare (default 6)")
    bt.add_argument("--replications", "-n", type=int, default=200,
                    help="replications (default 200)")
    bt.add_argument("--seed", type=int, default=20240601)
    bt.add_argument("--no-rolling", action="store_true", help="skip the rolling origins")
    bt.add_argument("--json", action="store_true", help="print JSON instead of a table")
    bt.set_defaults(func=run_backtest)


def run_backtest(args: argparse.Namespace) -> int:
    from jbp.errors import ValidationError, WorkspaceError
    from simulation.backtest import METRICS, backtest, rolling
    from ui.cli.args import open_workspace

    if not args.workspace.exists():
        raise WorkspaceError(args.workspace, "no such workspace file")
    if not 1 <= args.months <= 600:
        raise ValidationError("--months", f"must be 1-600, not {args.months}")
    if not 1 <= args.replications <= 100_000:
        raise ValidationError("--replications", f"must be 1-100000, not {args.replications}")
    with open_workspace(args.workspace) as ws:
        bt = backtest(ws, args.train_until, args.months, replications=args.replications,
                      seed=args.seed)
        roll = None if args.no_rolling else rolling(
            ws, args.months, replications=max(20, args.replications // 2), seed=args.seed)
    if args.json:
        out = bt.as_dict()
        out["rolling"] = roll.as_dict() if roll else {}
        json.dump(out, sys.stdout, indent=1)
        print()
        return 0
    print(f"Back-test: trained until {bt.train_until.isoformat()}, {bt.months} months "
          f"compared, {bt.replications} replications")
    print(f"{'metric':<20} {'actual':>14} {'P10':>14} {'P50':>14} {'P90':>14}  in 80%  "
          f"error  months in band")
    for s in bt.series:
        # Bookings in money; the rest are counts of whole things: no decimals below 100.
        cells = [value_text(x, "currency") if "bookings" in s.metric else count(x)
                 for x in (s.actual, s.p10, s.p50, s.p90)]
        err = "   n/a" if s.actual == 0 else f"{s.error:+6.1%}"
        print(f"{s.metric:<20} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14} {cells[3]:>14}"
              f"  {'yes' if s.inside_80 else 'NO ':>5}  {err}  {s.months_inside()}/{bt.months}")
    if roll:
        d = roll.as_dict()
        print(f"Rolling: {len(d['origins'])} origins ({d['origins'][0]} to "
              f"{d['origins'][-1]}), {d['months']} origin-months over "
              f"{d['distinct_months']} calendar months; share of months inside the 80% band "
              f"(origin-months, and each calendar month once):")
        for m in METRICS:
            print(f"  {m:<20} {d['share_inside_80'][m]:6.0%}  "
                  f"{d['share_inside_80_by_calendar_month'][m]:6.0%}")
    return 0
