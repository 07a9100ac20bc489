-- The outbox: a digest is written here before anything is sent; each target has its own delivery
-- row, so one failing target never holds back the others and a sent one is never sent again.

CREATE TABLE store.digests (
    id           TEXT PRIMARY KEY,
    created_at   TIMESTAMPTZ NOT NULL,
    run_id       TEXT,
    kind         TEXT NOT NULL,           -- news | heartbeat
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,           -- plain text
    markdown     TEXT NOT NULL,
    html         TEXT NOT NULL,
    slack        TEXT NOT NULL,           -- Slack mrkdwn, within Slack's limits
    figures      INTEGER NOT NULL,
    events       INTEGER NOT NULL
);

CREATE TABLE store.deliveries (
    digest_id        TEXT NOT NULL,
    target           TEXT NOT NULL,       -- printable form of the apprise URL (secrets as ${VAR})
    target_key       TEXT NOT NULL,       -- hash of the resolved URL: identifies the target, reveals nothing
    status           TEXT NOT NULL,       -- pending | sending | sent | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    last_attempt_at  TIMESTAMPTZ,
    next_attempt_at  TIMESTAMPTZ,
    sent_at          TIMESTAMPTZ,
    PRIMARY KEY (digest_id, target_key)
);
