"""What the local news site serves: page and feed templates, hostile feeds, and the demo corpus.

Kept apart from the server (``flows/localsite.py``) so the prose and markup can be read and edited
without wading through socket code. Everything here is pure: values in, ``str``/``bytes`` out.

The article template deliberately carries the boilerplate that trips up a figure tagger on real
news sites: a cookie banner, a long navigation bar, a "Most read" box and reader comments, all full
of numbers ("9,000 North Korean troops", "I 100% agree", "12 likes"). An extractor that lets any of
it through produces false figures, which is exactly what the tests look for.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime


@dataclass(frozen=True)
class Outlet:
    """A news brand on the local site: its name and the boilerplate around every article."""

    key: str  # first path segment: /{key}/...
    name: str
    tagline: str
    sections: tuple[str, ...]  # the top navigation bar
    most_read: tuple[str, ...]  # five headlines, each with a number
    related: tuple[str, ...]  # "Related articles" headlines
    comments: tuple[tuple[str, str, str], ...]  # (reader, comment, likes)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed as the site renders it.

    ``link`` may be a site path ("/wire/...": made absolute at render time), any other URL (written
    as is, hostile ones included) or None (no link element at all). ``published`` may be a string,
    written verbatim, so a feed can carry unparseable dates.
    """

    title: str
    link: str | None
    guid: str | None = None  # None: the absolute link (RSS, isPermaLink) or a tag: URI (Atom)
    published: datetime | str | None = None
    summary: str = ""  # plain text
    content_html: str | None = None  # RSS content:encoded / Atom content
    author: str | None = None


_SECTIONS = ("World", "Asia", "Korea", "Politics", "Business", "Markets", "Technology", "Culture",
             "Sport", "Opinion", "Video", "Podcasts")
_COMMENTS = (
    ("minjun_k", "I 100% agree with this analysis. Finally someone says it plainly.", "12 likes"),
    ("EastWatcher", "Pretty sure at least 10,000 North Korean soldiers have died there by now, "
                    "whatever the official numbers say.", "7 likes"),
    ("reader_in_busan", "Third story on this in 2 days. 45 minutes of my life I won't get back.", "3 likes"),
)

OUTLETS: dict[str, Outlet] = {
    "wire": Outlet(
        "wire", "Asia Pacific Newswire", "Independent news from across the region", _SECTIONS,
        ("Won slides past 1,400 per dollar for the first time in 5 months",
         "7 takeaways from the Busan trade talks",
         "Kyiv says 9,000 North Korean troops are massing near Zaporizhzhia",
         "Typhoon leaves 23,000 homes without power on Jeju",
         "Chipmaker to invest $310 billion over 5 years"),
        ("Inside the 2024 treaty that bound Moscow and Pyongyang",
         "Satellite images show 3 new barracks near Wonsan",
         "Explainer: what North Korea gets in return for shells"),
        _COMMENTS,
    ),
    "herald": Outlet(
        "herald", "The Northern Herald", "Reporting the peninsula since 1998", _SECTIONS,
        ("Defector claims 30,000 more soldiers are training for Russia",
         "Seoul apartment prices up 4.2% in a year",
         "10 best hiking trails within 2 hours of the capital",
         "Exports hit a record $62 billion in July",
         "Poll: 58% back a four-day week"),
        ("Kim's 3 visits to the Russian embassy this year",
         "How Ukraine captured 2 North Korean soldiers",
         "Analysis: the war economy behind 12 million shells"),
        _COMMENTS,
    ),
    "daily": Outlet(
        "daily", "Seoul Daily Ledger", "Your morning briefing, every day", _SECTIONS,
        ("Subway fares rise by 150 won from October",
         "Report: 1 in 4 recruits sent to Russia never returned",
         "KOSPI closes above 3,200 for the first time",
         "5 things to know before the Chuseok holiday",
         "Heatwave: 38.2C recorded in Daegu"),
        ("The families waiting for 120 days of silence to end",
         "Photos: 24 hours along the border",
         "Kursk, one year on: 5 maps that explain the fighting"),
        _COMMENTS,
    ),
}


