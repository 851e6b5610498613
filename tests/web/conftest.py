"""Web fixtures: the real app served by uvicorn on 127.0.0.1 in a thread, and a
small stdlib HTTP client with a cookie jar (no extra dependencies)."""

from __future__ import annotations

import contextlib
import http.client
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn
from argon2 import PasswordHasher

from tidings.aggregator import Aggregator, make_app
from tidings.model import EntryData, EntryUpdate, FeedUpdate, User
from tidings.settings import load_settings
from tidings.web.app import make_web_app
from tidings.web.throttle import LoginThrottle

PASSWORD = "correct horse battery"
NOW = datetime.now(UTC).replace(microsecond=0)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    cookies: list[str] = field(default_factory=list)  # raw Set-Cookie values

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Client:
    """One browser-like visitor: keeps cookies, remembers the last CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, Any] | None = None,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            data = dict(form)
            if csrf and method != "GET" and self.csrf and "csrf" not in data:
                data["csrf"] = self.csrf
            body = urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        # the server may answer (413) before it has read the whole body
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request(method, path, body=body, headers=sent)
        raw = conn.getresponse()
        text = raw.read().decode("utf-8", "replace")
        conn.close()
        response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, text)
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                response.cookies.append(value)
                self._store_cookie(value)
        token = re.search(r'name="csrf-token" content="([^"]+)"', text)
        if token:
            self.csrf = token.group(1)
        return response

    def _store_cookie(self, value: str) -> None:
        name, _, rest = value.partition("=")
        cookie_value = rest.split(";", 1)[0]
        if "max-age=0" in value.lower() or "1970" in value:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = cookie_value

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict[str, Any] | None = None, **kw: Any) -> Response:
        return self.request("POST", path, form if form is not None else {}, **kw)

    def login(self, name: str, password: str = PASSWORD) -> Response:
        self.get("/login")
        response = self.post("/login", {"name": name, "password": password})
        assert response.status == 303, response.body[:500]
        self.get("/")
        return response


class WebServer:
    """The real web app on a loopback port (uvicorn in a thread)."""

    def __init__(self, agg: Aggregator, **web_kw: Any) -> None:
        self.agg = agg
        self.app = make_web_app(agg, **web_kw)
        # as `tidings serve` runs it: uvicorn never rewrites the client from X-Forwarded-For
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=0, log_level="warning", proxy_headers=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> WebServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("web server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def port(self) -> int:
        return int(self.server.servers[0].sockets[0].getsockname()[1])

    def client(self) -> Client:
        return Client(self.port)

    # data

    def user(self, name: str, *, admin: bool = False) -> User:
        return self.agg.accounts.add_user(name, PASSWORD, is_admin=admin)

    def feed(
        self,
        user: User,
        url: str,
        entries: list[EntryData],
        *,
        category: str | None = None,
        title: str = "Fixture News",
    ) -> int:
        """Subscribe ``user`` to ``url`` and store ``entries`` as a refresh would."""
        state = self.agg.store.add_feed(user.id, url, category=category, now=NOW)
        update = FeedUpdate(
            feed_id=state.id, fetched_at=NOW, next_check_at=NOW + timedelta(hours=1), title=title
        )
        updates = [EntryUpdate(e, f"hash-{e.id}", True) for e in entries]
        self.agg.store.apply_refresh(update, updates)
        return int(state.id)


def entry(i: int, **kw: Any) -> EntryData:
    data: dict[str, Any] = dict(
        id=f"guid-{i}",
        title=f"Story {i} about the harbour",
        link=f"https://news.example/{i}",
        published=NOW - timedelta(hours=i),
        summary=f"<p>Lead of story {i}: the council met.</p>",
    )
    data.update(kw)
    return EntryData(**data)


@pytest.fixture
def make_server(databases: Callable[[], str]) -> Iterator[Any]:
    """Start web servers with fresh databases; ``make_server(**settings)``."""
    started: list[WebServer] = []

    def start(throttle: LoginThrottle | None = None, **overrides: Any) -> WebServer:
        settings = load_settings(
            {"db": databases(), "background_refresh": False, **overrides},
            environ={"TIDINGS_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8"},
        )
        agg = make_app(settings)
        agg.accounts.hasher = FAST_HASHER
        server = WebServer(agg, throttle=throttle).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()
        server.agg.close()


@pytest.fixture
def web(make_server: Any) -> WebServer:
    """A server with an admin ``admin`` already set up."""
    server: WebServer = make_server()
    server.agg.accounts.setup_admin("admin", PASSWORD)
    return server
