-- The newest search postings in a table of their own (storage/tiers.py), folded into
-- store.search_terms from time to time. DuckDB (1.5.5, and 2.0.1 as well) writes again, at every
-- checkpoint, the part of an ART index that the connection has read or changed
-- (duckdb/duckdb#24848), and every connection checkpoints as it closes: adding a batch's postings
-- to the main table rewrote most of its index at every cycle. The band keys' main tier is in a
-- file of its own, attached read-only (storage/tiers.py), so store.article_bands now holds only
-- the newest band keys.
CREATE TABLE store.search_terms_recent (
    term        TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    tf          INTEGER NOT NULL
);
CREATE INDEX idx_search_terms_recent_term ON store.search_terms_recent (term);
