"""Saved searches over HTTP (#15): saved from the search page, listed in the sidebar,
renamed and deleted on their search page; names escaped, capped and unique per user;
one user never sees or changes another's."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

import pytest

from web.conftest import Client, WebServer, entry


@pytest.fixture
def client(web: WebServer) -> Client:
    admin = web.agg.accounts.get_users()[0]
    web.feed(
        admin,
        "https://news.example/feed",
        [entry(1, title="Harbour bridge reopens"), entry(2, title="Quay repairs")],
        category="Local",
    )
    c = web.client()
    c.login("admin")
    return c


def _sidebar(body: str) -> str:
    found = re.search(r'<aside class="sidebar".*?</aside>', body, re.S)
    assert found, body[:2000]
    return found.group()


def _saved_links(body: str) -> list[tuple[str, str]]:
    """(href, text) of each saved search in the sidebar."""
    part = re.search(r'<ul class="saved">(.*?)</ul>', _sidebar(body), re.S)
    return re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', part.group(1)) if part else []


def _ids(web: WebServer) -> list[int]:
    admin = web.agg.accounts.get_users()[0]
    return [s.id for s in web.agg.searches.get_saved_searches(admin.id)]


def test_a_search_saved_from_its_page_is_listed_in_the_sidebar(
    web: WebServer, client: Client
) -> None:
    page = client.get("/search?q=harbour+bridge")
    assert page.status == 200
    assert 'action="/search/saved"' in page.body and "Save search" in page.body
    assert _saved_links(client.get("/").body) == []

    saved = client.post("/search/saved", {"q": "harbour  bridge", "name": ""})
    assert saved.status == 303
    assert saved.header("location") == "/search?q=harbour+bridge"
    # the name defaults to the query; the link runs it
    assert _saved_links(client.get("/").body) == [("/search?q=harbour+bridge", "harbour bridge")]
    assert _saved_links(client.get("/subscriptions").body) == [
        ("/search?q=harbour+bridge", "harbour bridge")
    ]
    client.post("/search/saved", {"q": 'quay -"low tide"', "name": "Quay works"})
    followed = client.get("/search?q=" + quote_plus('quay -"low tide"'))
    assert "<mark>Quay</mark> repairs" in followed.body
    links = _saved_links(followed.body)
    assert [text for _, text in links] == ["harbour bridge", "Quay works"]
    assert 'class="active"' in re.search(r'<ul class="saved">.*?</ul>', followed.body, re.S).group()
    # its page offers rename and delete instead of saving it again
    assert "Save search" not in followed.body
    assert re.search(r'action="/search/saved/\d+/rename"', followed.body)
    assert re.search(r'action="/search/saved/\d+/delete"', followed.body)


def test_a_saved_search_is_renamed_and_deleted(web: WebServer, client: Client) -> None:
    client.post("/search/saved", {"q": "harbour", "name": "Port"})
    (saved_id,) = _ids(web)
    renamed = client.post(f"/search/saved/{saved_id}/rename", {"name": "  The   port "})
    assert renamed.status == 303 and renamed.header("location") == "/search?q=harbour"
    assert _saved_links(client.get("/").body) == [("/search?q=harbour", "The port")]
    deleted = client.post(f"/search/saved/{saved_id}/delete")
    assert deleted.status == 303 and deleted.header("location") == "/search?q=harbour"
    assert _saved_links(client.get("/").body) == []
    assert client.post(f"/search/saved/{saved_id}/delete").status == 404
    assert client.post(f"/search/saved/{saved_id}/rename", {"name": "x"}).status == 404


def test_bad_queries_and_names_are_refused_with_a_clear_message(
    web: WebServer, client: Client
) -> None:
    bad = client.post("/search/saved", {"q": "-harbour", "name": "x"})
    assert bad.status == 400 and "Add a word to search for" in bad.body  # the search's own
    empty = client.post("/search/saved", {"q": "   ", "name": "x"})
    assert empty.status == 400
    client.post("/search/saved", {"q": "harbour", "name": "Port"})
    taken = client.post("/search/saved", {"q": "quay", "name": "PORT"})
    assert taken.status == 409
    assert "You already have a saved search called &#34;Port&#34;." in taken.body
    assert "<mark>Quay</mark> repairs" in taken.body  # the search it tried to save, still shown
    long = client.post("/search/saved", {"q": "quay", "name": "n" * 101})
    assert long.status == 400 and "at most 100 characters" in long.body
    (port,) = _ids(web)
    blank = client.post(f"/search/saved/{port}/rename", {"name": " \t "})
    assert blank.status == 400 and "Give the saved search a name." in blank.body
    assert [text for _, text in _saved_links(client.get("/").body)] == ["Port"]
    # a long query's default name is cut to 100 characters
    query = " ".join(["harbour"] * 15)
    assert client.post("/search/saved", {"q": query}).status == 303
    names = [text for _, text in _saved_links(client.get("/").body)]
    assert len(names[0]) == 100 and names[0].endswith("…")


def test_a_hostile_name_is_escaped(web: WebServer, client: Client) -> None:
    name = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    client.post("/search/saved", {"q": "harbour", "name": name})
    for path in ("/", "/search?q=harbour"):
        body = client.get(path).body
        assert "<script>alert(1)" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_one_user_never_sees_renames_or_deletes_anothers(web: WebServer, client: Client) -> None:
    client.post("/search/saved", {"q": "harbour", "name": "Alice's secret"})
    (secret,) = _ids(web)
    web.user("bob")
    bob = web.client()
    bob.login("bob")
    for path in ("/", "/search?q=harbour"):
        body = bob.get(path).body
        assert "secret" not in body and _saved_links(body) == []
    assert bob.post(f"/search/saved/{secret}/rename", {"name": "mine"}).status == 404
    assert bob.post(f"/search/saved/{secret}/delete").status == 404
    assert bob.post("/search/saved", {"q": "harbour", "name": "Alice's secret"}).status == 303
    admin = web.agg.accounts.get_users()[0]
    (kept,) = web.agg.searches.get_saved_searches(admin.id)
    assert (kept.id, kept.name) == (secret, "Alice's secret")
    assert _saved_links(client.get("/").body) == [("/search?q=harbour", "Alice&#39;s secret")]


def test_saving_needs_the_csrf_token(web: WebServer, client: Client) -> None:
    refused = client.post("/search/saved", {"q": "harbour", "csrf": "forged"})
    assert refused.status == 403
    assert _ids(web) == []


def test_a_long_query_and_too_many_saved_searches_are_refused(
    web: WebServer, client: Client
) -> None:
    long = client.post("/search/saved", {"q": "harbour " * 70, "name": "long"})
    assert long.status == 400 and "A search is at most 500 characters." in long.body
    admin = web.agg.accounts.get_users()[0]
    for i in range(100):
        web.agg.searches.save_search(admin.id, f"harbour {i}")
    full = client.post("/search/saved", {"q": "quay"})
    assert full.status == 400 and "You have 100 saved searches: delete one first." in full.body
    assert len(_ids(web)) == 100
