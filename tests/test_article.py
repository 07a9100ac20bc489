from extractors.article import extract_article, guess_language, html_to_text
from extractors.page import PageInput, process_page
from extractors.records import Article, FeedEntry, Skipped

BODY = " ".join(["North Korea sent troops to the Kursk region, officials in Seoul said on Friday."] * 8)
PAGE = f"""<html lang="en"><head><title>Kim honours troops | Daily</title>
<meta property="og:site_name" content="The Daily"><meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2025-08-22T09:00:00Z"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie">We use cookies. Accept all?</div>
<article><h1>Kim honours troops</h1><p>{BODY}</p><p>{BODY}</p></article>
<section class="comments"><h3>Comments</h3><div class="comment"><p>I 100% agree with this article.</p></div></section>
<footer>Copyright 2025</footer></body></html>"""


def test_extracts_main_text_and_metadata_without_comments():
    art = extract_article(PAGE, "https://daily.example/a/1")
    assert isinstance(art, Article)
    assert "Kursk region" in art.text and "100% agree" not in art.text and "cookies" not in art.text
    assert art.title == "Kim honours troops" and art.author == "Jane Roe" and art.sitename == "The Daily"
    assert art.published is not None and art.published.isoformat() == "2025-08-22"
    assert art.language == "en"


def test_nothing_usable_is_a_reason():
    assert isinstance(extract_article(b"", "https://x.example/"), Skipped)
    assert isinstance(extract_article("<html><body><div></div></body></html>", "https://x.example/"), Skipped)


def test_language_from_text_when_the_page_does_not_say():
    assert guess_language("The troops were sent to the front and the ceremony was held in the capital.") == "en"
    assert guess_language("Північна Корея відправила війська") == "uk"
    assert guess_language("북한은 러시아에 군대를 파견했다") == "ko"


def test_html_fragment_to_text():
    assert html_to_text("<p>One <b>two</b></p><p>Three</p>") == "One two\nThree"


ENTRY = FeedEntry("https://d.example/rss", "g", "https://d.example/a", "Feed title", None, None,
                  "short summary", "The feed carries the full story. " * 20)


def test_page_that_cannot_be_fetched_falls_back_to_the_feed_text():
    result = process_page(PageInput(ENTRY, ENTRY.link, b"", "", "HTTP 404 Not Found"))
    assert isinstance(result.article, Article) and result.article.extraction == "feed"
    assert result.note == "page not fetched: HTTP 404 Not Found" and len(result.band_keys) == 32


def test_non_html_page_falls_back_and_says_why():
    result = process_page(PageInput(ENTRY, ENTRY.link, b"%PDF-1.4", "application/pdf", None))
    assert result.article.extraction == "feed" and result.note == "not an HTML page (application/pdf)"


def test_page_text_is_used_when_it_is_good():
    result = process_page(PageInput(ENTRY, ENTRY.link, PAGE.encode(), "text/html; charset=utf-8", None))
    assert isinstance(result.article, Article) and result.article.extraction == "page" and result.note is None


def test_declared_metadata_is_read_without_the_full_pass():
    from extractors.metadata import declared_metadata

    page = ('<html><head><title>Kim honours troops | The Daily</title>'
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "LD headline",'
            ' "datePublished": "2025-08-22T09:00:00Z", "author": [{"name": "Jane Roe"}]}</script>'
            '</head><body><h1>H1 title</h1><p>x</p></body></html>').encode()
    meta = declared_metadata(page)
    assert (meta.title, meta.author, meta.published.isoformat()) == ("LD headline", "Jane Roe", "2025-08-22")
    assert declared_metadata(PAGE.encode()).sitename == "The Daily"
    fast = extract_article(PAGE, "https://daily.example/a/1", full_metadata=False)
    full = extract_article(PAGE, "https://daily.example/a/1")
    assert isinstance(fast, Article) and fast.text == full.text  # same body; only metadata is read differently
    assert (fast.title, fast.author, fast.published) == (full.title, full.author, full.published)


def test_fallback_pass_runs_only_when_the_main_pass_finds_little(monkeypatch):
    import extractors.article as article

    calls: list[bool] = []
    sources: list[object] = []
    real = article._extract_text

    def spy(source, url, fast):  # type: ignore[no-untyped-def]
        calls.append(fast)
        sources.append(source)
        return real(source, url, fast)

    monkeypatch.setattr(article, "_extract_text", spy)
    paragraphs = "".join(f"<p>Paragraph {i}: officials in Seoul said on Friday that {i * 100} more soldiers had"
                         f" been sent to the Kursk region in the week to {i} August.</p>" for i in range(1, 15))
    long_page = extract_article(PAGE.replace(f"<p>{BODY}</p><p>{BODY}</p>", paragraphs), "https://daily.example/a/1",
                                full_metadata=False)
    assert isinstance(long_page, Article) and len(long_page.text) >= article.FALLBACK_BELOW_CHARS
    assert calls == [True]  # the main pass alone
    calls.clear()
    short = PAGE.replace(f"<p>{BODY}</p><p>{BODY}</p>", "<p>North Korea sent troops, officials in Seoul said.</p>"
                         "<script>var x = 1;</script><noscript><p>Enable JavaScript.</p></noscript>")
    sources.clear()
    extract_article(short, "https://daily.example/a/2", full_metadata=False)
    assert calls == [True, False]  # too little text: the fallback pass runs too
    # on the page parsed once, not its bytes parsed again: scripts gone, <noscript> kept for it
    assert sources[1] is sources[0] and not isinstance(sources[1], bytes)
    assert not sources[1].findall(".//script") and sources[1].findall(".//noscript")


def test_the_quick_invalid_character_check_answers_as_trafilaturas_pattern():
    import re

    import trafilatura.utils
    from lxml import etree

    from extractors.article import InvalidXmlChars

    quick = trafilatura.utils.INVALID_XML_CHARS
    assert isinstance(quick, InvalidXmlChars)  # installed: trafilatura's pattern is the one it answers for
    pattern = re.compile(InvalidXmlChars.SOURCE)
    assert [c for c in map(chr, range(0x110000)) if pattern.match(c)] == list(InvalidXmlChars.CHARACTERS)
    texts = ["plain text", "tab\tnew\nline\rreturn", "ünïcödé 한국어 😀", "\ud800 lone surrogate", ""]
    texts += [f"a{c}b{c}" for c in InvalidXmlChars.CHARACTERS]
    for text in texts:
        assert quick.sub("", text) == pattern.sub("", text)
        assert quick.sub("?", text, 1) == pattern.sub("?", text, 1)
    page = "<html><body><article><p>North\x00 Korea\x0b sent\ufffe troops.\x1f</p></article></body></html>"
    tree = trafilatura.utils.load_html(page.encode())
    assert etree.tostring(tree) == b"<html><body><article><p>North Korea sent troops.</p></article></body></html>"
