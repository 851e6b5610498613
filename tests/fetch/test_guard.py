"""The guard at connect time, through the real fetcher (HOSTILE.md A1–A6, A15, A18 get_page)."""

from __future__ import annotations

import asyncio

import pytest

from tidings.adapters.http.fetcher import HttpFetcher
from tidings.errors import DestinationNotAllowedError, SettingsError
from tidings.model import Fetched, FetchError

from .conftest import (
    INTERNAL,
    PUBLIC,
    FakeResolver,
    RawServer,
    Tripwire,
    make_fetcher,
    make_settings,
    respond,
)

# A1


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.2:70/",
        "dict://127.0.0.2:11211/",
        "ftp://x/",
        "javascript:alert(1)",
        "data:,x",
        "jar:http://x!/",
        "feed:file:///etc/passwd",
    ],
)
async def test_bad_scheme_rejected_before_any_io(url: str, tripwire: Tripwire) -> None:
    async with make_fetcher() as fetcher:
        result = await fetcher.fetch(url)
    assert isinstance(result, FetchError)
    assert "unsupported scheme" in result.message or "not an absolute URL" in result.message
    assert tripwire.connects == []


async def test_feed_scheme_is_rewritten_and_fetched() -> None:
    async with RawServer(respond()) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(f"feed://public.test:{server.port}/feed")
        result2 = await fetcher.fetch(f"feed:http://public.test:{server.port}/feed")
    assert isinstance(result, Fetched) and isinstance(result2, Fetched)
    assert result.url == f"http://public.test:{server.port}/feed"


# A2 + A3: literal and alternately encoded loopback, without an allowlist entry


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "127.1",
        "017700000001",
        "0177.0.0.1",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[::127.0.0.1]",
        "[::1]",
        "localhost",
    ],
)
async def test_loopback_in_any_spelling_is_refused(host: str, tripwire: Tripwire) -> None:
    fetcher = make_fetcher(allow=(PUBLIC,))
    fetcher._resolver = None  # the real getaddrinfo, as in production
    async with RawServer(respond(), host="127.0.0.1") as server, fetcher:
        result = await fetcher.fetch(f"http://{host}:{server.port}/feed")
    assert isinstance(result, FetchError), result
    # refused by the policy (the media proxy's 403, #15), or no address at all
    assert result.refused or "invalid URL" in result.message, result
    assert server.connections == 0
    assert tripwire.connects == []


async def test_internal_role_literal_refused_public_role_allowed(tripwire: Tripwire) -> None:
    async with (
        RawServer(respond(), host=INTERNAL) as internal,
        RawServer(respond()) as public,
        make_fetcher() as fetcher,
    ):
        refused = await fetcher.fetch(f"http://{INTERNAL}:{internal.port}/feed")
        allowed = await fetcher.fetch(f"http://{PUBLIC}:{public.port}/feed")
    assert isinstance(refused, FetchError) and "not allowed" in refused.message
    assert refused.refused and not refused.too_large  # the media proxy's 403 (#15)
    assert isinstance(allowed, Fetched)
    assert internal.connections == 0
    assert tripwire.hosts() == {PUBLIC}


# A4: names resolving to private addresses, mixed answers, rebinding


@pytest.mark.parametrize(
    "name",
    [
        "internal.test",
        "metadata.test",
        "private.test",
        "ula.test",
        "mixed.test",
        "mixed-private.test",
    ],
)
async def test_name_resolving_to_any_private_address_is_refused(
    name: str, tripwire: Tripwire
) -> None:
    async with (
        RawServer(respond()) as public,
        RawServer(respond(), host=INTERNAL, port=public.port) as internal,
        make_fetcher() as fetcher,
    ):
        result = await fetcher.fetch(f"http://{name}:{public.port}/feed")
    assert isinstance(result, FetchError)
    assert "destination not allowed" in result.message
    assert public.connections == 0 and internal.connections == 0
    assert tripwire.connects == []


async def test_dns_rebinding_never_reaches_the_internal_address(tripwire: Tripwire) -> None:
    resolver = FakeResolver({"rebind.test": [[PUBLIC], [INTERNAL], [INTERNAL]]})
    async with (
        RawServer(respond(), host=PUBLIC) as public,
        RawServer(respond(), host=INTERNAL, port=public.port) as internal,
        make_fetcher(resolver=resolver) as fetcher,
    ):
        first = await fetcher.fetch(f"http://rebind.test:{public.port}/feed")
        fetcher._get_session().connector.clear_dns_cache()  # type: ignore[union-attr]
        second = await fetcher.fetch(f"http://rebind.test:{public.port}/feed")
    assert isinstance(first, Fetched)
    assert isinstance(second, FetchError) and "not allowed" in second.message
    assert internal.connections == 0
    assert INTERNAL not in tripwire.hosts()
    # one lookup per dial: the address checked is the address dialled
    assert resolver.calls == ["rebind.test", "rebind.test"]


async def test_unknown_name_is_a_dns_error() -> None:
    async with make_fetcher() as fetcher:
        result = await fetcher.fetch("http://nxdomain.test/feed")
    assert isinstance(result, FetchError) and "DNS lookup failed" in result.message


# A5: redirects


def _redirect(location: str, status: int = 302) -> object:
    return respond(status, b"", {"Location": location}, reason="Redirect")


