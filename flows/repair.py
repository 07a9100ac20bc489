"""Repairs a cycle cannot make itself because they take long on a large store.

``rebuild_band_keys``: the band-key file (storage/tiers.py) holds the near-duplicate band keys of
all but the newest articles; if it is lost, a cycle makes it again empty and records the repair
as due, and every cycle warns of it. This makes the missing keys again from the stored texts, the
same way a cycle makes them (extractors/fingerprint.py), a batch per transaction: stopped half-way,
it keeps what it did and the next run goes on from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from extractors.fingerprint import fingerprints
from flows.config import Settings
from storage import tiers
from storage.articles import add_band_keys
from storage.db import open_store, transaction

BATCH = 500
PROGRESS_SECONDS = 5.0  # a progress line at most this often (1M articles take minutes)


def rebuild_band_keys(settings: Settings, say: Callable[[str], None] = print) -> int:
    """Band keys for every stored original that has none; returns how many articles got them."""
    started = time.monotonic()
    with open_store(settings.database) as con:
        todo = tiers.originals_without_band_keys(con)
        say(f"{len(todo):,} stored article(s) without band keys")
        next_line = time.monotonic() + PROGRESS_SECONDS
        for start in range(0, len(todo), BATCH):
            texts = tiers.article_texts(con, todo[start:start + BATCH])
            keyed = [(aid, tuple(keys)) for aid, text in texts
                     if (keys := fingerprints(text, settings.dedup.shingle_words)[1])]
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
