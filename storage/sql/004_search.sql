-- Full-text search index, kept up to date as articles are stored (storage/search.py): one row per
-- (stemmed term, article) with the term's count, and each article's length in terms. It replaces
-- DuckDB's fts index, which can only be rebuilt whole (15 s per cycle at 100k articles).
DROP SCHEMA IF EXISTS fts_store_articles CASCADE;

CREATE TABLE store.search_docs (
    article_id  TEXT PRIMARY KEY,
    length      INTEGER NOT NULL        -- terms in title + text, stop words left out
);

CREATE TABLE store.search_terms (
    term        TEXT NOT NULL,          -- lower-cased, accents stripped, Porter-stemmed
    article_id  TEXT NOT NULL,
    tf          INTEGER NOT NULL        -- times the term occurs in the article
);
CREATE INDEX search_terms_term ON store.search_terms (term);
