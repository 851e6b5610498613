"""Google Reader clients replayed as clientapis.md §3.2–§3.4 describe them: Read You
(Google Reader and FreshRSS account types), Capy Reader and Fluent Reader. Each sends
its own requests in its own shape (Read You's unencoded query strings and decimal
ids, Capy's long ids, Fluent's missing token and stream) and reduces the answers by
its own rules into a ``View``, which the tests compare with the server's truth."""

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
_LONG_ID = re.compile(r"^tag:google\.com,2005:reader/item/([0-9a-f]{16})$")  # Read You's shortId


@dataclass
class View:
    """What a client shows: articles (id -> item as received), each one's link and
    body by the client's own choice, unread and starred sets, feed -> folder, and
    the labels ``tag/list`` calls folders and tags (Capy's saved searches)."""

    articles: dict[int, dict[str, Any]] = field(default_factory=dict)
    links: dict[int, str] = field(default_factory=dict)
    bodies: dict[int, str] = field(default_factory=dict)
    unread: set[int] = field(default_factory=set)
    starred: set[int] = field(default_factory=set)
    folders: dict[int, str | None] = field(default_factory=dict)
    folder_labels: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)

    def drop_feeds_not_in(self, feeds: dict[int, str | None]) -> None:
        """Feeds absent from ``subscription/list`` are deleted, their articles too."""
        gone = {i for i, a in self.articles.items() if feed_of(a) not in feeds}
        for i in gone:
            del self.articles[i]
            self.links.pop(i, None)
            self.bodies.pop(i, None)
        self.unread -= gone
        self.starred -= gone


def ok(answer: Answer) -> Answer:
    assert answer.status == 200, (answer.status, answer.text)
    return answer


def feed_id(stream: str) -> int:
    assert stream.startswith("feed/"), stream
    return int(stream.removeprefix("feed/"))


def feed_of(item: dict[str, Any]) -> int:
    return feed_id(item["origin"]["streamId"])


def has_state(item: dict[str, Any], state: str) -> bool:
    """Capy's, Fluent's and Vienna's reading: a category ending in the state."""
    return any(c.endswith(f"/state/com.google/{state}") for c in item["categories"])


def _first_labels(subs: dict[str, Any], *, need_label: bool = True) -> dict[int, str | None]:
    out: dict[int, str | None] = {}
    for sub in subs["subscriptions"]:
        first = sub["categories"][0] if sub["categories"] else None
        out[feed_id(sub["id"])] = (
            (first["label"] if need_label else first.get("label")) if first else None
        )
    return out


