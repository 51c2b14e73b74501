"""The back-test figures and chart of docs/simulation.md, on the demo workspace.

    python benchmarks/backtest_demo.py OUT.png [--json OUT.json] [--steady]

Generates the demo in a temporary folder, back-tests it trained until 2026-04-30 for six
months and from every month-end origin, prints the table and draws
:func:`simulation.charts.plot_backtest` for the three headline series. ``--steady``: the
demo's steady variant (``jbp.demo.generate(steady=True)``: recruits sign up and churners
leave at any time of the window), the validation of docs/simulation.md's "A steady program".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path

from matplotlib.figure import Figure

from jbp import demo
from jbp.store import Workspace
from simulation.backtest import HEADLINE, backtest, rolling
from simulation.charts import plot_backtest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("png", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--steady", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = demo.generate(Path(tmp) / "demo.jbp", steady=args.steady)
        with Workspace.open(path) as ws:
            bt = backtest(ws, dt.date(2026, 4, 30), 6)
            roll = rolling(ws, 6)
    out = bt.as_dict()
    out["rolling"] = roll.as_dict()
    for s in bt.series:
        print(f"{s.metric:20s} actual {s.actual:>12,.0f}  P10 {s.p10:>12,.0f}  "
              f"P50 {s.p50:>12,.0f}  P90 {s.p90:>12,.0f}  inside {s.inside_80!s:5}  "
              f"error {s.error:+.1%}")
    print(json.dumps(out["rolling"]["share_inside_80"]))
    print(json.dumps(out["rolling"]["share_inside_80_by_calendar_month"]))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    fig = Figure(figsize=(12, 3.6), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, m in zip(axes, HEADLINE, strict=True):
        plot_backtest(ax, bt.get(m), currency="USD")
    axes[0].legend(fontsize=8)
    fig.suptitle(("Back-test of the demo's steady variant" if args.steady else "Demo back-test")
                 + ": calibrated as of 2026-04-30, May-October 2026")
    fig.savefig(args.png, dpi=110)


if __name__ == "__main__":
    main()
