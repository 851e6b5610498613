"""Slow and broken peers: deadlines (A9), protocol garbage (A10), TLS failures (A11)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidings.model import Fetched, FetchError

from .conftest import DEADLINE, RawServer, make_fetcher, respond

SLACK = 0.5  # seconds allowed past the deadline


async def _timed_fetch(
    server: RawServer, url: str | None = None, **kw: object
) -> tuple[object, float]:
    async with make_fetcher(**kw) as fetcher:  # type: ignore[arg-type]
        started = time.monotonic()
        result = await fetcher.fetch(url or server.url())
        return result, time.monotonic() - started


# A9: a slow peer cannot hold a worker past the deadline


async def _trickle_body(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    w.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
    while True:
        w.write(b"x")
        await w.drain()
        await asyncio.sleep(0.05)


async def _trickle_headers(
    head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter
) -> None:
    w.write(b"HTTP/1.1 200 OK\r\n")
    while True:
        w.write(b"X-Slow: a\r\n")
        await w.drain()
        await asyncio.sleep(0.05)


async def _silence(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


@pytest.mark.parametrize(
    "script", [_trickle_body, _trickle_headers, _silence], ids=["body", "headers", "silence"]
)
async def test_trickling_or_silent_server_hits_the_deadline(script: object) -> None:
    async with RawServer(script) as server:  # type: ignore[arg-type]
        result, elapsed = await _timed_fetch(server)
    assert isinstance(result, FetchError) and "timed out" in result.message, result
    assert DEADLINE - 0.1 < elapsed < DEADLINE + SLACK


async def test_tls_handshake_stall_hits_the_deadline() -> None:
    async with RawServer(_silence) as server:  # plain TCP that never answers the ClientHello
        result, elapsed = await _timed_fetch(server, f"https://public.test:{server.port}/feed")
    assert isinstance(result, FetchError) and "timed out" in result.message
    assert elapsed < DEADLINE + SLACK


async def test_deadline_spans_all_redirect_hops() -> None:
    async def slow_redirect(
        head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter
    ) -> None:
        await asyncio.sleep(0.4)
        n = int(head.split(b" ")[1].strip(b"/"))
        await respond(302, b"", {"Location": f"/{n + 1}"})(head, reader, w)

    async with RawServer(slow_redirect) as server:  # 5 hops x 0.4 s > 1.5 s
        result, elapsed = await _timed_fetch(server, server.url("/0"))
    assert isinstance(result, FetchError) and "timed out" in result.message
    assert elapsed < DEADLINE + SLACK


async def test_waiting_for_a_slot_is_not_charged_to_the_deadline() -> None:
    async def slow_ok(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(0.9)
        await respond()(head, reader, w)

    async with RawServer(slow_ok) as server, make_fetcher(per_host_concurrency=1) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(server.url(f"/{i}")) for i in range(2)))
    assert all(isinstance(r, Fetched) for r in results), results
    assert server.max_open == 1


# A10: protocol garbage


def _raw(data: bytes, *, rst: bool = False) -> object:
    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(data)
        await w.drain()
        if rst:
            sock = w.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        await asyncio.sleep(0.05)

    return script


GARBAGE = {
    "rst-mid-body": _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100, rst=True),
    "truncated-chunked": _raw(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n"
    ),
    "bad-chunk-size": _raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"),
    "content-length-over-body": _raw(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<rss/>"),
    "invalid-status-line": _raw(b"HTTP/1.1 abc OK\r\nContent-Length: 6\r\n\r\n<rss/>"),
    "garbage-status-line": _raw(b"\x00\x01garbage\r\n\r\n"),
    "http09": _raw(b"<rss><channel></channel></rss>"),
    "1MB-header-line": _raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n"),
    "100k-headers": _raw(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 100_000 + b"\r\n"),
    "duplicate-content-length": _raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\n<rss/>x"
    ),
    "close-without-response": _raw(b""),
}


@pytest.mark.parametrize("name", list(GARBAGE))
async def test_protocol_garbage_is_a_clean_error(name: str) -> None:
    async with RawServer(GARBAGE[name]) as server:  # type: ignore[arg-type]
        result, elapsed = await _timed_fetch(server)
    assert isinstance(result, FetchError), result
    assert result.message and "\n" not in result.message and len(result.message) <= 300
    assert elapsed < DEADLINE + SLACK


async def test_connection_refused_is_a_clean_error() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.2", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    async with make_fetcher() as fetcher:
        result = await fetcher.fetch(f"http://public.test:{port}/feed")
    assert isinstance(result, FetchError) and "cannot connect" in result.message


# A11: TLS fails closed


def _openssl(args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args.split()], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A throwaway CA plus leaf certificates made with the openssl CLI."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not installed")
    d = tmp_path_factory.mktemp("tls")
    ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    _openssl(
        f"req -x509 {ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca "
        "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign",
        cwd=d,
    )
    leaves = (
        ("good", "public.test", 2),
        ("wrongname", "other.test", 2),
        ("expired", "public.test", -1),
    )
    for name, san, days in leaves:
        _openssl(f"req {ec} -keyout {name}.key -out {name}.csr -subj /CN={san}", cwd=d)
        (d / f"{name}.ext").write_text(
            f"subjectAltName=DNS:{san}\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        )
        _openssl(
            f"x509 -req -in {name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
            f"-out {name}.pem -days {days} -extfile {name}.ext",
            cwd=d,
        )
    _openssl(
        f"req -x509 {ec} -keyout self.key -out self.pem -days 2 -subj /CN=public.test "
        "-addext subjectAltName=DNS:public.test",
        cwd=d,
    )
    yield d


def _server_ctx(d: Path, name: str) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d / f"{name}.pem", d / f"{name}.key")
    return ctx


@pytest.mark.parametrize(
    ("cert", "trust_test_ca", "expected"),
    [
        ("self", False, "certificate"),
        ("self", True, "certificate"),
        ("wrongname", True, "certificate"),
        ("expired", True, "certificate"),
    ],
)
async def test_tls_failures_fail_closed(
    tls_dir: Path, cert: str, trust_test_ca: bool, expected: str
) -> None:
    client = ssl.create_default_context(cafile=tls_dir / "ca.pem") if trust_test_ca else None
    async with RawServer(respond(), ssl=_server_ctx(tls_dir, cert)) as server:
        result, _ = await _timed_fetch(server, ssl_context=client)
    assert isinstance(result, FetchError), result
    assert "TLS" in result.message and expected in result.message


async def test_tls_with_a_trusted_cert_works_on_the_checked_address(tls_dir: Path) -> None:
    client = ssl.create_default_context(cafile=tls_dir / "ca.pem")
    async with RawServer(respond(), ssl=_server_ctx(tls_dir, "good")) as server:
        result, _ = await _timed_fetch(server, ssl_context=client)
    assert isinstance(result, Fetched), result
    assert result.url.startswith("https://public.test:")
