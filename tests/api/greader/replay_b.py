"""Google Reader clients replayed as clientapis.md §3.2–§3.4 describe them: Read You
(Google Reader and FreshRSS account types), Capy Reader and Fluent Reader. Each sends
its own requests in its own shape (Read You's unencoded query strings, Capy's long ids,
Fluent's missing token and stream) and reduces the answers by its own rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from api.greader.wire import Answer, Wire, form

PREFIX = "tag:google.com,2005:reader/item/"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
_LONG_ID = re.compile(r"^tag:google\.com,2005:reader/item/([0-9a-f]{16})$")


@dataclass
class View:
    """What a client shows: articles (id -> item), unread and starred sets, feed ->
    folder, and the labels it calls tags (Capy's saved searches)."""

    articles: dict[int, dict[str, Any]] = field(default_factory=dict)
    unread: set[int] = field(default_factory=set)
    starred: set[int] = field(default_factory=set)
    folders: dict[int, str | None] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)


def _ok(answer: Answer) -> Answer:
    assert answer.status == 200, (answer.status, answer.text)
    return answer


def _feed(stream: str) -> int:
    assert stream.startswith("feed/"), stream
    return int(stream.removeprefix("feed/"))


class ReadYou:
    """Read You (GoogleReaderAPI.kt, GoogleReaderRssService.kt): base with a ``/``
    appended, query strings concatenated raw, the token body used verbatim as ``T``."""

    def __init__(self, wire: Wire, *, freshrss: bool = False) -> None:
        self.wire = wire
        self.freshrss = freshrss  # the FreshRSS account type asks for read with it=
        self.view = View()
        self.t = ""
        self.user_name = ""

    def login(self, name: str, password: str) -> None:
        body = form(
            ("output", "json"),
            ("Email", name),
            ("Passwd", password),
            ("client", "ReadYou"),
            ("accountType", "HOSTED_OR_GOOGLE"),
            ("service", "reader"),
        )
        answer = _ok(self.wire.post("accounts/ClientLogin", body, auth=False))
        try:  # JSON first, then the Auth= line
            self.wire.token = answer.json["Auth"]
        except ValueError:
            self.wire.token = re.search(r"Auth=(\S+)", answer.text).group(1)  # type: ignore[union-attr]
        self.t = _ok(self.wire.get("reader/api/0/token")).text  # verbatim
        info = _ok(self.wire.get("reader/api/0/user-info?output=json")).json
        self.user_name = info["userName"]

    def _ids(self, query: str) -> set[int]:
        out: set[int] = set()
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = _ok(self.wire.get(f"reader/api/0/stream/items/ids?{query}{suffix}"))
            out |= {int(r["id"]) for r in answer.json["itemRefs"]}
            continuation = answer.json.get("continuation")
            if continuation is None:
                return out

    def sync(self) -> None:
        month = int((datetime.now(UTC) - timedelta(days=30)).timestamp())
        unread = self._ids(f"output=json&s={READING_LIST}&xt={READ}&n=1000")
        starred = self._ids(f"output=json&s={STARRED}&n=1000")
        if self.freshrss:
            read = self._ids(f"output=json&s={READING_LIST}&it={READ}&ot={month}&n=1000")
        else:
            read = self._ids(f"output=json&s={READ}&ot={month}&n=1000")
        subs = _ok(self.wire.get("reader/api/0/subscription/list?output=json")).json
        folders = {}
        for sub in subs["subscriptions"]:
            first = sub["categories"][0]["label"] if sub["categories"] else None
            folders[_feed(sub["id"])] = first
            assert sub.get("url") or sub.get("htmlUrl")  # url ?: htmlUrl !!
        self.view.folders = folders  # feeds absent from the list are deleted
        self.view.articles = {
            i: a for i, a in self.view.articles.items() if self._feed_of(a) in folders
        }
        missing = sorted((unread | starred | read) - set(self.view.articles))
        for start in range(0, len(missing), 100):
            chunk = missing[start : start + 100]
            body = "&".join(f"i={i}" for i in chunk) + f"&T={self.t}"
            answer = _ok(self.wire.post("reader/api/0/stream/items/contents?output=json", body))
            for item in answer.json["items"]:
                found = _LONG_ID.match(item["id"])
                assert found, item["id"]  # any other form is dropped
                key = int(found.group(1), 16)
                self.view.articles[key] = item
                assert item["origin"]["streamId"]  # !!
                link = item["canonical"][0]["href"] or item["alternate"][0]["href"]
                assert link or item["origin"]["htmlUrl"] is not None
                if key in unread:
                    self.view.unread.add(key)
                if key in starred:
                    self.view.starred.add(key)
        # reconciliation, server-authoritative (89d8de0c, 3da27b92)
        # each rule reads the local state as it was, so an id in both a and c ends read
        local, was_unread, was_starred = (
            set(self.view.articles),
            self.view.unread,
            self.view.starred,
        )
        to_read = was_unread & read
        to_unread = (local - was_unread) & unread
        self.view.unread = (was_unread - to_read) | to_unread
        self.view.starred = (was_starred & starred) | ((local - was_starred) & starred)

    def _feed_of(self, item: dict[str, Any]) -> int:
        return _feed(item["origin"]["streamId"])

    def edit(self, ids: list[int], tag: str, *, add: bool) -> Answer:
        key = "a" if add else "r"
        body = "&".join(f"i={i}" for i in ids) + f"&{key}={tag}&T={self.t}"
        answer = _ok(self.wire.post("reader/api/0/edit-tag?output=json", body))
        assert answer.text  # gson.fromJson(body, String)!!: an empty body throws
        return answer


