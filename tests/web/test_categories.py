"""Categories renamed and deleted in the reader (#15), as `tidings category` does."""

from __future__ import annotations

from urllib.parse import quote

from web.conftest import WebServer, entry


def _setup(web: WebServer) -> int:
    admin = web.agg.accounts.get_users()[0]
    return web.feed(admin, "https://news.example/feed", [entry(1)], category="World <b>")


def _category(web: WebServer, feed_id: int) -> str | None:
    admin = web.agg.accounts.get_users()[0]
    return web.agg.reading.get_feed(admin.id, feed_id).category


def test_a_category_is_renamed_from_its_page(web: WebServer) -> None:
    feed_id = _setup(web)
    client = web.client()
    client.login("admin")
    river = client.get("/category/" + quote("World <b>"))
    edit = "/categories/edit?name=World+%3Cb%3E"
    assert river.status == 200 and f'href="{edit}"' in river.body
    page = client.get(edit)
    assert page.status == 200 and "World &lt;b&gt;" in page.body and "<b>" not in page.body
    done = client.post("/categories/rename", {"name": "World <b>", "new": "  Globe  "})
    assert done.status == 303 and done.headers["location"] == "/category/Globe"
    assert _category(web, feed_id) == "Globe"
    assert client.get("/category/" + quote("World <b>")).status == 404


def test_a_name_taken_merges_and_a_bad_name_is_refused(web: WebServer) -> None:
    feed_id = _setup(web)
    admin = web.agg.accounts.get_users()[0]
    other = web.feed(admin, "https://other.example/feed", [entry(2)], category="Globe")
    client = web.client()
    client.login("admin")
    for bad in ("", "   ", "x" * 201):
        refused = client.post("/categories/rename", {"name": "World <b>", "new": bad})
        assert refused.status == 400 and "1 to 200 characters" in refused.body
    assert _category(web, feed_id) == "World <b>"
    assert client.post("/categories/rename", {"name": "World <b>", "new": "Globe"}).status == 303
    assert _category(web, feed_id) == _category(web, other) == "Globe"


def test_deleting_a_category_asks_first_and_keeps_its_feeds(web: WebServer) -> None:
    feed_id = _setup(web)
    client = web.client()
    client.login("admin")
    asked = client.post("/categories/delete", {"name": "World <b>"})
    assert asked.status == 303 and asked.headers["location"].startswith("/categories/edit?")
    assert _category(web, feed_id) == "World <b>"
    done = client.post("/categories/delete", {"name": "World <b>", "confirm": "1"})
    assert done.status == 303 and done.headers["location"] == "/"
    assert _category(web, feed_id) is None
    assert client.get(f"/feed/{feed_id}").status == 200  # still followed, in none


def test_another_users_category_is_not_found(web: WebServer) -> None:
    feed_id = _setup(web)
    web.user("bob")
    bob = web.client()
    bob.login("bob")
    assert bob.get("/categories/edit?name=World+%3Cb%3E").status == 404
    assert bob.post("/categories/rename", {"name": "World <b>", "new": "Mine"}).status == 404
    gone = bob.post("/categories/delete", {"name": "World <b>", "confirm": "1"})
    assert gone.status == 404
    assert bob.get("/categories/edit").status == 404  # no name at all
    assert _category(web, feed_id) == "World <b>"
