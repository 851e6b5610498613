"""Accounts on the web: first-run setup, sign in and out, settings, password, users."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tidings.aggregator import Aggregator
from tidings.aggregator.accounts import (
    MAX_PASSWORD,
    THEMES,
    ReaderSettings,
    check_time_zone,
    time_zones,
)
from tidings.errors import AccountError, SettingsError
from tidings.web.gate import Gate, Visitor
from tidings.web.render import Renderer
from tidings.web.security import safe_next
from tidings.web.throttle import LoginThrottle, client_address, parse_networks


def _text(value: Any, limit: int = MAX_PASSWORD + 1) -> str:
    return value[:limit] if isinstance(value, str) else ""


class AccountViews:
    def __init__(
        self, agg: Aggregator, gate: Gate, renderer: Renderer, throttle: LoginThrottle
    ) -> None:
        self.agg, self.gate, self.r, self.throttle = agg, gate, renderer, throttle
        try:
            self.trusted_proxies = parse_networks(agg.settings.trusted_proxies)
        except ValueError as exc:
            raise SettingsError(f"setting trusted_proxies: {exc}") from exc

    def client_address(self, request: Request) -> str:
        """The reader's address, through a trusted proxy's X-Forwarded-For."""
        peer = request.client.host if request.client else None
        forwarded = request.headers.getlist("x-forwarded-for")
        return client_address(peer, forwarded, self.trusted_proxies)

    def routes(self) -> list[Route]:
        g = self.gate.route
        return [
            g("/setup", self.setup_form, auth=False),
            g("/setup", self.setup, methods=("POST",), auth=False),
            g("/login", self.login_form, auth=False),
            g("/login", self.login, methods=("POST",), auth=False),
            g("/logout", self.logout, methods=("POST",), auth=False),
            g("/settings", self.settings_form),
            g("/settings", self.save_settings, methods=("POST",)),
            g("/settings/password", self.change_password, methods=("POST",)),
            g("/settings/api-password", self.change_api_password, methods=("POST",)),
            g("/settings/publish-token", self.new_publish_token, methods=("POST",)),
            g("/users", self.add_user, methods=("POST",)),
        ]

    async def _signed_in(self, user_id: Any, next_path: str, v: Visitor | None = None) -> Response:
        """A new session; the browser's zone (a hidden field ``tidings.js`` fills, #15)
        becomes the user's while they have none."""
        if v is not None:
            zone = _text(v.form.get("time_zone"), 100)
            await run_in_threadpool(self.agg.accounts.offer_time_zone, user_id, zone)
        token = await run_in_threadpool(self.agg.accounts.start_session, user_id)
        response = RedirectResponse(next_path, 303)
        self.gate.set_session(response, token)
        return response

    # setup

    async def setup_form(self, request: Request, v: Visitor) -> Response:
        if not await run_in_threadpool(self.agg.accounts.needs_setup):
            return RedirectResponse("/login", 303)
        return self.r.page(request, "setup.html", v=v)

    async def setup(self, request: Request, v: Visitor) -> Response:
        name = _text(v.form.get("name"), 100)
        password = _text(v.form.get("password"))
        if password != _text(v.form.get("confirm")):
            return self.r.page(request, "setup.html", 400, v=v, error="The passwords differ.")
        try:
            user = await run_in_threadpool(self.agg.accounts.setup_admin, name, password)
        except AccountError as exc:
            return self.r.page(request, "setup.html", 400, v=v, error=str(exc), name=name)
        return await self._signed_in(user.id, "/subscriptions", v)

    # sign in and out

    async def login_form(self, request: Request, v: Visitor) -> Response:
        if await run_in_threadpool(self.agg.accounts.needs_setup):
            return RedirectResponse("/setup", 303)
        if v.user is not None:
            return RedirectResponse(safe_next(request.query_params.get("next")), 303)
        return self.r.page(request, "login.html", v=v, next=request.query_params.get("next", ""))

    async def login(self, request: Request, v: Visitor) -> Response:
        name = _text(v.form.get("name"), 100)
        password = _text(v.form.get("password"))
        next_path = safe_next(_text(v.form.get("next"), 2000))
        address = self.client_address(request)

        def refused(wait: int, error: str) -> Response:
            response = self.r.page(
                request, "login.html", 429, v=v, next=next_path, name=name, error=error
            )
            response.headers["retry-after"] = str(max(wait, 1))
            return response

        wait = self.throttle.retry_after(address, name)
        if wait:  # this account from this address: refused, even the right password
            return refused(wait, f"Too many failed attempts. Try again in {wait} seconds.")
        slowed = self.throttle.address_wait(address) > 0
        if slowed:  # many failures from this address: checked, but only after a pause
            await self.throttle.pause()
        user = await run_in_threadpool(self.agg.accounts.authenticate, name, password)
        if user is None:
            self.throttle.failed(address, name)
            if slowed:
                return refused(
                    self.throttle.address_wait(address),
                    "Wrong user name or password. Many sign-ins failed from your network, "
                    "so each attempt is slowed down.",
                )
            return self.r.page(
                request,
                "login.html",
                400,
                v=v,
                next=next_path,
                name=name,
                error="Wrong user name or password.",
            )
        self.throttle.succeeded(address, name)
        if v.session_token:  # a new session every time: no fixation (HOSTILE E13)
            await run_in_threadpool(self.agg.accounts.end_session, v.session_token)
        return await self._signed_in(user.id, next_path, v)

    async def logout(self, request: Request, v: Visitor) -> Response:
        await run_in_threadpool(self.agg.accounts.end_session, v.session_token)
        response = RedirectResponse("/login", 303)
        self.gate.clear_session(response)
        return response

    # settings

    async def settings_form(self, request: Request, v: Visitor, **ctx: Any) -> Response:
        users = []
        if v.user is not None and v.user.is_admin:
            users = await run_in_threadpool(self.agg.accounts.get_users)
        status = 400 if ctx.get("error") else 200
        notice = "Saved." if request.query_params.get("saved") else ctx.pop("notice", None)
        has_api = v.user is not None and await run_in_threadpool(
            self.agg.accounts.has_api_password, v.uid
        )
        published = await run_in_threadpool(self.agg.publishing.private_paths, v.uid)
        if request.query_params.get("published"):
            notice = "Your private feed addresses are new: the earlier ones answer 404."
        return self.r.page(
            request,
            "settings.html",
            status,
            v=v,
            users=users,
            themes=THEMES,
            time_zones=time_zones(),
            notice=notice,
            has_api_password=has_api,
            base_url=self.agg.settings.base_url.rstrip("/"),
            # the private feeds' own links: the address this page came from without base_url
            feed_base=(self.agg.settings.base_url or str(request.base_url)).rstrip("/"),
            published=published,
            **ctx,
        )

    async def change_api_password(self, request: Request, v: Visitor) -> Response:
        """A new random API password, shown once on this page (never stored in clear),
        or none; the web password is asked first. Every app signed in with the old one
        is signed out (#12)."""
        assert v.user is not None
        current = _text(v.form.get("current"))
        if await run_in_threadpool(self.agg.accounts.authenticate, v.user.name, current) is None:
            return await self.settings_form(request, v, error="The current password is wrong.")
        if v.form.get("remove") == "1":
            await run_in_threadpool(self.agg.accounts.set_api_password, v.uid, None)
            return await self.settings_form(request, v, notice="The API password is removed.")
        password = self.agg.accounts.generate_api_password()
        await run_in_threadpool(self.agg.accounts.set_api_password, v.uid, password)
        return await self.settings_form(request, v, new_api_password=password)

    async def new_publish_token(self, request: Request, v: Visitor) -> Response:
        """Private feed addresses (#14): made the first time, replaced (revoked) after."""
        await run_in_threadpool(self.agg.publishing.revoke_token, v.uid)
        return RedirectResponse("/settings?published=1", 303)

    async def save_settings(self, request: Request, v: Visitor) -> Response:
        zone = v.form.get("time_zone")
        if zone is not None:  # a form without it leaves the zone alone
            try:
                zone = check_time_zone(_text(zone, 100))
            except AccountError as exc:
                return await self.settings_form(request, v, error=f"Pick a time zone: {exc}")
        theme = _text(v.form.get("theme"), 20)
        settings = ReaderSettings(
            mark_read_on_open=v.form.get("mark_read_on_open") == "1",
            mark_read_on_scroll=v.form.get("mark_read_on_scroll") == "1",
            theme=theme if theme in THEMES else "system",
        )
        await run_in_threadpool(self.agg.accounts.set_settings, v.uid, settings)
        if isinstance(zone, str):
            await run_in_threadpool(self.agg.accounts.set_time_zone, v.uid, zone)
        return RedirectResponse("/settings?saved=1", 303)

    async def change_password(self, request: Request, v: Visitor) -> Response:
        assert v.user is not None
        current = _text(v.form.get("current"))
        new = _text(v.form.get("password"))
        if new != _text(v.form.get("confirm")):
            return await self.settings_form(request, v, error="The new passwords differ.")
        if await run_in_threadpool(self.agg.accounts.authenticate, v.user.name, current) is None:
            return await self.settings_form(request, v, error="The current password is wrong.")
        try:
            await run_in_threadpool(self.agg.accounts.set_password, v.uid, new)
        except AccountError as exc:
            return await self.settings_form(request, v, error=str(exc))
        return await self._signed_in(v.uid, "/settings?saved=1")  # every other session ended

    async def add_user(self, request: Request, v: Visitor) -> Response:
        if v.user is None or not v.user.is_admin:
            raise HTTPException(404, "Not found")
        name = _text(v.form.get("name"), 100)
        try:
            await run_in_threadpool(
                lambda: self.agg.accounts.add_user(
                    name, _text(v.form.get("password")), is_admin=v.form.get("admin") == "1"
                )
            )
        except AccountError as exc:
            return await self.settings_form(request, v, error=str(exc))
        return await self.settings_form(request, v, notice=f"Added {name}.")
