"""#15 in a real browser: story navigation by keys (j/k, n/p, u back to the list
where it was left), and every page fitting a phone (360 and 390 px wide, light
and dark) with no horizontal scroll.

One reader for the module (``tidings serve`` as in test_browser.py), set up once
through its pages; each test opens its own browser context with the session.
``TIDINGS_SCREENSHOTS=docs/screenshots`` keeps the phone screenshots
(``scripts/screenshots.sh``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from feedserver import FeedServer

from web import test_browser as kit
from web.newsroom import gazette, opml, thumbnail

# one worker holds the module's reader (`--dist loadgroup`): it is set up once
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-reading")]
sync_api = kit.sync_api
expect = kit.expect

WIDTHS = (360, 390)
SCHEMES = ("light", "dark")


@dataclass
class Site:
    reader: kit.Reader
    state: dict[str, Any]  # the signed-in session (Playwright storage state)
    feed_id: int  # the Harbour Gazette
    wide_feed: str  # the path of a feed whose story is wider than a phone
    setup_widths: dict[tuple[int, str], tuple[int, int]]  # the setup page, before setup
    choice_site: str  # a site page naming two feeds: the feeds page lists them (#15)


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        base = server.url("").rstrip("/")
        for i in range(6):
            server.set(f"/img/{i}.svg", thumbnail(i), content_type="image/svg+xml")
        server.set("/gazette.xml", gazette(base))
        server.set("/coast.xml", gazette(base, count=5, title="Coast Radio"))
        server.set("/wire.xml", wire(45))
        server.set("/wide.xml", wide(base))
        server.set("/site.html", site_page(), content_type="text/html")  # names two (#15)
        yield server


WORDS = [
    "tide",
    "quay",
    "gull",
    "net",
    "buoy",
    "pier",
    "reef",
    "kelp",
    "dune",
    "cove",
    "wharf",
    "mast",
]


def wire(count: int) -> bytes:
    """A feed of ``count`` short dispatches, each its own story (own link, own words)."""
    now = datetime.now(UTC).replace(microsecond=0)
    items = "".join(
        f"<item><title>Wire story {i}</title><link>https://wire.example/{i}</link>"
        f"<guid>wire-{i}</guid><pubDate>{format_datetime(now - timedelta(minutes=7 * i + 3))}"
        f"</pubDate><description>Dispatch {i}: {' '.join(WORDS[(i + k) % 12] for k in range(9))}"
        f" {i * 7919}.</description></item>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Long Wire</title>'
        f"<link>https://wire.example/</link>{items}</channel></rss>"
    ).encode()


def wide(base: str) -> bytes:
    """One story of things wider than a phone: a table, code, a big image, long words."""
    cells = "".join(f"<td>column {i} of the tide table</td>" for i in range(14))
    body = (
        f"<table><tr>{cells}</tr></table><pre>{'harbour_' * 60}</pre>"
        f'<p><img src="{base}/img/1.svg" width="2000" height="900" alt=""></p>'
        f"<p>{'Seagrass' * 40} https://example.org/{'a' * 300}</p>"
        f'<p><a href="https://example.org/">{"https://example.org/" + "b" * 200}</a></p>'
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wide Tables</title>'
        "<link>https://wide.example/</link><item><title>The tide table, in full</title>"
        f"<link>https://wide.example/1</link><guid>wide-1</guid>"
        f"<description>{escape(body)}</description></item></channel></rss>"
    ).encode()


def site_page() -> bytes:
    """A site's page naming two feeds, one with a long title and a long address."""
    long = "/feeds/" + "every-tide-table-of-the-harbour-" * 5 + "all.xml"
    return (
        '<html><head><link rel="alternate" type="application/rss+xml" title="The Gazette"'
        ' href="/gazette.xml"><link rel="alternate" type="application/atom+xml" title="'
        + "Tidetablesandferrytimetables" * 4
        + f'" href="{long}"></head><body>News</body></html>'
    ).encode()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=kit.CHROMIUM, headless=True, args=kit.ARGS)
        yield b
        b.close()


