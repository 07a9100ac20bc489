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
from prefect.runtime import flow_run

from flows import cycle
from flows.config import Settings, load_settings

BATCH = 100  # pages per fetch/extract/save round: bounds memory and shows progress

prepare = task(cycle.prepare, name="prepare-store", cache_policy=NONE)
poll_feeds = task(cycle.poll_feeds, name="poll-feeds", cache_policy=NONE)
plan_pages = task(cycle.plan_pages, name="plan-pages", cache_policy=NONE)
fetch_pages = task(cycle.fetch_pages, name="fetch-pages", cache_policy=NONE)
extract_pages = task(cycle.extract_pages, name="extract-pages", cache_policy=NONE)
save_batch = task(cycle.save_batch, name="save-articles", cache_policy=NONE)
finish = task(cycle.finish, name="finish-run", cache_policy=NONE)


def run_cycle(settings: Settings, run_id: str, log: Any) -> dict[str, Any]:
    """The cycle's data path; ``log`` is Prefect's run logger (or any logger)."""
    started = time.monotonic()
    states, seeded, crashed = prepare(settings, run_id)
    if crashed:
        log.warning("%d earlier run(s) had stopped before finishing; their committed work is kept", crashed)
    polls = poll_feeds(settings, states)
    plan = plan_pages(settings, polls)
    tally = cycle.Tally(entries_seen=sum(len(p.entries) for p in polls))
    log.info("%d feed(s) polled, %d entries, %d page(s) to read", len(polls), tally.entries_seen, len(plan.jobs))
    jobs = list(plan.jobs)
    for start in range(0, len(jobs), BATCH):
        batch = jobs[start:start + BATCH]
        fetched = fetch_pages(settings, batch)
        results = extract_pages(settings, batch, fetched)
        save_batch(settings, run_id, batch, results, [], tally)
        log.info("pages %d-%d of %d: %d new so far, %d duplicate(s)",
                 start + 1, start + len(batch), len(jobs), tally.new_articles, tally.duplicates)
    if plan.links:
        save_batch(settings, run_id, [], [], list(plan.links), tally)
    summary = {
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
        "failures": tally.failures[:50],
        "seconds": round(time.monotonic() - started, 2),
    }
    finish(settings, run_id, polls, plan, summary)
    return summary


@flow(name="monitor", log_prints=False, validate_parameters=False)
def monitor(config_path: str = "config.yaml") -> dict[str, Any]:
    """Poll the configured feeds once, store new articles de-duplicated, and return the run's numbers."""
    settings = load_settings(config_path)
    run_id = str(flow_run.get_id() or uuid.uuid4())
    return run_cycle(settings, run_id, get_run_logger())
