"""Defences that wrap every request: headers, body limits, origin, CSRF, redirects.

- ``SecurityHeaders``: strict CSP with a per-response nonce, nosniff,
  no-referrer, COOP, frame denial (HOSTILE C9), on every response; a view may
  set ``request.state.csp`` to a stricter policy of its own (a feed icon's, a
  proxied image's); images from where the media proxy mode allows (#15).
- ``BodyLimit``: 413 for bodies over the cap, by Content-Length or as they
  stream (HOSTILE E15).
- ``check_origin``: refuse state changes whose Origin is not ours or whose
  Sec-Fetch-Site is cross-site (HOSTILE E1).
- ``csrf_token``: an HMAC of the session token (or, before login, of a random
  pre-session cookie), so every form and fetch carries a value a third-party
  page cannot know (HOSTILE E1, including login and setup).
- ``safe_next``: same-origin paths only (HOSTILE E9).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote, urlsplit

from starlette.requests import Request

from tidings.content.media import EMBED_HOSTS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_BODY = 64 * 1024
MAX_UPLOAD = 5 * 1024 * 1024  # OPML import (HOSTILE B9)
UPLOAD_PATHS = frozenset({"/opml"})
# routes that check their own bodies: a hub's push (its id first, then its size: #11),
# the Google Reader API (edit-tag of 10,000 ids, an OPML import: #12)
SELF_LIMITED_PREFIXES = ("/websub/", "/api/greader.php", "/reader/api/0/", "/accounts/")
#: The only frames a page may hold: the video embeds a reader clicks to load (#15).
FRAME_HOSTS = " ".join(EMBED_HOSTS)


#: where pages may load images from, by media proxy mode (#15): with ``all`` every story
#: image comes through our own /proxy/, with ``http-only`` no plain-http image loads
IMAGE_SOURCES = {"none": "* data:", "http-only": "'self' https: data:", "all": "'self' data:"}
#: what a proxied image, a feed icon and their error answers are sent under
INERT_POLICY = "default-src 'none'; sandbox"


def content_security_policy(nonce: str, images: str = IMAGE_SOURCES["none"]) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
        f"img-src {images}; media-src *; font-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
        f"object-src 'none'; frame-src {FRAME_HOSTS}"
    )


class SecurityHeaders:
    """Adds the security headers to every HTTP response (HOSTILE C9)."""

    def __init__(self, app: ASGIApp, images: str = IMAGE_SOURCES["none"]) -> None:
        self.app = app
        self.images = images

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # a view may send something stricter than a page's policy (an icon: #12)
                policy = scope["state"].get("csp") or content_security_policy(nonce, self.images)
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != b"content-security-policy"
                ]
                headers += [
                    (b"content-security-policy", policy.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                if not any(k.lower() == b"date" for k, _ in headers):
                    # on every answer (NetNewsWire's next `ot` is it); uvicorn's is off
                    headers.append((b"date", formatdate(usegmt=True).encode()))
                if static:
                    pass
                elif not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 for request bodies over the cap (HOSTILE E15)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or path.startswith(SELF_LIMITED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        cap = MAX_UPLOAD if path in UPLOAD_PATHS else MAX_BODY
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await _too_large(send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(send)


async def _too_large(send: Send) -> None:
    body = b"Request too large"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def request_origin(request: Request, base_url: str) -> str:
    """Our own origin: the configured base URL's, else the one this request was sent to."""
    if base_url:
        parts = urlsplit(base_url)
        return f"{parts.scheme}://{parts.netloc}".lower()
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}".lower()


def check_origin(request: Request, base_url: str) -> bool:
    """False for a state change sent from another site (Fetch metadata or Origin).

    Our pages send ``Referrer-Policy: no-referrer``, under which browsers send
    ``Origin: null`` with same-origin form posts; so "null" proves nothing either
    way, and the CSRF token decides.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return origin.lower() == request_origin(request, base_url)


def csrf_token(seed: str) -> str:
    """The CSRF token for a session (or pre-session) token: unguessable without it."""
    mac = hmac.new(seed.encode("utf-8"), b"tidings-csrf-v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def csrf_valid(seed: str | None, token: str | None) -> bool:
    if not seed or not token:
        return False
    return hmac.compare_digest(csrf_token(seed), token)


_BAD_NEXT = re.compile(r"[\x00-\x20\\]")
#: what a quoted path may not hide: controls and backslashes (a quoted space is a name's)
_BAD_DECODED = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(value: str | None, default: str = "/") -> str:
    """A same-origin path to go to after a form, or ``default`` (HOSTILE E9)."""
    if not value or len(value) > 2000 or _BAD_NEXT.search(value):
        return default
    decoded = unquote(value)
    for candidate in (value, decoded):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return default
        if _BAD_DECODED.search(candidate):
            return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
