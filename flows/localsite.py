"""A real news site on 127.0.0.1 for tests and ``nkwatch demo``: feeds, article pages and faults.

Real news sites cannot be reached from here, and a mocked transport would hide exactly what a
monitor has to survive (compression, conditional GET, slow or hostile servers). So this is a real
HTTP/1.1 server, standard library only: ``ThreadingHTTPServer`` in a daemon thread, with a
thread-safe registry of resources that tests can change between two monitor cycles.

    with build_demo_site(Path("seeds")) as site:
        site.url("/wire/rss.xml")                  # http://127.0.0.1:PORT/wire/rss.xml
        site.set_fault("/wire/rss.xml", "status", code=503)

Every 200 carries an ETag (a hash of the body) and Last-Modified; a matching If-None-Match or
If-Modified-Since gets 304. Bodies are gzipped for clients that accept it. ``set_fault`` turns a
path into a misbehaving server (see ``FAULTS``). Nothing here ever connects anywhere: hostile URLs
(file://, 169.254.169.254, ...) are only *served* as links or Location headers.

``stop()`` closes open connections and joins every handler thread, so a test leaves no thread
behind; slow faults wait on the stop signal, and none can outlast ``MAX_STALL`` seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import hashlib
import signal
import socket
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from extractors.seeds import split_date_line
from flows import localsite_content as content
from flows.localsite_content import DEMO_ARTICLES, DemoArticle, FeedItem

MAX_STALL = 55.0  # no fault keeps a connection open longer than this (seconds)

# Fault modes and their parameters with defaults; set_fault refuses anything else.
FAULTS: dict[str, dict[str, Any]] = {
    "status": {"code": 500, "body": None, "headers": None},  # any status, small HTML body
    "retry_after": {"seconds": 120, "code": 429},  # with Retry-After: seconds
    "slow_headers": {"delay": 5.0},  # wait, then serve the page normally
    # headers, then one byte per interval until max_duration; content_length None: no header, body ends at close
    "trickle": {"interval": 1.0, "max_duration": 30.0, "content_length": None},
    "redirect_loop": {"via": None, "code": 302},  # path -> via -> path ...; via defaults to /_loop{path}
    "redirect_chain": {"hops": 5, "code": 302},  # path -> path?hop=1 -> ... -> path?hop=N, which is served
    "redirect_to": {"location": "http://169.254.169.254/latest/meta-data/", "code": 302},  # any Location at all
    "oversize": {"size": 50_000_000, "content_length": True, "content_type": "text/html; charset=utf-8"},
    "gzip_bomb": {"inflated_size": 1 << 30, "content_type": "text/html; charset=utf-8"},  # ~1 MB on the wire
    "wrong_charset": {"encoding": "cp1251", "declared": "utf-8", "text": None},  # declared None: no charset
    "content_type": {"content_type": "application/pdf", "body": None},  # a stub PDF/PNG unless body is given
    "empty": {"content_type": "text/html; charset=utf-8"},  # 200, zero bytes
    "close": {},  # read the request, drop the connection without a response
}
FEED_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}


@dataclass
class _Resource:
    render: Callable[[], bytes]
    content_type: str
    headers: dict[str, str]
    status: int
    modified: int  # epoch seconds, the Last-Modified
    served: bool = False  # has a client seen this version's Last-Modified?

    def touch(self) -> None:
        """Mark a change. HTTP dates have one-second resolution, so a change in the same second as a
        response that a client has already seen moves Last-Modified one second on; otherwise it is now."""
        now = int(time.time())
        self.modified = self.modified + 1 if self.served and now <= self.modified else now
        self.served = False


@dataclass
class _Feed:
    title: str
    kind: str
    site_path: str
    description: str
    entries: list[FeedItem] = field(default_factory=list)


@dataclass(frozen=True)
class DemoExpectations:
    """What the demo scenario contains, by role, so tests never hard-code its paths."""

    feeds: dict[str, str]  # outlet -> feed path
    republished_seed: tuple[str, str]  # (path, seed file): the seed's body under a new headline
    near_copy: tuple[str, str]  # (path, seed file): the seed with one paragraph edited
    unrelated: tuple[str, ...]  # paths of articles off the topic (K-pop, missile test, refinery strike)
    known_figures: str  # path of an article repeating only the seeds' figures in new prose
    new_figure: tuple[str, dict[str, str]]  # (path, {"figure", "category", "source", "as_of"})
    feed_only: str  # path that answers 404; its feed entry carries the full text


def _roles(role: str) -> list[DemoArticle]:
    return [a for a in DEMO_ARTICLES if a.role == role]


DEMO_FEEDS = {"wire": "/wire/rss.xml", "herald": "/herald/atom.xml", "daily": "/daily/rss.xml"}
DEMO_EXPECTATIONS = DemoExpectations(
    feeds=DEMO_FEEDS,
    republished_seed=(_roles("republished_seed")[0].path, _roles("republished_seed")[0].seed or ""),
    near_copy=(_roles("near_copy")[0].path, _roles("near_copy")[0].seed or ""),
    unrelated=tuple(a.path for a in _roles("unrelated")),
    known_figures=_roles("known_figures")[0].path,
    new_figure=(_roles("new_figure")[0].path, dict(_roles("new_figure")[0].notes)),
    feed_only=_roles("feed_only")[0].path,
)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


@lru_cache(maxsize=4)
def gzip_bomb(inflated_size: int) -> bytes:
    """A gzip member that inflates to ``inflated_size`` zero bytes (~1 MB per GB), built in well under a second.

    After a full flush deflate restarts byte-aligned with an empty window, so one compressed MiB of
    zeros can simply be repeated; only the CRC has to be computed over the whole.
    """
    mib = bytes(1 << 20)
    whole, rest = divmod(inflated_size, len(mib))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(mib[:rest]) + comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(whole):
        crc = zlib.crc32(mib, crc)
    crc = zlib.crc32(mib[:rest], crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + (inflated_size & 0xFFFFFFFF).to_bytes(4, "little")
    return header + block * whole + tail + trailer


class _Server(ThreadingHTTPServer):
    """Handler threads are joined on close (not daemons), so ``stop()`` leaves none running."""

    daemon_threads = False
    block_on_close = True
    # socketserver's default listen backlog is 5: a client opening 32 connections at once had
    # SYNs dropped and retried a second later, which made every burst of requests take 1 s.
    request_queue_size = 256
    site: LocalSite

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        threading.current_thread().name = f"localsite:{self.server_address[1]}:request"  # findable in tests
        super().process_request_thread(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-response is normal here (faults provoke it); anything else is printed."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class LocalSite:
    """The local news site. Configure it with ``add_*`` and ``set_fault`` before or while it runs."""

    def __init__(self, port: int = 0) -> None:
        self.port = port  # 0: any free port at the first start; a restarted site keeps its port (and URLs)
        self._lock = threading.RLock()
        self._resources: dict[str, _Resource] = {}
        self._feeds: dict[str, _Feed] = {}
        self._faults: dict[str, tuple[str, dict[str, Any]]] = {}
        self._sockets: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._base: str | None = None  # set while serving; handlers finishing during stop() still read it
        self._thread: threading.Thread | None = None
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, lower-cased headers)

    # --- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> LocalSite:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.site = self
        self.port = server.server_address[1]
        self._base = f"http://127.0.0.1:{self.port}"
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"localsite:{server.server_address[1]}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with self._lock:
            for sock in list(self._sockets):  # wakes handlers idling on keep-alive connections
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._base = None

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._base is None:
            raise RuntimeError("LocalSite is not started")
        return self._base

    def url(self, path: str) -> str:
        """The absolute URL of a site path (the site must be started)."""
        return self.base_url + path

    def _url_or_path(self, path: str) -> str:
        return self.url(path) if self._base is not None else path

    # --- resources -------------------------------------------------------------------------------------------
    def _put(self, path: str, render: Callable[[], bytes], content_type: str, headers: dict[str, str] | None,
             status: int) -> None:
        with self._lock:
            old = self._resources.get(path)
            res = _Resource(render, content_type, dict(headers or {}), status, int(time.time()))
            if old is not None:
                res.modified, res.served = old.modified, old.served
                res.touch()
            self._resources[path] = res

    def add_page(self, path: str, body: bytes | str, content_type: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None, status: int = 200) -> str:
        """Serve ``body`` at ``path``; returns its URL (its path while the site is not started)."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._put(path, lambda: data, content_type, headers, status)
        return self._url_or_path(path)

    def add_article(self, outlet: str, slug: str, title: str, paragraphs: list[str] | tuple[str, ...],
                    published: datetime, author: str | None = None, feed: str | None = None,
                    guid: str | None = None, feed_content: bool = False) -> str:
        """Render a full news page at ``/{outlet}/YYYY/MM/DD/{slug}``; with ``feed``, also list it there.

        The page is rendered per request so its canonical URL carries the real port. Returns its URL
        (its path while the site is not started).
        """
        shop = content.outlet_for(outlet)
        path = f"/{outlet}/{published:%Y/%m/%d}/{slug}"
        paras = tuple(paragraphs)

        def render() -> bytes:
            page = content.render_article_page(shop, url=self.url(path), title=title, paragraphs=paras,
                                               published=published, author=author,
                                               feed_url=self.url(feed) if feed else None)
            return page.encode("utf-8")

        self._put(path, render, "text/html; charset=utf-8", None, 200)
        if feed is not None:
            self.add_feed_entry(feed, FeedItem(title, path, guid=guid, published=published,
                                               summary=paras[0] if paras else "", author=author,
                                               content_html=content.paragraphs_html(paras) if feed_content else None))
        return self._url_or_path(path)

    def add_feed(self, path: str, title: str, kind: str = "rss", entries: list[FeedItem] | None = None,
                 site_path: str = "/", description: str = "") -> str:
        """A feed re-rendered from its current entries at every request (``add_feed_entry`` adds more)."""
        if kind not in FEED_TYPES:
            raise ValueError(f"feed kind must be one of {sorted(FEED_TYPES)}, not {kind!r}")
        feed = _Feed(title, kind, site_path, description, list(entries or []))
        renderer = content.render_rss if kind == "rss" else content.render_atom

        def render() -> bytes:
            with self._lock:
                items = list(feed.entries)
            return renderer(feed.title, feed.site_path, path, items, self.base_url, feed.description)

        with self._lock:
            self._feeds[path] = feed
            self._put(path, render, FEED_TYPES[kind], None, 200)
        return self._url_or_path(path)

    def add_feed_entry(self, feed_path: str, item: FeedItem, first: bool = True) -> None:
        """Add ``item`` to a feed (newest first by default); its ETag and Last-Modified change."""
        with self._lock:
            feed = self._feeds.get(feed_path)
            if feed is None:
                raise KeyError(f"no feed at {feed_path}; add_feed() it first")
            if first:
                feed.entries.insert(0, item)
            else:
                feed.entries.append(item)
            self._resources[feed_path].touch()

    def remove(self, path: str) -> None:
        """Forget ``path``: from now on it answers 404 (a page taken down between two cycles)."""
        with self._lock:
            self._resources.pop(path, None)
            self._feeds.pop(path, None)

    def add_hostile_feeds(self, prefix: str = "/hostile") -> dict[str, str]:
        """Serve every hostile/quirky feed under ``prefix``; returns {name: URL or path}."""
        raw = {"malformed": lambda: content.malformed_rss(self.base_url), "billion_laughs": content.billion_laughs_feed,
               "xxe": content.xxe_feed}
        paths = {}
        for name, make in raw.items():
            paths[name] = f"{prefix}/{name}.xml"
            self._put(paths[name], make, FEED_TYPES["rss"], None, 200)
        paths["hostile_links"], paths["quirky"] = f"{prefix}/links.xml", f"{prefix}/quirky.xml"
        self.add_feed(paths["hostile_links"], "Hostile links", entries=content.hostile_link_items())
        self.add_feed(paths["quirky"], "Quirky entries", entries=content.quirky_items())
        return {name: self._url_or_path(path) for name, path in paths.items()}

    # --- faults ----------------------------------------------------------------------------------------------
    def set_fault(self, path: str, mode: str, **params: Any) -> None:
        """Make ``path`` misbehave; see ``FAULTS`` for the modes and their parameters."""
        if mode not in FAULTS:
            raise ValueError(f"unknown fault mode {mode!r}; known: {', '.join(FAULTS)}")
        unknown = set(params) - set(FAULTS[mode])
        if unknown:
            raise ValueError(f"fault {mode!r} takes {sorted(FAULTS[mode]) or 'no parameters'}, not {sorted(unknown)}")
        values = {**FAULTS[mode], **params}
        with self._lock:
            if mode == "redirect_loop":
                via = values["via"] or f"/_loop{path}"
                values["via"] = via
                self._faults[via] = ("redirect_to", {"location": path, "code": values["code"], "loop_of": path})
                values = {"location": via, "code": values["code"], "loop_of": path}
                mode = "redirect_to"
            self._faults[path] = (mode, values)

    def clear_fault(self, path: str) -> None:
        """Serve ``path`` normally again; clearing either end of a redirect loop clears both."""
        with self._lock:
            _mode, values = self._faults.pop(path, ("", {}))
            group = values.get("loop_of")
            for other in [k for k, (_m, v) in self._faults.items() if group and v.get("loop_of") == group]:
                del self._faults[other]

    # --- request log -----------------------------------------------------------------------------------------
    def count(self, path: str) -> int:
        """Requests made for ``path`` (query strings ignored unless ``path`` has one)."""
        with self._lock:
            return sum(1 for _m, p, _h in self.requests if p == path or urlsplit(p).path == path)

    def reset_log(self) -> None:
        """Empty ``requests``, e.g. between two monitor cycles."""
        with self._lock:
            self.requests.clear()

    # --- used by the handler ---------------------------------------------------------------------------------
    def _lookup(self, path: str) -> tuple[_Resource | None, tuple[str, dict[str, Any]] | None]:
        with self._lock:
            return self._resources.get(path), self._faults.get(path)


