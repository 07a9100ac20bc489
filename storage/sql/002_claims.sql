-- The tagger's output and its novelty: the relevance verdict per article, the figures (claims)
-- and events it found, and how each compares with everything stored before it.

CREATE TABLE store.taggings (
    article_id  TEXT PRIMARY KEY,
    relevant    BOOLEAN NOT NULL,
    score       DOUBLE NOT NULL,
    evidence    TEXT[],
    tagged_at   TIMESTAMPTZ NOT NULL,
    lexicon     TEXT                      -- digest of the vocabulary used, to know what to re-tag
);

CREATE TABLE store.figures (
    id             TEXT PRIMARY KEY,      -- hash of article id + category + value + offset
    article_id     TEXT NOT NULL,
    category       TEXT NOT NULL,
    low            DOUBLE NOT NULL,
    high           DOUBLE NOT NULL,
    approximate    BOOLEAN NOT NULL,
    qualifier      TEXT NOT NULL,
    stance         TEXT NOT NULL,         -- fact | planned | denied
    attribution    TEXT NOT NULL,         -- canonical claimant, '' when nobody is named
    as_of          DATE,
    quote          TEXT NOT NULL,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    seen_at        TIMESTAMPTZ NOT NULL,
    seq            BIGINT NOT NULL,       -- order of arrival: novelty compares with lower seq only
    novelty        TEXT NOT NULL,         -- new | revision | corroboration | repeat
    first_seen_id  TEXT,                  -- the earliest figure with this value (itself when new)
    revises_id     TEXT,                  -- for a revision: the claimant's previous figure it replaces
    digest_id      TEXT                   -- the digest that reported it
);
CREATE INDEX figures_value ON store.figures (category, low, high);
CREATE INDEX figures_article ON store.figures (article_id);

CREATE TABLE store.events (
    id             TEXT PRIMARY KEY,
    article_id     TEXT NOT NULL,
    type           TEXT NOT NULL,
    date           DATE,                  -- as stated; else the article's date (see `dated`)
    dated          BOOLEAN NOT NULL,      -- true when the text stated the date
    quote          TEXT NOT NULL,
    start_offset   INTEGER NOT NULL,
    end_offset     INTEGER NOT NULL,
    seen_at        TIMESTAMPTZ NOT NULL,
    seq            BIGINT NOT NULL,
    is_new         BOOLEAN NOT NULL,
    first_seen_id  TEXT,
    digest_id      TEXT
);
CREATE INDEX events_type ON store.events (type);

CREATE SEQUENCE store.claim_seq;
