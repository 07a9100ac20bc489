#!/usr/bin/env python3
"""Where a cold cycle's time goes: the CPU of each process, and each stage's time.

    .venv/bin/python benchmarks/where.py [--cycles 3] [--timeline]

Runs the benchmark's cold cycle (benchmarks/run.py: the real monitor flow over 10 feeds of the
181 benchmark pages, served from a local process, each cycle on a new store holding the seeds)
and reports, for each cycle:
- the CPU time of every process in it: the flow process (this one), the extraction workers,
  Prefect's temporary server, the page server, and the share of the two cores they kept busy;
- every stage the flow calls (flows/cycle.py, the storage calls inside saving, the store's
  closing checkpoint), with its wall time and the CPU time of the thread it ran in;
- with ``--timeline``, when each stage started and ended, from the ``monitor`` call: the serial
  start (until the workers get their first pages) and the serial end (after their last).

The stages are timed by wrapping their functions in this process (the code under test is not
changed). Linux only: the CPU times are read from /proc. Needs ../shared/benchmarks/article-extraction.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import run as bench  # noqa: E402  (also sets Prefect's settings before prefect is imported)

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    cpu_seconds: float  # user + system, all threads
    command: str


def processes() -> dict[int, Proc]:
    """Every process this user can read, from /proc (a process gone while reading is skipped)."""
    found: dict[int, Proc] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces: split after it.
        fields = stat[stat.rindex(")") + 2:].split()
        found[int(entry)] = Proc(int(entry), int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK, command)
    return found


def descendants(root: int, table: dict[int, Proc]) -> list[Proc]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for p in table.values():
        children.setdefault(p.ppid, []).append(p.pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(table[pid])
        todo.extend(children.get(pid, []))
    return out


def cpu_by_role(root: int, roles: Callable[[Proc], str]) -> dict[str, float]:
    """CPU seconds so far of ``root`` and its descendants, summed by ``roles(process)``."""
    totals: dict[str, float] = {}
    for p in descendants(root, processes()):
        totals[roles(p)] = totals.get(roles(p), 0.0) + p.cpu_seconds
    return totals


@dataclass
class Stamp:
    stage: str
    start: float
    end: float
    cpu: float  # of the thread that ran it


class Stamps:
    """Stage timings, appended from any thread (Prefect runs tasks in threads)."""

    def __init__(self) -> None:
        self.items: list[Stamp] = []

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.items.append(Stamp(name, start, time.perf_counter(), time.thread_time() - cpu))
        return timed

    def held(self, original: Callable[[Path], Any]) -> Callable[[Path], Any]:
        """storage.db.held, with its exit (closing the shared connection: a checkpoint) timed."""
        @contextlib.contextmanager
        def timed(path: Path) -> Iterator[None]:
            with original(path):
                yield
                start, cpu = time.perf_counter(), time.thread_time()
            self.items.append(Stamp("close the store (checkpoint)", start, time.perf_counter(),
                                    time.thread_time() - cpu))
        return timed

    def session(self, original: Callable[..., Any]) -> Callable[..., Any]:
        """storage.session.writer_session, with its opening (the writers' check) timed."""
        @contextlib.contextmanager
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            start, cpu = time.perf_counter(), time.thread_time()
            with original(*args, **kwargs) as session:
                self.items.append(Stamp("writer session (open)", start, time.perf_counter(),
                                        time.thread_time() - cpu))
                yield session
        return timed


# The stages flows/monitor.py runs as Prefect tasks (their .fn is wrapped), the ones it and the
# stages call by name, and the storage calls inside saving a batch.
_TASKS = ("prepare", "poll_feeds", "plan_pages", "read_batch", "save_batch", "finish")
_CALLED = {"flows.cycle": ("begin_run", "repairs_due", "fetch_pages", "extract_pages", "folds_due"),
           "flows.monitor": ("publish_and_deliver", "refresh_snapshot"),
           # imported by name into storage.articles, so patched there
           "storage.articles": ("save_articles", "insert_rows", "add_band_keys", "record_entries", "index_articles"),
           "storage.claims": ("save_taggings",)}


def instrument(stamps: Stamps) -> None:
    import importlib

    from flows import monitor as flow_module

    for name in _TASKS:
        stage = getattr(flow_module, name)
        stage.fn = stamps.wrap(name, stage.fn)
    for module, names in _CALLED.items():
        mod = importlib.import_module(module)
        for name in names:
            setattr(mod, name, stamps.wrap(name, getattr(mod, name)))
    # save_articles calls the de-dup look-up's constructor: time it as a stage of its own.
    articles = importlib.import_module("storage.articles")
    articles._BatchLookup.__init__ = stamps.wrap("dedup look-ups", articles._BatchLookup.__init__)
    flow_module.held = stamps.held(flow_module.held)
    flow_module.writer_session = stamps.session(flow_module.writer_session)
    flow_module.monitor.fn = stamps.wrap("flow body", flow_module.monitor.fn)


def one_cycle(pages: dict[str, bytes], workdir: Path, stamps: Stamps) -> dict[str, Any]:
    from flows.config import load_settings
    from flows.monitor import monitor
    from flows.workers import shared_pool

    with bench.cold_site(pages, workdir) as (config, server_pid):
        workers = set(shared_pool(load_settings(config).extraction.workers).pids())

        def role(p: Proc) -> str:
            if p.pid == os.getpid():
                return "flow process"
            if p.pid in workers:
                return "extraction workers"
            if p.pid == server_pid:
                return "page server"
            if "uvicorn" in p.command:
                return "Prefect server"
            return "other"

        before = cpu_by_role(os.getpid(), role)
        stamps.items.clear()
        started = time.perf_counter()
        summary = monitor(str(config))
        ended = time.perf_counter()
        after = cpu_by_role(os.getpid(), role)
    cpu = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after}
    return {"wall": ended - started, "pages": summary["pages_read"], "cpu": cpu, "started": started,
            "ended": ended, "stamps": list(stamps.items)}


