"""Reading through HTTP: paging, marks, mark all read, counts, polling, search, feeds."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings.core.search import parse_query
from tidings.errors import SearchQueryError
from tidings.model import EntryFilter
from web.conftest import NOW, Client, WebServer, entry

JSON = {"Accept": "application/json"}


def _setup(web: WebServer, n: int = 45) -> tuple[Client, int]:
    admin = web.agg.accounts.get_users()[0]
    feed_id = web.feed(
        admin, "https://news.example/feed", [entry(i) for i in range(n)], category="World"
    )
    client = web.client()
    client.login("admin")
    return client, feed_id


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<article class="card[^"]*" id="entry-(\d+)"', html)]


def _unread(html: str) -> str:
    found = re.search(r'data-count="unread">(\d*)<', html)
    assert found
    return found.group(1)


def test_keyset_paging_walks_every_story_once(web: WebServer) -> None:
    client, _ = _setup(web)
    first = client.get("/")
    seen = _ids(first.body)
    assert len(seen) == 30
    more = re.search(r'class="more" href="([^"]+)"', first.body)
    assert more
    second = client.get(more.group(1).replace("&amp;", "&") + "&partial=1")
    assert "<html" not in second.body  # a fragment for infinite scroll
    seen += _ids(second.body)
    assert len(seen) == len(set(seen)) == 45
    assert 'class="more"' not in second.body


def test_marks_counts_and_mark_all_read(web: WebServer) -> None:
    client, feed_id = _setup(web, 10)
    assert _unread(client.get("/").body) == "10"
    ids = _ids(client.get("/").body)
    state = client.post(f"/entry/{ids[0]}/mark", {"read": "1"}, headers=JSON)
    assert json.loads(state.body) == {"id": ids[0], "read": True, "starred": False}
    client.post(f"/entry/{ids[1]}/mark", {"starred": "1"})
    assert _unread(client.get("/").body) == "9"
    assert _ids(client.get("/?view=starred").body) == [ids[1]]
    assert ids[0] not in _ids(client.get("/?view=unread").body)
    # scroll-past marks a batch
    batch = client.post("/entries/read", {"ids": f"{ids[2]},{ids[3]}"}, headers=JSON)
    assert json.loads(batch.body) == {"changed": 2}
    assert _unread(client.get(f"/feed/{feed_id}").body) == "7"
    # mark all read "older than a day" leaves the newest stories (published within a day)
    client.post("/mark-all-read", {"view": "all", "up_to": str(max(ids)), "older_than": "day"})
    unread = _ids(client.get("/?view=unread").body)
    newest = web.agg.get_entries(web.agg.accounts.get_users()[0].id, EntryFilter(limit=100))
    young = {e.id for e in newest if e.sorted_at and e.sorted_at > NOW - timedelta(days=1)}
    assert set(unread) == young - {ids[0], ids[2], ids[3]}
    # mark all read up to what the page showed: later arrivals stay unread
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, "https://news.example/feed", [entry(100, id="late")])
    client.post("/category/World", {}, csrf=True)  # a GET-only path: not allowed
    done = client.post(
        "/mark-all-read",
        {"view": "unread", "category": "World", "up_to": str(max(ids)), "next": "/?view=unread"},
    )
    assert done.status == 303 and done.header("location") == "/?view=unread"
    left = web.agg.get_entries(admin.id, EntryFilter(unread=True))
    assert [e.guid for e in left] == ["late"]
    assert _unread(client.get("/").body) == "1"


def test_new_stories_are_announced_and_served(web: WebServer) -> None:
    client, _ = _setup(web, 3)
    page = client.get("/")
    latest = re.search(r'data-latest="(\d+)"', page.body)
    assert latest
    assert 'data-poll="/river/new?' in page.body
    assert client.get("/api/new?after=0", headers=JSON).status == 404  # /api/ is the APIs'
    poll = client.get(f"/river/new?view=all&after={latest.group(1)}", headers=JSON)
    assert json.loads(poll.body)["count"] == 0
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, "https://news.example/feed", [entry(50, id="fresh", title="Fresh news")])
    poll = client.get(f"/river/new?view=all&after={latest.group(1)}", headers=JSON)
    assert json.loads(poll.body)["count"] == 1
    fresh = client.get(f"/?after={latest.group(1)}")
    assert "Fresh news" in fresh.body and "<html" not in fresh.body


def test_the_new_stories_banner_adds_what_it_announced(web: WebServer) -> None:
    """#15: "100 new stories" added 50 (the new arrivals came a page at a time)."""
    client, _ = _setup(web, 3)
    latest = re.search(r'data-latest="(\d+)"', client.get("/").body)
    assert latest
    admin = web.agg.accounts.get_users()[0]
    web.feed(
        admin,
        "https://news.example/feed",
        [entry(100 + i, id=f"burst-{i}", title=f"Burst {i}") for i in range(120)],
    )
    poll = json.loads(client.get(f"/river/new?view=all&after={latest.group(1)}", headers=JSON).body)
    fresh = client.get(f"/?after={latest.group(1)}")
    assert poll["count"] == 120 == fresh.body.count('class="card')
    # past what one click may add, the banner reloads the river instead
    assert poll["max"] >= 120


