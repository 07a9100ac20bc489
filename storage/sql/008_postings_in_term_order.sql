-- The search postings' main tier without an index, its rows in term order (storage/tiers.py).
-- Its ART index on term was written again whole at the first checkpoint after every fold
-- (duckdb/duckdb#24848), a cost that grew with the store: at 22M postings (about 100k articles)
-- a fold of 1M postings took 19 s. In term order, the min and max term DuckDB keeps for each
-- stretch of a column lets a search read only the stretches that can hold its terms; each fold
-- appends its own postings in term order, so the rows it adds are ordered too.
DROP INDEX store.idx_search_terms_term;
CREATE TABLE store.search_terms_by_term (
    term        TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    tf          INTEGER NOT NULL
);
INSERT INTO store.search_terms_by_term SELECT term, article_id, tf FROM store.search_terms ORDER BY term;
DROP TABLE store.search_terms;
ALTER TABLE store.search_terms_by_term RENAME TO search_terms;
