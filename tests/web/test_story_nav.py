"""Story navigation (#15): the story page knows its list by ``?from=``, offers the
story before and after it there, and Back returns to that list at this story."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from tidings.model import EntryFilter
from web.conftest import NOW, Client, WebServer, entry


def _nav(body: str) -> dict[str, str]:
    """The story page's Back, Previous and Next links (unescaped hrefs)."""
    found = {}
    for cls in ("back-link", "nav-prev", "nav-next"):
        m = re.search(rf'<a href="([^"]*)"[^>]*class="{cls}"', body)
        if m:
            found[cls] = html.unescape(m.group(1))
    return found


def _story(client: Client, entry_id: int, origin: str | None) -> dict[str, str]:
    query = "?" + urlencode({"from": origin}) if origin is not None else ""
    page = client.get(f"/entry/{entry_id}{query}")
    assert page.status == 200, page.body[:300]
    return _nav(page.body)


def _link(entry_id: int, origin: str) -> str:
    return f"/entry/{entry_id}?" + urlencode({"from": origin})


@pytest.fixture
def news(web: WebServer) -> tuple[WebServer, Client, dict[str, int], int]:
    """Two feeds in two categories, their stories interleaved in time:
    World has w0 (newest), w2, w4; Local l1, l3 (``guid-<n>`` is n hours old)."""
    admin = web.agg.accounts.get_users()[0]
    world = web.feed(
        admin,
        "https://world.example/feed",
        [entry(i, id=f"w{i}") for i in (0, 2, 4)],
        category="World",
        title="World Wire",
    )
    web.feed(
        admin,
        "https://local.example/feed",
        [entry(i, id=f"l{i}") for i in (1, 3)],
        category="Local",
        title="Local Post",
    )
    ids = {e.guid: int(e.id) for e in web.agg.get_entries(admin.id, EntryFilter())}
    client = web.client()
    client.login("admin")
    return web, client, ids, world


def test_river_neighbours_follow_the_river_order(news: tuple[Any, ...]) -> None:
    _, client, ids, _ = news
    order = ["w0", "l1", "w2", "l3", "w4"]
    for at, guid in enumerate(order):
        nav = _story(client, ids[guid], "/")
        assert nav["back-link"] == f"/#entry-{ids[guid]}"
        newer = order[at - 1] if at > 0 else None
        older = order[at + 1] if at + 1 < len(order) else None
        assert nav.get("nav-prev") == (_link(ids[newer], "/") if newer else None), guid
        assert nav.get("nav-next") == (_link(ids[older], "/") if older else None), guid


def test_category_and_feed_neighbours_stay_in_their_list(news: tuple[Any, ...]) -> None:
    _, client, ids, world = news
    nav = _story(client, ids["w2"], "/category/World")
    assert nav["back-link"] == f"/category/World#entry-{ids['w2']}"
    assert nav["nav-prev"] == _link(ids["w0"], "/category/World")
    assert nav["nav-next"] == _link(ids["w4"], "/category/World")
    nav = _story(client, ids["l1"], "/category/Local")
    assert "nav-prev" not in nav and nav["nav-next"] == _link(ids["l3"], "/category/Local")
    feed = f"/feed/{world}"
    nav = _story(client, ids["w0"], feed)
    assert nav["back-link"] == f"{feed}#entry-{ids['w0']}"
    assert "nav-prev" not in nav and nav["nav-next"] == _link(ids["w2"], feed)
    starred = "/?view=starred"
    client.post(f"/entry/{ids['l3']}/mark", {"starred": "1"})
    nav = _story(client, ids["l3"], starred)
    assert nav == {"back-link": f"{starred}#entry-{ids['l3']}"}


