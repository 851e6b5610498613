"""The Google Reader endpoints (clientapis.md §1, the specification).

Mounted at the server root and under ``/api/greader.php``; ``//`` collapses and a
trailing ``/`` is ignored (Fluent Reader concatenates strings), so every path is
normalised and dispatched here. Authentication is ``Authorization: GoogleLogin
auth=<token>`` only: no cookie session is read, and the web never reads a token.
``T`` is optional (Fluent never sends it, FeedMe sends ``T=``, Reeder ``T=x``); a
``T`` that is given and wrong is a 401 with ``X-Reader-Google-Bad-Token``.
Anything malformed is a 400 naming the parameter, before anything is written.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.aggregator import Aggregator
from tidings.aggregator.sync import Subscription
from tidings.api.fever.endpoint import Throttle
from tidings.api.greader import ids, items
from tidings.api.greader.params import BadRequest, Params, read_params
from tidings.api.greader.query import StreamQuery, entry_filter, parse_query
from tidings.errors import (
    DiscoveryError,
    FetchFailedError,
    InvalidURLError,
    ParseError,
    SubscriptionLimitError,
)
from tidings.model import Entry, EntryFilter, FeedId, User, UserId

BASE = "/api/greader.php"
API = "/reader/api/0"
#: the paths routed here (``//reader/...`` too); the handler normalises what follows
PREFIXES = (BASE, API, "/accounts")
PATHS = tuple(lead + prefix + "{rest:path}" for prefix in PREFIXES for lead in ("", "/"))
MAX_CONTENT_IDS = 1000  # per stream/items/contents request (clients send 100 to 250)
MAX_EDIT_IDS = 10_000  # per edit-tag request (NetNewsWire sends up to 1000)
DEFAULT_IDS = 10_000  # stream/items/ids without `n`: a whole page, `c` for the rest
DEFAULT_CONTENTS = 20  # stream/contents without `n` (Google's default)
MAX_CONTENTS = 1000
ICON_PURPOSE = "greader-icon"
#: an icon's bytes were sniffed as an image when stored; it may do nothing else
ICON_POLICY = "default-src 'none'; sandbox"
_ICON_PATH = re.compile(r"^/icon/([0-9]{1,16})/([0-9]{1,16})/([0-9a-f]{32})$")
_ADD_ERRORS = (
    DiscoveryError,
    FetchFailedError,
    InvalidURLError,
    ParseError,
    SubscriptionLimitError,
)
_SLASHES = re.compile(r"/{2,}")
_AUTH = re.compile(r"^\s*GoogleLogin\s+auth=(\S+)\s*$", re.IGNORECASE)
#: ``edit-tag``'s states: (flag, value) for ``a``; ``r`` sets the opposite
_STATES = {
    "read": ("read", True),
    "kept-unread": ("read", False),
    "starred": ("starred", True),
}

Handler = Callable[[Request, User, Params, bytes], Awaitable[Response]]


class AccountThrottle(Throttle, Protocol):
    """The web's ``LoginThrottle``, per address and per (address, account)."""

    def retry_after(self, address: str, account: str) -> int: ...


