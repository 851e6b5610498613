"""Fever authentication: the api_key only (any case), a refusal is HTTP 200 with
``auth: 0``, no cookie session is accepted here and no key on the web's pages,
changing the API password ends the old key, failed keys are throttled per address."""

from __future__ import annotations

from typing import Any

from web.conftest import PASSWORD, WebServer

from api.fever.clients import Wire
from api.fever.conftest import API_PASSWORD, Replay, fever_key
from tidings.web.throttle import LoginThrottle


def test_a_wrong_or_missing_key_is_auth_0_with_status_200(replay: Replay) -> None:
    wire = Wire(replay.server.port)
    for form in ({"api_key": "0" * 32}, {"api_key": "not hex"}, {}, {"api_key": ""}):
        answer = wire.send("POST", "/fever/?api&unread_item_ids", form, check=())
        assert answer.status == 200
        assert answer.body == {"api_version": 3, "auth": 0, "last_refreshed_on_time": 0}
    # the web password is not the API password
    web_key = fever_key("ana", PASSWORD)
    assert wire.send("POST", "/fever/?api", {"api_key": web_key}).body["auth"] == 0
    good = wire.send("POST", "/fever/?api", {"api_key": fever_key("ana").upper()}, check=())
    assert good.body["auth"] == 1 and good.body["last_refreshed_on_time"] > 0
    assert good.headers["content-type"].startswith("application/json")


def test_no_cookie_session_on_the_api_and_no_api_key_on_the_web(replay: Replay) -> None:
    browser = replay.server.client()
    browser.login("ana")
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    wire = Wire(replay.server.port)
    unread = replay.unread(replay.ana)
    target = sorted(unread)[0]
    answer = wire.send(
        "POST",
        f"/fever/?api&unread_item_ids&mark=item&as=read&id={target}",
        {},
        headers={"Cookie": cookie},
        check=(),
    )
    assert answer.body["auth"] == 0 and "unread_item_ids" not in answer.body
    assert replay.unread(replay.ana) == unread
    # the key opens no web page, in the query or as a form field
    anonymous = replay.server.client()
    key = fever_key("ana")
    for path in (f"/?api_key={key}", f"/search?q=x&api_key={key}"):
        page = anonymous.get(path)
        assert page.status == 303 and (page.header("location") or "").startswith("/login")
    posted = anonymous.post("/login", {"api_key": key, "name": "ana"})
    assert posted.status != 303 and "tidings_session" not in anonymous.cookies


def test_changing_the_api_password_ends_the_old_key(replay: Replay) -> None:
    wire = Wire(replay.server.port)
    old = fever_key("ana")
    assert wire.send("POST", "/fever/?api", {"api_key": old}).body["auth"] == 1
    replay.agg.accounts.set_api_password(replay.ana.id, "a new api password")
    assert wire.send("POST", "/fever/?api", {"api_key": old}).body["auth"] == 0
    new = fever_key("ana", "a new api password")
    assert wire.send("POST", "/fever/?api", {"api_key": new}).body["auth"] == 1
    replay.agg.accounts.set_api_password(replay.ana.id, None)
    assert wire.send("POST", "/fever/?api", {"api_key": new}).body["auth"] == 0


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_keys_are_throttled_per_address(make_server: Any) -> None:
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    clock = _Clock()
    throttle = LoginThrottle(free_per_address=3, clock=clock, sleep=sleep)
    server: WebServer = make_server(throttle=throttle)
    ana = server.user("ana")
    server.agg.accounts.set_api_password(ana.id, API_PASSWORD)
    wire = Wire(server.port)
    for i in range(3):
        assert wire.send("POST", "/fever/?api", {"api_key": f"{i:032x}"}).status == 200
    assert pauses == []
    # slowed: a wrong key waits and is refused with 429, the right one waits and gets in
    refused = wire.send("POST", "/fever/?api", {"api_key": "f" * 32})
    assert refused.status == 429 and refused.body["auth"] == 0
    assert int(refused.headers["retry-after"]) >= 1
    assert wire.send("POST", "/fever/?api", {"api_key": fever_key("ana")}).body["auth"] == 1
    assert len(pauses) == 2
    # a request with no key at all is no guess: not counted, not slowed
    assert wire.send("GET", "/fever/?api").status == 200 and len(pauses) == 2
    clock.now += 7200  # the window passes
    assert wire.send("POST", "/fever/?api", {"api_key": "e" * 32}).status == 200
