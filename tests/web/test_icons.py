"""GET /feed/{id}/icon (#12): a feed's stored icon, to its subscribers only, inert."""

from __future__ import annotations

import re

from tidings.model import FeedId
from web.conftest import NOW, Client, WebServer, entry

PNG = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 17


def _two(web: WebServer) -> tuple[Client, int, int]:
    """admin follows a feed with an icon and one without; returns admin's client."""
    admin = web.agg.accounts.get_users()[0]
    iconic = web.feed(admin, "https://iconic.example/feed", [entry(1)], title="Iconic")
    plain = web.feed(admin, "https://plain.example/feed", [entry(2, id="p")], title="Plain")
    web.agg.store.set_icon(
        FeedId(iconic), now=NOW, data=PNG, content_type="image/png", source_url="https://i/"
    )
    web.agg.store.set_icon(FeedId(plain), now=NOW, error="HTTP 404")
    client = web.client()
    client.login("admin")
    return client, iconic, plain


def test_a_subscriber_gets_the_icon_inert_and_cacheable(web: WebServer) -> None:
    client, iconic, _ = _two(web)
    got = client.get(f"/feed/{iconic}/icon")
    assert got.status == 200
    assert got.header("content-type") == "image/png"
    assert got.header("x-content-type-options") == "nosniff"
    assert got.header("content-security-policy") == "default-src 'none'; sandbox"
    assert got.header("cache-control") == "private, max-age=86400"
    assert got.header("content-length") == str(len(PNG))
    assert got.body.endswith("IHDR" + "\0" * 17)
    # pages keep their own policy
    page = client.get("/")
    assert "script-src" in (page.header("content-security-policy") or "")


def test_no_icon_another_users_feed_and_no_login_are_not_found(web: WebServer) -> None:
    _, iconic, plain = _two(web)
    bob = web.user("bob")
    theirs = web.feed(bob, "https://bob.example/feed", [entry(3, id="b")])
    web.agg.store.set_icon(FeedId(theirs), now=NOW, data=PNG, content_type="image/png")
    client = web.client()
    client.login("bob")
    assert client.get(f"/feed/{theirs}/icon").status == 200
    for feed_id in (iconic, plain, 999999, "0", "x"):
        assert client.get(f"/feed/{feed_id}/icon").status == 404, feed_id
    admin = web.client()
    admin.login("admin")
    assert admin.get(f"/feed/{plain}/icon").status == 404  # the try failed: nothing stored
    anonymous = web.client().get(f"/feed/{iconic}/icon")
    assert anonymous.status in (303, 401, 404) and "IHDR" not in anonymous.body


def test_the_sidebar_shows_icons_where_there_are_some(web: WebServer) -> None:
    client, iconic, plain = _two(web)
    page = client.get("/").body
    imgs = re.findall(r"<img [^>]*>", page)
    assert (
        f'<img class="feed-icon" src="/feed/{iconic}/icon" width="16" height="16" alt="">' in imgs
    )
    assert not any(f"/feed/{plain}/icon" in img for img in imgs)
