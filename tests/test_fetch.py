"""The fetcher against a real HTTP server on 127.0.0.1 (each test says how the server answers)."""

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.config import HttpSettings
from flows.fetch import run_fetches
from tests.receivers import free_port

# A handler gets the request's path and headers (lower-case names) and returns the status, the
# response headers and the body. Without a Content-Length header the body ends when the
# connection closes (HTTP/1.0), as a streamed body would.
Handler = Callable[[str, dict[str, str]], tuple[int, dict[str, str], bytes]]


class Server:
    def __init__(self) -> None:
        self.handler: Handler = lambda path, headers: (200, {}, b"")
        self.requests: list[tuple[str, dict[str, str]]] = []
        owner = self

        class _Request(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                headers = {k.lower(): v for k, v in self.headers.items()}
                owner.requests.append((self.path, headers))
                status, extra, body = owner.handler(self.path, headers)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), _Request)
        self.http.daemon_threads = True
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.http.shutdown()


@pytest.fixture
def answer(server: Server) -> Callable[[Handler], Server]:
    def use(handler: Handler) -> Server:
        server.handler = handler
        server.requests.clear()
        return server
    return use


def fetch(url: str, settings: HttpSettings | None = None, trusted_hosts: set[str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    settings = settings or HttpSettings(retries=1, allow_private_addresses=False)
    return run_fetches(settings, [(url, kw)], trusted_hosts)[0]


def sized(body: bytes) -> dict[str, str]:
    return {"Content-Length": str(len(body))}


def test_conditional_get_sends_cursors_and_304_costs_nothing(answer) -> None:  # type: ignore[no-untyped-def]
    site = answer(lambda path, headers: (304, {"Content-Length": "0"}, b""))
    r = fetch(site.url("/rss"), etag='"abc"', last_modified="Fri, 22 Aug 2025 10:00:00 GMT", trusted=True)
    assert r.not_modified and r.body == b""
    [(_, seen)] = site.requests
    assert seen["if-none-match"] == '"abc"' and seen["if-modified-since"].startswith("Fri")
    assert seen["user-agent"].startswith("nkwatch/") and "gzip" in seen["accept-encoding"]


def test_size_cap_with_and_without_content_length(answer) -> None:  # type: ignore[no-untyped-def]
    big = b"x" * 2000
    s = HttpSettings(max_bytes=1000, allow_private_addresses=True)
    declared = fetch(answer(lambda p, h: (200, sized(big), big)).url("/a"), s)
    assert declared.error == "response too large (2,000 bytes declared, limit 1,000)"
    streamed = fetch(answer(lambda p, h: (200, {}, big)).url("/a"), s)  # no Content-Length
    assert streamed.error == "response too large (more than 1,000 bytes)"
    small = fetch(answer(lambda p, h: (200, {}, b"y" * 900)).url("/a"), s)
    assert small.ok and small.body == b"y" * 900


def test_compressed_body_is_decoded_and_the_cap_counts_decoded_bytes(answer) -> None:  # type: ignore[no-untyped-def]
    page = b"<p>" + b"word " * 300 + b"</p>"
    packed = gzip.compress(page)
    r = fetch(answer(lambda p, h: (200, {"Content-Encoding": "gzip", **sized(packed)}, packed)).url("/p"),
              HttpSettings(allow_private_addresses=True))
    assert r.ok and r.body == page
    bomb = gzip.compress(b"\0" * 5_000_000)  # about 5 kB on the wire
    s = HttpSettings(max_bytes=1_000_000, allow_private_addresses=True)
    r = fetch(answer(lambda p, h: (200, {"Content-Encoding": "gzip", **sized(bomb)}, bomb)).url("/bomb"), s)
    assert len(bomb) < 10_000 and r.error == "response too large (more than 1,000,000 bytes)"


def test_redirects_are_followed_by_hand_and_loops_and_long_chains_stop(answer) -> None:  # type: ignore[no-untyped-def]
    s = HttpSettings(max_redirects=3, allow_private_addresses=True)

    def hop(path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        return (200, sized(b"there"), b"there") if path == "/end" else (301, {"Location": "/end", **sized(b"")}, b"")

    site = answer(hop)
    moved = fetch(site.url("/start"), s)
    assert moved.ok and moved.body == b"there" and moved.final_url == site.url("/end")
    loop = answer(lambda p, h: (302, {"Location": "/b" if p == "/a" else "/a", **sized(b"")}, b""))
    assert fetch(loop.url("/a"), s).error == "redirect loop"
    chain = answer(lambda p, h: (302, {"Location": f"/{int(p.strip('/') or 0) + 1}", **sized(b"")}, b""))
    assert fetch(chain.url("/0"), s).error == "more than 3 redirects"
    assert len(chain.requests) == 4  # the first request and three redirects followed


def test_only_http_and_no_private_addresses_for_untrusted_links(answer) -> None:  # type: ignore[no-untyped-def]
    site = answer(lambda p, h: (200, sized(b"ok"), b"ok"))
    assert "only http(s)" in fetch("file:///etc/passwd").error
    assert "link-local" in fetch("http://169.254.169.254/latest/meta-data/").error
    assert "loopback" in fetch(site.url("/")).error  # a link to loopback, not on a trusted host
    assert "private" in fetch("http://10.0.0.1/").error
    assert site.requests == []


def test_trusted_hosts_may_be_local_but_every_redirect_hop_is_checked(answer) -> None:  # type: ignore[no-untyped-def]
    site = answer(lambda p, h: (200, sized(b"ok"), b"ok"))
    r = fetch(site.url("/rss"), trusted=True)
    assert r.ok and r.body == b"ok"
    on_feed_host = fetch(site.url("/story"), trusted_hosts={"127.0.0.1"})  # a link on a configured feed's host
    assert on_feed_host.ok
    site = answer(lambda p, h: (302, {"Location": "http://10.1.2.3/x", **sized(b"")}, b""))
    hop = fetch(site.url("/rss"), trusted=True)
    assert hop.error and "private" in hop.error
    site = answer(lambda p, h: (302, {"Location": "http://169.254.169.254/latest/", **sized(b"")}, b""))
    metadata = fetch(site.url("/story"), trusted_hosts={"127.0.0.1"})
    assert metadata.error and "link-local" in metadata.error and len(site.requests) == 1


def test_transient_errors_are_retried_and_429_reports_retry_after(answer) -> None:  # type: ignore[no-untyped-def]
    calls = []

    def flaky(path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        calls.append(path)
        return (503, sized(b""), b"") if len(calls) == 1 else (200, sized(b"ok"), b"ok")

    s = HttpSettings(retries=2, allow_private_addresses=True)
    r = fetch(answer(flaky).url("/x"), s)
    assert r.ok and r.attempts == 2
    limited = fetch(answer(lambda p, h: (429, {"Retry-After": "120", **sized(b"")}, b"")).url("/x"), s)
    assert limited.error == "HTTP 429 Too Many Requests" and limited.retry_after == 120 and limited.attempts == 1
    gone = fetch(answer(lambda p, h: (404, sized(b""), b"")).url("/x"), s)
    assert gone.error == "HTTP 404 Not Found" and gone.attempts == 1


def test_dead_and_slow_servers_give_readable_reasons(answer) -> None:  # type: ignore[no-untyped-def]
    port = free_port()  # nothing listens here
    dead = fetch(f"http://127.0.0.1:{port}/rss", HttpSettings(retries=0), trusted=True)
    assert dead.error == f"cannot connect to 127.0.0.1:{port}: Connection refused"

    def slow(path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.5)
        return 200, sized(b"late"), b"late"

    s = HttpSettings(retries=0, timeout_seconds=0.3, allow_private_addresses=True)
    late = fetch(answer(slow).url("/slow"), s)
    assert late.error == "timed out (no answer within 0.3 s)"


def test_long_response_headers_are_read(answer) -> None:  # type: ignore[no-untyped-def]
    policy = "default-src 'self' " + " ".join(f"https://cdn{n}.example.net" for n in range(800))  # ~20 kB
    site = answer(lambda p, h: (200, {"Content-Security-Policy": policy, **sized(b"ok")}, b"ok"))
    r = fetch(site.url("/story"), HttpSettings(allow_private_addresses=True))
    assert r.ok and r.headers["content-security-policy"] == policy


def test_proxies_from_the_environment_apply_and_no_proxy_bypasses_them(answer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The server stands in for the proxy: a request through a proxy names the whole URL.
    site = answer(lambda path, headers: (200, sized(b"via " + path.encode()), b"via " + path.encode()))
    monkeypatch.setenv("HTTP_PROXY", site.url(""))
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.setenv("NO_PROXY", "direct.example")
    monkeypatch.delenv("no_proxy", raising=False)
    r = fetch("http://news.example/story", trusted=True)  # news.example does not resolve: only the proxy can answer
    assert r.ok and r.body == b"via http://news.example/story"
    direct = fetch("http://direct.example/story", trusted=True)
    assert not direct.ok and "direct.example" in (direct.error or "")
    assert [path for path, _ in site.requests] == ["http://news.example/story"]


def test_proxy_credentials_are_sent_to_the_proxy_and_never_shown_in_errors(answer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = answer(lambda path, headers: (403, sized(b""), b""))  # a proxy that blocks the site
    monkeypatch.setenv("HTTP_PROXY", site.url("").replace("http://", "http://reader:s%40cret@"))
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    r = fetch("http://news.example/story", trusted=True)
    [(_, seen)] = site.requests
    assert seen["proxy-authorization"] == "Basic cmVhZGVyOnNAY3JldA=="  # reader:s@cret
    assert r.status == 403 and "cret" not in (r.error or "") and "reader" not in repr(r)


def test_https_through_a_proxy_sends_the_credentials_with_the_tunnel_request(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tunnels: list[dict[str, str]] = []

    class _Proxy(BaseHTTPRequestHandler):
        def do_CONNECT(self) -> None:  # noqa: N802 (http.server's name)
            tunnels.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("HTTPS_PROXY", f"http://reader:s%40cret@127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("https_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        r = fetch("https://news.example/story", trusted=True)
    finally:
        proxy.shutdown()
    assert tunnels and all(t["proxy-authorization"] == "Basic cmVhZGVyOnNAY3JldA==" for t in tunnels)
    assert not r.ok and "403" in (r.error or "") and "cret" not in (r.error or "")
