"""The local news site: feeds and pages a monitor can read, HTTP semantics it must honour, faults on demand.

Everything runs against a real server on 127.0.0.1, the same one the end-to-end tests and
``nkwatch demo`` use, so what is checked here is what those tests rely on.
"""

from __future__ import annotations

import gzip
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx
import pytest
import trafilatura
from trafilatura.settings import Document

from extractors.seeds import split_date_line
from flows.localsite import DEMO_EXPECTATIONS, LocalSite, build_demo_site
from flows.localsite_content import DEMO_ARTICLES, HOSTILE_LINKS, OUTLETS, FeedItem

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# Boilerplate on every page that must never reach the extracted text: cookie banner, navigation, comments...
BOILERPLATE = ("cookies", "Accept all", "Podcasts", "Most read", "Related articles", "Reader comments",
               "I 100% agree", "12 likes", "10,000 North Korean soldiers", "Share this article", "All rights reserved")


def _site_threads(port: int) -> list[threading.Thread]:
    """The server's own thread and its request threads (named after the port)."""
    return [t for t in threading.enumerate() if t.name.startswith(f"localsite:{port}")]


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    with build_demo_site(SEEDS) as running:
        port = int(running.base_url.rsplit(":", 1)[1])
        yield running
    assert not _site_threads(port), "the site left threads running"


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as c:
        yield c


@pytest.fixture()
def scratch() -> Iterator[LocalSite]:
    """A fresh, empty site for tests that change resources or set faults."""
    with LocalSite() as running:
        yield running
    assert not _site_threads(running.port), "the site left threads running"


