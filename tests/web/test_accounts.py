"""HOSTILE E2, E3, E13 and first-run setup: throttling, hashing limits, sessions."""

from __future__ import annotations

import hashlib
import time
from contextlib import AbstractContextManager
from typing import Any

import pytest
from rawdb import RawDb, raw_db

from tidings.aggregator.accounts import Accounts
from tidings.errors import AccountError
from tidings.web.throttle import LoginThrottle
from web.conftest import FAST_HASHER, PASSWORD, Client, WebServer


def _db(web: WebServer) -> AbstractContextManager[RawDb]:
    return raw_db(web.agg.settings.db_url)


def test_first_run_redirects_to_setup_which_creates_the_admin(make_server: Any) -> None:
    web: WebServer = make_server()
    client = web.client()
    assert client.get("/").header("location") == "/setup"
    assert client.get("/login").header("location") == "/setup"
    assert client.get("/setup").status == 200
    differ = client.post("/setup", {"name": "ana", "password": PASSWORD, "confirm": "other"})
    assert differ.status == 400 and "differ" in differ.body
    done = client.post("/setup", {"name": "ana", "password": PASSWORD, "confirm": PASSWORD})
    assert done.status == 303
    assert client.get("/").status == 200
    assert [(u.name, u.is_admin) for u in web.agg.accounts.get_users()] == [("ana", True)]
    # setup is closed for good now
    late = web.client()
    assert late.get("/setup").header("location") == "/login"
    late.get("/login")
    again = late.post("/setup", {"name": "mallory", "password": PASSWORD, "confirm": PASSWORD})
    assert again.status == 400
    assert [u.name for u in web.agg.accounts.get_users()] == ["ana"]


def test_setup_claims_the_passwordless_cli_user(make_server: Any) -> None:
    web: WebServer = make_server()
    web.agg.user_id("admin")  # what the CLI does before anyone set a password
    assert web.agg.accounts.needs_setup()
    web.agg.accounts.setup_admin("admin", PASSWORD)
    users = web.agg.accounts.get_users()
    assert [(u.name, u.is_admin, u.has_password) for u in users] == [("admin", True, True)]


def test_login_and_logout_and_cookie_flags(web: WebServer) -> None:
    client = web.client()
    response = client.login("admin")
    cookie = next(c for c in response.cookies if c.startswith("tidings_session="))
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # plain http base URL
    token = client.cookies["tidings_session"]
    with _db(web) as conn:
        stored = [r[0] for r in conn.execute("SELECT token_hash FROM sessions")]
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # never the token itself
    assert client.get("/").status == 200
    client.post("/logout")
    assert client.get("/").status == 303
    replay = web.client()
    replay.cookies["tidings_session"] = token
    assert (
        replay.get("/")
        .header(
            "location",
        )
        .startswith("/login")
    )
    with _db(web) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_cookies_are_secure_behind_an_https_base_url(make_server: Any) -> None:
    web: WebServer = make_server(base_url="https://reader.example")
    web.agg.accounts.setup_admin("admin", PASSWORD)
    client = web.client()
    first = client.get("/login")  # sets the pre-session (CSRF) cookie, once
    pre = [c for c in first.cookies if c.startswith("tidings_pre=")]
    assert len(pre) == 1 and "; secure" in pre[0].lower(), first.cookies
    response = client.post(
        "/login",
        {"name": "admin", "password": PASSWORD},
        headers={"Origin": "https://reader.example"},
    )
    session = next(c for c in response.cookies if c.startswith("tidings_session="))
    assert "secure" in session.lower()
    # with a configured base URL, the Origin must be that one
    other = web.client()
    other.get("/login")
    refused = other.post(
        "/login",
        {"name": "admin", "password": PASSWORD},
        headers={"Origin": f"http://127.0.0.1:{web.port}"},
    )
    assert refused.status == 403


def test_session_fixation_is_impossible(web: WebServer) -> None:
    client = web.client()
    client.cookies["tidings_session"] = "attacker-chosen-value"
    client.get("/login")
    client.post("/login", {"name": "admin", "password": PASSWORD})
    assert client.cookies["tidings_session"] != "attacker-chosen-value"
    first = client.cookies["tidings_session"]
    client.get("/")
    again = client.post("/login", {"name": "admin", "password": PASSWORD})  # signing in again
    assert again.status == 303
    assert client.cookies["tidings_session"] != first
    stale = web.client()
    stale.cookies["tidings_session"] = first
    assert stale.get("/").status == 303


def test_password_change_ends_other_sessions(web: WebServer) -> None:
    laptop, phone = web.client(), web.client()
    laptop.login("admin")
    phone.login("admin")
    new = "a brand new passphrase"
    changed = laptop.post(
        "/settings/password", {"current": PASSWORD, "password": new, "confirm": new}
    )
    assert changed.status == 303
    assert laptop.get("/").status == 200  # the changer got a fresh session
    assert phone.get("/").status == 303
    wrong = laptop.post(
        "/settings/password", {"current": "nope-nope", "password": new, "confirm": new}
    )
    assert wrong.status == 400


