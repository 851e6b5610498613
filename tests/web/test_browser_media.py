"""Media in a real browser (#15): Debian's chromium driven by Playwright against
``tidings serve`` reading fixture feeds over loopback (see test_browser.py).

- a podcast story plays its enclosure in an ``<audio>``; where the reader paused is
  saved and restored after a reload;
- a YouTube story shows its thumbnail and no frame, and asks nothing of any other
  host, until the reader clicks; then a sandboxed youtube-nocookie.com frame;
- the same with the shared corpus's real podcast and YouTube feeds, when present.

Every request to a host other than loopback is recorded and refused. Screenshots go
to ``TIDINGS_SCREENSHOTS`` (``scripts/media-screenshots.sh`` refreshes the README's).
"""

from __future__ import annotations

import io
import math
import re
import time
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from feedserver import FeedServer

from web.newsroom import thumbnail
from web.test_browser import ARGS, CHROMIUM, PASSWORD, Reader, sync_api

pytestmark = [pytest.mark.browser]

CORPUS = Path("/work/shared/corpus/feeds-real")
YT = "Hx9zRb3LqPc"
SANDBOX = "allow-scripts allow-same-origin allow-presentation"
CHUNK = 256 * 1024  # bytes of audio one answer carries, at most


def _wav(seconds: int = 42 * 60, rate: int = 4000) -> bytes:
    """Silence as long as the feed says (8-bit PCM: something Chromium plays with no
    codec of note), a quiet tone in its first seconds."""
    tone = bytes(128 + int(20 * math.sin(2 * math.pi * 220 * i / rate)) for i in range(rate))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(tone + b"\x80" * (rate * (seconds - 1)))
    return out.getvalue()


def _podcast(base: str) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0)
    items = []
    for i, (title, minutes) in enumerate(
        [("Episode 12: The lighthouse keepers", 42), ("Episode 11: Tides and timetables", 37)]
    ):
        items.append(f"""<item><title>{title}</title><guid isPermaLink="false">ep{12 - i}</guid>
<link>https://radio.example/episodes/{12 - i}</link>
<pubDate>{format_datetime(now - timedelta(days=7 * i, hours=2))}</pubDate>
<description><![CDATA[<p>This week we climb the 142 steps of the north light with the last
two keepers, and ask what changed when the lamp went automatic.</p>
<ul><li>00:00 Welcome</li><li>04:10 The keepers' log books</li>
<li>21:30 Storm season</li></ul>]]></description>
<itunes:duration>{minutes}:00</itunes:duration>
<itunes:image href="{base}/img/cover.png"/>
<enclosure url="{base}/audio/ep{12 - i}.wav" type="audio/mpeg" length="{minutes * 1_200_000}"/>
</item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Harbour Radio</title><link>https://radio.example/</link>
<description>Stories from the coast</description>{"".join(items)}</channel></rss>""".encode()


def _youtube(base: str) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015"
      xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
<title>Coastal Walks</title>
<link rel="alternate" href="https://www.youtube.com/channel/UCcoastalwalks"/>
<entry><id>yt:video:{YT}</id><yt:videoId>{YT}</yt:videoId>
<title>Walking the harbour wall at low tide</title>
<link rel="alternate" href="https://www.youtube.com/watch?v={YT}"/>
<author><name>Coastal Walks</name></author>
<published>{now}</published><updated>{now}</updated>
<media:group><media:title>Walking the harbour wall at low tide</media:title>
<media:content url="https://www.youtube.com/v/{YT}?version=3" type="application/x-shockwave-flash"/>
<media:thumbnail url="{base}/img/yt.png" width="480" height="360"/>
<media:description>Forty minutes along the old harbour wall, from the lifeboat station to the light.

Map of the route: https://maps.example/harbour-wall?from=lifeboat&amp;to=light
Tide tables: https://tides.example/harbour.

Filmed in one take, no music.</media:description>
</media:group></entry></feed>""".encode()


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    target = os.environ.get("TIDINGS_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        base = server.url("").rstrip("/")
        server.set("/radio.xml", _podcast(base))
        server.set("/walks.xml", _youtube(base), content_type="application/atom+xml")
        # PNGs: story images come through the media proxy, which refuses SVG
        server.set("/img/cover.png", thumbnail(1, 600, 600), content_type="image/png")
        server.set("/img/yt.png", thumbnail(2, 1280, 720), content_type="image/png")
        yield server


@pytest.fixture
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    server = Reader(tmp_path_factory.mktemp("reader"))
    yield server
    server.stop()


class Net:
    """Every request the page makes: loopback goes through (audio with Range
    support), anything else is recorded and refused."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.audio = _wav()

    def handle(self, route: Any) -> None:
        request = route.request
        parts = urlsplit(request.url)
        if parts.hostname != "127.0.0.1":
            self.outside.append(request.url)
            route.abort()
        elif parts.path.startswith("/audio/"):
            self._audio(route, request.headers.get("range"))
        else:
            route.continue_()

    def _audio(self, route: Any, wanted: str | None) -> None:
        data, total = self.audio, len(self.audio)
        headers = {"Content-Type": "audio/wav", "Accept-Ranges": "bytes"}
        found = re.fullmatch(r"bytes=(\d+)-(\d*)", wanted or "")
        if not found:
            route.fulfill(status=200, headers=headers, body=data)
            return
        start = int(found.group(1))
        end = min(int(found.group(2) or total - 1), total - 1, start + CHUNK - 1)
        headers["Content-Range"] = f"bytes {start}-{end}/{total}"
        route.fulfill(status=206, headers=headers, body=data[start : end + 1])


@pytest.fixture
def net() -> Net:
    return Net()


@pytest.fixture
def page(reader: Reader, net: Net) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, color_scheme="light")
        context.route("**/*", net.handle)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def _subscribe(page: Any, reader: Reader, url: str, title: str) -> None:
    """The first visit sets up the account; then follow ``url`` and wait for its story
    ``title`` (not a number of cards: another test's feed may be there already)."""
    page.goto(reader.base + "/")
    if page.url.endswith("/setup"):
        page.fill('input[name="name"]', "editor")
        page.fill('input[name="password"]', PASSWORD)
        page.fill('input[name="confirm"]', PASSWORD)
        page.click("text=Create account")
        page.wait_for_url("**/subscriptions")
    page.goto(reader.base + "/subscriptions")
    page.fill('input[name="url"]', url)
    page.click("button:has-text('Subscribe')")
    page.wait_for_url("**/subscriptions?added=*")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(reader.base + "/")
        if page.locator("#cards .card", has_text=title).count():
            return
        time.sleep(0.3)
    raise AssertionError(f"no stories from {url}")


