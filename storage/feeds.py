"""Feeds' state (HTTP cursors, health, back-off) and the log of monitoring runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb


@dataclass(frozen=True)
class FeedState:
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    retry_after: datetime | None


@dataclass(frozen=True)
class FeedCheck:
    """What happened to one feed in one run."""

    feed: str
    outcome: str  # ok | not_modified | failed | skipped
    http_status: int | None = None
    entries: int = 0
    new_entries: int = 0
    error: str | None = None
    warning: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after_seconds: float | None = None


def sync_feeds(con: duckdb.DuckDBPyConnection, feeds: list[tuple[str, str]]) -> None:
    """Make ``store.feeds`` list the configured feeds; a changed URL forgets the old cursor.
    One statement for all feeds: a cycle over hundreds of feeds must not pay per feed here."""
    if not feeds:
        return
    con.execute(
        "INSERT INTO store.feeds (name, url) SELECT unnest(?::TEXT[]), unnest(?::TEXT[])"
        " ON CONFLICT (name) DO UPDATE SET url = excluded.url,"
        " etag = CASE WHEN store.feeds.url = excluded.url THEN store.feeds.etag END,"
        " last_modified = CASE WHEN store.feeds.url = excluded.url THEN store.feeds.last_modified END"
        " WHERE store.feeds.url IS DISTINCT FROM excluded.url",
        [[n for n, _ in feeds], [u for _, u in feeds]],
    )


def feed_states(con: duckdb.DuckDBPyConnection) -> dict[str, FeedState]:
    rows = con.execute(
        "SELECT name, url, etag, last_modified, consecutive_failures, retry_after FROM store.feeds"
    ).fetchall()
    return {r[0]: FeedState(*r) for r in rows}


def backoff_until(now: datetime, failures: int, retry_after_seconds: float | None) -> datetime | None:
    """When a failing feed may be polled again: the server's Retry-After, else doubling from the
    third failure in a row (5 min, 10, 20 … capped at 6 h); None means "next run"."""
    if retry_after_seconds:
        return now + timedelta(seconds=min(retry_after_seconds, 86_400))
    if failures < 3:
        return None
    return now + timedelta(minutes=min(5 * 2 ** (failures - 3), 360))


def record_checks(con: duckdb.DuckDBPyConnection, run_id: str, checks: list[FeedCheck], now: datetime) -> None:
    """Store each feed's outcome and move its cursor, in the caller's transaction.

    Called after the feed's articles are committed: a crash before this point means the feed is
    fetched again in full next time (its entries are then known), never that entries are skipped.
    Healthy feeds are updated in one statement; failures (few) one by one, for their back-off.
    """
    if not checks:
        return
    cols = ["feed", "outcome", "http_status", "entries", "new_entries", "error", "warning"]
    con.execute(
        "INSERT INTO store.feed_checks (run_id, feed, checked_at, outcome, http_status, entries, new_entries, error,"
        " warning) SELECT ?, unnest(?::TEXT[]), ?, unnest(?::TEXT[]), unnest(?::INTEGER[]), unnest(?::INTEGER[]),"
        " unnest(?::INTEGER[]), unnest(?::TEXT[]), unnest(?::TEXT[]) ON CONFLICT DO NOTHING",
        [run_id, [c.feed for c in checks], now, *[[getattr(c, k) for c in checks] for k in cols[1:]]],
    )
    healthy = [c for c in checks if c.outcome in ("ok", "not_modified")]
    if healthy:
        con.execute(
            "UPDATE store.feeds SET last_checked = $1, last_success = $1, consecutive_failures = 0, retry_after = NULL,"
            " last_warning = u.warning, etag = coalesce(u.etag, store.feeds.etag),"
            " last_modified = coalesce(u.last_modified, store.feeds.last_modified)"
            " FROM (SELECT unnest($2::TEXT[]) AS name, unnest($3::TEXT[]) AS warning, unnest($4::TEXT[]) AS etag,"
            "       unnest($5::TEXT[]) AS last_modified) u WHERE store.feeds.name = u.name",
            [now, [c.feed for c in healthy], [c.warning for c in healthy], [c.etag for c in healthy],
             [c.last_modified for c in healthy]],
        )
    for c in checks:
        if c.outcome != "failed":
            continue
        failures = (con.execute("SELECT consecutive_failures FROM store.feeds WHERE name = ?",
                                [c.feed]).fetchone() or (0,))[0] + 1
        con.execute(
            "UPDATE store.feeds SET last_checked = ?, last_error = ?, last_error_at = ?,"
            " consecutive_failures = ?, retry_after = ? WHERE name = ?",
            [now, c.error, now, failures, backoff_until(now, failures, c.retry_after_seconds), c.feed],
        )


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime) -> int:
    """Record a run as started; earlier runs left 'running' by a crash become 'crashed'."""
    crashed = con.execute(
        "UPDATE store.runs SET status = 'crashed' WHERE status = 'running' RETURNING id"
    ).fetchall()
    con.execute("INSERT INTO store.runs (id, started_at, status) VALUES (?, ?, 'running')", [run_id, now])
    return len(crashed)


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime, summary: dict[str, Any]) -> None:
    con.execute(
        "UPDATE store.runs SET finished_at = ?, status = 'completed', summary = ? WHERE id = ?",
        [now, json.dumps(summary, default=str), run_id],
    )
