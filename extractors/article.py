"""A page's readable article: main text and metadata, with trafilatura.

``extract_article`` takes the HTML a fetcher already downloaded; it never touches the network.
Settings chosen by measurement on ../shared/benchmarks/article-extraction (see README):
``include_comments=False`` keeps reader comments ("I 100% agree") away from the figure tagger and
``favor_precision=True`` drops related-links and "most read" boxes.

trafilatura 2.3.1 leaves ``language`` empty, so it is read from the page's ``lang`` attribute or,
failing that, guessed from the text's script and stop words.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import trafilatura
import trafilatura.utils
from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import load_html

from extractors import prune_rules
from extractors.metadata import PageMeta, declared_metadata
from extractors.records import Article, FeedEntry, Skipped

_LANG_ATTR = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "that", "is", "was", "for", "with"},
    "de": {"der", "die", "und", "das", "nicht", "mit", "ist", "den", "von", "zu"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "dans", "que", "pour"},
    "es": {"el", "la", "los", "las", "y", "que", "del", "en", "una", "por"},
}


def guess_language(text: str, html_bytes: bytes | None = None) -> str | None:
    """An ISO 639-1 code from the page's ``lang`` attribute, else from the text; None when unsure."""
    if html_bytes:
        match = _LANG_ATTR.search(html_bytes[:4096])
        if match:
            return match.group(1).decode("ascii").lower()[:2]
    sample = text[:4000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    hangul = sum("\uac00" <= c <= "\ud7a3" for c in letters)
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters)
    if hangul / len(letters) > 0.3:
        return "ko"
    if cyrillic / len(letters) > 0.3:
        return "uk" if any(c in "іїєґ" for c in sample.lower()) else "ru"
    tokens = re.findall(r"[a-zà-ÿ]+", sample.lower())
    scores = {lang: sum(t in words for t in tokens) for lang, words in _STOPWORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 3 else None


def _as_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# trafilatura's fallback pass (readability and jusText, compared with its own result) costs about
# 40% of an extraction and changes the text only when the main pass comes back nearly empty:
# measured on the 181 benchmark pages, it changed 6 pages, each one where the main pass had found
# under 500 characters. So the main pass runs alone (``fast=True``) and the fallback pass runs only
# when it finds less than this; with 1,000 characters the text is the same as always running it
# (F1 0.9641 either way) at 84 instead of 62 pages/s per core.
FALLBACK_BELOW_CHARS = 1000


# lxml.html gives each element its Python class through a lookup written in Python, called every
# time trafilatura touches an element (about 1,800 calls a page); it only picks form classes that
# trafilatura never uses. The same classes from lxml's C-level default lookup: identical text on
# the 181 benchmark pages, 15% less extraction time (21.8 → 18.4 ms a page).
trafilatura.utils.HTML_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity))


# trafilatura's regular-expression pruning searches, answered in Python (same elements, about
# three times faster; see extractors/prune_rules.py).
prune_rules.install()


