"""Articles and feed entries: what is known, and saving a batch with its de-duplication.

A batch is saved in the caller's transaction. For each incoming article, in order:
1. same canonical URL and same text as a stored article → a re-fetch: nothing new is stored;
2. same canonical URL, other text → a new *version* of that article (``previous_version_id``);
3. same text as another stored article → an exact duplicate (similarity 1.0);
4. LSH band keys shared with stored articles → candidates; the most similar one at or above the
   threshold (exact Jaccard of word shingles) is the original → a near duplicate;
5. otherwise a new article.
A duplicate points at the original's root (never at another duplicate) and is stored for the
record; later stages skip it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import duckdb

from extractors.fingerprint import closest
from extractors.records import Article, FeedEntry
from storage import tiers
from storage.db import insert_rows, text_literals
from storage.search import index_articles


@dataclass(frozen=True)
class Incoming:
    """An article the pipeline wants stored, with where it came from and its fingerprints."""

    article: Article
    canonical_url: str
    content_hash: str
    band_keys: tuple[int, ...]
    source: str  # "seed" | "feed"
    published: datetime | None
    feed: str | None = None
    entry: FeedEntry | None = None
    entry_hash: str | None = None
    seed_file: str | None = None
    extraction_note: str | None = None


@dataclass(frozen=True)
class Saved:
    article_id: str
    url: str
    outcome: str  # new | version | duplicate | refetch
    duplicate_of: str | None = None
    similarity: float | None = None


@dataclass(frozen=True)
class KnownEntry:
    entry_hash: str
    article_id: str | None
    attempts: int


def article_id(canonical: str, text_hash: str) -> str:
    """Content address: the same text at the same URL always gets the same id."""
    return hashlib.sha256(f"{canonical}\n{text_hash}".encode()).hexdigest()[:20]


def known_entries(con: duckdb.DuckDBPyConnection, guids: dict[str, list[str]]) -> dict[tuple[str, str], KnownEntry]:
    """(feed, guid) → what is stored of that entry, for every feed's guids in one query."""
    pairs = [(feed, g) for feed, gs in guids.items() for g in gs]
    if not pairs:
        return {}
    rows = con.execute(
        "SELECT e.feed, e.guid, e.entry_hash, e.article_id, e.attempts FROM store.entries e"
        " JOIN (SELECT unnest(?::TEXT[]) AS feed, unnest(?::TEXT[]) AS guid) k ON e.feed = k.feed AND e.guid = k.guid",
        [[f for f, _ in pairs], [g for _, g in pairs]],
    ).fetchall()
    return {(f, g): KnownEntry(h, a, n) for f, g, h, a, n in rows}


@dataclass(frozen=True)
class LatestVersion:
    id: str
    content_hash: str
    version: int


def latest_versions(con: duckdb.DuckDBPyConnection, canonical_urls: list[str]) -> dict[str, LatestVersion]:
    """Canonical URL → its latest stored version, for the URLs already in the store."""
    if not canonical_urls:
        return {}
    # Inlined literals: DuckDB answers them from the canonical_url index; a bound array is a scan
    # of every stored article (it doubled a cycle's start-up at 1M articles).
    rows = con.execute(
        "SELECT canonical_url, arg_max(id, version), arg_max(content_hash, version), max(version)"
        f" FROM store.articles WHERE canonical_url IN ({text_literals(sorted(set(canonical_urls)))})"
        " GROUP BY canonical_url").fetchall()
    return {url: LatestVersion(aid, h, version) for url, aid, h, version in rows}


@dataclass(frozen=True)
class _Known:
    """A stored (or earlier in this batch) article, as de-duplication sees it."""

    id: str
    canonical_url: str
    content_hash: str
    version: int
    root: str  # the original it copies, or itself
    fetched_at: datetime
    text: str = ""


