"""Loopback HTTP in the shapes Google Reader clients send (clientapis.md §1, §3):
raw query strings and form bodies as each client builds them, the token in
``Authorization: GoogleLogin auth=``, and every JSON answer checked under the schema
of the strictest decoders (``schemas.py``)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema

from api.greader import schemas


@dataclass
class Answer:
    status: int
    text: str
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.text)


#: the schema every answer of an endpoint must pass
SCHEMAS = {
    "stream/items/ids": schemas.ITEM_REFS,
    "stream/items/contents": schemas.STREAM,
    "stream/contents": schemas.STREAM,
    "subscription/list": schemas.SUBSCRIPTIONS,
    "tag/list": schemas.TAGS,
    "unread-count": schemas.UNREAD_COUNTS,
    "user-info": schemas.USER_INFO,
    "subscription/quickadd": schemas.QUICKADD,
}


def form(*pairs: tuple[str, str], raw: bool = False) -> str:
    """A form body in the clients' order; ``raw`` leaves values unencoded
    (NetNewsWire posts item ids with ``:`` ``,`` ``/`` as they are)."""
    return "&".join(f"{k}={v if raw else quote(v, safe='')}" for k, v in pairs)


class Wire:
    """One client's connection: ``base`` is the path the client puts before
    ``accounts/ClientLogin`` and ``reader/api/0/...`` (with or without ``/``)."""

    def __init__(self, port: int, base: str = "") -> None:
        self.port = port
        self.base = base
        self.token: str | None = None
        self.log: list[tuple[str, str, int]] = []  # (method, path, status)

    def send(
        self,
        method: str,
        path: str,
        body: str | bytes | None = None,
        *,
        content_type: str | None = "application/x-www-form-urlencoded",
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> Answer:
        sent = dict(headers or {})
        if auth and self.token:
            sent["Authorization"] = f"GoogleLogin auth={self.token}"
        data = body.encode() if isinstance(body, str) else body
        if data is not None and content_type:
            sent["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, self.base + path, body=data, headers=sent)
        raw = conn.getresponse()
        text = raw.read().decode("utf-8")
        conn.close()
        self.log.append((method, self.base + path, raw.status))
        answer = Answer(raw.status, text, {k.lower(): v for k, v in raw.getheaders()})
        assert "date" in answer.headers, f"no Date header on {path}"
        if raw.status == 200:
            endpoint = path.split("?")[0].removeprefix("/").removeprefix("reader/api/0/")
            for name, schema in SCHEMAS.items():
                if endpoint == name or endpoint.startswith(name + "/"):
                    jsonschema.validate(answer.json, schema)
        return answer

    def get(self, path: str, **kw: Any) -> Answer:
        return self.send("GET", path, **kw)

    def post(self, path: str, body: str | bytes = "", **kw: Any) -> Answer:
        return self.send("POST", path, body, **kw)

    def login(self, name: str, password: str, *, extra: str = "", path: str = "") -> Answer:
        """ClientLogin with ``Email``/``Passwd`` (plus what the client adds); keeps the
        token of the ``Auth=`` line, split as NetNewsWire does (exactly one ``=``)."""
        body = form(("Email", name), ("Passwd", password))
        answer = self.post(path or "accounts/ClientLogin" + extra, body, auth=False)
        if answer.status == 200 and not answer.text.startswith("{"):
            lines = [line.split("=") for line in answer.text.splitlines()]
            assert all(len(parts) == 2 for parts in lines), answer.text
            self.token = dict(lines)["Auth"]
        elif answer.status == 200:
            self.token = answer.json["Auth"]
        return answer

    def ids(self, query: str) -> list[int]:
        """``stream/items/ids`` followed through ``continuation``."""
        out: list[int] = []
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = self.get(f"reader/api/0/stream/items/ids?{query}{suffix}")
            assert answer.status == 200, answer.text
            out += [int(r["id"]) for r in answer.json["itemRefs"]]
            continuation = answer.json.get("continuation")
            if not continuation:
                return out
