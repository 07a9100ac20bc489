-- The spine: feeds and their HTTP cursors, monitoring runs, feed entries, articles and their
-- near-duplicate band keys. Ids are content addresses (see storage/articles.py), so inserting
-- the same thing twice is a no-op.

-- Base tables live in schema `store`; analysts use the views in `main` (storage/views.sql).
CREATE TABLE store.feeds (
    name                 TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    etag                 TEXT,            -- conditional GET cursor (If-None-Match)
    last_modified        TEXT,            -- conditional GET cursor (If-Modified-Since)
    last_checked         TIMESTAMPTZ,
    last_success         TIMESTAMPTZ,
    last_error           TEXT,
    last_error_at        TIMESTAMPTZ,
    last_warning         TEXT,            -- e.g. malformed XML that still gave entries
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    retry_after          TIMESTAMPTZ      -- do not poll before this (429 Retry-After, backoff)
);

CREATE TABLE store.runs (
    id            TEXT PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        TEXT NOT NULL,          -- running | completed | crashed
    summary       JSON                    -- the numbers printed at the end of the run
);

-- One row per feed per run: the history behind source health.
CREATE TABLE store.feed_checks (
    run_id       TEXT NOT NULL,
    feed         TEXT NOT NULL,
    checked_at   TIMESTAMPTZ NOT NULL,
    outcome      TEXT NOT NULL,           -- ok | not_modified | failed | skipped
    http_status  INTEGER,
    entries      INTEGER NOT NULL DEFAULT 0,
    new_entries  INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    warning      TEXT,
    PRIMARY KEY (run_id, feed)
);

-- What each feed listed; the key that makes a re-fetch of the same entry cost nothing.
CREATE TABLE store.entries (
    feed           TEXT NOT NULL,
    guid           TEXT NOT NULL,
    link           TEXT,
    canonical_url  TEXT,
    title          TEXT,
    published      TIMESTAMPTZ,
    updated        TIMESTAMPTZ,
    entry_hash     TEXT NOT NULL,         -- of the entry's dates + summary + content: a change means "look again"
    first_seen     TIMESTAMPTZ NOT NULL,
    last_seen      TIMESTAMPTZ NOT NULL,
    article_id     TEXT,                  -- the latest version stored for it; NULL while it could not be read
    attempts       INTEGER NOT NULL DEFAULT 0,  -- failed reads so far; given up after a few
    last_error     TEXT,
    PRIMARY KEY (feed, guid)
);
CREATE INDEX entries_canonical_url ON store.entries (canonical_url);

CREATE TABLE store.articles (
    id                   TEXT PRIMARY KEY,   -- hash of canonical_url + content_hash
    url                  TEXT NOT NULL,
    canonical_url        TEXT NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    previous_version_id  TEXT,
    source               TEXT NOT NULL,      -- seed | feed
    feed                 TEXT,               -- the feed it was first found in
    seed_file            TEXT,
    title                TEXT,
    published            TIMESTAMPTZ,
    fetched_at           TIMESTAMPTZ NOT NULL,
    author               TEXT,
    sitename             TEXT,
    language             TEXT,
    extraction           TEXT NOT NULL,      -- page | feed | seed
    extraction_note      TEXT,               -- why the feed's text was used instead of the page
    text                 TEXT NOT NULL,
    content_hash         TEXT NOT NULL,
    duplicate_of         TEXT,               -- the original this copies (exact or near)
    similarity           DOUBLE,             -- Jaccard similarity to duplicate_of
    run_id               TEXT
);
CREATE INDEX articles_canonical_url ON store.articles (canonical_url);
CREATE INDEX articles_content_hash ON store.articles (content_hash);

-- MinHash LSH band keys: near-duplicate candidates are found by index look-ups, without loading
-- every signature into memory.
CREATE TABLE store.article_bands (
    band_key    BIGINT NOT NULL,
    article_id  TEXT NOT NULL
);
CREATE INDEX article_bands_key ON store.article_bands (band_key);
