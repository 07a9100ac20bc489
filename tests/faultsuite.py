"""The fault suite: one monitoring cycle (twice) against a hostile local web, every fault checked.

    python3 tasks.py faults            # or: .venv/bin/python -m tests.faultsuite

Prints a table (fault, expected, observed, pass) and a last line `N passed, N failed`; exits 1 if
any check failed. tests/test_faults.py runs the same suite under pytest.

Everything is served by flows/localsite.py on 127.0.0.1. Links to other addresses (10.0.0.1, the
cloud metadata address 169.254.169.254) appear only inside feeds; the suite installs an audit hook
that records every socket connect of this process, and checks that none went to them.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FORBIDDEN_HOSTS = ("10.", "169.254.", "192.168.", "172.16.")

# Feed-level faults: (name, path, fault mode, params, words the recorded reason must contain)
FEED_FAULTS = [
    ("feed answers 500", "/bad/500.xml", "status", {"code": 500}, "HTTP 500"),
    ("feed gone (404)", "/bad/404.xml", "status", {"code": 404}, "HTTP 404"),
    ("feed gone (410)", "/bad/410.xml", "status", {"code": 410}, "HTTP 410"),
    ("429 with Retry-After", "/bad/429.xml", "retry_after", {"seconds": 3600}, "HTTP 429"),
    ("read timeout", "/bad/slow.xml", "slow_headers", {"delay": 4.0}, "timed out"),
    ("server trickles bytes forever", "/bad/trickle.xml", "trickle", {"interval": 0.3, "max_duration": 40}, "timed out"),
    ("redirect loop", "/bad/loop.xml", "redirect_loop", {}, "redirect loop"),
    ("long redirect chain", "/bad/chain.xml", "redirect_chain", {"hops": 12}, "more than 5 redirects"),
    ("body over the cap (Content-Length)", "/bad/big.xml", "oversize", {"size": 20_000_000}, "too large"),
    ("body over the cap (no Content-Length)", "/bad/big-chunked.xml", "oversize",
     {"size": 20_000_000, "content_length": False}, "too large"),
    ("gzip bomb", "/bad/bomb.xml", "gzip_bomb", {}, "too large"),
    ("connection dropped", "/bad/close.xml", "close", {}, "Error"),
    ("feed is a PDF", "/bad/pdf.xml", "content_type", {"content_type": "application/pdf"}, "not an RSS or Atom feed"),
    ("feed is empty", "/bad/empty.xml", "empty", {}, "empty"),
]
# Page-level faults behind one feed: (name, fault mode, params, words the article's note must contain)
PAGE_FAULTS = [
    ("page answers 500", "status", {"code": 500}, "HTTP 500"),
    ("page gone (404)", "status", {"code": 404}, "HTTP 404"),
    ("page trickles", "trickle", {"interval": 0.3, "max_duration": 40}, "timed out"),
    ("page over the cap", "oversize", {"size": 20_000_000, "content_length": False}, "too large"),
    ("page is a gzip bomb", "gzip_bomb", {}, "too large"),
    ("page is a PDF", "content_type", {"content_type": "application/pdf"}, "not an HTML page"),
    ("page is an image", "content_type", {"content_type": "image/png"}, "not an HTML page"),
    ("page is empty", "empty", {}, "empty page"),
    ("page redirects to cloud metadata", "redirect_to", {}, "refused"),
    ("page redirects to file://", "redirect_to", {"location": "file:///etc/passwd"}, "refused"),
    ("page redirect loop", "redirect_loop", {}, "redirect loop"),
]


@dataclass(frozen=True)
class Check:
    fault: str
    expected: str
    observed: str
    passed: bool


class ConnectAudit:
    """Every address this process tried to connect to (sys.audit 'socket.connect')."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.connect" and len(args) > 1 and isinstance(args[1], tuple):
            self.addresses.append(str(args[1][0]))

    def forbidden(self) -> list[str]:
        return [a for a in self.addresses if a.startswith(FORBIDDEN_HOSTS)]


def build_site():  # type: ignore[no-untyped-def]
    from flows.localsite import build_demo_site
    from flows.localsite_content import FeedItem, foreign_page

    site = build_demo_site(SEEDS)
    for _, path, mode, params, _ in FEED_FAULTS:
        site.add_page(path, "<rss/>")
        site.set_fault(path, mode, **params)
    hostile = site.add_hostile_feeds("/hostile")
    site.add_feed("/faulty/rss.xml", "Faulty pages", "rss")
    for n, (name, mode, params, _) in enumerate(PAGE_FAULTS):
        path = f"/faulty/page-{n}"
        site.add_page(path, "<html><body><p>never served</p></body></html>")
        site.set_fault(path, mode, **params)
        site.add_feed_entry("/faulty/rss.xml", FeedItem(name, path, guid=f"fault-{n}",
                                                        summary=f"Feed text of the entry '{name}'. " * 3))
    for n, (encoding, declared) in enumerate([("cp1251", "utf-8"), ("latin-1", None)]):
        path = f"/faulty/charset-{n}"
        site.add_page(path, foreign_page(encoding))
        site.set_fault(path, "wrong_charset", encoding=encoding, declared=declared)
        site.add_feed_entry("/faulty/rss.xml", FeedItem(f"wrong charset {encoding}", path, guid=f"charset-{n}",
                                                        summary="short"))
    return site, hostile


