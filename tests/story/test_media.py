"""What an entry plays or shows besides its text (#15): ``tidings.content.media``."""

from __future__ import annotations

import pytest

from tidings.content.media import (
    deferred_frames,
    entry_media,
    format_duration,
    format_size,
    media_badge,
    video_embed,
)
from tidings.content.sanitize import sanitize_html
from tidings.model import Enclosure

YT = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("link", "guid", "src"),
    [
        (
            f"https://www.youtube.com/watch?v={YT}",
            None,
            f"https://www.youtube-nocookie.com/embed/{YT}",
        ),
        (
            f"https://youtube.com/watch?feature=x&v={YT}",
            None,
            f"https://www.youtube-nocookie.com/embed/{YT}",
        ),
        (
            f"https://m.youtube.com/shorts/{YT}",
            None,
            f"https://www.youtube-nocookie.com/embed/{YT}",
        ),
        (f"https://youtu.be/{YT}", None, f"https://www.youtube-nocookie.com/embed/{YT}"),
        (None, f"yt:video:{YT}", f"https://www.youtube-nocookie.com/embed/{YT}"),
        ("https://vimeo.com/76979871", None, "https://player.vimeo.com/video/76979871"),
        (
            "https://vimeo.com/channels/staffpicks/76979871",
            None,
            "https://player.vimeo.com/video/76979871",
        ),
        ("https://www.youtube.com/watch?v=short", None, None),
        (f"https://www.youtube.com/watch?v={YT}%22onload", None, None),
        (f"https://evil.example/watch?v={YT}", None, None),
        (f"javascript://youtu.be/{YT}", None, None),
        ("https://vimeo.com/about", None, None),
        ("https://framatube.org/videos/watch/ed5c048d-01f3", None, None),  # PeerTube: no embed
        (None, "yt:video:<script>", None),
    ],
)
def test_video_embeds(link: str | None, guid: str | None, src: str | None) -> None:
    embed = video_embed(link, guid, None)
    assert (embed.src if embed else None) == src


def test_players_images_and_files() -> None:
    media = entry_media(
        link="https://cast.example/1",
        guid="1",
        enclosures=(
            Enclosure("https://cdn.example/ep.mp3", None, 10, 60),  # no type: by its suffix
            Enclosure("https://cdn.example/ep.mp4", "video/mp4"),
            Enclosure("https://cdn.example/in-text.jpg", "image/jpeg"),
            Enclosure("https://cdn.example/other.jpg", "image/jpeg"),
            Enclosure("https://cdn.example/x.torrent", "application/x-bittorrent", 5),
            Enclosure("javascript:alert(1)", "audio/mpeg"),
        ),
        image="https://cdn.example/art.jpg",
        body='<p><img src="https://cdn.example/in-text.jpg"></p>',
    )
    assert [(p.kind, p.url) for p in media.players] == [
        ("audio", "https://cdn.example/ep.mp3"),
        ("video", "https://cdn.example/ep.mp4"),
    ]
    assert media.players[0].duration == 60 and media.players[0].length == 10
    # the image shown in the text is not shown twice; the art is the video's poster
    assert media.images == ("https://cdn.example/other.jpg",)
    assert [f.url for f in media.files] == ["https://cdn.example/x.torrent"]
    assert media.embed is None and media.playable


def test_an_episode_has_its_art_beside_the_player() -> None:
    media = entry_media(
        link=None,
        guid=None,
        enclosures=(Enclosure("https://cdn.example/ep.mp3", "audio/mpeg"),),
        image="https://cdn.example/art.jpg",
        body="<p>notes</p>",
    )
    assert media.cover == "https://cdn.example/art.jpg" and media.images == ()


def test_the_entry_image_is_shown_unless_the_text_has_it() -> None:
    def images(body: str) -> tuple[str, ...]:
        return entry_media(
            link=None, guid=None, enclosures=(), image="https://cdn.example/t.jpg", body=body
        ).images

    assert images("<p>text</p>") == ("https://cdn.example/t.jpg",)
    assert images('<img src="https://cdn.example/t.jpg">') == ()


def test_a_youtube_entry_has_its_thumbnail_on_the_embed_not_among_images() -> None:
    media = entry_media(
        link=f"https://www.youtube.com/watch?v={YT}",
        guid=f"yt:video:{YT}",
        enclosures=(),
        image="https://i4.ytimg.com/t.jpg",
        body=None,
    )
    assert media.embed is not None and media.embed.thumbnail == "https://i4.ytimg.com/t.jpg"
    assert media.images == () and not media.playable


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (0, ""), (42, "0:42"), (2520, "42:00"), (6849, "1:54:09")]
)
def test_format_duration(seconds: int | None, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, ""),
        (0, ""),
        (999, "999 bytes"),
        (2048, "2.0 KB"),
        (54_919_661, "54.9 MB"),
        (3_500_000_000, "3.5 GB"),
        (7_000_000_000_000, "7000.0 GB"),
    ],
)
def test_format_size(size: int | None, text: str) -> None:
    assert format_size(size) == text


def test_badges() -> None:
    audio = (Enclosure("https://c.example/a.mp3", "audio/mpeg", None, 2520),)
    assert media_badge(audio, None, None) == "▶ podcast 42 min"
    long = (Enclosure("https://c.example/a.mp3", "audio/mpeg", None, 6849),)
    assert media_badge(long, None, None) == "▶ podcast 1 h 54 min"
    assert (
        media_badge((Enclosure("https://c.example/v.mp4", "video/mp4"),), None, None) == "▶ video"
    )
    assert media_badge((), f"https://youtu.be/{YT}", None) == "▶ YouTube"
    assert media_badge((Enclosure("https://c.example/a.jpg", "image/jpeg"),), None, None) == ""


def test_frames_in_a_story_load_on_a_click() -> None:
    story = sanitize_html(
        '<p>Watch:</p><iframe src="https://www.youtube.com/embed/abc?start=5&amp;x=1" '
        'width="560"></iframe><iframe src="https://player.vimeo.com/video/7"></iframe>'
        '<iframe src="https://www.dailymotion.com/embed/video/x"></iframe>'
    )
    out = deferred_frames(story)
    assert out.count("<iframe") == 1  # Dailymotion's: the page's frame-src refuses it
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/abc?start=5&amp;x=1"' in out
    assert 'data-embed-src="https://player.vimeo.com/video/7"' in out
    assert out.startswith('<p>Watch:</p><figure class="embed"')
    assert deferred_frames("<p>no frames</p>") == "<p>no frames</p>"
