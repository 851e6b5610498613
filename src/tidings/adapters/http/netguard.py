"""The SSRF policy: which URLs and which dialled addresses outbound requests may use.

Two checks, both needed (HOSTILE.md A1–A6):

- :func:`check_url` runs before any I/O: only absolute ``http``/``https``
  URLs with a host pass (``feed://`` and ``feed:https://`` are rewritten
  first). It is a syntax check; it cannot know where a name resolves.
- :meth:`NetworkPolicy.check_address` runs at connect time on every address
  actually dialled (see ``http_fetcher.GuardedConnector``). An address must
  be globally routable *after* unwrapping IPv4 embedded in IPv6 (mapped,
  compatible, NAT64, 6to4, Teredo), and not multicast, reserved, CGNAT,
  benchmarking, documentation or IETF-protocol space. Python's own
  ``is_global`` is not enough on its own: on 3.11.7 it is True for
  ``::127.0.0.1``, ``64:ff9b::7f00:1``, ``2002:7f00:1::`` and ``224.0.0.1``.

An admin allowlist (setting ``allow_private_networks``) opens specific
destinations: a CIDR or IP (any port), ``IP:port`` / ``[IPv6]:port``, or
``hostname`` / ``hostname:port`` (matched on the name in the URL, for
RSS-Bridge-style services on the same host or Docker network).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tidings.core.urls import AllowEntry, ip_literal, parse_allow_entry
from tidings.core.urls import check_url as syntax_check
from tidings.errors import DestinationNotAllowedError

__all__ = ["NetworkPolicy", "check_url", "is_public_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# Refused whatever ``ipaddress`` says (is_global disagrees across Python patch releases).
_DENIED: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments (192.0.0.170 NAT64 discovery)
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo 2001::/32 is unwrapped first)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # SRv6 SIDs
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT, RFC 2765


def check_url(url: str, policy: NetworkPolicy | None = None) -> str:
    """``tidings.core.urls.check_url``, and with a ``policy`` an IP-literal host is
    also checked against it (:class:`DestinationNotAllowedError`); names are
    checked only at connect time, on the addresses they resolve to."""
    normalized = syntax_check(url)
    if policy is not None:
        host = urlsplit(normalized).hostname or ""
        literal = ip_literal(host)
        if literal is not None:
            policy.check_address(str(literal), _port_of(normalized), host=host)
    return normalized


def _port_of(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if _is_v4_wrapper(ip) and ip.ipv4_mapped is None:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _is_v4_wrapper(ip: ipaddress.IPv6Address) -> bool:
    """An IPv6 form that only stands for the IPv4 address in its low 32 bits."""
    if ip.ipv4_mapped is not None or ip in _NAT64 or ip in _TRANSLATED:
        return True
    return ip in _COMPATIBLE and int(ip) > 1


def _is_public_single(ip: IPAddress) -> bool:
    if any(ip in net for net in _DENIED if net.version == ip.version):
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
    )


def is_public_address(ip: IPAddress) -> bool:
    """True if ``ip`` and every IPv4 address embedded in it are globally routable unicast."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if _is_v4_wrapper(ip):
            # The IPv6 wrapper itself is special-purpose; judge by the IPv4 inside.
            return all(_is_public_single(v4) for v4 in embedded)
        if embedded and not all(_is_public_single(v4) for v4 in embedded):
            return False
        if ip.teredo is not None:
            return False  # a tunnel endpoint, never a feed server
    return _is_public_single(ip)


@dataclass(frozen=True)
class NetworkPolicy:
    """Refuses non-public destinations unless the admin allowlist opens them.

    ``allow`` entries: ``"127.0.0.0/8"``, ``"10.0.0.5"``, ``"10.0.0.5:3000"``,
    ``"[fd00::1]:80"``, ``"rss-bridge"`` or ``"rss-bridge:3000"``. Raises
    ``ValueError`` on a malformed entry.
    """

    allow: tuple[str, ...] = ()
    _entries: tuple[AllowEntry, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_entries", tuple(parse_allow_entry(e) for e in self.allow))

    def is_allowed(self, ip: str, port: int, *, host: str | None = None) -> bool:
        """Whether a connection to ``ip``:``port`` (for URL host ``host``) may be made."""
        address = ip_literal(ip.split("%", 1)[0])
        if address is None:
            return False
        if self._allowlisted(address, port, host):
            return True
        return is_public_address(address)

    def check_address(self, ip: str, port: int, *, host: str | None = None) -> None:
        """Raise :class:`DestinationNotAllowedError` unless ``ip``:``port`` may be dialled."""
        if not self.is_allowed(ip, port, host=host):
            shown = f"{host} ({ip})" if host and host.strip("[]") != ip else ip
            raise DestinationNotAllowedError(
                f"destination not allowed: {shown} is not a public address "
                "(an administrator may open it with TIDINGS_ALLOW_PRIVATE_NETWORKS)"
            )

    def _allowlisted(self, address: IPAddress, port: int, host: str | None) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address):
            candidates.extend(_embedded_ipv4(address))
        name = host.lower().rstrip(".") if host else None
        for entry in self._entries:
            if entry.port is not None and entry.port != port:
                continue
            if entry.hostname is not None:
                if entry.hostname == name:
                    return True
                continue
            net = entry.network
            if net is not None and any(c.version == net.version and c in net for c in candidates):
                return True
        return False
