"""The WebSub callback route (#4): a hub verifies our intent (GET) and pushes (POST).

Mounted by ``web/app.py`` outside the session gate: hubs have no session and
no CSRF token; what authenticates them is the unguessable callback id in the
path plus, for pushes, the HMAC signature (see ``tidings.aggregator.websub``). Bodies are
capped by ``BodyLimit`` (the callback prefix gets the upload cap).
"""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.websub import CALLBACK_PREFIX

__all__ = ["websub_routes"]


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
        body = await request.body()
        signature = request.headers.get("X-Hub-Signature")
        checked = await agg.websub.check_push(callback_id, body, signature)
        if checked is False:
            return PlainTextResponse("Not found", status_code=404)
        if checked is True:  # dropped, but no oracle for the secret
            return Response(status_code=202)
        task = BackgroundTask(
            agg.websub.store_push, checked, body, request.headers.get("Content-Type")
        )
        return Response(status_code=202, background=task)

    return [Route(CALLBACK_PREFIX + "{callback_id}", callback, methods=["GET", "POST"])]
