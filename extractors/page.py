"""One page, from fetched bytes to a storable article with its fingerprints.

This is the unit of CPU work of a cycle: the flow runs it in worker processes, so it takes and
returns only picklable values. When the page gives nothing usable (it failed to download, it is not
HTML, trafilatura finds no article, or the text is shorter than the feed's own), the feed entry's
content or summary is used instead and the article says so (``extraction == "feed"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractors.article import article_from_entry, extract_article
from extractors.fingerprint import fingerprints
from extractors.figures import tag
from extractors.lexicon import load_lexicon
from extractors.records import Article, FeedEntry, Skipped, Tagging

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
    tagging: Tagging | None = None  # relevance, figures and events (used only if the article is no duplicate)


def _from_page(page: PageInput, min_chars: int) -> tuple[Article | None, str | None]:
    if page.fetch_error:
        return None, f"page not fetched: {page.fetch_error}"
    media = page.content_type.split(";", 1)[0].strip().lower()
    if media not in HTML_TYPES:
        return None, f"not an HTML page ({media})"
    result = extract_article(page.body, page.url, full_metadata=False)  # the feed gives title and date
    if isinstance(result, Skipped):
        return None, result.reason
    feed_text = max(len(page.entry.content), len(page.entry.summary))
    if len(result.text) < min_chars and feed_text > len(result.text):
        return None, f"page text too short ({len(result.text)} characters)"
    return result, None


def _finish(article: Article, shingle_size: int, lexicon: Path | None, note: str | None = None) -> PageResult:
    """Fingerprints and tags. Tagging here, in the worker, keeps the CPU work on all cores; the
    store throws the tags away when the article turns out to be a duplicate."""
    text_hash, keys = fingerprints(article.text, shingle_size)
    tagging = tag(article.text, article.published, load_lexicon(lexicon))
    return PageResult(article, text_hash, tuple(keys), note, tagging)


def process_page(page: PageInput, min_chars: int = 200, shingle_size: int = 5,
                 lexicon: Path | None = None) -> PageResult:
    article, note = _from_page(page, min_chars)
    if article is None:
        fallback = article_from_entry(page.entry, note or "no text")
        if isinstance(fallback, Skipped):
            return PageResult(fallback)
        article = fallback
    updates = {}
    if not article.title and page.entry.title:
        updates["title"] = page.entry.title
    if page.entry.published and article.published is None:
        updates["published"] = page.entry.published.date()
    if updates:
        article = Article(**{**article.__dict__, **updates})
    return _finish(article, shingle_size, lexicon, note)


def process_text(article: Article, shingle_size: int = 5, lexicon: Path | None = None) -> PageResult:
    """Fingerprints and tags for an article that needs no extraction (a seed)."""
    return _finish(article, shingle_size, lexicon)
