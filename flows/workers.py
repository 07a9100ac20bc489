"""CPU-bound work (extraction and tagging) in worker processes, each item with a time limit.

One pool serves a process (``shared_pool``): it is started in the background as early as the
process knows it will read pages (`nkwatch run` starts it before Prefect's own start-up, a flow
before it prepares the store), so no cycle waits for its workers to import trafilatura and the
lexicon, and it is kept for the process's later cycles. Workers start with ``forkserver`` because
forking a process that runs Prefect's threads can deadlock.

trafilatura has no time bound of its own (an 8 MB page took 26 s), so a page that overruns
``timeout`` is given up: it gets ``on_failure(item, reason)`` and the worker stuck on it is killed
and replaced; so is a worker that dies (its page gets ``on_failure`` too).

Why not ``multiprocessing.Pool``: its worker-handler thread wakes whenever a result is waiting to
be read and then polls every worker, and in a cycle it spun tens of thousands of times (a
profiled cold cycle: 31,000 waits, over a second of the flow process's CPU). Here the thread that
asks for the work hands items to idle workers and reads their answers itself, one pipe per worker.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def _serve(conn: Connection) -> None:
    """A worker's loop: run each ``(func, item)`` it is sent, answer ``(True, result)`` or
    ``(False, exception)``; stop at ``None`` or when the pool's end of the pipe closes."""
    import extractors.warmup  # noqa: F401  (already done in the fork server; this covers other start methods)

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        func, item = task
        try:
            answer: tuple[bool, Any] = (True, func(item))
        except Exception as exc:  # the caller re-raises it; the worker stays usable
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an unpicklable result or exception
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


@dataclass
class _Worker:
    process: Any  # multiprocessing's ForkServerProcess
    conn: Connection


class WorkerPool:
    """``with WorkerPool(2) as pool: pool.map(func, items, timeout=30, on_failure=...)``"""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._idle: list[_Worker] | None = None
        self._lock = threading.Lock()  # one start or map at a time (Prefect runs stages in threads)

    def _spawn(self) -> _Worker:
        context = multiprocessing.get_context("forkserver")
        # The fork server imports trafilatura and the tagger and runs one page through them
        # (extractors/warmup.py); every worker forked from it starts warm (two workers each
        # warming up cost 2 s of CPU on 2 cores, in the middle of a cycle). Takes effect when
        # the fork server starts: once per process.
        context.set_forkserver_preload(["extractors.warmup"])
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs,), name="nkwatch-extract", daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours)

    def _ensure(self) -> list[_Worker]:
        if self._idle is None:
            self._idle = [self._spawn() for _ in range(self.workers)]
        return self._idle

    def warm(self) -> None:
        """Start the workers in the background, without waiting for them: starting blocks until
        the fork server has imported and warmed up the extractors (about a second of CPU), which
        the caller spends preparing the store, polling feeds or starting Prefect."""
        if self._idle is None:
            threading.Thread(target=self.start, name="nkwatch-workers-start", daemon=True).start()

    def start(self) -> None:
        with self._lock:
            self._ensure()

    def pids(self) -> list[int]:
        """The workers' process ids (none before the pool starts)."""
        return [w.process.pid for w in self._idle or []]

    def _replace(self, worker: _Worker) -> _Worker:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        return self._spawn()

    @property
    def started(self) -> bool:
        """Whether the workers are up (``map`` would not wait for them to start)."""
        return self._idle is not None

    def map(self, func: Callable[[In], Out], items: list[In], *, timeout: float,
            on_failure: Callable[[In, str], Out], work: str = "extraction") -> list[Out]:
        """``[func(x) for x in items]`` across the workers, results in input order. Each item has
        ``timeout`` seconds from when a worker takes it; an exception raised by ``func`` is
        raised here once every other item is done. ``work`` names the work in failure reasons."""
        if not items:
            return []
        with self._lock:
            idle = self._ensure()
            results: list[Any] = [None] * len(items)
            queue = deque(range(len(items)))
            busy: dict[Connection, tuple[_Worker, int, float]] = {}
            error: BaseException | None = None
            try:
                while queue or busy:
                    while queue and idle:
                        worker, index = idle.pop(), queue.popleft()
                        busy[worker.conn] = (worker, index, time.monotonic() + timeout)
                        try:
                            worker.conn.send((func, items[index]))
                        except OSError:  # it died while idle
                            del busy[worker.conn]
                            worker = self._replace(worker)
                            busy[worker.conn] = (worker, index, time.monotonic() + timeout)
                            worker.conn.send((func, items[index]))
                    soonest = min(deadline for _, _, deadline in busy.values())
                    for conn in wait(list(busy), timeout=max(0.0, soonest - time.monotonic())):
                        worker, index, _ = busy.pop(conn)  # type: ignore[call-overload]
                        try:
                            ok, value = conn.recv()  # type: ignore[union-attr]
                        except (EOFError, OSError):
                            results[index] = on_failure(items[index], f"the {work} worker died")
                            idle.append(self._replace(worker))
                            continue
                        if ok:
                            results[index] = value
                        else:
                            error = error or value
                        idle.append(worker)
                    now = time.monotonic()
                    for conn, (worker, index, deadline) in list(busy.items()):
                        if deadline <= now:
                            del busy[conn]
                            results[index] = on_failure(items[index], f"{work} took longer than {timeout:g} s")
                            idle.append(self._replace(worker))
            except BaseException:
                # Interrupted (an item that cannot be sent, Ctrl-C): a busy worker's answer would
                # reach the next map, and the worker would be missing from the pool; replace them.
                idle.extend(self._replace(worker) for worker, _, _ in busy.values())
                raise
            if error is not None:
                raise error
            return results

    def close(self, kill: bool = False) -> None:
        with self._lock:
            workers, self._idle = self._idle or [], None
        for worker in workers:
            if not kill:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
                worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            worker.conn.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close(kill=exc[0] is not None)


_shared: dict[int, WorkerPool] = {}
_shared_lock = threading.Lock()


def shared_pool(workers: int) -> WorkerPool:
    """This process's pool of ``workers`` extraction workers, kept across cycles; closed at exit."""
    with _shared_lock:
        if workers not in _shared:
            _shared[workers] = WorkerPool(workers)
        return _shared[workers]


@atexit.register
def _close_shared() -> None:
    for pool in list(_shared.values()):
        pool.close(kill=True)
