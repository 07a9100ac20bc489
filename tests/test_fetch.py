import asyncio

import httpx

from flows.config import HttpSettings
from flows.fetch import Fetcher


def fetch(handler, url, settings=None, **kw):
    settings = settings or HttpSettings(retries=1, allow_private_addresses=False)

    async def go():
        async with Fetcher(settings, transport=httpx.MockTransport(handler)) as f:
            return await f.get(url, **kw)

    return asyncio.run(go())


def test_conditional_get_sends_cursors_and_304_costs_nothing():
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return httpx.Response(304)

    r = fetch(handler, "http://127.0.0.1/rss", etag='"abc"', last_modified="Fri, 22 Aug 2025 10:00:00 GMT", trusted=True)
    assert r.not_modified and r.body == b""
    assert seen["if-none-match"] == '"abc"' and seen["if-modified-since"].startswith("Fri")
    assert seen["user-agent"].startswith("nkwatch/") and "gzip" in seen["accept-encoding"]


def test_size_cap_with_and_without_content_length():
    big = b"x" * 2000
    s = HttpSettings(max_bytes=1000, allow_private_addresses=True)
    declared = fetch(lambda r: httpx.Response(200, content=big), "http://127.0.0.1/a", s)
    assert declared.error == "response too large (2,000 bytes declared, limit 1,000)"

    def stream(request):
        return httpx.Response(200, stream=httpx.ByteStream(big))  # no Content-Length header

    streamed = fetch(stream, "http://127.0.0.1/a", s)
    assert streamed.error and "too large" in streamed.error


def test_redirect_loop_and_chain_limit():
    s = HttpSettings(max_redirects=3, allow_private_addresses=True)
    loop = fetch(lambda r: httpx.Response(302, headers={"Location": "/b" if r.url.path == "/a" else "/a"}),
                 "http://127.0.0.1/a", s)
    assert loop.error == "redirect loop"

    def chain(request):
        n = int(request.url.path.strip("/") or 0)
        return httpx.Response(302, headers={"Location": f"/{n + 1}"})

    assert fetch(chain, "http://127.0.0.1/0", s).error == "more than 3 redirects"


def test_only_http_and_no_private_addresses_for_untrusted_links():
    never = []

    def handler(request):
        never.append(request.url)
        return httpx.Response(200)

    assert "only http(s)" in fetch(handler, "file:///etc/passwd").error
    assert "link-local" in fetch(handler, "http://169.254.169.254/latest/meta-data/").error
    assert "loopback" in fetch(handler, "http://127.0.0.1:8080/").error
    assert "private" in fetch(handler, "http://10.0.0.1/").error
    redirect = fetch(lambda r: httpx.Response(302, headers={"Location": "http://169.254.169.254/"}),
                     "http://93.184.215.14/", HttpSettings(retries=0))
    assert redirect.error and "refused" in redirect.error
    assert never == []


def test_trusted_feed_url_may_be_local_but_its_redirect_to_another_host_is_checked():
    r = fetch(lambda r: httpx.Response(200, content=b"ok"), "http://127.0.0.1/rss", trusted=True)
    assert r.ok and r.body == b"ok"
    hop = fetch(lambda r: httpx.Response(302, headers={"Location": "http://10.1.2.3/x"}),
                "http://127.0.0.1/rss", trusted=True)
    assert hop.error and "private" in hop.error


def test_transient_errors_are_retried_and_429_reports_retry_after():
    calls = []

    def flaky(request):
        calls.append(1)
        return httpx.Response(503 if len(calls) == 1 else 200, content=b"ok")

    s = HttpSettings(retries=2, allow_private_addresses=True)
    r = fetch(flaky, "http://127.0.0.1/x", s)
    assert r.ok and r.attempts == 2
    limited = fetch(lambda r: httpx.Response(429, headers={"Retry-After": "120"}), "http://127.0.0.1/x", s)
    assert limited.error == "HTTP 429 Too Many Requests" and limited.retry_after == 120 and limited.attempts == 1
