"""The ``monitor`` flow: one cycle, feeds → article text → DuckDB. It only orchestrates; the work
is in flows/cycle.py. Network tasks retry inside the fetcher (per request, with backoff), so one
broken feed or page never fails a task, let alone the run."""

from __future__ import annotations

import time
import uuid
from typing import Any

from flows import prefect_env  # noqa: F401  (must precede prefect)
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import opaque, quote
from prefect.runtime import flow_run

from flows import cycle, notify
from flows.config import Settings, load_settings
from flows.workers import WorkerPool, shared_pool
from storage.db import StoreLocked, held, lock_holds
from storage.session import publish_snapshot, snapshot_due, writer_session

BATCH = 40  # pages per fetch/extract/save task: small enough to pipeline, large enough that a task's
# few milliseconds of Prefect overhead do not matter
FIRST_BATCH = 8  # the workers wait for the first batch's pages: a short one gets them started sooner


def batches(jobs: list[Any]) -> list[list[Any]]:
    """The jobs cut into batches: a short first one, then BATCH each."""
    cuts = [0, *range(min(FIRST_BATCH, len(jobs)), len(jobs), BATCH), len(jobs)]
    return [jobs[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]

prepare = task(cycle.prepare, name="prepare-store", cache_policy=NONE)
poll_feeds = task(cycle.poll_feeds, name="poll-feeds", cache_policy=NONE)
plan_pages = task(cycle.plan_pages, name="plan-pages", cache_policy=NONE)
read_batch = task(cycle.read_batch, name="read-pages", cache_policy=NONE)
save_batch = task(cycle.save_batch, name="save-articles", cache_policy=NONE)
finish = task(cycle.finish, name="finish-run", cache_policy=NONE)
make_digest = task(notify.make_digest, name="write-digest", cache_policy=NONE)
deliver_due = task(notify.deliver_due, name="deliver-digests", cache_policy=NONE)


def light(value: Any) -> Any:
    """A task argument Prefect hands over without walking through it. Prefect visits every list,
    dict, dataclass and model in a task's arguments, and in the results of the futures it resolves,
    looking for more futures; for a batch of pages, their texts and tags that walk was the largest
    share of the flow process's CPU in a profiled cold cycle (yappi). A future is still
    waited for and resolved (``opaque``); anything else is passed as it is (``quote``)."""
    return opaque(value) if isinstance(value, PrefectFuture) else quote(value)


def writer(settings: Settings, stage: Any) -> Any:
    """A stage that touches the store. With a Dask task runner every task would run on a cluster
    worker, in another process; the store has one writer, this process, so there the stage's plain
    function is called instead of its task."""
    if settings.cluster.enabled:
        return stage.fn
    return lambda *args: stage(*map(light, args))


def publish_and_deliver(settings: Settings, run_id: str, log: Any, *, create: bool, heartbeat: bool = False) -> dict[str, Any]:
    """Write a digest when asked (and something is new, or for a heartbeat), publish it as a Prefect
    artifact, then attempt every due delivery, including retries of earlier failures."""
    made = writer(settings, make_digest)(settings, run_id, heartbeat) if create else None
    if made is not None:
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(key="news-digest", markdown=made[1], description=f"nkwatch digest {made[0]}")
        log.info("digest %s written to the outbox for %d target(s)", made[0], len(settings.notifications))
    reports = writer(settings, deliver_due)(settings) if settings.notifications else []
    for r in reports:
        if r.ok:
            log.info("digest %s sent to %s", r.digest_id, r.target)
        else:
            log.warning("digest %s to %s failed: %s (will retry)", r.digest_id, r.target, r.error)
    return {"digest": made[0] if made else None,
            "deliveries": [{"digest": r.digest_id, "target": r.target, "ok": r.ok, "error": r.error} for r in reports]}


read_batch_on_cluster = read_batch.with_options(name="read-pages-on-cluster")


def read_pages_on_cluster(settings: Settings, run_id: str, jobs: list[cycle.PageJob], tally: cycle.Tally,
                          log: Any) -> None:
    """Dask mode: fetch + extract run as tasks on the cluster's workers; this process stays the
    single writer, saving each batch (in order) as its results arrive."""
    parts = batches(jobs)
    # Plain arguments: an annotation sent to a Dask worker arrives there as a bare tuple.
    futures = [read_batch_on_cluster.submit(settings, batch) for batch in parts]
    done = 0
    for batch, future in zip(parts, futures):
        cycle.save_batch(settings, run_id, batch, future.result(), [], tally)
        log.info("pages %d-%d of %d saved (read on the cluster): %d new so far", done + 1, done + len(batch),
                 len(jobs), tally.new_articles)
        done += len(batch)


def read_pages(settings: Settings, run_id: str, jobs: list[cycle.PageJob], pool: WorkerPool, tally: cycle.Tally,
               log: Any) -> None:
    """Fetch, extract and save the pages in batches, as a pipeline of Prefect tasks: while the
    workers extract batch k, batch k+1 is fetched and batch k-1 saved. Saves run one after the
    other, in order (de-duplication sees every earlier batch); reading runs at most two batches
    ahead of saving, so memory holds a few batches of pages, not the whole cycle's."""
    reads: list[Any] = []
    last_save = None
    start = 0
    for n, batch in enumerate(batches(jobs)):
        ahead = [reads[n - 2]] if n >= 2 else []
        read = read_batch.submit(light(settings), light(batch), pool, wait_for=ahead)
        reads.append(read)
        last_save = save_batch.submit(light(settings), run_id, light(batch), light(read), light([]), light(tally),
                                      wait_for=[last_save] if last_save else [])
        last_save.add_done_callback(
            lambda _f, a=start + 1, b=start + len(batch): log.info(
                "pages %d-%d of %d saved: %d new so far, %d duplicate(s)", a, b, len(jobs), tally.new_articles,
                tally.duplicates))
        start += len(batch)
    if last_save is not None:
        last_save.result()  # raises what the last save (or anything it waited for) raised


def run_cycle(settings: Settings, run_id: str, log: Any) -> dict[str, Any]:
    """The cycle's data path; ``log`` is Prefect's run logger (or any logger)."""
    started = time.monotonic()
    pool = shared_pool(settings.extraction.workers)
    if settings.enabled_feeds and not settings.cluster.enabled:
        pool.warm()  # workers import trafilatura and the lexicon while the store is prepared and feeds polled
    return _run_cycle(settings, run_id, log, pool, started)


def _run_cycle(settings: Settings, run_id: str, log: Any, pool: WorkerPool, started: float) -> dict[str, Any]:
    states, seeded = writer(settings, prepare)(settings, run_id)
    # On a Dask cluster the task runs on a cluster worker, where this process's pool does not exist.
    polls = poll_feeds(light(settings), light(states), None if settings.cluster.enabled else pool)
    # From the run log's first line to its last the stages share one store connection
    # (storage/db.py `held`): opening, migrating and closing it (a checkpoint) cost about 0.1 s
    # each time. The run is logged here, not in `prepare`, so that the store stays closed while
    # the feeds are polled and `prepare` has nothing to checkpoint (a plain call: one insert).
    with held(settings.database):
        crashed = cycle.begin_run(settings, run_id)
        if crashed:
            log.warning("%d earlier run(s) had stopped before finishing; their committed work is kept", crashed)
        repairs = cycle.repairs_due(settings)
        for detail in repairs:
            log.warning("repair due: %s", detail)
        plan = writer(settings, plan_pages)(settings, polls)
        tally = cycle.Tally(entries_seen=sum(len(p.entries) for p in polls))
        log.info("%d feed(s) polled, %d entries, %d page(s) to read", len(polls), tally.entries_seen, len(plan.jobs))
        jobs = list(plan.jobs)
        if settings.cluster.enabled:
            read_pages_on_cluster(settings, run_id, jobs, tally, log)
        else:
            read_pages(settings, run_id, jobs, pool, tally, log)
        if plan.links:
            writer(settings, save_batch)(settings, run_id, [], [], list(plan.links), tally)
        summary = _summary(run_id, polls, jobs, seeded, tally, started)
        summary["repairs_due"] = repairs
        writer(settings, finish)(settings, run_id, polls, plan, summary)
        fold_due = cycle.folds_due(settings)
    summary["longest_lock_seconds"] = round(max(lock_holds(settings.database), default=0.0), 3)
    immediate = settings.digest.mode == "immediate" and bool(tally.new_figures or tally.new_events
                                                           or settings.digest.alert_on_corroboration)
    summary.update(publish_and_deliver(settings, run_id, log, create=immediate))
    # After the digest: a fold at 1M articles takes about 18 s (once every ~8,000 new articles),
    # and what is new must not wait for it.
    summary["folded"] = {}
    if fold_due:
        summary["folded"], put_off = cycle.fold_tiers(settings)
        if summary["folded"]:
            log.info("folded the newest %s into the store's main indexes (closing the store rewrites them"
                     " this time)", " and ".join(f"{n:,} {_TIER_ROWS[t]}" for t, n in summary["folded"].items()))
        for reason in put_off:
            log.warning("fold put off to a later cycle: %s", reason)
    return summary


_TIER_ROWS = {"article_bands": "band keys", "search_terms": "search postings"}


def _summary(run_id: str, polls: list[cycle.FeedPoll], jobs: list[cycle.PageJob], seeded: int, tally: cycle.Tally,
             started: float) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "feeds": [{"name": p.feed.name, "outcome": p.check.outcome, "entries": len(p.entries),
                   "error": p.check.error, "warning": p.check.warning} for p in polls],
        "feeds_ok": sum(p.check.outcome in ("ok", "not_modified") for p in polls),
        "feeds_failed": sum(p.check.outcome == "failed" for p in polls),
        "feeds_skipped": sum(p.check.outcome == "skipped" for p in polls),
        "seeds_loaded": seeded,
        "entries_seen": tally.entries_seen,
        "pages_read": len(jobs),
        "new_articles": tally.new_articles,
        "new_versions": tally.versions,
        "duplicates": tally.duplicates,
        "already_stored": tally.refetches,
        "unreadable": tally.unreadable,
        "new_figures": tally.new_figures,
        "new_events": tally.new_events,
        "failures": tally.failures[:50],
        "seconds": round(time.monotonic() - started, 2),
    }


