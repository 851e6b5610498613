"""The media proxy (#15, ``agg.media``): story images fetched by the server, so a
reader's browser never tells an image's host who reads what, and when.

Mode (setting ``media_proxy``): ``http-only`` (the default) proxies plain-http images
only, so a page served over https has no mixed content; ``all`` proxies every image;
``none`` leaves them alone. Story HTML is rewritten when a page is rendered, never in
the store, so changing the mode changes every story at once.

An image address becomes ``/proxy/{signature}/{base64url(url)}``, the signature an
HMAC-SHA256 of the URL under a server secret Tidings makes once (the store's
``get_server_secret``, as for the API keys), checked with ``hmac.compare_digest``: the
proxy fetches only what a page of Tidings named, never a URL a stranger picks.

The fetch goes through the guarded fetcher (``get_image``: the address policy at
connect time on every redirect hop, the deadline, the body capped at
``media_proxy_max_bytes``), with no cookie and no Authorization: none is ever
forwarded from the reader, none is kept, and a URL with credentials in it is never
signed. What passes is an image of an allowed type whose bytes say so too
(``tidings.content.proxy``); it is sent under the type it sniffed as.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from tidings.content.proxy import PROXY_TYPES, rewrite_media_urls, sniff_proxy_image
from tidings.errors import StorageReadOnlyError
from tidings.model import Fetched, FetchError
from tidings.settings import Settings

log = logging.getLogger(__name__)

__all__ = ["MODES", "MediaProxy", "ProxiedImage", "ProxyRefusal"]

MODES = ("none", "http-only", "all")
PROXY_SECRET = "media-proxy-hmac"  # the server secret's name in the store
PREFIX = "/proxy/"
MAX_URL = 4096  # characters of an image URL that is signed


class SecretStore(Protocol):
    def get_server_secret(self, name: str, new_value: str) -> str: ...


class ImageFetcher(Protocol):
    async def get_image(self, url: str, *, max_bytes: int) -> Fetched | FetchError: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ProxiedImage:
    body: bytes
    content_type: str  # one of PROXY_TYPES, sniffed


@dataclass(frozen=True, slots=True)
class ProxyRefusal:
    """Why an image is not passed on: ``status`` is the HTTP status to answer with."""

    status: int
    message: str


BAD_SIGNATURE = ProxyRefusal(403, "bad signature: this address was not made by Tidings")


class MediaProxy:
    """Signing image addresses, and fetching what a signed address names."""

    def __init__(
        self, store: SecretStore, settings: Settings, *, new_fetcher: Callable[[], ImageFetcher]
    ) -> None:
        self.store = store
        self.mode = settings.media_proxy
        self.max_bytes = settings.media_proxy_max_bytes
        self._new_fetcher = new_fetcher
        self._fetcher: ImageFetcher | None = None
        self._key: bytes | None = None

    # addresses

    @property
    def enabled(self) -> bool:
        return self.mode != "none"

    def proxies(self, url: str) -> bool:
        """Whether the mode sends ``url`` through the proxy (never a URL with credentials)."""
        if not self.enabled or len(url) > MAX_URL:
            return False
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        if not parts.hostname or "@" in parts.netloc:
            return False
        scheme = parts.scheme.lower()
        return scheme == "http" or (scheme == "https" and self.mode == "all")

    def url_for(self, url: str) -> str:
        """The address a page shows for image ``url``: its proxy path, or ``url`` itself."""
        if not self.proxies(url):
            return url
        encoded = base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii").rstrip("=")
        return f"{PREFIX}{self._sign(url)}/{encoded}"

    def rewrite_html(self, html: str) -> str:
        """Sanitized story HTML with its image addresses sent through the proxy."""
        return rewrite_media_urls(html, self.url_for) if self.enabled else html

    def resolve(self, signature: str, encoded: str) -> str | None:
        """The URL a proxy path names, if its signature is ours (constant-time check)."""
        if len(encoded) > 2 * MAX_URL or len(signature) > 64:
            return None
        try:
            url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        expected = self._sign(url)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            return None
        return url if self.proxies(url) else None  # signed under a mode since turned off

    def prepare(self) -> None:
        """Read (the first time: make) the signing secret now, not on a reader's GET.

        A read-only database that holds none yet cannot be given one: the addresses
        are then signed with a key of this process alone (valid until it restarts),
        so the reader goes on serving, its images included."""
        if not self.enabled:
            return
        try:
            self._secret()
        except StorageReadOnlyError:
            log.warning(
                "the media proxy cannot store its key in a read-only database: "
                "its addresses are signed with a key of this process until it restarts"
            )
            self._key = secrets.token_hex(32).encode()

    def _sign(self, url: str) -> str:
        mac = hmac.new(self._secret(), url.encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")

    def _secret(self) -> bytes:
        if self._key is None:
            self._key = self.store.get_server_secret(PROXY_SECRET, secrets.token_hex(32)).encode()
        return self._key

    # fetching

    async def fetch(self, url: str) -> ProxiedImage | ProxyRefusal:
        """The image at ``url`` (from ``resolve``), or why not."""
        if self._fetcher is None:
            self._fetcher = self._new_fetcher()
        got = await self._fetcher.get_image(url, max_bytes=self.max_bytes)
        if isinstance(got, FetchError):
            if got.refused:
                return ProxyRefusal(403, f"not allowed: {got.message}")
            if got.too_large:
                return ProxyRefusal(502, f"the image is too large (over {self.max_bytes} bytes)")
            return ProxyRefusal(502, f"the image could not be fetched: {got.message}")
        declared = (got.content_type or "").split(";")[0].strip().lower()
        if declared not in PROXY_TYPES:
            shown = declared[:60] or "no type"
            return ProxyRefusal(415, f"not an image type the proxy passes: {shown}")
        sniffed = sniff_proxy_image(got.body)
        if sniffed is None:
            return ProxyRefusal(415, f"not an image: the bytes are no {declared}")
        return ProxiedImage(got.body, sniffed)

    async def aclose(self) -> None:
        if self._fetcher is not None:
            fetcher, self._fetcher = self._fetcher, None
            await fetcher.aclose()
