"""#15 in a real browser: subscribing to a site page that names two feeds lists
them and the reader chooses the second; renaming a feed on its settings page
renames it in the sidebar, the cards and the feeds page, and back again. Both
pages fit a 360 px phone (test_browser_reading.py checks every page at 360 and
390 px; this checks them with a long name and long choices in them).

``tidings serve`` in a subprocess as in test_browser.py, Debian's chromium.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer

from web import test_browser as kit
from web.newsroom import gazette

pytestmark = [pytest.mark.browser]
sync_api = kit.sync_api
expect = kit.expect

LONG = "/feeds/" + "the-whole-harbour-and-every-tide-table-" * 4 + "comments.xml"


def site_page() -> bytes:
    """A site's page naming two feeds (the second with a long title and address)."""
    return (
        b"<html><head><title>The Harbour Gazette</title>"
        b'<link rel="alternate" type="application/rss+xml" title="Gazette: all stories"'
        b' href="/gazette.xml">'
        b'<link rel="alternate" type="application/rss+xml" title="Coast Radio: every bulletin,'
        b' every weather warning and every ferry timetable change, as it happens"'
        b' href="/coast.xml">'
        b'<link rel="alternate" type="application/atom+xml" title="Comments" href="'
        + LONG.encode()
        + b'"></head><body>News</body></html>'
    )


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        base = server.url("").rstrip("/")
        server.set("/gazette.xml", gazette(base))
        server.set("/coast.xml", gazette(base, count=5, title="Coast Radio"))
        server.set("/", site_page(), content_type="text/html")
        yield server


@pytest.fixture
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kit.Reader]:
    server = kit.Reader(tmp_path_factory.mktemp("reader"))
    yield server
    server.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=kit.CHROMIUM, headless=True, args=kit.ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("TIDINGS_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fits(page: Any) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= min(inner, page.viewport_size["width"]), (page.url, scroll, inner)


def test_choose_the_second_feed_a_site_names_then_rename_it(
    browser: Any, reader: kit.Reader, feeds: FeedServer, shots: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(reader.base + "/")
    page.fill('input[name="name"]', "editor")
    page.fill('input[name="password"]', kit.PASSWORD)
    page.fill('input[name="confirm"]', kit.PASSWORD)
    page.click("text=Create account")
    page.wait_for_url("**/subscriptions")

    page.fill('input[name="url"]', feeds.url("/"))
    page.fill('input[name="category"]', "Harbour")
    page.click("button:has-text('Subscribe')")
    choices = page.locator(".choose-feed .feed-choices li")
    expect(choices).to_have_count(3)
    assert "names 3 feeds" in page.locator(".choose-feed legend").inner_text()
    assert "Gazette: all stories" in choices.nth(0).inner_text()
    assert "Coast Radio: every bulletin" in choices.nth(1).inner_text()
    assert feeds.url("/coast.xml") in choices.nth(1).inner_text()
    assert page.locator('.choose-feed input[type="radio"]').first.is_checked()
    _fits(page)  # long titles and addresses wrap on a phone
    page.screenshot(path=str(shots / "phone-choose-feed.png"), full_page=True)
    choices.nth(1).locator("label").click()  # the label, as a thumb would
    assert page.locator('.choose-feed input[type="radio"]').nth(1).is_checked()
    page.click("button:has-text('Subscribe to this feed')")
    page.wait_for_url("**/subscriptions?added=*")
    feed_id = page.url.rsplit("=", 1)[1]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(reader.base + "/subscriptions")
        if "Coast Radio" in page.locator(".health").inner_text():
            break
        time.sleep(0.3)
    health = page.locator(".health tbody tr")
    expect(health).to_have_count(1)
    assert "Coast Radio" in health.first.inner_text()
    assert feeds.url("/coast.xml") in health.first.inner_text()
    assert feeds.hits("/gazette.xml") == 1  # checked once while listing, never subscribed
    assert feeds.hits(LONG) == 0

    page.goto(f"{reader.base}/feed/{feed_id}/edit")
    name = page.locator('input[name="title"]')
    assert name.get_attribute("placeholder") == "Coast Radio"
    long_name = "Radio <i>by the quay</i> " + "Seagrassandkelpandwhelks" * 12
    name.fill(long_name)
    page.click("button:has-text('Save')")
    page.wait_for_url("**/edit?saved=1")  # the field holds 200 characters: nothing to cut
    assert page.locator(".notice").inner_text() == "Saved."
    assert page.locator("h1").inner_text() == long_name[:200]
    _fits(page)
    page.screenshot(path=str(shots / "phone-feed-rename.png"), full_page=True)
    page.goto(reader.base + "/category/Harbour")  # its category open in the sidebar
    page.click(".menu-toggle")
    assert "Radio <i>by the quay</i>" in page.locator("#sidebar").inner_text()
    _fits(page)
    expect(page.locator("#cards .card").first).to_contain_text("Radio <i>by the quay</i>")
    page.goto(reader.base + "/subscriptions")
    assert "Radio <i>by the quay</i>" in page.locator(".health").inner_text()
    _fits(page)

    page.goto(f"{reader.base}/feed/{feed_id}/edit")
    page.fill('input[name="title"]', "")
    page.click("button:has-text('Save')")
    page.wait_for_url("**/edit?saved=1")
    assert page.locator("h1").inner_text() == "Coast Radio"
    page.goto(reader.base + "/category/Harbour")
    assert "Coast Radio" in page.locator("#sidebar").inner_text()
    assert "by the quay" not in page.content()
    context.close()
