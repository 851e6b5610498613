"""The routes of publishing: private feeds, public feeds, public pages (see README.md).

None of them reads a session cookie or changes anything: a private feed is found by
the token in its path, a public publication by its slug, and each answers only
``GET`` (and ``HEAD``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar, get_args
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.publishing import (
    DEFAULT_ITEMS,
    FORMATS,
    MAX_ITEMS,
    Published,
    Selection,
    parse_selection,
)
from tidings.errors import NotFoundError, SearchQueryError
from tidings.model import Entry, Publication, UserId
from tidings.publish import MEDIA_TYPES, Channel, Format, Item, build_item, render
from tidings.web.publishing.caching import (
    GZIP_MIN,
    DocumentCache,
    Known,
    accepts_gzip,
    cached_response,
    not_modified,
    not_modified_response,
    pack,
    validators,
)
from tidings.web.render import Renderer

PRIVATE_CACHE = "private, max-age=60"  # the address is a secret: no shared cache keeps it
PUBLIC_CACHE = "public, max-age=300"
_FORMATS = set(get_args(Format))
EMPTY_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)  # a private feed without items
T = TypeVar("T")

Next = Callable[[str], str]


def split_format(name: str) -> tuple[str, Format] | None:
    """``"category/News.atom"`` -> (``"category/News"``, ``"atom"``); None without a format."""
    stem, dot, ext = name.rpartition(".")
    if not dot or ext not in _FORMATS:
        return None
    fmt: Format = ext  # type: ignore[assignment]
    return stem, fmt


def _count(request: Request) -> int:
    raw = request.query_params.get("n")
    if raw is None:
        return DEFAULT_ITEMS
    if not raw.isdigit() or len(raw) > 6:
        raise HTTPException(400, f"n= is a number of items, 1 to {MAX_ITEMS}")
    return max(1, min(int(raw), MAX_ITEMS))


class PublishingViews:
    def __init__(self, agg: Aggregator, renderer: Renderer) -> None:
        self.agg, self.r = agg, renderer
        self.cache = DocumentCache()

    def routes(self) -> list[Route]:
        return [
            Route("/published/{token}/{doc:path}", self.private_feed, methods=["GET"]),
            Route("/p/{pub}", self.public, methods=["GET"]),
            Route("/p/{slug}/{entry_id}", self.public_story, methods=["GET"]),
        ]

    def base(self, request: Request) -> str:
        """The address documents link to: ``base_url``, else the one this request used."""
        return (self.agg.settings.base_url or str(request.base_url)).rstrip("/")

    # private feeds: /published/<token>/<selection>.<format>

    async def private_feed(self, request: Request) -> Response:
        found = split_format(request.path_params["doc"])
        if found is None:
            raise HTTPException(404, "Not found")
        text, fmt = found
        n, before = _count(request), request.query_params.get("before")
        base = self.base(request)
        token = request.path_params["token"]

        def build() -> Known | Published:
            user = self.agg.publishing.token_user(token)
            known = self._known(request, user.id)
            if isinstance(known, Known):
                return known
            chosen = self.agg.publishing.check_selection(user.id, text)
            self_url = f"{base}/published/{token}/{chosen.path}.{fmt}"
            channel = Channel(
                title=f"{self.agg.publishing.selection_title(user.id, chosen)} — Tidings",
                self_url=self_url,
                home_url=base + "/",
                id=f"{base}/published/user-{int(user.id)}/{chosen.path}",
                updated=EMPTY_UPDATED,
                description=f"{user.name}'s stories: {chosen}",
            )
            published = self.agg.publishing.published(
                user.id, chosen, channel, n=n, before=before, next_url=_next(self_url, n)
            )
            self._remember(request, variant(published.etag, fmt), published, known)
            return published

        response = self._document(request, await self._resolve(build), fmt, PRIVATE_CACHE)
        response.headers["x-robots-tag"] = "noindex"
        return response

    def _known(self, request: Request, user: UserId) -> Known | int:
        """What this URL last answered, if still current (a conditional request can be
        answered from it); else the owner's newest entry id, to remember the answer by."""
        latest = self.agg.publishing.latest_entry_id(user)
        if request.headers.get("if-none-match") is None:
            return latest
        known = self.cache.known((request.url.path, request.url.query), latest)
        if known is not None and not_modified(request, known.etag, known.last_modified):
            return known
        return latest

    def _remember(
        self, request: Request, etag: str, published: Published, latest: Known | int
    ) -> None:
        if isinstance(latest, int):
            key = (request.url.path, request.url.query)
            self.cache.remember(key, etag, published.last_modified, latest)

    # public publications: /p/<slug>, /p/<slug>.<format>, /p/<slug>/<entry id>

    async def public(self, request: Request) -> Response:
        name = request.path_params["pub"]
        found = split_format(name)
        if found is None:
            return await self.public_page(request, name)
        slug, fmt = found
        n, before = _count(request), request.query_params.get("before")
        base = self.base(request)

        def build() -> Known | Published:
            publication = self.agg.publishing.get_publication(slug)
            known = self._known(request, publication.user_id)
            if isinstance(known, Known):
                return known
            chosen = parse_selection(publication.selection)
            self_url = f"{base}/p/{slug}.{fmt}"
            channel = self._public_channel(publication, chosen, base, self_url)
            published = self.agg.publishing.published(
                publication.user_id, chosen, channel, n=n, before=before,
                next_url=_next(self_url, n), personal=False,
            )  # fmt: skip
            self._remember(request, variant(published.etag, fmt), published, known)
            return published

        return self._document(request, await self._resolve(build), fmt, PUBLIC_CACHE)

    def _public_channel(
        self, publication: Publication, chosen: Selection, base: str, self_url: str
    ) -> Channel:
        title = publication.title or self.agg.publishing.selection_title(
            publication.user_id, chosen
        )
        return Channel(
            title=title,
            self_url=self_url,
            home_url=f"{base}/p/{publication.slug}",
            id=f"{base}/p/{publication.slug}",
            updated=publication.created_at,
            hub_url=self._hub(),
            full_text=publication.full_text,
        )

    def _hub(self) -> str | None:
        """The hub public feeds name: only one that is told of new items (the pings
        need ``base_url``: a hub fetches the feeds at their public address)."""
        settings = self.agg.settings
        if not (settings.publish_hub and settings.base_url):
            return None
        return settings.publish_hub

    async def public_page(self, request: Request, slug: str) -> Response:
        n, before = _count(request), request.query_params.get("before")
        base = self.base(request)

        def build() -> Known | tuple[Publication, Published]:
            publication = self.agg.publishing.get_publication(slug)
            known = self._known(request, publication.user_id)
            if isinstance(known, Known):
                return known
            chosen = parse_selection(publication.selection)
            home = f"{base}/p/{slug}"
            channel = self._public_channel(publication, chosen, base, home)
            published = self.agg.publishing.published(
                publication.user_id, chosen, channel, n=n, before=before,
                next_url=lambda b: f"/p/{slug}?" + urlencode({"before": b, "n": n}),
                personal=False,
            )  # fmt: skip
            self._remember(request, variant(published.etag, "html"), published, known)
            return publication, published

        found = await self._resolve(build)
        if isinstance(found, Known):
            return not_modified_response(validators(found.etag, found.last_modified, PUBLIC_CACHE))
        publication, published = found
        headers = validators(variant(published.etag, "html"), published.last_modified, PUBLIC_CACHE)
        if not_modified(request, headers["etag"], published.last_modified):
            return not_modified_response(headers)
        items = [
            (e, build_item(e, published.origins.get(e.feed_id), full_text=publication.full_text))
            for e in published.entries
        ]
        html = self.r.html(
            request,
            "public_river.html",
            {"pub": publication, "doc": published, "items": items, "feeds": self._alternates(slug)},
        )
        return cached_response(request, html.encode(), "text/html; charset=utf-8", headers)

    async def public_story(self, request: Request) -> Response:
        slug = request.path_params["slug"]
        raw = request.path_params["entry_id"]
        if not raw.isdigit() or len(raw) > 18:
            raise HTTPException(404, "Not found")

        def build() -> tuple[Publication, Entry, Item]:
            publication = self.agg.publishing.get_publication(slug)
            chosen = parse_selection(publication.selection)
            entry = self.agg.publishing.get_entry(publication.user_id, chosen, int(raw))
            entry = replace(entry, read=False, starred=False, tags=())  # nobody's state
            origin = self.agg.publishing.get_origins([entry]).get(entry.feed_id)
            return publication, entry, build_item(entry, origin, full_text=publication.full_text)

        publication, entry, item = await self._resolve(build)
        html = self.r.html(
            request,
            "public_story.html",
            {"pub": publication, "entry": entry, "item": item, "feeds": self._alternates(slug)},
        )
        body = html.encode()
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        changed = max(d for d in (entry.first_seen, entry.updated) if d is not None)
        headers = validators(etag, changed, PUBLIC_CACHE)
        if not_modified(request, headers["etag"], changed):
            return not_modified_response(headers)
        return cached_response(request, body, "text/html; charset=utf-8", headers)

    @staticmethod
    def _alternates(slug: str) -> list[tuple[str, str, str]]:
        names = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
        return [(f"/p/{slug}.{fmt}", MEDIA_TYPES[fmt].split(";")[0], names[fmt]) for fmt in FORMATS]

    # both

    async def _resolve(self, build: Callable[[], T]) -> T:
        try:
            return await run_in_threadpool(build)
        except NotFoundError:
            raise HTTPException(404, "Not found") from None
        except SearchQueryError as exc:
            raise HTTPException(400, str(exc)) from None
        except ValueError as exc:  # a malformed ?before=
            raise HTTPException(400, str(exc)) from None

    def _document(
        self, request: Request, found: Known | Published, fmt: Format, cache: str
    ) -> Response:
        if isinstance(found, Known):  # the remembered ETag matched: a 304
            return not_modified_response(validators(found.etag, found.last_modified, cache))
        etag = variant(found.etag, fmt)
        headers = validators(etag, found.last_modified, cache)
        if not_modified(request, headers["etag"], found.last_modified):
            return not_modified_response(headers)
        body = self.cache.body(
            etag, False, lambda: render(found.channel, found.entries, found.origins, fmt)
        )
        packed = None
        if len(body) >= GZIP_MIN and accepts_gzip(request):
            packed = self.cache.body(etag, True, lambda: pack(body))
        return cached_response(request, body, MEDIA_TYPES[fmt], headers, packed)


def _next(self_url: str, n: int) -> Next:
    def url(before: str) -> str:
        query = {"before": before, **({"n": str(n)} if n != DEFAULT_ITEMS else {})}
        return f"{self_url}?{urlencode(query)}"

    return url


def variant(etag: str, name: str) -> str:
    """The ETag of one rendering (a format, the page) of a document's items."""
    return etag[:-1] + "-" + name + '"'


__all__ = ["PublishingViews"]