class InvalidXmlChars:
    """trafilatura's ``INVALID_XML_CHARS`` with a quicker answer for a text holding none of them.

    Its load_html deletes the characters XML cannot hold (C0 controls but tab, newline and return;
    U+FFFE, U+FFFF) with this pattern's ``sub`` over the whole decoded page: about 1 ms of a page's
    12 ms of extraction, for characters none of the 181 benchmark pages holds. Looking for each of
    the 31 characters with ``in`` takes 0.3 ms, and only a text that holds one goes to the pattern,
    so the result is the pattern's own."""

    SOURCE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"  # the pattern this answers for
    CHARACTERS = tuple(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF))

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.original = pattern

    def sub(self, repl: str, string: str, count: int = 0) -> str:
        if not any(c in string for c in self.CHARACTERS):
            return string
        return self.original.sub(repl, string, count)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]  (search, pattern, ...: the pattern's own)
        return getattr(self.original, name)


# Swapped in only while trafilatura's pattern is the one above (a changed one keeps its own).
if getattr(trafilatura.utils.INVALID_XML_CHARS, "pattern", None) == InvalidXmlChars.SOURCE:
    trafilatura.utils.INVALID_XML_CHARS = InvalidXmlChars(trafilatura.utils.INVALID_XML_CHARS)


# Elements trafilatura deletes anyway (its tree_cleaning) but only after running its raw-tree
# XPath searches, whose regular expressions are called back for every element: an icon's <svg>
# alone can hold hundreds. Dropped first, text after them kept; JSON-LD stays (trafilatura reads
# it). Measured: identical text on the 181 benchmark pages, about 1 ms a page less. <noscript>
# stays: the fallback pass (readability, jusText) reads it, and without it one page of the 181
# came out different.
_INERT = ("script", "style", "svg")


def _drop_inert(tree: lxml_html.HtmlElement) -> None:
    for element in list(tree.iter(*_INERT)):
        if element.tag == "script" and "ld+json" in (element.get("type") or ""):
            continue
        if element.getparent() is not None:
            element.drop_tree()


def _extract_text(source: bytes | lxml_html.HtmlElement, url: str, fast: bool):  # type: ignore[no-untyped-def]
    return trafilatura.bare_extraction(source, url=url, include_comments=False, favor_precision=True, fast=fast)


def extract_article(html: bytes | str, url: str, full_metadata: bool = True) -> Article | Skipped:
    """The article in ``html`` (fetched from ``url``), or Skipped with the reason. Without
    ``full_metadata`` only the metadata the page declares is read (extractors/metadata.py)."""
    raw = html.encode("utf-8") if isinstance(html, str) else html
    if not raw.strip():
        return Skipped("empty page")
    try:
        # One parse serves the declared metadata and both passes (trafilatura copies the tree it
        # is given before cleaning it). The fallback pass on this tree instead of the bytes: the
        # same text on the 21 benchmark pages that need it, 17 against 33 ms each (no second
        # parse, and no <script> or <svg> for readability and jusText to wade through).
        tree = load_html(raw)
        if tree is None:
            return Skipped("no article text found in the page")
        meta = trafilatura.extract_metadata(tree, url) if full_metadata else declared_metadata(tree)
        _drop_inert(tree)
        doc = _extract_text(tree, url, fast=True)
        if doc is None or len(doc.text or "") < FALLBACK_BELOW_CHARS:
            doc = _extract_text(tree, url, fast=False) or doc
    except Exception as exc:  # trafilatura raises assorted lxml/ValueError types on hostile markup
        return Skipped(f"extraction failed: {type(exc).__name__}: {exc}"[:300])
    text = (doc.text or "").strip() if doc is not None else ""
    if not text:
        return Skipped("no article text found in the page")
    if isinstance(meta, PageMeta):
        return Article(url=url, title=meta.title, text=text, published=meta.published, author=meta.author,
                       sitename=meta.sitename or urlsplit(url).hostname, language=guess_language(text, raw),
                       extraction="page")
    return Article(
        url=url,
        title=(meta.title or "").strip(),
        text=text,
        published=_as_date(meta.date),
        author=meta.author or None,
        sitename=meta.sitename or None,
        language=guess_language(text, raw),
        extraction="page",
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed's summary or content), one paragraph per line."""
    if not fragment or "<" not in fragment:
        return (fragment or "").strip()
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote"):
        block.tail = "\n" + (block.tail or "")
    text = root.text_content()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def article_from_entry(entry: FeedEntry, reason: str) -> Article | Skipped:
    """The feed's own text for an entry whose page gave nothing usable; ``reason`` says why."""
    text = entry.content if len(entry.content) >= len(entry.summary) else entry.summary
    if not text.strip():
        return Skipped(f"{reason}; the feed entry has no text either")
    return Article(
        url=entry.link or entry.guid,
        title=entry.title,
        text=text.strip(),
        published=entry.published.date() if entry.published else None,
        language=guess_language(text),
        extraction="feed",
    )
