"""The web reader: routes, middleware and lifecycle, over the ``Aggregator`` facade.

Every page is built by ``Gate.route`` (sessions, origin and CSRF checks, login);
the apps' APIs (``tidings.api``) authenticate by their own keys and read no cookie.
``SecurityHeaders`` and ``BodyLimit`` wrap every request, static files included.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from tidings.aggregator import Aggregator
from tidings.api.fever import FeverApi
from tidings.api.greader import GReaderApi
from tidings.errors import (
    StorageError,
    StorageFullError,
    StorageLockedError,
    StorageReadOnlyError,
)
from tidings.web.gate import Gate, wants_json
from tidings.web.publishing import PublishingViews
from tidings.web.render import HERE, Renderer, relative_time, safe_url
from tidings.web.security import (
    IMAGE_SOURCES,
    BodyLimit,
    SecurityHeaders,
    content_security_policy,
)
from tidings.web.throttle import LoginThrottle
from tidings.web.views.account import AccountViews
from tidings.web.views.categories import CategoryViews
from tidings.web.views.feeds import FeedViews
from tidings.web.views.media import media_routes
from tidings.web.views.reading import ReadingViews
from tidings.web.views.rules import RuleViews
from tidings.web.views.searches import SearchViews
from tidings.web.views.websub import websub_routes

__all__ = ["make_web_app", "relative_time", "safe_url"]

log = logging.getLogger(__name__)
Background = Callable[[], Coroutine[Any, Any, None]]


def make_web_app(
    agg: Aggregator,
    *,
    background: Background | None = None,
    throttle: LoginThrottle | None = None,
) -> Starlette:
    """The web reader for ``agg``; ``background`` runs for the app's lifetime."""
    renderer = Renderer(agg.media)  # story images through the media proxy (#15)
    images = IMAGE_SOURCES[agg.settings.media_proxy]
    gate = Gate(agg)
    throttle = throttle or LoginThrottle()
    accounts = AccountViews(agg, gate, renderer, throttle)
    routes: list[BaseRoute] = [
        *ReadingViews(agg, gate, renderer).routes(),
        *SearchViews(agg, gate, renderer).routes(),  # search, saved searches (#15)
        *FeedViews(agg, gate, renderer).routes(),
        *CategoryViews(agg, gate, renderer).routes(),
        *accounts.routes(),
        *RuleViews(agg, gate, renderer).routes(),  # filter rules (#15)
        *websub_routes(agg),  # hub callbacks: no session, HMAC-signed (#4)
        # published feeds and public pages: no session, GET only, found by token or slug (#14)
        *PublishingViews(agg, renderer).routes(),
        *media_routes(agg),  # story images: no session, HMAC-signed addresses (#15)
        # the apps' API: its own key, no session; failed keys throttled per address (#12)
        *FeverApi(agg, throttle, accounts.client_address).routes(),
        *GReaderApi(agg, throttle, accounts.client_address).routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if wants_json(request) or exc.status_code == 405:
            return PlainTextResponse(exc.detail, status_code=exc.status_code)
        visitor = await gate.visitor(request)
        return renderer.page(request, "error.html", exc.status_code, v=visitor, message=exc.detail)

    async def storage_error(request: Request, exc: Exception) -> Response:
        """A storage fault is the service being unavailable, never a 500 (#11)."""
        assert isinstance(exc, StorageError)
        message = storage_message(exc)
        log.warning("%s %s: storage: %s", request.method, request.url.path, exc)
        headers = {"retry-after": "5"} if isinstance(exc, StorageLockedError) else {}
        if wants_json(request) or request.method not in ("GET", "HEAD"):
            return PlainTextResponse(message, 503, headers)
        try:
            visitor = await gate.visitor(request)
        except StorageError:  # not even the session could be read
            return PlainTextResponse(message, 503, headers)
        response = renderer.page(request, "error.html", 503, v=visitor, message=message)
        response.headers.update(headers)
        return response

    async def server_error(request: Request, exc: Exception) -> Response:
        # outside the middleware stack: carry the security headers ourselves
        headers = {
            "content-security-policy": content_security_policy(secrets.token_urlsafe(16), images),
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "x-frame-options": "DENY",
        }
        return PlainTextResponse("Something went wrong on our side.", 500, headers)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(agg.media.prepare)  # the proxy's secret, before any page
        task = asyncio.create_task(background()) if background else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await agg.media.aclose()  # its connections belong to this event loop

    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, images=images), Middleware(BodyLimit)],
        exception_handlers={
            HTTPException: http_error,
            StorageError: storage_error,
            500: server_error,
        },
        lifespan=lifespan,
    )


def storage_message(exc: StorageError) -> str:
    """What a reader is told when the database fails."""
    if isinstance(exc, StorageReadOnlyError):
        return "The database is read-only: reading works, but changes cannot be saved."
    if isinstance(exc, StorageFullError):
        return "The database or its disk is full: changes cannot be saved."
    if isinstance(exc, StorageLockedError):
        return "The database is busy with another writer: try again in a moment."
    return "The database failed: try again in a moment."
