"""Feed icons (#12): found, fetched through the guarded fetcher, sniffed, stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from feeds import rss
from feedserver import FeedServer

from tidings.adapters.http.fetcher import HttpFetcher
from tidings.adapters.store import open_store
from tidings.adapters.store.sqlite.writer import StoreWriter
from tidings.aggregator.facade import Aggregator
from tidings.content.icons import MAX_ICON_BYTES, icon_sources, sniff_image
from tidings.model import FeedId, FeedUpdate, Icon
from tidings.parser.discovery import find_icon_links
from tidings.refresh.pool import Processors
from tidings.settings import load_settings
from tidings.worker.loop import run_worker

PNG = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 17
ICO = b"\0\0\1\0\1\0" + b"\x10\x10" + b"\0" * 14
GIF = b"GIF89a\1\0\1\0" + b"\0" * 8
WEBP = b"RIFF\x1a\0\0\0WEBPVP8 " + b"\0" * 14
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _atom_with_icon(icon: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Iconic</title><id>urn:i</id>
<updated>2026-11-20T00:00:00Z</updated><icon>{icon}</icon>
<entry><id>urn:i:1</id><title>One</title><updated>2026-11-20T00:00:00Z</updated></entry>
</feed>""".encode()


def _agg(db_url: str, allow: str) -> Aggregator:
    settings = load_settings(
        {"db": db_url, "allow_private_networks": allow}, environ={}
    )
    store = open_store(settings.db_url)
    return Aggregator(
        settings,
        store,
        new_fetcher=lambda: HttpFetcher(settings),
        writer=StoreWriter(store),
        processors=Processors(1),
    )


@pytest.fixture
def agg(db_url: str) -> Iterator[Aggregator]:
    with _agg(db_url, "127.0.0.0/8") as agg:
        yield agg


def _follow_and_refresh(agg: Aggregator, url: str) -> FeedId:
    user = agg.user_id()
    feed = agg.store.add_feed(user, url, category=None, now=datetime.now(UTC))
    asyncio.run(agg.refresh())
    assert agg.store.get_feed_state(feed.id).last_success_at is not None
    return feed.id


def _icon(agg: Aggregator, feed_id: FeedId) -> Icon | None:
    return agg.store.get_icon(agg.user_id(), feed_id)


def test_sniffing_keeps_five_image_types_and_nothing_else() -> None:
    assert [sniff_image(b) for b in (PNG, ICO, GIF, WEBP, b"\xff\xd8\xff\xe0" + b"\0" * 8)] == [
        "image/png",
        "image/x-icon",
        "image/gif",
        "image/webp",
        "image/jpeg",
    ]
    for other in (SVG, b"<!doctype html><html>", b"", b"GIF89a", b"\0\0\1\0\0\0", b"RIFF1234WAVE"):
        assert sniff_image(other) is None


def test_sources_are_the_feeds_icon_then_the_sites_favicon() -> None:
    assert icon_sources("https://cdn.example/i.png", "https://site.example/blog/", "x") == [
        "https://cdn.example/i.png",
        "https://site.example/favicon.ico",
    ]
    assert icon_sources(None, None, "http://u:p@feeds.example:8080/f.xml") == [
        "http://feeds.example:8080/favicon.ico"
    ]
    assert icon_sources("javascript:alert(1)", "data:x", "ftp://x/") == []


def test_an_atom_icon_is_fetched_and_stored_as_sniffed(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    feed_server.set("/img/icon", PNG, content_type="text/plain")  # the bytes decide
    feed_server.set("/atom.xml", _atom_with_icon(feed_server.url("/img/icon")))
    feed_id = _follow_and_refresh(agg, feed_server.url("/atom.xml"))
    assert asyncio.run(agg.icons.fetch_due()) == 1
    icon = _icon(agg, feed_id)
    assert icon is not None and icon.error is None
    assert (icon.data, icon.content_type) == (PNG, "image/png")
    assert icon.source_url == feed_server.url("/img/icon")
    assert feed_server.hits("/favicon.ico") == 0
    assert asyncio.run(agg.icons.fetch_due()) == 0  # stored: not due for 30 days
    later = datetime.now(UTC) + timedelta(days=31)
    assert asyncio.run(agg.icons.fetch_due(later)) == 1


def test_a_feed_without_an_icon_gets_its_sites_favicon(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    feed_server.set("/favicon.ico", ICO, content_type="image/vnd.microsoft.icon")
    feed_server.set("/rss.xml", rss(2, base=feed_server.url("/")))
    feed_id = _follow_and_refresh(agg, feed_server.url("/rss.xml"))
    asyncio.run(agg.icons.fetch_due())
    icon = _icon(agg, feed_id)
    assert icon is not None and (icon.data, icon.content_type) == (ICO, "image/x-icon")
    assert icon.source_url == feed_server.url("/favicon.ico")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(SVG, "image/svg+xml"), (b"<!doctype html><title>hi</title>", "text/html")],
)
def test_an_svg_or_a_page_is_refused_and_the_refusal_recorded(
    agg: Aggregator, feed_server: FeedServer, body: bytes, content_type: str
) -> None:
    feed_server.set("/icon", body, content_type=content_type)
    feed_server.set("/favicon.ico", body, content_type=content_type)
    feed_server.set("/atom.xml", _atom_with_icon(feed_server.url("/icon")))
    feed_id = _follow_and_refresh(agg, feed_server.url("/atom.xml"))
    asyncio.run(agg.icons.fetch_due())
    icon = _icon(agg, feed_id)
    assert icon is not None and icon.data is None and icon.content_type is None
    refused = f"not an image we keep ({content_type})"
    assert icon.error == f"{refused}; {refused}"  # the icon, then /favicon.ico
    assert asyncio.run(agg.icons.fetch_due()) == 0  # tried again after a day
    tomorrow = datetime.now(UTC) + timedelta(days=1, hours=1)
    assert asyncio.run(agg.icons.fetch_due(tomorrow)) == 1


