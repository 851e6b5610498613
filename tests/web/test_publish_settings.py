"""The Settings page's private feed addresses (#14): made by a button, one per view and
category, revoked by the same button (CSRF like every form)."""

from __future__ import annotations

import re

from .conftest import WebServer, entry


def _links(body: str) -> list[str]:
    return re.findall(r'href="(http://[^"]+/published/[^"]+\.atom)"', body)


def test_settings_show_the_private_feeds_and_revoke_them(web: WebServer) -> None:
    admin = web.agg.accounts.get_users()[0]
    web.feed(admin, "https://a.example/feed", [entry(1)], category="Harbour & Sea")
    client = web.client()
    client.login("admin")
    before = client.get("/settings")
    assert before.status == 200 and "Make private feed addresses" in before.body
    assert _links(before.body) == []  # a GET makes nothing
    assert client.post("/settings/publish-token", csrf=False).status == 403
    made = client.post("/settings/publish-token")
    assert made.status == 303 and made.header("location") == "/settings?published=1"
    page = client.get("/settings?published=1")
    links = _links(page.body)
    names = [link.rsplit("/published/", 1)[1].split("/", 1)[1] for link in links]
    assert names[:4] == [
        "all.atom",
        "unread.atom",
        "starred.atom",
        "category/Harbour%20%26%20Sea.atom",
    ]
    assert "Revoke these addresses" in page.body
    feed = web.client().get(links[3].removeprefix(f"http://127.0.0.1:{web.port}"))
    assert feed.status == 200 and "Story 1 about the harbour" in feed.body
    client.post("/settings/publish-token")  # revoke: new addresses
    fresh = _links(client.get("/settings").body)
    assert fresh and fresh[0] != links[0]
    assert web.client().get(links[0].removeprefix(f"http://127.0.0.1:{web.port}")).status == 404
