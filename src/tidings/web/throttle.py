"""Login throttling per (account, address) pair and per address (HOSTILE E2, #11).

Two records, each counting failures within ``window`` seconds:

* **pair** (account, address): after ``free_per_pair`` failures each further
  attempt must wait ``base * 2**(failures - free)`` seconds (at most ``cap``)
  from the last failure; meanwhile even the right password is refused with 429
  and ``Retry-After``. Guessing one account from one address is slowed; the
  same account from another address, or another account from this one, is not.
* **address**: after ``free_per_address`` failures (a higher ceiling: many
  readers may share one address behind a proxy or NAT) the address is *slowed*,
  not locked: each attempt is checked after a pause of ``slow_delay`` seconds; a
  right password gets in, a wrong one is answered 429 (as GitHub and Miniflux do).

A success clears only its pair's record: a reader who can sign in must not reset
the ceiling of an address shared with a guesser. An IPv6 address counts as its
/64 (one host usually holds the whole prefix). The client's address is the TCP
peer's, or, when the peer is a configured trusted proxy, the right-most address
in ``X-Forwarded-For`` that is not a trusted proxy (``client_address``).
State is in memory (one process) and bounded in size.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

__all__ = ["LoginThrottle", "client_address", "parse_networks"]


@dataclass
class _Record:
    failures: int
    last: float


class LoginThrottle:
    def __init__(
        self,
        *,
        free_per_pair: int = 5,
        free_per_address: int = 20,
        base: float = 15.0,
        cap: float = 900.0,
        window: float = 3600.0,
        slow_delay: float = 1.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.free = {"pair": free_per_pair, "address": free_per_address}
        self.base, self.cap, self.window = base, cap, window
        self.slow_delay, self.max_keys = slow_delay, max_keys
        self.clock, self.sleep = clock, sleep
        self._records: OrderedDict[tuple[str, ...], _Record] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str, account: str) -> int:
        """Seconds before this account may be tried from this address (0: go ahead)."""
        return self._seconds(_pair(address, account))

    def address_wait(self, address: str) -> int:
        """Seconds the address stays slowed (0: not slowed)."""
        return self._seconds(_address(address))

    async def pause(self) -> None:
        """The short wait before checking a password from a slowed address."""
        await self.sleep(self.slow_delay)

    def failed(self, address: str, account: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (_pair(address, account), _address(address)):
                record = self._records.pop(key, None)
                if record is None or now - record.last > self.window:
                    record = _Record(0, now)
                record.failures += 1
                record.last = now
                self._records[key] = record
            while len(self._records) > self.max_keys:
                self._records.popitem(last=False)

    def succeeded(self, address: str, account: str) -> None:
        with self._lock:
            self._records.pop(_pair(address, account), None)

    def _seconds(self, key: tuple[str, ...]) -> int:
        now = self.clock()
        with self._lock:
            record = self._records.get(key)
        free = self.free[key[0]]
        if record is None or now - record.last > self.window or record.failures < free:
            return 0
        delay = min(self.cap, self.base * 2.0 ** (record.failures - free))
        return math.ceil(max(0.0, record.last + delay - now))


def _host(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _address(address: str) -> tuple[str, str]:
    return ("address", _host(address))


def _pair(address: str, account: str) -> tuple[str, str, str]:
    return ("pair", _host(address), account.strip().lower()[:64])


# the client behind a trusted proxy


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDRs (``10.0.0.1``, ``10.0.0.0/8``, ``::1``); ValueError if one is not."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def _ip(text: str) -> Address | None:
    text = text.strip()
    for candidate in (text, text.rsplit(":", 1)[0].strip("[]")):  # also "ip:port", "[v6]:port"
        try:
            return ipaddress.ip_address(candidate)
        except ValueError:
            continue
    return None


def _trusted(ip: Address | None, trusted: tuple[Network, ...]) -> bool:
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in trusted)


def client_address(peer: str | None, forwarded: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The address a request comes from.

    ``forwarded`` is every ``X-Forwarded-For`` header's value. They are believed
    only when the TCP ``peer`` is a trusted proxy; then the client is the
    right-most hop that is not itself a trusted proxy (hops to its left were
    written by the client and prove nothing). Without trust, the peer.
    """
    peer = peer or "?"
    if not trusted or not _trusted(_ip(peer), trusted):
        return peer
    hops = [h.strip() for value in forwarded for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if not _trusted(ip, trusted):
            return str(ip) if ip is not None else hop[:64]
    return str(_ip(hops[0])) if hops else peer  # every hop a trusted proxy
