"""HTTP semantics: fairness (A12), hints (A13), conditional GET (A14), statuses, headers."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from feedserver import FeedServer
from multidict import CIMultiDict, CIMultiDictProxy

from tidings.adapters.http.hints import MAX_HINT, MIN_HINT, max_age, retry_after
from tidings.model import Caching, Fetched, FetchError, NotModified

from .conftest import PUBLIC, FakeResolver, RawServer, make_fetcher, respond

FEED = b"<rss version='2.0'><channel><title>x</title></channel></rss>"

# FeedServer: the happy path over real HTTP (redirects, gzip, ETag/304, User-Agent)


async def test_feedserver_round_trip_with_conditional_get() -> None:
    with FeedServer() as server:
        resource = server.set("/feed.xml", FEED, gzip=True)
        server.redirect("/old.xml", "/feed.xml", status=301)
        async with make_fetcher() as fetcher:
            first = await fetcher.fetch(server.url("/old.xml"))
            assert isinstance(first, Fetched), first
            second = await fetcher.fetch(first.url, first.caching)
        requests = server.requests
        target = server.url("/feed.xml")
    assert first.body == FEED
    assert first.permanent_redirect == target
    assert first.caching == Caching(resource.etag, resource.last_modified)
    assert isinstance(second, NotModified) and second.caching == first.caching
    assert requests[1].headers["Accept-Encoding"] == "gzip, deflate, br"
    assert requests[2].headers["If-None-Match"] == resource.etag
    assert requests[2].headers["If-Modified-Since"] == resource.last_modified
    assert all(
        r.headers["User-Agent"] == "Tidings-test/1.0 (+https://example.invalid)" for r in requests
    )


# A14: conditional GET


async def test_validators_are_sent_and_stored_verbatim() -> None:
    weird_etag = 'W/"x y;z=1"'
    future = "Fri, 01 Jan 2100 00:00:00 GMT"
    headers = {"ETag": 'W/"next"', "Last-Modified": future}
    async with RawServer(respond(200, FEED, headers)) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url(), Caching(weird_etag, "garbage date"))
    assert isinstance(result, Fetched)
    assert result.caching == Caching('W/"next"', future)
    assert f"If-None-Match: {weird_etag}\r\n".encode() in server.heads[0]
    assert b"If-Modified-Since: garbage date\r\n" in server.heads[0]


async def test_unsafe_validators_are_not_sent() -> None:
    async with RawServer(respond()) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url(), Caching('"a"\r\nX-Injected: 1', "x" * 5000))
    assert isinstance(result, Fetched)
    assert b"X-Injected" not in server.heads[0] and b"If-" not in server.heads[0]


async def test_304_without_sent_validators_is_an_error() -> None:
    async with RawServer(respond(304, b"")) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, FetchError) and result.message == "304 without validators"


async def test_304_keeps_old_validators_when_the_server_sends_none() -> None:
    async with RawServer(respond(304, b"")) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url(), Caching(etag='"v1"'))
    assert result == NotModified(Caching(etag='"v1"'))


async def test_304_with_new_validators_updates_them() -> None:
    headers = {"ETag": '"v2"', "Cache-Control": "max-age=3600"}
    async with RawServer(respond(304, b"", headers)) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url(), Caching('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT"))
    assert isinstance(result, NotModified)
    assert result.caching == Caching('"v2"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.hints.max_age == 3600


async def test_etag_changing_every_time_is_stored_each_time() -> None:
    count = 0

    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        nonlocal count
        count += 1
        await respond(200, FEED, {"ETag": f'"{count}"'})(head, reader, w)

    async with RawServer(script) as server, make_fetcher() as fetcher:
        first = await fetcher.fetch(server.url())
        assert isinstance(first, Fetched)
        second = await fetcher.fetch(server.url(), first.caching)
    assert isinstance(second, Fetched)
    assert (first.caching.etag, second.caching.etag) == ('"1"', '"2"')


# statuses


@pytest.mark.parametrize(
    ("status", "gone"), [(404, False), (410, True), (401, False), (500, False), (502, False)]
)
async def test_error_statuses(status: int, gone: bool) -> None:
    async with RawServer(respond(status, b"error page")) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, FetchError)
    assert result.status == status and result.gone is gone


# A13: Retry-After and freshness hints


@pytest.mark.parametrize(
    ("status", "value", "expected"),
    [
        (429, "120", 120.0),
        (503, "0", MIN_HINT),
        (429, "1000000000000", MAX_HINT),
        (429, "9" * 5000, MAX_HINT),
        (429, "-5", None),
        (429, "soon", None),
        (503, "Sat, 01 Jan 2000 01:00:00 GMT", 3600.0),  # relative to the skewed Date
        (503, "Fri, 31 Dec 1999 23:00:00 GMT", None),  # in the past
        (429, "Mon, 99 Foo 10000 99:99:99 GMT", None),
    ],
)
async def test_retry_after(status: int, value: str, expected: float | None) -> None:
    headers = {"Retry-After": value, "Date": "Sat, 01 Jan 2000 00:00:00 GMT"}
    async with RawServer(respond(status, b"", headers)) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, FetchError) and result.status == status
    assert result.hints.retry_after == expected


def _headers(**values: str) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict({k.replace("_", "-"): v for k, v in values.items()}))


def test_retry_after_date_without_server_date_uses_our_clock() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)
    seconds = retry_after(_headers(Retry_After=when))
    assert seconds is not None and 7100 < seconds <= 7200


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Cache-Control": "public, max-age=1800"}, 1800.0),
        ({"Cache-Control": "max-age=0"}, MIN_HINT),
        ({"Cache-Control": "max-age=99999999999"}, MAX_HINT),
        ({"Cache-Control": 'max-age="600"'}, 600.0),
        ({"Cache-Control": "max-age=-1"}, None),
        ({"Cache-Control": "max-age=abc"}, None),
        ({"Cache-Control": "no-cache"}, None),
        ({"Expires": "0"}, None),
        ({"Expires": "garbage"}, None),
        (
            {"Expires": "Sat, 01 Jan 2000 02:00:00 GMT", "Date": "Sat, 01 Jan 2000 00:00:00 GMT"},
            7200.0,
        ),
        (
            {"Expires": "Fri, 31 Dec 1999 00:00:00 GMT", "Date": "Sat, 01 Jan 2000 00:00:00 GMT"},
            None,
        ),
        ({"Cache-Control": "max-age=900", "Expires": "Sat, 01 Jan 2000 02:00:00 GMT"}, 900.0),
    ],
)
def test_max_age(headers: dict[str, str], expected: float | None) -> None:
    assert max_age(CIMultiDictProxy(CIMultiDict(headers))) == expected


async def test_max_age_reaches_fetched_hints() -> None:
    headers = {"Cache-Control": "max-age=7200"}
    async with RawServer(respond(200, FEED, headers)) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, Fetched) and result.hints.max_age == 7200.0


# request headers, cookies


async def test_request_headers_and_no_cookie_jar() -> None:
    headers = {"Set-Cookie": "session=secret; Path=/"}
    async with RawServer(respond(200, FEED, headers)) as server, make_fetcher() as fetcher:
        await fetcher.fetch(server.url())
        await fetcher.fetch(server.url())
    first, second = server.heads
    assert b"User-Agent: Tidings-test/1.0 (+https://example.invalid)\r\n" in first
    assert b"Accept: application/rss+xml" in first
    assert b"Cookie" not in second


# A12: fairness and bounded concurrency


async def test_slow_host_does_not_starve_fast_host() -> None:
    async def slow(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(1.0)
        await respond()(head, reader, w)

    resolver = FakeResolver({"slow.test": [PUBLIC], "fast.test": ["127.0.0.4"]})
    async with (
        RawServer(slow) as slow_server,
        RawServer(respond(), host="127.0.0.4") as fast_server,
        make_fetcher(
            allow=(PUBLIC, "127.0.0.4"), resolver=resolver, concurrency=8, per_host_concurrency=2
        ) as fetcher,
    ):
        slow_tasks = [
            asyncio.create_task(fetcher.fetch(slow_server.url(f"/{i}", host="slow.test")))
            for i in range(20)
        ]
        await asyncio.sleep(0.05)
        started = time.monotonic()
        fast = await asyncio.gather(
            *(fetcher.fetch(fast_server.url(f"/{i}", host="fast.test")) for i in range(20))
        )
        fast_elapsed = time.monotonic() - started
        for task in slow_tasks:
            task.cancel()
        await asyncio.gather(*slow_tasks, return_exceptions=True)
    assert all(isinstance(r, Fetched) for r in fast), fast
    assert fast_elapsed < 0.8  # the fast host never waited behind the slow one
    assert slow_server.max_open <= 2
    assert fast_server.max_open <= 2


async def test_global_concurrency_is_bounded() -> None:
    async def slowish(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.2)
        await respond()(head, reader, w)

    names = {f"h{i}.test": [PUBLIC] for i in range(6)}
    async with (
        RawServer(slowish) as server,
        make_fetcher(resolver=FakeResolver(names), concurrency=3, per_host_concurrency=2) as f,
    ):
        results = await asyncio.gather(
            *(f.fetch(server.url(f"/{i}", host=f"h{i % 6}.test")) for i in range(12))
        )
        assert f._hosts == {}  # per-host slots are dropped when idle
    assert all(isinstance(r, Fetched) for r in results)
    assert server.max_open <= 3
