"""JSON Feed 1.0/1.1 (and RSS-in-JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tidings.errors import ParseError
from tidings.model import Enclosure
from tidings.parser import parse_feed

URL = "https://example.org/feed.json"


def _feed(**extra: Any) -> bytes:
    doc: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON <b>feed</b>",
        "home_page_url": "https://example.org/",
        "feed_url": "https://example.org/feed.json",
        "description": "a & b",
        "icon": "/icon.png",
        "favicon": "/favicon.ico",
        "language": "en",
        "hubs": [{"type": "WebSub", "url": "https://hub.example/"}],
        "authors": [{"name": "Feed Author"}],
        "items": [
            {
                "id": "1",
                "url": "/one",
                "title": "One",
                "content_html": "<p onclick='x'>Hi<script>bad()</script></p>",
                "summary": "sum <mary>",
                "date_published": "2020-01-02T03:04:05+01:00",
                "date_modified": "2020-01-03T00:00:00Z",
                "tags": ["a", "b", "a", 3],
                "image": "https://example.org/i.png",
                "attachments": [
                    {"url": "/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 10},
                    {"url": "javascript:alert(1)", "mime_type": "x"},
                    {"url": "/b.mp3", "size_in_bytes": "20"},
                ],
            },
            {"id": 2, "content_text": "plain <text>", "url": "javascript:alert(1)"},
            "not an object",
            {"id": None, "title": "no id", "authors": [{"name": "Item Author"}]},
        ],
    }
    doc.update(extra)
    return json.dumps(doc).encode()


def test_json_feed() -> None:
    feed = parse_feed(_feed(), url=URL)
    assert feed.version == "json11"
    assert feed.title == "JSON feed"
    assert feed.link == "https://example.org/"
    assert feed.self_url == URL
    assert feed.description == "a &amp; b"
    assert feed.image == "https://example.org/icon.png"
    assert feed.icon == "https://example.org/favicon.ico"
    assert feed.hub == "https://hub.example/"
    assert len(feed.entries) == 3
    first, second, third = feed.entries
    assert first.id == "1" and first.link == "https://example.org/one"
    assert first.content == "<p>Hi</p>"
    assert first.summary == "sum &lt;mary&gt;"
    assert first.published == datetime(2020, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert first.categories == ("a", "b")
    assert first.author == "Feed Author"
    assert first.enclosures == (
        Enclosure("https://example.org/a.mp3", "audio/mpeg", 10),
        Enclosure("https://example.org/b.mp3", None, 20),
    )
    assert second.id == "2" and second.link is None
    assert second.content == "plain &lt;text&gt;"
    assert third.id.startswith("sha256:") and third.author == "Item Author"


def test_json_feed_10_and_missing_version() -> None:
    assert parse_feed(_feed(version="https://jsonfeed.org/version/1"), url=URL).version == "json10"
    assert len(parse_feed(_feed(version=None), url=URL).entries) == 3


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'{"items": 3}',
        b'{"items": {}}',
        b"[" * 200_000 + b"]" * 200_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    ],
)
def test_bad_json(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(body, url=URL)


def test_lone_surrogates_and_nul_are_stripped() -> None:
    body = b'{"version":"https://jsonfeed.org/version/1","title":"a\\ud800b\\u0000c","items":[]}'
    assert parse_feed(body, url=URL).title == "abc"


def test_rss_in_json() -> None:
    body = json.dumps(
        {
            "rss": {
                "channel": {
                    "title": "Scripting",
                    "link": "http://scripting.com/",
                    "item": [{"guid": "g1", "description": "<b>x</b>", "link": "http://s.com/1"}],
                }
            }
        }
    ).encode()
    feed = parse_feed(body, url=URL)
    assert feed.title == "Scripting"
    assert feed.entries[0].summary == "<b>x</b>"


def test_c1_controls_in_json_strings_are_repaired_not_passed_on() -> None:
    """U+0080-U+009F never mean anything in feed text; one of them (U+009B, CSI)
    starts a terminal control sequence. Escaped or raw, they are read as
    windows-1252, as in XML feeds."""
    for ensure_ascii in (True, False):
        doc = json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "News\u009b2J",
                "items": [{"id": "1", "title": "don\u0092t \u009b31mred", "content_text": "a\u0085b"}],
            },
            ensure_ascii=ensure_ascii,
        ).encode()
        feed = parse_feed(doc, url="https://example.com/feed.json")
        texts = [feed.title or "", feed.entries[0].title or "", feed.entries[0].content or ""]
        assert not any("\u0080" <= ch <= "\u009f" for t in texts for ch in t), texts
        assert feed.entries[0].title == "don’t ›31mred"