def widths(page: Any) -> tuple[int, int]:
    """The page's width and the screen's: a phone's browser zooms out to show a page
    wider than it, which widens ``innerWidth`` too, so the screen's is the viewport's."""
    got = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return int(got[0]), min(int(got[1]), int(page.viewport_size["width"]))


def phone(browser: Any, width: int, scheme: str, state: dict[str, Any] | None = None) -> Any:
    return browser.new_context(
        viewport={"width": width, "height": 800},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        color_scheme=scheme,
        storage_state=state,
    )


@pytest.fixture(scope="module")
def site(
    browser: Any, feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    reader = kit.Reader(tmp_path_factory.mktemp("reader"))
    try:
        setup_widths = {}
        for width in WIDTHS:
            for scheme in SCHEMES:
                context = phone(browser, width, scheme)
                page = context.new_page()
                page.goto(reader.base + "/setup")
                setup_widths[width, scheme] = widths(page)
                context.close()
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(reader.base + "/")
        page.fill('input[name="name"]', "editor")
        page.fill('input[name="password"]', kit.PASSWORD)
        page.fill('input[name="confirm"]', kit.PASSWORD)
        page.click("text=Create account")
        page.wait_for_url("**/subscriptions")
        page.fill('input[name="url"]', feeds.url("/gazette.xml"))
        page.fill('input[name="category"]', "Local news")
        page.click("button:has-text('Subscribe')")
        page.wait_for_url("**/subscriptions?added=*")
        feed_id = int(page.url.rsplit("=", 1)[1])
        source = tmp_path_factory.mktemp("opml") / "more.opml"
        source.write_bytes(
            opml(
                [
                    ("Coast Radio", feeds.url("/coast.xml"), "Radio"),
                    ("Broken", feeds.url("/missing.xml"), "Radio"),
                    ("Gone", feeds.url("/gone.xml"), "Radio"),
                    ("Long Wire", feeds.url("/wire.xml"), "Wire"),
                    ("Wide Tables", feeds.url("/wide.xml"), "Radio"),
                ]
            )
        )
        page.set_input_files('input[name="file"]', str(source))
        page.click("button:has-text('Import')")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page.goto(reader.base + "/subscriptions")
            health = page.locator(".health").inner_text()
            if page.locator("tr.failing").count() == 2 and "never" not in health:
                break
            time.sleep(0.4)
        assert page.locator("tr.failing").count() == 2
        page.goto(reader.base + "/")
        page.goto(reader.base + "/category/Local%20news")
        assert page.locator("#cards .card").count() == 12
        page.goto(reader.base + "/subscriptions")
        wide_feed = page.locator(".health a:has-text('Wide Tables')").get_attribute("href")
        yield Site(
            reader,
            context.storage_state(),
            feed_id,
            str(wide_feed),
            setup_widths,
            feeds.url("/site.html"),
        )
        context.close()
    finally:
        reader.stop()


@pytest.fixture
def desk(browser: Any, site: Site) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 700}, storage_state=site.state)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _title(page: Any) -> str:
    return str(page.locator("#story h1").inner_text())


def _read_on_open(page: Any) -> None:
    """Wait until opening the story has marked it read (as the page does)."""
    expect(page.locator("#story .act-read button")).to_have_text("Mark unread")


