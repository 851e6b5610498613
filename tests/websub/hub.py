"""A tiny WebSub hub for tests, on 127.0.0.1: it takes subscription requests,
verifies the subscriber's intent and pushes a signed update, like a real hub."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Subscription:
    form: dict[str, str]
    verified: bool = False
    verify_status: int | None = None
    verify_body: bytes = b""
    push_status: int | None = None
    done: threading.Event = field(default_factory=threading.Event)


def call(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None) -> tuple[int, bytes]:
    """An HTTP request as the hub makes it; (status, body), errors included."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    return f"{method}={hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()}"


class Hub:
    """Answers POST /hub with 202, then verifies intent and (if ``push_body``) pushes."""

    def __init__(self, push_body: bytes | None = None, status: int = 202) -> None:
        self.push_body, self.status = push_body, status
        self.subscriptions: list[Subscription] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                sub = Subscription(form)
                owner.subscriptions.append(sub)
                self.send_response(owner.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if 200 <= owner.status < 300:
                    threading.Thread(target=owner._verify_and_push, args=(sub,), daemon=True).start()
                else:
                    sub.done.set()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hub"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _verify_and_push(self, sub: Subscription) -> None:
        try:
            challenge = secrets.token_urlsafe(16)
            query = urllib.parse.urlencode({
                "hub.mode": "subscribe", "hub.topic": sub.form["hub.topic"],
                "hub.challenge": challenge, "hub.lease_seconds": "7200",
            })
            sub.verify_status, sub.verify_body = call(f"{sub.form['hub.callback']}?{query}")
            sub.verified = sub.verify_status == 200 and sub.verify_body == challenge.encode()
            if sub.verified and self.push_body is not None:
                sub.push_status, _ = call(
                    sub.form["hub.callback"], data=self.push_body, method="POST",
                    headers={"Content-Type": "application/rss+xml",
                             "X-Hub-Signature": sign(sub.form["hub.secret"], self.push_body)},
                )
        finally:
            sub.done.set()

    def __enter__(self) -> Hub:
        self._thread.start()
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
