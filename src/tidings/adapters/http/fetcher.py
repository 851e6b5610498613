"""The guarded async HTTP fetcher (aiohttp), the only way Tidings talks to the network.

Every outbound request, feed or page, goes through :class:`HttpFetcher`:

- the URL must pass ``netguard.check_url`` (http/https only) before any I/O,
  and again on every redirect hop;
- :class:`GuardedConnector` checks **every address a name resolves to**
  (and IP literals) against the ``NetworkPolicy`` at connect time, and
  aiohttp then dials exactly those checked addresses: no second lookup, so
  DNS rebinding cannot slip a private address in (HOSTILE.md A2–A5);
- redirects are followed by hand (at most ``max_redirects``, loops caught);
- the body is read raw and decompressed with an output bound
  (``http_body``), capped at ``max_body_bytes`` raw and decoded;
- one wall-clock budget (``fetch_timeout``) covers connect, headers, body
  and all redirect hops; time spent queueing for a slot is not charged;
- a global and a per-host semaphore bound concurrency;
- environment proxies are ignored (``trust_env=False``) and cookies are not kept.

Failures come back as ``FetchError`` values; only programming errors raise.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.tracing import Trace
from multidict import CIMultiDictProxy
from yarl import URL

from tidings.adapters.http.body import (
    check_content_length,
    make_decoder,
    read_body,
)
from tidings.adapters.http.hints import max_age, request_headers, response_caching, retry_after
from tidings.adapters.http.netguard import NetworkPolicy, check_url
from tidings.errors import (
    DestinationNotAllowedError,
    FetchFailedError,
    InvalidURLError,
    ResponseTooLargeError,
    SettingsError,
)
from tidings.model import (
    NO_CACHING,
    Caching,
    Fetched,
    FetchError,
    FetchResult,
    Hints,
    NotModified,
    Posted,
)
from tidings.settings import Settings

__all__ = ["GuardedConnector", "HttpFetcher"]

log = logging.getLogger(__name__)

ACCEPT_FEED = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ACCEPT_IMAGE = "image/png, image/webp, image/gif, image/jpeg, image/x-icon;q=0.9, */*;q=0.1"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_STATUSES = frozenset({301, 308})
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")
_POST_CAP = 64 * 1024  # what we read of the answer to a POST


if not callable(getattr(aiohttp.TCPConnector, "_resolve_host", None)):  # pragma: no cover
    raise ImportError("aiohttp.TCPConnector._resolve_host is gone: the SSRF guard cannot hook in")


class GuardedConnector(aiohttp.TCPConnector):
    """A ``TCPConnector`` that refuses to dial any address the policy refuses.

    aiohttp resolves a host once in ``_resolve_host`` (IP literals included)
    and then dials exactly the addresses returned, so checking them here
    covers every request, every redirect hop and DNS rebinding. Refused if
    *any* address is refused. Proxies are refused outright.
    """

    def __init__(self, policy: NetworkPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._policy = policy

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[Trace] | None = None
    ) -> list[ResolveResult]:
        results = await super()._resolve_host(host, port, traces=traces)
        if not results:
            raise DestinationNotAllowedError(f"destination not allowed: {host} has no address")
        for result in results:
            self._policy.check_address(result["host"], port, host=host)
        return results

    async def _create_proxy_connection(self, *args: Any, **kwargs: Any) -> Any:
        raise DestinationNotAllowedError("destination not allowed: proxies are not used")


@dataclass(frozen=True, slots=True)
class _Redirect:
    status: int
    location: str


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class _HostSlot:
    __slots__ = ("semaphore", "users")

    def __init__(self, limit: int) -> None:
        self.semaphore = asyncio.Semaphore(limit)
        self.users = 0


class HttpFetcher:
    """Guarded HTTP GETs for feeds (:meth:`fetch`) and pages (:meth:`get_page`).

    ``policy`` defaults to ``NetworkPolicy(settings.allow_private_networks)``;
    ``resolver`` (an aiohttp ``AbstractResolver``) defaults to getaddrinfo in
    a thread; ``ssl_context`` defaults to the system trust store. The session
    is created on first use; use one fetcher per event loop and ``aclose`` it.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        policy: NetworkPolicy | None = None,
        resolver: AbstractResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        if policy is None:
            try:
                policy = NetworkPolicy(settings.allow_private_networks)
            except ValueError as exc:
                raise SettingsError(f"setting allow_private_networks: {exc}") from None
        self._policy = policy
        self._resolver = resolver
        self._ssl_context = ssl_context
        self._session: aiohttp.ClientSession | None = None
        self._global = asyncio.Semaphore(max(1, settings.concurrency))
        self._hosts: dict[str, _HostSlot] = {}
        self._closed = False

    async def __aenter__(self) -> HttpFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; the fetcher cannot be used afterwards."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(self, url: str, caching: Caching = NO_CACHING) -> FetchResult:
        """GET a feed, conditionally when ``caching`` has validators."""
        return await self._fetch(url, caching, ACCEPT_FEED)

    async def get_page(self, url: str) -> Fetched | FetchError:
        """GET a web page (discovery, full text) under the same guard and limits."""
        result = await self._fetch(url, Caching(), ACCEPT_PAGE)
        if isinstance(result, NotModified):  # impossible: no validators were sent
            return FetchError("304 without validators", status=304)
        return result

    async def get_image(self, url: str, *, max_bytes: int) -> Fetched | FetchError:
        """GET an image (a feed's icon) under the same guard, its body capped at
        ``max_bytes`` (and at ``max_body_bytes``); what it is, is the caller's to check."""
        cap = min(max_bytes, self._settings.max_body_bytes)
        result = await self._fetch(url, Caching(), ACCEPT_IMAGE, cap=cap)
        if isinstance(result, NotModified):  # impossible: no validators were sent
            return FetchError("304 without validators", status=304)
        return result

    async def post_form(self, url: str, form: Mapping[str, str]) -> Posted | FetchError:
        """POST ``form`` (urlencoded) to ``url``, e.g. a WebSub hub, under the same guard:
        URL check, connect-time address policy, per-host and global slots, the deadline.
        Redirects are not followed; the answer body is capped at 64 KiB."""
        try:
            target = check_url(url)
        except (InvalidURLError, DestinationNotAllowedError) as exc:
            return FetchError(str(exc))
        session = self._get_session()
        try:
            async with (
                self._slot(URL(target).host or ""),
                asyncio.timeout(max(self._settings.fetch_timeout, 0)),
                session.post(target, data=dict(form), allow_redirects=False) as resp,
            ):
                decoder = make_decoder(resp.headers.getall("Content-Encoding", []))
                body = await read_body(resp.content.iter_chunked(16 * 1024), decoder, _POST_CAP)
                return Posted(resp.status, body)
        except (FetchFailedError, aiohttp.ClientError, OSError) as exc:  # OSError: timeouts too
            return self._failure(exc)

    def _failure(self, exc: Exception) -> FetchError:
        """What a failed request is recorded as (our own deadline named as such)."""
        if isinstance(exc, FetchFailedError):
            return FetchError(
                str(exc),
                refused=isinstance(exc, DestinationNotAllowedError),
                too_large=isinstance(exc, ResponseTooLargeError),
            )
        if isinstance(exc, TimeoutError) and not isinstance(exc, aiohttp.ClientError):
            return FetchError(f"timed out (deadline {self._settings.fetch_timeout:g} s)")
        return FetchError(_describe(exc))

    # the redirect loop

    async def _fetch(
        self, url: str, caching: Caching, accept: str, *, cap: int | None = None
    ) -> FetchResult:
        result = await self._follow(url, caching, accept, cap or self._settings.max_body_bytes)
        if isinstance(result, FetchError):  # no URL: it may carry credentials
            log.debug("fetch failed (host %s): %s", _host_of(url), result.message)
        return result

    async def _follow(self, url: str, caching: Caching, accept: str, cap: int) -> FetchResult:
        try:
            current = check_url(url)
        except (InvalidURLError, DestinationNotAllowedError) as exc:
            return FetchError(str(exc), refused=isinstance(exc, DestinationNotAllowedError))
        start = current
        headers, sent = request_headers(caching, accept)
        seen = {current}
        permanent = True
        budget = self._settings.fetch_timeout
        loop = asyncio.get_running_loop()
        for _ in range(self._settings.max_redirects + 1):
            started = loop.time()
            try:
                async with self._slot(URL(current).host or ""), asyncio.timeout(max(budget, 0)):
                    outcome = await self._request(current, headers, cap)
            except (FetchFailedError, aiohttp.ClientError, OSError) as exc:
                return self._failure(exc)
            budget -= loop.time() - started
            if isinstance(outcome, _Response):
                moved = current if permanent and current != start else None
                return _result(outcome, current, caching, sent, moved)
            permanent = permanent and outcome.status in _PERMANENT_STATUSES
            try:
                current = _redirect_target(current, outcome.location)
            except (InvalidURLError, DestinationNotAllowedError) as exc:
                refused = isinstance(exc, DestinationNotAllowedError)
                return FetchError(f"bad redirect: {exc}", status=outcome.status, refused=refused)
            if current in seen:
                return FetchError("redirect loop", status=outcome.status)
            seen.add(current)
        return FetchError(f"too many redirects (more than {self._settings.max_redirects})")

    async def _request(
        self, url: str, headers: Mapping[str, str], cap: int
    ) -> _Redirect | _Response:
        async with self._get_session().get(url, headers=headers, allow_redirects=False) as resp:
            status = resp.status
            if status in _REDIRECT_STATUSES:
                location = resp.headers.get("Location")
                if location is None:
                    raise FetchFailedError(f"HTTP {status} redirect without Location")
                return _Redirect(status, location)
            body = b""
            if 200 <= status < 300:
                check_content_length(resp.headers.get("Content-Length"), cap)
                decoder = make_decoder(resp.headers.getall("Content-Encoding", []))
                body = await read_body(resp.content.iter_chunked(64 * 1024), decoder, cap)
            return _Response(status, resp.headers, body)

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """Hold a per-host slot, then a global one (so a busy host cannot pin global slots)."""
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = _HostSlot(max(1, self._settings.per_host_concurrency))
        slot.users += 1
        try:
            async with slot.semaphore, self._global:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._hosts[host]

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("HttpFetcher is closed")
        if self._session is None:
            s = self._settings
            connector = GuardedConnector(
                self._policy,
                resolver=self._resolver or aiohttp.ThreadedResolver(),
                limit=max(1, s.concurrency),
                limit_per_host=0,  # per-host limits are our semaphores, keyed by host name
                ssl=self._ssl_context if self._ssl_context is not None else True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=s.connect_timeout, sock_connect=s.connect_timeout
                ),
                headers={"User-Agent": s.user_agent},
                trust_env=False,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                raise_for_status=False,
            )
        return self._session