def _open(page: Any, title: str) -> None:
    page.locator("#cards .card", has_text=title).locator("a.open").click()
    page.wait_for_url("**/entry/*")


def _fits_a_phone(page: Any) -> None:
    """At 360 px the story, its player or embed included, has no sideways scroll."""
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    try:
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        page.set_viewport_size(size)


def _saved_past(seconds: float) -> Any:
    def check(response: Any) -> bool:
        request = response.request
        if request.method != "POST" or not response.url.endswith("/position"):
            return False
        found = re.search(r"position=([0-9.]+)", request.post_data or "")
        return bool(found) and float(found.group(1)) >= seconds

    return check


def test_a_podcast_plays_and_resumes_where_it_was_paused(
    page: Any, reader: Reader, feeds: FeedServer, net: Net, shots: Path
) -> None:
    _subscribe(page, reader, feeds.url("/radio.xml"), "The lighthouse keepers")
    card = page.locator("#cards .card", has_text="The lighthouse keepers")
    assert card.locator(".badge").inner_text() == "▶ podcast 42 min"
    _open(page, "The lighthouse keepers")
    audio = page.locator("audio")
    assert audio.count() == 1
    assert audio.get_attribute("src") == feeds.url("/audio/ep12.wav")
    caption = page.locator(".player figcaption").inner_text()
    assert "42:00" in caption and "50.4 MB" in caption

    page.evaluate(
        "async () => { const a = document.querySelector('audio'); a.muted = true; await a.play(); }"
    )
    page.wait_for_function("() => document.querySelector('audio').readyState >= 2")
    with page.expect_response(_saved_past(750.0)) as saved:
        page.evaluate(
            """() => new Promise((done) => {
                const a = document.querySelector('audio');
                a.addEventListener('seeked', () => { a.pause(); done(); }, { once: true });
                a.currentTime = 754.25;
            })"""
        )
    assert saved.value.status == 200
    found = re.search(r"position=([0-9.]+)", saved.value.request.post_data or "")
    assert found
    position = float(found.group(1))
    assert 754.25 <= position < 756

    page.reload()
    restored = page.evaluate("document.querySelector('audio').currentTime")
    assert abs(restored - position) < 0.01
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    restored = page.evaluate("document.querySelector('audio').currentTime")
    assert abs(restored - position) < 0.01
    assert "resumes at 12:34" in page.locator(".player figcaption").inner_text()
    page.screenshot(path=str(shots / "podcast.png"))
    _fits_a_phone(page)
    # playing goes on from there
    page.evaluate(
        "async () => { const a = document.querySelector('audio'); a.muted = true; await a.play(); }"
    )
    page.wait_for_function("() => document.querySelector('audio').currentTime > 754.3")
    assert net.outside == []


