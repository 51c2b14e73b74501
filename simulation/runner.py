"""Running a scenario: replications in parallel processes, progress and cancellation.

:func:`run` is a pure function of a scenario and a :class:`jbp.progress.Progress` (one
protocol): the CLI passes one that draws a progress bar, the GUI its task's (which emits Qt
signals from the worker thread); tests pass a plain ``Progress()``. Cancellation is checked
between slices of simulated months, also inside worker processes (through an event the
pool shares), and a cancelled run raises :class:`jbp.progress.Cancelled`.

Replications are advanced in batches (:func:`simulation.model.simulate_replications`): one
monthly step for the whole batch. A worker process runs its chunk of replications as one
batch; a serial run goes batch by batch. A replication's numbers do not depend on its batch.

Seeds: replication ``r`` of a run with seed ``s`` is seeded with
``SeedSequence(s, spawn_key=(r,))`` — the ``r``-th child of ``SeedSequence(s)`` — whatever
the number of workers, so the same seed gives the same numbers, and scenarios run with the
same seed share their random numbers replication by replication (common random numbers).
"""

from __future__ import annotations

import atexit
import functools
import math
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from jbp.progress import Cancelled, Progress

from .model import batch_size, simulate_replications
from .results import ScenarioResult
from .scenario import Scenario

#: The one cancellation exception (:class:`jbp.progress.Cancelled`); the old name stays for
#: callers not yet moved.
RunCancelled = Cancelled


def replication_seed(seed: int, r: int) -> np.random.SeedSequence:
    """The seed of replication ``r`` of a run seeded ``seed``."""
    return np.random.SeedSequence(seed, spawn_key=(r,))


# --------------------------------------------------------------------------- workers

_worker_cancel = None


def _init_worker(cancel_event) -> None:
    global _worker_cancel
    _worker_cancel = cancel_event


def _worker_should_stop() -> bool:
    return _worker_cancel is not None and _worker_cancel.is_set()


def _run_chunk(scenario: Scenario, seed: int, indices: Sequence[int]):
    try:
        outputs = simulate_replications(scenario, [replication_seed(seed, r) for r in indices],
                                        _worker_should_stop)
    except Cancelled:
        return None
    return list(zip(indices, outputs, strict=True))


def default_workers() -> int:
    """Worker processes used when none are asked for: the CPUs this process may use, at most
    4 (the machine is shared)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))


def _mp_context():
    # fork is unsafe once a GUI has started threads; forkserver forks workers from a clean
    # single-threaded server that has already imported the model.
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["simulation.model", "simulation.runner"])
        return ctx
    return mp.get_context("spawn")


# --------------------------------------------------------------------------- run


def run(scenario: Scenario, state: Progress | None = None, *, replications: int | None = None,
        seed: int | None = None, workers: int = 1, chunk: int | None = None) -> ScenarioResult:
    """Simulate ``scenario`` and return its :class:`ScenarioResult`.

    ``replications`` and ``seed`` override the scenario's. ``workers`` > 1 runs replications
    in that many processes (results are identical to ``workers=1``). Progress goes to
    ``state.report`` as a fraction; cancelling ``state`` stops the run with
    :class:`jbp.progress.Cancelled`.
    """
    reps = int(replications if replications is not None else scenario.replications)
    seed = int(seed if seed is not None else scenario.seed)
    if reps < 1:
        from jbp.errors import ValidationError

        raise ValidationError("replications", "at least one replication is needed")
    started = time.perf_counter()
    if state is not None:
        state.report(0.0)
    workers = max(1, min(int(workers), reps))
    if workers == 1:
        outputs = _run_serial(scenario, seed, reps, state)
    else:
        outputs = _run_parallel(scenario, seed, reps, state, workers, chunk)
    result = ScenarioResult.from_replications(
        scenario.name, scenario.to_dict(), scenario.tiers.names(), seed, outputs,
        elapsed_s=time.perf_counter() - started)
    if state is not None:
        state.report(1.0)
    return result


def _run_serial(scenario, seed, reps, state) -> list[dict[str, np.ndarray]]:
    # Replications are advanced in batches (one monthly step for the whole batch); progress
    # is reported between slices of months, so it moves within a batch too.
    stop = (lambda: state.cancelled) if state is not None else None
    outputs: list[dict[str, np.ndarray]] = []
    size = math.ceil(reps / math.ceil(reps / batch_size(scenario)))  # batches of equal size

    def progress(start: int, k: int, f: float) -> None:
        if state is not None:
            state.report((start + f * k) / reps)

    for start in range(0, reps, size):
        indices = range(start, min(reps, start + size))
        batch_progress = functools.partial(progress, start, len(indices))
        try:
            outputs += simulate_replications(
                scenario, [replication_seed(seed, r) for r in indices], stop, batch_progress)
        except Cancelled:
            raise Cancelled() from None
        batch_progress(1.0)
    return outputs


class _Pool:
    """A process pool kept between runs (starting workers costs a few tenths of a second,
    which a comparison of several scenarios or a sensitivity would pay each time), with the
    event its workers check for cancellation. One run uses it at a time."""

    def __init__(self, workers: int):
        ctx = _mp_context()
        self.workers = workers
        self.cancel = ctx.Event()
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                            initializer=_init_worker, initargs=(self.cancel,))
        self.lock = threading.Lock()
        self.broken = False

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


_pools: dict[int, _Pool] = {}
_pools_lock = threading.Lock()


def _shared_pool(workers: int) -> _Pool:
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None or pool.broken:
            pool = _pools[workers] = _Pool(workers)
        return pool


def shutdown_pools() -> None:
    """Stop the worker processes kept between runs (also done at interpreter exit)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown()


