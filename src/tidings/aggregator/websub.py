"""WebSub (#4): ask the hubs feeds advertise to push, verify intent, accept signed pushes.

- **Subscribe.** After each scheduler pass, feeds whose document names a hub
  (``feeds.hub``) and that have no live subscription get one: we store a random
  callback id and secret, then POST ``hub.mode=subscribe`` with ``hub.topic`` (the
  feed URL), ``hub.callback`` (the configured ``base_url`` + ``/websub/<id>``,
  never a request's Host: HOSTILE E10), ``hub.secret`` and ``hub.lease_seconds``
  through the guarded fetcher (the hub URL comes from an untrusted document: the
  SSRF policy applies). Leases are renewed in their last fifth (at most their last
  day), with the same
  callback and secret. Nothing happens without ``base_url``: no callback, no hub.
- **Verify intent.** The hub's GET is answered with its ``hub.challenge`` only for
  a callback id we issued *and* the topic we asked for; anything else is a 404.
- **Push.** A POST to the callback is stored like a refresh that fetched the
  document, only if ``X-Hub-Signature`` (sha1/sha256/sha384/sha512) is the HMAC
  of the body under that subscription's secret, compared in constant time. An
  unsigned or badly signed push is acknowledged and dropped (the spec's advice:
  no oracle for the secret).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tidings.core.schedule import clamp
from tidings.errors import NotFoundError
from tidings.model import (
    NO_CACHING,
    BatchSummary,
    Caching,
    FeedId,
    Fetched,
    FetchError,
    FetchResult,
    Posted,
    WebSubState,
)
from tidings.ports import Fetcher, Store
from tidings.settings import Settings

__all__ = ["CALLBACK_PREFIX", "MAX_PUSH", "PushedDocument", "WebSub", "check_signature"]

log = logging.getLogger(__name__)

CALLBACK_PREFIX = "/websub/"
MAX_PUSH = 5 * 1024 * 1024  # a pushed feed document, read only for a known callback id
LEASE_SECONDS = 10 * 86400  # what we ask for
LEASE_BOUNDS = (3600.0, 30 * 86400.0)  # what we believe of the hub's answer
RETRY_AFTER = timedelta(days=1)  # an unanswered or failed request is asked again
MAX_PER_PASS = 50
MAX_CHALLENGE = 1024
_DIGESTS = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}


class Poster(Protocol):
    async def post_form(self, url: str, form: Mapping[str, str]) -> Posted | FetchError: ...

    async def aclose(self) -> None: ...


PushRefresh = Callable[[str, Fetcher], Awaitable[BatchSummary]]


def check_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Is ``header`` (``X-Hub-Signature: method=hexdigest``) the HMAC of ``body``?"""
    if not header:
        return False
    method, _, given = header.strip().partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None or not given:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, digest).hexdigest().encode("ascii")
    return hmac.compare_digest(expected, given.strip().lower().encode("utf-8", "replace"))


class PushedDocument:
    """A Fetcher that answers the feed's URL with the pushed document, keeping the
    stored validators; article pages (the enrich step) go to the real fetcher."""

    def __init__(self, url: str, body: bytes, content_type: str | None, pages: Fetcher) -> None:
        self.url, self.body, self.content_type, self._pages = url, body, content_type, pages

    async def fetch(self, url: str, caching: Caching = NO_CACHING) -> FetchResult:
        return Fetched(
            url=self.url, body=self.body, content_type=self.content_type, caching=caching
        )

    async def get_page(self, url: str) -> Fetched | FetchError:
        return await self._pages.get_page(url)

    async def aclose(self) -> None:
        await self._pages.aclose()


