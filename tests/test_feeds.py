from datetime import UTC, datetime

from extractors.feeds import parse_feed
from extractors.records import ParsedFeed, Skipped

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title>
<item><title>Kim honours troops</title><link>/news/1?utm_source=rss</link><guid>g-1</guid>
<pubDate>Fri, 22 Aug 2025 10:00:00 +0900</pubDate><description>&lt;p&gt;Short &lt;b&gt;summary&lt;/b&gt;&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>First paragraph.</p><p>Second paragraph.</p>]]></content:encoded></item>
<item><title>Same guid again</title><link>/news/1b</link><guid>g-1</guid></item>
<item><title>No guid</title><link>https://other.example/story#top</link></item>
<item><title>Bad link</title><link>javascript:alert(1)</link><guid>g-3</guid><pubDate>not a date</pubDate></item>
<item><title>From the future</title><link>/news/4</link><guid>g-4</guid><pubDate>Mon, 01 Jan 2103 00:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Herald</title>
<id>urn:h</id><updated>2025-09-01T00:00:00Z</updated>
<entry><id>urn:h:1</id><title>Atom story</title><link rel="alternate" href="https://herald.example/a/1"/>
<updated>2025-09-01T08:00:00Z</updated><summary>Sum</summary></entry></feed>"""


def test_rss_entries_are_read_with_absolute_links_and_utc_dates():
    feed = parse_feed(RSS, "https://wire.example/rss.xml")
    assert isinstance(feed, ParsedFeed) and feed.version == "rss20" and feed.title == "Wire"
    first = feed.entries[0]
    assert first.guid == "g-1" and first.link == "https://wire.example/news/1?utm_source=rss"
    assert first.published == datetime(2025, 8, 22, 1, 0, tzinfo=UTC)
    assert first.summary == "Short summary" and first.content == "First paragraph.\nSecond paragraph."


def test_duplicate_guids_missing_guids_bad_links_and_odd_dates():
    feed = parse_feed(RSS, "https://wire.example/rss.xml")
    assert isinstance(feed, ParsedFeed)
    guids = [e.guid for e in feed.entries]
    assert guids.count("g-1") == 1
    assert "https://other.example/story" in guids  # no guid: keyed on the canonical link
    bad = next(e for e in feed.entries if e.guid == "g-3")
    assert bad.link is None and bad.published is None
    future = next(e for e in feed.entries if e.guid == "g-4")
    assert future.published is None


def test_atom():
    feed = parse_feed(ATOM, "https://herald.example/atom.xml")
    assert isinstance(feed, ParsedFeed) and feed.version == "atom10"
    assert feed.entries[0].link == "https://herald.example/a/1" and feed.entries[0].summary == "Sum"


def test_malformed_feed_gives_entries_and_a_warning():
    broken = RSS.replace(b"</channel></rss>", b"<item><title>unclosed</item>")
    feed = parse_feed(broken, "https://wire.example/rss.xml")
    assert isinstance(feed, ParsedFeed) and len(feed.entries) >= 4
    assert feed.warning and "malformed" in feed.warning


def test_html_page_and_empty_body_are_not_feeds():
    page = parse_feed(b"<html><body><p>Hello</p></body></html>", "https://x.example/")
    assert isinstance(page, Skipped) and "not an RSS or Atom feed" in page.reason
    assert isinstance(parse_feed(b"  ", "https://x.example/"), Skipped)


def test_a_cycle_parses_feeds_in_its_workers_where_a_slow_one_is_given_up(tmp_path, site):
    """feedparser has no time limit; in the workers a feed gets the extraction limit. 6,000 entries
    (2 MB) take feedparser about 2 s, against a limit of 0.5 s; the other feeds read as in-process."""
    from flows.config import load_settings
    from flows.cycle import poll_feeds
    from flows.localsite_content import FeedItem
    from flows.workers import WorkerPool
    from tests.conftest import demo_config

    site.add_feed("/huge.xml", "Huge", entries=[
        FeedItem(f"Story {i} about the markets", f"/wire/story-{i}", summary="Markets rose on Tuesday. " * 10)
        for i in range(6000)])
    config = demo_config(tmp_path, site, extraction={"timeout_seconds": 0.5})
    settings = load_settings(config)
    settings = settings.model_copy(update={"feeds": [*settings.feeds, settings.feeds[0].model_copy(
        update={"name": "huge", "url": site.url("/huge.xml")})]})
    in_process = {p.feed.name: p for p in poll_feeds(settings, {})}
    assert in_process["huge"].check.outcome == "ok" and len(in_process["huge"].entries) == 6000
    with WorkerPool(2) as pool:
        pool.start()
        in_workers = {p.feed.name: p for p in poll_feeds(settings, {}, pool)}
    huge = in_workers.pop("huge")
    assert huge.check.outcome == "failed" and huge.entries == ()
    assert huge.check.error == "feed not read: feed parsing took longer than 0.5 s"
    assert len(in_workers) >= 2
    for name, poll in in_workers.items():
        assert poll.check.outcome == "ok" and poll.entries, name
        assert poll.entries == in_process[name].entries and poll.check == in_process[name].check
