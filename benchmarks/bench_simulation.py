"""Benchmark of the partner-program simulation (issue 5).

Prints, measured in one run on this machine:

1. raw SimPy speed: ``env.timeout`` events per second of a bare process loop;
2. model speed: partner-months simulated per second (one process, the 500-partner,
   36-month scenario, replications advanced in batches as ``run`` does) and its ratio to
   (1) — the aim is at least 1.0; also the time of one replication run on its own;
3. the wall time of the everyday question (500 partners, 36 months, 100 replications) on one
   and on two worker processes, and the parallel speed-up (median and range of three
   interleaved measurements: the machine is shared);
4. the time per replication of 100, 1,000 and 10,000 partners (36 months, run as ``run``
   runs them), and time per partner.

Run: ``python benchmarks/bench_simulation.py`` (``--quick`` for a short smoke run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
import simpy

from simulation.model import batch_size, simulate_replication, simulate_replications
from simulation.runner import replication_seed, run
from simulation.scenario import Scenario


def simpy_event_rate(events: int = 300_000) -> float:
    """Raw SimPy ``env.timeout`` events per second (one process yielding timeouts)."""
    env = simpy.Environment()

    def ticker(env):
        for _ in range(events):
            yield env.timeout(1)

    env.process(ticker(env))
    t = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - t)


def naive_rate(partners: int = 500, months: int = 36, reps: int = 2) -> float:
    """Partner-months per second of the naive shape: one SimPy process per partner waking each
    month and making the model's per-partner-month draws one at a time (registrations,
    conflicts, wins, deal sizes, certifications, churn) — without the model's tiers, MDF,
    pipeline, customers or onboarding queue."""
    month = 365.25 / 12
    t = time.perf_counter()
    for r in range(reps):
        env = simpy.Environment()
        rng = np.random.default_rng(r)
        state = {"booked": 0.0, "certs": 0, "churned": 0}

        def partner(env, rng=rng, state=state):
            for _ in range(months):
                yield env.timeout(month)
                regs = rng.poisson(1.5)
                conflicts = rng.binomial(regs, 0.05) if regs else 0
                wins = rng.binomial(regs - conflicts, 0.25) if regs > conflicts else 0
                for _ in range(wins):
                    state["booked"] += rng.lognormal(10.3, 0.8)
                state["certs"] += rng.poisson(0.1)
                if rng.random() < 0.01:
                    state["churned"] += 1
                    return

        for _ in range(partners):
            env.process(partner(env))
        env.run()
    return partners * months * reps / (time.perf_counter() - t)


def everyday(partners: int = 500) -> Scenario:
    """The channel chief's everyday question: ``partners`` partners (a starting cohort and
    about 1% of it recruited each month), 36 months."""
    return Scenario().with_changes({
        "name": f"{partners} partners",
        "recruitment.initial_partners": partners,
        "recruitment.arrivals_per_month": partners / 100,
        "recruitment.initial_tier_mix": {"Registered": 0.5, "Silver": 0.3, "Gold": 0.15,
                                         "Platinum": 0.05},
        "onboarding.managers": max(2, partners // 100 + 1),
        "mdf.budget_per_period": 200.0 * partners,
        "horizon_months": 36,
    })


def partner_months(out: dict[str, np.ndarray]) -> float:
    return float((out["partners_active"] + out["partners_onboarding"]
                  + out["partners_waiting"]).sum())


def model_rate(scenario: Scenario, reps: int) -> tuple[float, float]:
    """Partner-months per second and seconds per replication, one process, replications
    advanced in batches as :func:`simulation.runner.run` advances them."""
    t = time.perf_counter()
    outs = simulate_replications(scenario, [replication_seed(1, r) for r in range(reps)])
    dt = time.perf_counter() - t
    return sum(partner_months(o) for o in outs) / dt, dt / reps


def single_time(scenario: Scenario, reps: int) -> float:
    """Seconds per replication when each replication runs on its own (a batch of one)."""
    t = time.perf_counter()
    for r in range(reps):
        simulate_replication(scenario, replication_seed(1, r))
    return (time.perf_counter() - t) / reps


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer replications, smaller sizes")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    reps = 20 if args.quick else 100

    sc = everyday(500)
    simulate_replications(sc, [replication_seed(0, r) for r in range(2)])  # warm up
    # Interleave the two measurements so that a busy neighbour affects both alike.
    rates, simpy_rates, per_rep = [], [], []
    for _ in range(3):
        simpy_rates.append(simpy_event_rate(100_000 if args.quick else 300_000))
        rate, sec = model_rate(sc, 2 * batch_size(sc))
        rates.append(rate)
        per_rep.append(sec)
    raw, pmr = float(np.median(simpy_rates)), float(np.median(rates))
    naive = naive_rate(reps=1 if args.quick else 3)
    alone = single_time(sc, 5 if args.quick else 10)
    print(f"SimPy raw env.timeout events/s          : {raw:12,.0f}")
    print(f"model partner-months/s (500 x 36, 1 core): {pmr:12,.0f}   "
          f"(batches of {batch_size(sc)} replications)")
    print(f"ratio partner-months/s : SimPy events/s  : {pmr / raw:12.2f}   (aim >= 1.0)")
    print(f"naive model (process per partner) ratio  : {naive / raw:12.2f}   "
          f"(vectorised model is {pmr / naive:.1f}x faster)")
    print(f"seconds per replication (500 x 36)       : {np.median(per_rep):12.4f}   "
          f"(run on its own: {alone:.4f})")

    def timed(workers: int):
        t = time.perf_counter()
        res = run(sc, replications=reps, workers=workers)
        return time.perf_counter() - t, res

    t_cold, cold = timed(args.workers)  # includes starting the worker processes
    # The machine is shared: interleave serial and parallel runs three times and report the
    # median and the range of the speed-up, so that a neighbour's burst does not decide it.
    t1s, t2s = [], []
    for _ in range(3):
        t1, serial = timed(1)
        t2, parallel = timed(args.workers)  # workers already running
        t1s.append(t1)
        t2s.append(t2)
    ups = sorted(a / b for a, b in zip(t1s, t2s, strict=True))
    t1, t2 = float(np.median(t1s)), float(np.median(t2s))
    same = all(np.array_equal(serial.monthly[k], parallel.monthly[k])
               and np.array_equal(serial.monthly[k], cold.monthly[k]) for k in serial.monthly)
    print(f"{reps} replications, 1 worker             : {t1:8.2f} s   (median of 3)")
    print(f"{reps} replications, {args.workers} workers (cold start) : {t_cold:8.2f} s   "
          f"speed-up {t1 / t_cold:.2f}")
    print(f"{reps} replications, {args.workers} workers (warm pool)  : {t2:8.2f} s   "
          f"speed-up {ups[1]:.2f} (range {ups[0]:.2f}-{ups[-1]:.2f}; "
          f"identical results: {same})")

    sizes = (100, 1000, 2000) if args.quick else (100, 1000, 10000)
    size_reps = 3 if args.quick else 5
    base = None
    for n in sizes:
        scn = everyday(n)
        simulate_replication(scn, replication_seed(0, 0))
        t = time.perf_counter()
        simulate_replications(scn, [replication_seed(2, r) for r in range(size_reps)])
        dt = (time.perf_counter() - t) / size_reps
        base = base or dt / n
        print(f"N = {n:6d} partners, 36 months        : {dt:8.4f} s per replication, "
              f"{dt / n * 1e6:7.1f} us per partner ({dt / n / base:4.2f} x N=100)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
