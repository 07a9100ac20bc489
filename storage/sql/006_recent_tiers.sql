-- The two largest indexes in two tiers (storage/tiers.py): new rows go to a small table of their
-- own, and only from time to time into the main one. DuckDB (1.5.5, and 2.0.1 as well) writes a
-- table's whole ART index again at every checkpoint that follows a change to the table
-- (duckdb/duckdb#24848), and every connection checkpoints as it closes: with 1M articles stored,
-- closing the store after 181 new articles took 3.6 to 5.9 s, 8.4 s of it for their 5,792 band
-- keys; the same keys added to a table of 500k rows closed in 0.14 s.
CREATE TABLE store.article_bands_recent (
    band_key    BIGINT NOT NULL,
    article_id  TEXT NOT NULL
);
CREATE INDEX idx_article_bands_recent_band_key ON store.article_bands_recent (band_key);

CREATE TABLE store.search_terms_recent (
    term        TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    tf          INTEGER NOT NULL
);
CREATE INDEX idx_search_terms_recent_term ON store.search_terms_recent (term);
