"""Feed rename in the web (#15): the settings page names a feed for its reader
(``agg.subscriptions.update_subscription(title=...)``, as ``tidings feed-options
--title`` does), and an empty name gives the feed its own title back. The
sidebar, the cards and the feeds page say the new name, escaped; a name with
control characters is cleaned, a long one cut to 200 characters with a notice;
another user's subscription is not found."""

from __future__ import annotations

import re

from web.conftest import NOW, WebServer, entry

URL = "https://news.example/feed"


def _setup(web: WebServer) -> tuple[int, object]:
    admin = web.agg.accounts.get_users()[0]
    feed_id = web.feed(admin, URL, [entry(1), entry(2)], title="Fixture News")
    return feed_id, admin


def _form(title: str | None, **kw: str) -> dict[str, str]:
    form = {"category": "", "full_text": "auto", "interval": "", **kw}
    if title is not None:
        form["title"] = title
    return form


def _sidebar(body: str) -> str:
    found = re.search(r'<aside class="sidebar" id="sidebar">.*?</aside>', body, re.S)
    assert found, body[:300]
    return found.group(0)


def test_the_settings_page_offers_a_name_and_shows_the_feeds_own(web: WebServer) -> None:
    feed_id, _ = _setup(web)
    client = web.client()
    client.login("admin")
    page = client.get(f"/feed/{feed_id}/edit")
    assert page.status == 200
    assert 'name="title"' in page.body and 'placeholder="Fixture News"' in page.body
    assert 'maxlength="200"' in page.body


def test_a_new_name_shows_in_the_sidebar_the_cards_and_the_feeds_page(web: WebServer) -> None:
    feed_id, admin = _setup(web)
    client = web.client()
    client.login("admin")
    saved = client.post(f"/feed/{feed_id}/edit", _form("Harbour <b>Daily</b> & Co"))
    assert saved.status == 303
    escaped = "Harbour &lt;b&gt;Daily&lt;/b&gt; &amp; Co"
    river = client.get("/")
    assert escaped in _sidebar(river.body) and "<b>Daily" not in river.body
    assert escaped in client.get(f"/feed/{feed_id}").body  # its own page's heading and cards
    cards = re.findall(r'<article class="card.*?</article>', river.body, re.S)
    assert cards and all(escaped in c for c in cards), cards[:1]
    feeds = client.get("/subscriptions").body
    assert escaped in feeds and "Fixture News" in feeds  # the feed's own title beside it
    edit = client.get(f"/feed/{feed_id}/edit?saved=1").body
    assert f'value="{escaped}"' in edit
    assert web.agg.reading.get_feed(admin.id, feed_id).custom_title == "Harbour <b>Daily</b> & Co"

    cleared = client.post(f"/feed/{feed_id}/edit", _form("   "))
    assert cleared.status == 303
    river = client.get("/")
    assert "Harbour" not in _sidebar(river.body) and "Fixture News" in _sidebar(river.body)
    assert web.agg.reading.get_feed(admin.id, feed_id).custom_title is None


def test_a_form_without_the_field_leaves_the_name_alone(web: WebServer) -> None:
    feed_id, admin = _setup(web)
    client = web.client()
    client.login("admin")
    assert client.post(f"/feed/{feed_id}/edit", _form("Mine")).status == 303
    assert client.post(f"/feed/{feed_id}/edit", _form(None, category="News")).status == 303
    feed = web.agg.reading.get_feed(admin.id, feed_id)
    assert feed.custom_title == "Mine" and feed.category == "News"


def test_control_characters_are_cleaned_and_a_long_name_is_cut_with_a_notice(
    web: WebServer,
) -> None:
    feed_id, admin = _setup(web)
    client = web.client()
    client.login("admin")
    saved = client.post(f"/feed/{feed_id}/edit", _form("Tide\x00\x1b[31m\x07 \t\r\nTimes\x7f"))
    assert saved.status == 303
    assert web.agg.reading.get_feed(admin.id, feed_id).custom_title == "Tide[31m Times"
    page = client.get(saved.header("location") or "")
    assert page.status == 200 and "cut to" not in page.body

    saved = client.post(f"/feed/{feed_id}/edit", _form("W" * 10_000))
    assert saved.status == 303
    name = web.agg.reading.get_feed(admin.id, feed_id).custom_title
    assert name is not None and len(name) == 200 and name.startswith("WWW")
    page = client.get(saved.header("location") or "")
    assert page.status == 200
    assert "cut to 200 characters" in page.body
    assert client.get("/").status == 200 and client.get("/subscriptions").status == 200


def test_another_user_cannot_rename_a_subscription_that_is_not_theirs(web: WebServer) -> None:
    feed_id, admin = _setup(web)
    web.user("bob")
    bob = web.client()
    bob.login("bob")
    assert bob.post(f"/feed/{feed_id}/edit", _form("Bob's now")).status == 404
    assert bob.get(f"/feed/{feed_id}/edit").status == 404
    assert web.agg.reading.get_feed(admin.id, feed_id).custom_title is None
    alice = web.client()
    alice.login("admin")
    assert "Bob" not in _sidebar(alice.get("/").body)


def test_two_readers_of_one_feed_name_it_each_for_themselves(web: WebServer) -> None:
    feed_id, admin = _setup(web)
    bob_user = web.user("bob")
    web.agg.store.add_feed(bob_user.id, URL, category=None, now=NOW)  # the same shared feed
    alice, bob = web.client(), web.client()
    alice.login("admin")
    bob.login("bob")
    assert bob.post(f"/feed/{feed_id}/edit", _form("Bob's harbour")).status == 303
    assert alice.post(f"/feed/{feed_id}/edit", _form("Alice's harbour")).status == 303
    assert "Bob" not in alice.get("/").body and "Alice" not in bob.get("/").body
    assert "Alice&#39;s harbour" in _sidebar(alice.get("/").body)
    assert "Bob&#39;s harbour" in _sidebar(bob.get("/").body)
    assert "Bob" not in alice.get("/subscriptions").body
    assert web.agg.reading.get_feed(admin.id, feed_id).custom_title == "Alice's harbour"
    assert web.agg.reading.get_feed(bob_user.id, feed_id).custom_title == "Bob's harbour"


def test_a_rename_without_the_csrf_token_is_refused(web: WebServer) -> None:
    feed_id, admin = _setup(web)
    client = web.client()
    client.login("admin")
    refused = client.post(f"/feed/{feed_id}/edit", _form("Forged"), csrf=False)
    assert refused.status == 403
    assert web.agg.reading.get_feed(admin.id, feed_id).custom_title is None
