"""Google Reader clients replayed as clientapis.md §3.1, §3.5 and §3.6 describe them:
NetNewsWire (ids lists, then contents for the ids it lacks), Vienna (per feed, picked
by ``unread-count``), Reeder and FeedMe (from server logs). Each sends its own requests
in its own shape and reduces the answers by its own rules into a ``View``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from api.greader.wire import Answer, Wire, form

PREFIX = "tag:google.com,2005:reader/item/"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
#: NetNewsWire's label encoding: ``urlHostAllowed`` less ``+`` and ``&``
NNW_SAFE = "!$'()*,-.:;=[]_~"


@dataclass
class View:
    """What a client shows: its articles (id -> item), unread and starred sets,
    feed -> folder, and per-feed unread counts as it would badge them."""

    articles: dict[int, dict[str, Any]] = field(default_factory=dict)
    unread: set[int] = field(default_factory=set)
    starred: set[int] = field(default_factory=set)
    folders: dict[int, str | None] = field(default_factory=dict)  # feed id -> folder

    def feed_of(self, item_id: int) -> int:
        return int(self.articles[item_id]["origin"]["streamId"].removeprefix("feed/"))

    def unread_counts(self) -> dict[int, int]:
        counts = dict.fromkeys(self.folders, 0)
        for i in self.unread:
            counts[self.feed_of(i)] += 1
        return counts


class Recording(Wire):
    """A ``Wire`` that keeps every answer (for the scoping checks)."""

    def __init__(self, port: int, base: str = "") -> None:
        super().__init__(port, base)
        self.answers: list[tuple[str, Answer]] = []

    def send(self, method: str, path: str, body: str | bytes | None = None, **kw: Any) -> Answer:
        answer = super().send(method, path, body, **kw)
        self.answers.append((path, answer))
        return answer


def _feed_id(stream: str) -> int:
    assert stream.startswith("feed/"), stream
    return int(stream.removeprefix("feed/"))


def _ok(answer: Answer) -> Answer:
    assert answer.status == 200, (answer.status, answer.text)
    return answer


class NetNewsWire:
    """NetNewsWire's ReaderAPI account (ReaderAPICaller.swift, ReaderAPIAccountDelegate
    .swift): base ``/api/greader.php/``, ids first, then contents of what it lacks."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.view = View()
        self.token: str | None = None  # the edit token, once per process
        self.last_date: datetime | None = None  # the Date of step 4's first page
        self.validators: dict[str, dict[str, str]] = {}
        self.tags: list[str] = []
        self.statuses: set[int] = set()  # ids it has a status for
        self.queue: list[tuple[str, str, set[int]]] = []  # (a|r, tag, ids)
        self.pages: list[list[int]] = []  # step 4's pages of the last run
        self.since: list[int] = []  # step 4's ids of the last run

    def login(self, name: str, password: str) -> None:
        body = form(("Email", name), ("Passwd", password))
        answer = _ok(self.wire.post("accounts/ClientLogin", body, auth=False))
        # only lines of exactly two parts count
        lines = dict(
            p for p in (line.split("=") for line in answer.text.splitlines()) if len(p) == 2
        )
        self.wire.token = lines["Auth"]

    def _get_token(self) -> str:
        if self.token is None:
            text = _ok(self.wire.get("reader/api/0/token")).text
            self.token = text.removesuffix("\n")
        return self.token

    def _post_t(self, path: str, pairs: list[tuple[str, str]], *, raw: bool = False) -> Answer:
        """A POST with ``T`` first; on 401/403 a new token and one retry."""
        for attempt in range(2):
            body = form(("T", self._get_token()), *pairs, raw=raw)
            answer = self.wire.post(path, body)
            if answer.status not in (401, 403) or attempt:
                return answer
            self.token = None
        raise AssertionError("unreachable")

    def _conditional(self, path: str) -> dict[str, Any] | None:
        headers = self.validators.get(path, {})
        answer = self.wire.get(path, headers=headers)
        if answer.status == 304:
            return None
        _ok(answer)
        sent = {}
        if "etag" in answer.headers:
            sent["If-None-Match"] = answer.headers["etag"]
        if "last-modified" in answer.headers:
            sent["If-Modified-Since"] = answer.headers["last-modified"]
        self.validators[path] = sent
        body: dict[str, Any] = answer.json
        return body

    def _ids(self, query: str) -> tuple[list[int], list[list[int]], str]:
        """``stream/items/ids`` with ``&c=`` until ``continuation`` is absent; the ids
        (decimal strings, ``Int(articleID)``), the pages and the first page's Date."""
        pages: list[list[int]] = []
        continuation, first_date = None, ""
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = _ok(self.wire.get(f"reader/api/0/stream/items/ids?{query}{suffix}"))
            first_date = first_date or answer.headers["date"]
            refs = answer.json["itemRefs"]
            pages.append([int(r["id"]) for r in refs])
            continuation = answer.json.get("continuation")
            if continuation is not None:
                assert isinstance(continuation, str)  # String? in its Codable
            if not continuation:
                return [i for p in pages for i in p], pages, first_date

    def refresh_all(self) -> None:
        self.sync_folders()
        self.send_changes()
        since = self.last_date or datetime.now(UTC) - timedelta(days=90)
        found, self.pages, date = self._ids(
            f"n=1000&output=json&ot={int(since.timestamp())}&s={READING_LIST}"
        )
        self.last_date = parsedate_to_datetime(date)
        self.since = found
        self.statuses |= set(found)  # each gets a local status ("read")
        self.sync_statuses()
        self.fetch_missing()

    def sync_folders(self) -> None:
        tags = self._conditional("reader/api/0/tag/list?output=json")
        if tags is not None:
            self.tags = [t["id"] for t in tags["tags"] if "/label/" in t["id"]]
        subs = self._conditional("reader/api/0/subscription/list?output=json")
        if subs is not None:
            self.view.folders = {}
            for sub in subs["subscriptions"]:
                folder = None
                for category in sub["categories"]:  # {id, label} both required
                    assert isinstance(category["id"], str) and isinstance(category["label"], str)
                    if category["id"] in self.tags:
                        folder = category["label"]
                self.view.folders[_feed_id(sub["id"])] = folder
            self.subscriptions = subs["subscriptions"]
            # a feed gone from the list is gone, with its articles
            gone = {i for i in self.view.articles if self.view.feed_of(i) not in self.view.folders}
            self.view.articles = {k: v for k, v in self.view.articles.items() if k not in gone}
            self.statuses -= gone

    def sync_statuses(self) -> None:
        """Steps 5 and 6: these sets are the truth; every other article is read and
        unstarred (no change is pending here: step 3 sent them)."""
        unread, _, _ = self._ids(f"n=1000&output=json&s={READING_LIST}&xt={READ}")
        starred, _, _ = self._ids(f"n=1000&output=json&s={STARRED}")
        assert len(unread) == len(set(unread)) and len(starred) == len(set(starred))
        self.statuses |= set(unread) | set(starred)
        self.view.unread, self.view.starred = set(unread), set(starred)

    def fetch_missing(self) -> None:
        missing = sorted(self.statuses - set(self.view.articles))
        for start in range(0, len(missing), 150):
            # the long form, unpadded hex (before 2026-08), not percent-encoded
            chunk = [("i", f"{PREFIX}{i:x}") for i in missing[start : start + 150]]
            answer = _ok(
                self._post_t(
                    "reader/api/0/stream/items/contents", [("output", "json"), *chunk], raw=True
                )
            )
            for item in answer.json["items"]:
                if "streamId" not in item.get("origin", {}):
                    continue  # skipped
                key = int(item["id"].rsplit("/", 1)[1], 16)  # Int(_, radix: 16)
                self.view.articles[key] = item

    def sync_article_status(self) -> None:
        """The periodic sync: steps 3, 5 and 6."""
        self.send_changes()
        self.sync_statuses()

    # local changes, queued and sent in step 3

    def mark(self, ids: set[int], *, read: bool | None = None, starred: bool | None = None) -> None:
        if read is not None:
            self.queue.append(("a" if read else "r", READ, set(ids)))
            self.view.unread = self.view.unread - ids if read else self.view.unread | ids
        if starred is not None:
            self.queue.append(("a" if starred else "r", STARRED, set(ids)))
            self.view.starred = self.view.starred | ids if starred else self.view.starred - ids

    def send_changes(self) -> None:
        for key, tag, ids in self.queue:
            ordered = sorted(ids)
            for start in range(0, len(ordered), 1000):
                chunk = [("i", f"{PREFIX}{i:x}") for i in ordered[start : start + 1000]]
                answer = self._post_t("reader/api/0/edit-tag", [*chunk, (key, tag)], raw=True)
                _ok(answer)
        self.queue = []

    # feeds and folders

    def rename_folder(self, old: str, new: str) -> None:
        pairs = [("s", _nnw(f"user/-/label/{old}")), ("dest", _nnw(f"user/-/label/{new}"))]
        _ok(self._post_t("reader/api/0/rename-tag", pairs, raw=True))

    def delete_folder(self, name: str) -> None:
        """Each feed in it: unsubscribed (it is in no other folder); then ``disable-tag``
        with the tag id from ``tag/list``."""
        tag = next(t for t in self.tags if t.endswith(f"/label/{name}"))
        for feed, folder in list(self.view.folders.items()):
            if folder == name:
                pairs = [("s", f"feed/{feed}"), ("ac", "unsubscribe")]
                _ok(self._post_t("reader/api/0/subscription/edit", pairs))
        _ok(self._post_t("reader/api/0/disable-tag", [("s", _nnw(tag))], raw=True))

    def add_feed(self, url: str, folder: str | None, crawl: Callable[[], object]) -> int:
        """``crawl`` stands for the server's scheduler, which fetches a new feed at once."""
        answer = _ok(self._post_t("reader/api/0/subscription/quickadd", [("quickadd", url)]))
        result = answer.json
        assert isinstance(result["numResults"], int) and result["numResults"] == 1, result
        crawl()
        stream = result["streamId"]
        self.validators.clear()  # it asks again, whatever it has
        self.sync_folders()
        assert any(s["id"] == stream for s in self.subscriptions)
        if folder:
            pairs = [("s", stream), ("ac", "edit"), ("a", _nnw(f"user/-/label/{folder}"))]
            _ok(self._post_t("reader/api/0/subscription/edit", pairs, raw=True))
        since = int((datetime.now(UTC) - timedelta(days=90)).timestamp())
        found, _, _ = self._ids(f"n=1000&output=json&ot={since}&s={stream}")
        self.statuses |= set(found)
        self.sync_statuses()
        self.fetch_missing()
        return _feed_id(stream)


