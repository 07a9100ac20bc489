#!/usr/bin/env python3
"""nkwatch's performance benchmark: one command, a table on screen, the figures as JSON.

    python3 tasks.py bench                 # or: .venv/bin/python benchmarks/run.py [--sizes 10000,100000,1000000]

Measured in one run, on this machine:
- floor: plain trafilatura (its defaults) over the 181 benchmark pages, one core, in a process
  that imports nothing else; and, beside it, nkwatch's own per-page work (extraction as a cycle
  runs it, fingerprints, tags);
- start-up, reported apart from the cycles: Prefect's (its temporary server and first flow) and
  the extraction workers' (fork server importing and warming up the extractors);
- cold cycle: the real monitor flow over RSS feeds serving those pages from a local HTTP server
  (fetch, extract, de-duplicate, tag, store), every page new to a store holding the seeds, run
  several times between floor passes, each compared with the mean of the passes on either side:
  the median ratio; and two floor processes at once against one, what the two cores give then;
- on-topic saves: the hand-annotated articles of tests/data/tagging, and a near copy of each,
  saved by the cycle's save stage in batches of 40 (every figure's and event's novelty decided);
- unchanged cycle: 200 feeds that all answer 304; wall time of the flow (Prefect's start-up is
  measured and reported separately);
- near-duplicate lookup per article and cycle start-up time with 10k, 100k, 1M synthetic articles
  stored; at each size too, a batch stored and closed, a fold of each recent tier (band keys;
  search postings, with 220 an article stored) and a search's look-up; store size per 10k articles;
- peak memory (RSS) of the process running the cycles, and of its extraction workers.
Needs ../shared/benchmarks/article-extraction; skips the page measurements cleanly without it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "benchmarks" / "article-extraction"

from flows import prefect_env  # noqa: E402,F401  (Prefect settings before prefect is imported)


def _pages() -> dict[str, bytes]:
    return {p.name.removesuffix(".html.gz"): gzip.decompress(p.read_bytes())
            for p in sorted((BENCH / "html").glob("*.html.gz"))}


_FLOOR = """
import gzip, statistics, sys, time
from pathlib import Path
import trafilatura
pages = {p.name.removesuffix(".html.gz"): gzip.decompress(p.read_bytes())
         for p in sorted((Path(sys.argv[1]) / "html").glob("*.html.gz"))}
rates = []
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    for key, html in pages.items():
        trafilatura.extract(html, url=f"https://example.org/{key}")
    rates.append(len(pages) / (time.perf_counter() - started))
print(statistics.median(rates))
"""


def _floor_process(repeats: int):  # type: ignore[no-untyped-def]
    import subprocess

    return subprocess.Popen([sys.executable, "-c", _FLOOR, str(BENCH), str(repeats)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _rate(process) -> float:  # type: ignore[no-untyped-def]
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(f"the floor process failed (exit {process.returncode}): {err.strip()[-500:]}")
    return float(out.strip().splitlines()[-1])


def floor(repeats: int) -> float:
    """Pages per second of plain trafilatura (its defaults), one core (median of runs), in a
    process of its own that imports nothing but trafilatura: nkwatch configures trafilatura's
    parser (extractors/article.py), and the floor must not profit from that."""
    return _rate(_floor_process(repeats))


def two_floors(repeats: int = 2) -> float:
    """How many times the pages of one floor process two of them do at once (the median of
    ``repeats``, each against the mean of single passes before and after): what this machine's two
    cores give at the moment, beside which the cycle's ratio is read. The machine is shared; a
    neighbour on the other core shows here, not as nkwatch's overhead."""
    ratios = []
    before = floor(1)
    for _ in range(repeats):
        pair = [_floor_process(1), _floor_process(1)]
        both = sum(_rate(p) for p in pair)
        after = floor(1)
        ratios.append(both / ((before + after) / 2))
        before = after
    return statistics.median(ratios)


