"""Subscriptions: add (with discovery), per-feed settings and health, remove (after
asking), OPML."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.aggregator import UNSET, Aggregator, Unset
from tidings.aggregator.subscriptions import MAX_TITLE, title_is_cut
from tidings.errors import NotFoundError, ParseError, TidingsError
from tidings.model import FeedId, FullTextMode
from tidings.web.gate import Gate, Visitor
from tidings.web.params import MAX_INT, field_int
from tidings.web.render import Renderer
from tidings.web.security import MAX_UPLOAD

FULL_TEXT_MODES = [m.value for m in FullTextMode]
ICON_POLICY = "default-src 'none'; sandbox"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


class FeedViews:
    def __init__(self, agg: Aggregator, gate: Gate, renderer: Renderer) -> None:
        self.agg, self.gate, self.r = agg, gate, renderer

    def routes(self) -> list[Route]:
        g = self.gate.route
        return [
            g("/subscriptions", self.subscriptions),
            g("/subscriptions", self.add, methods=("POST",)),
            g("/feed/{feed_id:id}/edit", self.edit),
            g("/feed/{feed_id:id}/edit", self.save, methods=("POST",)),
            g("/feed/{feed_id:id}/remove", self.confirm_remove),
            g("/feed/{feed_id:id}/remove", self.remove, methods=("POST",)),
            g("/feed/{feed_id:id}/icon", self.icon),
            g("/opml", self.export_opml),
            g("/opml", self.import_opml, methods=("POST",)),
        ]

    async def _page(self, request: Request, v: Visitor, status: int = 200, **ctx: Any) -> Response:
        sidebar = await run_in_threadpool(self.agg.reading.get_sidebar, v.uid)
        feeds = await run_in_threadpool(self.agg.get_feeds, v.uid)
        # failing feeds first, under a summary line; otherwise in their order (#15)
        failing = sum(1 for f in feeds if f.state.last_error)
        feeds = sorted(feeds, key=lambda f: not f.state.last_error)
        return self.r.page(
            request,
            "subscriptions.html",
            status,
            v=v,
            sidebar=sidebar,
            feeds=feeds,
            failing=failing,
            **ctx,
        )

    async def subscriptions(self, request: Request, v: Visitor) -> Response:
        notice = None
        if request.query_params.get("added"):
            notice = "Subscribed. Its stories arrive in a moment."
        if request.query_params.get("removed"):
            notice = "Unsubscribed."
        return await self._page(request, v, notice=notice)

    async def add(self, request: Request, v: Visitor) -> Response:
        """Subscribe to an address. A site page naming several feeds is answered with
        them, to choose one (#15); the choice comes back as ``feed`` beside the page's
        ``url`` and must be one of the feeds the page names when fetched again."""
        url = _text(v.form.get("url"))[:2000]
        category = _text(v.form.get("category"))[:100] or None
        choice = _text(v.form.get("feed"))[:2000] or None
        if not url:
            return await self._page(request, v, 400, error="Enter a feed or site address.")
        try:
            found = await self.agg.discover_feeds(url, choice=choice)
            if choice is None and len(found.links) > 1:
                return await self._page(
                    request, v, url=url, category=category, choices=found.links, best=found.url
                )
            state = await self.agg.add_feed(v.uid, found.url, category=category, discover=False)
        except (TidingsError, ValueError) as exc:
            return await self._page(
                request, v, 400, error=f"Could not add {url}: {exc}", url=url, category=category
            )
        return RedirectResponse(f"/subscriptions?added={state.id}", 303)

    async def _feed(self, v: Visitor, feed_id: int) -> Any:
        try:
            return await run_in_threadpool(self.agg.reading.get_feed, v.uid, feed_id)
        except NotFoundError as exc:
            raise HTTPException(404, "No such feed") from exc

    async def edit(self, request: Request, v: Visitor) -> Response:
        feed = await self._feed(v, request.path_params["feed_id"])
        categories = await run_in_threadpool(self.agg.get_categories, v.uid)
        return self.r.page(
            request,
            "feed_edit.html",
            v=v,
            feed=feed,
            categories=categories,
            modes=FULL_TEXT_MODES,
            max_title=MAX_TITLE,
        )

    async def save(self, request: Request, v: Visitor) -> Response:
        feed_id = request.path_params["feed_id"]
        mode = _text(v.form.get("full_text")) or "auto"
        if mode not in FULL_TEXT_MODES:
            raise HTTPException(400, "Invalid feed settings")
        # the aggregator clamps the interval to the allowed range
        minutes = field_int(v.form.get("interval"), "interval", low=0, high=MAX_INT // 60) or 0
        # the user's name for the feed (#15): empty gives it its own title back; a
        # form without the field leaves it alone
        posted = v.form.get("title")
        title: str | Unset = posted if isinstance(posted, str) else UNSET
        try:
            await run_in_threadpool(
                lambda: self.agg.subscriptions.update_subscription(
                    v.uid,
                    FeedId(feed_id),
                    category=_text(v.form.get("category")),
                    title=title,
                    full_text=mode,
                    interval=minutes * 60 or None,  # empty or 0: automatic
                )
            )
        except NotFoundError as exc:
            raise HTTPException(404, "No such feed") from exc
        cut = "&cut=1" if isinstance(title, str) and title_is_cut(title) else ""
        return RedirectResponse(f"/feed/{feed_id}/edit?saved=1{cut}", 303)

    async def confirm_remove(self, request: Request, v: Visitor) -> Response:
        """The question before unsubscribing (#11): a page, so it works without JavaScript."""
        feed = await self._feed(v, request.path_params["feed_id"])
        return self.r.page(request, "feed_remove.html", v=v, feed=feed)

    async def remove(self, request: Request, v: Visitor) -> Response:
        """Unsubscribe, only when the question was answered (``confirm``); else ask it."""
        feed = await self._feed(v, request.path_params["feed_id"])
        if v.form.get("confirm") != "1":
            return RedirectResponse(f"/feed/{feed.state.id}/remove", 303)
        await run_in_threadpool(self.agg.remove_feed, v.uid, feed.state.url)
        return RedirectResponse("/subscriptions?removed=1", 303)

    async def icon(self, request: Request, v: Visitor) -> Response:
        """The feed's stored icon (#12), to its subscribers only. Its bytes were sniffed
        as an image when stored; the policy forbids anything a document could do."""
        feed_id = FeedId(request.path_params["feed_id"])
        icon = await run_in_threadpool(self.agg.icons.get, v.uid, feed_id)
        if icon is None or icon.data is None or icon.content_type is None:
            raise HTTPException(404, "No icon")
        request.state.csp = ICON_POLICY
        return Response(
            icon.data,
            media_type=icon.content_type,
            headers={"cache-control": "private, max-age=86400"},
        )

    async def export_opml(self, request: Request, v: Visitor) -> Response:
        data = await run_in_threadpool(self.agg.export_opml, v.uid)
        return Response(
            data,
            media_type="text/x-opml; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="tidings.opml"'},
        )

    async def import_opml(self, request: Request, v: Visitor) -> Response:
        upload = v.form.get("file")
        if not isinstance(upload, UploadFile):
            return await self._page(request, v, 400, error="Choose an OPML file to import.")
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise HTTPException(413, "That file is too large")
        try:
            added, problems = await run_in_threadpool(self.agg.import_opml, v.uid, data)
        except (ParseError, ValueError) as exc:
            return await self._page(request, v, 400, error=f"Not an OPML file: {exc}")
        notice = f"Imported {added} feeds."
        return await self._page(request, v, notice=notice, problems=problems[:50])
