"""Published feeds and public pages over real HTTP (#14), on both engines: the three
formats, ETag/Last-Modified and 304s, gzip, Cache-Control, rel=self and rel=hub,
revoked tokens, two users, hostile selections, and the WebSub publish ping."""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from feedserver import FeedServer

from tidings.model import EntryFilter, User
from tidings.parser import parse_feed
from tidings.web.publishing import caching

from .conftest import WebServer, entry

A = "https://harbour.example/feed"
B = "https://bob.example/feed"


@dataclass
class Raw:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(web: WebServer, path: str, headers: dict[str, str] | None = None) -> Raw:
    """A GET with no cookie, as another app's feed reader sends it; the body as sent."""
    return request(web, "GET", path, headers)


def request(web: WebServer, method: str, path: str, headers: dict[str, str] | None = None) -> Raw:
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
    conn.request(method, path, headers=headers or {})
    raw = conn.getresponse()
    body = raw.read()
    conn.close()
    return Raw(raw.status, {k.lower(): v for k, v in raw.getheaders()}, body)


def _admin_and_bob(web: WebServer) -> tuple[User, User]:
    admin = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    web.feed(admin, A, [entry(i) for i in range(1, 4)], category="Harbour", title="Harbour Post")
    web.feed(bob, B, [entry(i, id=f"b{i}", title=f"Bob secret {i}",
                            link=f"https://bob.example/{i}") for i in range(1, 3)],
             category="Harbour")  # fmt: skip
    return admin, bob


def _path(web: WebServer, user: User, selection: str, fmt: str = "atom") -> str:
    return web.agg.publishing.private_path(user.id, selection, fmt)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_a_private_feed_in_each_format(web: WebServer, fmt: str) -> None:
    admin, _ = _admin_and_bob(web)
    path = _path(web, admin, "category/Harbour", fmt)
    response = get(web, path)
    assert response.status == 200, response.body[:300]
    media = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
    assert response.headers["content-type"].startswith(media.get(fmt, "application/feed+json"))
    assert response.headers["cache-control"] == "private, max-age=60"
    assert response.headers["x-robots-tag"] == "noindex"
    assert response.headers["etag"].startswith('W/"')
    assert response.headers["last-modified"].endswith("GMT")
    parsed = parse_feed(response.body, url=f"http://127.0.0.1:{web.port}{path}")
    assert [e.title for e in parsed.entries] == [f"Story {i} about the harbour" for i in (1, 2, 3)]
    assert f"http://127.0.0.1:{web.port}{path}" in response.text  # rel=self / feed_url
    assert "Bob" not in response.text
    if fmt == "json":
        assert json.loads(response.body)["version"] == "https://jsonfeed.org/version/1.1"


