"""HOSTILE E1, E9, E15, C9: CSRF on every state change, origin checks, side-effect-free
GETs, security headers on every route, open redirects, request-size limits."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from rawdb import raw_db
from starlette.routing import Route

from tidings.api.fever import PATHS as FEVER_PATHS
from tidings.api.greader import PATHS as GREADER_PATHS
from tidings.model import Rule, RuleAction, RuleField
from tidings.web.security import safe_next
from web.conftest import NOW, Client, WebServer, entry

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Not a document: an image, under a policy that forbids everything (#12).
INERT = {"/feed/{feed_id:id}/icon"}
# The media proxy (#15): its signed address is the key; every answer is inert, refusals
# included (tests/web/test_media_proxy.py fetches real images).
PROXY = "/proxy/{signature}/{url}"
INERT_POLICY = "default-src 'none'; sandbox"
# Server-to-server: a WebSub hub has no session or CSRF token; the unguessable
# callback id and the HMAC signature authenticate it (#4, tests/websub).
# The apps' Fever API reads no cookie at all, only its api_key, which no third-party
# page knows (#12, tests/api/fever/test_auth.py); nor does Google Reader's, only its
# Authorization header, which a page cannot make a browser send cross-site
# (tests/api/greader/test_endpoints.py).
NO_SESSION = {"/websub/{callback_id}", *FEVER_PATHS, *GREADER_PATHS}


def fill(path: str, ids: dict[str, str]) -> str:
    """A route path with real ids in its placeholders."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: ids[m.group(1)], path)


def routes(web: WebServer, methods: set[str]) -> list[tuple[str, str]]:
    found = []
    for route in web.app.routes:
        if isinstance(route, Route) and not (route.path in NO_SESSION and methods & STATE_CHANGING):
            for method in sorted((route.methods or set()) & methods):
                found.append((method, route.path))
    return found


@pytest.fixture
def setup(web: WebServer) -> tuple[WebServer, Client, dict[str, str]]:
    admin = web.agg.accounts.get_users()[0]
    feed_id = web.feed(
        admin, "https://news.example/feed", [entry(i) for i in range(3)], category="World"
    )
    entry_id = web.agg.get_entries(admin.id, __import__("tidings").EntryFilter())[0].id
    web.agg.store.set_icon(feed_id, now=NOW, data=b"GIF89a\1\0\1\0\0\0\0", content_type="image/gif")
    client = web.client()
    client.login("admin")
    ids = {"entry_id": str(entry_id), "feed_id": str(feed_id), "name": "World"}
    # published feeds and pages (#14): a token, a public publication
    token = web.agg.publishing.revoke_token(admin.id)
    web.agg.publishing.add_publication(admin.id, "category/World", slug="world")
    ids |= {"token": token, "doc": "all.atom", "pub": "world", "slug": "world"}
    unsigned = {"signature": "not-signed", "url": "aHR0cDovL3guZXhhbXBsZS8"}
    # a filter rule to delete (#15)
    rule = web.agg.stories.add_rule(admin.id, Rule(RuleField.TITLE, "x", RuleAction.STAR))
    ids |= {"rule_id": str(rule.id)}
    saved = web.agg.searches.save_search(admin.id, "harbour")  # to rename and delete (#15)
    ids |= {"saved_id": str(saved.id)}
    return web, client, {**ids, "callback_id": "not-issued", "rest": "", **unsigned}


def test_route_table_has_state_changing_routes(
    setup: tuple[WebServer, Client, dict[str, str]],
) -> None:
    web, _, _ = setup
    paths = {p for _, p in routes(web, STATE_CHANGING)}
    assert {"/login", "/setup", "/logout", "/entry/{entry_id:id}/mark", "/opml"} <= paths


def test_every_state_change_without_csrf_token_is_refused(
    setup: tuple[WebServer, Client, dict[str, str]],
) -> None:
    web, client, ids = setup
    for method, path in routes(web, STATE_CHANGING):
        response = client.request(method, fill(path, ids), {"read": "1"}, csrf=False)
        assert response.status == 403, (method, path, response.status)
        wrong = client.request(method, fill(path, ids), {"csrf": "forged", "read": "1"})
        assert wrong.status == 403, (method, path)


def test_anonymous_state_changes_need_csrf_too(
    setup: tuple[WebServer, Client, dict[str, str]],
) -> None:
    web, _, ids = setup
    stranger = web.client()
    for method, path in routes(web, STATE_CHANGING):
        response = stranger.request(method, fill(path, ids), {"name": "admin"}, csrf=False)
        assert response.status == 403, (method, path)


def test_foreign_origin_and_cross_site_fetches_are_refused(
    setup: tuple[WebServer, Client, dict[str, str]],
) -> None:
    web, client, ids = setup
    for method, path in routes(web, STATE_CHANGING):
        url = fill(path, ids)
        evil = client.request(
            method, url, {"read": "1"}, headers={"Origin": "https://evil.example"}
        )
        assert evil.status == 403, (method, path)
        null = client.request(
            method, url, {"read": "1"}, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}
        )
        assert null.status == 403, (method, path)
        cross = client.request(method, url, {"read": "1"}, headers={"Sec-Fetch-Site": "cross-site"})
        assert cross.status == 403, (method, path)
    ours = client.post(
        f"/entry/{ids['entry_id']}/mark",
        {"read": "1"},
        headers={"Origin": f"http://127.0.0.1:{web.port}", "Sec-Fetch-Site": "same-origin"},
    )
    assert ours.status == 303