class ReadYou:
    """Read You (GoogleReaderAPI.kt, GoogleReaderRssService.kt): the server URL with a
    ``/`` appended, query strings concatenated raw (values not percent-encoded), the
    token body used verbatim as ``T``, items asked for and keyed by decimal ids."""

    CONTENTS_CHUNK = 100
    EDIT_CHUNK = 500

    def __init__(self, wire: Wire, *, freshrss: bool = False) -> None:
        self.wire = wire
        self.freshrss = freshrss  # the FreshRSS account type asks for read with it=
        self.view = View()
        self.t = ""
        self.user_name = ""
        self.login_was_json = False
        # the last sync's remote sets: a unread, b starred, c read (crawled this month)
        self.remote_unread: set[int] = set()
        self.remote_starred: set[int] = set()
        self.remote_read: set[int] = set()

    def login(self, name: str, password: str) -> None:
        body = form(
            ("output", "json"),
            ("Email", name),
            ("Passwd", password),
            ("client", "ReadYou"),
            ("accountType", "HOSTED_OR_GOOGLE"),
            ("service", "reader"),
        )
        answer = self.wire.post("accounts/ClientLogin", body, auth=False)
        assert answer.status != 401, "Unauthorized for CL Token"
        ok(answer)
        try:  # JSON first, then the Auth= line
            self.wire.token = answer.json["Auth"]
            self.login_was_json = True
        except ValueError:
            found = re.search(r"Auth=(\S+)", answer.text)
            assert found, answer.text
            self.wire.token = found.group(1)
        self.t = ok(self.wire.get("reader/api/0/token")).text  # verbatim, newline and all
        info = ok(self.wire.get("reader/api/0/user-info?output=json")).json
        self.user_name = info["userName"]

    def _ids(self, query: str) -> set[int]:
        out: set[int] = set()
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = ok(self.wire.get(f"reader/api/0/stream/items/ids?{query}{suffix}"))
            out |= {int(r["id"]) for r in answer.json["itemRefs"]}
            continuation = answer.json.get("continuation")
            if continuation is None:
                return out

    def sync(self) -> None:
        month = int((datetime.now(UTC) - timedelta(days=30)).timestamp())
        a = self._ids(f"output=json&s={READING_LIST}&xt={READ}&n=1000")
        b = self._ids(f"output=json&s={STARRED}&n=1000")
        if self.freshrss:  # the ReadYou#1081 workaround
            c = self._ids(f"output=json&s={READING_LIST}&it={READ}&ot={month}&n=1000")
        else:
            c = self._ids(f"output=json&s={READ}&ot={month}&n=1000")
        self.remote_unread, self.remote_starred, self.remote_read = a, b, c
        subs = ok(self.wire.get("reader/api/0/subscription/list?output=json")).json
        for sub in subs["subscriptions"]:
            assert sub.get("url") or sub.get("htmlUrl")  # url ?: htmlUrl !!
        self.view.folders = _first_labels(subs)  # the first category's label is the group
        self.view.drop_feeds_not_in(self.view.folders)
        missing = sorted((a | b | c) - set(self.view.articles))
        for start in range(0, len(missing), self.CONTENTS_CHUNK):
            self._contents(missing[start : start + self.CONTENTS_CHUNK], a, b)
        self._reconcile(a, b, c)

    def _contents(self, chunk: list[int], a: set[int], b: set[int]) -> None:
        body = "&".join(f"i={i}" for i in chunk) + f"&T={self.t}"
        answer = ok(self.wire.post("reader/api/0/stream/items/contents?output=json", body))
        got: set[int] = set()
        for item in answer.json["items"]:
            found = _LONG_ID.match(item["id"])
            if found is None:
                continue  # Read You drops any other form: the test sees it missing
            key = int(found.group(1), 16)
            got.add(key)
            assert item["origin"]["streamId"]  # !!: the feed key
            self.view.articles[key] = item
            self.view.bodies[key] = item["summary"]["content"]
            canonical = item.get("canonical") or [{}]
            alternate = item.get("alternate") or [{}]
            self.view.links[key] = (
                canonical[0].get("href") or alternate[0].get("href") or item["origin"]["htmlUrl"]
            )
            if key in a:  # stored unread iff in a, starred iff in b
                self.view.unread.add(key)
            if key in b:
                self.view.starred.add(key)
        assert got == set(chunk), sorted(set(chunk) - got)  # none dropped, none extra

    def _reconcile(self, a: set[int], b: set[int], c: set[int]) -> None:
        """Server-authoritative since 2026-01 (89d8de0c, 3da27b92); every rule reads the
        local state as it was before any of them."""
        local = set(self.view.articles)
        was_unread, was_starred = set(self.view.unread), set(self.view.starred)
        to_read = was_unread & c  # local unread ∩ c → read
        to_unread = (local - was_unread) & a  # local read ∩ a → unread
        to_unstar = was_starred - b  # local starred − b → unstarred
        to_star = (local - was_starred) & b  # (local − starred) ∩ b → starred
        self.view.unread = (was_unread - to_read) | to_unread
        self.view.starred = (was_starred - to_unstar) | to_star

    def edit(self, ids: list[int], tag: str, *, add: bool) -> list[Answer]:
        key = "a" if add else "r"
        answers = []
        for start in range(0, len(ids), self.EDIT_CHUNK):
            chunk = ids[start : start + self.EDIT_CHUNK]
            body = "&".join(f"i={i}" for i in chunk) + f"&{key}={tag}&T={self.t}"
            answer = ok(self.wire.post("reader/api/0/edit-tag?output=json", body))
            assert answer.text  # gson.fromJson(body, String)!!: an empty body throws
            answers.append(answer)
        return answers