def test_an_oversized_icon_is_refused(agg: Aggregator, feed_server: FeedServer) -> None:
    feed_server.set("/big.png", PNG + b"\0" * MAX_ICON_BYTES, content_type="image/png")
    feed_server.set("/atom.xml", _atom_with_icon(feed_server.url("/big.png")))
    feed_id = _follow_and_refresh(agg, feed_server.url("/atom.xml"))
    asyncio.run(agg.icons.fetch_due())
    icon = _icon(agg, feed_id)
    assert icon is not None and icon.data is None
    assert icon.error is not None and icon.error.startswith("response too large")
    assert "HTTP 404" in icon.error  # then no /favicon.ico either


def test_a_private_address_is_refused_unless_allowed(
    db_url: str, feed_server: FeedServer
) -> None:
    with _agg(db_url, "") as agg:  # loopback not allowed: the icon URL is refused
        feed_server.set("/icon.png", PNG, content_type="image/png")
        user = agg.user_id()
        feed = agg.store.add_feed(
            user, "https://feeds.example/f", category=None, now=datetime.now(UTC)
        )
        now = datetime.now(UTC)
        agg.store.apply_refresh(
            FeedUpdate(
                feed.id, now, now, icon=feed_server.url("/icon.png"), link=feed_server.url("/")
            ),
            [],
        )
        asyncio.run(agg.icons.fetch_due())
        icon = agg.store.get_icon(user, feed.id)
        assert icon is not None and icon.data is None
        assert icon.error is not None and "destination not allowed" in icon.error
        assert feed_server.hits("/icon.png") == 0


def test_the_scheduler_loop_fetches_icons_after_its_pass(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    feed_server.set("/favicon.ico", GIF, content_type="image/gif")
    feed_server.set("/rss.xml", rss(1, base=feed_server.url("/")))
    user = agg.user_id()
    feed = agg.store.add_feed(
        user, feed_server.url("/rss.xml"), category=None, now=datetime.now(UTC)
    )
    asyncio.run(run_worker(agg, once=True))
    icon = _icon(agg, feed.id)
    assert icon is not None and icon.content_type == "image/gif"


def test_the_sites_link_rel_icon_comes_before_its_favicon_and_svg_is_skipped(
    agg: Aggregator, feed_server: FeedServer
) -> None:
    feed_server.set(
        "/",
        b"""<!doctype html><html><head><title>Site</title>
<link rel="icon" type="image/svg+xml" href="/vector.svg">
<link rel="shortcut icon" href="/static/fav.png">
<link rel="apple-touch-icon" href="/static/touch.png">
</head><body>hi</body></html>""",
        content_type="text/html",
    )
    feed_server.set("/static/fav.png", PNG, content_type="image/png")
    feed_server.set("/favicon.ico", ICO, content_type="image/x-icon")
    feed_server.set("/vector.svg", SVG, content_type="image/svg+xml")
    feed_server.set("/rss.xml", rss(1, base=feed_server.url("/")))
    feed_id = _follow_and_refresh(agg, feed_server.url("/rss.xml"))
    asyncio.run(agg.icons.fetch_due())
    icon = _icon(agg, feed_id)
    assert icon is not None and icon.source_url == feed_server.url("/static/fav.png")
    assert feed_server.hits("/vector.svg") == 0 and feed_server.hits("/favicon.ico") == 0


def test_page_icon_links_rank_icons_before_touch_icons_and_skip_svg_and_data() -> None:
    page = b"""<html><head><base href="https://cdn.example/s/">
<link rel="apple-touch-icon" href="touch.png">
<link rel="ICON" href="data:image/png;base64,AAAA">
<link rel="icon" href="logo.svg?v=2">
<link rel="shortcut icon" href="fav.ico">
<link rel="icon" sizes="32x32" href="https://img.example/32.png">
<link rel="stylesheet" href="s.css"></head></html>"""
    assert find_icon_links(page, "https://site.example/") == [
        "https://cdn.example/s/fav.ico",
        "https://img.example/32.png",
        "https://cdn.example/s/touch.png",
    ]
    assert find_icon_links(b"", "https://site.example/") == []