@functools.lru_cache(maxsize=512)
def _gzipped(body: bytes) -> bytes:
    """Compressed once per body, at gzip's usual level 6, as news servers cache their compressed
    pages: compressing on every request cost the benchmark's site a core-second per cycle."""
    return gzip.compress(body, compresslevel=6, mtime=0)


def _accepts_gzip(value: str) -> bool:
    for part in value.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class _Handler(BaseHTTPRequestHandler):
    """One connection. Normal responses are HTTP/1.1 with Content-Length; faults may bend the rules."""

    protocol_version = "HTTP/1.1"
    server_version = "nkwatch-localsite/1.0"
    timeout = 15  # an idle keep-alive connection is dropped after this
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle's algorithm and delayed ACKs add
        # ~40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.site._lock:
            self.server.site._sockets.add(self.connection)
        if self.server.site._stopping.is_set():  # accepted just as stop() swept the open connections
            self.connection.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.site._lock:
                self.server.site._sockets.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the site keeps its own log in site.requests

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    # --- plumbing --------------------------------------------------------------------------------------------
    @property
    def site(self) -> LocalSite:
        return self.server.site

    def _stalled(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (capped); True if the site is stopping."""
        return self.site._stopping.wait(min(max(seconds, 0.0), MAX_STALL))

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool = False,
              compress: bool = True) -> None:
        headers = dict(headers)
        if compress and body and _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            body = _gzipped(body)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str, code: int) -> None:
        self._send(code, f'<a href="{location}">moved</a>'.encode(), {"Location": location,
                                                                       "Content-Type": "text/html; charset=utf-8"})

    def _not_found(self, head: bool) -> None:
        body = b"<!DOCTYPE html><html lang=\"en\"><head><title>Page not found</title></head><body>" \
               b"<h1>404</h1><p>Sorry, we could not find that page.</p></body></html>"
        self._send(404, body, {"Content-Type": "text/html; charset=utf-8"}, head)

    def _serve(self, head: bool) -> None:
        site = self.site
        parts = urlsplit(self.path)
        with site._lock:
            site.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
        resource, fault = site._lookup(parts.path)
        if fault is not None and self._fault(fault[0], fault[1], parts.path, parts.query, head):
            return
        if resource is None:
            self._not_found(head)
            return
        self._resource(resource, head)

    def _resource(self, res: _Resource, head: bool) -> None:
        with self.site._lock:  # the body and its Last-Modified must belong to the same version
            body, modified = res.render(), res.modified
            res.served = True
        headers = {"Content-Type": res.content_type, **res.headers}
        if res.status != 200:
            self._send(res.status, body, headers, head)
            return
        etag = etag_for(body)
        headers.update({"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True),
                        "Cache-Control": "max-age=60"})
        if self._not_modified(etag, modified):
            self.send_response(304)
            for name in ("ETag", "Last-Modified", "Cache-Control"):
                self.send_header(name, headers[name])
            self.end_headers()
            return
        self._send(200, body, headers, head)

    def _not_modified(self, etag: str, modified: int) -> bool:
        """RFC 9110: If-None-Match decides when present; If-Modified-Since only without it."""
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or etag in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return modified <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _fault(self, mode: str, p: dict[str, Any], path: str, query: str, head: bool) -> bool:
        """Misbehave as ``mode`` says; False means "serve the resource normally after all"."""
        html = "text/html; charset=utf-8"
        if mode == "status":
            body = p["body"] if p["body"] is not None else f"<h1>Error {p['code']}</h1>"
            self._send(p["code"], body.encode() if isinstance(body, str) else body,
                       {"Content-Type": html, **(p["headers"] or {})}, head)
        elif mode == "retry_after":
            self._send(p["code"], b"<h1>Too many requests</h1>", {"Content-Type": html,
                                                                     "Retry-After": str(p["seconds"])}, head)
        elif mode == "slow_headers":
            if self._stalled(p["delay"]):
                self.close_connection = True
                return True
            return False
        elif mode == "redirect_to":
            self._redirect(p["location"], p["code"])
        elif mode == "redirect_chain":
            hop = int((parse_qs(query).get("hop") or ["0"])[0] or 0)
            if hop >= p["hops"]:
                return False
            self._redirect(f"{path}?hop={hop + 1}", p["code"])
        elif mode == "trickle":
            self._trickle(p, head)
        elif mode == "oversize":
            self._oversize(p, head)
        elif mode == "gzip_bomb":
            self._send(200, gzip_bomb(p["inflated_size"]), {"Content-Type": p["content_type"],
                                                             "Content-Encoding": "gzip"}, head, compress=False)
        elif mode == "wrong_charset":
            raw = content.foreign_page(p["encoding"], p["text"])
            declared = f"text/html; charset={p['declared']}" if p["declared"] else "text/html"
            self._send(200, raw, {"Content-Type": declared}, head)
        elif mode == "content_type":
            body = p["body"] if p["body"] is not None else content.STUB_BODIES.get(p["content_type"], b"\x00" * 64)
            self._send(200, body, {"Content-Type": p["content_type"]}, head)
        elif mode == "empty":
            self._send(200, b"", {"Content-Type": p["content_type"]}, head)
        elif mode == "close":
            self.close_connection = True
        return True

    def _stream_headers(self, content_type: str, length: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Connection", "close")  # the body ends when the connection does
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.close_connection = True

    def _trickle(self, p: dict[str, Any], head: bool) -> None:
        self._stream_headers("text/html; charset=utf-8", p["content_length"])
        if head:
            return
        deadline = time.monotonic() + min(p["max_duration"], MAX_STALL)
        filler = _filler()
        while time.monotonic() < deadline:
            self.wfile.write(next(filler)[:1])
            self.wfile.flush()
            if self._stalled(min(p["interval"], max(deadline - time.monotonic(), 0.0))):
                return

    def _oversize(self, p: dict[str, Any], head: bool) -> None:
        size = int(p["size"])
        self._stream_headers(p["content_type"], size if p["content_length"] else None)
        if head:
            return
        sent, filler = 0, _filler()
        while sent < size and not self.site._stopping.is_set():
            chunk = next(filler)[: size - sent]
            self.wfile.write(chunk)
            sent += len(chunk)


def _filler() -> Iterator[bytes]:
    """Endless plausible HTML, 64 KiB at a time."""
    line = b"<p>The quick brown fox jumps over the lazy dog near the demilitarised zone.</p>\n"
    chunk = (line * (65536 // len(line) + 1))[:65536]
    while True:
        yield chunk


# --- the demo scenario ---------------------------------------------------------------------------------------
def _seed_paragraphs(seeds_dir: Path, article: DemoArticle) -> tuple[str, ...]:
    """The seed's body, one paragraph per non-empty line, its ``date`` prefix removed, the edit applied."""
    assert article.seed is not None
    _date, text = split_date_line((seeds_dir / article.seed).read_text(encoding="utf-8"))
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    if article.edit is not None:
        prefix, replacement = article.edit
        hits = [i for i, para in enumerate(paragraphs) if para.startswith(prefix)]
        if len(hits) != 1:
            raise ValueError(f"{article.seed}: expected one paragraph starting {prefix!r}, found {len(hits)}")
        paragraphs[hits[0]] = replacement
    return tuple(paragraphs)


def build_demo_site(seeds_dir: Path, port: int = 0) -> LocalSite:
    """Three outlets and their feeds with one article per role (see DEMO_EXPECTATIONS); not started."""
    site = LocalSite(port)
    site.add_feed(DEMO_FEEDS["wire"], "Asia Pacific Newswire: Top stories", "rss", site_path="/wire/",
                  description="The latest from the Asia Pacific Newswire")
    site.add_feed(DEMO_FEEDS["herald"], "The Northern Herald", "atom", site_path="/herald/",
                  description="World and Korea news from The Northern Herald")
    site.add_feed(DEMO_FEEDS["daily"], "Seoul Daily Ledger: World", "rss", site_path="/daily/",
                  description="World news from the Seoul Daily Ledger")
    for article in sorted(DEMO_ARTICLES, key=lambda a: a.published):  # newest ends up first in each feed
        paragraphs = _seed_paragraphs(seeds_dir, article) if article.seed else article.paragraphs
        feed = DEMO_FEEDS[article.outlet]
        guid = f"tag:{article.outlet}.localsite,{article.published:%Y-%m-%d}:{article.slug}"
        if article.page:
            site.add_article(article.outlet, article.slug, article.title, paragraphs, article.published,
                             article.author, feed=feed, guid=guid)
        else:  # the page is gone (404); only the feed still has the story
            site.add_feed_entry(feed, FeedItem(article.title, article.path, guid=guid, published=article.published,
                                               summary=paragraphs[0], author=article.author,
                                               content_html=content.paragraphs_html(paragraphs)))
    return site


def main(argv: list[str] | None = None) -> int:
    """``python -m flows.localsite --seeds seeds --port 8765``: serve the demo site until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m flows.localsite", description="Serve the demo news site.")
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="folder of seed *.txt files")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args(argv)
    try:
        site = build_demo_site(args.seeds, args.port).start()
    except (OSError, ValueError) as exc:
        print(f"Error: {exc}")
        return 1
    # A shell starts background jobs with SIGINT ignored; restore Ctrl-C, and let SIGTERM stop cleanly too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"Local news site at {site.base_url} (Ctrl-C to stop). Feeds:")
    for path in DEMO_FEEDS.values():
        print(f"  {site.url(path)}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopping")
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
