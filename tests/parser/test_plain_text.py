"""Plain text shown as HTML (#15): paragraphs and line breaks kept, URLs linked.

YouTube's only entry text is a plain ``media:description``; Atom ``type="text"``
and JSON Feed ``content_text`` are plain text too."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.content.sanitize import sanitize_html
from tidings.content.text import fragment_html, html_to_text, text_to_html
from tidings.parser import parse_feed

URL = "https://example.com/feed.xml"
CORPUS = Path("/work/shared/corpus/feeds-real")
REL = 'rel="noopener noreferrer nofollow"'
DESCRIPTION = """You can easily make an ESP32-S3 into a WebCam!

Code: https://github.com/atomic14/esp32-webcam.
Shop (https://shop.example/item?id=1&ref=yt) - thanks!

#esp32 #webcam"""


def _youtube(description: str) -> bytes:
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">'
        "<entry><id>yt:video:abc</id><title>A video</title><media:group>"
        f"<media:description>{description}</media:description>"
        "</media:group></entry></feed>"
    ).encode()


def test_a_youtube_description_keeps_its_paragraphs_and_links_its_urls() -> None:
    body = _youtube(DESCRIPTION.replace("&", "&amp;"))
    summary = parse_feed(body, url=URL).entries[0].summary
    assert summary == (
        "<p>You can easily make an ESP32-S3 into a WebCam!</p>"
        "<p>Code: "
        f'<a href="https://github.com/atomic14/esp32-webcam" {REL}>'
        "https://github.com/atomic14/esp32-webcam</a>.<br>"
        f'Shop (<a href="https://shop.example/item?id=1&amp;ref=yt" {REL}>'
        "https://shop.example/item?id=1&amp;ref=yt</a>) - thanks!</p>"
        "<p>#esp32 #webcam</p>"
    )


def test_character_references_in_a_plain_description_are_read() -> None:
    body = _youtube("He said &amp;#039;yes&amp;#039; &amp;amp; left\nnext")
    summary = parse_feed(body, url=URL).entries[0].summary
    assert summary == "<p>He said 'yes' &amp; left<br>next</p>"


def test_a_description_holding_tags_is_sanitized_html() -> None:
    body = _youtube("Use &lt;script&gt;alert(1)&lt;/script&gt;\nhttps://x.example/")
    summary = parse_feed(body, url=URL).entries[0].summary
    assert summary is not None and "script" not in summary and "alert" not in summary


def test_an_html_media_description_is_html() -> None:
    body = _youtube("&lt;p&gt;Hello &lt;b&gt;you&lt;/b&gt;&lt;/p&gt;")
    assert parse_feed(body, url=URL).entries[0].summary == "<p>Hello <b>you</b></p>"


def test_a_one_line_text_construct_is_only_escaped() -> None:
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><summary>a &lt; b</summary></entry></feed>'
    assert parse_feed(body, url=URL).entries[0].summary == "a &lt; b"


def test_json_feed_content_text_keeps_paragraphs() -> None:
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
      {"id": "1", "content_text": "one\\n\\ntwo https://x.example/"}]}"""
    entry = parse_feed(body, url=URL, content_type="application/feed+json").entries[0]
    assert entry.content == (
        f'<p>one</p><p>two <a href="https://x.example/" {REL}>https://x.example/</a></p>'
    )


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("plain", "plain"),
        ("a\r\nb", "<p>a<br>b</p>"),
        ("a\n \n\n b", "<p>a</p><p>b</p>"),
        (
            "see https://x.example/a.",
            f'<p>see <a href="https://x.example/a" {REL}>https://x.example/a</a>.</p>',
        ),
        ("ftp://x.example/ javascript:alert(1)", "<p>ftp://x.example/ javascript:alert(1)</p>"),
        (
            'https://x.example/"onmouseover="x',
            f'<p><a href="https://x.example/" {REL}>'
            "https://x.example/</a>&quot;onmouseover=&quot;x</p>".replace("&quot;", '"'),
        ),
    ],
)
def test_text_to_html(text: str, html: str) -> None:
    assert text_to_html(text) == html


@given(st.text(alphabet=st.sampled_from("ab \n<>&\"'.:/()htps"), max_size=80))
def test_text_to_html_is_sanitizer_stable_and_keeps_the_words(text: str) -> None:
    out = text_to_html(text)
    assert sanitize_html(out) == out
    assert html_to_text(out).split() == text.split()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_a_real_youtube_feed_has_links_and_paragraphs() -> None:
    name = "video__kagi__www.youtube.com_feeds_videos.xml_channel_id_UC4Otk-uDioJN0tg6s1QO9lw.xml"
    entry = parse_feed((CORPUS / name).read_bytes(), url=URL).entries[0]
    assert entry.summary is not None
    assert entry.summary.startswith("<p>You can easily make an ESP32-S3 into a WebCam")
    assert '<a href="https://' in entry.summary


def test_a_stored_fragment_without_tags_is_text() -> None:
    assert fragment_html("a &amp; b\n\nc") == "<p>a &amp; b</p><p>c</p>"
    assert fragment_html("Tom &amp; Jerry") == "Tom &amp; Jerry"
    assert fragment_html("<p>a\n\nb</p>") == "<p>a\n\nb</p>"