def _snapshot(web: WebServer) -> list[str]:
    with raw_db(web.agg.settings.db_url) as db:
        return db.snapshot()


def test_gets_have_no_side_effects(setup: tuple[WebServer, Client, dict[str, str]]) -> None:
    web, client, ids = setup
    before = _snapshot(web)
    paths = [fill(p, ids) for _, p in routes(web, {"GET"})]
    extra = [
        "/?view=unread",
        "/?view=starred",
        "/search?q=harbour",
        "/river/new?after=0",
        "/?partial=1",
        "/static/tidings.css",
        "/categories/edit?name=World",
    ]
    for path in paths + extra:
        response = client.get(path)
        ok = (404,) if path.startswith("/websub/") else (200, 303)  # a callback never issued
        if path == "/categories/edit":
            ok = (404,)  # no category named: its page is the one with ?name=
        if path.startswith("/proxy/"):
            ok = (403,)  # an address Tidings did not sign
        if path.lstrip("/") == "accounts":
            ok = (404,)  # Google Reader's /accounts/ClientLogin, without the name
        assert response.status in ok, (path, response.status)
    web.client().get("/login")
    assert _snapshot(web) == before


def test_security_headers_on_every_route(setup: tuple[WebServer, Client, dict[str, str]]) -> None:
    web, client, ids = setup
    paths = [fill(p, ids) for _, p in routes(web, {"GET"})]
    paths += ["/static/tidings.js", "/static/nope.js", "/nope", "/entry/999999"]
    inert = {fill(p, ids) for p in INERT}
    for path in paths:
        for who in (client, web.client()):
            response = who.get(path)
            csp = response.header("content-security-policy") or ""
            if path in inert and who is client:
                assert response.status == 200 and csp == INERT_POLICY, path
                assert response.header("x-content-type-options") == "nosniff", path
                continue
            if path == fill(PROXY, ids):
                assert response.status == 403 and csp == INERT_POLICY, path
                assert response.header("x-content-type-options") == "nosniff", path
                continue
            assert "default-src 'none'" in csp and "'nonce-" in csp, path
            assert "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp, path
            assert "unsafe-inline" not in csp, path
            assert response.header("x-content-type-options") == "nosniff", path
            assert response.header("referrer-policy") == "no-referrer", path
    response = client.post("/entry/1/mark", csrf=False)
    assert response.header("x-content-type-options") == "nosniff"


def test_each_page_gets_a_fresh_nonce_used_by_its_script(
    setup: tuple[WebServer, Client, dict[str, str]],
) -> None:
    _, client, _ = setup
    nonces = set()
    for _ in range(3):
        response = client.get("/")
        nonce = re.search(r"'nonce-([^']+)'", response.header("content-security-policy") or "")
        assert nonce and f'nonce="{nonce.group(1)}"' in response.body
        nonces.add(nonce.group(1))
    assert len(nonces) == 3
    assert "<script>" not in client.get("/").body  # no inline script at all


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        " /\t/evil.example",
        "https:evil.example",
        "https://evil.example/",
        "%2f%2fevil.example",
        "/%2f/evil.example",
        "/%5cevil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
        "/\r\nLocation: https://evil.example",
    ],
)
def test_open_redirects_are_refused(target: str) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    "target",
    ["/category/Local%20news?view=unread", "/category/Life%20%26%20Arts%2F2", "/search?q=a+b"],
)
def test_our_own_paths_with_quoted_spaces_are_kept(target: str) -> None:
    """#15: a category named "Local news" is ``/category/Local%20news``; it was refused."""
    assert safe_next(target) == target


def test_login_next_goes_only_to_our_own_paths(web: WebServer) -> None:
    client = web.client()
    client.get("/login")
    bad = client.post(
        "/login", {"name": "admin", "password": "correct horse battery", "next": "//evil.example/x"}
    )
    assert bad.status == 303 and bad.header("location") == "/"
    other = web.client()
    other.get("/login?next=" + quote("/?view=starred", safe=""))
    good = other.post(
        "/login", {"name": "admin", "password": "correct horse battery", "next": "/?view=starred"}
    )
    assert good.header("location") == "/?view=starred"


def test_oversized_bodies_get_413(setup: tuple[WebServer, Client, dict[str, str]]) -> None:
    _, client, ids = setup
    big = client.post(f"/entry/{ids['entry_id']}/mark", {"read": "1", "pad": "x" * 100_000})
    assert big.status == 413
    lying = client.request(
        "POST",
        "/entries/read",
        body=b"ids=1",
        headers={"Content-Length": "99999999", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert lying.status == 413
    upload = client.request(
        "POST",
        "/opml",
        body=b"x" * (6 * 1024 * 1024),
        headers={
            "Content-Type": "multipart/form-data; boundary=zz",
            "X-CSRF-Token": client.csrf or "",
        },
    )
    assert upload.status == 413


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e/app.py",
        "/static/..%252fapp.py",
        "/static//etc/passwd",
        "/static/..\\app.py",
        "/static/%00",
        "/static/templates/../app.py",
        "/static/../templates/base.html",
    ],
)
def test_static_files_never_leave_their_folder(web: WebServer, path: str) -> None:
    """HOSTILE E8: only files under web/static are served."""
    response = web.client().get(path)
    assert response.status in (400, 404), path
    assert "def make_web_app" not in response.body and "root:" not in response.body
