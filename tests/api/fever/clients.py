"""Fever clients replayed as clientapis.md §2.3 and §3 describe them: each one's
requests, in its order and shape, and its own reduction rules for what it shows."""

from __future__ import annotations

import http.client
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jsonschema

from api.fever.schemas import schema_for

JS_MAX_SAFE = 9007199254740991
READ_YOU_MARK_ALL_BEFORE = 9223372036854775  # Long.MAX_VALUE / 1000


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Wire:
    """Loopback HTTP in the shapes Fever clients send; every answer is schema-checked."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.log: list[tuple[str, str]] = []  # (method, path) of every request

    def send(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        *,
        body_type: str = "urlencoded",  # urlencoded | multipart | none
        headers: dict[str, str] | None = None,
        check: tuple[str, ...] | None = (),
    ) -> Answer:
        sent = dict(headers or {})
        body: bytes | None = None
        if form is not None and body_type == "urlencoded":
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif form is not None and body_type == "multipart":
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                for k, v in form.items()
            ]
            body = ("".join(parts) + f"--{boundary}--\r\n").encode()
            sent["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:  # FeedMe: a POST with no media type
            body = urlencode(form).encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=sent)
        raw = conn.getresponse()
        text = raw.read().decode("utf-8")
        conn.close()
        self.log.append((method, path))
        answer = Answer(raw.status, json.loads(text), {k.lower(): v for k, v in raw.getheaders()})
        if check is not None:
            jsonschema.validate(answer.body, schema_for(*check))
        return answer


def _ids(text: str) -> set[int]:
    return {int(i) for i in text.split(",") if i}


@dataclass
class View:
    """What a client shows: its articles, unread and starred sets, feed -> folder."""

    articles: dict[int, dict[str, Any]] = field(default_factory=dict)
    unread: set[int] = field(default_factory=set)
    starred: set[int] = field(default_factory=set)
    folders: dict[int, str | None] = field(default_factory=dict)  # feed id -> group title
    feeds: dict[int, str] = field(default_factory=dict)  # feed id -> title


class ReadYou:
    """Read You's Fever account (FeverAPI.kt, FeverRssService.kt:145-370): ``?api=&…``
    with ``api_key`` in a form body, marks in the query, ``since_id`` paging from blank."""

    def __init__(self, wire: Wire, url: str, key: str) -> None:
        self.wire, self.url, self.key = wire, url, key
        self.view = View()
        self.last_id: int | None = None

    def _post(self, query: str, *check: str) -> dict[str, Any]:
        answer = self.wire.send(
            "POST", f"{self.url}?api=&{query}", {"api_key": self.key}, check=check
        )
        assert answer.status == 200
        if answer.body["auth"] != 1:  # FeverAPI.kt throws on auth <= 0
            raise PermissionError("Fever auth failed")
        return answer.body

    def login(self) -> None:
        body = self.wire.send("POST", f"{self.url}?api=", {"api_key": self.key}).body
        if body["auth"] != 1:
            raise PermissionError("Fever auth failed")

    def sync(self) -> None:
        groups = self._post("groups", "groups")
        titles = {g["id"]: g["title"] for g in groups["groups"]}
        feeds = self._post("feeds", "feeds")
        membership: dict[str, str] = {}
        for fg in feeds["feeds_groups"]:
            for feed_id in fg["feed_ids"].split(","):
                membership[feed_id] = str(fg["group_id"])
        self.view.folders, self.view.feeds = {}, {}
        for f in feeds["feeds"]:
            group = membership[str(f["id"])]  # feedsGroupsMap[it.id.toString()]!!
            assert f["url"] is not None  # url!!
            self.view.folders[f["id"]] = titles.get(int(group))
            self.view.feeds[f["id"]] = f["title"]
        self._post("favicons", "favicons")
        since = "" if self.last_id is None else str(self.last_id)
        while True:
            page = self._post(f"items&since_id={since}", "items")["items"]
            for item in page:
                self.view.articles[item["id"]] = item
            if page:
                since = str(page[-1]["id"])  # the last element's id
                self.last_id = page[-1]["id"]
            if len(page) < 50:
                break
        # local state is set to match exactly
        self.view.unread = _ids(self._post("unread_item_ids", "unread_item_ids")["unread_item_ids"])
        self.view.starred = _ids(self._post("saved_item_ids", "saved_item_ids")["saved_item_ids"])
        self.view.unread &= set(self.view.articles)
        self.view.starred &= set(self.view.articles)

    def mark(self, item_id: int, as_: str) -> None:
        self._post(f"mark=item&as={as_}&id={item_id}")

    def mark_all_read(self) -> None:
        for feed_id in self.view.feeds:
            self._post(f"mark=feed&as=read&id={feed_id}&before={READ_YOU_MARK_ALL_BEFORE}")


class Fluent:
    """Fluent Reader's Fever service (fever.ts): ``?api&…``, ``api_key`` and marks in a
    urlencoded body, ``max_id`` paging down from 2^53-1, ``feeds_groups`` from ``feeds``."""

    def __init__(self, wire: Wire, url: str, key: str, fetch_limit: int = 250) -> None:
        self.wire, self.url, self.key, self.fetch_limit = wire, url, key, fetch_limit
        self.view = View()
        self.last_id = 0

    def _post(
        self, selector: str, extra: dict[str, str] | None = None, *check: str
    ) -> dict[str, Any]:
        answer = self.wire.send(
            "POST", f"{self.url}?api{selector}", {"api_key": self.key, **(extra or {})}, check=check
        )
        assert answer.status == 200
        return answer.body

    def login(self) -> bool:
        return bool(self._post("")["auth"])  # Boolean(response.auth)

    def sync(self) -> None:
        groups = {g["id"]: g["title"] for g in self._post("&groups", None, "groups")["groups"]}
        feeds = self._post("&feeds", None, "feeds")
        folder: dict[str, int] = {}
        for fg in feeds["feeds_groups"]:  # taken from the feeds response
            for feed_id in fg["feed_ids"].split(","):
                folder[feed_id] = fg["group_id"]
        self.view.feeds = {f["id"]: f["title"] for f in feeds["feeds"]}
        self.view.folders = {
            f["id"]: groups.get(folder.get(str(f["id"]), -1)) for f in feeds["feeds"]
        }
        unread = self._post("&unread_item_ids", None, "unread_item_ids")["unread_item_ids"]
        saved = self._post("&saved_item_ids", None, "saved_item_ids")["saved_item_ids"]
        assert isinstance(unread, str) and isinstance(saved, str)  # else Fluent throws
        max_id, fetched, newest = JS_MAX_SAFE, 0, self.last_id
        while True:
            page = self._post(f"&items&max_id={max_id}", None, "items")["items"]
            fresh = [i for i in page if i["id"] > self.last_id]
            for item in fresh:
                item["url"].split("/")  # item.link.split
                self.view.articles[item["id"]] = item
            fetched += len(fresh)
            if page:
                max_id = min(i["id"] for i in page)
                newest = max(newest, max(i["id"] for i in page))
            if len(page) < 50 or max_id <= self.last_id or fetched >= self.fetch_limit:
                break
        self.last_id = newest
        self.view.unread = _ids(unread) & set(self.view.articles)
        self.view.starred = _ids(saved) & set(self.view.articles)

    def mark(self, item_id: int, as_: str) -> None:
        self._post("", {"mark": "item", "as": as_, "id": str(item_id)})

    def mark_feed_read(self, feed_id: int, item_date: int) -> None:
        before = str(item_date + 1)  # "mark below as read": the item's date plus 1 s
        self._post("", {"mark": "feed", "as": "read", "id": str(feed_id), "before": before})


class IdsFirst:
    """The Reeder/Unread way (closed source; CommaFeed's and Miniflux's notes): GET with
    ``api_key`` in the query, id lists first, then ``with_ids`` in chunks of 50 for the
    items it lacks. ``shape`` picks the transport quirk replayed (get, feedme, multipart)."""

    def __init__(self, wire: Wire, url: str, key: str, shape: str = "get") -> None:
        self.wire, self.url, self.key, self.shape = wire, url, key, shape
        self.view = View()

    def _call(self, params: dict[str, str], *check: str) -> dict[str, Any]:
        if self.shape == "get":
            answer = self.wire.send(
                "GET",
                f"{self.url}?{urlencode({'api': '', 'api_key': self.key, **params})}",
                check=check,
            )
        elif self.shape == "feedme":  # every parameter in the URL, a POST with no body type
            query = urlencode({"api": "", "api_key": self.key, **params})
            answer = self.wire.send("POST", f"{self.url}?{query}", None, check=check)
        else:
            answer = self.wire.send(
                "POST",
                f"{self.url}?api",
                {"api_key": self.key, **params},
                body_type="multipart",
                check=check,
            )
        assert answer.status == 200 and answer.body["auth"] == 1
        return answer.body

    def sync(self) -> None:
        groups = {g["id"]: g["title"] for g in self._call({"groups": ""}, "groups")["groups"]}
        feeds = self._call({"feeds": ""}, "feeds")
        folder = {
            int(f): g["group_id"] for g in feeds["feeds_groups"] for f in g["feed_ids"].split(",")
        }
        self.view.feeds = {f["id"]: f["title"] for f in feeds["feeds"]}
        self.view.folders = {f: groups.get(folder[f]) for f in self.view.feeds}
        unread = _ids(self._call({"unread_item_ids": ""}, "unread_item_ids")["unread_item_ids"])
        saved = _ids(self._call({"saved_item_ids": ""}, "saved_item_ids")["saved_item_ids"])
        missing = sorted((unread | saved) - set(self.view.articles))
        for start in range(0, len(missing), 50):
            chunk = ",".join(str(i) for i in missing[start : start + 50])
            for item in self._call({"items": "", "with_ids": chunk}, "items")["items"]:
                self.view.articles[item["id"]] = item
        self.view.unread, self.view.starred = unread, saved

    def mark(self, item_id: int, as_: str) -> None:
        self._call({"mark": "item", "as": as_, "id": str(item_id)})
