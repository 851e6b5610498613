"""Routes of the web reader."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tidings.app import Aggregator
from tidings.content.text import first_paragraph
from tidings.errors import NotFoundError
from tidings.model import Entry, EntryFilter, UserId
from tidings.textview import source_line

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


def safe_url(url: str | None) -> str:
    """Only http(s) URLs reach an href; anything else becomes '#' (HOSTILE C6)."""
    if not url:
        return "#"
    scheme = urlsplit(url.strip()).scheme.lower()
    return url if scheme in {"http", "https"} else "#"


def relative_time(dt: datetime | None, now: datetime | None = None) -> str:
    if dt is None:
        return ""
    seconds = int(((now or datetime.now(UTC)) - dt).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return ""


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
    env.filters["safe_url"] = safe_url
    env.filters["reltime"] = relative_time
    env.filters["lead"] = first_paragraph
    env.filters["source"] = source_line
    env.filters["iso"] = lambda dt: dt.astimezone(UTC).isoformat() if dt else ""
    # nh3-sanitized HTML is the only markup ever marked safe
    env.filters["sanitized"] = lambda html: Markup(html or "")
    return env


class SecurityHeaders:
    """Strict CSP with a per-response nonce, nosniff, no-referrer (HOSTILE C9)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                csp = (
                    "default-src 'none'; "
                    f"script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
                    "img-src * data:; media-src *; font-src 'self'; connect-src 'self'; "
                    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
                    "object-src 'none'; frame-src https://www.youtube-nocookie.com "
                    "https://www.youtube.com https://player.vimeo.com"
                )
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def make_web_app(
    agg: Aggregator, *, background: Callable[[], Awaitable[None]] | None = None
) -> Starlette:
    """The web reader for ``agg``; ``background`` runs for the app's lifetime."""
    env = _templates()

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("nonce", request.state.csp_nonce)
        context["request"] = request
        return HTMLResponse(env.get_template(name).render(**context), status_code=status)

    def current_user() -> UserId:
        return agg.user_id()

    async def river(request: Request) -> HTMLResponse:
        flt = EntryFilter(
            category=request.query_params.get("category") or None,
            unread=request.query_params.get("view") == "unread",
            starred=request.query_params.get("view") == "starred",
            limit=50,
        )
        user = await run_in_threadpool(current_user)
        entries: list[Entry] = await run_in_threadpool(agg.get_entries, user, flt)
        feeds = await run_in_threadpool(agg.get_feeds, user)
        return render(request, "river.html", entries=entries, feeds=feeds, filter=flt)

    async def story(request: Request) -> HTMLResponse:
        try:
            entry_id = int(request.path_params["entry_id"])
            user = await run_in_threadpool(current_user)
            entry = await run_in_threadpool(agg.get_entry, user, entry_id)
        except (NotFoundError, ValueError) as exc:
            raise HTTPException(404, "No such story") from exc
        return render(request, "story.html", entry=entry)

    async def not_found(request: Request, exc: Exception) -> Response:
        detail = exc.detail if isinstance(exc, HTTPException) else "Error"
        code = exc.status_code if isinstance(exc, HTTPException) else 500
        return render(request, "error.html", status=code, message=detail)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(background()) if background else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(
        routes=[
            Route("/", river),
            Route("/entry/{entry_id:int}", story),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={HTTPException: not_found},
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    return app
