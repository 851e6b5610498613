"""The Fever endpoint: one URL, the work chosen by parameters (feedafever.com/api, §2).

Authentication is the ``api_key`` parameter only (md5 of ``name:api-password``): no
cookie session is read here, and the web's gate never reads an ``api_key``. Every
answer is the JSON base (``api_version``, ``auth``, ``last_refreshed_on_time``) plus
what was asked; a wrong key is HTTP 200 with ``auth: 0``, as clients expect.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tidings.aggregator import Aggregator
from tidings.api.fever import shapes
from tidings.api.fever.params import BadRequest, id_list, read_params, whole_number
from tidings.errors import NotFoundError
from tidings.model import User

#: where clients look for it: Miniflux's and FreshRSS's paths, with and without the
#: trailing slash, and FocusReader's extra ``/fever``
PATHS = (
    "/fever",
    "/fever/",
    "/fever/fever",
    "/fever/fever/",
    "/api/fever.php",
    "/api/fever.php/",
    "/api/fever.php/fever",
    "/api/fever.php/fever/",
)
PAGE = 50  # items per page: clients stop at a shorter one
#: failed keys are counted per address under this account name (a key names no account)
FEVER_ACCOUNT = "\x00fever"
MARKS = {
    "read": {"read": True},
    "unread": {"read": False},
    "saved": {"starred": True},
    "unsaved": {"starred": False},
}


class Throttle(Protocol):
    """What the endpoint asks of the web's ``LoginThrottle``."""

    def address_wait(self, address: str) -> int: ...

    async def pause(self) -> None: ...

    def failed(self, address: str, account: str) -> None: ...


class FeverApi:
    def __init__(
        self, agg: Aggregator, throttle: Throttle, address_of: Callable[[Request], str]
    ) -> None:
        self.agg, self.throttle, self.address_of = agg, throttle, address_of

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "POST"]
        return [Route(p, self.endpoint, methods=methods, name=None) for p in PATHS]

    async def endpoint(self, request: Request) -> Response:
        try:
            params = await read_params(request)
        except BadRequest as exc:
            return _json({**shapes.base(auth=False), "error": str(exc)}, 400)
        user, refused = await self._authenticate(request, params.get("api_key", ""))
        if refused is not None:
            return refused
        assert user is not None
        try:
            body = await run_in_threadpool(self.answer, user, params)
        except BadRequest as exc:
            last = await run_in_threadpool(self._last_refreshed, user)
            return _json({**shapes.base(auth=True, last_refreshed=last), "error": str(exc)}, 400)
        return _json(body)

    async def _authenticate(
        self, request: Request, key: str
    ) -> tuple[User | None, Response | None]:
        address = self.address_of(request)
        slowed = bool(key) and self.throttle.address_wait(address) > 0
        if slowed:
            await self.throttle.pause()
        user = await run_in_threadpool(self.agg.accounts.fever_user, key) if key else None
        if user is not None:
            # no ``succeeded``: that would clear the web's record of guesses at this
            # account from this address (a phone behind the same NAT as a guesser)
            return user, None
        if key:
            self.throttle.failed(address, FEVER_ACCOUNT)
        refusal = shapes.base(auth=False)
        if slowed:
            wait = max(1, self.throttle.address_wait(address))
            return None, _json(refusal, 429, {"retry-after": str(wait)})
        return None, _json(refusal)

    # the work, on a thread (store calls block)

    def answer(self, user: User, params: dict[str, str]) -> dict[str, Any]:
        """The JSON for one authenticated request: its mark first, then what it reads."""
        plan = _Plan.of(params)  # every parameter checked before anything is written
        if plan.mark is not None:
            self._mark(user, plan)
        sync = self.agg.sync
        body = shapes.base(auth=True, last_refreshed=self._last_refreshed(user))
        # one read serves both: a feed's favicon_id is set when its icon is listed
        icons = sync.get_icons(user.id) if "feeds" in params or "favicons" in params else []
        if "groups" in params or "feeds" in params:
            categories = sync.get_category_ids(user.id)
            feeds = sync.get_subscriptions(user.id)
            if "groups" in params:
                body["groups"] = shapes.groups(categories)
            if "feeds" in params:
                with_icon = {i.feed_id for i in icons}
                body["feeds"] = [shapes.feed(f, has_icon=f.id in with_icon) for f in feeds]
            body["feeds_groups"] = shapes.feeds_groups(categories, feeds)
        if "favicons" in params:
            body["favicons"] = [shapes.favicon(i) for i in icons]
        if "items" in params:
            body["total_items"] = sync.count_entries(user.id)
            body["items"] = [shapes.item(e) for e in self._items(user, plan)]
        if "links" in params:
            body["links"] = []
        if "unread_item_ids" in params:
            body["unread_item_ids"] = shapes.id_string(sync.get_entry_ids(user.id, unread=True))
        if "saved_item_ids" in params:
            body["saved_item_ids"] = shapes.id_string(sync.get_entry_ids(user.id, starred=True))
        return body

    def _last_refreshed(self, user: User) -> datetime | None:
        # on every answer: one MAX over the followed feeds, not every subscription read
        return self.agg.sync.get_last_refreshed(user.id)

    def _items(self, user: User, plan: _Plan) -> list[Any]:
        sync = self.agg.sync
        if plan.with_ids is not None:
            return sync.get_entries_by_id(user.id, ids=plan.with_ids, limit=PAGE)
        if plan.max_id is not None:
            return sync.get_entries_by_id(
                user.id, after=plan.since_id, before=plan.max_id, limit=PAGE
            )
        # since_id, blank (Read You's first sync) or absent: the lowest ids above it
        return sync.get_entries_by_id(user.id, after=plan.since_id or 0, limit=PAGE)

    def _mark(self, user: User, plan: _Plan) -> None:
        assert plan.mark is not None and plan.mark_id is not None
        if plan.mark == "item":
            with contextlib.suppress(NotFoundError):  # an id the user cannot see: ignored
                self.agg.mark_entry(user.id, plan.mark_id, **MARKS[plan.as_])
            return
        before = plan.before
        if plan.mark == "feed":
            feeds = {int(f.id) for f in self.agg.sync.get_subscriptions(user.id)}
            if plan.mark_id in feeds:
                self.agg.sync.mark_read_seen_before(user.id, before, feed_id=plan.mark_id)
            return
        if plan.mark_id == 0:  # group 0: every feed (Fever's "Kindling"; Read You's mark all)
            self.agg.sync.mark_read_seen_before(user.id, before)
            return
        names = dict(self.agg.sync.get_category_ids(user.id))
        if plan.mark_id in names:
            self.agg.sync.mark_read_seen_before(user.id, before, category=names[plan.mark_id])