def test_a_category_name_needing_quotes_round_trips(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(
        admin, "https://a.example/feed", [entry(i) for i in range(3)], category="Life & Arts/2"
    )
    ids = [int(e.id) for e in web.agg.get_entries(admin.id, EntryFilter())]
    client = web.client()
    client.login("admin")
    river = client.get("/category/" + quote("Life & Arts/2", safe="")).body
    origin = "/category/" + quote("Life & Arts/2", safe="")
    assert html.escape(_link(ids[0], origin)) in river  # the cards carry their list
    nav = _story(client, ids[1], origin)
    assert nav["nav-prev"] == _link(ids[0], origin)
    assert nav["nav-next"] == _link(ids[2], origin)


def test_an_unread_list_walks_what_is_still_unread(news: tuple[Any, ...]) -> None:
    """The story opened from Unread becomes read (on open); its neighbours are the
    nearest stories still unread above and below its place, so one read a moment
    ago is skipped, and Back returns to Unread at its place."""
    _, client, ids, _ = news
    unread = "/?view=unread"
    river = client.get(unread).body
    assert html.escape(_link(ids["w0"], unread)) in river
    first = _story(client, ids["w0"], unread)
    assert first["nav-next"] == _link(ids["l1"], unread)
    client.post(f"/entry/{ids['w0']}/mark", {"read": "1"})  # what opening it does
    client.post(f"/entry/{ids['l1']}/mark", {"read": "1"})
    nav = _story(client, ids["l1"], unread)  # read, and so out of the list: still placed
    assert "nav-prev" not in nav  # w0 above it is read
    assert nav["nav-next"] == _link(ids["w2"], unread)
    assert nav["back-link"] == f"{unread}#entry-{ids['l1']}"
    nav = _story(client, ids["w2"], unread)
    assert "nav-prev" not in nav and nav["nav-next"] == _link(ids["l3"], unread)
    client.post(f"/entry/{ids['w0']}/mark", {"read": "0"})
    assert _story(client, ids["w2"], unread)["nav-prev"] == _link(ids["w0"], unread)


def test_search_neighbours_are_the_hits_beside_it(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(
        admin,
        "https://a.example/feed",
        [entry(i, title=f"Lighthouse {i}") for i in range(35)]
        + [entry(99, id="other", title="Ferry times")],
    )
    client = web.client()
    client.login("admin")
    page0 = client.get("/search?q=lighthouse").body
    hits = [int(x) for x in re.findall(r'id="entry-(\d+)"', page0)]
    assert len(hits) == 30
    origin = "/search?q=lighthouse"
    assert html.escape(_link(hits[0], origin)) in page0
    nav = _story(client, hits[1], origin)
    assert nav["back-link"] == f"{origin}#entry-{hits[1]}"
    assert nav["nav-prev"] == _link(hits[0], origin)
    assert nav["nav-next"] == _link(hits[2], origin)
    # the last hit of page 0: Next is the first of page 1, which carries page 1
    page1 = client.get("/search?q=lighthouse&page=1").body
    first_of_1 = int(re.findall(r'id="entry-(\d+)"', page1)[0])
    nav = _story(client, hits[-1], origin)
    assert nav["nav-next"] == _link(first_of_1, origin + "&page=1")
    back = _story(client, first_of_1, origin + "&page=1")
    assert back["nav-prev"] == _link(hits[-1], origin)


@pytest.mark.parametrize("page", ["²", "-1", "9" * 30, "1e3", ""])
def test_a_bad_search_page_in_from_is_the_first(web: WebServer, page: str) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, "https://a.example/feed", [entry(i, title=f"Lighthouse {i}") for i in range(3)])
    client = web.client()
    client.login("admin")
    hits = [
        int(x) for x in re.findall(r'id="entry-(\d+)"', client.get("/search?q=lighthouse").body)
    ]
    nav = _story(client, hits[1], "/search?" + urlencode({"q": "lighthouse", "page": page}))
    assert nav["nav-next"] == _link(hits[2], "/search?q=lighthouse")


HOSTILE = [
    "//evil.example/",
    "///evil.example/",
    "https://evil.example/",
    "https:evil.example",
    "%2f%2fevil.example",
    "javascript:alert(1)",
    "\\\\evil.example",
    "/\\evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    " /\tevil",
    "/\r\nLocation: https://evil.example/",
    "evil.example",
    "/settings",
    "/feed/999999",
    "/category/Nope",
    "/feed/1/remove",
    "/entry/1",
    "/logout",
    "",
    "x" * 5000,
]


@pytest.mark.parametrize("origin", HOSTILE)
def test_a_hostile_or_unknown_from_is_no_list(news: tuple[Any, ...], origin: str) -> None:
    _, client, ids, _ = news
    page = client.get(f"/entry/{ids['l1']}?" + urlencode({"from": origin}))
    assert page.status == 200
    nav = _nav(page.body)
    assert nav == {"back-link": f"/#entry-{ids['l1']}"}  # All stories, no neighbours
    assert "evil" not in page.body.lower()
    for form_next in re.findall(r'name="next" value="([^"]*)"', page.body):
        assert html.unescape(form_next) == f"/entry/{ids['l1']}"


def test_marks_from_the_story_page_keep_its_list(news: tuple[Any, ...]) -> None:
    _, client, ids, _ = news
    origin = "/category/World?view=unread"
    body = client.get(f"/entry/{ids['w2']}?" + urlencode({"from": origin})).body
    nexts = {html.unescape(n) for n in re.findall(r'name="next" value="([^"]*)"', body)}
    assert nexts == {_link(ids["w2"], origin)}
    done = client.post(f"/entry/{ids['w2']}/mark", {"starred": "1", "next": nexts.pop()})
    assert done.status == 303 and done.header("location") == _link(ids["w2"], origin)


def test_without_from_back_goes_to_all_stories(news: tuple[Any, ...]) -> None:
    _, client, ids, _ = news
    assert _story(client, ids["w2"], None) == {"back-link": f"/#entry-{ids['w2']}"}


def test_story_timestamps_tie_break_by_id(web: WebServer) -> None:
    """Stories published in the same second keep one order in the list and on the page."""
    admin = web.agg.accounts.get_users()[0]
    same = NOW - timedelta(hours=1)
    web.feed(admin, "https://a.example/feed", [entry(i, published=same) for i in range(4)])
    order = [int(e.id) for e in web.agg.get_entries(admin.id, EntryFilter())]
    client = web.client()
    client.login("admin")
    walked = [order[0]]
    while nxt := _story(client, walked[-1], "/").get("nav-next"):
        walked.append(int(re.match(r"/entry/(\d+)", nxt).group(1)))  # type: ignore[union-attr]
    assert walked == order