class WebSub:
    """Subscriptions and the callback's two halves (``agg.websub``)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        new_fetcher: Callable[[], Fetcher],
        new_poster: Callable[[], Poster],
        refresh: PushRefresh,
    ) -> None:
        self.store, self.settings = store, settings
        self._new_fetcher, self._new_poster, self._refresh = new_fetcher, new_poster, refresh

    @property
    def enabled(self) -> bool:
        """Only with a public ``base_url``: a hub must be able to call us back."""
        return bool(self.settings.base_url.strip())

    def callback_url(self, callback_id: str) -> str:
        return self.settings.base_url.strip().rstrip("/") + CALLBACK_PREFIX + callback_id

    async def subscribe_due(self, now: datetime | None = None) -> int:
        """Ask hubs to push the feeds that need it; returns the requests sent."""
        if not self.enabled:
            return 0
        now = now or datetime.now(UTC)
        due = await asyncio.to_thread(
            self.store.get_websub_candidates,
            now=now,
            retry_before=now - RETRY_AFTER,
            limit=MAX_PER_PASS,
        )
        if not due:
            return 0
        poster = self._new_poster()
        try:
            for feed_id, url, hub, known in due:
                await self._subscribe(poster, feed_id, url, hub, known, now)
        finally:
            await poster.aclose()
        return len(due)

    async def _subscribe(
        self,
        poster: Poster,
        feed_id: FeedId,
        url: str,
        hub: str,
        known: WebSubState | None,
        now: datetime,
    ) -> None:
        renewal = known is not None and known.hub == hub and known.topic == url
        callback_id = known.callback_id if renewal and known else secrets.token_urlsafe(24)
        secret = known.secret if renewal and known else secrets.token_hex(32)
        await asyncio.to_thread(
            self.store.request_websub,
            feed_id,
            hub=hub,
            topic=url,
            callback_id=callback_id,
            secret=secret,
            now=now,
        )  # stored first: a hub may verify before it answers the POST
        form = {
            "hub.mode": "subscribe",
            "hub.topic": url,
            "hub.callback": self.callback_url(callback_id),
            "hub.secret": secret,
            "hub.lease_seconds": str(LEASE_SECONDS),
        }
        answer = await poster.post_form(hub, form)
        if isinstance(answer, FetchError) or not 200 <= answer.status < 300:
            message = answer.message if isinstance(answer, FetchError) else f"HTTP {answer.status}"
            log.info("websub: hub refused or failed for feed %s: %s", feed_id, message)
            await asyncio.to_thread(
                self.store.update_websub, feed_id, state="failed", error=message[:300]
            )

    def verify_intent(
        self, callback_id: str, params: Mapping[str, str], now: datetime | None = None
    ) -> str | None:
        """The hub's GET: the challenge to echo, or None (answer 404).

        Only for a callback id we issued, with the topic we asked for: a hub (or
        anyone) asking about any other topic learns nothing and changes nothing.
        """
        sub = self.store.get_websub(callback_id)
        if sub is None or params.get("hub.topic") != sub.topic:
            return None
        mode = params.get("hub.mode")
        if mode == "denied":
            reason = params.get("hub.reason") or "denied by the hub"
            self.store.update_websub(sub.feed_id, state="denied", error=reason[:300])
            return ""
        challenge = params.get("hub.challenge") or ""
        if mode != "subscribe" or not challenge or len(challenge) > MAX_CHALLENGE:
            return None
        lease = _lease(params.get("hub.lease_seconds"))
        expires = (now or datetime.now(UTC)) + timedelta(seconds=lease)
        self.store.update_websub(
            sub.feed_id, state="active", expires_at=expires, lease_seconds=int(lease)
        )
        return challenge

    async def subscription(self, callback_id: str) -> WebSubState | None:
        """The subscription behind a callback id; None for one we never issued (404).
        Asked before a push's body is read (#11): an unknown id costs no memory."""
        return await asyncio.to_thread(self.store.get_websub, callback_id)

    def check_push(self, sub: WebSubState, body: bytes, signature: str | None) -> bool:
        """Is this push, for ``sub``, to be stored? False for one to drop after a 2xx
        (unsigned, badly signed, or for a subscription that is not active)."""
        if sub.state != "active" or not check_signature(sub.secret, body, signature):
            log.warning("websub: push for feed %s dropped (signature or state)", sub.feed_id)
            return False
        return True

    async def store_push(self, sub: WebSubState, body: bytes, content_type: str | None) -> bool:
        """Store a checked push like a refresh that fetched it; True if it was stored."""
        try:
            summary = await self._refresh_pushed(sub.feed_url, body, content_type)
        except NotFoundError:  # the feed went away meanwhile
            return False
        await asyncio.to_thread(self.store.record_websub_push, sub.feed_id, datetime.now(UTC))
        return summary.ok > 0

    async def _refresh_pushed(
        self, url: str, body: bytes, content_type: str | None, attempts: int = 100
    ) -> BatchSummary:
        """Store the document as a refresh of ``url``; wait for a running refresh of it."""
        summary = BatchSummary()
        for _ in range(attempts):
            summary = await self._refresh(
                url, PushedDocument(url, body, content_type, self._new_fetcher())
            )
            if summary.results:  # else the feed was being refreshed: try again shortly
                break
            await asyncio.sleep(0.1)
        return summary


def _lease(value: str | None) -> float:
    try:
        seconds = float(int(value)) if value else float(LEASE_SECONDS)
    except ValueError:
        seconds = float(LEASE_SECONDS)
    return clamp(seconds, *LEASE_BOUNDS)
