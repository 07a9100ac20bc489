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

-- One row per figure (claim) found in a relevant, non-duplicate article.
-- novelty: new | revision (new value from a claimant who said otherwise before: revises_id) |
-- corroboration (a known value from a new claimant) | repeat. is_new = new or revision.
-- first_seen_article_id: the article where this value first appeared; repeat_count: how many later
-- figures stated it again, repeat_outlets: from how many distinct outlets.
CREATE OR REPLACE VIEW figures AS
WITH f AS (
    SELECT f.*, a.url AS article_url, a.source, coalesce(a.sitename, a.feed, a.seed_file) AS outlet,
           a.published AS article_published
    FROM store.figures f JOIN store.articles a ON a.id = f.article_id
), groups AS (
    SELECT first_seen_id, count(*) - 1 AS repeat_count, count(DISTINCT outlet) - 1 AS repeat_outlets
    FROM f GROUP BY first_seen_id
)
SELECT f.id, f.article_id, f.article_url, f.category, f.low, f.high, f.approximate, f.qualifier, f.stance,
       f.attribution, f.as_of, f.quote, f.start_offset, f.end_offset, f.outlet, f.source, f.article_published,
       f.novelty, f.novelty IN ('new', 'revision') AS is_new,
       first.article_id AS first_seen_article_id, g.repeat_count, g.repeat_outlets,
       f.revises_id, f.digest_id, f.seen_at
FROM f
LEFT JOIN groups g ON g.first_seen_id = f.first_seen_id
LEFT JOIN store.figures first ON first.id = f.first_seen_id;

-- One row per event found in a relevant, non-duplicate article; is_new when no earlier event of
-- the same type fell within the configured window (default 7 days) of its date.
CREATE OR REPLACE VIEW events AS
SELECT e.id, e.article_id, a.url AS article_url, e.type, e.date, e.dated, e.quote, e.start_offset,
       e.end_offset, e.is_new, e.first_seen_id, e.digest_id, e.seen_at,
       coalesce(a.sitename, a.feed, a.seed_file) AS outlet
FROM store.events e JOIN store.articles a ON a.id = e.article_id;

-- Relevance verdict per tagged article.
CREATE OR REPLACE VIEW taggings AS
SELECT t.article_id, a.url AS article_url, a.title, t.relevant, t.score, t.evidence, t.tagged_at
FROM store.taggings t JOIN store.articles a ON a.id = t.article_id;

-- One row per digest and target (the outbox). `target` is printable (secrets stay ${VAR}).
CREATE OR REPLACE VIEW deliveries AS
SELECT d.digest_id, g.created_at, g.kind, g.title, d.target, d.status, d.attempts, d.last_error,
       d.last_attempt_at, d.next_attempt_at, d.sent_at
FROM store.deliveries d JOIN store.digests g ON g.id = d.digest_id;

-- Digests written, with their renderings.
CREATE OR REPLACE VIEW digests AS
SELECT id, created_at, kind, title, figures, events, text, markdown FROM store.digests;

-- One row per figure claim, for "how did each estimate move over time, and who said what".
-- as_of: the date the figure refers to (else its article's date); first_seen: when nkwatch first
-- stored this value (seeds included).
CREATE OR REPLACE VIEW timeline AS
SELECT coalesce(f.as_of, CAST(a.published AS DATE)) AS as_of, f.category, f.low, f.high, f.approximate,
       f.qualifier, f.stance, nullif(f.attribution, '') AS claimant,
       coalesce(a.sitename, a.feed, a.seed_file) AS outlet, a.url, a.title, f.novelty,
       first.seen_at AS first_seen, f.quote, f.id AS figure_id, f.article_id
FROM store.figures f
JOIN store.articles a ON a.id = f.article_id
LEFT JOIN store.figures first ON first.id = f.first_seen_id;

-- Per feed: health and yield.
CREATE OR REPLACE VIEW sources AS
WITH arts AS (
    SELECT feed, count(*) FILTER (WHERE fetched_at >= now() - INTERVAL 7 DAY) AS articles_this_week,
           count(*) AS articles, count(*) FILTER (WHERE duplicate_of IS NOT NULL) AS duplicates,
           avg(length(text)) FILTER (WHERE duplicate_of IS NULL) AS mean_chars,
           count(*) FILTER (WHERE extraction = 'feed') AS feed_text_only
    FROM store.articles WHERE source = 'feed' GROUP BY feed
)
SELECT f.name AS feed, f.url, f.last_success, f.last_error, f.last_error_at, f.consecutive_failures,
       f.retry_after AS backing_off_until, f.last_warning,
       coalesce(a.articles_this_week, 0) AS articles_this_week, coalesce(a.articles, 0) AS articles,
       round(coalesce(a.duplicates, 0) / nullif(a.articles, 0), 3) AS duplicate_share,
       round(a.mean_chars) AS mean_extracted_chars, coalesce(a.feed_text_only, 0) AS feed_text_only
FROM store.feeds f LEFT JOIN arts a ON a.feed = f.name;
