"""`tidings serve` as a subprocess: its log lines and the ``background_refresh`` setting."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Tidings
from feeds import rss
from feedserver import FeedServer


def _wait(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


class Serve:
    """``tidings serve`` on a port of its own choosing (``--port 0``: a port picked
    here beforehand could be taken by another test's server before it binds)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._port: int | None = None
        exe = Path(sys.executable).with_name("tidings")
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [str(exe), "--log-format", "json", "serve", "--port", "0"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=out,
            )

    @property
    def port(self) -> int:
        """The port it listens on, once it says so ("Uvicorn running on …:PORT")."""
        if self._port is None:
            _wait(lambda: self.logged("Uvicorn running"), "the server to listen")
            line = next(r["msg"] for r in self.lines() if "Uvicorn running" in r["msg"])
            self._port = int(line.rsplit(":", 1)[1].split()[0])
        return self._port

    def lines(self) -> list[dict[str, Any]]:
        text = self.log.read_text()
        return [json.loads(line) for line in text.splitlines()[: text.count("\n")]]

    def logged(self, msg: str) -> bool:
        return any(msg in r["msg"] for r in self.lines())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture
def serve(tidings: Tidings, tmp_path: Path) -> Iterator[Callable[..., Serve]]:
    started: list[Serve] = []

    def start(**env: str) -> Serve:
        started.append(Serve({**tidings.env, **env}, tmp_path / f"serve{len(started)}.log"))
        return started[-1]

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.stop()


def test_serve_logs_json_and_refreshes_in_the_background(
    tidings: Tidings, feed_server: FeedServer, serve: Callable[..., Serve]
) -> None:
    feed_server.set("/a.xml", rss(2))
    tidings.run("add", feed_server.url("/a.xml"), "--no-discover")
    s = serve()
    _wait(lambda: any(r.get("outcome") == "ok" for r in s.lines()), "the background refresh")
    s.stop()
    records = s.lines()  # every line is one JSON object, uvicorn's too
    assert any(r["logger"].startswith("uvicorn") for r in records)
    (line,) = [r for r in records if r["logger"] == "tidings.refresh.batch"]
    assert line["url"] == feed_server.url("/a.xml") and line["new"] == 2


def test_background_refresh_off(
    tidings: Tidings, feed_server: FeedServer, serve: Callable[..., Serve]
) -> None:
    feed_server.set("/a.xml", rss(2))
    tidings.run("add", feed_server.url("/a.xml"), "--no-discover")
    s = serve(TIDINGS_BACKGROUND_REFRESH="false")
    _wait(lambda: s.logged("Application startup complete"), "the server")
    assert s.logged("background refresh is off")
    s.stop()
    assert feed_server.hits("/a.xml") == 0
    assert tidings.json("feeds")[0]["last_fetched"] is None


def test_a_private_feed_token_never_reaches_the_log(
    tidings: Tidings, serve: Callable[..., Serve]
) -> None:
    tidings.run("add", "https://a.example/feed.xml", "--no-discover")
    base = Tidings({**tidings.env, "TIDINGS_BASE_URL": "http://127.0.0.1"})
    url = base.run("publish", "url", "all").stdout.strip()
    path = url.removeprefix("http://127.0.0.1")
    token = path.split("/")[2]
    s = serve()
    _wait(lambda: s.logged("Application startup complete"), "the server")
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
    conn.request("GET", path)
    assert conn.getresponse().status == 200
    conn.close()
    _wait(lambda: "/published/" in s.log.read_text(), "the access log line")
    s.stop()
    text = s.log.read_text()
    assert token not in text
    assert "/published/…/all.atom" in text


def test_an_app_syncs_with_a_served_tidings(
    tidings: Tidings, feed_server: FeedServer, serve: Callable[..., Serve]
) -> None:
    """A Google Reader client against `tidings serve` itself: the CLI's API password
    signs it in, it lists the stories, and every answer has exactly one Date (#12)."""
    import http.client
    from urllib.parse import urlencode

    exe = Path(sys.executable).with_name("tidings")

    def cli(*args: str, stdin: str) -> None:
        done = subprocess.run(
            [str(exe), *args], input=stdin, env=tidings.env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr

    cli("user", "add", "ana", "--admin", "--password-stdin", stdin="web password 1\n")
    cli("user", "api-password", "ana", "--password-stdin", stdin="api password 1\n")
    feed_server.set("/a.xml", rss(3))
    tidings.run("--user", "ana", "add", feed_server.url("/a.xml"), "--no-discover")
    tidings.run("refresh")
    s = serve(TIDINGS_BACKGROUND_REFRESH="false")
    _wait(lambda: s.logged("Application startup complete"), "the server")

    def send(method: str, path: str, body: str = "", token: str = "") -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if token:
            headers["Authorization"] = f"GoogleLogin auth={token}"
        conn.request(method, path, body=body or None, headers=headers)
        answer = conn.getresponse()
        text = answer.read().decode()
        dates = [v for k, v in answer.getheaders() if k.lower() == "date"]
        conn.close()
        assert len(dates) == 1, (path, dates)
        return answer.status, text

    login = urlencode({"Email": "ana", "Passwd": "api password 1"})
    status, text = send("POST", "/api/greader.php/accounts/ClientLogin", login)
    assert status == 200, text
    token = dict(line.split("=", 1) for line in text.splitlines())["Auth"]
    status, text = send(
        "GET", "/api/greader.php/reader/api/0/stream/items/ids?output=json&n=10", token=token
    )
    assert status == 200 and len(json.loads(text)["itemRefs"]) == 3
    wrong = urlencode({"Email": "ana", "Passwd": "web password 1"})  # not the API password
    assert send("POST", "/accounts/ClientLogin", wrong)[0] == 401


@pytest.mark.slow
def test_a_stateless_web_server_leaves_fetching_to_the_workers(
    tidings: Tidings, feed_server: FeedServer, serve: Callable[..., Serve], engine: str
) -> None:
    """`serve --no-refresh` refreshes nothing itself: a new feed and "refresh now" go
    through the queue, and a `tidings worker` in another process takes them at once
    (on PostgreSQL its listener hears the request; its pass would sleep an hour)."""
    if engine != "postgres":
        pytest.skip("workers in other processes hear requests on PostgreSQL only")
    from web.conftest import PASSWORD, Client

    exe = Path(sys.executable).with_name("tidings")
    done = subprocess.run(
        [str(exe), "user", "add", "ana", "--admin", "--password-stdin"],
        input=PASSWORD + "\n", env=tidings.env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    feed_server.set("/a.xml", rss(2))
    feed_server.set("/b.xml", rss(3, title="B", base="https://b.example/"))
    s = serve(TIDINGS_BACKGROUND_REFRESH="false")
    _wait(lambda: s.logged("Application startup complete"), "the server")
    web = Client(s.port)
    web.login("ana")
    web.get("/subscriptions")
    assert web.post("/subscriptions", {"url": feed_server.url("/a.xml")}).status == 303
    time.sleep(1.5)  # the server looked at the address (discovery) but refreshed nothing
    assert tidings.json("--user", "ana", "entries") == [] and tidings.json("--user", "ana", "feeds")[0]["last_fetched"] is None

    env = {**tidings.env, "TIDINGS_REFRESH_EVERY": "3600"}
    worker = subprocess.Popen(
        [str(exe), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait(lambda: len(tidings.json("--user", "ana", "entries")) == 2, "the worker's first pass")
        time.sleep(1)  # asleep now, for an hour
        web.get("/subscriptions")
        assert web.post("/subscriptions", {"url": feed_server.url("/b.xml")}).status == 303
        _wait(lambda: len(tidings.json("--user", "ana", "entries")) == 5, "the worker to take the new feed")
        feed_server.set("/a.xml", rss(3))
        web.get("/")
        assert web.post("/refresh", {"next": "/"}).status == 303
        _wait(lambda: len(tidings.json("--user", "ana", "entries")) == 6, "the worker to take 'refresh now'")
        assert feed_server.hits("/a.xml") == 3  # discovery, the first pass, refresh now
    finally:
        worker.terminate()
        worker.wait(timeout=20)