def test_keys_walk_the_list_a_story_came_from_and_u_goes_back_there(desk: Any, site: Site) -> None:
    base = site.reader.base
    desk.goto(base + "/category/Local%20news")
    cards = desk.locator("#cards .card")
    assert cards.count() == 12
    titles = [cards.nth(i).locator("a.open").inner_text() for i in range(12)]
    ids = [cards.nth(i).get_attribute("data-id") for i in range(12)]
    desk.mouse.wheel(0, 700)
    time.sleep(0.3)
    fifth = cards.nth(5)
    top = fifth.bounding_box()["y"]
    fifth.locator("a.open").click()
    desk.wait_for_url("**/entry/*")
    assert "from=%2Fcategory%2FLocal%2520news" in desk.url
    assert _title(desk) == titles[5]
    _read_on_open(desk)
    desk.keyboard.press("j")
    expect(desk.locator("#story h1")).to_have_text(titles[6])
    desk.keyboard.press("n")
    expect(desk.locator("#story h1")).to_have_text(titles[7])
    desk.keyboard.press("k")
    expect(desk.locator("#story h1")).to_have_text(titles[6])
    desk.keyboard.press("p")
    expect(desk.locator("#story h1")).to_have_text(titles[5])
    _read_on_open(desk)
    desk.keyboard.press("u")
    desk.wait_for_url(f"**/category/Local%20news#entry-{ids[5]}")
    current = desk.locator("#cards .card.current")
    expect(current).to_have_attribute("data-id", ids[5] or "")
    assert abs(current.bounding_box()["y"] - top) <= 2  # where it was on the screen
    assert "read" in (current.get_attribute("class") or "")
    # the first story has no Previous, the last no Next: k and j stay put
    cards.nth(11).locator("a.open").click()
    desk.wait_for_url("**/entry/*")
    assert desk.locator("a.nav-next").count() == 0
    desk.keyboard.press("j")
    expect(desk.locator("#toast")).to_have_text("The last story in this list")
    assert _title(desk) == titles[11]
    desk.click("a.back-link")
    desk.wait_for_url(f"**/category/Local%20news#entry-{ids[11]}")
    expect(desk.locator("#cards .card.current")).to_have_attribute("data-id", ids[11] or "")


def test_back_to_an_unread_list_lands_beside_the_story_just_read(desk: Any, site: Site) -> None:
    """The story read on opening has left Unread; Back shows the one after it."""
    base = site.reader.base
    desk.goto(base + f"/feed/{site.feed_id}?view=unread")
    cards = desk.locator("#cards .card")
    before = cards.count()
    assert before >= 3
    ids = [cards.nth(i).get_attribute("data-id") for i in range(3)]
    cards.nth(0).locator("a.open").click()
    desk.wait_for_url("**/entry/*")
    _read_on_open(desk)
    desk.keyboard.press("j")
    desk.wait_for_url(f"**/entry/{ids[1]}?*")
    _read_on_open(desk)
    desk.keyboard.press("u")
    desk.wait_for_url(f"**/feed/{site.feed_id}?view=unread#entry-{ids[1]}")
    assert cards.count() == before - 2
    expect(desk.locator("#cards .card.current")).to_have_attribute("data-id", ids[2] or "")


def test_back_to_a_story_further_down_than_the_first_page(desk: Any, site: Site) -> None:
    """A story reached by scrolling (infinite scroll loads the older pages): Back
    loads them again as far as the reader had gone, and lands on it."""
    desk.goto(site.reader.base + "/category/Wire")
    cards = desk.locator("#cards .card")
    assert cards.count() == 30
    cards.nth(29).scroll_into_view_if_needed()
    expect(cards).to_have_count(45)
    target = cards.nth(38)
    target.scroll_into_view_if_needed()
    top = target.bounding_box()["y"]
    after = cards.nth(39).get_attribute("data-id")
    title = cards.nth(39).locator("a.open").inner_text()
    target.locator("a.open").click()
    desk.wait_for_url("**/entry/*")
    desk.keyboard.press("j")
    expect(desk.locator("#story h1")).to_have_text(title)
    desk.keyboard.press("u")
    desk.wait_for_url(f"**/category/Wire#entry-{after}")
    current = desk.locator("#cards .card.current")
    expect(current).to_have_attribute("data-id", after or "")
    assert cards.count() == 45
    box = current.bounding_box()
    assert box and 0 <= box["y"] < 700  # on the screen
    assert top >= 0


def test_search_results_lead_to_their_neighbours(desk: Any, site: Site) -> None:
    desk.goto(site.reader.base + "/search?q=harbour")
    results = desk.locator(".results .card")
    assert results.count() >= 3
    titles = [results.nth(i).locator("a.open").inner_text() for i in range(3)]
    results.nth(1).locator("a.open").click()
    desk.wait_for_url("**/entry/*")
    desk.keyboard.press("k")
    expect(desk.locator("#story h1")).to_have_text(titles[0])
    desk.keyboard.press("u")
    desk.wait_for_url("**/search?q=harbour#entry-*")
    assert desk.locator(".results .card").count() >= 3