class _Plan:
    """A request's parameters, checked."""

    def __init__(self) -> None:
        self.mark: str | None = None
        self.as_ = ""
        self.mark_id: int | None = None
        self.before = datetime.now(UTC)
        self.since_id: int | None = None
        self.max_id: int | None = None
        self.with_ids: list[int] | None = None

    @classmethod
    def of(cls, params: dict[str, str]) -> _Plan:
        plan = cls()
        plan.since_id = whole_number(params, "since_id")
        plan.max_id = whole_number(params, "max_id")
        if params.get("with_ids", "").strip():
            plan.with_ids = id_list(params, "with_ids")
        mark = params.get("mark", "").strip().lower()
        if not mark:
            return plan
        if mark not in ("item", "feed", "group"):
            raise BadRequest(f"mark must be item, feed or group, not {mark[:20]!r}")
        as_ = params.get("as", "").strip().lower()
        allowed = tuple(MARKS) if mark == "item" else ("read",)
        if as_ not in allowed:
            raise BadRequest(f"as must be one of {', '.join(allowed)} for mark={mark}")
        mark_id = whole_number(params, "id")
        if mark_id is None or (mark_id == 0 and mark != "group"):
            raise BadRequest("id must be a positive whole number")
        before = whole_number(params, "before")
        if mark != "item" and before is not None:
            # seconds of crawl time; Read You's "mark all" sends 9223372036854775: clamped
            now = datetime.now(UTC)
            plan.before = min(
                now, datetime.fromtimestamp(min(before, int(now.timestamp()) + 1), UTC)
            )
        plan.mark, plan.as_, plan.mark_id = mark, as_, mark_id
        return plan


def _json(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(body, status_code=status, headers=headers)
