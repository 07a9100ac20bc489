"""The stages of one monitoring cycle, as plain functions (flows/monitor.py wraps them in Prefect).

    prepare ─► poll_feeds ─► begin_run ─► plan_pages ─► fetch_pages ─► extract_pages ─► save_batch ─► finish ─► (digest) ─► fold_tiers
    (store,     (network:     (store:      (store:       (network)      (processes)      (store: one     (store:    (store: now
     seeds)      feeds)        run log)     what's new)                                   transaction)    cursors,   and then)
                                                                                                          run log)

Each stage opens the store for its own transactions (``open_store``); the flow lets the stages
from begin_run to finish share one connection (``storage.db.held``), and polls the feeds with the
store closed. Nothing here depends on which: the stages run the same without Prefect or sharing.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from extractors.feeds import parse_fetched_feed
from extractors.fingerprint import canonical_url, content_hash
from extractors.page import PageInput, PageResult, process_page, process_text
from extractors.records import Article, FeedEntry, ParsedFeed, Skipped, Tagging
from extractors.seeds import SeedDocument, read_seeds
from flows.config import Feed, Settings
from flows.failpoints import failpoint
from flows.fetch import Fetched, run_fetches
from flows.workers import WorkerPool
from storage import articles as article_store
from storage import claims as claim_store
from storage import feeds as feed_store
from storage import tiers
from storage.db import current_path, open_store, transaction

MAX_ENTRY_ATTEMPTS = 3  # an entry whose page and feed text both fail is retried this many cycles


@dataclass(frozen=True)
class FeedPoll:
    """One feed's answer in this cycle."""

    feed: Feed
    check: feed_store.FeedCheck
    entries: tuple[FeedEntry, ...] = ()


@dataclass(frozen=True)
class PageJob:
    feed: str
    entry: FeedEntry
    entry_hash: str
    url: str


@dataclass(frozen=True)
class Plan:
    jobs: tuple[PageJob, ...]
    links: tuple[tuple[PageJob, str], ...]  # new entries whose URL is already stored → that article id
    unchanged: dict[str, list[str]] = field(default_factory=dict)  # feed → guids seen before, unchanged


@dataclass
class Tally:
    """The numbers a run reports."""

    entries_seen: int = 0
    new_articles: int = 0
    versions: int = 0
    duplicates: int = 0
    refetches: int = 0
    unreadable: int = 0
    new_figures: int = 0
    new_events: int = 0
    failures: list[str] = field(default_factory=list)  # "url: reason" for entries that gave nothing

    def add(self, saved: list[article_store.Saved]) -> None:
        for s in saved:
            if s.outcome == "new":
                self.new_articles += 1
            elif s.outcome == "version":
                self.versions += 1
            elif s.outcome == "duplicate":
                self.duplicates += 1
            else:
                self.refetches += 1


