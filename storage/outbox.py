"""The digest outbox: what a digest should say, the digest itself, and one delivery row per target.

Delivery state machine per (digest, target): pending → sending → sent, or → failed (retried with
backoff until max attempts, then ``gave_up``). A row found in ``sending`` at start-up means a crash
happened between handing the message to the target and recording it: it is retried, so a target
can receive a digest twice only if the process died in that window (see README, "Delivery").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb

from extractors.records import value_text



@dataclass(frozen=True)
class DigestFigure:
    id: str
    category: str
    low: float
    high: float
    approximate: bool
    qualifier: str
    stance: str
    attribution: str
    as_of: date | None
    quote: str
    url: str
    title: str
    outlet: str
    novelty: str  # new | revision | corroboration
    revises: str | None = None  # "12,000 (as of 2025-04-01)": the claimant's value this replaces
    first_url: str | None = None  # for a corroboration: where the value was first seen


@dataclass(frozen=True)
class DigestEvent:
    id: str
    type: str
    date: date | None
    quote: str
    url: str
    title: str
    outlet: str


@dataclass(frozen=True)
class DigestContent:
    """Everything not yet reported by an earlier digest."""

    figures: tuple[DigestFigure, ...] = ()  # new and revised
    corroborations: tuple[DigestFigure, ...] = ()
    events: tuple[DigestEvent, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (feed, problem)
    articles_scanned: int = 0
    duplicates_skipped: int = 0
    runs: int = 0
    since: datetime | None = None

    @property
    def has_news(self) -> bool:
        return bool(self.figures or self.events)


@dataclass(frozen=True)
class Delivery:
    digest_id: str
    target: str
    target_key: str
    attempts: int
    title: str
    bodies: dict[str, str] = field(default_factory=dict)  # text, markdown, html, slack


def target_key(url: str) -> str:
    """Identifies a target without storing its URL (which may hold secrets)."""
    return hashlib.sha256(url.encode()).hexdigest()[:24]


_FIGURE_SQL = """
SELECT f.id, f.category, f.low, f.high, f.approximate, f.qualifier, f.stance, f.attribution, f.as_of, f.quote,
       a.url, coalesce(a.title, ''), coalesce(a.sitename, a.feed, ''), f.novelty, f.revises_id, f.first_seen_id
