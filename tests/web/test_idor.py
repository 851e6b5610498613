"""HOSTILE E6: two users; every route with the other user's ids gives 404 or nothing."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from rawdb import raw_db

from tidings.model import EntryFilter
from web.conftest import Client, WebServer, entry


@pytest.fixture
def two(web: WebServer) -> tuple[WebServer, Client, dict[str, int | str]]:
    alice = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    feed = web.feed(
        alice,
        "https://alice.example/feed",
        [entry(i, title=f"Zanzibar secret {i}") for i in range(3)],
        category="Private",
    )
    web.feed(bob, "https://bob.example/feed", [entry(10 + i, id=f"b{i}") for i in range(2)])
    alice_entry = web.agg.get_entries(alice.id, EntryFilter())[0].id
    client = web.client()
    client.login("bob")
    return (
        web,
        client,
        {"feed": feed, "entry": int(alice_entry), "category": "Private", "alice": int(alice.id)},
    )


def test_foreign_ids_are_not_found(two: tuple[WebServer, Client, dict[str, int | str]]) -> None:
    web, bob, ids = two
    for path in (
        f"/entry/{ids['entry']}",
        f"/feed/{ids['feed']}",
        f"/feed/{ids['feed']}/edit",
        f"/category/{quote(str(ids['category']))}",
    ):
        assert bob.get(path).status == 404, path
    for path, form in (
        (f"/entry/{ids['entry']}/mark", {"read": "1", "starred": "1"}),
        (f"/feed/{ids['feed']}/edit", {"full_text": "never", "interval": "1", "category": "x"}),
        (f"/feed/{ids['feed']}/edit", {"title": "Bob's now"}),  # rename (#15)
        (f"/feed/{ids['feed']}/remove", {}),
    ):
        assert bob.post(path, form).status == 404, path
    alice = web.agg.accounts.get_users()[0]
    assert len(web.agg.get_feeds(alice.id)) == 1
    assert web.agg.get_feeds(alice.id)[0].custom_title is None
    state = web.agg.get_feeds(alice.id)[0].state
    assert state.full_text == "auto" and state.interval_override is None
    assert not web.agg.get_entry(alice.id, int(ids["entry"])).starred


def test_foreign_ids_in_bulk_actions_change_nothing(
    two: tuple[WebServer, Client, dict[str, int | str]],
) -> None:
    web, bob, ids = two
    marked = bob.post(
        "/entries/read",
        {"ids": f"{ids['entry']},{int(ids['entry']) + 1}"},
        headers={"Accept": "application/json"},
    )
    assert json.loads(marked.body) == {"changed": 0}
    bob.post("/mark-all-read", {"feed_id": str(ids["feed"]), "up_to": "999999", "view": "all"})
    bob.post("/mark-all-read", {"category": "Private", "up_to": "999999", "view": "all"})
    polled = bob.get(
        f"/river/new?feed_id={ids['feed']}&after=0", headers={"Accept": "application/json"}
    )
    assert json.loads(polled.body)["count"] == 0
    found = bob.get("/search?q=zanzibar")
    assert "Zanzibar" not in found.body
    assert "Zanzibar" not in bob.get("/search?q=feed%3Aalice").body
    assert "alice.example" not in bob.get("/opml").body
    assert "alice.example" not in bob.get("/subscriptions").body
    assert "Zanzibar" not in bob.get("/").body
    assert "Private" not in bob.get("/").body
    with raw_db(web.agg.settings.db_url) as conn:
        rows = conn.execute(
            "SELECT COUNT(*) FROM entry_states WHERE entry_id IN "
            "(SELECT id FROM entries WHERE feed_id = ?)",
            (ids["feed"],),
        ).fetchone()
    assert rows[0] == 0


def test_shared_feeds_keep_separate_state(web: WebServer) -> None:
    alice = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    web.feed(alice, "https://shared.example/feed", [entry(i) for i in range(3)])
    web.feed(bob, "https://shared.example/feed", [entry(i) for i in range(3)])
    as_bob = web.client()
    as_bob.login("bob")
    shared = web.agg.get_entries(bob.id, EntryFilter())[0].id
    assert as_bob.post(f"/entry/{shared}/mark", {"read": "1", "starred": "1"}).status == 303
    assert not web.agg.get_entry(alice.id, int(shared)).read
    assert web.agg.get_entry(bob.id, int(shared)).starred
    assert web.agg.reading.get_sidebar(alice.id).unread == 3
    assert web.agg.reading.get_sidebar(bob.id).unread == 2