def own_extraction(pages: dict[str, bytes], repeats: int) -> float:
    """Pages per second of nkwatch's per-page work (extraction as a cycle runs it, fingerprints,
    tags), one core, in-process (median of runs): what each worker process does."""
    from extractors.page import PageInput, process_page
    from extractors.records import FeedEntry

    inputs = [PageInput(FeedEntry("https://example.org/rss", key, f"https://example.org/{key}", "", None, None, "", ""),
                        f"https://example.org/{key}", html, "text/html", None) for key, html in pages.items()]
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        for page in inputs:
            process_page(page)
        rates.append(len(inputs) / (time.perf_counter() - started))
    return statistics.median(rates)


def _config(folder: Path, feeds: list[tuple[str, str]], **extra: object) -> Path:
    import yaml

    cfg = {"database": str(folder / "nk.duckdb"), "seeds": str(ROOT / "seeds"),
           "feeds": [{"name": n, "url": u} for n, u in feeds],
           "http": {"allow_private_addresses": True, "retries": 0, "concurrency": 16, "per_host_concurrency": 8},
           **extra}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _page_site(pages: dict[str, bytes], n_feeds: int):  # type: ignore[no-untyped-def]
    from flows.localsite import LocalSite
    from flows.localsite_content import FeedItem

    site = LocalSite()
    keys = list(pages)
    start = datetime(2025, 9, 1, tzinfo=UTC)
    for f in range(n_feeds):
        site.add_feed(f"/feeds/{f}.xml", f"Feed {f}", "rss")
    for i, key in enumerate(keys):
        site.add_page(f"/p/{key}.html", pages[key])
        site.add_feed_entry(f"/feeds/{i % n_feeds}.xml",
                            FeedItem(f"Story {i}", f"/p/{key}.html", published=start + timedelta(minutes=i)))
    return site


def workers_startup() -> float:
    """Seconds to start the extraction workers (fork server importing and warming up the
    extractors, then two workers forked from it): paid once per process, and by `nkwatch run`
    while Prefect starts its server."""
    from flows.workers import shared_pool

    started = time.perf_counter()
    shared_pool(2).start()
    return time.perf_counter() - started