class GReaderApi:
    def __init__(
        self, agg: Aggregator, throttle: AccountThrottle, address_of: Callable[[Request], str]
    ) -> None:
        self.agg, self.throttle, self.address_of = agg, throttle, address_of
        self.reads: dict[str, Handler] = {
            "user-info": self.user_info,
            "subscription/list": self.subscription_list,
            "subscription/export": self.export,
            "tag/list": self.tag_list,
            "unread-count": self.unread_count,
            "stream/items/ids": self.stream_ids,
            "stream/items/contents": self.stream_items,
            "stream/contents": self.stream_contents,
        }
        self.writes: dict[str, Handler] = {
            "edit-tag": self.edit_tag,
            "mark-all-as-read": self.mark_all_as_read,
            "subscription/quickadd": self.quickadd,
            "subscription/edit": self.subscription_edit,
            "subscription/import": self.import_opml,
            "rename-tag": self.rename_tag,
            "disable-tag": self.disable_tag,
        }

    def routes(self) -> list[BaseRoute]:
        return [Route(p, self.endpoint, methods=["GET", "POST"]) for p in PATHS]

    async def endpoint(self, request: Request) -> Response:
        path = _normalise(request.url.path)
        if path is None:
            return _text("Not found", 404)
        if path in ("", "/"):  # the bare base answers, as FreshRSS and CommaFeed do
            return _text("OK")
        if path == "/accounts/ClientLogin":
            return await self.client_login(request)
        if not path.startswith(API + "/"):
            return _text("Not found", 404)
        if path.startswith(API + "/icon/"):
            return await self.icon(request, path[len(API) :])
        name, path_stream = _endpoint_name(path[len(API) + 1 :])
        user, token = await self._authenticate(request)
        if user is None:
            return _text("Unauthorized", 401)
        try:
            params, body = await read_params(request, raw_body=name == "subscription/import")
            if path_stream is not None:
                params = params.with_stream(path_stream)
            if name == "token":
                return _text(await run_in_threadpool(self.agg.accounts.edit_token, token))
            if name in self.writes:
                if request.method != "POST":
                    return _text("Use POST", 405)
                if not await self._edit_token_ok(token, params):
                    return _text("Unauthorized", 401, {"x-reader-google-bad-token": "true"})
                return await self.writes[name](request, user, params, body)
            if name in self.reads:
                return await self.reads[name](request, user, params, body)
        except (BadRequest, ValueError) as exc:
            return _text(str(exc), 400)
        return _text(f"Unknown endpoint: {name[:60]}", 404)

    # authentication

    async def client_login(self, request: Request) -> Response:
        """``Email``/``Passwd`` from the form (or query); any ``Authorization`` header
        is ignored (EasyRSS, Fluent). ``SID``/``LSID``/``Auth`` lines, or JSON."""
        try:
            params, _ = await read_params(request)
        except BadRequest as exc:
            return _text(str(exc), 400)
        name, password = params.one("Email") or "", params.one("Passwd") or ""
        address = self.address_of(request)
        account = name.strip()[:64] or "\x00greader"
        wait = max(self.throttle.address_wait(address), self.throttle.retry_after(address, account))
        if wait > 0:
            await self.throttle.pause()
        login = await run_in_threadpool(self.agg.accounts.api_login, name, password)
        if login is None:
            if name or password:
                self.throttle.failed(address, account)
            if wait > 0:
                again = max(
                    self.throttle.address_wait(address), self.throttle.retry_after(address, account)
                )
                return _text("Error=BadAuthentication", 429, {"retry-after": str(max(1, again))})
            return _text("Error=BadAuthentication", 401)
        token = await run_in_threadpool(self.agg.accounts.issue_api_token, login)
        if (params.one("output") or "").lower() == "json":
            return _json({"SID": token, "LSID": token, "Auth": token})
        return _text(f"SID={token}\nLSID={token}\nAuth={token}\n")

    async def _authenticate(self, request: Request) -> tuple[User | None, str]:
        found = _AUTH.match(request.headers.get("authorization", ""))
        if found is None:
            return None, ""
        token = found.group(1)
        return await run_in_threadpool(self.agg.accounts.api_token_user, token), token

    async def _edit_token_ok(self, token: str, params: Params) -> bool:
        given = (params.one("T") or "").strip()
        if given in ("", "x"):  # Fluent sends none, FeedMe `T=`, Reeder `T=x`
            return True
        expected = await run_in_threadpool(self.agg.accounts.edit_token, token)
        return hmac.compare_digest(given, expected)

    # reads

    async def user_info(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        return _json(
            {
                "userId": str(int(user.id)),
                "userName": user.name,
                "userProfileId": str(int(user.id)),
                "userEmail": user.name,
            }
        )

    async def subscription_list(
        self, request: Request, user: User, params: Params, _: bytes
    ) -> Response:
        subs = await run_in_threadpool(self.agg.sync.get_subscriptions, user.id)
        base = str(request.base_url).rstrip("/")
        listed = [
            items.subscription_json(
                s, icon_url=self._icon_url(base, user, s) if s.has_icon else None
            )
            for s in subs
        ]
        return _json({"subscriptions": listed})

    def _icon_url(self, base: str, user: User, sub: Subscription) -> str | None:
        if not sub.has_icon:
            return None
        signature = self.agg.accounts.sign(ICON_PURPOSE, f"{int(user.id)}/{int(sub.id)}")
        return f"{base}{API}/icon/{int(user.id)}/{int(sub.id)}/{signature}"

    async def export(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        data = await run_in_threadpool(self.agg.export_opml, user.id)
        return Response(data, media_type="text/x-opml; charset=utf-8")

    async def tag_list(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        def work() -> dict[str, Any]:
            folders = [name for _, name in self.agg.sync.get_category_ids(user.id)]
            tags = [t for t in self.agg.sync.get_tags(user.id) if t not in folders]
            listed: list[dict[str, Any]] = [{"id": ids.state_stream("starred")}]
            listed += [{"id": ids.label_stream(n), "type": "folder"} for n in folders]
            listed += [{"id": ids.label_stream(n), "type": "tag"} for n in tags]
            return {"tags": listed}

        return _json(await run_in_threadpool(work))

    async def unread_count(
        self, request: Request, user: User, params: Params, _: bytes
    ) -> Response:
        def work() -> dict[str, Any]:
            subs = self.agg.sync.get_subscriptions(user.id)
            newest = self.agg.sync.get_newest_crawl_times(user.id)
            counts: list[dict[str, Any]] = []
            labels: dict[str, tuple[int, int]] = {}
            total, latest = 0, 0
            for sub in subs:  # every feed, even at 0: Vienna refreshes those it misses
                usec = _usec(newest.get(sub.id))
                counts.append(_count(ids.feed_stream(sub.id), sub.unread, usec))
                total, latest = total + sub.unread, max(latest, usec)
                if sub.category:
                    n, t = labels.get(sub.category, (0, 0))
                    labels[sub.category] = (n + sub.unread, max(t, usec))
            counts += [_count(ids.label_stream(k), n, t) for k, (n, t) in sorted(labels.items())]
            counts.append(_count(ids.state_stream("reading-list"), total, latest))
            return {"max": total, "unreadcounts": counts}

        return _json(await run_in_threadpool(work))

    async def stream_ids(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        query = parse_query(params.all, default_count=DEFAULT_IDS)

        def work() -> dict[str, Any]:
            found = self._filter(user, query, query.count)
            if found is None:
                return {"itemRefs": []}
            start = query.after.id if query.after else None
            page = self.agg.sync.get_stream_ids(
                user.id, found, start=start, oldest_first=query.oldest_first
            )
            body: dict[str, Any] = {"itemRefs": [{"id": ids.item_ref_id(i)} for i in page]}
            if len(page) == query.count:
                body["continuation"] = str(page[-1])
            return body

        return _json(await run_in_threadpool(work))

    async def stream_items(
        self, request: Request, user: User, params: Params, _: bytes
    ) -> Response:
        wanted = _item_ids(params, MAX_CONTENT_IDS)

        def work() -> dict[str, Any]:
            found = self.agg.sync.get_entries_by_id(user.id, ids=wanted, limit=MAX_CONTENT_IDS)
            sites = self._sites(user, found)
            return {
                "id": ids.state_stream("reading-list"),
                "updated": _now_seconds(),
                "items": [
                    items.item_json(e, site_url=sites.get(e.feed_id)) for e in reversed(found)
                ],
            }

        return _json(await run_in_threadpool(work))

    async def stream_contents(
        self, request: Request, user: User, params: Params, _: bytes
    ) -> Response:
        query = parse_query(params.all, default_count=DEFAULT_CONTENTS)
        stream_id = params.one("s") or ids.state_stream("reading-list")
        count = min(query.count, MAX_CONTENTS)

        def work() -> dict[str, Any]:
            body: dict[str, Any] = {"id": stream_id, "updated": _now_seconds(), "items": []}
            found = self._filter(user, query, count)
            if found is None:
                return body
            start = query.after.id if query.after else None
            page = self.agg.sync.get_stream_entries(
                user.id, found, start=start, oldest_first=query.oldest_first
            )
            sites = self._sites(user, page)
            body["items"] = [items.item_json(e, site_url=sites.get(e.feed_id)) for e in page]
            if len(page) == count:
                body["continuation"] = str(int(page[-1].id))
            return body

        return _json(await run_in_threadpool(work))

    def _filter(self, user: User, query: StreamQuery, limit: int) -> EntryFilter | None:
        urls = {}
        if any(s.feed_url for s in (query.stream, *query.include, *query.exclude)):
            urls = {s.url: s.id for s in self.agg.sync.get_subscriptions(user.id)}
        return entry_filter(query, urls, limit=limit)

    def _sites(self, user: User, entries: Sequence[Entry]) -> dict[FeedId, str]:
        """The site links of these entries' feeds only (not every subscription read
        for each page of items: 15 of 24 ms for 150 items of 1,000 feeds)."""
        return self.agg.sync.get_site_links(user.id, {e.feed_id for e in entries})

    # writes

    async def edit_tag(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        wanted = _item_ids(params, MAX_EDIT_IDS)
        flags: dict[str, bool] = {}
        tags: list[tuple[str, bool]] = []
        for key, on in (("a", True), ("r", False)):  # `r` after `a`: it wins a tie
            for value in params.all(key):
                stream = _tag_stream(key, value)
                if stream is None:
                    continue  # like, broadcast, tracking-…: ignored
                if stream.kind == "label":
                    assert stream.label is not None
                    tags.append((stream.label, on))
                elif stream.state == "kept-unread" and not on:
                    continue  # leaving "kept unread" says nothing of read (an `a=read` does)
                elif stream.state in _STATES:
                    flag, value_on = _STATES[stream.state]
                    flags[flag] = value_on if on else not value_on
        if not wanted:
            raise BadRequest("i: no item ids")

        def work() -> None:
            if flags:
                self.agg.sync.set_flags(user.id, wanted, **flags)
            for tag, on in tags:
                self.agg.sync.set_tag(user.id, wanted, tag, tagged=on)

        await run_in_threadpool(work)
        return _text("OK")

    async def mark_all_as_read(
        self, request: Request, user: User, params: Params, _: bytes
    ) -> Response:
        stream = params.one("s") or ids.state_stream("reading-list")
        query = parse_query(lambda name: [stream] if name == "s" else [])
        before = _mark_time(params.one("ts"))

        def work() -> None:
            found = self._filter(user, query, 1)
            if found is not None:
                self.agg.sync.mark_stream_read(user.id, _replace_seen_before(found, before))

        await run_in_threadpool(work)
        return _text("OK")

    async def quickadd(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        url = (params.one("quickadd") or "").strip()
        if url.startswith("feed/"):
            url = url[len("feed/") :]
        if not url:
            raise BadRequest("quickadd: no URL")
        subs = await run_in_threadpool(self.agg.sync.get_subscriptions, user.id)
        followed = next((s for s in subs if url in (s.url, s.link)), None)
        if followed is not None:  # already theirs: no fetch, the same answer
            return _quickadd(followed.url, followed.id, followed.title)
        try:
            state = await self.agg.add_feed(user.id, url)
        except _ADD_ERRORS as exc:
            return _json({"numResults": 0, "query": url, "error": str(exc)})
        # the name subscription/list gives it (the URL until its first refresh)
        return _quickadd(state.url, state.id, state.title or state.url)

    async def subscription_edit(
        self, request: Request, user: User, params: Params, _: bytes
    ) -> Response:
        action = (params.one("ac") or "edit").lower()
        if action not in ("edit", "subscribe", "unsubscribe"):
            raise BadRequest(f"ac: subscribe, edit or unsubscribe, not {action[:20]!r}")
        streams = [_feed_arg(v) for v in params.all("s") if v.strip()]
        if not streams:
            raise BadRequest("s: no feed")
        add = [_label_arg("a", v) for v in params.all("a") if v.strip()]
        remove = [_label_arg("r", v) for v in params.all("r") if v.strip()]
        title = params.one("t")
        subs = {s.id: s for s in await run_in_threadpool(self.agg.sync.get_subscriptions, user.id)}
        by_url = {s.url: s.id for s in subs.values()}
        for stream in streams:
            feed_id = stream.feed_id or by_url.get(stream.feed_url or "")
            if action == "subscribe" and feed_id is None:
                if not stream.feed_url:
                    return _text(f"s: feed {stream.feed_id} is not one of yours", 404)
                try:
                    state = await self.agg.add_feed(
                        user.id, stream.feed_url, category=add[-1] if add else None
                    )
                except _ADD_ERRORS as exc:
                    return _text(str(exc), 400)
                feed_id = state.id
                if title:
                    await run_in_threadpool(self._set_title, user, FeedId(feed_id), title)
                continue
            if feed_id is None or FeedId(feed_id) not in subs:
                continue  # not theirs: nothing to change
            sub = subs[FeedId(feed_id)]
            if action == "unsubscribe":
                await run_in_threadpool(self.agg.remove_feed, user.id, sub.url)
                continue
            category = sub.category
            if category in remove:
                category = None
            if add:
                category = add[-1]  # one folder a feed: the last one named
            await run_in_threadpool(self._edit, user, sub, category, title)
        return _text("OK")

    def _edit(self, user: User, sub: Subscription, category: str | None, title: str | None) -> None:
        if category != sub.category:
            self.agg.subscriptions.update_subscription(user.id, sub.id, category=category)
        if title:
            self._set_title(user, sub.id, title)

    def _set_title(self, user: User, feed_id: FeedId, title: str) -> None:
        self.agg.subscriptions.update_subscription(user.id, feed_id, title=title.strip()[:500])

    async def import_opml(
        self, request: Request, user: User, params: Params, body: bytes
    ) -> Response:
        try:
            added, problems = await run_in_threadpool(self.agg.import_opml, user.id, body)
        except ParseError as exc:
            raise BadRequest(f"the body is not OPML: {exc}") from None
        return _text(f"OK: {added} added" + "".join(f"\n{p}" for p in problems[:20]))

    async def rename_tag(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        old = _label_arg("s", params.one("s") or params.one("t") or "")
        new = _label_arg("dest", params.one("dest") or "")
        await run_in_threadpool(self.agg.sync.rename_label, user.id, old, new)
        return _text("OK")

    async def disable_tag(self, request: Request, user: User, params: Params, _: bytes) -> Response:
        name = _label_arg("s", params.one("s") or params.one("t") or "")
        await run_in_threadpool(self.agg.sync.delete_label, user.id, name)
        return _text("OK")

    # icons: a signed URL, since apps load `iconUrl` without the token

    async def icon(self, request: Request, path: str) -> Response:
        found = _ICON_PATH.match(path)
        if found is None:
            return _text("No icon", 404)
        user_id, feed_id, signature = (found.group(i) for i in (1, 2, 3))
        expected = await run_in_threadpool(
            self.agg.accounts.sign, ICON_PURPOSE, f"{int(user_id)}/{int(feed_id)}"
        )
        if not hmac.compare_digest(signature, expected):
            return _text("No icon", 404)
        icon = await run_in_threadpool(
            self.agg.icons.get, UserId(int(user_id)), FeedId(int(feed_id))
        )
        if icon is None or icon.data is None or icon.content_type is None:
            return _text("No icon", 404)  # unsubscribed since: the URL dies with it
        request.state.csp = ICON_POLICY
        return Response(
            icon.data,
            media_type=icon.content_type,
            headers={"cache-control": "private, max-age=86400"},
        )


def _normalise(path: str) -> str | None:
    """The path with ``//`` collapsed, no trailing ``/`` and any ``/api/greader.php``
    prefixes taken off: ``/accounts/ClientLogin``, ``/reader/api/0/...`` or ``""``."""
    path = _SLASHES.sub("/", path).rstrip("/")
    while path == BASE or path.startswith(BASE + "/"):
        path = path[len(BASE) :]
    if path in ("", API):
        return ""
    return path


def _endpoint_name(rest: str) -> tuple[str, str | None]:
    """``stream/contents/<stream>`` (Vienna: ``feed%2F12``; Your News:
    ``user/-/state/com.google/starred``) names its stream in the path."""
    for name in ("stream/contents/", "stream/items/ids/"):
        if rest.startswith(name):
            return name.rstrip("/"), unquote(rest[len(name) :])
    return rest, None


def _item_ids(params: Params, limit: int) -> list[int]:
    values = [v for v in params.all("i") if v.strip()]
    if len(values) > limit:
        raise BadRequest(f"i: at most {limit} item ids in one request, not {len(values)}")
    try:
        return [ids.parse_item_id(v) for v in values]
    except ValueError as exc:
        raise BadRequest(f"i: {exc}") from None


def _tag_stream(key: str, value: str) -> ids.Stream | None:
    try:
        stream = ids.parse_stream(value)
    except ValueError:
        if "/state/com.google/" in value or value.startswith("user/"):
            return None  # a state or tag of Google's we don't keep (like, broadcast)
        raise BadRequest(f"{key}: not a tag: {value[:60]!r}") from None
    if stream.kind == "feed" or stream.state == "reading-list":
        raise BadRequest(f"{key}: not a tag: {value[:60]!r}")
    return stream


def _feed_arg(value: str) -> ids.Stream:
    try:
        stream = ids.parse_stream(value)
    except ValueError as exc:
        raise BadRequest(f"s: {exc}") from None
    if stream.kind != "feed":
        raise BadRequest(f"s: not a feed: {value[:60]!r}")
    return stream


def _label_arg(key: str, value: str) -> str:
    try:
        stream = ids.parse_stream(value)
    except ValueError:
        stream = None
    if stream is None or stream.kind != "label" or not stream.label:
        raise BadRequest(f"{key}: not a label: {value[:60]!r}")
    name = stream.label.strip()
    if not name or len(name) > 200:
        raise BadRequest(f"{key}: a label is 1 to 200 characters")
    return name


def _mark_time(value: str | None) -> datetime:
    """``ts``: absent means now; ≥1e14 is µs (Vienna), ≥1e11 ms, else seconds; never
    later than now. Compared with crawl time."""
    now = datetime.now(UTC)
    if value is None or value == "":
        return now
    if not (value.isascii() and value.isdigit()) or len(value) > 20:
        raise BadRequest(f"ts: not a time: {value[:40]!r}")
    number = int(value)
    seconds = number / 1e6 if number >= 10**14 else number / 1e3 if number >= 10**11 else number
    if seconds >= now.timestamp():
        return now
    return datetime.fromtimestamp(seconds, UTC)


def _replace_seen_before(f: EntryFilter, before: datetime) -> EntryFilter:
    return replace(f, seen_before=min(before, f.seen_before or before))


def _quickadd(url: str, feed_id: FeedId, title: str) -> Response:
    return _json(
        {"numResults": 1, "query": url, "streamId": ids.feed_stream(feed_id), "streamName": title}
    )


def _count(stream: str, count: int, usec: int) -> dict[str, Any]:
    return {"id": stream, "count": count, "newestItemTimestampUsec": str(usec)}


def _usec(when: datetime | None) -> int:
    return int(when.timestamp()) * 1_000_000 if when is not None else 0


def _now_seconds() -> int:
    return int(datetime.now(UTC).timestamp())


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(body, status_code=status, media_type="application/json; charset=UTF-8")


def _text(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(body, status_code=status, headers=headers)
