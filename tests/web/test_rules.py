"""#15: filter rules on the web (/rules): listed, tried (the CLI's dry run), added and
deleted, over real HTTP on both engines. Hostile input gives the form back (400),
never a 500; everything a user typed is escaped; a user never sees, tries against
or deletes another user's rules or feeds (HOSTILE E6)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from tidings.model import Rule, RuleAction, RuleField
from web.conftest import Client, WebServer, entry

FORM = {"field": "title", "pattern": "", "action": "star", "value": "", "feed": "", "keep": ""}


@pytest.fixture
def alice(web: WebServer) -> tuple[WebServer, Client, int]:
    """``admin`` signed in, following one feed of five stories (two about whales)."""
    admin = web.agg.accounts.get_users()[0]
    stories = [entry(i) for i in range(3)]
    stories += [entry(3, title="Whales seen off the pier"), entry(4, title="A whale of a time")]
    feed = web.feed(admin, "https://harbour.example/feed", stories, title="Harbour News")
    web.feed(admin, "https://other.example/feed", [entry(10, id="o1")], title="Other Paper")
    client = web.client()
    client.login("admin")
    return web, client, feed


def _rules(web: WebServer, name: str = "admin") -> list[Rule]:
    user = next(u for u in web.agg.accounts.get_users() if u.name == name)
    return web.agg.stories.get_rules(user.id)


def _post(client: Client, **fields: Any) -> Any:
    return client.post("/rules", {**FORM, **fields})


def test_the_page_is_linked_from_settings_and_the_sidebar(alice: Any) -> None:
    _, client, _ = alice
    assert 'href="/rules"' in client.get("/settings").body
    assert 'href="/rules"' in client.get("/").body  # the sidebar
    page = client.get("/rules")
    assert page.status == 200
    assert "<h1>Filter rules</h1>" in page.body
    assert "You have no rules yet." in page.body


def test_a_preview_shows_what_the_rule_would_match_and_saves_nothing(alice: Any) -> None:
    web, client, feed = alice
    page = _post(client, pattern="whale", action="tag", value="cetaceans", do="preview")
    assert page.status == 200
    text = unescape(page.body)
    assert "This rule would match 2 of the 6 stories" in text
    assert "Whales seen off the pier" in text and "A whale of a time" in text
    assert "Story 1 about the harbour" not in text
    # the form comes back filled in, ready to save
    assert 'name="pattern" value="whale"' in page.body
    assert 'value="tag" selected' in page.body
    assert 'name="value" value="cetaceans"' in page.body
    assert _rules(web) == []
    scoped = _post(client, pattern="whale|story", feed=str(feed), do="preview")
    assert "would match 5 of the 5 stories" in unescape(scoped.body)
    nothing = _post(client, pattern="zebra", do="preview")
    assert "would match none of the 6 stories" in unescape(nothing.body)


def test_a_keep_rule_previews_the_stories_that_do_not_match(alice: Any) -> None:
    _, client, feed = alice
    page = _post(client, pattern="whale", action="drop", keep="1", feed=str(feed), do="preview")
    assert "would match 3 of the 5 stories" in unescape(page.body)
    assert "Whales seen" not in page.body
    assert 'name="keep" value="1" checked' in page.body


def test_adding_a_rule_lists_it_with_its_scope(alice: Any) -> None:
    web, client, feed = alice
    saved = _post(client, pattern="whale", action="tag", value="cetaceans", feed=str(feed))
    assert saved.status == 303
    assert saved.header("location").startswith("/rules?added=")
    [rule] = _rules(web)
    assert (rule.field, rule.pattern, rule.action, rule.value, rule.keep) == (
        RuleField.TITLE,
        "whale",
        RuleAction.TAG,
        "cetaceans",
        False,
    )
    assert rule.feed_url == "https://harbour.example/feed"
    page = client.get(saved.header("location"))
    assert "Rule added." in page.body
    row = re.search(r'<li class="rule".*?</li>', page.body, re.S)
    assert row, page.body
    text = unescape(re.sub(r"<[^>]+>", " ", row.group(0)))
    for words in ("Harbour News", "title", "whale", "tag", "cetaceans"):
        assert words in text, text
    # a name typed for an action that takes none is not kept
    _post(client, field="author", pattern="^Ann", action="read", keep="1", value="stray")
    assert _rules(web)[1].value is None
    page = client.get("/rules")
    assert page.body.count('<li class="rule"') == 2
    assert "stray" not in page.body
    assert "All feeds" in page.body and "does not match" in page.body


def test_deleting_a_rule(alice: Any) -> None:
    web, client, _ = alice
    _post(client, pattern="whale", action="star")
    [rule] = _rules(web)
    page = client.get("/rules")
    assert f'action="/rules/{rule.id}/delete"' in page.body
    gone = client.post(f"/rules/{rule.id}/delete")
    assert gone.status == 303
    assert _rules(web) == []
    assert "Rule deleted." in client.get(gone.header("location")).body
    assert client.post(f"/rules/{rule.id}/delete").status == 404  # already gone
    assert client.post("/rules/not-a-number/delete").status == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pattern": "(unclosed"}, "invalid pattern"),
        ({"pattern": "[z-a]"}, "invalid pattern"),
        ({"pattern": ""}, "the pattern must have 1 to 500 characters"),
        ({"pattern": "x" * 600}, "the pattern must have 1 to 500 characters"),
        ({"pattern": "whale", "action": "tag", "value": "  "}, "needs a value"),
        ({"pattern": "whale", "action": "tag", "value": "t" * 200}, "at most 100 characters"),
        ({"pattern": "whale", "field": "password"}, "Pick a field"),
        ({"pattern": "whale", "action": "explode"}, "Pick an action"),
        ({"pattern": "whale", "feed": "999999"}, "Pick one of your feeds"),
        ({"pattern": "whale", "feed": "-1"}, "Pick one of your feeds"),
        ({"pattern": "whale", "feed": "x" * 30}, "Pick one of your feeds"),
    ],
)
@pytest.mark.parametrize("do", ["preview", "save"])
def test_a_bad_rule_gives_the_form_back_with_a_message(
    alice: Any, fields: dict[str, str], message: str, do: str
) -> None:
    web, client, _ = alice
    page = _post(client, do=do, **fields)
    assert page.status == 400, page.body[:300]
    assert message in unescape(page.body)
    assert 'role="alert"' in page.body
    assert '<form method="post" action="/rules"' in page.body
    assert _rules(web) == []


def test_a_form_missing_its_fields_is_a_400_not_a_500(alice: Any) -> None:
    web, client, _ = alice
    assert client.post("/rules", {}).status == 400
    assert client.post("/rules", {"pattern": "a", "field": ["title", "url"]}).status == 400
    page = client.post("/rules", {"pattern": "a", "field": "title", "action": "star"})
    assert page.status == 303  # no "do": the form's default button saves
    assert len(_rules(web)) == 1


def test_a_catastrophic_pattern_is_cut_short_in_the_preview(alice: Any) -> None:
    web, client, _ = alice
    admin = web.agg.accounts.get_users()[0]
    slow = entry(20, id="s", summary="<p>" + "a" * 50_000 + "!</p>")
    web.feed(admin, "https://slow.example/feed", [slow])
    page = _post(client, field="content", pattern="(a+)+$", do="preview")
    assert page.status == 200
    assert "took too long on some stories" in page.body


def test_what_a_user_typed_is_escaped(alice: Any) -> None:
    web, client, _ = alice
    admin = web.agg.accounts.get_users()[0]
    web.feed(
        admin,
        "https://xss.example/feed",
        [entry(30, id="x", title='<img src=x onerror="alert(1)"> whale')],
        title="<b>Bold</b> feed",
    )
    hostile = '"><script>alert(1)</script>'
    page = _post(client, pattern=f"whale|{hostile}", action="tag", value=hostile, do="preview")
    assert page.status == 200
    assert "<script>alert(1)" not in page.body
    assert "<img src=x" not in page.body
    assert "<b>Bold</b>" not in page.body
    assert "&lt;img src=x onerror=" in page.body
    assert _post(client, pattern=f"whale|{hostile}", action="tag", value=hostile).status == 303
    listed = client.get("/rules")
    assert "<script>alert(1)" not in listed.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed.body
    bad = _post(client, pattern=f"({hostile}")
    assert bad.status == 400
    assert "<script>alert(1)" not in bad.body


def test_the_forms_need_the_csrf_token(alice: Any) -> None:
    web, client, _ = alice
    _post(client, pattern="whale")
    [rule] = _rules(web)
    assert client.post("/rules", {**FORM, "pattern": "x"}, csrf=False).status == 403
    assert client.post(f"/rules/{rule.id}/delete", {}, csrf=False).status == 403
    assert len(_rules(web)) == 1


def test_another_users_rules_and_feeds_are_out_of_reach(alice: Any) -> None:
    """HOSTILE E6: bob neither sees, tries against, scopes to nor deletes alice's."""
    web, alice_client, feed = alice
    _post(alice_client, pattern="whale", action="tag", value="alices-secret-tag")
    [rule] = _rules(web)
    web.user("bob")
    bob_user = next(u for u in web.agg.accounts.get_users() if u.name == "bob")
    web.feed(bob_user, "https://bob.example/feed", [entry(40, id="b", title="Bob's whale")])
    bob = web.client()
    bob.login("bob")
    page = bob.get("/rules")
    assert page.status == 200
    assert "alices-secret-tag" not in page.body and "Harbour News" not in page.body
    assert "You have no rules yet." in page.body
    assert bob.post(f"/rules/{rule.id}/delete").status == 404
    assert len(_rules(web)) == 1
    scoped = _post(bob, pattern="whale", feed=str(feed), do="preview")
    assert scoped.status == 400
    assert "Whales seen" not in scoped.body
    assert _post(bob, pattern="whale", feed=str(feed)).status == 400
    preview = _post(bob, pattern="whale", do="preview")
    assert "Bob&#39;s whale" in preview.body or "Bob's whale" in unescape(preview.body)
    assert "Whales seen" not in preview.body  # only bob's own stories
    assert "would match 1 of the 1 story" in unescape(preview.body)
    assert _rules(web, "bob") == []
    assert len(_rules(web)) == 1


def test_signed_out_visitors_are_sent_to_sign_in(web: WebServer) -> None:
    client = web.client()
    page = client.get("/rules")
    assert page.status == 303 and page.header("location").startswith("/login")
