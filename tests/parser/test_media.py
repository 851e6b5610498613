"""Podcast and video files of an entry (#15): enclosures with their duration,
Media RSS files, JSON Feed attachments."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.model import Enclosure
from tidings.parser import parse_feed
from tidings.parser.media import MAX_MEDIA_FILES, parse_duration

URL = "https://example.com/feed.xml"
CORPUS = Path("/work/shared/corpus/feeds-real")
ITUNES = 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"'


def _rss_item(inner: str) -> bytes:
    return f'<rss version="2.0" {ITUNES} {MEDIA}><channel><item>{inner}</item></channel></rss>'.encode()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("01:54:09", 6849),
        ("1:02:03", 3723),
        ("62:03", 3723),
        ("3723", 3723),
        (" 3723.5 ", 3723),
        ("0:42", 42),
        ("", None),
        ("0", None),
        ("soon", None),
        ("1:2:3:4", None),
        ("-5", None),
        ("١٢", None),  # digits, but not ASCII ones
        ("99999999999999999", None),
        (None, None),
    ],
)
def test_durations(text: str | None, seconds: int | None) -> None:
    assert parse_duration(text) == seconds


def test_a_podcast_episode_has_its_size_and_duration() -> None:
    body = _rss_item(
        '<title>Ep 1</title><enclosure url="/ep1.mp3" type="audio/mpeg" length="54919661"/>'
        "<itunes:duration>42:00</itunes:duration>"
    )
    entry = parse_feed(body, url=URL).entries[0]
    assert entry.enclosures == (
        Enclosure("https://example.com/ep1.mp3", "audio/mpeg", 54919661, 2520),
    )


def test_the_duration_goes_to_the_first_playable_file() -> None:
    body = _rss_item(
        '<itunes:duration>100</itunes:duration><enclosure url="/cover.jpg" type="image/jpeg"/>'
        '<enclosure url="/ep.m4a"/><enclosure url="/ep.ogg" type="audio/ogg"/>'
    )
    files = parse_feed(body, url=URL).entries[0].enclosures
    assert [e.duration for e in files] == [None, 100, None]


def test_media_content_fills_what_the_enclosure_lacks_and_adds_videos() -> None:
    body = _rss_item(
        '<enclosure url="https://x.example/a.mp3" length="10"/>'
        '<media:content url="https://x.example/a.mp3" type="audio/mpeg" duration="61" '
        'fileSize="99"/>'
        '<media:group><media:content url="https://x.example/v-720.mp4" type="video/mp4"/>'
        '<media:content url="https://x.example/v-1080.mp4" type="video/mp4" isDefault="true" '
        'duration="300"/></media:group>'
        '<media:content url="https://x.example/flash" type="application/x-shockwave-flash"/>'
        '<media:content url="https://x.example/pic.jpg" medium="image"/>'
    )
    entry = parse_feed(body, url=URL).entries[0]
    assert entry.enclosures == (
        Enclosure("https://x.example/a.mp3", "audio/mpeg", 10, 61),
        Enclosure("https://x.example/v-1080.mp4", "video/mp4", None, 300),
    )
    assert entry.image == "https://x.example/pic.jpg"


def test_media_files_are_capped() -> None:
    many = "".join(
        f'<media:content url="https://x.example/{i}.mp3" type="audio/mpeg"/>' for i in range(50)
    )
    assert len(parse_feed(_rss_item(many), url=URL).entries[0].enclosures) == MAX_MEDIA_FILES


def test_atom_podcast_duration_and_youtube_media_group() -> None:
    body = (
        f'<feed xmlns="http://www.w3.org/2005/Atom" {ITUNES} {MEDIA}><entry><id>1</id>'
        '<link rel="enclosure" href="https://x.example/a.mp3" type="audio/mpeg" length="5"/>'
        "<itunes:duration>1:00:00</itunes:duration></entry>"
        "<entry><id>yt:video:abc</id><media:group>"
        '<media:content url="https://www.youtube.com/v/abc?version=3" '
        'type="application/x-shockwave-flash"/>'
        '<media:thumbnail url="https://i4.ytimg.com/vi/abc/hqdefault.jpg"/>'
        "</media:group></entry></feed>"
    ).encode()
    podcast, video = parse_feed(body, url=URL).entries
    assert podcast.enclosures == (Enclosure("https://x.example/a.mp3", "audio/mpeg", 5, 3600),)
    assert video.enclosures == ()  # a Flash player is no file to play
    assert video.image == "https://i4.ytimg.com/vi/abc/hqdefault.jpg"


def test_json_feed_attachment_duration() -> None:
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [
      {"id": "1", "attachments": [
        {"url": "https://x.example/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 7,
         "duration_in_seconds": 1800},
        {"url": "https://x.example/b.mp3", "duration_in_seconds": "1800"}]}]}"""
    files = parse_feed(body, url=URL, content_type="application/feed+json").entries[0].enclosures
    assert files == (
        Enclosure("https://x.example/a.mp3", "audio/mpeg", 7, 1800),
        Enclosure("https://x.example/b.mp3", None, None, None),  # a string is no number
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_a_real_podcast_feed_gives_durations() -> None:
    body = (CORPUS / "podcast__RSParser__atp_rss.xml").read_bytes()
    first = parse_feed(body, url="http://atp.fm/rss").entries[0]
    assert first.enclosures == (
        Enclosure("http://traffic.libsyn.com/atpfm/atp311.mp3", "audio/mpeg", 54919661, 6849),
    )
