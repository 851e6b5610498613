"""A Fever request's parameters, from wherever the client put them (§2.1).

Read You sends ``?api=&groups`` with ``api_key`` in a urlencoded body and its marks in
the query; Fluent Reader ``?api&groups`` with its marks in the body; FeedMe posts with
no media type, Raven Reader multipart, Unread and Reeder use GET. So the query, a
urlencoded body and a multipart body are merged (the body wins), blank values kept.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

MAX_FIELDS = 100
MAX_ID = 2**53 - 1  # ids are below 2^53 (JavaScript clients); larger bounds are clamped
MAX_WITH_IDS = 50  # the spec's limit, which Read You keeps client-side


class BadRequest(ValueError):
    """A parameter a client sent that cannot mean anything: a 400 naming it."""


async def read_params(request: Request) -> dict[str, str]:
    """Every parameter of the request, the body's over the query's."""
    params: dict[str, str] = {}
    for key, value in parse_qsl(request.url.query, keep_blank_values=True)[:MAX_FIELDS]:
        params.setdefault(key, value)
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=0, max_fields=MAX_FIELDS)
        except (HTTPException, MultiPartException) as exc:
            raise BadRequest("the multipart body is malformed") from exc
        try:
            for key, field in form.multi_items():
                if isinstance(field, str):
                    params[key] = field
        finally:
            await form.close()
        return params
    body = await request.body()
    if body and (not content_type or content_type.startswith("application/x-www-form-urlencoded")):
        text = body.decode("utf-8", "replace")
        for key, value in parse_qsl(text, keep_blank_values=True)[:MAX_FIELDS]:
            params[key] = value
    return params


def whole_number(params: dict[str, str], name: str) -> int | None:
    """``name`` as a whole number clamped to ``MAX_ID`` (absent or blank: None)."""
    text = params.get(name, "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 40:
        raise BadRequest(f"{name} must be a whole number, not {text[:40]!r}")
    return min(int(text), MAX_ID)


def id_list(params: dict[str, str], name: str, limit: int = MAX_WITH_IDS) -> list[int]:
    """``name`` as comma-separated ids (at most ``limit``)."""
    parts = [p.strip() for p in params.get(name, "").split(",") if p.strip()]
    if len(parts) > limit:
        raise BadRequest(f"{name} takes at most {limit} ids, not {len(parts)}")
    return [whole_number({name: p}, name) or 0 for p in parts]
