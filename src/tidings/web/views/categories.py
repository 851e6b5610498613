"""A category renamed or deleted in the reader (#15), as ``tidings category`` does:
through ``agg.subscriptions``, with the category named in the query or the form
(a name may hold any character, ``/`` included)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.errors import NotFoundError
from tidings.web.gate import Gate, Visitor
from tidings.web.render import Renderer, path_part


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class CategoryViews:
    def __init__(self, agg: Aggregator, gate: Gate, renderer: Renderer) -> None:
        self.agg, self.gate, self.r = agg, gate, renderer

    def routes(self) -> list[Route]:
        g = self.gate.route
        return [
            g("/categories/edit", self.edit),
            g("/categories/rename", self.rename, methods=("POST",)),
            g("/categories/delete", self.delete, methods=("POST",)),
        ]

    async def _known(self, v: Visitor, name: str) -> str:
        """``name``, when it is one of the visitor's categories; else 404."""
        if not name or name not in await run_in_threadpool(self.agg.get_categories, v.uid):
            raise HTTPException(404, "No such category")
        return name

    async def _page(
        self, request: Request, v: Visitor, name: str, status: int = 200, **ctx: Any
    ) -> Response:
        return self.r.page(request, "category_edit.html", status, v=v, name=name, **ctx)

    async def edit(self, request: Request, v: Visitor) -> Response:
        name = await self._known(v, request.query_params.get("name", ""))
        return await self._page(request, v, name)

    async def rename(self, request: Request, v: Visitor) -> Response:
        name = await self._known(v, _text(v.form.get("name")))
        new = _text(v.form.get("new"))[:1000]
        try:
            await run_in_threadpool(self.agg.subscriptions.rename_category, v.uid, name, new)
        except ValueError as exc:  # empty or too long: the form again, with the reason
            return await self._page(request, v, name, 400, error=str(exc).capitalize(), new=new)
        except NotFoundError as exc:
            raise HTTPException(404, "No such category") from exc
        return RedirectResponse("/category/" + path_part(new.strip()), 303)

    async def delete(self, request: Request, v: Visitor) -> Response:
        """Delete, only when the question was answered (``confirm``); else ask it."""
        name = await self._known(v, _text(v.form.get("name")))
        if v.form.get("confirm") != "1":
            return RedirectResponse("/categories/edit?" + urlencode({"name": name}), 303)
        try:
            await run_in_threadpool(self.agg.subscriptions.delete_category, v.uid, name)
        except NotFoundError as exc:
            raise HTTPException(404, "No such category") from exc
        return RedirectResponse("/", 303)