def outlet_for(key: str) -> Outlet:
    """A known outlet, or a plain one named after ``key`` so ad hoc tests need no set-up."""
    if key in OUTLETS:
        return OUTLETS[key]
    return Outlet(key, key.replace("-", " ").title() + " News", "Local test outlet", _SECTIONS,
                  OUTLETS["wire"].most_read, OUTLETS["wire"].related, _COMMENTS)


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive values are taken to be UTC already)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _slugify(text: str) -> str:
    words = "".join(c.lower() if c.isalnum() else " " for c in text).split()
    return "-".join(words[:8])


def render_article_page(outlet: Outlet, *, url: str, title: str, paragraphs: Sequence[str],
                        published: datetime, author: str | None, feed_url: str | None = None) -> str:
    """A complete article page, boilerplate and all, as a real news site would serve it."""
    e = html.escape
    when = utc(published)
    iso = when.isoformat()
    standfirst = paragraphs[0] if paragraphs else title
    root = f"/{outlet.key}/"
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "datePublished": iso,
          "mainEntityOfPage": url, "publisher": {"@type": "Organization", "name": outlet.name}}
    if author:
        ld["author"] = {"@type": "Person", "name": author}
    nav = "\n".join(f'      <li><a href="{root}{_slugify(s)}/">{e(s)}</a></li>' for s in outlet.sections)
    most_read = "\n".join(f'        <li><a href="{root}{_slugify(h)}">{e(h)}</a></li>' for h in outlet.most_read)
    related = "\n".join(f'      <li><a href="{root}{_slugify(h)}">{e(h)}</a></li>' for h in outlet.related)
    body = "\n".join(f"        <p>{e(p)}</p>" for p in paragraphs)
    comments = "\n".join(
        f'      <div class="comment"><p class="comment-author">{e(who)} <span class="comment-date">'
        f'{n + 1} hours ago</span></p>\n        <p class="comment-text">{e(text)}</p>\n'
        f'        <p class="comment-likes">{e(likes)}</p></div>'
        for n, (who, text, likes) in enumerate(outlet.comments)
    )
    byline = f'By <span class="author">{e(author)}</span> · ' if author else ""
    author_meta = f'\n  <meta name="author" content="{e(author)}">' if author else ""
    feed_link = f'\n  <link rel="alternate" type="application/rss+xml" href="{e(feed_url)}">' if feed_url else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{e(title)} | {e(outlet.name)}</title>
  <meta name="description" content="{e(standfirst)}">{author_meta}
  <meta property="og:type" content="article">
  <meta property="og:title" content="{e(title)}">
  <meta property="og:site_name" content="{e(outlet.name)}">
  <meta property="og:url" content="{e(url)}">
  <meta property="og:description" content="{e(standfirst)}">
  <meta property="article:published_time" content="{iso}">
  <link rel="canonical" href="{e(url)}">{feed_link}
  <script type="application/ld+json">{json.dumps(ld)}</script>
  <style>body{{font-family:Georgia,serif;margin:0}} .cookie-banner{{position:fixed;bottom:0}}</style>
</head>
<body>
  <div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookie consent">
    <p>We use cookies and similar technologies to personalise content and ads and to analyse our traffic.
    By clicking "Accept all" you agree to our use of cookies. You can change your choice at any time
    in Privacy settings.</p>
    <button type="button">Accept all</button> <button type="button">Manage preferences</button>
  </div>
  <header class="site-header">
    <a class="logo" href="{root}">{e(outlet.name)}</a>
    <p class="tagline">{e(outlet.tagline)}</p>
    <nav class="main-nav" aria-label="Sections">
      <ul>
      <li><a href="{root}">Home</a></li>
{nav}
      </ul>
    </nav>
  </header>
  <main id="main">
    <div class="layout">
      <article class="story">
        <header class="story-header">
          <p class="kicker">World</p>
          <h1>{e(title)}</h1>
          <p class="byline">{byline}<time datetime="{iso}">{when:%d %B %Y, %H:%M} UTC</time></p>
        </header>
        <div class="story-body">
{body}
        </div>
      </article>
      <div class="share-bar" aria-label="Share this article">
        <span>Share this article:</span>
        <a href="https://x.com/intent/tweet?url={e(url)}">X</a> <a href="https://facebook.com/sharer?u={e(url)}">Facebook</a>
        <a href="mailto:?subject={e(title)}">Email</a> <button type="button">Copy link</button>
      </div>
      <aside class="sidebar">
        <section class="most-read"><h2>Most read</h2>
        <ol>
{most_read}
        </ol></section>
      </aside>
    </div>
    <section class="related-articles"><h2>Related articles</h2>
    <ul>
{related}
    </ul></section>
    <section id="comments" class="comments"><h2>Reader comments ({len(outlet.comments)})</h2>
{comments}
    </section>
  </main>
  <footer class="site-footer">
    <p>&copy; 2025 {e(outlet.name)}. All rights reserved.</p>
    <ul><li><a href="{root}about">About us</a></li><li><a href="{root}contact">Contact</a></li>
    <li><a href="{root}privacy">Privacy policy</a></li><li><a href="{root}terms">Terms of use</a></li></ul>
  </footer>
