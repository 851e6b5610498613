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
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from tidings.errors import InvalidURLError

__all__ = [
    "AllowEntry",
    "check_url",
    "ip_literal",
    "is_hostname",
    "is_tracking_param",
    "parse_allow_entry",
    "strip_tracking",
]

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


# Query parameters that only say where a click came from (analytics, ad and mail
# campaign ids): a link without them reaches the same page.
_TRACKING_WORDS = (
    "fbclid gclid gclsrc dclid msclkid yclid igshid mc_eid mc_cid _hsenc _hsmi",
    "mkt_tok ns_mchannel ns_campaign ns_source ns_linkname ns_fee ito ocid cmpid",
    "wt.mc_id wt_mc at_medium at_campaign at_custom1 at_custom2 at_custom3",
    "at_custom4 xtor s_cid sr_share soc_src soc_trk __twitter_impression ref_src",
    "ref_url oly_enc_id oly_anon_id vero_id vero_conv rb_clickid sc_cid spm_id_from",
    "icid gaa_at gaa_n gaa_ts gaa_sig ga_source ga_medium ga_campaign guccounter",
    "guce_referrer guce_referrer_sig",
)
_TRACKING_PARAMS = frozenset(w for line in _TRACKING_WORDS for w in line.split())
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__s")


def is_tracking_param(name: str) -> bool:
    """Is this query parameter name (decoded) a tracking one (``utm_*``, ``fbclid`` …)?"""
    low = name.strip().lower()
    return low in _TRACKING_PARAMS or low.startswith(_TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """``url`` without tracking query parameters; every other byte of it (the kept
    parameters, their order and encoding, the fragment) untouched."""
    if "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parts.query.split("&")
    kept = [p for p in pairs if not is_tracking_param(unquote_plus(p.split("=", 1)[0]))]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query="&".join(p for p in kept if p)))


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
