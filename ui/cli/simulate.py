"""``jbp simulate`` and ``jbp scenario``: run partner-program scenarios from the command line.

A thin face over :mod:`simulation`: the same ``run`` the Scenario Lab calls, with a
terminal progress bar as its state object. No Qt here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from jbp.progress import Progress
from ui.cli.args import add_as_of, add_workspace, open_workspace
from ui.numbers import interval_text, value_text


def register(sub: argparse._SubParsersAction) -> None:
    sim = sub.add_parser(
        "simulate", help="simulate partner-program scenarios (TOML or JSON files)",
        description="Run each scenario for its replications and print a summary with 95%% "
        "confidence intervals; with --compare, a side-by-side comparison with the "
        "differences from the first scenario (paired when they share their seed).")
    sim.add_argument("scenarios", nargs="+", type=Path, metavar="SCENARIO",
                     help="scenario file (.toml or .json)")
    sim.add_argument("--replications", "-n", type=int, default=None,
                     help="replications (default: the scenario's)")
    sim.add_argument("--seed", type=int, default=None,
                     help="seed for every scenario (default: each scenario's)")
    sim.add_argument("--workers", "-j", type=int, default=None,
                     help="worker processes (default: CPUs, at most 4)")
    sim.add_argument("--months", type=int, default=None, help="override the horizon (months)")
    sim.add_argument("--out", type=Path, default=None,
                     help="write results to FILE.json (everything) or FILE.csv (monthly rows)")
    sim.add_argument("--compare", action="store_true",
                     help="compare the scenarios side by side (first is the baseline)")
    sim.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    sim.set_defaults(func=run_simulate)

    scen = sub.add_parser("scenario", help="make and check scenario files")
    ssub = scen.add_subparsers(dest="scenario_command", metavar="ACTION", required=True)
    base = ssub.add_parser(
        "baseline", help="write a workspace's program as a baseline scenario, calibrated from "
        "its actuals")
    add_workspace(base)
    base.add_argument("file", type=Path, help="scenario file to write (.toml or .json)")
    base.add_argument("--months", type=int, default=36, help="horizon in months (default 36)")
    base.add_argument("--replications", type=int, default=100)
    base.add_argument("--seed", type=int, default=None)
    base.add_argument("--name", default="Baseline")
    base.add_argument("--force", action="store_true", help="replace an existing file")
    add_as_of(base)  # calibrates from what was known then: actuals up to it, partners and
    # tiers as they were, its open registrations as the starting pipeline
    base.set_defaults(func=run_baseline)

    var = ssub.add_parser(
        "variant", help="write a copy of a scenario with some fields changed",
        description="Example: jbp scenario variant base.toml fast.toml --name 'Onboarding 20 "
        "days' --set onboarding.mean_days=20")
    var.add_argument("base", type=Path, help="scenario to start from")
    var.add_argument("file", type=Path, help="scenario file to write")
    var.add_argument("--set", dest="changes", action="append", default=[],
                     metavar="PATH=VALUE",
                     help="a field by dotted path, e.g. tiers.Gold.min_sourced_revenue=200000")
    var.add_argument("--name", default=None, help="name of the variant")
    var.add_argument("--force", action="store_true", help="replace an existing file")
    var.set_defaults(func=run_variant)

    chk = ssub.add_parser("check", help="validate a scenario file and show its main figures")
    chk.add_argument("file", type=Path)
    chk.set_defaults(func=run_check)


# --------------------------------------------------------------------------- progress


class TerminalProgress(Progress):
    """A progress bar on stderr; the :class:`jbp.progress.Progress` of
    :func:`simulation.runner.run`."""

    def __init__(self, label: str, stream=None, width: int = 30):
        super().__init__()
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self._last = -1.0
        self._done = False
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def report(self, fraction: float, text: str | None = None) -> None:
        super().report(fraction, text)
        self.set_progress(self.fraction)

    def set_progress(self, fraction: float) -> None:
        now = time.perf_counter()
        if self._done or (fraction < 1.0 and now - self._last < 0.1):
            return
        self._done = fraction >= 1.0
        self._last = now
        if not self.tty and fraction < 1.0:
            return
        filled = round(self.width * fraction)
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if fraction >= 1.0 else ""
        self.stream.write(f"\r{self.label:<24.24} [{bar}] {fraction:4.0%} "
                          f"{now - self.started:6.1f} s{end}")
        self.stream.flush()



# --------------------------------------------------------------------------- simulate


def run_simulate(args: argparse.Namespace) -> int:
    from jbp.errors import ValidationError
    from simulation.runner import default_workers, run
    from simulation.scenario import Scenario

    if len(args.scenarios) > 1 and not args.compare:
        raise ValidationError("SCENARIO", "give --compare to run several scenarios together")
    if args.out is not None and args.out.suffix.lower() not in (".json", ".csv"):
        raise ValidationError("--out", f"{args.out.name}: results go to a .json or .csv file")
    check_run_flags(args)
    if args.out is not None:
        from ui.cli.export import check_writable_target

        check_writable_target("--out", args.out)
    scenarios = []
    for path in args.scenarios:
        sc = Scenario.load(path)
        if args.months is not None:
            sc = sc.with_changes(horizon_months=args.months)
        scenarios.append(sc)
    _unique_names(scenarios, args.scenarios)
    workers = args.workers or default_workers()
    results = []
    for sc in scenarios:
        state = None if args.quiet else TerminalProgress(sc.name)
        results.append(run(sc, state, replications=args.replications, seed=args.seed,
                           workers=workers))
    if args.compare:
        if len({(r.seed, r.replications) for r in results}) > 1:
            print("note: the scenarios do not share seed and replications, so differences "
                  "are unpaired (noisier); give --seed to pair them", file=sys.stderr)
        print(format_comparison(results))
    else:
        print(format_summary(results[0]))
    if args.out is not None:
        write_results(results, args.out, compare=args.compare)
        print(f"Results written to {args.out}")
    return 0


def check_run_flags(args: argparse.Namespace) -> None:
    """Check the size flags against the one set of ranges (:mod:`jbp.bounds`) a scenario file
    and the Scenario Lab are checked against, before any work starts."""
    from jbp import bounds

    for flag, name, rng in (("--replications", "replications", bounds.REPLICATIONS),
                            ("--workers", "workers", bounds.WORKERS),
                            ("--months", "months", bounds.HORIZON_MONTHS),
                            ("--seed", "seed", bounds.SEED)):
        value = getattr(args, name, None)
        if value is not None:
            bounds.check_range(flag, value, rng)


def _unique_names(scenarios, paths) -> None:
    seen: dict[str, int] = {}
    for sc in scenarios:
        seen[sc.name] = seen.get(sc.name, 0) + 1
    for i, sc in enumerate(scenarios):
        if seen[sc.name] > 1:
            scenarios[i] = sc.with_changes(name=f"{sc.name} ({paths[i].stem})")


def write_results(results, path: Path, *, compare: bool = False) -> None:
    """Write results whole or not at all: JSON (every array, the summary and, for several
    scenarios, the comparison) or CSV (one row per scenario, replication and month)."""
    import pandas as pd

    from jbp.atomic import atomic_write, write_text
    from simulation.results import compare as compare_results

    if path.suffix.lower() == ".csv":
        frame = pd.concat([r.to_frame() for r in results], ignore_index=True)
        atomic_write(path, lambda fh: frame.to_csv(fh, index=False))
    else:
        if len(results) == 1 and not compare:
            text = results[0].to_json()
        else:
            table = compare_results(results).reset_index()
            doc = {"results": [json.loads(r.to_json()) for r in results],
                   "comparison": json.loads(table.to_json(orient="records"))}
            text = json.dumps(doc)
        write_text(path, text)


# --------------------------------------------------------------------------- formatting


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(header, widths, strict=True)))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))))
    return "\n".join(lines)


def format_summary(result) -> str:
    """The summary table of one result: headline totals with 95% CI and P10/P90."""
    from simulation.results import HEADLINE

    names = list(HEADLINE) + [f"tier:{t}" for t in result.tier_names]
    summary = result.summary(names)
    rows = []
    for _name, row in summary.iterrows():
        u = row["unit"]
        rows.append([row["label"], value_text(row["mean"], u),
                     interval_text(row["ci_low"], row["ci_high"], u),
                     value_text(row["p10"], u), value_text(row["p90"], u)])
    head = (f"{result.name}: {result.replications} replications × {result.months} months, "
            f"seed {result.seed}, {result.elapsed_s:.1f} s  (currency {result.currency}; "
            "totals over the horizon, stocks at its end)")
    return head + "\n" + _table(["Metric", "Mean", "95% CI", "P10", "P90"], rows)


def format_comparison(results) -> str:
    """Side by side: the mean of each scenario, then each variant's difference from the first
    with its 95% CI; * marks a difference whose CI excludes zero."""
    from simulation.results import HEADLINE, compare

    table = compare(results, HEADLINE)
    base = results[0]
    header = ["Metric"] + [r.name for r in results] + \
        [f"Δ {r.name}" for r in results[1:]]
    rows = []
    for name in HEADLINE:
        sub = table.loc[name]
        unit = sub["unit"].iloc[0]
        row = [sub["label"].iloc[0]] + [value_text(sub.loc[r.name, "mean"], unit)
                                        for r in results]
        for r in results[1:]:
            d = sub.loc[r.name]
            mark = "*" if d["significant"] else " "
            interval = interval_text(d["delta_ci_low"], d["delta_ci_high"], unit, delta=True)
            row.append(f"{value_text(d['delta'], unit, delta=True)} {interval}{mark}")
        rows.append(row)
    paired = all(r.seed == base.seed and r.replications == base.replications for r in results)
    head = (f"Comparison over {base.months} months, {base.replications} replications, "
            f"differences from {base.name!r} with 95% CI "
            f"({'paired: common random numbers' if paired else 'unpaired'}); "
            "* = the CI excludes zero")
    return head + "\n" + _table(header, rows)


# --------------------------------------------------------------------------- scenario


def _check_scenario_suffix(path: Path) -> None:
    from jbp.errors import ValidationError

    if path.suffix.lower() not in (".toml", ".json"):
        raise ValidationError("FILE", f"{path.name}: a scenario file ends in .toml or .json")


def _refuse_existing(path: Path, force: bool) -> None:
    from jbp.errors import ValidationError
    from ui.cli.export import check_writable_target

    if path.exists() and not force:
        raise ValidationError("FILE", f"{path} already exists (use --force to replace it)")
    check_writable_target("FILE", path)


def run_baseline(args: argparse.Namespace) -> int:
    from simulation.calibrate import baseline_from_file

    _refuse_existing(args.file, args.force)
    _check_scenario_suffix(args.file)
    check_run_flags(args)
    open_workspace(args.workspace).close()  # a clean refusal of a missing or damaged file
    _state_as_of(args)
    cal = baseline_from_file(args.workspace, name=args.name, horizon_months=args.months,
                             replications=args.replications, seed=args.seed,
                             as_of=args.as_of)
    cal.scenario.save(args.file)
    print(f"Calibrated as of {args.as_of.isoformat()} (set by you)" if args.as_of else
          "Calibrated from all actuals; the workspace as it is")
    print(cal.report())
    print(f"Scenario written to {args.file}")
    return 0


def _state_as_of(args: argparse.Namespace) -> None:
    """Print the baseline's "as of" and each source's coverage (a past date calibrates from
    what was known then: simulation.state_at)."""
    from jbp.asof import resolve_as_of
    from jbp.coverage import coverage_of
    from jbp.store import Workspace
    from ui.cli.actuals import as_of_lines

    with Workspace.open(args.workspace) as ws:
        as_of = resolve_as_of(ws, args.as_of)
        coverage = coverage_of(ws)
    print("\n".join(as_of_lines(as_of, coverage)))


def run_variant(args: argparse.Namespace) -> int:
    from jbp.errors import ValidationError
    from simulation.scenario import Scenario, parse_value

    _refuse_existing(args.file, args.force)
    _check_scenario_suffix(args.file)
    base = Scenario.load(args.base)
    changes = {}
    for item in args.changes:
        if "=" not in item:
            raise ValidationError("--set", f"{item!r} is not PATH=VALUE")
        path, value = item.split("=", 1)
        if not path.strip():
            raise ValidationError("--set", f"{item!r} names no field before '='")
        changes[path.strip()] = parse_value(value)
    if args.name:
        changes["name"] = args.name
    variant = base.with_changes(changes)
    variant.save(args.file)
    print(f"Variant {variant.name!r} of {base.name!r} written to {args.file}")
    for path in changes:
        if path != "name":
            print(f"  {path}: {base.get(path)} -> {variant.get(path)}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from simulation.scenario import Scenario

    sc = Scenario.load(args.file)
    print(f"{args.file}: valid scenario {sc.name!r}: {sc.horizon_months} months, "
          f"{sc.replications} replications, seed {sc.seed}")
    print(f"  starting partners {sc.recruitment.initial_partners}, "
          f"{sc.recruitment.arrivals_per_month:g} recruits a month, "
          f"{sc.onboarding.managers} partner managers, onboarding "
          f"{sc.onboarding.effective_mean_days:g} days ({sc.onboarding.distribution})")
    for t in sc.tiers.levels:
        print(f"  tier {t.name:<12} from {t.min_sourced_revenue:>12,.0f} {sc.currency}, "
              f"margin {t.margin:.0%}, rebate {t.rebate:.0%}")
    return 0