def entry_hash(entry: FeedEntry) -> str:
    """Changes when the entry's dates or text change: the signal to read the page again."""
    parts = [str(entry.published), str(entry.updated), entry.title, entry.summary, entry.content, entry.link or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _now() -> datetime:
    return datetime.now(UTC)


def prepare(settings: Settings, run_id: str) -> tuple[dict[str, feed_store.FeedState], int]:
    """Migrate the store, register the configured feeds, load the seeds (idempotent).

    Returns the feeds' states and the number of seeds newly stored. When the seeds and feeds are
    unchanged nothing is written, so closing the store has nothing to checkpoint: the run is
    logged by ``begin_run``, on the connection the cycle keeps open anyway (a checkpoint on this
    close cost 13 ms at 10k articles and 28 ms at 1M, at every cycle's start)."""
    seeds = read_seeds(settings.seeds) if settings.seeds.is_dir() else []
    now = _now()
    with open_store(settings.database) as con, transaction(con):
        tiers.note_lost_bands_file(con, settings.database.resolve(), now)  # before a look-up makes it again, empty
        # Only seeds that are new or changed are fingerprinted and tagged: a cycle's start-up must
        # not redo work the store already holds.
        known = article_store.latest_versions(con, [f"seed:{d.file}" for d in seeds])
        processed = [_seed_incoming(d, settings) for d in seeds
                     if (v := known.get(f"seed:{d.file}")) is None or v.content_hash != content_hash(d.text)]
        feed_store.sync_feeds(con, [(f.name, f.url) for f in settings.feeds])
        saved = article_store.save_articles(con, [i for i, _ in processed],
                                            threshold=settings.dedup.near_duplicate_threshold,
                                            shingle_size=settings.dedup.shingle_words, run_id=run_id, now=now)
        _save_claims(con, settings, saved, processed, now, seed=True)
        states = feed_store.feed_states(con)
    return states, sum(s.outcome != "refetch" for s in saved)


def begin_run(settings: Settings, run_id: str) -> int:
    """Log the run as started; returns how many earlier runs it finds crashed (left running)."""
    with open_store(settings.database) as con, transaction(con):
        return feed_store.start_run(con, run_id, _now())


def _seed_incoming(doc: SeedDocument, settings: Settings) -> tuple[article_store.Incoming, PageResult]:
    url = f"seed:{doc.file}"
    article = Article(url=url, title=doc.title, text=doc.text, published=doc.published, extraction="seed")
    result = process_text(article, settings.dedup.shingle_words, settings.tagging.lexicon)
    published = datetime.combine(doc.published, time(), tzinfo=UTC) if doc.published else None
    return article_store.Incoming(article, url, result.content_hash, result.band_keys, "seed", published,
                                  seed_file=doc.file), result


def _save_claims(con, settings: Settings, saved: list[article_store.Saved],  # type: ignore[no-untyped-def]
                 processed: list[tuple[article_store.Incoming, PageResult]], now: datetime, seed: bool) -> tuple[int, int]:
    """Tags of new articles and versions; returns (new figures, new events).

    Exact copies and re-fetches add nothing. A near copy is not tagged again either, except for the
    figures its original does not state: a wire story re-issued under a new URL with an updated
    number must not lose that number, and what the copy merely repeats is never stored or alerted twice."""
    todo: list[claim_store.ArticleTagging] = []
    originals = claim_store.figure_values(con, [s.duplicate_of or "" for s, (_, result) in zip(saved, processed)
                                                if s.outcome == "duplicate" and s.similarity != 1.0 and result.tagging])
    for s, (item, result) in zip(saved, processed):
        tagging = result.tagging
        if tagging is None or s.outcome == "refetch" or (s.outcome == "duplicate" and s.similarity == 1.0):
            continue
        if s.outcome == "duplicate":
            known = originals[s.duplicate_of or ""]
            tagging = Tagging(tagging.relevant, tagging.score, tagging.evidence,
                              tuple(f for f in tagging.figures if (f.category, f.low, f.high, f.stance) not in known))
            if not tagging.figures:
                continue
        published = item.published.date() if item.published else result.article.published  # type: ignore[union-attr]
        todo.append(claim_store.ArticleTagging(s.article_id, tagging, published))
    claims = claim_store.save_taggings(con, todo, now=now, seed=seed,
                                       event_window_days=settings.digest.event_window_days)
    return sum(c.new_figures for c in claims), sum(c.new_events for c in claims)


def poll_feeds(settings: Settings, states: dict[str, feed_store.FeedState],
               pool: WorkerPool | None = None) -> list[FeedPoll]:
    """Fetch every enabled feed not backing off (conditional GET) and parse what came back, in
    the worker processes when they are up (feedparser has no time bound of its own; parsing ten
    feeds in this process was 0.13 s of a cycle's start, with both cores otherwise idle)."""
    now = _now()
    due: list[Feed] = []
    polls: list[FeedPoll] = []
    for feed in settings.enabled_feeds:
        state = states.get(feed.name)
        if state and state.retry_after and state.retry_after > now:
            reason = f"backing off until {state.retry_after:%Y-%m-%d %H:%M} UTC after {state.consecutive_failures} failure(s)"
            polls.append(FeedPoll(feed, feed_store.FeedCheck(feed.name, "skipped", error=reason)))
        else:
            due.append(feed)
    jobs = []
    for feed in due:
        state = states.get(feed.name)
        same_url = state is not None and state.url == feed.url
        jobs.append((feed.url, {"etag": state.etag if same_url else None,
                                "last_modified": state.last_modified if same_url else None,
                                "trusted": True}))
    answers = run_fetches(settings.http, jobs)
    has_body = [f.ok and not f.not_modified for f in answers]
    parsed = iter(_parse_feeds([(f.body, f.final_url, f.headers) for f, b in zip(answers, has_body) if b],
                               settings, pool))
    for feed, fetched, body in zip(due, answers, has_body):
        polls.append(_read_feed(feed, fetched, next(parsed) if body else None))
    return polls


def _parse_feeds(jobs: list[tuple[bytes, str, dict[str, str]]], settings: Settings,
                 pool: WorkerPool | None) -> list[ParsedFeed | Skipped]:
    if pool is None or not pool.started:  # never wait for workers still starting
        return [parse_fetched_feed(job) for job in jobs]
    return pool.map(parse_fetched_feed, jobs, timeout=settings.extraction.timeout_seconds,
                    on_failure=lambda _job, reason: Skipped(f"feed not read: {reason}"), work="feed parsing")


def _read_feed(feed: Feed, fetched: Fetched, parsed: ParsedFeed | Skipped | None) -> FeedPoll:
    check = functools.partial(feed_store.FeedCheck, feed.name, http_status=fetched.status)
    if fetched.not_modified:
        return FeedPoll(feed, check("not_modified"))
    if not fetched.ok or parsed is None:
        return FeedPoll(feed, check("failed", error=fetched.error or f"HTTP {fetched.status}",
                                    retry_after_seconds=fetched.retry_after))
    if isinstance(parsed, Skipped):
        return FeedPoll(feed, check("failed", error=parsed.reason))
    return FeedPoll(feed, check("ok", entries=len(parsed.entries), warning=parsed.warning,
                                etag=fetched.headers.get("etag"),
                                last_modified=fetched.headers.get("last-modified")), parsed.entries)


def plan_pages(settings: Settings, polls: list[FeedPoll]) -> Plan:
    """Which entries need their page read: new ones, and known ones whose dates or text changed.
    A new entry whose URL is already stored (the same story in another feed) is linked, not read."""
    jobs: list[PageJob] = []
    links: list[tuple[PageJob, str]] = []
    unchanged: dict[str, list[str]] = {}
    with open_store(settings.database) as con:
        known = article_store.known_entries(con, {p.feed.name: [e.guid for e in p.entries] for p in polls})
        urls = {(p.feed.name, e.guid): canonical_url(e.link) for p in polls for e in p.entries if e.link}
        stored = {url: v.id for url, v in article_store.latest_versions(con, list(urls.values())).items()}
    for poll in polls:
        for entry in poll.entries:
            key = (poll.feed.name, entry.guid)
            job = PageJob(poll.feed.name, entry, entry_hash(entry), entry.link or "")
            seen = known.get(key)
            if seen and seen.entry_hash == job.entry_hash and (
                    seen.article_id or seen.attempts >= MAX_ENTRY_ATTEMPTS):
                unchanged.setdefault(poll.feed.name, []).append(entry.guid)
            elif not seen and key in urls and urls[key] in stored:
                links.append((job, stored[urls[key]]))
            else:
                jobs.append(job)
    return Plan(tuple(jobs), tuple(links), unchanged)


def _trusted_hosts(settings: Settings) -> set[str]:
    """Links on the same host as a configured feed are trusted as written."""
    return {(urlsplit(f.url).hostname or "").lower() for f in settings.feeds}


def fetch_pages(settings: Settings, jobs: list[PageJob]) -> list[Fetched]:
    failpoint("fetch")
    fetchable = [(job.url, {}) for job in jobs if job.url]
    results = iter(run_fetches(settings.http, fetchable, _trusted_hosts(settings)))
    return [next(results) if job.url else Fetched("", "", error="the entry has no link") for job in jobs]


def _page_inputs(jobs: list[PageJob], fetched: list[Fetched]) -> list[PageInput]:
    return [PageInput(job.entry, f.final_url or job.url, f.body, f.headers.get("content-type", ""),
                      f.error if not f.ok else None) for job, f in zip(jobs, fetched)]


def _page_work(settings: Settings) -> functools.partial[PageResult]:
    return functools.partial(process_page, min_chars=settings.extraction.min_text_chars,
                             shingle_size=settings.dedup.shingle_words, lexicon=settings.tagging.lexicon)


def extract_pages(settings: Settings, jobs: list[PageJob], fetched: list[Fetched],
                  pool: WorkerPool | None = None) -> list[PageResult]:
    """Article text for each job, in worker processes; the feed's text when the page fails."""
    inputs, work = _page_inputs(jobs, fetched), _page_work(settings)
    timeout = settings.extraction.timeout_seconds

    def gave_up(page: PageInput, reason: str) -> PageResult:
        return process_page(PageInput(page.entry, page.url, b"", "", reason), 0, settings.dedup.shingle_words,
                            settings.tagging.lexicon)

    if pool is not None:
        return pool.map(work, inputs, timeout=timeout, on_failure=gave_up)
    with WorkerPool(settings.extraction.workers) as own:
        return own.map(work, inputs, timeout=timeout, on_failure=gave_up)


def read_batch(settings: Settings, jobs: list[PageJob], pool: WorkerPool | None = None) -> list[PageResult]:
    """Fetch and extract one batch: the unit of a cycle's page work (one Prefect task; a task per
    stage cost more Prefect bookkeeping than it bought). Without ``pool`` the pages are extracted
    in this process: the unit sent to a Dask worker (Dask's worker processes are the parallelism
    there, and may not start their own)."""
    fetched = fetch_pages(settings, jobs)
    if pool is not None:
        return extract_pages(settings, jobs, fetched, pool)
    work = _page_work(settings)
    return [work(page) for page in _page_inputs(jobs, fetched)]


def save_batch(settings: Settings, run_id: str, jobs: list[PageJob], results: list[PageResult],
               links: list[tuple[PageJob, str]], tally: Tally) -> list[article_store.Saved]:
    """One transaction: the batch's articles, duplicates decided, entries linked."""
    now = _now()
    processed: list[tuple[article_store.Incoming, PageResult]] = []
    unread: list[article_store.EntryRow] = []
    with open_store(settings.database) as con, transaction(con):
        for job, result in zip(jobs, results):
            if isinstance(result.article, Skipped):
                tally.unreadable += 1
                tally.failures.append(f"{job.url or job.entry.guid}: {result.article.reason}")
                unread.append(article_store.EntryRow(job.feed, job.entry, job.entry_hash,
                                                     canonical_url(job.url) if job.url else None, None,
                                                     result.article.reason))
                continue
            a = result.article
            published = job.entry.published or (datetime.combine(a.published, time(), tzinfo=UTC)
                                                 if a.published else None)
            processed.append((article_store.Incoming(
                a, canonical_url(job.url or a.url), result.content_hash, result.band_keys, "feed", published,
                feed=job.feed, entry=job.entry, entry_hash=job.entry_hash, extraction_note=result.note), result))
        saved = article_store.save_articles(con, [i for i, _ in processed],
                                            threshold=settings.dedup.near_duplicate_threshold,
                                            shingle_size=settings.dedup.shingle_words, run_id=run_id, now=now)
        failpoint("mid-save")  # inside the transaction: nothing of this batch may survive
        figures, events = _save_claims(con, settings, saved, processed, now, seed=False)
        tally.new_figures += figures
        tally.new_events += events
        article_store.record_entries(con, unread + [
            article_store.EntryRow(job.feed, job.entry, job.entry_hash, canonical_url(job.url), aid)
            for job, aid in links], now)
    tally.add(saved)
    tally.refetches += len(links)
    return saved


def finish(settings: Settings, run_id: str, polls: list[FeedPoll], plan: Plan, summary: dict[str, object]) -> None:
    """Move the feeds' cursors and close the run log, after every article is committed."""
    now = _now()
    new_by_feed: dict[str, int] = {}
    for job in plan.jobs:
        new_by_feed[job.feed] = new_by_feed.get(job.feed, 0) + 1
    checks = [
        feed_store.FeedCheck(**{**p.check.__dict__, "new_entries": new_by_feed.get(p.feed.name, 0)})
        for p in polls
    ]
    failpoint("before-finish")  # articles committed, feed cursors not yet moved
    with open_store(settings.database) as con, transaction(con):
        for feed, guids in plan.unchanged.items():
            article_store.touch_entries(con, feed, guids, now)
        feed_store.record_checks(con, run_id, checks, now)
        feed_store.finish_run(con, run_id, now, summary)


def repairs_due(settings: Settings) -> list[str]:
    """What the store needs repaired and a cycle cannot do (storage/tiers.py), to warn of."""
    with open_store(settings.database) as con:
        return tiers.repairs_due(con)


def folds_due(settings: Settings) -> bool:
    """Whether a recent tier is full (a count of each; the cycle asks on the connection it holds)."""
    with open_store(settings.database) as con:
        return bool(tiers.folds_due(con))


def fold_tiers(settings: Settings) -> tuple[dict[str, int], list[str]]:
    """Fold a full recent tier of the band keys or search postings into its main tier
    (storage/tiers.py): rows moved, by table, and why a due fold was put off. The store's close,
    or the band-key file's, then writes that main index once every few thousand articles
    instead of every cycle."""
    folded: dict[str, int] = {}
    put_off: list[str] = []
    store = settings.database.resolve()
    with open_store(settings.database) as con:
        due = tiers.folds_due(con)
        if "search_terms" in due:
            with transaction(con):
                folded["search_terms"] = tiers.fold_postings(con)
                failpoint("mid-fold-postings")  # inside the transaction: the fold happens whole or not at all
        if "article_bands" in due:
            if current_path(store) != store:
                # This cycle works on a copy of the store (readers hold it), which a failure would
                # discard; the band-key file is written in place, so its fold waits for a cycle
                # on the store itself.
                put_off.append("band keys: the store is held by readers, this cycle works on a copy")
            else:
                try:
                    # Killed between the two steps, the keys are in both tiers, read as one.
                    folded["article_bands"] = tiers.fold_bands(con, between=lambda: failpoint("mid-fold-bands"))
                except tiers.BandsFileBusy as exc:
                    put_off.append(f"band keys: {exc}")
    return folded, put_off
