"""#11 item 8 (web half): unsubscribing asks first, without JavaScript.

The feed's page links to a confirmation served by the server (GET); only its
POST, which carries ``confirm``, unsubscribes. A POST without it changes nothing.
"""

from __future__ import annotations

import html
import re

from web.conftest import Client, WebServer, entry


def _setup(web: WebServer) -> tuple[Client, int]:
    admin = web.agg.accounts.get_users()[0]
    feed_id = web.feed(admin, "https://news.example/feed", [entry(i) for i in range(3)])
    client = web.client()
    client.login("admin")
    return client, feed_id


def _subscribed(web: WebServer) -> bool:
    return bool(web.agg.get_feeds(web.agg.accounts.get_users()[0].id))


def test_unsubscribe_asks_first_and_a_confirmed_post_unsubscribes(web: WebServer) -> None:
    client, feed_id = _setup(web)
    edit = client.get(f"/feed/{feed_id}/edit").body
    # the feed's page leads to the question, it does not unsubscribe in one click
    assert f'href="/feed/{feed_id}/remove"' in edit
    assert f'action="/feed/{feed_id}/remove"' not in edit
    question = client.get(f"/feed/{feed_id}/remove")
    assert question.status == 200
    text = html.unescape(question.body)
    assert "Unsubscribe from Fixture News?" in text and "Starred stories are kept" in text
    form = re.search(
        r'<form method="post" action="/feed/(\d+)/remove"[^>]*>(.*?)</form>', text, re.S
    )
    assert form and int(form.group(1)) == feed_id
    assert 'name="confirm"' in form.group(2) and 'name="csrf"' in form.group(2)
    assert _subscribed(web)  # asking changed nothing
    done = client.post(f"/feed/{feed_id}/remove", {"confirm": "1"})
    assert done.status == 303 and done.header("location") == "/subscriptions?removed=1"
    assert not _subscribed(web)


def test_a_post_without_confirm_only_asks(web: WebServer) -> None:
    client, feed_id = _setup(web)
    for form in ({}, {"confirm": ""}, {"confirm": "0"}):
        response = client.post(f"/feed/{feed_id}/remove", form)
        assert response.status == 303, form
        assert response.header("location") == f"/feed/{feed_id}/remove"
        assert _subscribed(web)


def test_the_question_is_only_for_ones_own_feeds(web: WebServer) -> None:
    _, feed_id = _setup(web)
    web.user("bob")
    bob = web.client()
    bob.login("bob")
    assert bob.get(f"/feed/{feed_id}/remove").status == 404
    assert bob.post(f"/feed/{feed_id}/remove", {"confirm": "1"}).status == 404
    assert _subscribed(web)