FROM store.figures f JOIN store.articles a ON a.id = f.article_id
WHERE f.digest_id IS NULL AND f.novelty IN ({kinds})
ORDER BY f.category, f.seq
"""


def _figures(con: duckdb.DuckDBPyConnection, kinds: tuple[str, ...]) -> list[DigestFigure]:
    rows = con.execute(_FIGURE_SQL.format(kinds=", ".join(f"'{k}'" for k in kinds))).fetchall()
    out = []
    for r in rows:
        revises = first_url = None
        if r[14]:
            old = con.execute("SELECT low, high, category, as_of FROM store.figures WHERE id = ?", [r[14]]).fetchone()
            if old:
                revises = value_text(old[0], old[1], old[2]) + (f" (as of {old[3]})" if old[3] else "")
        if r[13] == "corroboration" and r[15]:
            first = con.execute("SELECT a.url FROM store.figures f JOIN store.articles a ON a.id = f.article_id"
                                " WHERE f.id = ?", [r[15]]).fetchone()
            first_url = first[0] if first else None
        out.append(DigestFigure(*r[:14], revises=revises, first_url=first_url))
    return out


def pending_content(con: duckdb.DuckDBPyConnection, *, failing_feed_runs: int, silent_feed_days: int,
                    now: datetime) -> DigestContent:
    """What the next digest would report."""
    events = [DigestEvent(*r) for r in con.execute(
        "SELECT e.id, e.type, e.date, e.quote, a.url, coalesce(a.title, ''), coalesce(a.sitename, a.feed, '')"
        " FROM store.events e JOIN store.articles a ON a.id = e.article_id"
        " WHERE e.digest_id IS NULL AND e.is_new ORDER BY e.date NULLS LAST, e.seq").fetchall()]
    sources = [(name, f"failing for {n} runs in a row: {err}") for name, n, err in con.execute(
        "SELECT name, consecutive_failures, last_error FROM store.feeds WHERE consecutive_failures >= ?"
        " ORDER BY name", [failing_feed_runs]).fetchall()]
    cutoff = now - timedelta(days=silent_feed_days)
    sources += [(name, f"no new entry since {(last or first):%Y-%m-%d}") for name, last, first in con.execute(
        "SELECT f.name, max(e.first_seen), min(c.checked_at) FROM store.feeds f"
        " LEFT JOIN store.entries e ON e.feed = f.name LEFT JOIN store.feed_checks c ON c.feed = f.name"
        " WHERE f.consecutive_failures = 0 GROUP BY f.name"
        " HAVING coalesce(max(e.first_seen), min(c.checked_at)) < ? ORDER BY f.name", [cutoff]).fetchall()]
    last = con.execute("SELECT max(created_at) FROM store.digests").fetchone()
    since = last[0] if last else None
    runs = con.execute(
        "SELECT count(*), coalesce(sum(CAST(summary->>'$.entries_seen' AS INTEGER)), 0),"
        " coalesce(sum(CAST(summary->>'$.duplicates' AS INTEGER)), 0) FROM store.runs"
        " WHERE status = 'completed' AND (? IS NULL OR finished_at > ?)", [since, since]).fetchone()
    return DigestContent(
        figures=tuple(_figures(con, ("new", "revision"))),
        corroborations=tuple(_figures(con, ("corroboration",))),
        events=tuple(events), sources=tuple(sources),
        runs=runs[0], articles_scanned=runs[1], duplicates_skipped=runs[2], since=since,
    )


def new_digest_id(content: DigestContent, now: datetime) -> str:
    """Derived from what the digest reports and when: printed in every rendering, so a received
    message can always be traced back to its outbox row."""
    ids = [f.id for f in content.figures + content.corroborations] + [e.id for e in content.events]
    return hashlib.sha256(("\x1f".join(sorted(ids)) + now.isoformat()).encode()).hexdigest()[:16]


def create_digest(con: duckdb.DuckDBPyConnection, content: DigestContent, *, digest_id: str, kind: str,
                  title: str, bodies: dict[str, str], targets: list[tuple[str, str]], now: datetime,
                  run_id: str | None) -> str:
    """Write the digest, claim its items and queue one pending delivery per (display, url) target."""
    con.execute(
        "INSERT INTO store.digests (id, created_at, run_id, kind, title, text, markdown, html, slack, figures, events)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [digest_id, now, run_id, kind, title, bodies["text"], bodies["markdown"], bodies["html"], bodies["slack"],
         len(content.figures), len(content.events)],
    )
    figure_ids = [f.id for f in content.figures + content.corroborations]
    if figure_ids:
        con.execute("UPDATE store.figures SET digest_id = ? WHERE id IN (SELECT unnest(?::TEXT[]))",
                    [digest_id, figure_ids])
    if content.events:
        con.execute("UPDATE store.events SET digest_id = ? WHERE id IN (SELECT unnest(?::TEXT[]))",
                    [digest_id, [e.id for e in content.events]])
    for display, url in targets:
        con.execute(
            "INSERT INTO store.deliveries (digest_id, target, target_key, status) VALUES (?, ?, ?, 'pending')"
            " ON CONFLICT DO NOTHING", [digest_id, display, target_key(url)])
    return digest_id


def due_deliveries(con: duckdb.DuckDBPyConnection, now: datetime, max_attempts: int) -> list[Delivery]:
    """Deliveries to attempt now: pending, failed and due, or left 'sending' by a crash."""
    rows = con.execute(
        "SELECT d.digest_id, d.target, d.target_key, d.attempts, g.title, g.text, g.markdown, g.html, g.slack"
        " FROM store.deliveries d JOIN store.digests g ON g.id = d.digest_id"
        " WHERE (d.status IN ('pending', 'sending') OR (d.status = 'failed' AND d.next_attempt_at <= ?))"
        " AND d.attempts < ? ORDER BY g.created_at, d.target", [now, max_attempts]).fetchall()
    return [Delivery(r[0], r[1], r[2], r[3], r[4], {"text": r[5], "markdown": r[6], "html": r[7], "slack": r[8]})
            for r in rows]


def mark_sending(con: duckdb.DuckDBPyConnection, d: Delivery, now: datetime) -> None:
    con.execute("UPDATE store.deliveries SET status = 'sending', attempts = attempts + 1, last_attempt_at = ?"
                " WHERE digest_id = ? AND target_key = ?", [now, d.digest_id, d.target_key])


def mark_sent(con: duckdb.DuckDBPyConnection, d: Delivery, now: datetime) -> None:
    con.execute("UPDATE store.deliveries SET status = 'sent', sent_at = ?, last_error = NULL, next_attempt_at = NULL"
                " WHERE digest_id = ? AND target_key = ?", [now, d.digest_id, d.target_key])


def mark_failed(con: duckdb.DuckDBPyConnection, d: Delivery, error: str, now: datetime, retry_minutes: float,
                max_attempts: int) -> None:
    attempts = d.attempts + 1
    status = "gave_up" if attempts >= max_attempts else "failed"
    delay = timedelta(minutes=min(retry_minutes * 2 ** (attempts - 1), 360))
    con.execute("UPDATE store.deliveries SET status = ?, last_error = ?, next_attempt_at = ?"
                " WHERE digest_id = ? AND target_key = ?",
                [status, error[:500], now + delay, d.digest_id, d.target_key])