def _pages(site: Site) -> list[str]:
    f = site.feed_id
    return [
        "/",
        "/?view=unread",
        "/category/Local%20news",
        "/categories/edit?name=Local%20news",
        f"/feed/{f}",
        "/search?q=harbour",
        "/subscriptions",
        f"/feed/{f}/edit",
        f"/feed/{f}/remove",
        "/settings",
        "/rules",
        "/no-such-page",
    ]


def test_every_page_fits_a_phone(browser: Any, site: Site, shots: Path) -> None:
    too_wide = []
    for (width, scheme), (scroll, inner) in site.setup_widths.items():
        if scroll > inner:
            too_wide.append(f"/setup at {width} {scheme}: {scroll}")
    for width in WIDTHS:
        for scheme in SCHEMES:
            signed_out = phone(browser, width, scheme)
            page = signed_out.new_page()
            page.goto(site.reader.base + "/login")
            scroll, inner = widths(page)
            if scroll > inner:
                too_wide.append(f"/login at {width} {scheme}: {scroll}")
            signed_out.close()
            context = phone(browser, width, scheme, site.state)
            page = context.new_page()
            stories = []
            for feed in (f"/feed/{site.feed_id}", site.wide_feed):
                page.goto(site.reader.base + feed)
                stories.append(page.locator("#cards .card a.open").first.get_attribute("href"))
            for path in [*_pages(site), *stories]:
                page.goto(site.reader.base + path)
                assert page.locator("h1").count(), path
                scroll, inner = widths(page)
                if scroll > inner:
                    too_wide.append(f"{path} at {width} {scheme}: {scroll}")
                if path == stories[-1]:  # a wide table scrolls in its box, words whole
                    cell = page.locator(".story .body td").first.bounding_box()
                    assert cell and cell["width"] > 50, cell
            page.goto(site.reader.base + "/subscriptions")  # the feeds a site names (#15)
            page.fill('input[name="url"]', site.choice_site)
            page.click("button:has-text('Subscribe')")
            expect(page.locator(".choose-feed .feed-choices li")).to_have_count(2)
            scroll, inner = widths(page)
            if scroll > inner:
                too_wide.append(f"the choice of feeds at {width} {scheme}: {scroll}")
            page.goto(site.reader.base + "/")
            page.click(".menu-toggle")  # the sidebar, opened
            scroll, inner = widths(page)
            if scroll > inner:
                too_wide.append(f"/ with the menu open at {width} {scheme}: {scroll}")
            context.close()
    assert too_wide == []


def test_the_feeds_page_on_a_phone(browser: Any, site: Site, shots: Path) -> None:
    """Failing feeds first, under a summary line; one compact row a feed, and
    "Next check" on one line."""
    context = phone(browser, 390, "light", site.state)
    page = context.new_page()
    page.goto(site.reader.base + "/subscriptions")
    assert page.locator(".health-summary").inner_text().startswith("2 feeds failing")
    rows = page.locator(".health tbody tr")
    assert rows.count() == 6
    assert [rows.nth(i).get_attribute("class") for i in range(6)][:2] == ["failing", "failing"]
    assert "failing" not in (rows.nth(2).get_attribute("class") or "")
    for button in ("Subscribe", "Import"):
        box = page.locator(f"button:has-text('{button}')").bounding_box()
        assert box and box["x"] + box["width"] <= 390, button
    checks = page.locator(".health td.next-check time")
    assert checks.count() == 6
    for i in range(6):
        box = checks.nth(i).bounding_box()
        line = float(checks.nth(i).evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert box and box["height"] < 1.5 * line, "Next check wraps"
    page.screenshot(path=str(shots / "phone-feeds.png"), full_page=True)
    context.close()


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("TIDINGS_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path