def config_for(site, hostile: dict[str, str], folder: Path) -> Path:  # type: ignore[no-untyped-def]
    from flows.localsite import DEMO_EXPECTATIONS

    feeds = [{"name": f"healthy {n}", "url": site.url(p)} for n, p in DEMO_EXPECTATIONS.feeds.items()]
    feeds += [{"name": name, "url": site.url(path)} for name, path, *_ in FEED_FAULTS]
    feeds += [{"name": "connection refused", "url": "http://127.0.0.1:1/rss.xml"}]
    feeds += [{"name": f"hostile {k}", "url": v} for k, v in hostile.items()]
    feeds += [{"name": "faulty pages", "url": site.url("/faulty/rss.xml")}]
    cfg = {"database": str(folder / "nk.duckdb"), "seeds": str(SEEDS), "feeds": feeds,
           "http": {"timeout_seconds": 1.5, "total_timeout_seconds": 4, "max_bytes": 2_000_000, "retries": 1,
                    "max_redirects": 5, "allow_private_addresses": False},
           "extraction": {"timeout_seconds": 20}}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _check(fault: str, expected: str, observed: object, ok: bool) -> Check:
    return Check(fault, expected, str(observed)[:90], bool(ok))


def evaluate(first: dict[str, Any], second: dict[str, Any], db: Path, site, audit: ConnectAudit,  # type: ignore[no-untyped-def]
             seconds: float, rss_growth_mb: float) -> list[Check]:
    checks = [_check("whole cycle", "finishes, no exception", f"{first['feeds_failed']} feeds failed, "
                     f"{first['new_articles']} new articles", True)]
    feeds = {f["name"]: f for f in first["feeds"]}
    for name, _, _, _, words in FEED_FAULTS + [("connection refused", "", "", {}, "cannot connect")]:
        f = feeds[name]
        checks.append(_check(name, f"feed failed: '{words}'", f"{f['outcome']}: {f['error']}",
                             f["outcome"] == "failed" and words.lower() in (f["error"] or "").lower()))
    healthy = [f for n, f in feeds.items() if n.startswith("healthy")]
    checks.append(_check("healthy feeds in the same run", "all ok, articles stored",
                         f"{[f['outcome'] for f in healthy]}, {first['new_articles']} new",
                         all(f["outcome"] == "ok" for f in healthy) and first["new_articles"] >= 6))
    skipped = {f["name"]: f for f in second["feeds"]}["429 with Retry-After"]
    checks.append(_check("429 backs the feed off", "next cycle skips it", f"{skipped['outcome']}: {skipped['error']}",
                         skipped["outcome"] == "skipped" and "backing off" in (skipped["error"] or "")))
    bad_500 = {f["name"]: f for f in second["feeds"]}["feed answers 500"]
    checks.append(_check("failing feed is recorded", "consecutive failures counted", bad_500["outcome"],
                         bad_500["outcome"] in ("failed", "skipped")))
    with duckdb.connect(str(db), read_only=True) as con:
        def one(sql: str, params: list[Any] | None = None) -> Any:
            row = con.execute(sql, params or []).fetchone()
            return row[0] if row else None

        failures = one("SELECT consecutive_failures FROM store.feeds WHERE name = 'feed answers 500'")
        checks.append(_check("repeated failures", "2 failures after 2 cycles", failures, failures == 2))
        malformed = feeds["hostile malformed"]
        checks.append(_check("malformed RSS", "entries read, warning recorded",
                             f"{malformed['outcome']}, {malformed['entries']} entries, warning={bool(malformed['warning'])}",
                             malformed["outcome"] == "ok" and malformed["entries"] > 0 and malformed["warning"]))
        longest = one("SELECT max(length(text)) FROM store.articles")
        laughs = feeds["hostile billion_laughs"]
        checks.append(_check("XML entity-expansion bomb", "no expansion, bounded",
                             f"{laughs['outcome']} {laughs['error'] or ''}; longest text {longest} chars",
                             longest < 200_000))
        leaked = one("SELECT count(*) FROM store.articles WHERE text LIKE '%root:x:0:0%'")
        leaked += one("SELECT count(*) FROM store.entries WHERE title LIKE '%root:x:0:0%'")
        checks.append(_check("external entity (XXE) in a feed", "not resolved", f"{leaked} leak(s)", leaked == 0))
        for name, _, _, words in PAGE_FAULTS:
            row = con.execute("SELECT a.extraction, a.extraction_note FROM store.entries e JOIN store.articles a"
                              " ON a.id = e.article_id WHERE e.title = ?", [name]).fetchone()
            observed = f"{row[0]}: {row[1]}" if row else "not stored"
            checks.append(_check(name, f"feed text used, note '{words}'", observed,
                                 bool(row) and row[0] == "feed" and words.lower() in (row[1] or "").lower()))
        for n, (encoding, language) in enumerate([("cp1251", "ru"), ("latin-1", "de")]):
            row = con.execute("SELECT a.extraction, a.text, a.language FROM store.entries e JOIN store.articles a"
                              " ON a.id = e.article_id WHERE e.guid = ?", [f"charset-{n}"]).fetchone()
            word = "Корея" if language == "ru" else "Soldaten"
            checks.append(_check(f"wrong or missing charset ({encoding})", f"text decoded ('{word}')",
                                 f"{row[0]}, {word in row[1]}" if row else "not stored", bool(row) and word in row[1]))
        hostile = con.execute("SELECT e.link, a.extraction, a.extraction_note FROM store.entries e"
                              " LEFT JOIN store.articles a ON a.id = e.article_id"
                              " WHERE e.feed = 'hostile hostile_links' ORDER BY e.guid").fetchall()
        refused = [r for r in hostile if r[2] and ("refused" in r[2] or "no link" in r[2] or "cannot connect" in r[2])]
        checks.append(_check("links to file:, javascript:, loopback, private, metadata", "never fetched",
                             f"{len(refused)}/{len(hostile)} refused or unlinked; forbidden connects: {audit.forbidden()}",
                             hostile and len(refused) == len(hostile) and not audit.forbidden()))
        quirky = {r[0]: r for r in con.execute("SELECT guid, published, article_id FROM store.entries"
                                               " WHERE feed = 'hostile quirky'").fetchall()}
        checks.append(_check("duplicate GUIDs", "stored once", sum(g == "dup-guid" for g in quirky), "dup-guid" in quirky))
        checks.append(_check("entries with no link", "kept from the feed's text",
                             quirky.get("no-link-1", (None, None, None))[2] is not None,
                             quirky.get("no-link-1", (None, None, None))[2] is not None))
        checks.append(_check("date in the future", "not trusted (NULL)", quirky.get("future-1", (None, "missing"))[1],
                             "future-1" in quirky and quirky["future-1"][1] is None))
        checks.append(_check("unparseable dates", "NULL, entry kept",
                             [quirky.get(g, (None, "missing"))[1] for g in ("bad-date-1", "bad-date-2")],
                             all(g in quirky and quirky[g][1] is None for g in ("bad-date-1", "bad-date-2"))))
        dup = one("SELECT count(*) - count(DISTINCT id) FROM store.articles")
        checks.append(_check("second cycle", "nothing stored twice", f"{second['new_articles']} new, {dup} duplicate ids",
                             dup == 0 and second["new_articles"] == 0))
    checks.append(_check("time bounded", "both cycles < 90 s", f"{seconds:.1f} s", seconds < 90))
    checks.append(_check("memory bounded", "RSS grows < 600 MB", f"{rss_growth_mb:.0f} MB", rss_growth_mb < 600))
    return checks