class Capy:
    """Capy Reader (ReaderAccountDelegate.kt, readerclient): Retrofit, so values are
    encoded; long ids keyed by their last segment verbatim; read and starred of new
    articles from ``categories``, then the id lists; ``tag/list``'s tags as saved
    searches; the token fetched lazily, before the first POST."""

    CONTENTS_CHUNK = 250

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
            if line.startswith("Auth="):
                self.wire.token = line.split("=")[-1]  # the last segment

    def token(self) -> str:
        if self.t is None:
            self.t = ok(self.wire.get("reader/api/0/token")).text
        return self.t

    def _ids(self, query: str) -> list[str]:
        out: list[str] = []
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = self.wire.get(f"reader/api/0/stream/items/ids?{query}{suffix}")
            assert answer.status == 200, answer.text  # Capy would keep a partial list
            # String.format("%016x", id.toLong()): a non-decimal id would throw
            out += [f"{int(r['id']):016x}" for r in answer.json["itemRefs"]]
            continuation = answer.json.get("continuation")
            if continuation is None:
                return out

    def refresh(self, stream: str | None = None) -> None:
        """All/Unread/Starred, or with ``stream`` a feed or folder filter
        (``s=<stream>&n=10000`` creates statuses, then contents)."""
        subs = ok(self.wire.get("reader/api/0/subscription/list?output=json")).json
        self.view.folders = _first_labels(subs, need_label=False)
        self.view.drop_feeds_not_in(self.view.folders)
        tags = ok(self.wire.get("reader/api/0/tag/list?output=json")).json["tags"]
        for t in tags:
            assert t.get("type") in (None, "folder", "tag"), t  # the enum throws otherwise
        labels = {t["id"]: t.get("type") for t in tags if "/label/" in t["id"]}
        self.view.folder_labels = {
            i.split("/label/", 1)[1] for i, k in labels.items() if k == "folder"
        }
        self.view.tags = {i.split("/label/", 1)[1] for i, k in labels.items() if k == "tag"}
        starred = self._ids(f"s={STARRED}&n=10000&output=json")
        unread = self._ids(f"s={READING_LIST}&n=10000&xt={READ}&output=json")
        wanted = set(starred) | set(unread)
        if stream is not None:
            wanted |= set(self._ids(f"s={stream}&n=10000&output=json"))
        have = {f"{i:016x}" for i in self.view.articles}
        missing = sorted(wanted - have)
        for start in range(0, len(missing), self.CONTENTS_CHUNK):
            self._contents(missing[start : start + self.CONTENTS_CHUNK], set(unread), set(starred))
        # these ids are upserted starred / unread; all others become unstarred / read
        self.view.starred = {int(h, 16) for h in starred}
        self.view.unread = {int(h, 16) for h in unread}

    def _contents(self, chunk: list[str], unread: set[str], starred: set[str]) -> None:
        pairs = [("i", PREFIX + h) for h in chunk]
        body = form(*pairs, ("T", self.token()))
        answer = ok(self.wire.post("reader/api/0/stream/items/contents?output=json", body))
        got = set()
        for item in answer.json["items"]:
            key = item["id"].split("/")[-1]  # verbatim: must equal %016x
            got.add(key)
            assert item["title"] is not None and item["origin"]["htmlUrl"] is not None
            number = int(key, 16)
            self.view.articles[number] = item
            self.view.links[number] = item["canonical"][0]["href"]
            content = (item.get("content") or {}).get("content")
            self.view.bodies[number] = content or item["summary"]["content"]
            # a new article's state comes from its categories: they must agree with
            # the id lists, or Capy shows one state until the next refresh
            assert has_state(item, "read") == (key not in unread), item["categories"]
            assert has_state(item, "starred") == (key in starred), item["categories"]
        assert got == set(chunk), sorted(set(chunk) ^ got)

    def post(self, path: str, pairs: list[tuple[str, str]]) -> Answer:
        return ok(
            self.wire.post(f"reader/api/0/{path}?output=json", form(*pairs, ("T", self.token())))
        )


