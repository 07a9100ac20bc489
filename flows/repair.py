"""Repairs a cycle cannot make itself because they take long on a large store.

``rebuild_band_keys``: the band-key file (storage/tiers.py) holds the near-duplicate band keys of
all but the newest articles; if it is lost, a cycle makes it again empty and records the repair
as due, and every cycle warns of it. This makes the missing keys again from the stored texts, the
same way a cycle makes them (extractors/fingerprint.py), a batch per transaction: stopped half-way,
it keeps what it did and the next run goes on from there. The fingerprints, most of the work on
real texts, are made in the extraction worker processes (one core each) when there are many.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from extractors.fingerprint import fingerprints
from flows.config import Settings
from flows.workers import shared_pool
from storage import tiers
from storage.articles import add_band_keys
from storage.db import open_store, transaction

BATCH = 500
CHUNK = 50  # texts per trip to a worker: one trip per text cost more than its fingerprints
IN_PROCESS_BELOW = 2_000  # fewer articles than this: not worth starting the workers
PROGRESS_SECONDS = 5.0  # a progress line at most this often (1M articles take minutes)


def band_keys_of(job: tuple[int, list[tuple[str, str]]]) -> list[tuple[str, tuple[int, ...]]]:
    """(article id, band keys) for each text of ``job`` (shingle size, [(id, text)]) that has any."""
    shingle_words, texts = job
    return [(aid, tuple(keys)) for aid, text in texts if (keys := fingerprints(text, shingle_words)[1])]


def rebuild_band_keys(settings: Settings, say: Callable[[str], None] = print) -> int:
    """Band keys for every stored original that has none; returns how many articles got them."""
    started = time.monotonic()
    with open_store(settings.database) as con:
        todo = tiers.originals_without_band_keys(con)
        pool = None
        if len(todo) >= IN_PROCESS_BELOW and settings.extraction.workers > 1:
            pool = shared_pool(settings.extraction.workers)
        say(f"{len(todo):,} stored article(s) without band keys"
            + (f"; fingerprints in {settings.extraction.workers} worker processes" if pool else ""))
        next_line = time.monotonic() + PROGRESS_SECONDS
        for start in range(0, len(todo), BATCH):
            texts = tiers.article_texts(con, todo[start:start + BATCH])
            jobs = [(settings.dedup.shingle_words, texts[i:i + CHUNK]) for i in range(0, len(texts), CHUNK)]
            if pool is None:
                keyed = [k for job in jobs for k in band_keys_of(job)]
            else:  # a chunk a worker could not finish is made here instead
                keyed = [k for keys in pool.map(band_keys_of, jobs, timeout=settings.extraction.timeout_seconds * CHUNK,
                                                on_failure=lambda job, _reason: band_keys_of(job), work="fingerprints")
                         for k in keys]
            with transaction(con):
                if keyed:
                    add_band_keys(con, keyed)
            done = min(start + BATCH, len(todo))
            if time.monotonic() >= next_line or done == len(todo):
                rate = done / max(time.monotonic() - started, 1e-9)
                say(f"  {done:,} of {len(todo):,} ({rate:,.0f} a second, about {(len(todo) - done) / rate:,.0f} s left)")
                next_line = time.monotonic() + PROGRESS_SECONDS
        with transaction(con):
            tiers.forget_repair(con, "band_keys")
        if tiers.folds_due(con).get("article_bands"):
            say("folding the store's band keys into the band-key file")
            tiers.fold_bands(con)
    say(f"done in {time.monotonic() - started:.1f} s: near copies of every stored article are found again")
    return len(todo)
