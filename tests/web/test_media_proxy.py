"""The media proxy (#15): story images fetched by the server, never hot-linked.

Real HTTP over loopback: an image server on 127.0.0.2 (the web servers here may reach
127.0.0.0/8, as an RSS-Bridge next to Tidings would be allowed), the web app on
127.0.0.1. Story HTML is rewritten when a page is rendered, never in the store.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import pytest
from feedserver import FeedServer

from tidings.model import EntryFilter
from web.conftest import Client, WebServer, entry
from web.newsroom import thumbnail

PNG = thumbnail(1)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
AVIF = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf" + b"\0" * 64
INERT = "default-src 'none'; sandbox"
PROXIED = re.compile(r"/proxy/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+")


@pytest.fixture
def images() -> Iterator[FeedServer]:
    with FeedServer(host="127.0.0.2") as server:
        server.set("/a.png", PNG, content_type="image/png")
        server.set("/b.svg", SVG, content_type="image/svg+xml")
        server.set("/c.avif", AVIF, content_type="image/avif")
        server.set("/fake.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
        server.set("/big.png", PNG + b"\0" * 50_000, content_type="image/png")
        yield server


def _reader(make_server: Any, images: FeedServer, **settings: Any) -> tuple[WebServer, Client]:
    web: WebServer = make_server(**settings)
    web.agg.accounts.setup_admin("admin", "correct horse battery")
    admin = web.agg.accounts.get_users()[0]
    html = (
        f'<p>Photos.</p><p><img src="{images.url("/a.png")}" alt="a &gt; b &amp; c"></p>'
        '<p><img src="https://secure.example/c.png" alt="secure"></p>'
        f'<video src="https://cdn.example/v.mp4" poster="{images.url("/c.avif")}" controls>'
        "</video>"
    )
    web.feed(admin, "https://s.example/feed", [entry(1, content=html, image=images.url("/a.png"))])
    client = web.client()
    client.login("admin")
    return web, client


def _story(web: WebServer, client: Client) -> tuple[int, str, str]:
    admin = web.agg.accounts.get_users()[0]
    story = web.agg.get_entries(admin.id, EntryFilter(limit=5))[0]
    page = client.get(f"/entry/{story.id}")
    assert page.status == 200
    return story.id, page.body, page.header("content-security-policy") or ""


def _image_policy(csp: str) -> str:
    return next(d.strip() for d in csp.split(";") if d.strip().startswith("img-src"))


def test_http_only_proxies_http_images_and_narrows_the_policy(
    make_server: Any, images: FeedServer
) -> None:
    web, client = _reader(make_server, images)  # the default mode: http-only
    story_id, page, csp = _story(web, client)
    assert images.url("/a.png") not in page  # neither in the story nor as its main image
    assert 'src="https://secure.example/c.png"' in page  # https: loaded as it is
    assert PROXIED.search(page)
    assert _image_policy(csp) == "img-src 'self' https: data:"  # no http: at all
    # what is stored is the feed's own HTML
    stored = web.agg.get_entry(web.agg.accounts.get_users()[0].id, story_id)
    assert images.url("/a.png") in (stored.content or "")
    river = client.get("/").body
    assert images.url("/a.png") not in river and PROXIED.search(river)  # the card's thumbnail


def test_all_proxies_every_image_and_poster(make_server: Any, images: FeedServer) -> None:
    web, client = _reader(make_server, images, media_proxy="all")
    _, page, csp = _story(web, client)
    assert "secure.example" not in page and images.url("/c.avif") not in page
    assert 'src="https://cdn.example/v.mp4"' in page  # audio and video play from the source
    assert 'alt="a &gt; b &amp; c"' in page  # the rest of the tag is kept
    assert len(PROXIED.findall(page)) == 3  # two images and the poster
    assert _image_policy(csp) == "img-src 'self' data:"


def test_none_leaves_images_alone(make_server: Any, images: FeedServer) -> None:
    web, client = _reader(make_server, images, media_proxy="none")
    _, page, csp = _story(web, client)
    assert f'src="{images.url("/a.png")}"' in page and not PROXIED.search(page)
    assert _image_policy(csp) == "img-src * data:"
    assert "off" in _refusal(client, "/proxy/x/y", 404)


def _proxied(web: WebServer, url: str) -> str:
    path = web.agg.media.url_for(url)
    assert path.startswith("/proxy/")
    return path


def test_a_proxied_image_is_inert_and_sent_without_the_readers_credentials(
    make_server: Any, images: FeedServer
) -> None:
    web, client = _reader(make_server, images, media_proxy="all")
    _, page, _ = _story(web, client)
    path = next(p for p in PROXIED.findall(page) if _decoded(p) == images.url("/a.png"))
    got = client.get(path, headers={"Authorization": "Basic YWRtaW46c2VjcmV0"})
    assert got.status == 200
    assert got.header("content-type") == "image/png"
    assert got.header("content-security-policy") == INERT
    assert got.header("x-content-type-options") == "nosniff"
    assert "max-age=" in (got.header("cache-control") or "")
    assert not any(c.startswith("tidings_") for c in got.cookies)  # no cookie set either
    assert got.header("content-length") == str(len(PNG))
    sent = [r for r in images.requests if r.path == "/a.png"][-1]
    assert "Cookie" not in sent.headers and "Authorization" not in sent.headers
    assert client.cookies  # the reader did send its session cookie to us
    assert web.client().get(path).status == 200  # a signed URL needs no session
    avif = web.client().get(_proxied(web, images.url("/c.avif")))
    assert avif.status == 200 and avif.header("content-type") == "image/avif"


def _decoded(path: str) -> str:
    encoded = path.rsplit("/", 1)[1]
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()


def _refusal(client: Client, path: str, status: int) -> str:
    got = client.get(path)
    assert got.status == status, (path, got.status, got.body[:200])
    assert got.header("content-type") == "text/plain; charset=utf-8"
    assert got.header("content-security-policy") == INERT
    assert got.header("x-content-type-options") == "nosniff"
    assert got.header("cache-control") == "no-store"
    return got.body


def test_a_tampered_signature_or_url_is_refused(make_server: Any, images: FeedServer) -> None:
    web, client = _reader(make_server, images, media_proxy="all")
    path = _proxied(web, images.url("/a.png"))
    _, _, sig, encoded = path.split("/")
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    other = base64.urlsafe_b64encode(images.url("/b.svg").encode()).decode().rstrip("=")
    for bad in (
        f"/proxy/{flipped}/{encoded}",
        f"/proxy/{sig}/{other}",
        f"/proxy/{sig[:-1]}/{encoded}",
        f"/proxy/{sig}/%%%",
        "/proxy/x/y",
    ):
        assert "signature" in _refusal(client, bad, 403)
    assert not [r for r in images.requests if r.path == "/b.svg"]  # nothing was fetched


def test_svg_a_disguised_page_and_an_oversized_image_are_refused(
    make_server: Any, images: FeedServer
) -> None:
    web, client = _reader(make_server, images, media_proxy="all", media_proxy_max_bytes=20_000)
    assert "image/svg+xml" in _refusal(client, _proxied(web, images.url("/b.svg")), 415)
    assert "not an image" in _refusal(client, _proxied(web, images.url("/fake.png")), 415)
    assert "too large" in _refusal(client, _proxied(web, images.url("/big.png")), 502)
    missing = _refusal(client, _proxied(web, images.url("/nope.png")), 502)
    assert "404" in missing and "<" not in missing


def test_a_private_address_is_refused(make_server: Any, images: FeedServer) -> None:
    """In production netguard refuses private addresses; this server may reach only
    127.0.0.2, as a Tidings allowed one RSS-Bridge would."""
    web, client = _reader(
        make_server, images, media_proxy="all", allow_private_networks="127.0.0.2"
    )
    assert client.get(_proxied(web, images.url("/a.png"))).status == 200
    with FeedServer(host="127.0.0.3") as private:
        private.set("/a.png", PNG, content_type="image/png")
        body = _refusal(client, _proxied(web, private.url("/a.png")), 403)
        assert "not allowed" in body
        assert private.requests == []
    # a URL with credentials is never signed, so never fetched with them
    assert web.agg.media.url_for("http://u:p@127.0.0.2/a.png") == "http://u:p@127.0.0.2/a.png"
