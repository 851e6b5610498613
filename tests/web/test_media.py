"""Media on the story page over HTTP (#15): players with duration and size, the
playback position saved and restored, images, a click-to-load video embed, the
frame-src that allows only those players, the cards' badge."""

from __future__ import annotations

import html
import json
import re

from tidings.content.media import EMBED_HOSTS
from tidings.model import Enclosure, EntryFilter
from web.conftest import Client, WebServer, entry

JSON = {"Accept": "application/json"}
MP3 = "https://cdn.example/ep1.mp3"
YT = "dQw4w9WgXcQ"


def _setup(web: WebServer) -> tuple[Client, dict[str, int]]:
    admin = web.agg.accounts.get_users()[0]
    entries = [
        entry(
            0,
            title="Episode 1",
            enclosures=(Enclosure(MP3, "audio/mpeg", 54_919_661, 2520),),
            image="https://cdn.example/art.jpg",
        ),
        entry(
            1,
            id=f"yt:video:{YT}",
            title="A video",
            link=f"https://www.youtube.com/watch?v={YT}",
            summary="<p>What it is about</p>",
            image=f"https://i4.ytimg.com/vi/{YT}/hqdefault.jpg",
        ),
        entry(
            2,
            title="Pictures",
            enclosures=(
                Enclosure("https://cdn.example/a.jpg", "image/jpeg"),
                Enclosure("https://cdn.example/f.pdf", "application/pdf", 2048),
            ),
            image="https://cdn.example/thumb.jpg",
        ),
        entry(3, title="Vimeo", link="https://vimeo.com/76979871"),
        entry(
            5,
            title="Stored as text",
            summary="First line\nsecond line\n\nMore at https://x.example/?a=1&amp;b=2 now",
        ),
        entry(
            4,
            title="A post with a video in it",
            summary='<p>See:</p><iframe src="https://www.youtube.com/embed/abcdefghijk"></iframe>',
        ),
    ]
    web.feed(admin, "https://cast.example/feed", entries)
    ids = {e.title or "": int(e.id) for e in web.agg.get_entries(admin.id, EntryFilter())}
    client = web.client()
    client.login("admin")
    return client, ids


def _frame_src(csp: str) -> str:
    found = re.search(r"frame-src ([^;]*)", csp)
    assert found, csp
    return found.group(1).strip()


def test_a_podcast_story_has_an_audio_player_with_its_duration_and_size(web: WebServer) -> None:
    client, ids = _setup(web)
    page = client.get(f"/entry/{ids['Episode 1']}").body
    audio = re.search(r"<audio [^>]*>", page)
    assert audio, page
    assert f'src="{MP3}"' in audio.group(0) and 'preload="none"' in audio.group(0)
    assert f'data-entry="{ids["Episode 1"]}"' in audio.group(0)
    assert 'data-position="0"' in audio.group(0)
    assert "42:00" in page and "54.9 MB" in page and "audio/mpeg" in page
    assert '<script src="/static/media.js"' in page
    assert '<img class="cover" src="https://cdn.example/art.jpg"' in page  # the episode's art
    assert "media-image" not in page


def test_the_position_is_saved_and_shown_on_the_next_visit(web: WebServer) -> None:
    client, ids = _setup(web)
    story = ids["Episode 1"]
    client.get(f"/entry/{story}")
    saved = client.post(f"/entry/{story}/position", {"position": "754.25"}, headers=JSON)
    assert saved.status == 200 and json.loads(saved.body) == {"id": story, "position": 754.25}
    page = client.get(f"/entry/{story}").body
    assert 'data-position="754.25"' in page and "resumes at 12:34" in page
    # the position is the user's own
    other = web.client()
    web.user("bob")
    other.login("bob")
    assert other.post(f"/entry/{story}/position", {"position": "1"}).status == 404


def test_a_bad_position_or_a_missing_token_is_refused(web: WebServer) -> None:
    client, ids = _setup(web)
    story = ids["Episode 1"]
    client.get(f"/entry/{story}")
    for bad in ("", "-1", "nan", "1e9", "12abc", "99999999"):
        assert client.post(f"/entry/{story}/position", {"position": bad}).status == 400, bad
    assert client.post(f"/entry/{story}/position", {"position": "5"}, csrf=False).status == 403
    assert client.post("/entry/999999/position", {"position": "5"}).status == 404
    assert 'data-position="0"' in client.get(f"/entry/{story}").body


def test_a_youtube_story_shows_its_thumbnail_and_no_frame_until_clicked(web: WebServer) -> None:
    client, ids = _setup(web)
    response = client.get(f"/entry/{ids['A video']}")
    page = response.body
    assert "<iframe" not in page  # nothing from YouTube before the click
    figure = re.search(r'<figure class="embed"[^>]*>', page)
    assert figure
    assert f'data-embed-src="https://www.youtube-nocookie.com/embed/{YT}"' in figure.group(0)
    assert f'src="https://i4.ytimg.com/vi/{YT}/hqdefault.jpg"' in page
    assert f'href="https://www.youtube.com/watch?v={YT}"' in html.unescape(page)
    assert '<script src="/static/media.js"' in page
    csp = response.header("content-security-policy") or ""
    assert _frame_src(csp) == "https://www.youtube-nocookie.com https://player.vimeo.com"


def test_a_vimeo_story_embeds_vimeos_player(web: WebServer) -> None:
    client, ids = _setup(web)
    page = client.get(f"/entry/{ids['Vimeo']}").body
    assert 'data-embed-src="https://player.vimeo.com/video/76979871"' in page


def test_images_and_other_files_of_a_story(web: WebServer) -> None:
    client, ids = _setup(web)
    page = client.get(f"/entry/{ids['Pictures']}").body
    assert '<figure class="media-image"><img src="https://cdn.example/thumb.jpg"' in page
    assert '<figure class="media-image"><img src="https://cdn.example/a.jpg"' in page
    assert 'href="https://cdn.example/f.pdf"' in page and "2.0 KB" in page
    assert "<audio" not in page and "<video" not in page and '<figure class="embed"' not in page


def test_a_frame_in_a_story_waits_for_a_click(web: WebServer) -> None:
    client, ids = _setup(web)
    page = client.get(f"/entry/{ids['A post with a video in it']}").body
    assert "<iframe" not in page
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/abcdefghijk"' in page
    assert '<script src="/static/media.js"' in page


def test_cards_say_what_a_story_plays(web: WebServer) -> None:
    client, _ = _setup(web)
    page = client.get("/").body
    assert '<span class="badge">▶ podcast 42 min</span>' in page
    assert '<span class="badge">▶ YouTube</span>' in page
    assert '<span class="badge">▶ Vimeo</span>' in page


def test_the_frame_policy_names_exactly_the_embed_hosts(web: WebServer) -> None:
    csp = web.client().get("/login").header("content-security-policy") or ""
    assert _frame_src(csp).split() == list(EMBED_HOSTS)


def test_a_summary_stored_as_text_is_shown_with_paragraphs_and_links(web: WebServer) -> None:
    client, ids = _setup(web)
    page = client.get(f"/entry/{ids['Stored as text']}").body
    assert "<p>First line<br>second line</p><p>More at " in page
    assert '<a href="https://x.example/?a=1&amp;b=2" rel="noopener noreferrer nofollow">' in page
