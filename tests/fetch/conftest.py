"""Rig for the fetcher tests: loopback only (HOSTILE.md 4.0).

- An autouse **connect tripwire** fails any test that dials (or looks up)
  anything but loopback, and records every dial in ``connects``.
- Address roles: ``127.0.0.1`` FeedServer, ``127.0.0.2`` "public" (allowed by
  the test policy), ``127.0.0.3`` "internal" (never allowed). ``FakeResolver``
  maps ``*.test`` names; private and metadata addresses are only ever
  *returned by it* and refused before dialling.
- ``async def`` tests run under ``asyncio.run`` (no plugin needed).
- ``RawServer`` is an asyncio TCP server scripted per test, for hostile peers.
"""

from __future__ import annotations

import asyncio
import inspect
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from tidings.adapters.http.fetcher import HttpFetcher
from tidings.adapters.http.netguard import NetworkPolicy
from tidings.settings import Settings, load_settings

PUBLIC = "127.0.0.2"
INTERNAL = "127.0.0.3"
DEADLINE = 1.5  # fetch_timeout in tests
CAP = 1024 * 1024  # max_body_bytes in tests


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True


# the tripwire


@dataclass
class Tripwire:
    connects: list[tuple[str, int]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {host for host, _ in self.connects}


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        pass
    try:  # legacy numeric forms (0x7f000001, 127.1) that getaddrinfo parses without DNS
        return ipaddress.IPv4Address(socket.inet_aton(host)).is_loopback
    except OSError:
        return False


@pytest.fixture(autouse=True)
def tripwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Tripwire]:
    """Refuse and record any non-loopback connect or name lookup."""
    wire = Tripwire()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = str(address[0]), int(address[1])
            if not _loopback(host):
                wire.violations.append(f"connect to {host}:{port}")
                raise ConnectionRefusedError(f"tripwire: non-loopback connect to {host}")
            wire.connects.append((host, port))

    def connect(sock: socket.socket, address: Any) -> None:
        guard(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        guard(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name != "localhost" and not _loopback(name):
            wire.violations.append(f"lookup of {name}")
            raise socket.gaierror(socket.EAI_NONAME, f"tripwire: lookup of {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield wire
    assert not wire.violations, f"non-loopback network use: {wire.violations}"


# resolver, policy, settings, fetcher


class FakeResolver(AbstractResolver):
    """Maps names to scripted answers; a list of lists answers in turn (rebinding)."""

    def __init__(self, table: dict[str, list[str] | list[list[str]]] | None = None) -> None:
        self.table: dict[str, Any] = {
            "public.test": [PUBLIC],
            "internal.test": [INTERNAL],
            "metadata.test": ["169.254.169.254"],
            "private.test": ["10.0.0.1"],
            "ula.test": ["fd00::1"],
            "mixed.test": [PUBLIC, INTERNAL],
            "mixed-private.test": [PUBLIC, "10.0.0.1"],
            **(table or {}),
        }
        self.calls: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        answer = self.table.get(host)
        if answer is None:
            raise OSError(socket.EAI_NONAME, f"fake resolver: unknown name {host}")
        if answer and isinstance(answer[0], list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        return [
            ResolveResult(
                hostname=host,
                host=ip,
                port=port,
                family=socket.AF_INET6 if ":" in ip else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for ip in answer
        ]

    async def close(self) -> None:
        return None


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "fetch_timeout": DEADLINE,
        "connect_timeout": 1.0,
        "max_body_bytes": CAP,
        "max_redirects": 5,
        "concurrency": 16,
        "per_host_concurrency": 4,
        "user_agent": "Tidings-test/1.0 (+https://example.invalid)",
    }
    values.update(overrides)
    return load_settings(overrides=values, environ={}, config_file=None)


def make_fetcher(
    allow: tuple[str, ...] = ("127.0.0.1", PUBLIC),
    resolver: FakeResolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
    **overrides: Any,
) -> HttpFetcher:
    """A fetcher with the test policy, a fake resolver and short limits."""
    return HttpFetcher(
        make_settings(**overrides),
        policy=NetworkPolicy(allow),
        resolver=resolver or FakeResolver(),
        ssl_context=ssl_context,
    )


# a scriptable hostile server

Script = Callable[[bytes, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """An asyncio TCP server on ``host``; ``script(request_head, reader, writer)`` per connection.

    Counts connections, the most open at once, and bytes written via :meth:`send`.
    """

    def __init__(self, script: Script, host: str = PUBLIC, ssl: Any = None, port: int = 0) -> None:
        self.script = script
        self.host = host
        self.port = port
        self.ssl = ssl
        self.connections = 0
        self.open = 0
        self.max_open = 0
        self.sent = 0
        self.heads: list[bytes] = []
        self.closed_by_peer = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, self.host, self.port, ssl=self.ssl)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def url(self, path: str = "/feed", host: str = "public.test") -> str:
        scheme = "https" if self.ssl else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await writer.drain()
        self.sent += len(data)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.heads.append(head)
            await self.script(head, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            self.closed_by_peer.set()
        except asyncio.CancelledError:
            pass
        finally:
            self.open -= 1
            self._tasks.discard(task)
            writer.transport.abort()


def respond(
    status: int = 200,
    body: bytes = b"<rss/>",
    headers: dict[str, str] | None = None,
    *,
    reason: str = "OK",
) -> Script:
    """A script answering every request with one fixed response."""

    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        lines = [f"HTTP/1.1 {status} {reason}"]
        all_headers = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
        lines += [f"{k}: {v}" for k, v in all_headers.items()]
        w.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await w.drain()

    return script