def refresh_snapshot(settings: Settings, log: Any) -> None:
    """Publish the readers' snapshot when one is due. Everything is committed by now, so a reader
    holding the store past the wait costs only the snapshot's freshness, not the run."""
    if not snapshot_due(settings.database, settings.snapshot_every_minutes):
        return
    try:
        publish_snapshot(settings.database)
    except StoreLocked as exc:
        log.warning("snapshot not refreshed (%s); readers keep the previous one", exc)


@flow(name="monitor", log_prints=False, validate_parameters=False)
def monitor(config_path: str = "config.yaml") -> dict[str, Any]:
    """Poll the configured feeds once, store new articles de-duplicated, and return the run's numbers."""
    settings = load_settings(config_path)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    log = get_run_logger()
    with writer_session(settings.database, settings.store_wait_seconds) as session:
        if session.copied:
            log.warning("the store is open in another program (read-only): working on a copy that replaces it"
                        " at the end; open readers keep their view")
        summary = run_cycle(settings, run_id, log)
        summary["worked_on_copy"] = session.copied
        refresh_snapshot(settings, log)
    return summary


@flow(name="digest", log_prints=False, validate_parameters=False)
def digest(config_path: str = "config.yaml") -> dict[str, Any]:
    """Write the digest of everything not yet reported (or a heartbeat if configured) and deliver
    every pending one. Run on the digest schedule, or by `nkwatch digest --send`."""
    settings = load_settings(config_path)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    log = get_run_logger()
    with writer_session(settings.database, settings.store_wait_seconds):
        result = publish_and_deliver(settings, run_id, log, create=True, heartbeat=settings.digest.heartbeat)
        refresh_snapshot(settings, log)
    return result


def monitor_for(settings: Settings) -> Any:
    """The monitor flow, on a Dask task runner when config.yaml names a cluster (prefect-dask)."""
    if not settings.cluster.enabled:
        return monitor
    from prefect_dask import DaskTaskRunner

    if settings.cluster.address:
        runner = DaskTaskRunner(address=settings.cluster.address)
    else:
        runner = DaskTaskRunner(cluster_class="distributed.LocalCluster",
                                cluster_kwargs={"n_workers": settings.cluster.local_workers, "threads_per_worker": 1,
                                                "processes": True, "dashboard_address": None})
    return monitor.with_options(task_runner=runner)
