"""Digests out of the store and through apprise, via the outbox (storage/outbox.py).

A digest is written to DuckDB, with one pending delivery per configured target, *before* anything
is sent. Each delivery is then marked ``sending`` (committed), handed to apprise, and marked
``sent`` or ``failed`` (committed). A crash between apprise's success and the ``sent`` commit
leaves the row in ``sending``; it is retried on the next run, so that window (one DuckDB commit,
milliseconds) is the only way a target can get a digest twice. Nothing is ever lost: an unsent
digest stays in the outbox until it is sent or its attempts run out.

Resolved target URLs may hold secrets: they are never logged or stored; errors are scrubbed of
every part of the URL before they are recorded.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import apprise

from flows.config import NotificationTarget, Settings
from flows.digest import render_all, render_text
from flows.failpoints import failpoint
from storage import outbox
from storage.db import open_store, transaction
from storage.query import open_for_reading


@dataclass(frozen=True)
class DeliveryReport:
    digest_id: str
    target: str  # printable
    ok: bool
    error: str | None = None


def _secret_parts(url: str) -> list[str]:
    parts = urlsplit(url)
    pieces = [url, parts.netloc, parts.password or "", parts.username or ""]
    pieces += [p for p in parts.path.split("/") if len(p) >= 6]
    pieces += [v for _, v in parse_qsl(parts.query) if len(v) >= 6]
    return sorted({p for p in pieces if len(p) >= 4}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    for piece in _secret_parts(url):
        text = text.replace(piece, "***")
    return text


def _body_for(url: str, bodies: dict[str, str]) -> tuple[str, apprise.NotifyFormat]:
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("mailto", "mailtos", "email"):
        return bodies["html"], apprise.NotifyFormat.HTML
    if scheme == "slack" or "hooks.slack.com" in url:
        return bodies["slack"], apprise.NotifyFormat.MARKDOWN
    return bodies["markdown"], apprise.NotifyFormat.MARKDOWN


def send_to(target: NotificationTarget, title: str, bodies: dict[str, str], attach: Path | None = None) -> str | None:
    """Send through apprise to one target; None on success, else the scrubbed reason. ``attach``
    (the HTML report) goes to email targets only."""
    ap = apprise.Apprise()
    if not ap.add(target.url):
        return f"not a usable apprise URL: {target.display}"
    body, fmt = _body_for(target.url, bodies)
    is_email = fmt == apprise.NotifyFormat.HTML
    with apprise.LogCapture(level=logging.WARNING) as logs:
        try:
            ok = ap.notify(body=body, title=title, body_format=fmt,
                           attach=str(attach) if attach is not None and is_email else None)
        except Exception as exc:  # a plugin bug must not take the outbox down
            return scrub(f"{type(exc).__name__}: {exc}", target.url)[:300]
    if ok:
        return None
    lines = [line.strip() for line in logs.getvalue().splitlines() if line.strip()]
    reason = next((ln for ln in reversed(lines) if re.search(r"error|fail|refused|timed out|reason", ln, re.I)),
                  lines[-1] if lines else "apprise reported a failure")
    return scrub(re.sub(r"^\S+ \S+ - \w+ - ", "", reason), target.url)[:300]


def preview(settings: Settings, fmt: str = "text") -> str | None:
    """The next digest as it would be sent now, or None when nothing is new. Writes nothing."""
    now = datetime.now(UTC)
    con, _ = open_for_reading(settings.database)
    try:
        content = outbox.pending_content(con, failing_feed_runs=settings.digest.failing_feed_runs,
                                         silent_feed_days=settings.digest.silent_feed_days, now=now)
    finally:
        con.close()
    if not _worth_sending(settings, content):
        return None
    return render_all(content, now)[1][fmt] if fmt != "text" else render_text(content, now)


def _worth_sending(settings: Settings, content: outbox.DigestContent) -> bool:
    return content.has_news or (settings.digest.alert_on_corroboration and bool(content.corroborations))


def make_digest(settings: Settings, run_id: str | None, heartbeat: bool = False) -> tuple[str, str] | None:
    """Write the next digest to the outbox (with a pending delivery per target) when something is
    new, or an 'all quiet' one when ``heartbeat``; returns (id, markdown) or None."""
    now = datetime.now(UTC)
    with open_store(settings.database) as con, transaction(con):
        content = outbox.pending_content(con, failing_feed_runs=settings.digest.failing_feed_runs,
                                         silent_feed_days=settings.digest.silent_feed_days, now=now)
        if not _worth_sending(settings, content) and not heartbeat:
            return None
        digest_id = outbox.new_digest_id(content, now)
        title, bodies = render_all(content, now, digest_id)
        targets = [(t.display, t.url) for t in settings.notifications]
        outbox.create_digest(con, content, digest_id=digest_id, kind="news" if content.has_news else "heartbeat",
                             title=title, bodies=bodies, targets=targets, now=now, run_id=run_id)
    return digest_id, bodies["markdown"]


def deliver_due(settings: Settings) -> list[DeliveryReport]:
    """Attempt every delivery that is due; one failing target never holds back another."""
    cfg = settings.digest
    with open_store(settings.database) as con:
        due = outbox.due_deliveries(con, datetime.now(UTC), cfg.max_attempts)
    targets = {outbox.target_key(t.url): t for t in settings.notifications}
    attach = None
    if due and cfg.attach_report:
        from flows.report import write_report

        attach = settings.data_dir / "report.html"
        write_report(settings.database, attach)
    reports = []
    for d in due:
        target = targets.get(d.target_key)
        if target is None:  # removed from config.yaml since the digest was written: keep the row as it is
            continue
        with open_store(settings.database) as con, transaction(con):
            outbox.mark_sending(con, d, datetime.now(UTC))
        error = send_to(target, d.title, d.bodies, attach)
        failpoint("after-send")  # the crash window: delivered, not yet recorded
        with open_store(settings.database) as con, transaction(con):
            if error is None:
                outbox.mark_sent(con, d, datetime.now(UTC))
            else:
                outbox.mark_failed(con, d, error, datetime.now(UTC), cfg.retry_minutes, cfg.max_attempts)
        reports.append(DeliveryReport(d.digest_id, target.display, error is None, error))
    return reports
