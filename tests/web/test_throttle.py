"""#11 item 16: login throttling per (account, address) and per address, through a
trusted proxy's X-Forwarded-For; a right password passes an address's lock after a pause.

The pause is injected (``sleep``): the tests count pauses, they never time them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tidings.aggregator import make_app
from tidings.errors import SettingsError
from tidings.settings import load_settings
from tidings.web.app import make_web_app
from tidings.web.throttle import LoginThrottle, client_address, parse_networks
from web.conftest import PASSWORD, Client, WebServer


class Pauses:
    """A ``sleep`` that only records what it was asked to wait."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def start(make_server: Any, **kw: Any) -> tuple[WebServer, Pauses]:
    pauses = Pauses()
    settings = {k: kw.pop(k) for k in ("trusted_proxies",) if k in kw}
    web: WebServer = make_server(throttle=LoginThrottle(sleep=pauses, **kw), **settings)
    web.agg.accounts.setup_admin("admin", PASSWORD)
    web.user("bob")
    return web, pauses


def attempt(client: Client, name: str, password: str, via: str | None = None) -> int:
    headers = {"X-Forwarded-For": via} if via else {}
    if client.csrf is None:
        client.get("/login")
    return client.post("/login", {"name": name, "password": password}, headers=headers).status


def test_failures_for_one_account_do_not_lock_another_from_the_same_address(
    make_server: Any,
) -> None:
    web, pauses = start(make_server, free_per_pair=3)
    guesser = web.client()
    assert [attempt(guesser, "admin", f"wrong-{i}") for i in range(4)] == [400] * 3 + [429]
    assert attempt(guesser, "admin", PASSWORD) == 429  # the pair is locked: even the right one
    assert attempt(web.client(), "bob", "wrong-0") == 400  # bob, same address: not locked
    assert attempt(web.client(), "bob", PASSWORD) == 303
    assert pauses.asked == []


def test_failures_from_one_address_do_not_lock_the_account_from_another(
    make_server: Any,
) -> None:
    web, _ = start(make_server, free_per_pair=3, trusted_proxies="127.0.0.1")
    a, b = "198.51.100.1", "198.51.100.2"
    guesser = web.client()
    assert [attempt(guesser, "admin", "wrong", via=a) for _ in range(4)] == [400] * 3 + [429]
    assert attempt(web.client(), "admin", PASSWORD, via=b) == 303  # the owner, elsewhere
    assert attempt(web.client(), "admin", PASSWORD, via=a) == 429


def test_a_right_password_passes_an_address_lock_after_a_pause(make_server: Any) -> None:
    web, pauses = start(make_server, free_per_pair=100, free_per_address=5)
    guesser = web.client()
    assert [attempt(guesser, f"user{i}", "wrong") for i in range(5)] == [400] * 5
    assert pauses.asked == []
    wrong = web.client()
    assert attempt(wrong, "bob", "wrong") == 429  # slowed, checked, wrong
    assert pauses.asked == [1.0]
    assert attempt(web.client(), "admin", PASSWORD) == 303  # slowed, checked, right: in
    assert pauses.asked == [1.0, 1.0]
    # one reader's success does not reset the address for the guesser
    assert attempt(guesser, "user9", "wrong") == 429
    assert len(pauses.asked) == 3


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(make_server: Any) -> None:
    untrusted, _ = start(make_server, free_per_pair=3)
    guesser = untrusted.client()
    # a client's own X-Forwarded-For changes nothing: every attempt is 127.0.0.1's
    statuses = [attempt(guesser, "admin", "wrong", via=f"203.0.113.{i}") for i in range(4)]
    assert statuses == [400] * 3 + [429]

    trusted, _ = start(make_server, free_per_pair=3, trusted_proxies="10.0.0.0/8, 127.0.0.0/8")
    guesser = trusted.client()
    assert [attempt(guesser, "admin", "wrong", via="198.51.100.1") for _ in range(3)] == [400] * 3
    # hops the client prepends prove nothing: the right-most untrusted one counts
    assert attempt(guesser, "admin", "wrong", via="203.0.113.9, 198.51.100.1") == 429
    assert attempt(guesser, "admin", "wrong", via="198.51.100.1, 10.1.2.3") == 429
    assert attempt(guesser, "admin", "wrong", via="198.51.100.2") == 400


def test_client_address() -> None:
    trusted = parse_networks(["10.0.0.0/8", "::1"])
    assert client_address("192.0.2.1", ["198.51.100.1"], trusted) == "192.0.2.1"
    assert client_address("10.0.0.2", ["198.51.100.1"], trusted) == "198.51.100.1"
    chain = ["203.0.113.9, 198.51.100.1, 10.0.0.3"]
    assert client_address("10.0.0.2", chain, trusted) == "198.51.100.1"
    assert client_address("10.0.0.2", ["203.0.113.9", "198.51.100.1"], trusted) == "198.51.100.1"
    assert client_address("10.0.0.2", [], trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", ["10.0.0.5, 10.0.0.6"], trusted) == "10.0.0.5"
    assert client_address("::1", ["[2001:db8::1]:443"], trusted) == "2001:db8::1"
    assert client_address("::ffff:10.0.0.2", ["198.51.100.1:80"], trusted) == "198.51.100.1"
    assert client_address("10.0.0.2", ["not-an-address"], trusted) == "not-an-address"
    assert client_address("10.0.0.2", ["198.51.100.1"], ()) == "10.0.0.2"
    assert client_address(None, ["198.51.100.1"], trusted) == "?"


def test_an_ipv6_client_counts_as_its_64() -> None:
    throttle = LoginThrottle(free_per_pair=2)
    for _ in range(2):
        throttle.failed("2001:db8:1:2::1", "admin")
    assert throttle.retry_after("2001:db8:1:2:ffff::9", "admin") > 0
    assert throttle.retry_after("2001:db8:1:3::1", "admin") == 0


def test_success_clears_only_its_pair() -> None:
    throttle = LoginThrottle(free_per_pair=2, free_per_address=2)
    for _ in range(2):
        throttle.failed("192.0.2.1", "x")
    assert throttle.retry_after("192.0.2.1", "x") > 0 and throttle.address_wait("192.0.2.1") > 0
    throttle.succeeded("192.0.2.1", "x")
    assert throttle.retry_after("192.0.2.1", "x") == 0
    assert throttle.address_wait("192.0.2.1") > 0


def test_a_bad_trusted_proxy_is_a_settings_error(tmp_path: Any) -> None:
    settings = load_settings(
        {"db": f"sqlite:///{tmp_path / 'x.db'}", "trusted_proxies": "10.0.0.0/8, proxy.lan"},
        environ={},
    )
    agg = make_app(settings)
    try:
        with pytest.raises(SettingsError, match="trusted_proxies"):
            make_web_app(agg)
    finally:
        agg.close()
