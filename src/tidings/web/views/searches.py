"""The search page and saved searches (#15): results, the sidebar with the user's
saved searches, a button that saves the query shown, and, on the page of a saved
search, its rename and delete forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.reading import SearchResult
from tidings.aggregator.searches import MAX_NAME, clean_text, default_name
from tidings.errors import (
    NotFoundError,
    SavedSearchError,
    SavedSearchTakenError,
    SearchQueryError,
)
from tidings.model import SavedSearch
from tidings.web.gate import Gate, Visitor
from tidings.web.params import field_int
from tidings.web.render import Renderer

PAGE_SIZE = 30
MAX_PAGE = 30
MAX_Q = 500


def search_url(query: str) -> str:
    return "/search?" + urlencode({"q": query})


class SearchViews:
    def __init__(self, agg: Aggregator, gate: Gate, renderer: Renderer) -> None:
        self.agg, self.gate, self.r = agg, gate, renderer

    def routes(self) -> list[Route]:
        g = self.gate.route
        return [
            g("/search", self.search),
            g("/search/saved", self.save, methods=("POST",)),
            g("/search/saved/{saved_id:id}/rename", self.rename, methods=("POST",)),
            g("/search/saved/{saved_id:id}/delete", self.delete, methods=("POST",)),
        ]

    async def search(self, request: Request, v: Visitor) -> Response:
        text = request.query_params.get("q", "")[:MAX_Q]
        page = min(field_int(request.query_params.get("page"), "page", low=0) or 0, MAX_PAGE)
        return await self._page(request, v, text, page)

    async def _page(
        self, request: Request, v: Visitor, text: str, page: int = 0, error: Exception | None = None
    ) -> Response:
        """The results of ``text``, and ``error`` (a saved search refused) above them."""
        result: SearchResult | None = None
        if text.strip():
            result = await run_in_threadpool(
                lambda: self.agg.reading.search(
                    v.uid, text, limit=PAGE_SIZE, offset=page * PAGE_SIZE
                )
            )
        sidebar = await run_in_threadpool(self.agg.reading.get_sidebar, v.uid)
        query = clean_text(text)
        matched = [s for s in sidebar.saved if s.query == query]
        status = 400 if result is not None and result.message else 200
        if error is not None:
            status = 409 if isinstance(error, SavedSearchTakenError) else 400
        context: dict[str, Any] = {
            "v": v,
            "q": text,
            "result": result,
            "page": page,
            "sidebar": sidebar,
            "matched": matched,
            "default_name": default_name(query),
            "max_name": MAX_NAME,
            "error": str(error) if error is not None else None,
        }
        return self.r.page(request, "search.html", status, **context)

    async def save(self, request: Request, v: Visitor) -> Response:
        text = _text(v.form.get("q"))
        name = _text(v.form.get("name"))
        try:
            saved = await run_in_threadpool(self.agg.searches.save_search, v.uid, text, name)
        except (SearchQueryError, SavedSearchError) as exc:
            return await self._page(request, v, text[:MAX_Q], error=exc)
        return RedirectResponse(search_url(saved.query), 303)

    async def rename(self, request: Request, v: Visitor) -> Response:
        saved = await self._saved(v, request.path_params["saved_id"])
        try:
            renamed = await run_in_threadpool(
                self.agg.searches.rename_saved_search, v.uid, saved.id, _text(v.form.get("name"))
            )
        except SavedSearchError as exc:
            return await self._page(request, v, saved.query, error=exc)
        except NotFoundError as exc:  # deleted meanwhile
            raise HTTPException(404, "No such saved search") from exc
        return RedirectResponse(search_url(renamed.query), 303)

    async def delete(self, request: Request, v: Visitor) -> Response:
        saved = await self._saved(v, request.path_params["saved_id"])
        try:
            await run_in_threadpool(self.agg.searches.remove_saved_search, v.uid, saved.id)
        except NotFoundError as exc:  # deleted meanwhile
            raise HTTPException(404, "No such saved search") from exc
        return RedirectResponse(search_url(saved.query), 303)

    async def _saved(self, v: Visitor, saved_id: int) -> SavedSearch:
        """One of the visitor's saved searches; 404 for anyone else's."""
        found = await run_in_threadpool(self.agg.searches.get_saved_searches, v.uid)
        for saved in found:
            if saved.id == saved_id:
                return saved
        raise HTTPException(404, "No such saved search")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