def _redirect_target(current: str, location: str) -> str:
    try:
        relative = URL(location.strip())
        target = URL(current).join(relative)
    except (TypeError, ValueError) as exc:
        raise InvalidURLError(f"invalid Location {location[:100]!r}: {exc}") from None
    if relative.user is not None or relative.password is not None:
        raise DestinationNotAllowedError("credentials in redirect target")
    return check_url(str(target))


def _result(
    response: _Response,
    final_url: str,
    caching: Caching,
    sent_validators: bool,
    moved: str | None,
) -> FetchResult:
    status, headers = response.status, response.headers
    if status == 304:
        if not sent_validators:
            return FetchError("304 without validators", status=304)
        new = response_caching(headers)
        return NotModified(
            Caching(new.etag or caching.etag, new.last_modified or caching.last_modified),
            Hints(max_age=max_age(headers)),
        )
    if 200 <= status < 300:
        if not response.body:
            return FetchError("empty response", status=status)
        return Fetched(
            url=final_url,
            body=response.body,
            content_type=headers.get("Content-Type"),
            caching=response_caching(headers),
            hints=Hints(max_age=max_age(headers)),
            permanent_redirect=moved,
        )
    if status == 410:
        return FetchError("gone (HTTP 410)", status=410, gone=True)
    if status in (429, 503):
        return FetchError(
            f"HTTP {status}", status=status, hints=Hints(retry_after=retry_after(headers))
        )
    return FetchError(f"HTTP {status}", status=status)


def _host_of(url: str) -> str:
    try:
        return URL(url).host or "?"
    except (TypeError, ValueError):
        return "?"


def _describe(exc: BaseException) -> str:
    """A short, single-line, log-safe description of a network failure."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        text = f"TLS certificate error: {exc.certificate_error}"
    elif isinstance(exc, aiohttp.ClientSSLError):
        text = f"TLS error: {exc}"
    elif isinstance(exc, aiohttp.ClientConnectorDNSError):
        text = f"DNS lookup failed for {exc.host}"
    elif isinstance(exc, aiohttp.ConnectionTimeoutError):
        text = "connect timed out"
    elif isinstance(exc, aiohttp.ClientConnectorError):
        text = f"cannot connect to {exc.host}:{exc.port}: {exc.os_error.strerror or exc.os_error}"
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        text = "server disconnected"
    elif isinstance(exc, aiohttp.ClientPayloadError):
        text = f"broken response body: {exc}"
    elif isinstance(exc, aiohttp.ClientResponseError):
        text = f"invalid HTTP response: {exc.message}"
    elif isinstance(exc, aiohttp.InvalidURL):
        text = f"invalid URL: {exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return _UNPRINTABLE.sub("?", " ".join(text.split()))[:300]