class Capy:
    """Capy Reader (ReaderAccountDelegate.kt, readerclient): long ids keyed by their
    last segment verbatim, ``tag/list``'s tags as saved searches."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.view = View()
        self.t: str | None = None

    def login(self, name: str, password: str) -> None:
        answer = self.wire.post(
            "accounts/ClientLogin", form(("Email", name), ("Passwd", password)), auth=False
        )
        assert answer.status == 200 and "Unauthorized" not in answer.text, answer.text
        for line in answer.text.splitlines():
            key, _, _ = line.partition("=")
            if key == "Auth":
                self.wire.token = line.split("=")[-1]  # the last segment

    def token(self) -> str:
        if self.t is None:
            self.t = _ok(self.wire.get("reader/api/0/token")).text
        return self.t

    def _ids(self, query: str) -> list[str]:
        out: list[str] = []
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = self.wire.get(f"reader/api/0/stream/items/ids?{query}{suffix}")
            if answer.status != 200:
                return out  # a non-2xx keeps the partial list (the risk §3.3 names)
            # String.format("%016x", id.toLong()): a non-decimal id would throw
            out += [f"{int(r['id']):016x}" for r in answer.json["itemRefs"]]
            continuation = answer.json.get("continuation")
            if continuation is None:
                return out

    def refresh(self, stream_query: str | None = None) -> None:
        subs = _ok(self.wire.get("reader/api/0/subscription/list?output=json")).json
        self.view.folders = {
            _feed(s["id"]): (s["categories"][0].get("label") if s["categories"] else None)
            for s in subs["subscriptions"]
        }
        tags = _ok(self.wire.get("reader/api/0/tag/list?output=json")).json["tags"]
        self.view.tags = {t["id"].rsplit("/label/", 1)[1] for t in tags if t.get("type") == "tag"}
        starred = set(self._ids(f"s={STARRED}&n=10000&output=json"))
        unread = set(self._ids(f"s={READING_LIST}&n=10000&xt={READ}&output=json"))
        wanted = starred | unread
        if stream_query:
            wanted |= set(self._ids(f"{stream_query}&n=10000&output=json"))
        self.view.starred = {int(h, 16) for h in starred}
        self.view.unread = {int(h, 16) for h in unread}
        have = {f"{i:016x}" for i in self.view.articles}
        missing = sorted(wanted - have)
        for start in range(0, len(missing), 250):
            chunk = missing[start : start + 250]
            body = "&".join(f"i={PREFIX}{h}" for h in chunk) + f"&T={self.token()}"
            answer = _ok(self.wire.post("reader/api/0/stream/items/contents?output=json", body))
            for item in answer.json["items"]:
                key = item["id"].split("/")[-1]  # verbatim: must equal %016x
                assert key in chunk, key
                assert item["title"] is not None and item["origin"]["htmlUrl"] is not None
                assert item["canonical"][0]["href"] is not None
                body_text = (item.get("content") or {}).get("content") or item["summary"]["content"]
                assert isinstance(body_text, str)
                self.view.articles[int(key, 16)] = item

    def post(self, path: str, pairs: list[tuple[str, str]]) -> Answer:
        return _ok(
            self.wire.post(f"reader/api/0/{path}?output=json", form(*pairs, ("T", self.token())))
        )


class Fluent:
    """Fluent Reader's GReader service (greader.ts, service.ts): string concatenation
    of the endpoint, ``Authorization: undefined`` on ClientLogin, no ``T`` ever, and
    ``stream/contents`` with no stream, newest first, to the last id it had."""

    FETCH_LIMIT = 250

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.view = View()
        self.last_fetched: int | None = None
        self.last_id: str | None = None

    def login(self, name: str, password: str) -> None:
        answer = self.wire.post(
            "/accounts/ClientLogin",
            form(("Email", name), ("Passwd", password)),
            headers={"Authorization": "undefined"},
            auth=False,
        )
        found = re.search(r"Auth=(\S+)", answer.text)
        assert answer.status == 200 and found, answer.text
        self.wire.token = found.group(1)
        assert self.wire.get("/reader/api/0/user-info").status == 200

    def _ids(self, query: str) -> set[int]:
        out: set[int] = set()
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = _ok(self.wire.get(f"/reader/api/0/stream/items/ids?{query}{suffix}"))
            refs = answer.json["itemRefs"]
            out |= {int(r["id"]) for r in refs}
            continuation = answer.json.get("continuation")
            if not (continuation and len(refs) >= 1000):
                return out

    def sync(self) -> None:
        assert self.wire.get("/reader/api/0/user-info").status == 200
        subs = _ok(self.wire.get("/reader/api/0/subscription/list?output=json")).json
        self.view.folders = {
            _feed(s["id"]): (s["categories"][0]["label"] if s["categories"] else None)
            for s in subs["subscriptions"]
        }
        unread = self._ids(f"output=json&s={READING_LIST}&xt={READ}&n=1000")
        starred = self._ids(f"output=json&s={STARRED}&n=1000")
        # local items: unread-but-not-in-the-set become read; in the set become unread
        local = set(self.view.articles)
        self.view.unread = local & unread
        self.view.starred = local & starred
        # new items, newest first, until the previous newest id or the fetch limit
        got: list[dict[str, Any]] = []
        continuation = None
        while len(got) < self.FETCH_LIMIT:
            n = min(self.FETCH_LIMIT - len(got), 1000)
            query = f"output=json&n={n}"
            if self.last_fetched is not None:
                query += f"&ot={self.last_fetched}"
            if continuation:
                query += f"&c={continuation}"
            answer = _ok(self.wire.get(f"/reader/api/0/stream/contents?{query}"))
            items = answer.json["items"]
            stop = False
            for item in items:
                if item["id"] == self.last_id:
                    stop = True
                    break
                got.append(item)
            continuation = answer.json.get("continuation")
            if stop or not continuation or not items:
                break
        for item in got:
            key = int(item["id"].rsplit("/", 1)[1], 16)
            assert item["canonical"][0]["href"] is not None and "content" in item["summary"]
            assert _feed(item["origin"]["streamId"]) in self.view.folders  # the source map
            self.view.articles[key] = item
            categories = item["categories"]
            if not any(c.endswith("/state/com.google/read") for c in categories):
                self.view.unread.add(key)
            if any(c.endswith("/state/com.google/starred") for c in categories):
                self.view.starred.add(key)
        if got:
            self.last_fetched = round(int(got[0]["crawlTimeMsec"]) / 1000)
            self.last_id = got[0]["id"]

    def edit(self, ids: list[int], tag: str, *, add: bool) -> None:
        key = "a" if add else "r"
        body = "&".join(f"i={i}" for i in ids) + f"&{key}={tag}"
        self.wire.post("/reader/api/0/edit-tag", body)  # the answer is not checked

    def mark_feed_read(self, feed_id: int) -> None:
        self.wire.post("/reader/api/0/mark-all-as-read", f"s=feed/{feed_id}")