def test_tags_show_on_cards_and_the_story_page(web: WebServer) -> None:
    """#15: a tag (from a rule, or set in an app) was invisible in the reader."""
    client, _ = _setup(web, 2)
    admin = web.agg.accounts.get_users()[0]
    first = web.agg.get_entries(admin.id, EntryFilter())[0]
    web.agg.sync.set_tag(admin.id, [int(first.id)], "<b>Later</b>", tagged=True)
    river = client.get("/").body
    assert '<span class="tag" dir="auto">&lt;b&gt;Later&lt;/b&gt;</span>' in river
    story = client.get(f"/entry/{first.id}").body
    assert '<span class="tag" dir="auto">&lt;b&gt;Later&lt;/b&gt;</span>' in story


def test_search_ranks_highlights_and_filters(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(
        admin,
        "https://a.example/feed",
        [
            entry(
                1, title="Harbour bridge reopens", summary="<p>Traffic flows over the bridge.</p>"
            ),
            entry(
                2, title="Council budget", summary="<p>The harbour bridge repairs cost more.</p>"
            ),
            entry(3, title="Football results", summary="<p>The harbour team won.</p>"),
        ],
        category="Local",
        title="Alpha Daily",
    )
    web.feed(
        admin,
        "https://b.example/feed",
        [entry(4, id="b4", title="Bridge of boats")],
        category="World",
        title="Beta Times",
    )
    client = web.client()
    client.login("admin")
    body = client.get("/search?q=harbour+bridge").body
    titles = re.findall(r'<a class="open" href="/entry/\d+\?from=[^"]*">(.*?)</a>', body)
    assert (
        titles[0] == "<mark>Harbour</mark> <mark>bridge</mark> reopens"
    )  # title matches weigh more
    assert len(titles) == 2
    assert "<mark>harbour</mark> <mark>bridge</mark>" in body  # the snippet
    assert len(re.findall(r'class="open"', client.get("/search?q=%22harbour+bridge%22").body)) == 2
    assert "Football" not in client.get("/search?q=harbour+-football").body
    only_beta = client.get("/search?q=bridge+feed%3Abeta").body
    assert "of boats" in only_beta and "reopens" not in only_beta
    assert "of boats" in client.get("/search?q=bri*+category%3Aworld").body
    assert "reopens" in client.get("/search?q=category%3Alocal").body  # filters alone list


def test_malformed_queries_get_a_friendly_message(web: WebServer) -> None:
    client, _ = _setup(web, 2)
    for q in ["-harbour", "*", '"', "NEAR(", "a AND", "body:secret", "%00", ")" * 600, '-"x"']:
        response = client.get("/search?q=" + __import__("urllib.parse").parse.quote(q))
        assert response.status in (200, 400), q
        assert "Something went wrong" not in response.body
    assert "Add a word" in client.get("/search?q=-harbour").body


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=80))
def test_any_query_parses_or_explains(text: str) -> None:
    try:
        query = parse_query(text)
    except SearchQueryError as exc:
        assert str(exc)
        return
    assert query.include or query.feeds or query.categories


