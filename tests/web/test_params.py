"""#11 item 17: integers from outside (paths, forms, queries) are 404 or 400, never a 500.

The store holds signed 64-bit integers: 2**63 is the first one it cannot, a
5,000-digit number is beyond what ``int()`` parses, and 0, -1 or "abc" are no id.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from starlette.routing import Route

from tidings.model import EntryFilter
from web.conftest import Client, WebServer, entry

TOO_BIG = str(2**63)
BAD = [TOO_BIG, "9" * 5000, "0", "00", "-1", "1e3", "abc", "١٢"]
JSON = {"Accept": "application/json"}


@pytest.fixture
def reader(web: WebServer) -> tuple[WebServer, Client, int]:
    admin = web.agg.accounts.get_users()[0]
    feed_id = web.feed(admin, "https://news.example/feed", [entry(i) for i in range(3)])
    client = web.client()
    client.login("admin")
    return web, client, feed_id


def numeric_routes(web: WebServer) -> list[tuple[str, Route, list[str]]]:
    """Every (method, route, names) whose path has a numeric placeholder."""
    found = []
    for route in web.app.routes:
        if not isinstance(route, Route):
            continue
        names = [n for n, c in route.param_convertors.items() if c.regex.startswith("[0-9]")]
        for method in sorted((route.methods or set()) - {"HEAD"}):
            if names:
                found.append((method, route, names))
    return found


def test_the_route_table_has_numeric_paths(reader: tuple[WebServer, Client, int]) -> None:
    web, _, _ = reader
    paths = {route.path for _, route, _ in numeric_routes(web)}
    assert {"/entry/{entry_id:id}", "/feed/{feed_id:id}/remove"} <= paths
    for route in web.app.routes:  # every id in a path goes through the shared parser
        assert ":int}" not in getattr(route, "path", ""), route


@pytest.mark.parametrize("bad", BAD[:3])
def test_a_bad_id_in_any_path_is_not_found(reader: tuple[WebServer, Client, int], bad: str) -> None:
    web, client, _ = reader
    for method, route, names in numeric_routes(web):
        path = route.path
        for name in names:
            path = re.sub(r"\{" + name + r":\w+\}", bad, path)
        form = {"read": "1", "full_text": "auto", "interval": "", "category": ""}
        response = client.request(method, path, form if method == "POST" else None)
        assert response.status == 404, (method, path[:60], response.status, response.body[:200])


def test_a_bad_number_in_a_query_field_is_a_400_naming_it(
    reader: tuple[WebServer, Client, int],
) -> None:
    _, client, feed_id = reader
    for raw in BAD:
        bad = quote(raw)
        for path, name in (
            (f"/?before=1700000000:{bad}", "before"),
            (f"/?before={bad}:1" if raw != "-1" else "/?before=x:1", "before"),  # -1: 1969
            (f"/feed/{feed_id}?after={bad}", "after"),
            (f"/search?q=harbour&page={bad}", "page"),
            (f"/river/new?feed_id={bad}&after=0", "feed_id"),
            (f"/river/new?after={bad}", "after"),
        ):
            if raw in ("0", "00") and name != "feed_id":
                continue  # 0 is a fine cursor or page
            for headers in ({}, JSON):
                response = client.get(path, headers=headers)
                assert response.status == 400, (path[:60], response.status)
                assert repr(name) in response.body.replace("&#39;", "'"), response.body[:300]


def test_a_bad_number_in_a_form_field_is_a_400_naming_it(
    reader: tuple[WebServer, Client, int],
) -> None:
    web, client, feed_id = reader
    first = web.agg.get_entries(web.agg.accounts.get_users()[0].id, EntryFilter())
    good = str(first[0].id)
    for bad in BAD:
        for path, form, name in (
            ("/entries/read", {"ids": bad}, "ids"),
            ("/entries/read", {"ids": f"{good},{bad}"}, "ids"),
            ("/mark-all-read", {"view": "all", "feed_id": bad, "up_to": good}, "feed_id"),
            ("/mark-all-read", {"view": "all", "up_to": bad}, "up_to"),
            (f"/feed/{feed_id}/edit", {"full_text": "auto", "interval": bad}, "interval"),
        ):
            if bad in ("0", "00") and name in ("up_to", "interval"):
                continue  # 0: nothing seen yet / automatic interval
            response = client.post(path, form, headers=JSON)
            assert response.status == 400, (path, form, response.status)
            assert repr(name) in response.body, response.body[:300]
    # nothing was changed by the refused requests
    assert all(not e.read for e in first)


def test_good_numbers_still_work(reader: tuple[WebServer, Client, int]) -> None:
    web, client, feed_id = reader
    first = web.agg.get_entries(web.agg.accounts.get_users()[0].id, EntryFilter())
    ids = ",".join(str(e.id) for e in first[:2])
    assert client.post("/entries/read", {"ids": ids}, headers=JSON).body == '{"changed":2}'
    assert client.get(f"/river/new?feed_id={feed_id}&after=0", headers=JSON).status == 200
    assert client.get(f"/?before=1700000000:{2**63 - 1}").status == 200
    assert client.get("/?before=-86400:5").status == 200  # a story from 1969
    assert client.get("/?before=-62135596801:5").status == 400
    assert client.get(f"/feed/{feed_id}?after=0&partial=1").status == 200
    assert client.get(f"/entry/{2**63 - 1}").status == 404
