"""Imported once by the extraction workers' fork server (flows/workers.py): it loads trafilatura,
feedparser and the tagger and runs one short page through extraction (both passes), fingerprinting
and tagging, and one short feed through feedparser, so everything those build lazily on first use
(jusText's stop lists, readability, the lexicon's patterns) already exists in every worker forked
from it. Without this each new worker spent its first pages building them: the first batch of a
cycle took twice as long as the next."""

from __future__ import annotations

from extractors.feeds import parse_fetched_feed
from extractors.page import PageInput, process_page
from extractors.records import FeedEntry

_SAMPLE = (b"<html lang='en'><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
           b"<p>North Korea has sent about 12,000 troops to Russia, South Korea's spy agency said on"
           b" Friday. Around 2,000 of them were killed, according to the agency.</p></article></body></html>")

_FEED = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>Warm-up</title><item><title>Warm-up</title>"
         b"<link>https://warm.example/a</link><guid>warm-up</guid><description>A warm-up entry.</description>"
         b"</item></channel></rss>")


def warm() -> None:
    entry = FeedEntry("https://warm.example/rss", "warm-up", "https://warm.example/a", "Warm-up", None, None, "", "")
    process_page(PageInput(entry, "https://warm.example/a", _SAMPLE, "text/html", None))
    parse_fetched_feed((_FEED, "https://warm.example/rss", {"content-type": "application/rss+xml"}))


warm()
