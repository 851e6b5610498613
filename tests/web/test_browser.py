"""The reader in a real browser: Debian's chromium driven by Playwright against
``tidings serve`` (a subprocess) reading fixture feeds over loopback.

Skipped with a message when /usr/bin/chromium is missing (``.ci/run`` installs
it). Set ``TIDINGS_SCREENSHOTS=docs/screenshots`` to refresh the README's
screenshots; otherwise they go to a temporary directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer

from web.newsroom import gazette, opml, thumbnail

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "harbour lights 42"

pytestmark = [pytest.mark.browser]

if not os.path.exists(CHROMIUM):
    pytest.skip(
        f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)",
        allow_module_level=True,
    )

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


class Reader:
    """``tidings serve`` in a subprocess on a loopback port."""

    def __init__(self, tmp: Path, **settings: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIDINGS_")}
        env.update(
            TIDINGS_DB=f"sqlite:///{tmp / 'reader.db'}",
            TIDINGS_DATA_DIR=str(tmp),
            TIDINGS_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8",
            TIDINGS_PARSE_WORKERS="1",
        )
        env.update({f"TIDINGS_{k.upper()}": v for k, v in settings.items()})
        exe = Path(sys.executable).with_name("tidings")
        log = tmp / "serve.log"
        self.log = open(log, "wb")  # noqa: SIM115
        # --port 0: a port picked here beforehand could be another test's by the time
        # this server binds; the one it took is on its "Uvicorn running on" line
        self.proc = subprocess.Popen(
            [str(exe), "serve", "--port", "0"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", log.read_text())
            if found:
                self.port = int(found.group(1))
                self.base = f"http://127.0.0.1:{self.port}"
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"tidings serve did not start: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = os.environ.get("TIDINGS_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        for i in range(6):
            server.set(f"/img/{i}.png", thumbnail(i), content_type="image/png")
        server.set("/gazette.xml", gazette(server.url("").rstrip("/")))
        server.set("/coast.xml", gazette(server.url("").rstrip("/"), count=5, title="Coast Radio"))
        yield server


@pytest.fixture
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    server = Reader(tmp_path_factory.mktemp("reader"))
    yield server
    server.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, reader: Reader) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, color_scheme="light")
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def _unread(page: Any) -> str:
    return str(page.locator('[data-count="unread"]').inner_text())


def step_1_first_run_setup(page: Any, reader: Reader, shots: Path) -> None:
    page.goto(reader.base + "/")
    assert page.url.endswith("/setup")
    page.screenshot(path=str(shots / "setup.png"))
    page.fill('input[name="name"]', "editor")
    page.fill('input[name="password"]', PASSWORD)
    page.fill('input[name="confirm"]', PASSWORD)
    page.click("text=Create account")
    page.wait_for_url("**/subscriptions")
    assert page.locator("h1").inner_text() == "Feeds"


def step_2_sign_out_and_in(page: Any, reader: Reader, shots: Path) -> None:
    page.click("text=Sign out")
    page.wait_for_url("**/login")
    page.fill('input[name="name"]', "editor")
    page.fill('input[name="password"]', "not the password")
    page.click("button:has-text('Sign in')")
    assert "Wrong user name or password" in page.content()
    page.fill('input[name="password"]', PASSWORD)
    page.screenshot(path=str(shots / "login.png"))
    page.click("button:has-text('Sign in')")
    page.wait_for_url(reader.base + "/")


def step_3_add_a_feed_and_read_a_story(
    page: Any, reader: Reader, feeds: FeedServer, shots: Path
) -> None:
    page.goto(reader.base + "/subscriptions")
    page.fill('input[name="url"]', feeds.url("/gazette.xml"))
    page.fill('input[name="category"]', "Local news")
    page.click("button:has-text('Subscribe')")
    page.wait_for_url("**/subscriptions?added=*")
    assert "Subscribed" in page.content()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(reader.base + "/")
        if page.locator("#cards .card").count():
            break
        time.sleep(0.3)
    assert page.locator("#cards .card").count() == 12
    assert _unread(page) == "12"
    first = page.locator("#cards .card").first
    assert "Harbour bridge reopens" in first.inner_text()
    assert "Harbour Gazette — Local" in first.locator(".source").inner_text()
    page.screenshot(path=str(shots / "river.png"))
    first.locator("a.open").click()
    page.wait_for_url("**/entry/*")
    assert page.locator("h1").inner_text() == "Harbour bridge reopens after two years of repairs"
    assert page.locator(".source-link").get_attribute("href") == "https://gazette.example/0"
    expect(page.locator("#story .act-read button")).to_have_text("Mark unread")
    page.screenshot(path=str(shots / "story.png"))
    page.goto(reader.base + "/")
    assert _unread(page) == "11"
    assert "read" in (page.locator("#cards .card").first.get_attribute("class") or "")


def step_4_keyboard_navigation(page: Any, reader: Reader, shots: Path) -> None:
    page.goto(reader.base + "/?view=unread")
    cards = page.locator("#cards .card")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert "current" in (cards.nth(1).get_attribute("class") or "")
    page.keyboard.press("k")
    assert "current" in (cards.nth(0).get_attribute("class") or "")
    page.keyboard.press("s")
    expect(page.locator("#cards .card.current")).to_have_class(re.compile(r"\bstarred\b"))
    page.keyboard.press("m")
    expect(page.locator("#cards .card.current")).to_have_class(re.compile(r"\bread\b"))
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.screenshot(path=str(shots / "shortcuts.png"))
    page.keyboard.press("Escape")
    assert not page.locator("#help").is_visible()
    page.keyboard.press("j")
    title = cards.nth(1).locator("a.open").inner_text()
    page.keyboard.press("o")
    page.wait_for_url("**/entry/*")
    assert page.locator("h1").inner_text() == title
    page.goto(reader.base + "/?view=starred")
    assert page.locator("#cards .card").count() == 1


def step_5_search(page: Any, reader: Reader, shots: Path) -> None:
    page.goto(reader.base + "/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-box"
    page.keyboard.type("harbour -bridge")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    results = page.locator(".results .card")
    assert results.count() >= 2
    assert "bridge" not in page.locator(".results").inner_text().lower()
    assert page.locator(".results mark").count() >= 2
    page.screenshot(path=str(shots / "search.png"))
    page.goto(reader.base + "/search?q=%22harbour")
    assert page.locator(".results .card").count() >= 1  # an unbalanced quote still searches
    page.goto(reader.base + "/search?q=-bridge")
    assert "Add a word" in page.locator(".notice").inner_text()


def step_6_new_stories_appear_without_reload(page: Any, reader: Reader, feeds: FeedServer) -> None:
    page.goto(reader.base + "/")
    before = page.locator("#cards .card").count()
    feeds.set(
        "/gazette.xml",
        gazette(
            feeds.url("").rstrip("/"),
            extra=[
                (
                    "Lifeboat crew rescues kayakers off the point",
                    "All four were brought ashore safely.",
                    "Local",
                )
            ],
        ),
    )
    page.keyboard.press("r")  # refresh the feeds now
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.evaluate("document.getElementById('river').pollNow()")
        time.sleep(0.4)
        if page.locator(".new-stories").is_visible():
            break
    assert page.locator(".new-stories").inner_text() == "1 new story"
    page.click(".new-stories")
    expect(page.locator("#cards .card")).to_have_count(before + 1)
    assert "Lifeboat crew" in page.locator("#cards .card").first.inner_text()


def step_6b_mark_read_on_scroll(page: Any, reader: Reader) -> None:
    page.goto(reader.base + "/settings")
    page.check('input[name="mark_read_on_scroll"]')
    page.click("button:has-text('Save')")
    page.wait_for_url("**/settings?saved=1")
    page.set_viewport_size({"width": 1280, "height": 420})
    page.goto(reader.base + "/?view=unread")
    before = int(_unread(page) or 0)
    assert before >= 6
    for _ in range(6):
        page.mouse.wheel(0, 300)
        time.sleep(0.15)
    time.sleep(1.0)  # the batch is sent 0.4 s after the last card went by
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(reader.base + "/?view=unread")
    assert 0 < int(_unread(page) or 0) < before
    page.goto(reader.base + "/settings")
    page.uncheck('input[name="mark_read_on_scroll"]')
    page.click("button:has-text('Save')")
    page.wait_for_url("**/settings?saved=1")


def step_7_mark_all_read(page: Any, reader: Reader) -> None:
    page.goto(reader.base + "/?view=unread")
    assert page.locator("#cards .card").count() > 0
    page.click("button:has-text('Mark as read')")
    page.wait_for_url("**/?view=unread")
    assert page.locator("#cards .card").count() == 0
    assert "All caught up" in page.locator("#cards").inner_text()
    assert _unread(page) == ""


def step_8_opml_import_and_health(
    page: Any, reader: Reader, feeds: FeedServer, shots: Path, tmp_path: Path
) -> None:
    source = tmp_path / "subscriptions.opml"
    source.write_bytes(
        opml(
            [
                ("Coast Radio", feeds.url("/coast.xml"), "Radio"),
                ("Broken", feeds.url("/missing.xml"), "Radio"),
            ]
        )
    )
    page.goto(reader.base + "/subscriptions")
    page.set_input_files('input[name="file"]', str(source))
    page.click("button:has-text('Import')")
    assert "Imported 2 feeds" in page.locator(".notice").inner_text()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(reader.base + "/subscriptions")
        if page.locator("tr.failing").count() and "Coast Radio" in page.content():
            break
        time.sleep(0.5)
    assert "Coast Radio" in page.locator(".health").inner_text()
    assert page.locator("tr.failing").count() == 1  # the missing feed shows its error
    page.screenshot(path=str(shots / "subscriptions.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=Export OPML")
    assert download.value.suggested_filename == "tidings.opml"


def step_9_phone_and_dark_mode(browser: Any, page: Any, reader: Reader, shots: Path) -> None:
    cookies = page.context.cookies()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        color_scheme="dark",
    )
    phone.add_cookies(cookies)
    mobile = phone.new_page()
    mobile.goto(reader.base + "/")
    assert mobile.locator("#cards .card").count() > 0
    assert not mobile.locator("#sidebar").is_visible()
    width = mobile.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]  # nothing wider than the screen
    background = mobile.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(22, 22, 24)"  # dark, following the system
    mobile.screenshot(path=str(shots / "phone-dark.png"))
    mobile.click(".menu-toggle")
    assert mobile.locator("#sidebar").is_visible()
    mobile.locator("#cards .card a.open").first.click()
    mobile.wait_for_url("**/entry/*")
    width = mobile.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    mobile.screenshot(path=str(shots / "phone-story.png"))
    phone.close()


def step_10_no_script_from_feeds_ever_runs(page: Any, reader: Reader, feeds: FeedServer) -> None:
    hostile = (
        '<script>alert("title")</script><img src=x onerror=alert("img")>',
        '<img src=x onerror=alert("lead")> javascript:alert(1)',
        "<b onmouseover=alert(3)>x</b>",
    )
    feeds.set(
        "/evil.xml",
        gazette(
            feeds.url("").rstrip("/"),
            count=1,
            title='<script>alert("feed")</script>',
            extra=[hostile],
        ),
    )
    page.goto(reader.base + "/subscriptions")
    page.fill('input[name="url"]', feeds.url("/evil.xml"))
    page.click("button:has-text('Subscribe')")
    page.wait_for_url("**/subscriptions?added=*")
    feed = reader.base + "/feed/" + page.url.rsplit("=", 1)[1]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(feed)
        if page.locator("#cards .card").count() == 2:
            break
        time.sleep(0.3)
    cards = page.locator("#cards .card")
    assert cards.count() == 2
    assert "<script>" in cards.first.locator("h2").inner_text() or "alert" in page.content()
    for path in ("/?view=unread", "/subscriptions", "/search?q=alert", "/search?q=img"):
        page.goto(reader.base + path)
    for i in range(2):
        page.goto(feed)
        page.locator("#cards .card a.open").nth(i).click()
        page.wait_for_url("**/entry/*")
        page.hover("h1")
    assert page.dialogs == []


def test_a_day_with_the_reader(
    browser: Any, page: Any, reader: Reader, feeds: FeedServer, shots: Path, tmp_path: Path
) -> None:
    """One browser session, step by step (one test, so the steps keep their order
    under pytest-xdist)."""
    step_1_first_run_setup(page, reader, shots)
    step_2_sign_out_and_in(page, reader, shots)
    step_3_add_a_feed_and_read_a_story(page, reader, feeds, shots)
    step_4_keyboard_navigation(page, reader, shots)
    step_5_search(page, reader, shots)
    step_6_new_stories_appear_without_reload(page, reader, feeds)
    step_6b_mark_read_on_scroll(page, reader)
    step_7_mark_all_read(page, reader)
    step_8_opml_import_and_health(page, reader, feeds, shots, tmp_path)
    step_9_phone_and_dark_mode(browser, page, reader, shots)
    step_10_no_script_from_feeds_ever_runs(page, reader, feeds)


def test_a_saved_search_is_followed_from_the_sidebar(
    browser: Any, page: Any, reader: Reader, feeds: FeedServer, shots: Path
) -> None:
    """#15: save the search shown, find it in the sidebar, follow it, rename it, and
    see its page fit a phone with the menu open; then delete it."""
    step_1_first_run_setup(page, reader, shots)
    step_3_add_a_feed_and_read_a_story(page, reader, feeds, shots)
    page.goto(reader.base + "/")
    assert page.locator("#sidebar .saved").count() == 0
    page.fill("#search-box", "harbour -bridge")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    found = page.locator(".results .card").count()
    assert found >= 2
    page.fill('.save-search input[name="name"]', "Harbour, no bridge")
    page.click("button:has-text('Save search')")
    page.wait_for_url("**/search?q=harbour+-bridge")
    expect(page.locator(".saved-rename input[name='name']")).to_have_value("Harbour, no bridge")

    page.goto(reader.base + "/")
    link = page.locator("#sidebar .saved a")
    expect(link).to_have_text(["Harbour, no bridge"])
    link.click()
    page.wait_for_url("**/search?q=harbour+-bridge")
    assert page.locator(".results .card").count() == found
    assert page.locator("#search-box").input_value() == "harbour -bridge"
    expect(page.locator("#sidebar .saved a.active")).to_have_text("Harbour, no bridge")

    page.fill(".saved-rename input[name='name']", "Quays")
    page.click("button:has-text('Rename')")
    page.wait_for_url("**/search?q=harbour+-bridge")
    expect(page.locator("#sidebar .saved a")).to_have_text(["Quays"])
    page.screenshot(path=str(shots / "saved-search.png"))

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
        device_scale_factor=2, storage_state=page.context.storage_state(),
    )  # fmt: skip
    mobile = phone.new_page()
    mobile.goto(reader.base + "/search?q=harbour+-bridge")
    mobile.click(".menu-toggle")
    expect(mobile.locator("#sidebar .saved a")).to_have_text(["Quays"])
    for _ in range(2):
        width = mobile.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= min(width[1], 360), width
        mobile.goto(reader.base + "/search?q=kelp")  # the save form, unsaved
    phone.close()

    page.click("button:has-text('Delete saved search')")
    page.wait_for_url("**/search?q=harbour+-bridge")
    assert page.locator("#sidebar .saved").count() == 0
    assert page.locator("button:has-text('Save search')").count() == 1