def test_304_by_etag_and_by_date_and_200_once_it_changed(web: WebServer) -> None:
    admin, _ = _admin_and_bob(web)
    path = _path(web, admin, "all")
    first = get(web, path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = get(web, path, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert again.headers["etag"] == etag and again.headers["cache-control"]
    assert get(web, path, {"If-None-Match": etag.removeprefix("W/")}).status == 304
    assert get(web, path, {"If-None-Match": f'"other", {etag}'}).status == 304
    assert get(web, path, {"If-Modified-Since": modified}).status == 304
    assert get(web, path, {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}).status == 200
    assert get(web, path, {"If-None-Match": '"stale"', "If-Modified-Since": modified}).status == 200
    web.feed(admin, "https://more.example/feed", [entry(0, id="new", title="Fresh tide")])
    changed = get(web, path, {"If-None-Match": etag})
    assert changed.status == 200 and "Fresh tide" in changed.text
    assert changed.headers["etag"] != etag
    other_format = get(web, _path(web, admin, "all", "rss"))
    assert other_format.headers["etag"] != changed.headers["etag"]


def test_a_remembered_etag_answers_until_it_expires_or_a_story_arrives(
    web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, _ = _admin_and_bob(web)
    path = _path(web, admin, "unread")
    etag = get(web, path).headers["etag"]
    story = web.agg.get_entries(admin.id, EntryFilter())[0]
    web.agg.mark_entry(admin.id, int(story.id), read=True)
    # remembered for FRESH_SECONDS: a mark shows within them (less than max-age)
    assert get(web, path, {"If-None-Match": etag}).status == 304
    monkeypatch.setattr(caching, "FRESH_SECONDS", -1)
    fresh = get(web, path, {"If-None-Match": etag})  # asked again: the listing changed
    assert fresh.status == 200 and fresh.headers["etag"] != etag
    assert "Story 1 about the harbour" not in fresh.text
    web.agg.publishing.revoke_token(admin.id)  # a revoked token is gone at once
    assert get(web, path, {"If-None-Match": fresh.headers["etag"]}).status == 404


def test_gzip_when_asked(web: WebServer) -> None:
    admin, _ = _admin_and_bob(web)
    path = _path(web, admin, "all")
    plain = get(web, path)
    packed = get(web, path, {"Accept-Encoding": "gzip, br"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.body) == plain.body
    assert get(web, path, {"Accept-Encoding": "gzip;q=0"}).body == plain.body
    page = get(web, "/p/" + web.agg.publishing.add_publication(admin.id, "all").slug,
               {"Accept-Encoding": "gzip"})  # fmt: skip
    assert page.headers["content-encoding"] == "gzip"
    assert b"Story 1" in gzip.decompress(page.body)


def test_a_revoked_token_answers_404(web: WebServer) -> None:
    admin, _ = _admin_and_bob(web)
    old = _path(web, admin, "all")
    assert get(web, old).status == 200
    web.agg.publishing.revoke_token(admin.id)
    assert get(web, old).status == 404
    assert get(web, _path(web, admin, "all")).status == 200


def test_each_user_reads_only_their_own(web: WebServer) -> None:
    admin, bob = _admin_and_bob(web)
    mine = get(web, _path(web, bob, "category/Harbour")).text
    assert "Bob secret 1" in mine and "about the harbour" not in mine
    admin_feed = next(f.state.id for f in web.agg.get_feeds(admin.id))
    bobs_token = web.agg.publishing.get_token(bob.id)
    assert get(web, f"/published/{bobs_token}/feed/{admin_feed}.atom").status == 404
    assert get(web, _path(web, admin, f"feed/{admin_feed}")).status == 200


HOSTILE = [
    "everything.atom",
    "all",  # no format
    "all.xml",
    "all.atom.",
    "../../etc/passwd.atom",
    "category/..%2F..%2Fsecret.atom",
    "category/%00.atom",
    "category/%E2%80%AE.atom",
    "category/Harbour%0D%0ASet-Cookie:%20x=1.atom",
    "feed/1%20OR%201=1.atom",
    "feed/-1.atom",
    "tag/%27%3B%20DROP%20TABLE%20entries;--.atom",
    "search/.atom",
    "x" * 2000 + ".atom",
]


@pytest.mark.parametrize("rest", HOSTILE)
def test_hostile_selections_are_404s(web: WebServer, rest: str) -> None:
    admin, _ = _admin_and_bob(web)
    token = web.agg.publishing.get_token(admin.id)
    response = get(web, f"/published/{token}/{rest}")
    assert response.status == 404, (rest, response.status)
    assert "set-cookie" not in response.headers  # nothing a path carries reaches a header


def test_bad_queries_and_parameters_are_400s_with_their_message(web: WebServer) -> None:
    admin, _ = _admin_and_bob(web)
    token = web.agg.publishing.get_token(admin.id)
    bad = get(web, f"/published/{token}/search/-harbour.atom")
    assert bad.status == 400 and "narrows a search" in bad.text
    assert get(web, f"/published/{token}/search/%22harbour%22%20NEAR(.atom").status == 200
    assert get(web, f"/published/{token}/all.atom?n=lots").status == 400
    assert get(web, f"/published/{token}/all.atom?before=yesterday").status == 400
    assert get(web, f"/published/{token}/all.atom?n=99999").status == 200


def test_n_and_before_page_through_next_links(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, A, [entry(i) for i in range(1, 8)])
    path = _path(web, admin, "all", "json")
    first = json.loads(get(web, path + "?n=3").body)
    assert [i["title"] for i in first["items"]] == [
        f"Story {i} about the harbour" for i in (1, 2, 3)
    ]
    assert "?before=" in first["next_url"] and "n=3" in first["next_url"]
    nxt = urllib.parse.urlsplit(first["next_url"])
    second = json.loads(get(web, f"{nxt.path}?{nxt.query}").body)
    assert second["items"][0]["title"] == "Story 4 about the harbour"
    assert len(json.loads(get(web, path + "?n=600").body)["items"]) == 7


def test_a_public_publication_without_login(web: WebServer) -> None:
    admin, bob = _admin_and_bob(web)
    pub = web.agg.publishing.add_publication(
        admin.id, "category/Harbour", slug="harbour", title="Harbour <Watch>", full_text=False
    )
    page = get(web, "/p/harbour")
    assert page.status == 200 and "set-cookie" not in page.headers
    assert page.headers["cache-control"] == "public, max-age=300"
    assert "Story 1 about the harbour" in page.text and "Bob" not in page.text
    assert "Harbour &lt;Watch&gt;" in page.text
    assert '<link rel="alternate" type="application/atom+xml" href="/p/harbour.atom"' in page.text
    assert "Mark read" not in page.text and "csrf" not in page.text  # no personal state
    assert "Harbour Post — Harbour" in page.text  # source — section
    assert get(web, "/p/harbour", {"If-None-Match": page.headers["etag"]}).status == 304
    story = web.agg.get_entries(admin.id, EntryFilter())[0]
    one = get(web, f"/p/harbour/{story.id}")
    assert one.status == 200
    assert f'<link rel="canonical" href="{story.link}">' in one.text
    assert 'rel="alternate" type="application/rss+xml" href="/p/harbour.rss"' in one.text
    assert get(web, f"/p/harbour/{story.id}", {"If-None-Match": one.headers["etag"]}).status == 304
    for fmt in ("atom", "rss", "json"):
        doc = get(web, f"/p/harbour.{fmt}")
        assert doc.status == 200 and doc.headers["cache-control"] == "public, max-age=300"
        assert "Bob" not in doc.text
        assert 'rel="hub"' not in doc.text and "hubs" not in doc.text  # no hub configured
        head = request(web, "HEAD", f"/p/harbour.{fmt}")
        assert (
            head.status == 200 and head.body == b"" and head.headers["etag"] == doc.headers["etag"]
        )
    for e in web.agg.get_entries(bob.id, EntryFilter()):
        assert get(web, f"/p/harbour/{e.id}").status == 404  # bob's story, not published
    assert get(web, "/p/nothing").status == 404
    assert get(web, "/p/nothing.atom").status == 404
    assert get(web, "/p/harbour/abc").status == 404
    web.agg.publishing.remove_publication(admin.id, pub.slug)
    assert get(web, "/p/harbour").status == 404


def test_an_excerpt_publication_carries_no_text_a_full_one_does(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    body = "<p>The lead of it.</p><p>ARTICLEBODY carries on at length.</p>"
    web.feed(admin, A, [entry(1, content=body)], category="Harbour")
    web.agg.publishing.add_publication(admin.id, "all", slug="brief", full_text=False)
    web.agg.publishing.add_publication(admin.id, "all", slug="whole", full_text=True)
    story = web.agg.get_entries(admin.id, EntryFilter())[0]
    for path in ("", ".atom", ".rss", ".json", f"/{story.id}"):
        assert "ARTICLEBODY" not in get(web, f"/p/brief{path}").text, path
        assert "ARTICLEBODY" in get(web, f"/p/whole{path}").text, path


def test_public_documents_carry_no_personal_state(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, A, [entry(1)], category="Harbour")
    story = web.agg.get_entries(admin.id, EntryFilter())[0]
    web.agg.store.set_entry_tag(admin.id, [story.id], "mytagzz", tagged=True)
    web.agg.mark_entry(admin.id, int(story.id), starred=True)
    web.agg.publishing.add_publication(admin.id, "all", slug="tagged")
    assert "mytagzz" in get(web, _path(web, admin, "all")).text  # the owner's own feed
    for path in ("/p/tagged", "/p/tagged.atom", "/p/tagged.rss", "/p/tagged.json",
                 f"/p/tagged/{story.id}"):  # fmt: skip
        doc = get(web, path)
        assert doc.status == 200 and "Story 1 about the harbour" in doc.text, path
        assert "mytagzz" not in doc.text and "★" not in doc.text, path


def test_hostile_text_is_escaped_on_public_pages(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    hostile = entry(
        1,
        title="<script>alert(1)</script> \x1b[31mred",
        summary='<p>Lead</p><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>',
        content="<p>Body</p><script>alert(4)</script>",
        link="javascript:alert(5)",
    )
    web.feed(admin, A, [hostile], category="Harbour", title="<b>Post</b>")
    web.agg.publishing.add_publication(admin.id, "all", slug="all", full_text=True)
    story = web.agg.get_entries(admin.id, EntryFilter())[0]
    for path in ("/p/all", f"/p/all/{story.id}"):
        page = get(web, path).text
        assert "<script>" not in page and "onerror" not in page, path
        assert "javascript:" not in page and "\x1b" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


class RecordingHub:
    """A loopback WebSub hub that records publish pings (and answers 204)."""

    def __init__(self) -> None:
        self.pings: list[dict[str, str]] = []
        self.got = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                owner.pings.append(dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())))
                owner.got.set()
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub() -> Iterator[RecordingHub]:
    found = RecordingHub()
    yield found
    found.close()


def _rss(*guids: str) -> bytes:
    items = "".join(
        f"<item><guid>{g}</guid><title>Harbour story {g}</title>"
        f"<link>https://news.example/{g}</link><description>Text {g}</description></item>"
        for g in guids
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://news.example/</link>{items}</channel></rss>"
    ).encode()


def test_new_items_ping_the_hub_and_the_feeds_name_it(
    make_server: Any, hub: RecordingHub, feed_server: FeedServer
) -> None:
    web: WebServer = make_server(publish_hub=hub.url, base_url="https://news.example.org")
    web.agg.accounts.setup_admin("admin", "correct horse battery")
    admin = web.agg.accounts.get_users()[0]
    feed_server.set("/wire.xml", _rss("a1"))
    feed_server.set("/other.xml", _rss("o1"))
    web.agg.store.add_feed(admin.id, feed_server.url("/wire.xml"), category="Wire", now=_now())
    web.agg.store.add_feed(admin.id, feed_server.url("/other.xml"), category="Other", now=_now())
    asyncio.run(web.agg.refresh(all_feeds=True))
    web.agg.publishing.add_publication(admin.id, "category/Wire", slug="wire")
    web.agg.publishing.add_publication(admin.id, "category/Other", slug="other")
    doc = get(web, "/p/wire.atom").text
    assert f'href="{hub.url}"' in doc and 'rel="hub"' in doc
    assert "https://news.example.org/p/wire.atom" in doc  # rel=self from base_url

    feed_server.set("/wire.xml", _rss("a1", "a2"))  # a new item in one publication
    asyncio.run(web.agg.refresh(all_feeds=True))
    assert hub.got.wait(5)
    assert {p["hub.mode"] for p in hub.pings} == {"publish"}
    assert sorted(p["hub.url"] for p in hub.pings) == [
        "https://news.example.org/p/wire.atom",
        "https://news.example.org/p/wire.json",
        "https://news.example.org/p/wire.rss",
    ]
    hub.pings.clear()
    asyncio.run(web.agg.refresh(all_feeds=True))  # nothing new: no ping
    assert hub.pings == []


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
