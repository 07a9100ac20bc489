"""CPU-bound work (extraction and tagging) in worker processes, each item with a time limit.

One pool serves a whole cycle: it is started (and its workers import trafilatura and the lexicon)
while the feeds are being polled, so the first batch of pages does not wait for start-up, and it
is reused by every batch. Workers start with ``forkserver`` because forking a process that runs
Prefect's threads can deadlock.

trafilatura has no time bound of its own (an 8 MB page took 26 s), so a page that overruns
``timeout`` is given up: it gets ``on_timeout(item)``, and the pool, whose worker is stuck on it,
is terminated and replaced after the batch.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.pool import Pool
from typing import Any, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def _warm_up() -> bool:
    import extractors.warmup  # noqa: F401  (already done in the fork server; this covers other start methods)

    return True


class WorkerPool:
    """``with WorkerPool(2) as pool: pool.map(func, items, timeout=30, on_timeout=...)``"""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: Pool | None = None

    def _ensure(self) -> Pool:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            # The fork server imports trafilatura and the tagger and runs one page through them
            # (extractors/warmup.py); every worker forked from it starts warm (two workers each
            # warming up cost 2 s of CPU on 2 cores, in the middle of a cycle). Takes effect when
            # the fork server starts: once per process.
            context.set_forkserver_preload(["extractors.warmup"])
            self._pool = context.Pool(processes=self.workers)
        return self._pool

    def warm(self) -> None:
        """Start the workers and their imports now, without waiting for them."""
        pool = self._ensure()
        for _ in range(self.workers):
            pool.apply_async(_warm_up)

    def map(self, func: Callable[[In], Out], items: list[In], *, timeout: float,
            on_timeout: Callable[[In], Out]) -> list[Out]:
        """``[func(x) for x in items]`` across the workers, results in input order."""
        if not items:
            return []
        pool = self._ensure()
        pending = [pool.apply_async(func, (item,)) for item in items]
        results: list[Out] = []
        stuck = False
        # Each item gets `timeout` seconds from when a worker could have started it: the queue
        # ahead of it (its rank / workers rounds) is added to its deadline.
        started = time.monotonic()
        for i, (item, job) in enumerate(zip(items, pending)):
            deadline = started + timeout * (i // self.workers + 1)
            try:
                results.append(job.get(timeout=max(0.0, deadline - time.monotonic())))
            except multiprocessing.TimeoutError:
                stuck = True
                results.append(on_timeout(item))
        if stuck:  # a worker is still busy with the page that overran: replace the pool
            self.close(kill=True)
        return results

    def close(self, kill: bool = False) -> None:
        if self._pool is None:
            return
        if kill:
            self._pool.terminate()
        else:
            self._pool.close()
        self._pool.join()
        self._pool = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(kill=exc[0] is not None)
