"""One page, from fetched bytes to a storable article with its fingerprints.

This is the unit of CPU work of a cycle: the flow runs it in worker processes, so it takes and
returns only picklable values. When the page gives nothing usable (it failed to download, it is not
HTML, trafilatura finds no article, or the text is shorter than the feed's own), the feed entry's
content or summary is used instead and the article says so (``extraction == "feed"``).
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.article import article_from_entry, extract_article
from extractors.fingerprint import content_hash, fingerprint_keys
from extractors.records import Article, FeedEntry, Skipped

HTML_TYPES = ("text/html", "application/xhtml+xml", "")


@dataclass(frozen=True)
class PageInput:
    entry: FeedEntry
    url: str  # where the page was fetched from (after redirects)
    body: bytes  # empty when the fetch failed
    content_type: str
    fetch_error: str | None


@dataclass(frozen=True)
class PageResult:
    article: Article | Skipped
    content_hash: str = ""
    band_keys: tuple[int, ...] = ()
    note: str | None = None  # why the feed's text stands in for the page's


def _from_page(page: PageInput, min_chars: int) -> tuple[Article | None, str | None]:
    if page.fetch_error:
        return None, f"page not fetched: {page.fetch_error}"
    media = page.content_type.split(";", 1)[0].strip().lower()
    if media not in HTML_TYPES:
        return None, f"not an HTML page ({media})"
    result = extract_article(page.body, page.url)
    if isinstance(result, Skipped):
        return None, result.reason
    feed_text = max(len(page.entry.content), len(page.entry.summary))
    if len(result.text) < min_chars and feed_text > len(result.text):
        return None, f"page text too short ({len(result.text)} characters)"
    return result, None


def process_page(page: PageInput, min_chars: int = 200, shingle_size: int = 5) -> PageResult:
    article, note = _from_page(page, min_chars)
    if article is None:
        fallback = article_from_entry(page.entry, note or "no text")
        if isinstance(fallback, Skipped):
            return PageResult(fallback)
        article = fallback
    if not article.title and page.entry.title:
        article = Article(**{**article.__dict__, "title": page.entry.title})
    _, keys = fingerprint_keys(article.text, shingle_size)
    return PageResult(article, content_hash(article.text), tuple(keys), note)


def process_text(article: Article, shingle_size: int = 5) -> PageResult:
    """Fingerprints for an article that needs no extraction (a seed)."""
    _, keys = fingerprint_keys(article.text, shingle_size)
    return PageResult(article, content_hash(article.text), tuple(keys))