def stage_table(cycles: list[dict[str, Any]]) -> list[tuple[str, int, float, float]]:
    """(stage, calls in a cycle, wall s, thread CPU s), medians over the cycles, largest CPU first."""
    names = {s.stage for c in cycles for s in c["stamps"]}
    rows = []
    for name in names:
        per = [[s for s in c["stamps"] if s.stage == name] for c in cycles]
        rows.append((name, len(per[0]), statistics.median(sum(s.end - s.start for s in p) for p in per),
                     statistics.median(sum(s.cpu for s in p) for p in per)))
    return sorted(rows, key=lambda r: -r[3])


def timeline(cycle: dict[str, Any]) -> list[str]:
    t0 = cycle["started"]
    lines = [f"  {'stage':<32} {'from ms':>8} {'to ms':>8} {'cpu ms':>7}"]
    for s in sorted(cycle["stamps"], key=lambda s: s.start):
        lines.append(f"  {s.stage:<32} {(s.start - t0) * 1000:8.0f} {(s.end - t0) * 1000:8.0f} {s.cpu * 1000:7.0f}")
    lines.append(f"  {'(monitor returns)':<32} {'':8} {(cycle['ended'] - t0) * 1000:8.0f}")
    extracts = [s for s in cycle["stamps"] if s.stage == "extract_pages"]
    if extracts:
        first = min(s.start for s in extracts) - t0
        last = cycle["ended"] - max(s.end for s in extracts)
        lines.append(f"  serial start (to the workers' first pages) {first:.3f} s;"
                     f" serial end (after their last) {last:.3f} s")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=3, help="cold cycles to measure (default 3)")
    parser.add_argument("--timeline", action="store_true", help="print each cycle's stages in time order")
    args = parser.parse_args()
    if args.cycles < 1:
        parser.error("--cycles must be at least 1")
    if not (bench.BENCH / "html").is_dir():
        print(f"skipped: {bench.BENCH} is absent")
        return 0
    from flows import prefect_env
    from flows.workers import shared_pool

    stamps = Stamps()
    instrument(stamps)
    pages = bench._pages()
    cycles = []
    with tempfile.TemporaryDirectory() as tmp, prefect_env.one_off_runs():
        print(f"floor: {bench.floor(1):.1f} pages/s (plain trafilatura, one core)")
        bench.prefect_startup()
        shared_pool(2).start()  # started once, before the cycles, as `nkwatch run` does
        for n in range(args.cycles):
            c = one_cycle(pages, Path(tmp) / f"c{n}", stamps)
            cycles.append(c)
            total = sum(c["cpu"].values())
            print(f"cycle {n + 1}: {c['pages']} pages in {c['wall']:.2f} s; CPU (core-s) "
                  + ", ".join(f"{k} {v:.2f}" for k, v in sorted(c["cpu"].items(), key=lambda kv: -kv[1]))
                  + f"; {total:.2f} in all, the {os.cpu_count()} cores {total / c['wall'] / (os.cpu_count() or 1):.0%} busy",
                  flush=True)
            if args.timeline:
                print("\n".join(timeline(c)))
        print(f"floor: {bench.floor(1):.1f} pages/s")
    print(f"\n{'stage (medians of ' + str(len(cycles)) + ' cycles)':<40} {'calls':>5} {'wall s':>7} {'cpu s':>7}")
    for name, calls, wall, cpu in stage_table(cycles):
        print(f"{name:<40} {calls:>5} {wall:7.3f} {cpu:7.3f}")
    print("(a stage's CPU is its thread's; stages nest: saving holds the storage calls below it,"
          " read_batch holds fetch_pages and extract_pages, whose CPU is the workers')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
