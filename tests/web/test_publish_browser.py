"""A public publication's page in Chromium (#14): the river, a story with its canonical
link and the source credited, the feeds found by autodiscovery, no cookie, paging."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import WebServer, entry

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [pytest.mark.browser]

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} not found: install Debian's chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_the_public_page_in_a_browser(web: WebServer, browser: Any) -> None:
    admin = web.agg.accounts.get_users()[0]
    body = "<p>Lead of story 1: the council met.</p><p>It voted to rebuild the quay.</p>"
    web.feed(
        admin,
        "https://harbour.example/feed",
        [entry(1, content=body, link="https://news.example/1?utm_source=rss"),
         *[entry(i) for i in range(2, 5)]],
        category="Harbour",
        title="Harbour Post",
    )  # fmt: skip
    web.agg.publishing.add_publication(
        admin.id, "category/Harbour", slug="harbour", title="The Harbour", full_text=True
    )
    base = f"http://127.0.0.1:{web.port}"
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(base + "/p/harbour?n=3")
    assert page.title() == "The Harbour"
    cards = page.locator("article.card")
    assert cards.count() == 3
    first = cards.first
    assert first.locator("h2").inner_text() == "Story 1 about the harbour"
    assert first.locator(".source").inner_text() == "Harbour Post — Harbour"
    assert "voted to rebuild the quay" in first.inner_text()  # full text allowed
    feeds = page.locator('link[rel="alternate"]')
    assert sorted(feeds.evaluate_all("ls => ls.map(l => l.type)")) == [
        "application/atom+xml",
        "application/feed+json",
        "application/rss+xml",
    ]
    atom = page.request.get(
        base + page.locator('link[type="application/atom+xml"]').get_attribute("href")
    )
    assert atom.status == 200 and "Story 1 about the harbour" in atom.text()
    page.click("text=Older stories")
    page.wait_for_url("**/p/harbour?before=*")
    assert page.locator("article.card h2").all_inner_texts() == ["Story 4 about the harbour"]
    page.goto(base + "/p/harbour")
    page.locator("article.card h2 a").first.click()
    page.wait_for_url("**/p/harbour/*")
    assert page.locator("h1").inner_text() == "Story 1 about the harbour"
    canonical = page.locator('link[rel="canonical"]').get_attribute("href")
    assert canonical == "https://news.example/1"  # tracking parameters stripped
    source = page.locator("a", has_text="Harbour Post — Harbour").last
    assert source.get_attribute("href") == "https://news.example/1"
    assert "It voted to rebuild the quay." in page.locator(".body").inner_text()
    assert page.locator("form").count() == 0  # nothing to mark, star or sign in to
    assert context.cookies() == []
    context.close()