def _nnw(value: str) -> str:
    return quote(value, safe=NNW_SAFE)


class Vienna:
    """Vienna's OpenReader.m: ClientLogin with ``accountType=GOOGLE&service=reader``,
    feeds picked by ``unread-count``, then per feed ``stream/contents/feed%2F<id>``
    and two id lists (``xt=read``, ``it=starred``) compared as ``%016qx`` strings."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.token = ""
        self.items: dict[str, dict[str, Any]] = {}  # long id -> item, by string
        self.feeds: dict[int, str | None] = {}  # feed -> folder
        self.counts: dict[int, tuple[int, int]] = {}  # feed -> (count, newest s)
        self.updated: dict[int, int] = {}  # feed -> the last top-level `updated`
        self.unread: set[str] = set()
        self.starred: set[str] = set()
        self.refreshed: list[int] = []  # feeds refreshed in the last sync

    def login(self, name: str, password: str) -> None:
        body = form(("Email", name), ("Passwd", password))
        answer = self.wire.post(
            "accounts/ClientLogin?accountType=GOOGLE&service=reader", body, auth=False
        )
        assert answer.status == 200  # non-200 is a failure
        auth = next(line for line in answer.text.splitlines() if line.startswith("Auth="))
        self.wire.token = auth[len("Auth=") :]
        self.token = _ok(self.wire.get("reader/api/0/token")).text

    def sync(self) -> None:
        subs = _ok(self.wire.get("reader/api/0/subscription/list?client=ViennaRSS&output=json"))
        self.feeds = {}
        for sub in subs.json["subscriptions"]:
            assert sub["id"].startswith("feed/")
            labels = [c["label"] for c in sub["categories"]]
            self.feeds[_feed_id(sub["id"])] = labels[0] if labels else None
        counts = _ok(
            self.wire.get(
                "reader/api/0/unread-count?client=ViennaRSS&output=json&allcomments=false"
            )
        ).json
        listed: dict[int, tuple[int, int]] = {}
        for row in counts["unreadcounts"]:
            if row["id"].startswith("feed/"):
                usec = row["newestItemTimestampUsec"]
                assert isinstance(usec, str) and usec.isdigit(), row
                listed[_feed_id(row["id"])] = (row["count"], int(usec) // 10**6)
        self.refreshed = []
        for feed in self.feeds:
            unread_here = any(self._feed_of(k) == feed for k in self.unread)
            changed = listed.get(feed) != self.counts.get(feed)
            if (feed in listed and changed) or (feed not in listed and unread_here):
                self.refresh_feed(feed)
                self.refreshed.append(feed)
        self.counts = listed
        # unsubscribed elsewhere: gone
        self.items = {k: v for k, v in self.items.items() if self._feed_of(k) in self.feeds}

    def _feed_of(self, key: str) -> int:
        return _feed_id(self.items[key]["origin"]["streamId"])

    def refresh_feed(self, feed: int) -> None:
        stream = quote(f"feed/{feed}", safe="-._~")  # RFC 3986 unreserved
        ot = f"&ot={self.updated[feed] - 900}" if feed in self.updated else ""
        answer = _ok(
            self.wire.get(
                f"reader/api/0/stream/contents/{stream}?client=ViennaRSS&comments=false"
                f"&likes=false{ot}&n=1000&output=json"
            )
        ).json
        updated = answer["updated"]
        assert isinstance(updated, int)  # `stringValue` is called on a number
        self.updated[feed] = updated
        for item in answer["items"]:
            self.items[item["id"]] = item
        ids = "reader/api/0/stream/items/ids?client=ViennaRSS&s=feed/{}&{}&n=1000&output=json"
        unread = _ok(self.wire.get(ids.format(feed, f"xt={READ}"))).json["itemRefs"]
        starred = _ok(self.wire.get(ids.format(feed, f"it={STARRED}"))).json["itemRefs"]
        mine = {k for k in self.items if self._feed_of(k) == feed}
        as_long = {PREFIX + f"{int(r['id']):016x}" for r in unread}  # %016qx
        starred_long = {PREFIX + f"{int(r['id']):016x}" for r in starred}
        self.unread = (self.unread - mine) | (as_long & mine)
        self.starred = (self.starred - mine) | (starred_long & mine)

    @property
    def view(self) -> View:
        def key(long_id: str) -> int:
            return int(long_id.removeprefix(PREFIX), 16)

        return View(
            articles={key(k): v for k, v in self.items.items()},
            unread={key(k) for k in self.unread},
            starred={key(k) for k in self.starred},
            folders=dict(self.feeds),
        )

    def edit(self, item_id: int, key: str, tag: str) -> None:
        long_id = PREFIX + f"{item_id:016x}"
        assert long_id in self.items  # it sends the item's id verbatim
        body = form(("async", "true"), ("i", long_id), (key, tag), ("T", self.token))
        assert _ok(self.wire.post("reader/api/0/edit-tag", body)).text
        local = self.unread if tag == READ else self.starred
        on = (key == "a") != (tag == READ)  # a=read takes it out of the unread set
        if on:
            local.add(long_id)
        else:
            local.discard(long_id)

    def mark_feed_read(self, feed: int) -> None:
        ts = (self.updated[feed] + 1) * 10**6
        body = form(("s", f"feed/{feed}"), ("ts", str(ts)), ("T", self.token))
        _ok(self.wire.post("reader/api/0/mark-all-as-read", body))
        self.unread = {k for k in self.unread if self._feed_of(k) != feed}


class Reeder:
    """Reeder (closed; FreshRSS#2620, #2513, #2956, #3031): ``/api/greader.php/``, the
    unread ids at ``n=10000``, contents and edits with ``T=x`` and bare 16-hex ids,
    ``s=feed/feed/<id>`` in ``subscription/edit``."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.view = View()

    def sync(self) -> None:
        subs = _ok(self.wire.get("reader/api/0/subscription/list?output=json")).json
        self.view.folders = {
            _feed_id(s["id"]): (s["categories"][0]["label"] if s["categories"] else None)
            for s in subs["subscriptions"]
        }
        unread = self._ids(f"n=10000&xt={READ}&output=json&s={READING_LIST}")
        starred = self._ids(f"n=10000&output=json&s={STARRED}")  # assumed, as for unread
        missing = sorted((unread | starred) - set(self.view.articles))
        for start in range(0, len(missing), 100):
            body = "&".join(
                [f"i={i:016x}" for i in missing[start : start + 100]] + ["T=x"]
            )  # bare hex, no prefix
            answer = _ok(self.wire.post("reader/api/0/stream/items/contents?output=json", body))
            for item in answer.json["items"]:
                self.view.articles[int(item["id"].rsplit("/", 1)[1], 16)] = item
        self.view.unread, self.view.starred = unread, starred

    def _ids(self, query: str) -> set[int]:
        answer = _ok(self.wire.get(f"reader/api/0/stream/items/ids?{query}")).json
        refs = answer["itemRefs"]
        assert all(isinstance(r["id"], str) for r in refs)  # a number: it fetched nothing
        assert "continuation" not in answer or isinstance(answer["continuation"], str)
        return {int(r["id"]) for r in refs}

    def edit(self, item_id: int, key: str, tag: str) -> None:
        body = form(("i", f"{item_id:016x}"), (key, tag), ("T", "x"))
        assert _ok(self.wire.post("reader/api/0/edit-tag", body)).text

    def move(self, feed: int, folder: str) -> None:
        body = form(
            ("ac", "edit"), ("s", f"feed/feed/{feed}"), ("a", f"user/-/label/{folder}"), ("T", "x")
        )
        _ok(self.wire.post("reader/api/0/subscription/edit", body))


class FeedMe:
    """FeedMe (closed; FreshRSS#4618, miniflux#2129, FreshRSS PR #3320): lists, counts,
    starred ids from ``ot=0``, unread items by ``stream/contents`` with ``s=``, a
    ``user-info`` without ``output=json``, ``edit-tag`` with ``T=``; strict kotlinx."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.view = View()
        self.user = ""
        self.newest: dict[str, str] = {}

    def sync(self) -> None:
        self.user = _ok(self.wire.get("reader/api/0/user-info")).json["userName"]
        tags = _ok(self.wire.get("reader/api/0/tag/list?output=json")).json["tags"]
        self.labels = [t["id"] for t in tags if "/label/" in t["id"]]
        subs = _ok(self.wire.get("reader/api/0/subscription/list?output=json")).json
        self.view.folders = {
            _feed_id(s["id"]): (s["categories"][0]["label"] if s["categories"] else None)
            for s in subs["subscriptions"]
        }
        counts = _ok(self.wire.get("reader/api/0/unread-count?output=json")).json
        for row in counts["unreadcounts"]:
            assert isinstance(row["count"], int)
            assert row["newestItemTimestampUsec"].isdigit(), row  # "" crashed it (FeedMe#20)
        self.newest = {r["id"]: r["newestItemTimestampUsec"] for r in counts["unreadcounts"]}
        starred = _ok(
            self.wire.get(f"reader/api/0/stream/items/ids?output=json&n=500&ot=0&s={STARRED}")
        ).json
        self.view.starred = {int(r["id"]) for r in starred["itemRefs"]}
        unread = self.contents(f"xt={READ}&ot=0&s={READING_LIST}")
        self.contents(f"ot=0&s={STARRED}")  # the starred items' bodies (assumed)
        self.view.unread = {_item_key(i) for i in unread}

    def contents(self, query: str) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        continuation = None
        while True:
            suffix = f"&c={continuation}" if continuation else ""
            answer = _ok(
                self.wire.get(f"reader/api/0/stream/contents?output=json&n=100&{query}{suffix}")
            ).json
            for item in answer["items"]:
                assert int(item["timestampUsec"]) == int(item["crawlTimeMsec"]) * 1000
                self.view.articles[_item_key(item)] = item
            got += answer["items"]
            continuation = answer.get("continuation")
            if not continuation:
                return got

    def edit(self, item_id: int, key: str, tag: str) -> None:
        body = form(("i", f"{PREFIX}{item_id:016x}"), (key, tag), ("T", ""))
        assert _ok(self.wire.post("reader/api/0/edit-tag", body)).text


def _item_key(item: dict[str, Any]) -> int:
    return int(item["id"].rsplit("/", 1)[1], 16)


def answers_json(wire: Recording) -> list[tuple[str, Any]]:
    """Every JSON answer a recording wire got, with its path."""
    out = []
    for path, answer in wire.answers:
        if answer.status == 200 and answer.text.startswith("{"):
            out.append((path, json.loads(answer.text)))
    return out
