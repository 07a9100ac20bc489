"""The records that flow through the pipeline.

Every stage takes and returns these frozen dataclasses, so a stage can be tested with plain
values and no network, database or Prefect. Dates are ``datetime.date`` (day precision is all
the analysis needs); instants are timezone-aware UTC ``datetime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class FeedEntry:
    """One item of an RSS/Atom feed, as the feed describes it."""

    feed_url: str
    guid: str  # the entry's id, else its normalised link: the key of the entry within its feed
    link: str | None
    title: str
    published: datetime | None  # UTC
    updated: datetime | None  # UTC
    summary: str  # plain text, HTML removed
    content: str  # plain text of the longest content:encoded / atom content, HTML removed


@dataclass(frozen=True)
class ParsedFeed:
    """What could be read from a feed document."""

    version: str  # feedparser's name for the format ("rss20", "atom10"...), "" when it is not a feed
    title: str
    entries: tuple[FeedEntry, ...]
    warning: str | None = None  # set when the XML was malformed but entries could still be read


@dataclass(frozen=True)
class Article:
    """The readable part of a page (or of a feed entry when the page gave nothing usable)."""

    url: str
    title: str
    text: str
    published: date | None = None
    author: str | None = None
    sitename: str | None = None
    language: str | None = None
    extraction: str = "page"  # "page": extracted from the HTML; "feed": the feed's own content/summary; "seed"


@dataclass(frozen=True)
class Skipped:
    """Nothing usable came out of a stage; ``reason`` says why in words a user can act on."""

    reason: str


@dataclass(frozen=True)
class Figure:
    """One numeric claim about North Korea's part in Russia's war.

    ``low``/``high`` hold the number as written (a single number gives low == high). ``start``/``end``
    are character offsets of ``quote`` in the text that was tagged.
    """

    category: str  # see extractors/lexicon.yaml: troops_deployed, killed, wounded, casualties, ...
    low: float
    high: float
    approximate: bool
    qualifier: str  # "about", "up to", "more than", "another", ... or ""
    stance: str  # "fact" | "planned" | "denied"
    attribution: str  # who claims it (canonical claimant name), "" when the text names nobody
    as_of: date | None  # the date the figure refers to, else the article's date
    quote: str  # the sentence that states it
    start: int
    end: int


@dataclass(frozen=True)
class Event:
    """Something that happened (or was announced) in the deployment's story."""

    type: str  # deployment, reinforcement, casualties_acknowledged, ceremony_award, ...
    date: date | None  # when the text states it
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Tagging:
    """The tagger's verdict on one text."""

    relevant: bool
    score: float  # 0..1
    evidence: tuple[str, ...] = ()  # the terms that made it relevant (or not)
    figures: tuple[Figure, ...] = field(default_factory=tuple)
    events: tuple[Event, ...] = field(default_factory=tuple)


_VAGUE = ("thousands", "hundreds", "dozens", "dozen", "handful", "several")


def value_text(low: float, high: float, category: str, qualifier: str = "") -> str:
    """How a figure's value is written for people: 'about 12,000', '25,000–30,000', 'up to 40%';
    a vague quantity ('thousands') in its own words rather than as its nominal range."""
    if low != high and any(word in qualifier for word in _VAGUE):
        return qualifier

    def num(x: float) -> str:
        return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"

    text = num(low) if low == high else f"{num(low)}–{num(high)}"
    if category == "ammo_share_percent":
        text += "%"
    return f"{qualifier} {text}" if qualifier else text
