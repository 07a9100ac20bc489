-- The secondary indexes, built again from their tables. From 2026-12-02 01:25 to this step a cycle's
-- first stage closed the store without a checkpoint (PRAGMA disable_checkpoint_on_shutdown), and
-- DuckDB 1.5.5 then drops the index entries of the rows in that WAL at the next checkpoint: the
-- rows are there, but a look-up by URL, text hash or band key misses them (the seeds' URLs, for
-- one), so de-duplication could call a stored article new. A primary key is not affected. A
-- crash did the same at the next connection that replayed its WAL, so older stores are rebuilt too.
-- (Under new names: DuckDB 1.5.5 aborts on DROP INDEX and CREATE INDEX of the same name in one
-- transaction, and the steps run in one.)
DROP INDEX store.entries_canonical_url;
CREATE INDEX idx_entries_canonical_url ON store.entries (canonical_url);
DROP INDEX store.articles_canonical_url;
CREATE INDEX idx_articles_canonical_url ON store.articles (canonical_url);
DROP INDEX store.articles_content_hash;
CREATE INDEX idx_articles_content_hash ON store.articles (content_hash);
DROP INDEX store.article_bands_key;
CREATE INDEX idx_article_bands_band_key ON store.article_bands (band_key);
DROP INDEX store.figures_value;
CREATE INDEX idx_figures_value ON store.figures (category, low, high);
DROP INDEX store.figures_article;
CREATE INDEX idx_figures_article_id ON store.figures (article_id);
DROP INDEX store.events_type;
CREATE INDEX idx_events_type ON store.events (type);
DROP INDEX store.search_terms_term;
CREATE INDEX idx_search_terms_term ON store.search_terms (term);