</body>
</html>
"""


def _absolute(link: str, base_url: str) -> str:
    return base_url + link if link.startswith("/") else link


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _newest(items: Sequence[FeedItem]) -> datetime | None:
    dates = [utc(i.published) for i in items if isinstance(i.published, datetime)]
    return max(dates) if dates else None


def render_rss(title: str, site_path: str, feed_path: str, items: Sequence[FeedItem], base_url: str,
               description: str = "") -> bytes:
    """RSS 2.0 for ``items``; deterministic (no "now" in it), so its ETag changes only with its entries."""
    e = html.escape
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
           ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">',
           "<channel>", f"<title>{e(title)}</title>", f"<link>{e(_absolute(site_path, base_url))}</link>",
           f"<description>{e(description or title)}</description>", "<language>en</language>",
           f'<atom:link href="{e(_absolute(feed_path, base_url))}" rel="self" type="application/rss+xml"/>']
    newest = _newest(items)
    if newest:
        out.append(f"<lastBuildDate>{format_datetime(newest)}</lastBuildDate>")
    for item in items:
        out.append("<item>")
        out.append(f"  <title>{e(item.title)}</title>")
        if item.link is not None:
            out.append(f"  <link>{e(_absolute(item.link, base_url))}</link>")
        if item.guid is not None:
            out.append(f'  <guid isPermaLink="false">{e(item.guid)}</guid>')
        elif item.link is not None:
            out.append(f'  <guid isPermaLink="true">{e(_absolute(item.link, base_url))}</guid>')
        if isinstance(item.published, datetime):
            out.append(f"  <pubDate>{format_datetime(utc(item.published))}</pubDate>")
        elif item.published is not None:
            out.append(f"  <pubDate>{e(item.published)}</pubDate>")
        if item.author:
            out.append(f"  <dc:creator>{e(item.author)}</dc:creator>")
        out.append(f"  <description>{e(item.summary)}</description>")
        if item.content_html is not None:
            out.append(f"  <content:encoded>{_cdata(item.content_html)}</content:encoded>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out).encode("utf-8")


def render_atom(title: str, site_path: str, feed_path: str, items: Sequence[FeedItem], base_url: str,
                description: str = "") -> bytes:
    """Atom 1.0 for ``items``; entry ids default to ``tag:`` URIs that do not depend on the port."""
    e = html.escape
    newest = _newest(items) or datetime(2025, 1, 1, tzinfo=UTC)
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
           f"<title>{e(title)}</title>", f"<subtitle>{e(description or title)}</subtitle>",
           f"<id>tag:localsite,2025:{e(feed_path)}</id>",
           f'<link rel="alternate" type="text/html" href="{e(_absolute(site_path, base_url))}"/>',
           f'<link rel="self" type="application/atom+xml" href="{e(_absolute(feed_path, base_url))}"/>',
           f"<updated>{newest.isoformat()}</updated>"]
    for item in items:
        when = item.published.isoformat() if isinstance(item.published, datetime) else item.published
        entry_id = item.guid or f"tag:localsite,2025:{item.link or _slugify(item.title)}"
        out += ["<entry>", f"  <title>{e(item.title)}</title>", f"  <id>{e(entry_id)}</id>"]
        if item.link is not None:
            out.append(f'  <link rel="alternate" type="text/html" href="{e(_absolute(item.link, base_url))}"/>')
        if when is not None:
            out += [f"  <published>{e(when)}</published>", f"  <updated>{e(when)}</updated>"]
        if item.author:
            out.append(f"  <author><name>{e(item.author)}</name></author>")
        out.append(f"  <summary>{e(item.summary)}</summary>")
        if item.content_html is not None:
            out.append(f'  <content type="html">{e(item.content_html)}</content>')
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out).encode("utf-8")


def paragraphs_html(paragraphs: Sequence[str]) -> str:
    """Paragraphs as the HTML a feed's full-content element carries."""
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