class Fluent:
    """Fluent Reader's GReader service (greader.ts, service.ts): the endpoint joined
    by string concatenation, ``Authorization: undefined`` on ClientLogin, never a
    ``T``, and ``stream/contents`` with no stream, newest first, to the last id it
    had or the fetch limit."""

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
            headers={"Authorization": "undefined"},  # configs.auth !== null
            auth=False,
        )
        found = re.search(r"Auth=(\S+)", answer.text)
        assert answer.status == 200 and found, answer.text
        self.wire.token = found.group(1)
        assert self.wire.get("/reader/api/0/user-info").status == 200  # no output=json

    def _ids(self, query: str) -> set[int]:
        out: set[int] = set()
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = ok(self.wire.get(f"/reader/api/0/stream/items/ids?{query}{suffix}"))
            refs = answer.json["itemRefs"]
            out |= {int(r["id"]) for r in refs}
            continuation = answer.json.get("continuation")
            if not (continuation and len(refs) >= 1000):
                return out

    def sync(self) -> None:
        assert self.wire.get("/reader/api/0/user-info").status == 200  # else: log in again
        subs = ok(self.wire.get("/reader/api/0/subscription/list?output=json")).json
        for sub in subs["subscriptions"]:
            assert sub.get("url") or sub.get("htmlUrl")  # the source's url
        self.view.folders = _first_labels(subs)
        self.view.drop_feeds_not_in(self.view.folders)
        unread = self._ids(f"output=json&s={READING_LIST}&xt={READ}&n=1000")
        starred = self._ids(f"output=json&s={STARRED}&n=1000")
        # local items: unread-but-not-in-the-set become read; in the set become unread
        local = set(self.view.articles)
        self.view.unread = local & unread
        self.view.starred = local & starred
        got = self._new_items()
        for item in got:
            key = int(item["id"].rsplit("/", 1)[1], 16)
            assert feed_of(item) in self.view.folders  # looked up in the source map
            self.view.articles[key] = item
            self.view.links[key] = item["canonical"][0]["href"]
            self.view.bodies[key] = item["summary"]["content"]
            if not has_state(item, "read"):
                self.view.unread.add(key)
            if has_state(item, "starred"):
                self.view.starred.add(key)
        if got:
            self.last_fetched = round(int(got[0]["crawlTimeMsec"]) / 1000)
            self.last_id = got[0]["id"]

    def _new_items(self) -> list[dict[str, Any]]:
        """Newest first, until the previous newest id or the fetch limit."""
        got: list[dict[str, Any]] = []
        continuation = None
        while len(got) < self.FETCH_LIMIT:
            query = f"output=json&n={min(self.FETCH_LIMIT - len(got), 1000)}"
            if self.last_fetched is not None:
                query += f"&ot={self.last_fetched}"
            if continuation:
                query += f"&c={continuation}"
            answer = ok(self.wire.get(f"/reader/api/0/stream/contents?{query}"))
            items = answer.json["items"]
            for item in items:
                if item["id"] == self.last_id:
                    return got
                got.append(item)
            continuation = answer.json.get("continuation")
            if not continuation or not items:
                break
        return got

    def edit(self, ids: list[int], tag: str, *, add: bool) -> None:
        key = "a" if add else "r"
        body = "&".join(f"i={i}" for i in ids) + f"&{key}={tag}"
        self.wire.post("/reader/api/0/edit-tag", body)  # the answer is not checked

    def mark_feed_read(self, feed: int) -> None:
        self.wire.post("/reader/api/0/mark-all-as-read", f"s=feed/{feed}")  # no ts, no T
