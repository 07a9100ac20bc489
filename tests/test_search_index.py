"""The search index grows with each batch of articles and ranks as DuckDB's own fts index does."""

from __future__ import annotations

import string

from extractors.seeds import read_seeds
from storage.db import open_store, transaction
from storage.search import STOP_WORDS, load_fts, search

from .conftest import SEEDS
from .test_store import incoming, save


def _postings(db_path):
    with open_store(db_path) as con:
        return con.execute("SELECT count(*), count(DISTINCT article_id) FROM (SELECT article_id FROM store.search_terms"
                           " UNION ALL SELECT article_id FROM store.search_terms_recent)").fetchone()


def test_batches_add_their_own_terms_and_duplicates_add_none(db_path):
    seeds = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming("https://a.example/1", seeds[0]), incoming("https://a.example/2", seeds[1])])
    rows, docs = _postings(db_path)
    assert docs == 2 and rows > 100
    # a copy of seed 0 elsewhere and a new article: only the new article is indexed
    saved = save(db_path, [incoming("https://b.example/1", seeds[0]), incoming("https://b.example/2", seeds[2])])
    assert [s.outcome for s in saved] == ["duplicate", "new"]
    rows2, docs2 = _postings(db_path)
    assert docs2 == 3 and rows2 > rows
    with open_store(db_path) as con:
        assert con.execute("SELECT count(*) FROM store.search_docs").fetchone() == (3,)
        hits = search(con, "sappers")
    assert hits and all(h.article_id != saved[0].article_id for h in hits)


def test_scores_match_duckdb_fts_bm25(db_path):
    """The reference: DuckDB's fts extension indexing the same text with the same stop words."""
    texts = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(texts)])
    queries = ["North Korean troops Kursk", "sappers mines", "Kim Jong Un ceremony", "killed wounded casualties"]
    with open_store(db_path) as con, transaction(con):
        load_fts(con)
        con.execute("CREATE TABLE ref AS SELECT id, coalesce(title, '') || ' ' || text AS body"
                    " FROM store.articles WHERE duplicate_of IS NULL")
        con.execute("CREATE TABLE stop_words (sw TEXT)")
        con.execute("INSERT INTO stop_words SELECT unnest(?::TEXT[])",
                    [sorted(STOP_WORDS | set(string.ascii_lowercase))])
        con.execute("PRAGMA create_fts_index('ref', 'id', 'body', stemmer='porter', stopwords='stop_words',"
                    " ignore='(\\.|[^a-z])+', strip_accents=1, lower=1)")
        for q in queries:
            ours = {h.article_id: h.score for h in search(con, q, limit=50)}
            ref = dict(con.execute("SELECT id, score FROM (SELECT id, fts_main_ref.match_bm25(id, ?) AS score"
                                   " FROM ref) WHERE score IS NOT NULL", [q]).fetchall())
            assert ours.keys() == ref.keys() and ours, q
            for aid, score in ref.items():
                assert abs(ours[aid] - score) < 1e-6 * max(1.0, score), (q, aid, ours[aid], score)


def test_a_store_from_before_the_index_is_indexed_when_migrated(db_path):
    from storage.migrations import migrate

    texts = [d.text for d in read_seeds(SEEDS)]
    save(db_path, [incoming(f"https://a.example/{i}", t) for i, t in enumerate(texts)])
    with open_store(db_path) as con:  # back to the schema of step 3, with the old fts index
        con.execute("DROP TABLE store.search_terms; DROP TABLE store.search_docs;"
                    " DELETE FROM store.schema_migrations WHERE step = 4")
        load_fts(con)
        con.execute("PRAGMA create_fts_index('store.articles', 'id', 'title', 'text')")
    with open_store(db_path) as con:  # opening for writing migrates
        assert con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'fts_store_articles'"
                           ).fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM store.search_docs").fetchone() == (len(texts),)
        assert search(con, "sappers") and migrate(con) == []
