"""Ranked full-text search (BM25) over stored articles, with an index kept up to date on insert.

DuckDB's fts extension builds its index in one piece and cannot add to it, so a store that grows
would pay for the whole index after every cycle (1.7 s at 10k articles, 15 s at 100k). Here the
index is two tables (sql/004_search.sql; the postings in two tiers, storage/tiers.py) that
``index_articles`` extends in the transaction that stores the articles: a cycle pays for its own
articles only. Terms are made the way DuckDB's fts
makes them (lower case, accents stripped, letters only, English stop words dropped, Porter stem),
with the extension's ``stem`` function, loaded from the duckdb-extension-fts package so search
works offline. Scores are Okapi BM25 (k1 1.2, b 0.75, base-10 idf), as the extension's ``match_bm25``
computes them (tests/test_search_index.py compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

import duckdb_extension_fts

from storage import tiers
from storage.db import text_literals

K1, B = 1.2, 0.75

# The English stop words of DuckDB's fts extension (single letters are dropped anyway).
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can did do does doing don down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
off on once only or other our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up very was we were what
when where which while who whom why will with you your yours yourself yourselves
""".split())
_STOP_LIST = ", ".join(f"'{w}'" for w in sorted(STOP_WORDS))
# The words of a text column or parameter, as index terms (the caller adds FROM/WHERE).
_WORDS = "unnest(regexp_split_to_array(lower(strip_accents({source})), '[^a-z]+'))"
_KEEP = f"length(word) > 1 AND word NOT IN ({_STOP_LIST})"
_ARTICLE_TEXT = "coalesce(title, '') || ' ' || text"


def _extension_file() -> Path:
    base = Path(duckdb_extension_fts.__file__).parent / "extensions"
    found = sorted(base.glob(f"v{duckdb.__version__}/fts.duckdb_extension"))
    if not found:
        raise RuntimeError(f"no fts extension for duckdb {duckdb.__version__} in {base}")
    return found[0]


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"LOAD '{_extension_file()}'")


def index_articles(con: duckdb.DuckDBPyConnection, article_ids: list[str] | None) -> None:
    """Add these articles (None: every original not yet indexed) to the index, in the caller's
    transaction. Duplicates are never indexed: a hit would only repeat its original. Only the
    given articles are read, so a batch costs the same whatever the size of the store."""
    if article_ids is None:  # a migrated store: one pass over what it holds
        article_ids = [r[0] for r in con.execute(
            "SELECT id FROM store.articles WHERE duplicate_of IS NULL"
            " AND id NOT IN (SELECT article_id FROM store.search_docs)").fetchall()]
    elif article_ids:
        done = {r[0] for r in con.execute("SELECT article_id FROM store.search_docs"
                                           f" WHERE article_id IN ({text_literals(article_ids)})").fetchall()}
        article_ids = [a for a in article_ids if a not in done]
    if not article_ids:
        return
    load_fts(con)
    # The batch's terms once, in a temporary table: the postings and each article's length both
    # come from it, without reading the postings already stored.
    # Each distinct word is stemmed once (a batch's 28,000 words are about 5,000 distinct ones),
    # then the counts of the words sharing a stem are added up.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE batch_terms AS"
        " WITH words AS (SELECT id, word, count(*) AS n FROM ("
        f"   SELECT id, {_WORDS.format(source=_ARTICLE_TEXT)} AS word"
        f"   FROM store.articles WHERE duplicate_of IS NULL AND id IN ({text_literals(article_ids)}))"
        f"  WHERE {_KEEP} GROUP BY ALL),"
        " stems AS (SELECT word, stem(word, 'porter') AS term FROM (SELECT DISTINCT word FROM words))"
        " SELECT s.term, w.id AS article_id, sum(w.n)::INTEGER AS tf FROM words w JOIN stems s USING (word)"
        " GROUP BY ALL")
    con.execute(f"INSERT INTO {tiers.POSTINGS.recent} (term, article_id, tf) SELECT term, article_id, tf FROM batch_terms")
    con.execute("INSERT INTO store.search_docs (article_id, length)"
                " SELECT article_id, sum(tf)::INTEGER FROM batch_terms GROUP BY article_id")
    con.execute("DROP TABLE batch_terms")


def has_index(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'store'"
                      " AND table_name = 'search_docs'").fetchone()
    return bool(row and row[0])


@dataclass(frozen=True)
class Hit:
    article_id: str
    title: str
    published: datetime | None
    outlet: str
    url: str
    score: float
    text: str


def query_terms(con: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    load_fts(con)
    rows = con.execute(
        f"SELECT DISTINCT stem(word, 'porter') FROM (SELECT {_WORDS.format(source='?')} AS word) WHERE {_KEEP}",
        [query]).fetchall()
    return sorted(r[0] for r in rows if r[0])


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> list[Hit]:
    """Originals only, best first. Works on a read-only connection."""
    terms = query_terms(con, query)
    if not terms:
        return []
    # Terms are letters only, so they are inlined safely; literals let DuckDB read the postings
    # from the recent tier's term index and, in the main tier (in term order, no index), only the
    # stretches whose min and max term can hold them, instead of scanning every posting.
    inlined = ", ".join(f"'{t}'" for t in terms)
    rows = con.execute(
        "WITH n AS (SELECT count(*) AS docs, avg(length) AS avgdl FROM store.search_docs),"
        f" postings AS ({tiers.both(tiers.POSTINGS, 'term, article_id, tf', f'term IN ({inlined})')}),"
        " df AS (SELECT term, count(*) AS df FROM postings GROUP BY term),"
        " scored AS (SELECT p.article_id, sum(log((n.docs - df.df + 0.5) / (df.df + 0.5) + 1)"
        f"   * p.tf * ({K1} + 1) / (p.tf + {K1} * (1 - {B} + {B} * d.length / n.avgdl))) AS score"
        "   FROM postings p JOIN df USING (term) JOIN store.search_docs d USING (article_id), n"
        "   GROUP BY p.article_id)"
        " SELECT a.id, coalesce(a.title, ''), a.published, coalesce(a.sitename, a.feed, a.seed_file, ''), a.url,"
        " s.score, a.text FROM scored s JOIN store.articles a ON a.id = s.article_id"
        " WHERE a.duplicate_of IS NULL ORDER BY s.score DESC, a.id LIMIT ?",
        [limit],
    ).fetchall()
    return [Hit(*r) for r in rows]