# --- Hostile and quirky feeds, for the reliability suite ------------------------------------------------------

_RSS_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
_ITEM = "<item><title>{t}</title><link>{link}</link><guid>{g}</guid><description>{d}</description></item>"


def malformed_rss(base_url: str) -> bytes:
    """RSS that is not XML (unclosed tags, a bare ``&``, no closing ``</rss>``), yet whose entries feedparser reads."""
    return (_RSS_HEAD + '<rss version="2.0"><channel><title>Broken & Co wire</title>\n'
            f"<link>{base_url}/broken/</link><description>Unclosed <b>tags everywhere</description>\n"
            f"<item><title>First story</title><link>{base_url}/broken/first</link><guid>broken-1</guid>"
            "<description>Seoul & Tokyo talk <i>security</description></item>\n"
            f"<item><title>Second story</title><link>{base_url}/broken/second</link><guid>broken-2</guid>"
            "<description><p>A paragraph that never closes</description><br>\n"
            "</item>\n</channel>\n").encode("utf-8")


def billion_laughs_feed() -> bytes:
    """An RSS document whose nested entities expand to ~3 GB if a parser is foolish enough to expand them."""
    lol = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                                     for i in range(1, 10)]
    return (_RSS_HEAD + "<!DOCTYPE rss [\n" + "\n".join(lol) + "\n]>\n"
            '<rss version="2.0"><channel><title>Laughs</title><link>http://example.invalid/</link>'
            "<description>entity expansion</description>"
            "<item><title>&lol9;</title><guid>laugh-1</guid><description>&lol9;</description></item>"
            "</channel></rss>\n").encode("utf-8")


def xxe_feed(target: str = "file:///etc/passwd") -> bytes:
    """An RSS document that asks the parser to read a local file into an entry (XML external entity)."""
    return (_RSS_HEAD + f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>\n'
            '<rss version="2.0"><channel><title>XXE</title><link>http://example.invalid/</link>'
            "<description>external entity</description>"
            "<item><title>Leak &xxe;</title><guid>xxe-1</guid><description>&xxe;</description></item>"
            "</channel></rss>\n").encode("utf-8")


HOSTILE_LINKS = ("file:///etc/passwd", "javascript:alert(document.cookie)", "http://127.0.0.1:1/",
                 "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/")


def hostile_link_items() -> list[FeedItem]:
    """Entries whose links no fetcher should follow: local files, script, loopback, private, cloud metadata."""
    when = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    return [FeedItem(f"Hostile link {n}", link, guid=f"hostile-{n}", published=when,
                     summary=f"This entry links to {link}.") for n, link in enumerate(HOSTILE_LINKS, 1)]


def quirky_items(future: datetime | None = None) -> list[FeedItem]:
    """Duplicate GUIDs, entries without a link, a date in the future and dates nobody can parse."""
    future = future or datetime(2099, 1, 1, tzinfo=UTC)
    day = datetime(2025, 9, 2, 9, 30, tzinfo=UTC)
    return [
        FeedItem("Same guid, first copy", "/quirky/dup-a", guid="dup-guid", published=day, summary="First."),
        FeedItem("Same guid, second copy", "/quirky/dup-b", guid="dup-guid", published=day, summary="Second."),
        FeedItem("No link at all", None, guid="no-link-1", published=day,
                 summary="An entry with text but nowhere to go.", content_html="<p>Only the feed has this text.</p>"),
        FeedItem("No link and no guid", None, published=day, summary="Identity must come from the text."),
        FeedItem("From the future", "/quirky/future", guid="future-1", published=future, summary="Dated ahead."),
        FeedItem("Unparseable date", "/quirky/bad-date", guid="bad-date-1", published="the day after tomorrow",
                 summary="pubDate is prose."),
        FeedItem("Impossible date", "/quirky/impossible", guid="bad-date-2", published="Mon, 32 Foo 2025 25:61:00 ZZZ",
                 summary="pubDate is garbage."),
    ]


