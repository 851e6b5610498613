"""The Settings page makes (or removes) the API password the apps sign in with (#12)."""

from __future__ import annotations

import hashlib
import re

from web.conftest import PASSWORD, WebServer


def _key(name: str, password: str) -> str:
    return hashlib.md5(f"{name}:{password}".encode()).hexdigest()


def test_settings_make_show_once_and_remove_the_api_password(web: WebServer) -> None:
    client = web.client()
    client.login("admin")
    page = client.get("/settings")
    assert "You have no API password yet." in page.body and "/fever/" in page.body
    wrong = client.post("/settings/api-password", {"current": "not my password"})
    assert wrong.status == 400 and "The current password is wrong." in wrong.body
    made = client.post("/settings/api-password", {"current": PASSWORD})
    assert made.status == 200
    found = re.search(r'<code class="api-password">([^<]+)</code>', made.body)
    assert found
    password = found.group(1)
    user = web.agg.accounts.fever_user(_key("admin", password))
    assert user is not None and user.name == "admin"
    again = client.get("/settings")
    assert password not in again.body and "You have an API password." in again.body
    # a new one ends the old; removing ends it too; the web session stays
    newer = client.post("/settings/api-password", {"current": PASSWORD})
    second = re.search(r'<code class="api-password">([^<]+)</code>', newer.body)
    assert second and second.group(1) != password
    assert web.agg.accounts.fever_user(_key("admin", password)) is None
    removed = client.post("/settings/api-password", {"current": PASSWORD, "remove": "1"})
    assert removed.status == 200 and "The API password is removed." in removed.body
    assert web.agg.accounts.fever_user(_key("admin", second.group(1))) is None
    assert client.get("/settings").status == 200


def test_the_api_password_form_needs_the_csrf_token(web: WebServer) -> None:
    client = web.client()
    client.login("admin")
    refused = client.post("/settings/api-password", {"current": PASSWORD}, csrf=False)
    assert refused.status == 403
    user = web.agg.accounts.get_users()[0]
    assert not web.agg.accounts.has_api_password(user.id)