class _BatchLookup:
    """What the store knows about a batch's URLs, texts and band keys, read in four queries for the
    whole batch (one per article each cost more than the inserts), plus the batch's own articles as
    they are decided, so an article is compared with earlier ones of its batch as well."""

    def __init__(self, con: duckdb.DuckDBPyConnection, items: list[Incoming], *, urls_and_hashes: bool = True) -> None:
        self.latest: dict[str, _Known] = {}
        self.by_hash: dict[str, list[_Known]] = {}
        self.by_band: dict[int, list[str]] = {}
        self.originals: dict[str, _Known] = {}
        if urls_and_hashes:
            self._read_urls_and_hashes(con, items)
        self._read_candidates(con, items)

    def _read_urls_and_hashes(self, con: duckdb.DuckDBPyConnection, items: list[Incoming]) -> None:
        for url, v in latest_versions(con, [i.canonical_url for i in items]).items():
            self.latest[url] = _Known(v.id, url, v.content_hash, v.version, v.id, datetime.min)
        for aid, url, h, version, root, fetched in con.execute(
                "SELECT id, canonical_url, content_hash, version, coalesce(duplicate_of, id), fetched_at"
                f" FROM store.articles WHERE content_hash IN ({text_literals(sorted({i.content_hash for i in items}))})"
                " ORDER BY fetched_at, id").fetchall():
            self.by_hash.setdefault(h, []).append(_Known(aid, url, h, version, root, fetched))

    def _read_candidates(self, con: duckdb.DuckDBPyConnection, items: list[Incoming]) -> None:
        """Stored originals sharing a band key with an item: near-duplicate candidates."""
        keys = sorted({k for i in items for k in i.band_keys})
        if keys:
            # Integer literals, not a bound array: DuckDB then answers the IN list from the band-key
            # index instead of scanning the table. At most 200 articles per key: a key shared by
            # more is boilerplate, not a story.
            inlined = ",".join(str(int(k)) for k in keys)
            # Both tiers of the band keys (storage/tiers.py), each through its own index.
            for key, aid in con.execute(
                    f"SELECT band_key, article_id FROM ({tiers.band_keys_sql(con, 'band_key, article_id', f'band_key IN ({inlined})')})"
                    " QUALIFY row_number() OVER (PARTITION BY band_key ORDER BY article_id) <= 200").fetchall():
                self.by_band.setdefault(key, []).append(aid)
            ids = sorted({a for found in self.by_band.values() for a in found})
            # Originals only (duplicate_of IS NULL): a copy of a copy is a copy of the original.
            for aid, url, h, version, fetched, text in con.execute(
                    "SELECT id, canonical_url, content_hash, version, fetched_at, text FROM store.articles"
                    f" WHERE id IN ({text_literals(ids)}) AND duplicate_of IS NULL").fetchall() if ids else []:
                self.originals[aid] = _Known(aid, url, h, version, aid, fetched, text)

    def add(self, known: _Known, band_keys: tuple[int, ...]) -> None:
        """An article of this batch, now decided: later ones in the batch see it."""
        self.latest[known.canonical_url] = known
        self.by_hash.setdefault(known.content_hash, []).append(known)
        if known.root == known.id and band_keys:
            self.originals[known.id] = known
            for key in band_keys:
                self.by_band.setdefault(key, []).append(known.id)

    def exact_copy(self, item: Incoming) -> str | None:
        for k in self.by_hash.get(item.content_hash, []):
            if k.canonical_url != item.canonical_url:
                return k.root
        return None

    def near_copy(self, item: Incoming, threshold: float, shingle_size: int) -> tuple[str, float] | None:
        ids = {aid for key in item.band_keys for aid in self.by_band.get(key, ())}
        candidates = sorted((k for aid in ids if (k := self.originals.get(aid)) and k.canonical_url != item.canonical_url),
                            key=lambda k: (k.fetched_at, k.id))[:50]
        return closest(item.article.text, [(k.id, k.text) for k in candidates], threshold, shingle_size) \
            if candidates else None


def near_copy(con: duckdb.DuckDBPyConnection, item: Incoming, threshold: float,
              shingle_size: int) -> tuple[str, float] | None:
    """The stored original that ``item`` nearly copies, with the similarity: the near-duplicate
    look-up alone, for one article (the benchmark's unit)."""
    return _BatchLookup(con, [item], urls_and_hashes=False).near_copy(item, threshold, shingle_size)


def dedup_lookups(con: duckdb.DuckDBPyConnection, items: list[Incoming]) -> None:
    """Every store look-up de-duplication makes for a batch (benchmarks/run.py times it)."""
    _BatchLookup(con, items)


_ARTICLE_COLUMNS = (("id", "TEXT"), ("url", "TEXT"), ("canonical_url", "TEXT"), ("version", "INTEGER"),
                    ("previous_version_id", "TEXT"), ("source", "TEXT"), ("feed", "TEXT"), ("seed_file", "TEXT"),
                    ("title", "TEXT"), ("published", "TIMESTAMPTZ"), ("fetched_at", "TIMESTAMPTZ"), ("author", "TEXT"),
                    ("sitename", "TEXT"), ("language", "TEXT"), ("extraction", "TEXT"), ("extraction_note", "TEXT"),
                    ("text", "TEXT"), ("content_hash", "TEXT"), ("duplicate_of", "TEXT"), ("similarity", "DOUBLE"),
                    ("run_id", "TEXT"))