FOREIGN_TEXT = {
    "cp1251": ("ru", "Северная Корея направила в Курскую область около 12 000 военнослужащих, сообщила разведка."),
    "latin-1": ("de", "Nordkorea schickte rund 12.000 Soldaten nach Kursk, berichtet der südkoreanische Geheimdienst."),
}


def foreign_page(encoding: str, text: str | None = None) -> bytes:
    """A small page in ``encoding`` (cp1251 Russian or latin-1 German by default) for charset faults."""
    lang, default = FOREIGN_TEXT.get(encoding, FOREIGN_TEXT["latin-1"])
    body = text or default
    page = (f'<!DOCTYPE html><html lang="{lang}"><head><title>{html.escape(body[:40])}</title></head>'
            f"<body><article><h1>{html.escape(body[:40])}</h1><p>{html.escape(body)}</p>"
            f"<p>{html.escape(body)}</p></article></body></html>")
    return page.encode(encoding, errors="replace")


STUB_BODIES = {
    "application/pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    "image/png": bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"),
}


@dataclass(frozen=True)
class DemoArticle:
    """One article of the demo scenario; ``seed``/``edit`` say how its body is derived from a seed."""

    role: str
    outlet: str
    slug: str
    title: str
    published: datetime
    author: str | None
    paragraphs: tuple[str, ...] = ()  # written here; empty when the body comes from a seed
    seed: str | None = None
    edit: tuple[str, str] | None = None  # (paragraph prefix, replacement) applied to the seed's body
    page: bool = True  # False: the page is missing (404) and the feed carries the full text
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"/{self.outlet}/{self.published:%Y/%m/%d}/{self.slug}"


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


_SEED_000 = "000_b595dce8e2ad57c4.txt"
_SEED_003 = "003_e33a1d4c89308a14.txt"