@pytest.mark.parametrize(
    "location",
    [
        "http://internal.test:{port}/feed",
        "http://metadata.test/latest/meta-data/",
        "http://127.0.0.3:{port}/feed",
        "http://[::ffff:127.0.0.3]:{port}/feed",
        "file:///etc/passwd",
        "gopher://public.test:{port}/",
        "http://user:pw@public.test:{port}/x",
    ],
)
async def test_redirect_hops_are_revalidated(location: str, tripwire: Tripwire) -> None:
    async with RawServer(respond(), host=INTERNAL) as internal:
        target = location.format(port=internal.port)
        async with RawServer(_redirect(target)) as server, make_fetcher() as fetcher:  # type: ignore[arg-type]
            result = await fetcher.fetch(server.url("/start"))
    assert isinstance(result, FetchError)
    assert result.message.startswith("bad redirect") or "not allowed" in result.message
    assert internal.connections == 0
    assert tripwire.hosts() <= {PUBLIC}


async def test_redirect_loop_detected() -> None:
    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        to = "/b" if head.startswith(b"GET /a ") else "/a"
        await respond(301, b"", {"Location": to})(head, reader, w)

    async with RawServer(script) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url("/a"))
    assert isinstance(result, FetchError) and result.message == "redirect loop"
    assert server.connections == 2


async def test_too_many_redirects() -> None:
    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        n = int(head.split(b" ")[1].strip(b"/") or b"0")
        await respond(302, b"", {"Location": f"/{n + 1}"})(head, reader, w)

    async with RawServer(script) as server, make_fetcher(max_redirects=3) as fetcher:
        result = await fetcher.fetch(server.url("/0"))
    assert isinstance(result, FetchError) and "too many redirects" in result.message
    assert server.connections == 4  # the first request and three hops


async def test_relative_and_protocol_relative_redirects_followed() -> None:
    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        path = head.split(b" ")[1]
        if path == b"/dir/start":
            await respond(308, b"", {"Location": "next?x=1"})(head, reader, w)
        elif path == b"/dir/next?x=1":
            loc = f"//public.test:{server.port}/final"
            await respond(301, b"", {"Location": loc})(head, reader, w)
        else:
            await respond(200, b"<rss>final</rss>")(head, reader, w)

    async with RawServer(script) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url("/dir/start"))
    assert isinstance(result, Fetched), result
    assert result.body == b"<rss>final</rss>"
    assert result.url == server.url("/final")
    assert result.permanent_redirect == server.url("/final")  # 308 then 301: permanent


async def test_temporary_hop_in_chain_means_no_permanent_redirect() -> None:
    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        path = head.split(b" ")[1]
        if path == b"/a":
            await respond(301, b"", {"Location": "/b"})(head, reader, w)
        elif path == b"/b":
            await respond(307, b"", {"Location": "/c"})(head, reader, w)
        else:
            await respond(200, b"<rss/>")(head, reader, w)

    async with RawServer(script) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url("/a"))
    assert isinstance(result, Fetched)
    assert result.url == server.url("/c") and result.permanent_redirect is None


async def test_permanent_redirect_to_another_host() -> None:
    async with RawServer(respond(), host="127.0.0.1") as other:
        target = f"http://127.0.0.1:{other.port}/moved"
        async with RawServer(_redirect(target, 301)) as server, make_fetcher() as fetcher:  # type: ignore[arg-type]
            result = await fetcher.fetch(server.url("/old"))
    assert isinstance(result, Fetched) and result.permanent_redirect == target


async def test_redirect_without_location_is_an_error() -> None:
    async with RawServer(respond(302, b"")) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, FetchError) and "without Location" in result.message


# A6 / A17: proxies


@pytest.mark.parametrize("var", ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"])
async def test_environment_proxies_are_ignored(var: str, tripwire: Tripwire) -> None:
    import os

    os.environ[var] = "http://127.0.0.9:1"
    try:
        async with RawServer(respond()) as server, make_fetcher() as fetcher:
            result = await fetcher.fetch(server.url())
    finally:
        del os.environ[var]
    assert isinstance(result, Fetched)
    assert "127.0.0.9" not in tripwire.hosts()


async def test_connector_refuses_any_proxy(tripwire: Tripwire) -> None:
    async with RawServer(respond()) as server, make_fetcher() as fetcher:
        session = fetcher._get_session()
        with pytest.raises(DestinationNotAllowedError):
            await session.get(server.url(), proxy=f"http://{INTERNAL}:1")
    assert tripwire.connects == []


# get_page (discovery / full text) is under the same guard


async def test_get_page_is_guarded_and_returns_bytes() -> None:
    page = "<html><head><title>Ünïcode</title></head></html>".encode()
    headers = {"Content-Type": "text/html; charset=utf-8"}
    async with RawServer(respond(200, page, headers)) as server, make_fetcher() as fetcher:
        ok = await fetcher.get_page(server.url("/page"))
        refused = await fetcher.get_page(server.url("/page", host="metadata.test"))
    assert isinstance(ok, Fetched) and ok.body == page
    assert ok.content_type == "text/html; charset=utf-8"
    assert isinstance(refused, FetchError) and "not allowed" in refused.message
    assert b"Accept: text/html" in server.heads[0]


async def test_allowlist_setting_opens_loopback_and_rejects_garbage() -> None:
    settings = make_settings(allow_private_networks=f"{PUBLIC}/32")
    async with RawServer(respond()) as server, HttpFetcher(settings) as fetcher:
        fetcher._resolver = FakeResolver()
        result = await fetcher.fetch(server.url())
    assert isinstance(result, Fetched)
    with pytest.raises(SettingsError, match="allow_private_networks"):
        HttpFetcher(make_settings(allow_private_networks="not a network/99"))