def test_a_youtube_video_loads_nothing_from_youtube_until_clicked(
    page: Any, reader: Reader, feeds: FeedServer, net: Net, shots: Path
) -> None:
    _subscribe(page, reader, feeds.url("/walks.xml"), "Walking the harbour wall")
    walk = page.locator("#cards .card", has_text="Walking the harbour wall")
    assert walk.locator(".badge").inner_text() == "▶ YouTube"
    _open(page, "Walking the harbour wall")
    thumb = page.locator(".embed-thumb")
    assert (thumb.get_attribute("src") or "").startswith("/proxy/")  # loopback is http
    page.wait_for_function("() => document.querySelector('.embed-thumb').naturalWidth > 0")
    assert page.locator("iframe").count() == 0
    # the description: its paragraphs kept, its URLs links
    body = page.locator(".body")
    assert body.locator("p").count() == 3
    link = body.locator("a", has_text="https://maps.example/harbour-wall")
    assert link.get_attribute("href") == "https://maps.example/harbour-wall?from=lifeboat&to=light"
    assert body.locator('a[href="https://tides.example/harbour"]').count() == 1
    page.screenshot(path=str(shots / "youtube.png"))
    _fits_a_phone(page)
    assert net.outside == []  # nothing asked of any other host so far

    page.locator(".embed-play").click()
    frame = page.locator("iframe.embed-frame")
    assert frame.count() == 1
    assert frame.get_attribute("src") == f"https://www.youtube-nocookie.com/embed/{YT}?autoplay=1"
    assert frame.get_attribute("sandbox") == SANDBOX
    deadline = time.monotonic() + 10
    while not net.outside and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert net.outside and all(
        urlsplit(u).hostname == "www.youtube-nocookie.com" for u in net.outside
    ), net.outside


def _corpus_feed(name: str, rewrite: dict[str, str]) -> bytes:
    body = (CORPUS / name).read_text("utf-8")
    for old, new in rewrite.items():
        body = body.replace(old, new)
    return body.encode()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_real_podcast_and_youtube_feeds(
    page: Any, reader: Reader, feeds: FeedServer, net: Net
) -> None:
    base = feeds.url("").rstrip("/")
    feeds.set(
        "/atp.xml",
        _corpus_feed(
            "podcast__RSParser__atp_rss.xml",
            {"http://traffic.libsyn.com/atpfm/": f"{base}/audio/", "http://static1.": "http://x."},
        ),
    )
    name = "video__kagi__www.youtube.com_feeds_videos.xml_channel_id_UC4Otk-uDioJN0tg6s1QO9lw.xml"
    feeds.set(
        "/yt.xml",
        re.sub(
            rb"https://i\d\.ytimg\.com/vi/[^\"]+",
            f"{base}/img/yt.png".encode(),
            _corpus_feed(name, {}),
        ),
        content_type="application/atom+xml",
    )
    _subscribe(page, reader, feeds.url("/atp.xml"), "311: Mutually Assured Destruction")
    _open(page, "311: Mutually Assured Destruction")
    assert page.locator("audio").get_attribute("src") == f"{base}/audio/atp311.mp3"
    assert "1:54:09" in page.locator(".player figcaption").inner_text()
    _subscribe(page, reader, feeds.url("/yt.xml"), "ESP32-S3 WebCam + IR WebCam!")
    _open(page, "ESP32-S3 WebCam + IR WebCam!")
    assert (page.locator(".embed-thumb").get_attribute("src") or "").startswith("/proxy/")
    assert page.locator("iframe").count() == 0
    assert page.locator(".body a[href^='https://']").count() >= 1
    assert page.locator(".body p").count() >= 2
    # the cover art of the podcast points at a host refused here; nothing of YouTube's
    assert not any("youtube" in u or "ytimg" in u for u in net.outside), net.outside
