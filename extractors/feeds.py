"""Feed documents (RSS 0.9x/1.0/2.0, Atom) to FeedEntry records, with feedparser.

feedparser is given bytes that the fetcher already downloaded (it must never fetch: it has no
timeout). What it reports as ``bozo`` with entries is a malformed-but-readable feed: the entries
are kept and the problem becomes a warning. A document that is not a feed at all (an HTML page, an
empty body) is ``Skipped`` with the reason.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from extractors.article import html_to_text
from extractors.fingerprint import canonical_url
from extractors.records import FeedEntry, ParsedFeed, Skipped

# A date this far in the future is a publisher's mistake, not information.
_FUTURE_SLACK = timedelta(days=1)


def _when(struct: Any, now: datetime) -> datetime | None:
    if not struct:
        return None
    try:
        value = datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None
    return None if value > now + _FUTURE_SLACK else value


def _link(entry: Any, feed_url: str) -> str | None:
    """The entry's article URL made absolute; None unless it is http(s)."""
    raw = entry.get("link") or ""
    if not raw:
        for link in entry.get("links", []):
            if link.get("rel", "alternate") == "alternate" and link.get("href"):
                raw = link["href"]
                break
    if not raw:
        return None
    absolute = urljoin(feed_url, raw.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _content(entry: Any) -> str:
    bodies = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    return html_to_text(max(bodies, key=len)) if bodies else ""


def _entry(entry: Any, feed_url: str, now: datetime) -> FeedEntry | None:
    link = _link(entry, feed_url)
    guid = (entry.get("id") or "").strip() or (canonical_url(link) if link else "")
    title = html_to_text(entry.get("title", "")).strip()
    summary = html_to_text(entry.get("summary", ""))
    content = _content(entry)
    if not guid:
        if not (title or summary or content):
            return None
        # No id and no usable link: the text itself is the only stable identity.
        guid = "sha256:" + hashlib.sha256((title + summary + content).encode()).hexdigest()[:32]
    return FeedEntry(
        feed_url=feed_url,
        guid=guid,
        link=link,
        title=title,
        published=_when(dict.get(entry, "published_parsed"), now),
        updated=_when(dict.get(entry, "updated_parsed"), now),
        summary=summary,
        content=content,
    )


def parse_feed(body: bytes, feed_url: str, headers: dict[str, str] | None = None,
               now: datetime | None = None) -> ParsedFeed | Skipped:
    """Entries of the feed in ``body``; duplicates of a guid within one document are dropped."""
    if not body.strip():
        return Skipped("the feed is empty")
    now = now or datetime.now(UTC)
    try:
        parsed = feedparser.parse(body, response_headers=headers or {}, sanitize_html=True)
    except Exception as exc:  # feedparser can raise on pathological input despite its best efforts
        return Skipped(f"unreadable feed: {type(exc).__name__}: {exc}"[:300])
    problem = parsed.get("bozo_exception")
    if not parsed.get("version") and not parsed.entries:
        why = f": {problem}" if problem else ""
        return Skipped(f"not an RSS or Atom feed{why}"[:300])
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for raw in parsed.entries:
        entry = _entry(raw, feed_url, now)
        if entry is None or entry.guid in seen:
            continue
        seen.add(entry.guid)
        entries.append(entry)
    warning = f"malformed feed, read what could be parsed: {problem}"[:300] if parsed.get("bozo") and problem else None
    return ParsedFeed(
        version=parsed.get("version") or "",
        title=html_to_text(parsed.feed.get("title", "")),
        entries=tuple(entries),
        warning=warning,
    )


def parse_fetched_feed(job: tuple[bytes, str, dict[str, str]]) -> ParsedFeed | Skipped:
    """``parse_feed(body, url, headers)`` for one downloaded feed: the unit a cycle hands to its
    worker processes, where a pathological document gets a time limit and cannot stall the flow."""
    body, feed_url, headers = job
    return parse_feed(body, feed_url, headers)