def test_throttling_per_account_refuses_even_the_right_password(web: WebServer) -> None:
    client = web.client()
    client.get("/login")
    statuses = [
        client.post("/login", {"name": "admin", "password": f"wrong-{i}"}).status for i in range(20)
    ]
    assert statuses[:5] == [400] * 5
    assert set(statuses[5:]) == {429}
    locked = client.post("/login", {"name": "admin", "password": PASSWORD})
    assert locked.status == 429
    assert int(locked.header("retry-after") or 0) > 0
    assert "tidings_session" not in client.cookies


async def _no_pause(seconds: float) -> None:
    pass


def test_throttling_per_address_across_accounts(make_server: Any) -> None:
    throttle = LoginThrottle(free_per_pair=100, free_per_address=10, sleep=_no_pause)
    web: WebServer = make_server(throttle=throttle)
    web.agg.accounts.setup_admin("admin", PASSWORD)
    client = web.client()
    client.get("/login")
    statuses = [
        client.post("/login", {"name": f"user{i}", "password": "x" * 9}).status for i in range(12)
    ]
    assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]


def test_throttle_backs_off_exponentially_and_forgets() -> None:
    now = [1000.0]
    throttle = LoginThrottle(free_per_pair=2, base=10, cap=100, window=3600, clock=lambda: now[0])
    for _ in range(2):
        assert throttle.retry_after("ip", "a") == 0
        throttle.failed("ip", "a")
    assert throttle.retry_after("ip", "a") == 10
    throttle.failed("ip", "a")
    assert throttle.retry_after("ip", "a") == 20
    now[0] += 21
    assert throttle.retry_after("ip", "a") == 0
    throttle.succeeded("ip", "a")
    throttle.failed("ip", "a")
    assert throttle.retry_after("ip", "a") == 0


def test_huge_passwords_are_refused_before_hashing(web: WebServer) -> None:
    client = web.client()
    client.get("/login")
    started = time.monotonic()
    response = client.post("/login", {"name": "admin", "password": "x" * 50_000})
    assert response.status == 400
    assert time.monotonic() - started < 5
    with pytest.raises(AccountError):
        web.agg.accounts.add_user("bob", "y" * 2000)
    with pytest.raises(AccountError):
        web.agg.accounts.add_user("bob", "short")
    with pytest.raises(AccountError):
        web.agg.accounts.add_user("bad name<script>", PASSWORD)


def test_unknown_users_cost_a_hash_too(web: WebServer) -> None:
    accounts: Accounts = web.agg.accounts
    calls: list[str] = []

    class Counting(type(FAST_HASHER)):  # type: ignore[misc]
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            calls.append(str(hash))
            return bool(super().verify(hash, password))

    accounts.hasher = Counting(time_cost=1, memory_cost=1024, parallelism=1)
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert accounts.authenticate("admin", "wrong password") is None
    assert len(calls) == 2


def test_argon2_hashes_are_stored_and_rehashed(web: WebServer) -> None:
    with _db(web) as conn:
        stored = conn.execute("SELECT password_hash FROM users WHERE name = 'admin'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_only_admins_add_users(web: WebServer) -> None:
    admin = web.client()
    admin.login("admin")
    assert admin.post("/users", {"name": "bob", "password": PASSWORD}).status == 200
    bob = web.client()
    bob.login("bob")
    assert bob.post("/users", {"name": "eve", "password": PASSWORD, "admin": "1"}).status == 404
    assert sorted(u.name for u in web.agg.accounts.get_users()) == ["admin", "bob"]
    assert FAST_HASHER  # the fixture's cheap hasher keeps these tests fast


def test_pages_need_login(web: WebServer) -> None:
    stranger = Client(web.port)
    for path in ("/", "/subscriptions", "/settings", "/search?q=x", "/opml", "/entry/1", "/feed/1"):
        response = stranger.get(path)
        assert response.status == 303 and response.header(
            "location",
        ).startswith("/login"), path
    assert stranger.get("/river/new", headers={"Accept": "application/json"}).status == 401


def test_secrets_never_reach_the_logs(web: WebServer, caplog: pytest.LogCaptureFixture) -> None:
    """HOSTILE E5: session tokens, CSRF tokens and passwords are not logged."""
    import logging

    caplog.set_level(logging.DEBUG)
    client = web.client()
    client.login("admin")
    token, csrf = client.cookies["tidings_session"], client.csrf or ""
    client.post("/settings/password", {"current": "wrong", "password": "x" * 9, "confirm": "x" * 9})
    client.post("/logout")
    client.get("/login")
    client.post("/login", {"name": "admin", "password": "wrong password"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (token, csrf, PASSWORD, "wrong password"):
        assert secret not in text
