"""Reading pages: the river (all, by category, by feed), the story, marks, polling
(search is in ``searches``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.content.media import entry_media
from tidings.errors import NotFoundError
from tidings.model import Entry, EntryFilter, FeedId
from tidings.web.gate import Gate, Visitor, wants_json
from tidings.web.params import field_cursor, field_ids, field_int, field_seconds, parse_int
from tidings.web.render import Renderer, path_part
from tidings.web.security import safe_next
from tidings.web.views.story_nav import StoryNav, search_nav

PAGE_SIZE = 30
#: new arrivals one click of the banner adds; past this the banner reloads the river
NEW_MAX = 500
VIEWS = ("all", "unread", "starred")
REFRESH_COOLDOWN = 60.0


@dataclass(frozen=True)
class Listing:
    """Which river a page shows: its title, its base path and its entry filter."""

    title: str
    path: str
    view: str
    filter: EntryFilter
    feed_id: int | None = None
    category: str | None = None
    feed_category: str | None = None  # the category of the listed feed

    def url(self, **extra: Any) -> str:
        params = {"view": self.view if self.view != "all" else None, **extra}
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return self.path + (f"?{query}" if query else "")


def cursor(entry: Entry) -> str:
    sort = entry.sorted_at or entry.first_seen
    return f"{int(sort.timestamp())}:{entry.id}"


class ReadingViews:
    def __init__(self, agg: Aggregator, gate: Gate, renderer: Renderer) -> None:
        self.agg, self.gate, self.r = agg, gate, renderer
        self._refreshing: dict[int, float] = {}

    def routes(self) -> list[Route]:
        g = self.gate.route
        return [
            g("/", self.river),
            g("/category/{name:path}", self.category),
            g("/feed/{feed_id:id}", self.feed),
            g("/entry/{entry_id:id}", self.story),
            g("/entry/{entry_id:id}/mark", self.mark, methods=("POST",)),
            g("/entry/{entry_id:id}/position", self.position, methods=("POST",)),
            g("/entries/read", self.mark_many, methods=("POST",)),
            g("/mark-all-read", self.mark_all, methods=("POST",)),
            g("/river/new", self.poll),
            g("/refresh", self.refresh, methods=("POST",)),
        ]

    # listings

    def _view(self, request: Request) -> str:
        view = request.query_params.get("view", "all")
        return view if view in VIEWS else "all"

    def _filter(self, view: str, **kw: Any) -> EntryFilter:
        return EntryFilter(unread=view == "unread", starred=view == "starred", **kw)

    async def river(self, request: Request, v: Visitor) -> Response:
        return await self._show(request, v, self._river(self._view(request)))

    async def category(self, request: Request, v: Visitor) -> Response:
        try:
            listing = await self._category(v, request.path_params["name"], self._view(request))
        except NotFoundError as exc:
            raise HTTPException(404, "No such category") from exc
        return await self._show(request, v, listing)

    async def feed(self, request: Request, v: Visitor) -> Response:
        try:
            listing = await self._feed(v, request.path_params["feed_id"], self._view(request))
        except NotFoundError as exc:
            raise HTTPException(404, "No such feed") from exc
        return await self._show(request, v, listing)

    def _river(self, view: str) -> Listing:
        titles = {"all": "All stories", "unread": "Unread", "starred": "Starred"}
        return Listing(titles[view], "/", view, self._filter(view))

    async def _category(self, v: Visitor, name: str, view: str) -> Listing:
        if name not in await run_in_threadpool(self.agg.get_categories, v.uid):
            raise NotFoundError(f"no category {name!r}")
        path = "/category/" + path_part(name)
        return Listing(name, path, view, self._filter(view, category=name), category=name)

    async def _feed(self, v: Visitor, feed_id: int, view: str) -> Listing:
        feed = await run_in_threadpool(self.agg.reading.get_feed, v.uid, feed_id)
        flt = self._filter(view, feed_id=FeedId(feed_id))
        return Listing(
            feed.name, f"/feed/{feed_id}", view, flt, feed_id, feed_category=feed.category
        )

    async def _listing_at(self, v: Visitor, url: str) -> Listing | None:
        """The list a story was opened from, by its URL (``from``): the river, a
        category or a feed, with its view; None for anything else."""
        parts = urlsplit(url)
        view = parse_qs(parts.query).get("view", ["all"])[0]
        view = view if view in VIEWS else "all"
        path = parts.path
        try:
            if path == "/":
                return self._river(view)
            if path.startswith("/category/") and len(path) > len("/category/"):
                return await self._category(v, unquote(path[len("/category/") :]), view)
            if path.startswith("/feed/") and (feed_id := parse_int(path[len("/feed/") :])):
                return await self._feed(v, feed_id, view)
        except NotFoundError:
            return None
        return None

    async def _show(self, request: Request, v: Visitor, listing: Listing) -> Response:
        q = request.query_params
        after = q.get("after")
        if after is not None:
            after_id = field_int(after, "after", low=0) or 0
            flt = EntryFilter(**{**_fields(listing.filter), "after_id": after_id, "limit": NEW_MAX})
            entries = await run_in_threadpool(self.agg.get_entries, v.uid, flt)
            return self._cards(request, v, listing, entries, more=None)
        flt = EntryFilter(
            **{
                **_fields(listing.filter),
                "limit": PAGE_SIZE + 1,
                "before": field_cursor(q.get("before"), "before"),
            }
        )
        entries = await run_in_threadpool(self.agg.get_entries, v.uid, flt)
        more = (
            listing.url(before=cursor(entries[PAGE_SIZE - 1])) if len(entries) > PAGE_SIZE else None
        )
        entries = entries[:PAGE_SIZE]
        if q.get("partial"):
            return self._cards(request, v, listing, entries, more)
        sidebar = await run_in_threadpool(
            self.agg.reading.get_sidebar, v.uid, listing.category or listing.feed_category
        )
        return self.r.page(
            request, "river.html", v=v, listing=listing, entries=entries, more=more, sidebar=sidebar
        )

    def _cards(
        self, request: Request, v: Visitor, listing: Listing, entries: list[Entry], more: str | None
    ) -> HTMLResponse:
        context = {"v": v, "listing": listing, "entries": entries, "more": more}
        return HTMLResponse(self.r.html(request, "_cards.html", context))

    async def story(self, request: Request, v: Visitor) -> Response:
        try:
            entry = await run_in_threadpool(
                self.agg.get_entry, v.uid, request.path_params["entry_id"]
            )
        except NotFoundError as exc:
            raise HTTPException(404, "No such story") from exc
        media = entry_media(
            link=entry.link,
            guid=entry.guid,
            enclosures=entry.enclosures,
            image=entry.image,
            body=entry.content or entry.summary,
        )
        position = None
        if media.playable:  # where the reader stopped (#15)
            position = await run_in_threadpool(
                self.agg.reading.get_playback_position, v.uid, entry.id
            )
        nav = await self._story_nav(v, entry, request.query_params.get("from"))
        return self.r.page(
            request, "story.html", v=v, entry=entry, media=media, position=position or 0, nav=nav
        )

    async def _story_nav(self, v: Visitor, entry: Entry, origin: str | None) -> StoryNav:
        """Back to the list the story was opened from, and its neighbours there (#15)."""
        url = safe_next(origin, "")
        if url and urlsplit(url).path == "/search":
            return await run_in_threadpool(search_nav, self.agg, v.uid, entry, url, PAGE_SIZE)
        listing = await self._listing_at(v, url) if url else None
        if listing is None:
            return StoryNav.without_list(entry)
        newer, older = await run_in_threadpool(
            self.agg.reading.get_neighbours, v.uid, listing.filter, entry
        )
        return StoryNav.within(listing.url(), entry, newer, older)

    # state changes

    async def mark(self, request: Request, v: Visitor) -> Response:
        entry_id = request.path_params["entry_id"]
        flags = {k: v.form.get(k) for k in ("read", "starred")}
        changes = {k: val == "1" for k, val in flags.items() if val in ("0", "1")}
        try:
            entry = await run_in_threadpool(lambda: self.agg.mark_entry(v.uid, entry_id, **changes))
        except NotFoundError as exc:
            raise HTTPException(404, "No such story") from exc
        if wants_json(request):
            return JSONResponse({"id": entry.id, "read": entry.read, "starred": entry.starred})
        return RedirectResponse(safe_next(_text(v.form.get("next")), f"/entry/{entry_id}"), 303)

    async def position(self, request: Request, v: Visitor) -> Response:
        """Save where the reader stopped the story's audio or video (#15: media.js)."""
        entry_id = request.path_params["entry_id"]
        seconds = field_seconds(v.form.get("position"), "position")
        try:
            await run_in_threadpool(
                self.agg.reading.set_playback_position, v.uid, entry_id, seconds
            )
        except NotFoundError as exc:
            raise HTTPException(404, "No such story") from exc
        return JSONResponse({"id": entry_id, "position": seconds})

    async def mark_many(self, request: Request, v: Visitor) -> Response:
        ids = field_ids(v.form.get("ids"), "ids")
        read = _text(v.form.get("read")) != "0"
        changed = await run_in_threadpool(
            lambda: self.agg.reading.mark_entries_read(v.uid, ids, read=read)
        )
        return JSONResponse({"changed": changed})

    async def mark_all(self, request: Request, v: Visitor) -> Response:
        f = v.form
        view = _text(f.get("view")) or "all"
        view = view if view in VIEWS else "all"
        feed_id = field_int(f.get("feed_id"), "feed_id")
        category = _text(f.get("category")) or None
        flt = self._filter(view, feed_id=FeedId(feed_id) if feed_id else None, category=category)
        up_to = field_int(f.get("up_to"), "up_to", low=0) or 0
        older = _text(f.get("older_than")) or "all"
        await run_in_threadpool(
            lambda: self.agg.reading.mark_all_read(v.uid, flt, up_to=up_to, older_than=older)
        )
        return RedirectResponse(safe_next(_text(f.get("next"))), 303)

    async def poll(self, request: Request, v: Visitor) -> Response:
        q = request.query_params
        view = self._view(request)
        feed_id = field_int(q.get("feed_id"), "feed_id")
        flt = self._filter(
            view, feed_id=FeedId(feed_id) if feed_id else None, category=q.get("category") or None
        )
        after = field_int(q.get("after"), "after", low=0) or 0
        count = await run_in_threadpool(self.agg.reading.count_new, v.uid, flt, after)
        return JSONResponse({"count": count, "max": NEW_MAX}, headers={"cache-control": "no-store"})

    async def refresh(self, request: Request, v: Visitor) -> Response:
        """Make the user's feeds due now, for the workers (at most once a minute per user)."""
        loop = asyncio.get_running_loop()
        last = self._refreshing.get(v.uid)
        started = last is None or loop.time() - last > REFRESH_COOLDOWN
        if started:
            self._refreshing[v.uid] = loop.time()
            feeds = await run_in_threadpool(self.agg.get_feeds, v.uid)
            # through the queue: a worker (this server's, or any other) fetches them
            await run_in_threadpool(
                self.agg.scheduling.request_refresh, [f.state.id for f in feeds]
            )
        if wants_json(request):
            return JSONResponse({"started": started})
        return RedirectResponse(safe_next(_text(v.form.get("next"))), 303)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _fields(f: EntryFilter) -> dict[str, Any]:
    return {name: getattr(f, name) for name in f.__dataclass_fields__}