def test_any_query_runs_against_fts5(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, "https://a.example/feed", [entry(i) for i in range(3)])

    @settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
    @given(
        st.text(alphabet=st.sampled_from('ab "*-():^+NEARORANDNOT\\%_\x00é'), max_size=30)
        | st.text(max_size=30)
    )
    def run(text: str) -> None:
        result = web.agg.reading.search(admin.id, text)
        assert result.message is None or result.hits == []

    run()


def test_subscriptions_settings_and_opml(web: WebServer) -> None:
    client, feed_id = _setup(web, 2)
    page = client.get("/subscriptions")
    assert "Health" in page.body and "https://news.example/feed" in page.body
    saved = client.post(
        f"/feed/{feed_id}/edit", {"category": "Later", "full_text": "always", "interval": "5"}
    )
    assert saved.status == 303
    state = web.agg.reading.get_feed(web.agg.accounts.get_users()[0].id, feed_id)
    assert state.category == "Later" and state.state.full_text == "always"
    assert state.state.interval_override == web.agg.settings.min_interval  # clamped
    assert client.post(f"/feed/{feed_id}/edit", {"full_text": "sometimes"}).status == 400
    exported = client.get("/opml")
    assert "attachment" in (exported.header("content-disposition") or "")
    assert "https://news.example/feed" in exported.body
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body><outline text="Tech">'
        b'<outline type="rss" text="X" xmlUrl="https://x.example/rss"/>'
        b'<outline type="rss" text="Bad" xmlUrl="javascript:alert(1)"/></outline></body></opml>'
    )
    boundary = "tidingsboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{client.csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.opml"\r\n'
            f"Content-Type: text/xml\r\n\r\n"
        ).encode()
        + opml
        + f"\r\n--{boundary}--\r\n".encode()
    )
    imported = client.request(
        "POST",
        "/opml",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert imported.status == 200 and "Imported 1 feeds" in imported.body
    assert "https://x.example/rss" in client.get("/subscriptions").body
    removed = client.post(f"/feed/{feed_id}/remove", {"confirm": "1"})
    assert removed.status == 303
    assert "https://news.example/feed" not in client.get("/subscriptions").body


def test_settings_are_saved_and_used(web: WebServer) -> None:
    client, _ = _setup(web, 1)
    page = client.get("/")
    assert 'data-mark-open="1"' in page.body and 'data-mark-scroll="0"' in page.body
    client.post("/settings", {"mark_read_on_scroll": "1", "theme": "dark"})
    page = client.get("/")
    assert 'data-mark-open="0"' in page.body and 'data-mark-scroll="1"' in page.body
    assert 'data-theme="dark"' in page.body
    client.post("/settings", {"theme": "<script>"})
    assert 'data-theme="system"' in client.get("/").body


def test_search_scoping_with_many_feeds_and_feed_tokens(web: WebServer) -> None:
    """Over 64 feeds the search filters candidates by feed after FTS5; under, feed
    tokens scope it inside FTS5. Both give the same, user-scoped, answers."""
    admin = web.agg.accounts.get_users()[0]
    bob = web.user("bob")
    for i in range(70):
        web.feed(
            admin,
            f"https://many{i}.example/feed",
            [entry(i, id=f"m{i}", title=f"Lighthouse keeper {i}")],
            category="Even" if i % 2 == 0 else "Odd",
            title=f"Paper {i}",
        )
    web.feed(bob, "https://bob.example/feed", [entry(99, id="b", title="Lighthouse of bob")])
    search = web.agg.reading.search
    assert len(search(admin.id, "lighthouse", limit=200).hits) == 70
    assert len(search(admin.id, "lighthouse category:even", limit=200).hits) == 35
    only = search(admin.id, "lighthouse feed:many7.example").hits
    assert [h.entry.feed_url for h in only] == ["https://many7.example/feed"]
    assert [h.entry.title for h in search(bob.id, "lighthouse").hits] == ["Lighthouse of bob"]
    assert search(admin.id, "f1").hits == []  # feed tokens are not words
    assert search(admin.id, "lighthouse feed:nothing-like-this").hits == []
