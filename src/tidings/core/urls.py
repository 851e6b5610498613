"""URL syntax: what Tidings accepts as a feed or page address, before any I/O.

Only absolute ``http``/``https`` URLs with a host pass (``feed://`` and
``feed:https://`` are rewritten first). It is a syntax check; where a name
resolves is checked at connect time (``adapters.http.netguard``).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from tidings.errors import InvalidURLError

__all__ = ["AllowEntry", "check_url", "ip_literal", "is_hostname", "parse_allow_entry"]

_ALLOWED_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_BAD_URL_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")
_HOSTNAME = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$")


def check_url(url: str) -> str:
    """Return ``url`` as an absolute http(s) URL, or raise ``InvalidURLError``.

    ``feed://host/x`` becomes ``http://host/x`` and ``feed:https://host/x``
    becomes ``https://host/x``; the result is validated again.
    """
    text = url.strip()
    match = _SCHEME.match(text)
    if match is None:
        raise InvalidURLError(f"not an absolute URL: {_shorten(text)}")
    if match.group(1).lower() == "feed":
        rest = text[match.end() :]
        inner = _SCHEME.match(rest)
        if inner is not None and inner.group(1).lower() in _ALLOWED_SCHEMES:
            text = rest
        elif rest.startswith("//"):
            text = "http:" + rest
        elif inner is not None:
            raise InvalidURLError(f"unsupported scheme 'feed:{inner.group(1).lower()}'")
        else:
            raise InvalidURLError(f"not an absolute URL: {_shorten(text)}")
    return _check_http_url(text)


def _check_http_url(text: str) -> str:
    if _BAD_URL_CHARS.search(text):
        raise InvalidURLError(f"URL contains control characters or '\\': {_shorten(text)}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"invalid URL {_shorten(text)}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _ALLOWED_SCHEMES:
        raise InvalidURLError(f"unsupported scheme {scheme!r}")
    host = parts.hostname
    if not host:
        raise InvalidURLError(f"URL has no host: {_shorten(text)}")
    if port == 0:
        raise InvalidURLError(f"invalid port 0: {_shorten(text)}")
    if ip_literal(host) is None and not is_hostname(host):
        raise InvalidURLError(f"invalid host name {host!r}")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


@lru_cache(maxsize=4096)  # pure; a big refresh asks for the same hosts thousands of times
def host_of(url: str) -> str:
    """The URL's host name, lower case, without port or user info ("" if none)."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def is_hostname(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    return len(ascii_host) <= 253 and _HOSTNAME.match(ascii_host.lower()) is not None


@lru_cache(maxsize=4096)
def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address when ``host`` is an IP literal (brackets allowed), else None."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _shorten(text: str, limit: int = 100) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


@dataclass(frozen=True)
class AllowEntry:
    """One entry of the private-network allowlist: a network, or a host name, and
    maybe a port."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    hostname: str | None = None
    port: int | None = None


def parse_allow_entry(text: str) -> AllowEntry:
    """``127.0.0.0/8``, ``10.0.0.5``, ``10.0.0.5:3000``, ``[fd00::1]:80``, ``rss-bridge``
    or ``rss-bridge:3000``; ``ValueError`` otherwise."""
    raw = text.strip().lower()
    try:
        return AllowEntry(network=ipaddress.ip_network(raw, strict=False))
    except ValueError:
        pass
    host, port = raw, None
    if raw.startswith("["):
        close = raw.find("]")
        host, rest = raw[1:close], raw[close + 1 :]
        if close < 0 or (rest and not rest.startswith(":")):
            raise ValueError(f"bad allowlist entry {text!r}")
        port = _port(rest[1:], text) if rest else None
    elif raw.count(":") == 1:
        host, _, port_text = raw.partition(":")
        port = _port(port_text, text)
    if port is not None and not 0 < port < 65536:
        raise ValueError(f"bad port in allowlist entry {text!r}")
    ip = ip_literal(host)
    if ip is not None:
        return AllowEntry(network=ipaddress.ip_network(ip), port=port)
    if "/" in host or not is_hostname(host):
        raise ValueError(f"bad allowlist entry {text!r}")
    return AllowEntry(hostname=host.rstrip("."), port=port)


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"bad port in allowlist entry {entry!r}")
    return int(text)
