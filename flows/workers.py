"""CPU-bound work (extraction) in worker processes, each item with a time limit.

trafilatura has no time bound of its own (an 8 MB page took 26 s), so a page that overruns
``timeout`` is given up: its slot's worker is killed with the pool once the batch is done, and the
item gets ``on_timeout(item)``. Workers are started with ``forkserver`` because forking a process
that runs Prefect's threads can deadlock.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def map_with_timeout(func: Callable[[In], Out], items: list[In], *, workers: int, timeout: float,
                     on_timeout: Callable[[In], Out]) -> list[Out]:
    """``[func(x) for x in items]`` across ``workers`` processes; results in input order."""
    if not items:
        return []
    ctx = multiprocessing.get_context("forkserver")
    pool = ctx.Pool(processes=min(workers, len(items)))
    timed_out = False
    try:
        pending = [pool.apply_async(func, (item,)) for item in items]
        results: list[Out] = []
        # Each item gets `timeout` seconds from the moment a worker could have started it; the
        # queue ahead of it (items / workers) is added to its deadline.
        started = time.monotonic()
        per_round = max(1, workers)
        for i, (item, job) in enumerate(zip(items, pending)):
            deadline = started + timeout * (i // per_round + 1)
            try:
                results.append(job.get(timeout=max(0.0, deadline - time.monotonic())))
            except multiprocessing.TimeoutError:
                timed_out = True
                results.append(on_timeout(item))
        return results
    finally:
        if timed_out:
            pool.terminate()
        else:
            pool.close()
        pool.join()
