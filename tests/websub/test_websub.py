"""WebSub end to end: subscribe through a local hub, intent verified, signed pushes stored.

Our web app runs under uvicorn on 127.0.0.1 with ``base_url`` pointing at it; the
hub (``hub.py``) is another loopback server; the feed comes from ``FeedServer``.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from feedserver import FeedServer

from tidings.aggregator import Aggregator, make_app
from tidings.model import EntryFilter
from tidings.settings import load_settings
from tidings.web.app import make_web_app

from .hub import Hub, call, sign


def feed(hub: str, *guids: str) -> bytes:
    items = "".join(
        f"<item><guid>{g}</guid><title>Story {g}</title><link>https://news.example/{g}</link>"
        f"<description>Text of {g}</description></item>"
        for g in guids
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">'
        f'<channel><title>Pushed News</title><link>https://news.example/</link>'
        f'<atom:link rel="hub" href="{hub}"/>{items}</channel></rss>'
    ).encode()


class Served:
    def __init__(self, agg: Aggregator, base: str) -> None:
        self.agg, self.base = agg, base

    def guids(self) -> set[str]:
        entries = self.agg.get_entries(self.agg.user_id(), EntryFilter(limit=1000))
        return {e.guid for e in entries}

    def wait_for(self, guid: str, seconds: float = 10) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if guid in self.guids():
                return True
            time.sleep(0.05)
        return False


def _serve(db_url: str, base_url: bool = True) -> Iterator[Served]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = load_settings(
        {"db": db_url, "allow_private_networks": "127.0.0.0/8",
         "base_url": base if base_url else ""},
        environ={},
    )
    agg = make_app(settings)
    server = uvicorn.Server(uvicorn.Config(make_web_app(agg), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield Served(agg, base)
    finally:
        server.should_exit = True
        thread.join(10)
        agg.close()
        sock.close()


@pytest.fixture
def served(db_url: str) -> Iterator[Served]:
    yield from _serve(db_url)


def _subscribe(s: Served, server: FeedServer, hub: Hub, *guids: str) -> str:
    server.set("/feed.xml", feed(hub.url, *guids), etag='"fetched"')
    url = server.url("/feed.xml")
    asyncio.run(s.agg.add_feed(s.agg.user_id(), url, discover=False))
    asyncio.run(s.agg.refresh())
    assert asyncio.run(s.agg.websub.subscribe_due()) == 1
    assert hub.subscriptions and hub.subscriptions[-1].done.wait(10)
    return url


def test_subscribe_verify_and_a_signed_push_is_stored(served: Served, feed_server: FeedServer) -> None:
    with Hub() as hub:
        hub.push_body = feed(hub.url, "a", "pushed")
        url = _subscribe(served, feed_server, hub, "a")
        sub = hub.subscriptions[0]
        assert sub.form["hub.mode"] == "subscribe"
        assert sub.form["hub.topic"] == url
        assert sub.form["hub.callback"].startswith(served.base + "/websub/")  # base_url, never Host
        assert len(sub.form["hub.secret"]) >= 32 and int(sub.form["hub.lease_seconds"]) > 0
        assert sub.verified  # the challenge came back, verbatim
        assert sub.push_status == 202
        assert served.wait_for("pushed")
    state = served.agg.store.get_websub(sub.form["hub.callback"].rsplit("/", 1)[1])
    assert state is not None and state.state == "active" and state.last_push_at is not None
    assert state.expires_at is not None and state.expires_at > datetime.now(UTC) + timedelta(minutes=100)
    # the push changed the entries, not the validators of our last fetch
    feed_state = served.agg.store.get_feed_state_by_url(url)
    assert feed_state.caching.etag == '"fetched"'
    assert feed_server.hits("/feed.xml") == 1


def test_unsigned_or_badly_signed_pushes_are_dropped(served: Served, feed_server: FeedServer) -> None:
    with Hub() as hub:
        _subscribe(served, feed_server, hub, "a")
    callback, secret = hub.subscriptions[0].form["hub.callback"], hub.subscriptions[0].form["hub.secret"]
    evil = feed(hub.url, "evil")
    for headers in (
        {},
        {"X-Hub-Signature": sign("wrong secret", evil)},
        {"X-Hub-Signature": sign(secret, evil + b" ")},  # signed a different body
        {"X-Hub-Signature": "sha256=" + "0" * 64},
        {"X-Hub-Signature": "md5=abc"},
        {"X-Hub-Signature": "sha256=\u00e9\u00e9"},
    ):
        status, _ = call(callback, data=evil, method="POST", headers=headers)
        assert status == 202  # acknowledged, no oracle
    ok = feed(hub.url, "good")
    assert call(callback, data=ok, method="POST", headers={"X-Hub-Signature": sign(secret, ok, "sha1")})[0] == 202
    assert served.wait_for("good")
    assert "evil" not in served.guids()


def test_intent_is_confirmed_only_for_what_we_asked(served: Served, feed_server: FeedServer) -> None:
    with Hub(status=202) as hub:
        url = _subscribe(served, feed_server, hub, "a")
    callback = hub.subscriptions[0].form["hub.callback"]

    def verify(cb: str, **params: str) -> tuple[int, bytes]:
        query = {"hub.mode": "subscribe", "hub.topic": url, "hub.challenge": "c-123",
                 "hub.lease_seconds": "600", **params}
        return call(f"{cb}?{urllib.parse.urlencode(query)}")

    assert verify(callback) == (200, b"c-123")
    assert verify(callback, **{"hub.topic": "https://other.example/feed"})[0] == 404
    assert verify(served.base + "/websub/not-ours")[0] == 404
    assert verify(callback, **{"hub.mode": "unsubscribe"})[0] == 404
    assert verify(callback, **{"hub.challenge": ""})[0] == 404
    assert verify(callback, **{"hub.challenge": "x" * 5000})[0] == 404
    # pushes to a callback we never issued
    assert call(served.base + "/websub/not-ours", data=b"x", method="POST")[0] == 404
    # a hub that denies the subscription
    assert verify(callback, **{"hub.mode": "denied", "hub.reason": "nope"})[0] == 200
    state = served.agg.store.get_websub(callback.rsplit("/", 1)[1])
    assert state is not None and state.state == "denied" and state.last_error == "nope"


def test_renewal_keeps_callback_and_secret(served: Served, feed_server: FeedServer) -> None:
    with Hub() as hub:
        _subscribe(served, feed_server, hub, "a")
        first = hub.subscriptions[0].form
        state = served.agg.store.get_websub(first["hub.callback"].rsplit("/", 1)[1])
        assert state is not None and state.state == "active"
        assert asyncio.run(served.agg.websub.subscribe_due()) == 0  # nothing due yet
        soon = datetime.now(UTC) + timedelta(minutes=10)  # in the last fifth of a 2 h lease
        served.agg.store.update_websub(state.feed_id, state="active", expires_at=soon)
        assert asyncio.run(served.agg.websub.subscribe_due()) == 1
        assert hub.subscriptions[1].done.wait(10)
        again = hub.subscriptions[1].form
        assert (again["hub.callback"], again["hub.secret"]) == (first["hub.callback"], first["hub.secret"])
        assert hub.subscriptions[1].verified


def test_a_hub_that_fails_or_is_private_is_recorded(served: Served, feed_server: FeedServer) -> None:
    with Hub(status=500) as hub:
        _subscribe(served, feed_server, hub, "a")
    state = served.agg.store.get_websub(hub.subscriptions[0].form["hub.callback"].rsplit("/", 1)[1])
    assert state is not None and state.state == "failed" and state.last_error == "HTTP 500"
    # a feed naming a hub on a private address: the SSRF policy refuses to dial it
    feed_server.set("/private.xml", feed("http://10.20.30.40/hub", "p"))
    asyncio.run(served.agg.add_feed(served.agg.user_id(), feed_server.url("/private.xml"), discover=False))
    asyncio.run(served.agg.refresh())
    assert asyncio.run(served.agg.websub.subscribe_due()) == 1
    rows = served.agg.store.get_websub_candidates(
        now=datetime.now(UTC), retry_before=datetime.now(UTC) + timedelta(days=2))
    private = [known for _, u, _, known in rows if u.endswith("/private.xml")]
    assert private and private[0] is not None and private[0].state == "failed"
    assert "not allowed" in (private[0].last_error or "")


def test_an_oversized_push_is_refused(served: Served, feed_server: FeedServer) -> None:
    with Hub() as hub:
        _subscribe(served, feed_server, hub, "a")
    callback = urllib.parse.urlsplit(hub.subscriptions[0].form["hub.callback"])
    conn = http.client.HTTPConnection(callback.netloc, timeout=10)
    conn.putrequest("POST", callback.path)
    conn.putheader("Content-Length", str(6 * 1024 * 1024))  # over the cap: refused unread
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()


def _raw_post(base: str, path: str, head: str, body: bytes = b"") -> bytes:
    """A POST over a raw socket: the status line, read as soon as the server answers."""
    netloc = urllib.parse.urlsplit(base).netloc
    host, port = netloc.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        request = f"POST {path} HTTP/1.1\r\nHost: {netloc}\r\n{head}\r\n".encode() + body
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # answered early
            sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer:  # a server waiting for the body times this out
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_a_push_to_an_unknown_id_is_refused_before_its_body(served: Served) -> None:
    # #11: the id is checked first; the server never waits for (or buffers) the 4 MB
    head = "Content-Type: application/rss+xml\r\nContent-Length: 4000000\r\n"
    assert _raw_post(served.base, "/websub/not-ours", head).startswith(b"HTTP/1.1 404")


def test_a_streamed_push_over_the_cap_is_refused(served: Served, feed_server: FeedServer) -> None:
    with Hub() as hub:
        _subscribe(served, feed_server, hub, "a")
    callback = urllib.parse.urlsplit(hub.subscriptions[0].form["hub.callback"])
    # no Content-Length: chunks until past the cap
    chunk = b"x" * 65536
    body = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 90 + b"0\r\n\r\n"  # 5.6 MiB
    head = "Transfer-Encoding: chunked\r\n"
    status = _raw_post(served.base, callback.path, head, body)
    assert status.startswith(b"HTTP/1.1 413")
    assert "a" in served.guids() and len(served.guids()) == 1


def test_no_base_url_no_subscription(db_url: str, feed_server: FeedServer) -> None:
    for served in _serve(db_url, base_url=False):
        with Hub() as hub:
            feed_server.set("/feed.xml", feed(hub.url, "a"))
            asyncio.run(served.agg.add_feed(served.agg.user_id(), feed_server.url("/feed.xml"), discover=False))
            asyncio.run(served.agg.refresh())
            assert asyncio.run(served.agg.websub.subscribe_due()) == 0
            assert hub.subscriptions == []
