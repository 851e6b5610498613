"""A Google Reader request's parameters, from the query and a form body (§1.3, §1.4).

Keys repeat (``i``, ``s``, ``a``, ``r``, ``xt``, ``it``) and are read as lists: the
query's values, then the body's. A single value is the body's over the query's
(Read You sends ``quickadd`` in both, its raw query value cut at ``&``). A body is
a form when it says so or says nothing (NetNewsWire, Fluent); an OPML import is
read as bytes. Bodies are capped here, the web's cap being too small for 10,000 ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

from starlette.requests import Request

MAX_BODY = 2 * 1024 * 1024  # a form: 10,000 long-form ids are about 600 KB
MAX_IMPORT = 5 * 1024 * 1024  # an OPML document, as the web's import
MAX_FIELDS = 20_000


class BadRequest(ValueError):
    """What a client sent cannot mean anything: a 400 with this message."""


class Params:
    """A request's parameters: ``all(name)`` every value, ``one(name)`` the last one."""

    def __init__(self, query: Sequence[tuple[str, str]], form: Sequence[tuple[str, str]]) -> None:
        self._query = query
        self._form = form

    def all(self, name: str) -> list[str]:
        return [v for k, v in (*self._query, *self._form) if k == name]

    def one(self, name: str) -> str | None:
        for pairs in (self._form, self._query):
            values = [v for k, v in pairs if k == name]
            if values:
                return values[-1].strip()
        return None

    def with_stream(self, stream: str) -> Params:
        """These parameters with ``s`` the stream a path named."""
        query = [(k, v) for k, v in self._query if k != "s"]
        form = [(k, v) for k, v in self._form if k != "s"]
        return Params([*query, ("s", stream)], form)

    def __contains__(self, name: str) -> bool:
        return any(k == name for k, _ in (*self._query, *self._form))


async def read_body(request: Request, cap: int) -> bytes:
    """The request body, or ``BadRequest`` past ``cap`` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise BadRequest(f"the request body is larger than {cap // 1024} KB")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise BadRequest(f"the request body is larger than {cap // 1024} KB")
        chunks.append(chunk)
    return b"".join(chunks)


def _pairs(text: str) -> list[tuple[str, str]]:
    pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=None)
    if len(pairs) > MAX_FIELDS:
        raise BadRequest(f"at most {MAX_FIELDS} parameters in a request")
    return pairs


async def read_params(request: Request, *, raw_body: bool = False) -> tuple[Params, bytes]:
    """The parameters and, with ``raw_body`` (an import), the body as bytes."""
    query = _pairs(request.url.query)
    if request.method != "POST":
        return Params(query, []), b""
    body = await read_body(request, MAX_IMPORT if raw_body else MAX_BODY)
    if raw_body:
        return Params(query, []), body
    content_type = request.headers.get("content-type", "").lower()
    form: list[tuple[str, str]] = []
    if body and (not content_type or content_type.startswith("application/x-www-form-urlencoded")):
        form = _pairs(body.decode("utf-8", "replace"))
    return Params(query, form), body