def worker_peak_rss_mb() -> float:
    """The largest peak RSS among the running extraction workers."""
    from flows.workers import shared_pool

    peaks = []
    for pid in shared_pool(2).pids():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def cold_cycles(pages: dict[str, bytes], workdir: Path, runs: int) -> dict[str, object]:
    """``runs`` cold cycles, each on a fresh store holding the seeds, with a floor pass before the
    first and after each one. The machine is shared and its speed drifts over minutes, so each
    cycle is compared with the mean of the two floor passes on either side of it; the median
    cycle's figures are reported (by that ratio), and every cycle's are kept."""
    pairs = []
    before = floor(1)
    for n in range(runs):
        cycle = cold_cycle(pages, workdir / f"cold-{n}")
        after = floor(1)
        rate = (before + after) / 2
        pairs.append({**cycle, "floor_pages_per_second": rate, "floor_passes": [before, after],
                      "ratio": cycle["pages_per_second"] / rate, "store": str(workdir / f"cold-{n}")})
        print(f"  cold cycle {n + 1}: {cycle['pages_per_second']:.1f} pages/s ({cycle['seconds']:.2f} s), floor"
              f" {before:.1f} before and {after:.1f} after: {pairs[-1]['ratio']:.2f} x", flush=True)
        before = after
    median = sorted(pairs, key=lambda c: c["ratio"])[len(pairs) // 2]
    return {**median, "runs": [{k: c[k] for k in ("floor_pages_per_second", "floor_passes", "pages_per_second",
                                                  "ratio")} for c in pairs]}


def prefect_startup() -> float:
    from prefect import flow

    @flow(name="bench-warm-up")
    def warm_up() -> int:
        return 1

    started = time.perf_counter()
    warm_up()
    return time.perf_counter() - started


def _serve_pages(pages: dict[str, bytes], n_feeds: int, ports) -> None:  # type: ignore[no-untyped-def]
    """Serve the feeds and pages of the local site, replayed: each response is taken once from
    flows/localsite.py and then written as ready-made bytes by a small asyncio server. Remote news
    servers use none of our CPU; the threaded test site spent about 4 ms of CPU per page, 10% of
    the cold cycle's CPU on these 2 cores, so the benchmark would have measured the test site."""
    import asyncio
    import gzip
    import http.client

    site = _page_site(pages, n_feeds)
    site.start()
    recorded: dict[str, tuple[str, bytes]] = {}
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
    for path in [f"/feeds/{f}.xml" for f in range(n_feeds)] + [f"/p/{key}.html" for key in pages]:
        conn.request("GET", path)  # identity: feed bodies get their links rewritten below
        response = conn.getresponse()
        recorded[path] = (response.getheader("Content-Type", "text/html"), response.read())
    conn.close()
    site.stop()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                writer.write(ready.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", 0, backlog=256)
        port = server.sockets[0].getsockname()[1]
        for path, (content_type, body) in recorded.items():
            body = gzip.compress(body.replace(f"127.0.0.1:{site.port}".encode(), f"127.0.0.1:{port}".encode()),
                                 compresslevel=6, mtime=0)
            ready[path] = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Encoding: gzip\r\n"
                           f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        ports.put(port)
        await server.serve_forever()

    ready: dict[str, bytes] = {}
    asyncio.run(main())


@contextmanager
def cold_site(pages: dict[str, bytes], workdir: Path) -> Iterator[tuple[Path, int]]:
    """A cold cycle's setting: 10 feeds of the pages served by a process of its own, as remote
    servers would be (it still shares the 2 cores), and a store that already holds the seeds (as
    after a first `nkwatch run`). Yields the config file and the page server's process id."""
    import multiprocessing

    from flows.config import load_settings
    from flows.cycle import prepare

    ctx = multiprocessing.get_context("spawn")
    ports = ctx.Queue()
    server = ctx.Process(target=_serve_pages, args=(pages, 10, ports), daemon=True)
    server.start()
    try:
        base = f"http://127.0.0.1:{ports.get(timeout=60)}"
        config = _config(workdir, [(f"feed-{i}", f"{base}/feeds/{i}.xml") for i in range(10)])
        prepare(load_settings(config), "bench-seeds")
        yield config, server.pid
    finally:
        server.kill()


def cold_cycle(pages: dict[str, bytes], workdir: Path) -> dict[str, float]:
    """Every page new to a store that already holds the seeds (``cold_site``)."""
    from flows.monitor import monitor

    with cold_site(pages, workdir) as (config, _):
        started = time.perf_counter()
        summary = monitor(str(config))
        wall = time.perf_counter() - started
    return {"seconds": wall, "cycle_seconds": summary["seconds"], "pages": summary["pages_read"],
            "pages_per_second": summary["pages_read"] / wall,
            "stored": summary["new_articles"] + summary["duplicates"],
            "longest_lock_seconds": summary["longest_lock_seconds"]}


def on_topic_saves(workdir: Path) -> dict[str, float]:
    """Saving on-topic articles, as when a big story breaks: the 94 hand-annotated articles of
    tests/data/tagging (each stating figures and events), then each again under another URL with a
    line added (a near copy), tagged in-process, saved in batches of 40 by the cycle's save stage
    on a store holding the seeds. Every claim's novelty is decided against the store and the
    batch; the single writer must keep up with the workers (about 0.5 s a batch of 40)."""
    from extractors.page import process_text
    from extractors.records import Article, FeedEntry
    from extractors.seeds import read_seeds
    from flows import cycle
    from flows.config import load_settings
    from storage.db import held

    docs = [d for folder in sorted((ROOT / "tests" / "data" / "tagging").glob("*/articles"))
            for d in read_seeds(folder)]
    jobs, results = [], []
    for n, (doc, copy) in enumerate([(d, False) for d in docs] + [(d, True) for d in docs]):
        url = f"https://wire.example/{n}"
        text = doc.text + (f"\nUpdated at {n}." if copy else "")
        results.append(process_text(Article(url=url, title=doc.file, text=text, published=doc.published,
                                            extraction="page")))
        entry = FeedEntry(url, doc.file, url, "", datetime(2025, 9, 1, tzinfo=UTC) + timedelta(minutes=n),
                          None, "", "")
        jobs.append(cycle.PageJob(f"feed-{n % 10}", entry, cycle.entry_hash(entry), url))
    settings = load_settings(_config(workdir / "on-topic", []))
    cycle.prepare(settings, "bench-seeds")
    tally = cycle.Tally()
    started = time.perf_counter()
    with held(settings.database):
        for n in range(0, len(jobs), 40):
            cycle.save_batch(settings, "bench-on-topic", jobs[n:n + 40], results[n:n + 40], [], tally)
    seconds = time.perf_counter() - started
    return {"articles": len(jobs), "figures": sum(len(r.tagging.figures) for r in results if r.tagging),
            "events": sum(len(r.tagging.events) for r in results if r.tagging), "seconds": seconds,
            "seconds_per_batch_of_40": seconds / -(-len(jobs) // 40), "new_figures": tally.new_figures}


def unchanged_cycle(workdir: Path, n_feeds: int = 200) -> dict[str, float]:
    from flows.localsite import LocalSite
    from flows.localsite_content import FeedItem
    from flows.monitor import monitor

    site = LocalSite()
    for f in range(n_feeds):
        site.add_feed(f"/f/{f}.xml", f"Feed {f}", "rss",
                      entries=[FeedItem(f"Item {f}-{i}", None, guid=f"g-{f}-{i}", summary="short " * 50)
                               for i in range(3)])
    site.start()
    try:
        config = _config(workdir / "unchanged", [(f"f{f}", site.url(f"/f/{f}.xml")) for f in range(n_feeds)])
        monitor(str(config))  # primes the ETags
        site.reset_log()
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            summary = monitor(str(config))
            runs.append(time.perf_counter() - started)
        assert summary["feeds_ok"] == n_feeds and all(o == "not_modified" for o in
                                                      {f["outcome"] for f in summary["feeds"]})
    finally:
        site.stop()
    return {"feeds": n_feeds, "median_seconds": statistics.median(runs), "cycle_seconds": summary["seconds"]}


def synthetic_store(path: Path, n: int) -> None:
    """``n`` articles with short synthetic text and 32 random band keys each, written in bulk (the
    band keys into the band-key file, where a store's bulk of them is: storage/tiers.py)."""
    from storage import tiers
    from storage.db import open_store

    with open_store(path) as con, tiers.writing_bands(con):
        step = 100_000
        for start in range(0, n, step):
            stop = min(n, start + step)
            con.execute(
                "INSERT INTO store.articles (id, url, canonical_url, source, feed, title, published, fetched_at,"
                " extraction, text, content_hash) SELECT 'syn' || i, 'https://syn.example/' || i,"
                " 'https://syn.example/' || i, 'feed', 'synthetic', 'Story ' || i, now(), now(), 'page',"
                " repeat(md5(i::TEXT) || ' ', 40), md5('h' || i::TEXT) FROM range(?, ?) t(i)", [start, stop])
            con.execute(
                f"INSERT INTO {tiers.BANDS.main} SELECT (hash(i, b) >> 1)::BIGINT, 'syn' || i"
                " FROM range(?, ?) t(i), range(32) s(b)", [start, stop])


def lookups(path: Path, samples: int = 200) -> tuple[float, float, float]:
    """Median ms of the near-duplicate look-up for one incoming article; median ms per article of
    every de-duplication look-up (URL, exact text, near-duplicate) made for a batch of 40, as a
    cycle saves them; and the same for the first batch on a new connection, as each cycle's first
    batch is (DuckDB reads index blocks from the file as look-ups first reach them)."""
    from storage.articles import dedup_lookups, near_copy
    from storage.db import open_store

    items = _synthetic_incoming(samples + 40, 7)
    single, batched = [], []
    with open_store(path) as con:
        started = time.perf_counter()
        dedup_lookups(con, items[samples:])
        cold = (time.perf_counter() - started) * 1000 / 40
        for item in items[:samples]:
            started = time.perf_counter()
            near_copy(con, item, 0.5, 5)
            single.append((time.perf_counter() - started) * 1000)
        for start in range(0, samples, 40):
            started = time.perf_counter()
            dedup_lookups(con, items[start:start + 40])
            batched.append((time.perf_counter() - started) * 1000 / len(items[start:start + 40]))
    return statistics.median(single), statistics.median(batched), cold


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _synthetic_incoming(n: int, seed: int, sources: list[str] | None = None) -> list:  # type: ignore[type-arg]
    """``n`` new articles of 400 random words; or, given real texts, each made of sentences from
    eight of them (new to de-duplication, with real words for the search postings: their keys
    spread over the whole term index, as a real batch's do)."""
    from extractors.fingerprint import fingerprint_keys
    from extractors.records import Article
    from storage.articles import Incoming

    rng = random.Random(seed)
    words = [f"w{i}" for i in range(5000)]
    # Four sentences of each of eight texts that have at least twelve: no text makes up much of a
    # mix. Cut at ". " alone, a text of few long pieces could give most of its own words to one
    # mix, a near copy of it (Jaccard 0.44 of 0.5 at worst in 300 mixes; a run of 2026-12-07
    # stopped on one); cut at every sentence end and line break, 0.17 at worst in 2,000.
    sentence_lists = [cut for source in sources or []
                      if len(cut := [p for p in _SENTENCE_END.split(source) if p.strip()]) >= 12]
    if sources and len(sentence_lists) < 8:
        raise ValueError("mixing real texts needs eight with at least twelve sentences each")
    items = []
    for k in range(n):
        if sources:
            text = " ".join(sentence for cut in rng.sample(sentence_lists, 8) for sentence in rng.sample(cut, 4))
        else:
            text = " ".join(rng.choice(words) for _ in range(400))
        _, keys = fingerprint_keys(text)
        url = f"https://new.example/{seed}/{k}"
        items.append(Incoming(Article(url, "t", text), url, f"h{seed}-{k}", tuple(keys), "feed", None))
    return items


def batch_write(path: Path, repeats: int = 3, real_text: bool = False) -> float:
    """Seconds to store a batch of 40 new articles (de-duplicated, band keys, search postings) and
    close the store, which checkpoints: the median of ``repeats``. DuckDB writes the whole index of
    every table changed since the last checkpoint (storage/tiers.py), so this is what grows with
    the store if anything does."""
    from storage.articles import save_articles
    from storage.db import open_store, transaction

    sources = None
    if real_text:
        with open_store(path, read_only=True) as con:
            # Distinct texts: the grown store holds each real one 55 times, and a mix of eight
            # picks of one text can be a near copy of it.
            sources = [r[0] for r in con.execute("SELECT DISTINCT text FROM store.articles WHERE duplicate_of IS NULL"
                                                  " AND length(text) > 2000 ORDER BY text LIMIT 400").fetchall()]
    runs = []
    for i in range(repeats):
        items = _synthetic_incoming(40, time.time_ns() + i, sources)
        started = time.perf_counter()
        with open_store(path) as con, transaction(con):
            saved = save_articles(con, items, threshold=0.5, shingle_size=5, run_id=None, now=datetime.now(UTC))
        runs.append(time.perf_counter() - started)
        if any(s.outcome != "new" for s in saved):  # a duplicate writes no band keys or postings
            raise RuntimeError("batch_write: its articles must all be new to the store")
    return statistics.median(runs)


def fold_write(path: Path) -> float:
    """Seconds for the fold a full recent tier of band keys costs (storage/tiers.py): written into
    the band-key file, which then checkpoints, and deleted from the store, which closes. Once
    every few thousand new articles."""
    from storage import tiers
    from storage.db import open_store

    with open_store(path) as con:
        con.execute(f"INSERT INTO {tiers.BANDS.recent} SELECT (hash(i, 'fold') >> 1)::BIGINT,"
                    " 'fold' || (i // 32) FROM range(?) t(i)", [tiers.BANDS.fold_at])
    started = time.perf_counter()
    with open_store(path) as con:
        tiers.fold_bands(con)
    return time.perf_counter() - started


def postings_fold(path: Path, n: int) -> dict[str, float]:
    """The search postings of ``n`` articles (220 an article, as real pages give them) in the main
    tier, in the term-ordered runs that folds append (storage/tiers.py); then seconds for a fold of
    a full recent tier and the store's close, and ms for a search's look-up of three terms (a
    common, a middling and a rare one) on a new connection and then again. Run last at each size:
    the store's other figures are those of a store without postings."""
    from storage import tiers
    from storage.db import close_kept, open_store, transaction

    per_run, vocabulary = tiers.POSTINGS.fold_at, 60_000
    # Each run of fold_at postings is in term order; terms are skewed, as words are (rank ~ x²).
    generated = (f"SELECT 't' || lpad((({vocabulary} * pow((i % {per_run}) / {per_run}, 2))::BIGINT)::TEXT, 5, '0'),"
                 " 'syn' || (i // 220), 1 + (hash(i) % 5)::INTEGER FROM range(?, ?) t(i)")
    stored = 220 * n
    with open_store(path) as con:
        for start in range(0, stored, 20 * per_run):
            with transaction(con):
                con.execute(f"INSERT INTO {tiers.POSTINGS.main} {generated}", [start, min(stored, start + 20 * per_run)])
        with transaction(con):
            con.execute(f"INSERT INTO {tiers.POSTINGS.recent} SELECT * FROM ({generated}) ORDER BY random()",
                        [stored, stored + per_run])
    close_kept()
    started = time.perf_counter()
    with open_store(path) as con, transaction(con):
        tiers.fold_postings(con)
    fold = time.perf_counter() - started
    close_kept()
    where = "term IN ('t00010', 't05000', 't50000')"
    runs = []
    with open_store(path, read_only=True) as con:
        for _ in range(4):
            started = time.perf_counter()
            con.execute(f"SELECT count(*) FROM ({tiers.both(tiers.POSTINGS, 'term, article_id, tf', where)})").fetchall()
            runs.append((time.perf_counter() - started) * 1000)
    return {"postings": stored, "postings_fold_seconds": fold, "postings_fold_rows": per_run,
            "search_lookup_first_ms": runs[0], "search_lookup_ms": statistics.median(runs[1:])}


def startup(path: Path, repeats: int = 5) -> float:
    """Seconds for the first stage of a cycle (migrations check, feeds, seeds) on this store: the
    median of ``repeats`` after one that stores the seeds (once in a store's life; at 1M articles
    it took 1.5 s, the next ones about 0.09 s). Three runs in all were not enough on this machine:
    their median at 1M went from 0.075 to 0.136 s between two runs of the benchmark."""
    from flows.config import parse_settings
    from flows.cycle import prepare
    from storage.db import close_kept

    settings = parse_settings({"database": str(path), "seeds": str(ROOT / "seeds"),
                               "feeds": [{"name": "x", "url": "http://127.0.0.1:9/rss"}]})
    prepare(settings, f"bench-{path.stem}-seeds-{time.time_ns()}")
    runs = []
    for i in range(repeats):
        close_kept()  # each start makes its DuckDB database, as a cycle's first connection does
        started = time.perf_counter()
        prepare(settings, f"bench-{path.stem}-{i}-{time.time_ns()}")
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def snapshot_copy(path: Path) -> float:
    """Seconds to publish the readers' snapshot of this store (a full copy; see snapshot_due)."""
    from storage.session import publish_snapshot, snapshot_path

    started = time.perf_counter()
    publish_snapshot(path)
    elapsed = time.perf_counter() - started
    snapshot_path(path).unlink()
    return elapsed


def scale(workdir: Path, sizes: list[int]) -> list[dict[str, float]]:
    from storage import tiers

    rows = []
    for n in sizes:
        path = workdir / f"scale-{n}.duckdb"
        started = time.perf_counter()
        synthetic_store(path, n)
        built = time.perf_counter() - started
        single, batched, cold = lookups(path)
        rows.append({"articles": n, "build_seconds": built, "lookup_ms": single, "batch_lookups_ms_per_article": batched,
                     "first_batch_lookups_ms_per_article": cold,
                     "startup_seconds": startup(path), "file_mb": path.stat().st_size / 1e6,
                     "bands_file_mb": tiers.bands_path(path).stat().st_size / 1e6,
                     "snapshot_seconds": snapshot_copy(path), "batch_write_seconds": batch_write(path),
                     "fold_seconds": fold_write(path), "fold_rows": tiers.BANDS.fold_at})
        rows[-1].update(postings_fold(path, n))
        print(f"  {n:>9,} articles: lookup {rows[-1]['lookup_ms']:.2f} ms, start-up {rows[-1]['startup_seconds']:.2f} s,"
              f" a batch written {rows[-1]['batch_write_seconds']:.2f} s, a fold {rows[-1]['fold_seconds']:.2f} s,"
              f" a postings fold {rows[-1]['postings_fold_seconds']:.2f} s",
              flush=True)
    return rows


def store_size_per_10k(workdir: Path, store: Path) -> tuple[float, Path]:
    """MB per 10k real articles: the cold cycle's 186 articles copied 54 times over (text, band keys,
    figures and search terms as real pages give them), minus the empty store's fixed overhead; and
    that grown store."""
    import duckdb

    path = store / "nk.duckdb"
    grown = workdir / "grown.duckdb"
    import shutil

    from storage import tiers

    shutil.copyfile(path, grown)
    bands = tiers.bands_path(grown)
    tiers.ensure_bands_file(bands)
    with duckdb.connect(str(grown)) as con:
        n = con.execute("SELECT count(*) FROM store.articles").fetchone()[0]
        before = grown.stat().st_size + bands.stat().st_size
        tiers.use_bands_file(con, grown)
        with tiers.writing_bands(con):
            for i in range(1, 55):
                con.execute("INSERT INTO store.articles SELECT * REPLACE (id || ? AS id, url || ? AS url,"
                            " canonical_url || ? AS canonical_url) FROM store.articles WHERE id NOT LIKE '%#%'",
                            [f"#{i}", f"#{i}", f"#{i}"])
                # The copies go to the main tiers, where a store's bulk is (storage/tiers.py).
                con.execute(f"INSERT INTO {tiers.BANDS.main} SELECT band_key + ?, article_id || ?"
                            f" FROM {tiers.BANDS.recent} WHERE article_id NOT LIKE '%#%'", [i, f"#{i}"])
                con.execute("INSERT INTO store.figures SELECT * REPLACE (id || ? AS id, article_id || ? AS article_id)"
                            " FROM store.figures WHERE id NOT LIKE '%#%'", [f"#{i}", f"#{i}"])
                con.execute("INSERT INTO store.search_terms SELECT * REPLACE (article_id || ? AS article_id)"
                            " FROM store.search_terms_recent WHERE article_id NOT LIKE '%#%'", [f"#{i}"])
                con.execute("INSERT INTO store.search_docs SELECT * REPLACE (article_id || ? AS article_id)"
                            " FROM store.search_docs WHERE article_id NOT LIKE '%#%'", [f"#{i}"])
            con.execute("CHECKPOINT")
    added = n * 54
    return (grown.stat().st_size + bands.stat().st_size - before) / 1e6 / added * 10_000, grown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="stored-article counts for the scale test")
    parser.add_argument("--json", type=Path, default=ROOT / "data" / "benchmark.json")
    parser.add_argument("--floor-repeats", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=5,
                        help="cold cycles to run, each between two floor passes (the median ratio is reported)")
    args = parser.parse_args()
    results: dict[str, object] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count()}
    # Flow runs as `nkwatch run` makes them (no heartbeat without a lasting Prefect server).
    with tempfile.TemporaryDirectory() as tmp, prefect_env.one_off_runs():
        workdir = Path(tmp)
        results["prefect_startup_seconds"] = prefect_startup()
        if (BENCH / "html").is_dir():
            pages = _pages()
            results["floor_pages_per_second"] = floor(args.floor_repeats)
            results["own_work_pages_per_second"] = own_extraction(pages, args.floor_repeats)
            results["workers_startup_seconds"] = workers_startup()
            results["cold_cycle"] = cold_cycles(pages, workdir, args.cold_runs)
            results["two_floors_at_once"] = two_floors()
            results["cold_to_floor_ratio"] = results["cold_cycle"]["ratio"]  # type: ignore[index]
            per_10k, grown = store_size_per_10k(workdir, Path(results["cold_cycle"]["store"]))  # type: ignore[index]
            results["store_mb_per_10k_articles"] = per_10k
            # Real postings (about 220 an article) and band keys, which the synthetic stores lack.
            results["batch_write_seconds_10k_real"] = batch_write(grown, real_text=True)
        else:
            print(f"skipped the page measurements: {BENCH} is absent")
        results["on_topic_saves"] = on_topic_saves(workdir)
        results["unchanged_cycle"] = unchanged_cycle(workdir)
        # Peak memory of the cycles, taken before the synthetic stores are built in this process.
        results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results["peak_rss_workers_mb"] = worker_peak_rss_mb()
        results["scale"] = scale(workdir, [int(s) for s in args.sizes.split(",") if s])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(render(results))
    print(f"\nfigures written to {args.json}")
    return 0


def render(r: dict) -> str:  # type: ignore[type-arg]
    lines = [f"{'measure':<52} {'value':>14}", "-" * 67]

    def row(name: str, value: str) -> None:
        lines.append(f"{name:<52} {value:>14}")

    row("Prefect start-up (first flow in the process)", f"{r['prefect_startup_seconds']:.1f} s")
    if "floor_pages_per_second" in r:
        row("floor: plain trafilatura, one core", f"{r['floor_pages_per_second']:.1f} pages/s")
        row("nkwatch's per-page work (extract, fingerprint, tag), one core",
            f"{r['own_work_pages_per_second']:.1f} pages/s")
        row("extraction workers start-up (once per process)", f"{r['workers_startup_seconds']:.1f} s")
        c = r["cold_cycle"]
        row(f"cold cycle, {c['pages']} pages end to end (median of {len(c['runs'])})",
            f"{c['pages_per_second']:.1f} pages/s")
        row("cold cycle: wall time (of it, inside the flow)", f"{c['seconds']:.2f} s ({c['cycle_seconds']:.2f} s)")
        row("cold cycle / the floor passes either side of it (median)", f"{r['cold_to_floor_ratio']:.2f} x")
        row("  every cycle's ratio", " ".join(f"{p['ratio']:.2f}" for p in c["runs"]))
        row("two floor processes at once / one (the two cores now)", f"{r['two_floors_at_once']:.2f} x")
        row("cold cycle: longest store lock held", f"{c['longest_lock_seconds']:.2f} s")
        row("store size per 10k articles (real pages, extrapolated)", f"{r['store_mb_per_10k_articles']:.0f} MB")
        row("  a batch of 40 new articles stored in it (10k real articles), then closed", f"{r['batch_write_seconds_10k_real']:.2f} s")
    o = r["on_topic_saves"]
    row(f"saving {o['articles']} on-topic articles ({o['figures']} figures, {o['events']} events)",
        f"{o['seconds']:.2f} s")
    row("  per batch of 40", f"{o['seconds_per_batch_of_40']:.2f} s")
    u = r["unchanged_cycle"]
    row(f"unchanged cycle, {u['feeds']} feeds answering 304 (median)", f"{u['median_seconds']:.2f} s")
    for s in r["scale"]:
        row(f"near-duplicate look-up at {s['articles']:,} stored", f"{s['lookup_ms']:.2f} ms")
        row("  every de-dup look-up, per article in a batch of 40", f"{s['batch_lookups_ms_per_article']:.2f} ms")
        row("  the same, a new connection's first batch", f"{s['first_batch_lookups_ms_per_article']:.2f} ms")
        row(f"cycle start-up at {s['articles']:,} stored", f"{s['startup_seconds']:.3f} s")
        row(f"  snapshot copy at {s['articles']:,} stored ({s['file_mb']:,.0f} MB; band keys apart,"
            f" {s['bands_file_mb']:,.0f} MB)", f"{s['snapshot_seconds']:.2f} s")
        row("  a batch of 40 new articles stored, then the store closed", f"{s['batch_write_seconds']:.2f} s")
        row(f"  folding {s['fold_rows']:,} recent band keys into the main index, then closed", f"{s['fold_seconds']:.2f} s")
        row(f"  then {s['postings']:,} search postings stored: folding {s['postings_fold_rows']:,}, then closed",
            f"{s['postings_fold_seconds']:.2f} s")
        row("  a search's look-up of 3 terms (a new connection's first)",
            f"{s['search_lookup_ms']:.1f} ({s['search_lookup_first_ms']:.0f}) ms")
    row("peak memory: cycle process", f"{r['peak_rss_mb']:.0f} MB")
    row("peak memory: largest extraction worker", f"{r['peak_rss_workers_mb']:.0f} MB")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
