"""The gate every route goes through: who is asking, and may this request change state.

``Gate.route`` wraps a handler so that, in this order:

1. the visitor is loaded from the session cookie (server-side session; the
   cookie holds a random token whose SHA-256 is the session's key);
2. a state-changing request (anything but GET/HEAD) must come from our own
   origin and carry the CSRF token, in the ``csrf`` form field or the
   ``X-CSRF-Token`` header, else 403 — login and setup included;
3. a route that needs a user gets one, else the visitor goes to setup or login;
4. an id in the path (``{name:id}``, ``tidings.web.params``) that is no id is 404.

No route is built any other way, so a test can walk the route table.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.accounts import SESSION_DAYS, ReaderSettings
from tidings.model import User, UserId
from tidings.web.params import NO_ID, IdConvertor
from tidings.web.security import SAFE_METHODS, check_origin, csrf_token, csrf_valid

SESSION_COOKIE = "tidings_session"
PRE_COOKIE = "tidings_pre"


@dataclass
class Visitor:
    """The person behind a request; ``user`` is None before login."""

    user: User | None
    settings: ReaderSettings
    csrf: str
    session_token: str | None = None
    time_zone: str = "UTC"  # an IANA name: every time shown is in it (#15)
    new_pre_token: str | None = None  # a pre-session cookie to set on the response
    form: FormData = field(default_factory=FormData)

    @property
    def uid(self) -> UserId:
        assert self.user is not None
        return self.user.id


Handler = Callable[[Request, Visitor], Awaitable[Response]]


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


class Gate:
    def __init__(self, agg: Aggregator) -> None:
        self.agg = agg
        self.base_url = agg.settings.base_url
        self.secure = self.base_url.lower().startswith("https://")

    # cookies

    def set_session(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )
        response.delete_cookie(PRE_COOKIE, path="/")

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")

    # visitors

    async def visitor(self, request: Request) -> Visitor:
        token = request.cookies.get(SESSION_COOKIE)
        user = await run_in_threadpool(self.agg.accounts.session_user, token) if token else None
        if user is not None and token is not None:
            settings, zone = await run_in_threadpool(self._preferences, user.id)
            return Visitor(user, settings, csrf_token(token), session_token=token, time_zone=zone)
        pre = request.cookies.get(PRE_COOKIE)
        new_pre = None
        if not pre or len(pre) > 128:
            pre = new_pre = secrets.token_urlsafe(32)
        return Visitor(None, ReaderSettings(), csrf_token(pre), new_pre_token=new_pre)

    def _preferences(self, user_id: UserId) -> tuple[ReaderSettings, str]:
        accounts = self.agg.accounts
        return accounts.get_settings(user_id), accounts.get_time_zone(user_id)

    def _seed(self, request: Request, visitor: Visitor) -> str | None:
        if visitor.session_token:
            return visitor.session_token
        return None if visitor.new_pre_token else request.cookies.get(PRE_COOKIE)

    # routes

    def route(
        self, path: str, handler: Handler, *, methods: tuple[str, ...] = ("GET",), auth: bool = True
    ) -> Route:
        async def endpoint(request: Request) -> Response:
            visitor = await self.visitor(request)
            try:
                response = await self._handle(request, visitor, handler, auth, ids)
            finally:
                await visitor.form.close()  # uploaded files' temporary storage
            if visitor.new_pre_token and visitor.user is None:
                response.set_cookie(
                    PRE_COOKIE,
                    visitor.new_pre_token,
                    httponly=True,
                    samesite="lax",
                    secure=self.secure,
                    path="/",
                )
            return response

        endpoint.__name__ = handler.__name__
        route = Route(path, endpoint, methods=list(methods), name=handler.__name__)
        # the path's ids, checked by ``_handle`` (read by ``endpoint`` at call time)
        ids = [n for n, c in route.param_convertors.items() if isinstance(c, IdConvertor)]
        return route

    async def _handle(
        self, request: Request, visitor: Visitor, handler: Handler, auth: bool, ids: list[str]
    ) -> Response:
        if request.method not in SAFE_METHODS:
            refused = await self._check_state_change(request, visitor)
            if refused is not None:
                return refused
        if auth and visitor.user is None:
            return await self._login_first(request)
        if any(request.path_params[name] == NO_ID for name in ids):
            raise HTTPException(404, "Not found")
        return await handler(request, visitor)

    async def _check_state_change(self, request: Request, visitor: Visitor) -> Response | None:
        if not check_origin(request, self.base_url):
            return PlainTextResponse("Cross-site request refused", status_code=403)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                visitor.form = await request.form(max_files=1, max_fields=200)
            except (HTTPException, MultiPartException):
                return PlainTextResponse("Malformed form", status_code=400)
        token = request.headers.get("x-csrf-token")
        if token is None:
            value = visitor.form.get("csrf")
            token = value if isinstance(value, str) else None
        if not csrf_valid(self._seed(request, visitor), token):
            return PlainTextResponse("Missing or invalid CSRF token", status_code=403)
        return None

    async def _login_first(self, request: Request) -> Response:
        if await run_in_threadpool(self.agg.accounts.needs_setup):
            return RedirectResponse("/setup", status_code=303)
        if request.method in SAFE_METHODS and not wants_json(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if wants_json(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return RedirectResponse("/login", status_code=303)
