"""In Chromium (#15): the browser's time zone reaches the account at setup, and a
story's images load through the media proxy under a page policy of img-src 'self'.

``tidings serve`` in a subprocess with ``media_proxy = all``; the images and the feed
on a loopback fixture server (which the reader may reach: allow_private_networks).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer

from web.newsroom import thumbnail
from web.test_browser import ARGS, CHROMIUM, PASSWORD, Reader, sync_api

pytestmark = [pytest.mark.browser]


def _feed(base: str) -> bytes:
    body = (
        f'<p>The pier at dawn.</p><p><img src="{base}/img/pier.png" alt="The pier"></p>'
        "<p>Fishing boats went out before the storm.</p>"
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Pier Post</title><link>https://pier.example/</link>
<description>d</description>
<item><title>Dawn at the pier</title><link>https://pier.example/1</link><guid>p1</guid>
<pubDate>Wed, 15 Jan 2025 20:00:00 GMT</pubDate>
<description>{body.replace("&", "&amp;").replace("<", "&lt;")}</description></item>
</channel></rss>""".encode()


@pytest.fixture
def site() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set("/img/pier.png", thumbnail(3, 320, 200), content_type="image/png")
        server.set("/pier.xml", _feed(server.url("").rstrip("/")))
        yield server


@pytest.fixture
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    server = Reader(tmp_path_factory.mktemp("reader"), media_proxy="all")
    yield server
    server.stop()


@pytest.fixture
def tokyo() -> Iterator[Any]:
    """A page in a browser whose time zone is Asia/Tokyo."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1100, "height": 800}, timezone_id="Asia/Tokyo"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def test_the_browsers_zone_and_proxied_images(
    tokyo: Any, reader: Reader, site: FeedServer, tmp_path: Path
) -> None:
    page = tokyo
    page.goto(reader.base + "/")
    assert page.url.endswith("/setup")
    assert page.locator("input[data-browser-zone]").input_value() == "Asia/Tokyo"
    page.fill('input[name="name"]', "editor")
    page.fill('input[name="password"]', PASSWORD)
    page.fill('input[name="confirm"]', PASSWORD)
    page.click("text=Create account")
    page.wait_for_url("**/subscriptions")
    page.fill('input[name="url"]', site.url("/pier.xml"))
    page.click("button:has-text('Subscribe')")
    page.wait_for_url("**/subscriptions?added=*")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(reader.base + "/")
        if page.locator("#cards .card").count():
            break
        time.sleep(0.3)
    page.locator("#cards .card a.open").first.click()
    page.wait_for_url("**/entry/*")
    response = page.reload()
    policy = response.headers["content-security-policy"]
    assert "img-src 'self' data:;" in policy
    assert "16 Jan 2025, 05:00 JST" in page.locator("#story .meta time").inner_text()

    image = page.locator("#story .body img")
    assert image.get_attribute("src").startswith("/proxy/")
    page.wait_for_function("document.querySelector('#story .body img').complete")
    assert image.evaluate("i => i.naturalWidth") == 320  # it loaded, through us
    fetched = [r for r in site.requests if r.path == "/img/pier.png"]
    assert fetched and all(r.headers.get("User-Agent", "").startswith("Tidings") for r in fetched)
    assert all("Cookie" not in r.headers for r in fetched)
    page.screenshot(path=str(tmp_path / "proxied-story.png"))