def save_articles(con: duckdb.DuckDBPyConnection, items: list[Incoming], *, threshold: float,
                  shingle_size: int, run_id: str | None, now: datetime) -> list[Saved]:
    """Store ``items`` (in the caller's transaction) and link their feed entries; one Saved each.
    Decisions are made in order, in memory, against the store and the batch's earlier articles;
    then the batch is written in three statements."""
    if not items:
        return []
    lookup = _BatchLookup(con, items)
    results: list[Saved] = []
    entries: list[EntryRow | None] = []
    rows: list[tuple[object, ...]] = []
    bands: list[tuple[str, tuple[int, ...]]] = []
    originals: list[str] = []
    for item in items:
        aid = article_id(item.canonical_url, item.content_hash)
        latest = lookup.latest.get(item.canonical_url)
        if latest and latest.content_hash == item.content_hash:
            results.append(Saved(latest.id, item.article.url, "refetch"))
            entries.append(_entry_row(item, latest.id))
            continue
        version, previous = (latest.version + 1, latest.id) if latest else (1, None)
        duplicate_of, similarity = lookup.exact_copy(item), None
        if duplicate_of:
            similarity = 1.0
        else:
            near = lookup.near_copy(item, threshold, shingle_size)
            if near:
                duplicate_of, similarity = near[0], round(near[1], 4)
        a = item.article
        rows.append((aid, a.url, item.canonical_url, version, previous, item.source, item.feed, item.seed_file,
                     a.title, item.published, now, a.author, a.sitename, a.language, a.extraction,
                     item.extraction_note, a.text, item.content_hash, duplicate_of, similarity, run_id))
        if duplicate_of is None:
            # Only originals are candidates (and search hits), so only originals need band keys
            # and search terms.
            originals.append(aid)
            if item.band_keys:
                bands.append((aid, item.band_keys))
        lookup.add(_Known(aid, item.canonical_url, item.content_hash, version, duplicate_of or aid, now, a.text),
                   item.band_keys)
        entries.append(_entry_row(item, aid))
        outcome = "duplicate" if duplicate_of else ("version" if previous else "new")
        results.append(Saved(aid, a.url, outcome, duplicate_of, similarity))
    if rows:
        insert_rows(con, "store.articles", _ARTICLE_COLUMNS, rows)
    if bands:
        add_band_keys(con, bands)
    index_articles(con, originals)
    record_entries(con, [e for e in entries if e is not None], now)
    return results


def _entry_row(item: Incoming, aid: str) -> EntryRow | None:
    if item.entry is None or item.feed is None:
        return None
    return EntryRow(item.feed, item.entry, item.entry_hash or "", item.canonical_url, aid)


@dataclass(frozen=True)
class EntryRow:
    """A feed entry's state to upsert: which article it gave (None while it cannot be read)."""

    feed: str
    entry: FeedEntry
    entry_hash: str
    canonical_url: str | None
    article_id: str | None
    error: str | None = None


def record_entries(con: duckdb.DuckDBPyConnection, rows: list[EntryRow], now: datetime) -> None:
    """Upsert feed entries in one statement; an entry that could not be read counts its attempts."""
    if not rows:
        return
    columns = [
        [r.feed for r in rows], [r.entry.guid for r in rows], [r.entry.link for r in rows],
        [r.canonical_url for r in rows], [r.entry.title for r in rows], [r.entry.published for r in rows],
        [r.entry.updated for r in rows], [r.entry_hash for r in rows], [r.article_id for r in rows],
        [0 if r.article_id else 1 for r in rows], [r.error for r in rows],
    ]
    con.execute(
        "INSERT INTO store.entries (feed, guid, link, canonical_url, title, published, updated, entry_hash,"
        " first_seen, last_seen, article_id, attempts, last_error)"
        " SELECT unnest($1::TEXT[]), unnest($2::TEXT[]), unnest($3::TEXT[]), unnest($4::TEXT[]), unnest($5::TEXT[]),"
        " unnest($6::TIMESTAMPTZ[]), unnest($7::TIMESTAMPTZ[]), unnest($8::TEXT[]), $12, $12, unnest($9::TEXT[]),"
        " unnest($10::INTEGER[]), unnest($11::TEXT[])"
        " ON CONFLICT (feed, guid) DO UPDATE SET link = excluded.link, canonical_url = excluded.canonical_url,"
        " title = excluded.title, published = excluded.published, updated = excluded.updated,"
        " entry_hash = excluded.entry_hash, last_seen = excluded.last_seen,"
        " article_id = coalesce(excluded.article_id, store.entries.article_id),"
        " attempts = CASE WHEN excluded.article_id IS NULL THEN store.entries.attempts + 1 ELSE 0 END,"
        " last_error = excluded.last_error",
        [*columns, now],
    )


def touch_entries(con: duckdb.DuckDBPyConnection, feed: str, guids: list[str], now: datetime) -> None:
    """Mark entries as still listed by their feed (nothing else changed)."""
    if guids:
        con.execute(
            "UPDATE store.entries SET last_seen = ? WHERE feed = ? AND guid IN (SELECT unnest(?::TEXT[]))",
            [now, feed, guids],
        )


def add_band_keys(con: duckdb.DuckDBPyConnection, bands: list[tuple[str, tuple[int, ...]]]) -> None:
    """Each article's band keys into the store's tier (storage/tiers.py), in the caller's transaction."""
    # Literal arrays, one per article: DuckDB's Python binding converts a bound list element by
    # element (and tries to import pandas for each), 26 ms for a batch's 1,280 keys against 4 ms.
    rows_sql = ",".join(f"([{','.join(str(int(k)) for k in keys)}]::BIGINT[], '{aid.replace(chr(39), chr(39) * 2)}')"
                        for aid, keys in bands)
    con.execute(f"INSERT INTO {tiers.BANDS.recent} (band_key, article_id) SELECT unnest(k), id"
                f" FROM (VALUES {rows_sql}) t(k, id)")
