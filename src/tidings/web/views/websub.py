"""The WebSub callback route (#4): a hub verifies our intent (GET) and pushes (POST).

Mounted by ``web/app.py`` outside the session gate: hubs have no session and
no CSRF token; what authenticates them is the unguessable callback id in the
path plus, for pushes, the HMAC signature (see ``tidings.aggregator.websub``).

A push is handled in this order (#11), so that a stranger's POST costs nothing:
an unknown callback id is 404 before any of the body is read; a declared
Content-Length over ``MAX_PUSH`` is 413 unread; the body is then streamed and
refused with 413 as soon as it passes the cap. ``BodyLimit`` leaves this route
to these checks.
"""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.websub import CALLBACK_PREFIX, MAX_PUSH
from tidings.web.params import parse_int

__all__ = ["read_capped", "websub_routes"]


async def read_capped(request: Request, cap: int) -> bytes | None:
    """The request body, or None if it declares or streams more than ``cap`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and parse_int(declared, low=0, high=cap) is None:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def websub_routes(agg: Aggregator) -> list[Route]:
    """The callback route: ``/websub/{callback_id}``."""

    async def callback(request: Request) -> Response:
        callback_id = request.path_params["callback_id"]
        if request.method in {"GET", "HEAD"}:
            params = dict(request.query_params)
            challenge = await run_in_threadpool(agg.websub.verify_intent, callback_id, params)
            if challenge is None:
                return PlainTextResponse("Not found", status_code=404)
            return PlainTextResponse(challenge)
        sub = await agg.websub.subscription(callback_id)
        if sub is None:  # before reading a byte of the body
            return PlainTextResponse("Not found", status_code=404)
        body = await read_capped(request, MAX_PUSH)
        if body is None:
            return PlainTextResponse("Request too large", status_code=413)
        if not agg.websub.check_push(sub, body, request.headers.get("X-Hub-Signature")):
            return Response(status_code=202)  # dropped, but no oracle for the secret
        task = BackgroundTask(agg.websub.store_push, sub, body, request.headers.get("Content-Type"))
        return Response(status_code=202, background=task)

    return [Route(CALLBACK_PREFIX + "{callback_id}", callback, methods=["GET", "POST"])]