def _parse(client: httpx.Client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200
    return feedparser.parse(response.content, response_headers=dict(response.headers))


def test_feeds_parse_and_link_to_the_site(site: LocalSite, client: httpx.Client) -> None:
    versions = {"wire": "rss20", "herald": "atom10", "daily": "rss20"}
    for outlet, path in DEMO_EXPECTATIONS.feeds.items():
        parsed = _parse(client, site.url(path))
        assert not parsed.bozo and parsed.version == versions[outlet]
        assert parsed.entries
        for entry in parsed.entries:
            assert entry.link.startswith(f"{site.base_url}/{outlet}/2025/")
            assert entry.id and entry.published_parsed and entry.summary


def test_every_role_is_listed_in_a_feed(site: LocalSite, client: httpx.Client) -> None:
    links = {e.link for p in DEMO_EXPECTATIONS.feeds.values() for e in _parse(client, site.url(p)).entries}
    x = DEMO_EXPECTATIONS
    roles = [x.republished_seed[0], x.near_copy[0], *x.unrelated, x.known_figures, x.new_figure[0], x.feed_only]
    assert {site.url(p) for p in roles} == links
    assert len(x.unrelated) == 3


def test_feed_only_entry_has_full_text_but_its_page_is_gone(site: LocalSite, client: httpx.Client) -> None:
    path = DEMO_EXPECTATIONS.feed_only
    entries = [e for e in _parse(client, site.url("/daily/rss.xml")).entries if e.link == site.url(path)]
    assert len(entries[0].content[0].value.split()) > 150
    assert client.get(site.url(path)).status_code == 404


def test_conditional_get_answers_304_without_a_body(site: LocalSite, client: httpx.Client) -> None:
    url = site.url(DEMO_EXPECTATIONS.feeds["herald"])
    first = client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        again = client.get(url, headers=headers)
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_feed_changed_between_cycles_is_served_anew(scratch: LocalSite, client: httpx.Client) -> None:
    feed = scratch.add_feed("/news/rss.xml", "News")
    scratch.add_article("news", "one", "One", ["First story, first paragraph."], datetime(2025, 9, 1, tzinfo=UTC),
                        feed="/news/rss.xml")
    first = client.get(feed)
    scratch.add_feed_entry("/news/rss.xml", FeedItem("Two", "/news/two", published=datetime(2025, 9, 2, tzinfo=UTC)))
    for headers in ({"If-None-Match": first.headers["etag"]}, {"If-Modified-Since": first.headers["last-modified"]}):
        second = client.get(feed, headers=headers)
        assert second.status_code == 200
        assert [e.title for e in feedparser.parse(second.content).entries] == ["Two", "One"]


def test_gzip_only_when_the_client_accepts_it(site: LocalSite, client: httpx.Client) -> None:
    url = site.url(DEMO_EXPECTATIONS.known_figures)
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as zipped:
        raw = b"".join(zipped.iter_raw())
    assert zipped.headers["content-encoding"] == "gzip"
    assert len(raw) < len(plain.content) and gzip.decompress(raw) == plain.content


def test_extraction_keeps_the_article_and_drops_the_boilerplate(site: LocalSite, client: httpx.Client) -> None:
    for article in (a for a in DEMO_ARTICLES if a.page):
        html = client.get(site.url(article.path)).text
        assert all(marker in html for marker in BOILERPLATE)  # the page does carry the traps
        text = trafilatura.extract(html, include_comments=False, favor_precision=True) or ""
        shop = OUTLETS[article.outlet]
        traps = (*BOILERPLATE, *shop.most_read, *shop.related, *(comment for _, comment, _ in shop.comments))
        assert not [trap for trap in traps if trap in text], article.path
        if not article.seed:
            assert text.split("\n") == list(article.paragraphs)


def test_page_metadata(site: LocalSite, client: httpx.Client) -> None:
    path = DEMO_EXPECTATIONS.new_figure[0]
    html = client.get(site.url(path)).text
    assert '<html lang="en">' in html and f'<link rel="canonical" href="{site.url(path)}">' in html
    meta = trafilatura.bare_extraction(html, url=site.url(path), with_metadata=True)
    assert isinstance(meta, Document)
    assert meta.sitename == "Asia Pacific Newswire" and meta.author == "Wire staff"
    assert meta.date == "2025-09-04" and "2,000" in (meta.title or "")


def test_seed_roles_reuse_the_seed_text(site: LocalSite, client: httpx.Client) -> None:
    def body(path: str) -> list[str]:
        html = client.get(site.url(path)).text
        return (trafilatura.extract(html, include_comments=False, favor_precision=True) or "").split("\n")

    def seed(name: str) -> list[str]:
        return [line.strip() for line in split_date_line((SEEDS / name).read_text())[1].splitlines() if line.strip()]

    path, name = DEMO_EXPECTATIONS.republished_seed
    assert body(path) == seed(name) and not body(path)[0].startswith("date")
    path, name = DEMO_EXPECTATIONS.near_copy
    changed = [(a, b) for a, b in zip(body(path), seed(name), strict=True) if a != b]
    assert len(changed) == 1 and len(changed[0][0]) > len(changed[0][1])


def test_the_new_figure_comes_after_the_seeds() -> None:
    path, notes = DEMO_EXPECTATIONS.new_figure
    article = next(a for a in DEMO_ARTICLES if a.path == path)
    assert article.published > datetime(2025, 8, 22, 23, 59, tzinfo=UTC)
    assert notes["figure"] in " ".join(article.paragraphs)


def test_status_and_unknown_faults(scratch: LocalSite, client: httpx.Client) -> None:
    url = scratch.add_page("/p", "<p>fine</p>")
    scratch.set_fault("/p", "status", code=503)
    assert client.get(url).status_code == 503
    scratch.set_fault("/p", "retry_after", seconds=30)
    assert client.get(url).headers["retry-after"] == "30"
    scratch.clear_fault("/p")
    assert client.get(url).text == "<p>fine</p>"
    with pytest.raises(ValueError, match="unknown fault mode"):
        scratch.set_fault("/p", "teapot")
    with pytest.raises(ValueError, match="not \\['cod'\\]"):
        scratch.set_fault("/p", "status", cod=500)


def test_redirect_loop_and_chain(scratch: LocalSite, client: httpx.Client) -> None:
    url = scratch.add_page("/a", "<p>a</p>")
    scratch.set_fault("/a", "redirect_loop", via="/b")
    assert client.get(url).headers["location"] == "/b"
    assert client.get(scratch.url("/b")).headers["location"] == "/a"
    with pytest.raises(httpx.TooManyRedirects):
        client.get(url, follow_redirects=True)
    scratch.clear_fault("/b")  # either end clears the loop
    assert client.get(url).status_code == 200
    scratch.set_fault("/a", "redirect_chain", hops=3)
    final = client.get(url, follow_redirects=True)
    assert final.text == "<p>a</p>" and len(final.history) == 3


def test_oversize_without_content_length(scratch: LocalSite, client: httpx.Client) -> None:
    scratch.set_fault("/big", "oversize", size=3_000_000, content_length=False)
    with client.stream("GET", scratch.url("/big")) as response:
        assert "content-length" not in response.headers
        assert sum(len(chunk) for chunk in response.iter_raw()) == 3_000_000


def test_trickle_stops_within_its_bound(scratch: LocalSite, client: httpx.Client) -> None:
    scratch.set_fault("/slow", "trickle", interval=0.05, max_duration=0.5)
    started = time.monotonic()
    with client.stream("GET", scratch.url("/slow")) as response:
        received = b"".join(response.iter_raw())
    assert 0.4 < time.monotonic() - started < 2.0
    assert 3 <= len(received) <= 12


def test_other_faults_answer_as_described(scratch: LocalSite, client: httpx.Client) -> None:
    scratch.set_fault("/meta", "redirect_to", location="http://169.254.169.254/latest/meta-data/")
    assert client.get(scratch.url("/meta")).headers["location"].startswith("http://169.254.169.254/")
    scratch.set_fault("/bomb", "gzip_bomb", inflated_size=20_000_000)
    bomb = client.get(scratch.url("/bomb"), headers={"Accept-Encoding": "gzip"})
    assert len(bomb.content) == 20_000_000 and int(bomb.headers["content-length"]) < 30_000
    scratch.set_fault("/ru", "wrong_charset", encoding="cp1251")
    with pytest.raises(UnicodeDecodeError):
        client.get(scratch.url("/ru")).content.decode("utf-8")
    scratch.set_fault("/pdf", "content_type", content_type="application/pdf")
    assert client.get(scratch.url("/pdf")).content.startswith(b"%PDF")
    scratch.set_fault("/empty", "empty")
    assert client.get(scratch.url("/empty")).content == b""
    scratch.set_fault("/gone", "close")
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(scratch.url("/gone"))


def test_hostile_feeds(scratch: LocalSite, client: httpx.Client) -> None:
    urls = scratch.add_hostile_feeds()
    malformed = _parse(client, urls["malformed"])
    assert malformed.bozo and [e.id for e in malformed.entries] == ["broken-1", "broken-2"]
    assert len(_parse(client, urls["hostile_links"]).entries) == len(HOSTILE_LINKS)
    quirky = _parse(client, urls["quirky"]).entries
    assert [e.get("id") for e in quirky].count("dup-guid") == 2 and sum("link" not in e for e in quirky) == 2
    for name in ("billion_laughs", "xxe"):
        assert b"<!ENTITY" in client.get(urls[name]).content


def test_stop_ends_a_trickle_in_progress_and_leaves_no_thread(client: httpx.Client) -> None:
    site = LocalSite().start()
    port = int(site.base_url.rsplit(":", 1)[1])
    site.set_fault("/slow", "trickle", interval=0.2, max_duration=50)
    with client.stream("GET", site.url("/slow")) as response:
        assert response.status_code == 200
        started = time.monotonic()
        site.stop()
        assert time.monotonic() - started < 2.0
    assert not _site_threads(port)


def test_a_restarted_site_keeps_its_port(client: httpx.Client) -> None:
    site = LocalSite()
    url = site.start().add_page("/up", "up")
    site.stop()
    with pytest.raises(httpx.ConnectError):
        client.get(url)
    with site:
        assert client.get(url).text == "up"


def test_request_log(scratch: LocalSite, client: httpx.Client) -> None:
    scratch.add_page("/x", "x")
    client.get(scratch.url("/x"), headers={"X-Probe": "1"})
    client.get(scratch.url("/x?utm=1"))
    assert scratch.count("/x") == 2 and scratch.requests[0][2]["x-probe"] == "1"
    scratch.reset_log()
    assert scratch.count("/x") == 0


def test_main_serves_the_demo_until_interrupted() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "flows.localsite", "--seeds", str(SEEDS), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        feed = lines[1].strip()
        assert feed.endswith("/wire/rss.xml")
        assert httpx.get(feed, timeout=5).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
