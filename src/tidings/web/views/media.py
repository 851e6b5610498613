"""GET /proxy/{signature}/{url} (#15): a story image, fetched by the server.

Mounted outside the session gate, as the WebSub callbacks are: the signature
authenticates the address (a page of Tidings made it), so no session is read and
no cookie is set; what the reader's browser sends (cookies, Authorization) is never
passed on. Every answer, image or refusal, is inert: ``default-src 'none'; sandbox``
and nosniff (``SecurityHeaders``); refusals are short plain text, escaped, never
cached.
"""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.media import BAD_SIGNATURE, ProxyRefusal
from tidings.web.security import INERT_POLICY

__all__ = ["media_routes"]

CACHE = "private, max-age=86400"  # an image of a story seldom changes
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def media_routes(agg: Aggregator) -> list[Route]:
    async def proxy(request: Request) -> Response:
        request.state.csp = INERT_POLICY
        if not agg.media.enabled:
            return _refused(ProxyRefusal(404, "the media proxy is off (media_proxy = none)"))
        url = agg.media.resolve(request.path_params["signature"], request.path_params["url"])
        if url is None:
            return _refused(BAD_SIGNATURE)
        got = await agg.media.fetch(url)
        if isinstance(got, ProxyRefusal):
            return _refused(got)
        return Response(got.body, media_type=got.content_type, headers={"cache-control": CACHE})

    return [Route("/proxy/{signature}/{url}", proxy, methods=["GET"], name="media_proxy")]


def _refused(refusal: ProxyRefusal) -> Response:
    text = html.escape(_UNPRINTABLE.sub("?", refusal.message)[:300])
    return PlainTextResponse(
        f"{refusal.status}: {text}\n", refusal.status, headers={"cache-control": "no-store"}
    )