atexit.register(shutdown_pools)


def _run_parallel(scenario, seed, reps, state, workers, chunk) -> list[dict[str, np.ndarray]]:
    # Chunks of at most one batch, and about four per worker so that a worker slowed by a
    # busy core gets fewer of them.
    chunk = chunk or max(1, min(batch_size(scenario), math.ceil(reps / (workers * 4))))
    pool = _shared_pool(workers)
    private = not pool.lock.acquire(blocking=False)
    if private:  # another run is using the shared pool: use one of our own
        pool = _Pool(workers)
        pool.lock.acquire()
    try:
        return _run_on(pool, scenario, seed, reps, state, chunk)
    finally:
        pool.lock.release()
        if private:
            pool.shutdown()


def _run_on(pool: _Pool, scenario, seed, reps, state, chunk) -> list[dict[str, np.ndarray]]:
    pool.cancel.clear()
    results: dict[int, dict[str, np.ndarray]] = {}
    try:
        pending = {pool.executor.submit(_run_chunk, scenario, seed,
                                        range(i, min(reps, i + chunk)))
                   for i in range(0, reps, chunk)}
    except BrokenProcessPool:
        pool.broken = True
        raise
    try:
        while pending:
            done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            for fut in done:
                out = fut.result()
                if out is not None:
                    results.update(out)
            if state is not None:
                if state.cancelled:
                    raise Cancelled()
                state.report(len(results) / reps)
    except BaseException as exc:
        pool.cancel.set()
        for fut in pending:
            fut.cancel()
        wait(pending)  # let running chunks stop at their next slice
        if isinstance(exc, BrokenProcessPool):
            pool.broken = True
        raise
    if len(results) != reps:  # pragma: no cover - a worker saw the cancel event
        raise Cancelled()
    return [results[r] for r in range(reps)]


def run_many(scenarios: Sequence[Scenario], state: Progress | None = None, *,
             replications: int | None = None, seed: int | None = None,
             workers: int = 1) -> list[ScenarioResult]:
    """Run several scenarios one after the other (each in parallel), progress spread evenly.
    With a common ``seed`` (or scenarios sharing their seed) they share random numbers."""
    out = []
    k = len(scenarios)
    for i, sc in enumerate(scenarios):
        sub = state.part(i / k, 1 / k) if state is not None else None
        out.append(run(sc, sub, replications=replications, seed=seed, workers=workers))
    return out