def run_suite(folder: Path) -> list[Check]:
    from flows.monitor import monitor

    audit = ConnectAudit()
    site, hostile_paths = build_site()
    site.start()
    try:
        hostile = {k: site.url(v) if v.startswith("/") else v for k, v in hostile_paths.items()}
        config = config_for(site, hostile, folder)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.monotonic()
        first = monitor(str(config))
        second = monitor(str(config))
        seconds = time.monotonic() - started
        growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
        return evaluate(first, second, folder / "nk.duckdb", site, audit, seconds, growth)
    finally:
        site.stop()


def render(checks: list[Check]) -> str:
    widths = [max(len(c.fault) for c in checks), max(len(c.expected) for c in checks), 60]
    lines = [f"{'fault':<{widths[0]}}  {'expected':<{widths[1]}}  {'observed':<{widths[2]}}  pass"]
    lines.append("-" * (sum(widths) + 12))
    for c in checks:
        lines.append(f"{c.fault:<{widths[0]}}  {c.expected:<{widths[1]}}  {c.observed[:widths[2]]:<{widths[2]}}  "
                     f"{'yes' if c.passed else 'NO'}")
    passed = sum(c.passed for c in checks)
    lines.append(f"{passed} passed, {len(checks) - passed} failed")
    return "\n".join(lines)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from flows import prefect_env  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        checks = run_suite(Path(tmp))
    print(render(checks))
    return 0 if all(c.passed for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
