-- The documented views analysts query (README, "Querying the store"). Base tables live in the
-- schema `store` and may change between versions; these views are the stable interface.

-- Every stored article, seeds included. A duplicate keeps `duplicate_of` (the original's id)
-- and `similarity` (Jaccard similarity of word shingles, 1.0 for an exact copy).
CREATE OR REPLACE VIEW articles AS
SELECT id, url, title, source, feed, published, fetched_at, duplicate_of, similarity, text,
       canonical_url, version, previous_version_id, seed_file, author, sitename, language,
       extraction, extraction_note, length(text) AS text_chars, run_id
FROM store.articles;

-- One row per monitoring run with its summary numbers.
CREATE OR REPLACE VIEW runs AS
SELECT id, started_at, finished_at, status,
       CAST(summary->>'$.entries_seen' AS INTEGER)   AS entries_seen,
       CAST(summary->>'$.new_articles' AS INTEGER)   AS new_articles,
       CAST(summary->>'$.duplicates' AS INTEGER)     AS duplicates,
       CAST(summary->>'$.feeds_failed' AS INTEGER)   AS feeds_failed,
       summary
FROM store.runs;