# The demo scenario, one article per role. Prose is written for this corpus; (a) and (b) reuse seed text.
DEMO_ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        "republished_seed", "wire", "kim-decorates-kursk-returnees", "Kim Jong-un decorates Kursk returnees as "
        "'great heroes and patriots' at first awards for overseas combat", _at(8, 22, 9, 40), "Wire staff",
        seed=_SEED_000,
    ),
    DemoArticle(
        "near_copy", "herald", "kim-tearful-ceremony-fallen-soldiers", "Tearful Kim honours soldiers who died "
        "fighting for Putin, hints Russian mission is over", _at(8, 23, 6, 15), "Herald foreign desk",
        seed=_SEED_003,
        edit=("In early July, Kim was seen weeping",
              "Kim had already been pictured in early July weeping beside coffins draped in North Korean flags, "
              "months after he first admitted in April that thousands of his troops were fighting for Putin in "
              "Russia's Kursk region. State television replayed those images for weeks afterwards."),
    ),
    DemoArticle(
        "unrelated", "daily", "nova-lane-world-tour-seoul", "Forty thousand fans pack Seoul stadium as Nova Lane "
        "opens world tour", _at(6, 15, 22, 5), "Culture desk",
        paragraphs=(
            "More than 40,000 fans filled the main stadium at Seoul's Olympic Park on Saturday night as the "
            "five-member girl group Nova Lane opened its first world tour with a show of two and a half hours.",
            "The concert, the first of two sold-out nights, featured 24 songs, including the group's summer single, "
            "which has spent six weeks at the top of domestic streaming charts.",
            "Tickets for both shows sold out within nine minutes when they went on sale in April, according to the "
            "group's agency, which said more than 300,000 people had tried to reach the booking site at the same time.",
            "Police and volunteers, about 800 people in all, managed crowds around the venue, and the city added "
            "late-night subway trains on two lines after the show ended at around 10:30 p.m.",
            "Fans travelled from as far as Brazil and Indonesia. \"I saved for a year to be here,\" said a "
            "23-year-old university student from Jakarta who had queued since early morning for tour merchandise.",
            "The tour will take the group to 18 cities in Asia, North America and Europe before it ends in Tokyo in "
            "December. Industry analysts expect it to gross more than 100 billion won.",
            "The agency said a livestream of Sunday's concert would be shown in 120 countries.",
        ),
    ),
    DemoArticle(
        "unrelated", "herald", "north-korea-fires-short-range-missiles", "North Korea fires short-range ballistic "
        "missiles into the sea off its east coast", _at(5, 8, 2, 30), "Defence correspondent",
        paragraphs=(
            "North Korea fired several short-range ballistic missiles off its east coast on Thursday morning, "
            "South Korea's Joint Chiefs of Staff said, its first ballistic launch in about two months.",
            "The missiles were launched from the Wonsan area between 8:10 a.m. and 9:20 a.m. and flew up to about "
            "800 kilometres before falling into the sea between the Korean Peninsula and Japan, the military said.",
            "South Korean and US intelligence officials were analysing the launches, including the number of "
            "missiles and their type. Japan's defence ministry said none had landed inside its exclusive economic "
            "zone and there were no reports of damage to ships or aircraft.",
            "The launch came days after South Korea and the United States wrapped up a joint air exercise involving "
            "about 100 aircraft, which Pyongyang had condemned as a rehearsal for an invasion.",
            "Analysts said the test may have been meant to check a new multiple rocket launcher or to improve the "
            "accuracy of tactical missiles that Pyongyang says can carry nuclear warheads.",
            "North Korea has launched dozens of missiles since the start of 2022, in defiance of United Nations "
            "Security Council resolutions that ban it from using ballistic missile technology.",
            "Seoul's national security office held an emergency meeting and urged Pyongyang to stop provocations "
            "that raise tensions on the peninsula.",
        ),
    ),
    DemoArticle(
        "unrelated", "wire", "ukrainian-drones-hit-syzran-refinery", "Ukrainian drones hit Russian refinery far "
        "behind the front; Kyiv reports heavy Russian losses", _at(8, 24, 7, 50), "Wire staff",
        paragraphs=(
            "Ukrainian long-range drones struck an oil refinery in Russia's Samara region overnight, starting a fire "
            "at the plant more than 700 kilometres from the border, officials on both sides said on Sunday.",
            "Russia's defence ministry said its air defences had destroyed 51 Ukrainian drones over seven regions "
            "during the night, without mentioning the refinery. The regional governor said a fire broke out at an "
            "industrial site after a drone attack and that nobody had been hurt.",
            "Ukraine's General Staff said its drone units had hit a primary processing unit at the plant, which can "
            "handle about 8.9 million tonnes of crude a year and supplies fuel to Russian forces in Ukraine.",
            "Kyiv has stepped up attacks on Russian energy infrastructure this summer, arguing that refineries, fuel "
            "depots and pipelines feed Moscow's war. Several refineries have had to halt units, and wholesale petrol "
            "prices in Russia reached record highs in August.",
            "In its daily update the General Staff said Russia had lost about 1,075,000 troops killed or wounded "
            "since the full-scale invasion began in February 2022, including 880 in the past 24 hours. It also listed "
            "11,150 tanks as destroyed. The figures could not be independently verified, and Moscow does not publish "
            "its own casualty figures.",
            "Western estimates of Russian losses are lower but still run to hundreds of thousands of soldiers.",
        ),
    ),
    DemoArticle(
        "known_figures", "daily", "what-we-know-north-korean-troops-russia", "What we know about North Korea's "
        "troops in Russia's war", _at(8, 25, 5, 0), "Daily Ledger explainer team",
        paragraphs=(
            "Pyongyang's decision to hold a public ceremony for soldiers who fought in Russia's Kursk region has "
            "renewed attention on how many North Koreans were sent to the war, and how many did not come back.",
            "According to South Korea's National Intelligence Service (NIS), North Korea began moving troops to "
            "Russia in October 2024, with about 12,000 soldiers in the first wave. Around 3,000 more were sent early "
            "this year to make up for losses, the agency later told lawmakers.",
            "In a closed-door briefing in April, NIS officials told members of parliament's intelligence committee "
            "that of the roughly 15,000 North Korean troops deployed, some 4,700 had become casualties, including "
            "about 600 killed. Lawmakers who attended relayed the figures to reporters.",
            "Neither Moscow nor Pyongyang has published casualty numbers. Both denied the deployment for months "
            "before confirming it in late April, when Russia's top general credited North Korean units with helping "
            "to push Ukrainian forces out of Kursk.",
            "At last week's ceremony, portraits of 101 fallen soldiers were displayed on stage, a small share of the "
            "losses Seoul estimates. Analysts said Pyongyang may be honouring a selected group, or only a first "
            "batch of names.",
            "Ukrainian officials have warned that North Korea could send tens of thousands more troops, while "
            "Russian media have reported plans to bring in North Korean military builders and deminers to help "
            "rebuild the Kursk region.",
        ),
    ),
    DemoArticle(
        "new_figure", "wire", "nis-2000-north-korean-soldiers-killed", "Seoul's spy agency says about 2,000 North "
        "Korean soldiers killed fighting for Russia", _at(9, 4, 8, 20), "Wire staff",
        paragraphs=(
            "South Korea's National Intelligence Service (NIS) said about 2,000 North Korean soldiers had been killed "
            "fighting for Russia as of September, lawmakers said on Thursday, a sharp rise from the agency's earlier "
            "estimate of around 600 dead.",
            "The assessment was given at a closed-door session of the National Assembly's intelligence committee and "
            "relayed to reporters by members who attended. The agency did not say how it had reached the new figure.",
            "Lawmakers said the NIS attributed the rise to heavy fighting in the Kursk region earlier this year, when "
            "North Korean units were used in frontal assaults against Ukrainian positions with little armoured "
            "support, and to deaths among wounded soldiers who were not evacuated in time.",
            "The agency also said Pyongyang appeared to be preparing to send more workers and engineers to Russia, "
            "and that the remains of some fallen soldiers had been returned to North Korea.",
            "Last month leader Kim Jong-un honoured soldiers who had come back from Russia at a ceremony in Pyongyang "
            "where portraits of fallen troops were displayed. North Korea has not published its own casualty figures.",
            "Moscow and Pyongyang confirmed the deployment in April, citing a mutual defence treaty that Kim and "
            "Russian President Vladimir Putin signed in June 2024.",
        ),
        notes={"figure": "about 2,000", "category": "killed", "source": "NIS", "as_of": "September"},
    ),
    DemoArticle(
        "feed_only", "daily", "north-korean-deminers-begin-kursk-work", "North Korean deminers begin clearing "
        "Kursk farmland, Russian media report", _at(9, 10, 11, 0), "Daily Ledger staff", page=False,
        paragraphs=(
            "North Korean military engineers have begun clearing mines in Russia's Kursk region, Russian state media "
            "reported on Wednesday, weeks after Moscow said Pyongyang would send workers to help rebuild areas "
            "damaged in the fighting.",
            "Russian Security Council secretary Sergei Shoigu said in June, after talks in Pyongyang, that North "
            "Korea would send 1,000 sappers to clear mines and 5,000 military construction workers to restore "
            "infrastructure destroyed during Ukraine's incursion.",
            "Footage on Russian television showed soldiers in North Korean uniforms sweeping the edge of a field with "
            "metal detectors. The report did not say how many engineers were involved or how long the work would take.",
            "Ukraine's military intelligence has said the deminers and builders would free Russian units for combat "
            "elsewhere. South Korea's unification ministry said it was watching the situation closely.",
            "Large parts of the Kursk region remain contaminated with mines and unexploded shells after months of "
            "fighting, and local authorities have warned residents to stay out of fields and forests near the border.",
        ),
    ),
)
