"""Bodies: size caps (A7), compression bombs and codings (A8), empty bodies (A16)."""

from __future__ import annotations

import asyncio
import functools
import gzip
import os
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import brotli
import pytest

from tidings.adapters.http.body import make_decoder, read_body
from tidings.errors import FetchFailedError, ResponseTooLargeError
from tidings.model import Fetched, FetchError

from .conftest import CAP, DEADLINE, RawServer, make_fetcher, respond

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>' * 50


@functools.cache
def gzip_bomb() -> bytes:
    """128 MiB of zeros in ~130 KB."""
    z = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    return b"".join([*(z.compress(chunk) for _ in range(128)), z.flush()])


@functools.cache
def brotli_bomb() -> bytes:
    """1 GiB of zeros in ~190 KB."""
    c = brotli.Compressor(quality=1)
    chunk = bytes(1 << 20)
    return b"".join([*(c.process(chunk) for _ in range(1024)), c.finish()])


def deflate(data: bytes, raw: bool = False) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return z.compress(data) + z.flush()


# A7: huge and endless bodies


def _streaming(headers: str, piece: bytes, chunked: bool = False) -> object:
    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await server.send(w, f"HTTP/1.1 200 OK\r\n{headers}\r\n".encode())
        while True:
            data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
            await server.send(w, data)

    server = RawServer(script)  # type: ignore[arg-type]
    return server


@pytest.mark.parametrize(
    ("headers", "chunked"),
    [
        ("Content-Type: application/rss+xml\r\nContent-Length: 10737418240\r\n", False),
        ("Transfer-Encoding: chunked\r\n", True),
        ("Connection: close\r\n", False),  # no length, never ends
    ],
    ids=["content-length-10GiB", "endless-chunked", "endless-no-length"],
)
async def test_huge_or_endless_body_aborts_at_the_cap(headers: str, chunked: bool) -> None:
    server = _streaming(headers, b"x" * 65536, chunked)
    async with server as s, make_fetcher() as fetcher:  # type: ignore[attr-defined]
        started = time.monotonic()
        result = await fetcher.fetch(s.url())
        elapsed = time.monotonic() - started
        await asyncio.wait_for(s.closed_by_peer.wait(), 2)  # we hung up
    assert isinstance(result, FetchError) and "response too large" in result.message
    assert result.too_large and not result.refused  # the media proxy's "too big" (#15)
    assert elapsed < DEADLINE
    if "Content-Length" in headers:
        assert elapsed < 0.5  # rejected on the header, before reading


async def _endless(counter: list[int], chunk: bytes) -> AsyncIterator[bytes]:
    while True:
        counter[0] += len(chunk)
        yield chunk


@pytest.mark.parametrize("coding", ["identity", "gzip", "br"])
async def test_read_body_consumes_at_most_cap_plus_one_chunk(coding: str) -> None:
    consumed = [0]
    chunk = {"identity": b"x" * 4096, "gzip": gzip_bomb()[:4096], "br": brotli_bomb()[:4096]}
    with pytest.raises(ResponseTooLargeError):
        await read_body(_endless(consumed, chunk[coding]), make_decoder([coding]), CAP)
    assert consumed[0] <= CAP + 4096


# A8: compression bombs, stacked and bogus codings


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "br"])
async def test_compression_bomb_is_stopped_with_bounded_memory(coding: str) -> None:
    body = {"gzip": gzip_bomb(), "x-gzip": gzip_bomb(), "br": brotli_bomb()}.get(coding)
    if body is None:
        body = deflate(bytes(64 << 20))
    headers = {"Content-Encoding": coding, "Content-Type": "application/rss+xml"}
    async with RawServer(respond(200, body, headers)) as server, make_fetcher() as fetcher:
        tracemalloc.start()
        try:
            result = await fetcher.fetch(server.url())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(result, FetchError) and "response too large" in result.message
    assert peak < 2 * CAP, f"peak {peak} bytes"  # measured ~1.4-1.7 MiB for a 1 MiB cap


@pytest.mark.parametrize(
    ("encodings", "body", "message"),
    [
        (["gzip, gzip"], gzip.compress(gzip.compress(FEED, mtime=0), mtime=0), "stacked Content-Encoding"),
        (["gzip", "br"], gzip.compress(FEED, mtime=0), "stacked Content-Encoding"),
        (["zstd"], FEED, "unsupported Content-Encoding"),
        (["compress"], FEED, "unsupported Content-Encoding"),
        (["gzip"], FEED, "invalid gzip body"),
        (["br"], FEED, "invalid br body"),
        (["deflate"], b"\xff" * 100, "invalid deflate body"),
        (["gzip"], gzip.compress(FEED, mtime=0)[:-30], "truncated gzip body"),
        (["br"], brotli.compress(FEED)[:-5], "br body"),
    ],
)
async def test_bad_content_encoding_is_an_error(
    encodings: list[str], body: bytes, message: str
) -> None:
    async def script(head: bytes, reader: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        lines = [f"Content-Encoding: {e}" for e in encodings]
        hdr = "\r\n".join(["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *lines])
        await server.send(w, hdr.encode() + b"\r\n\r\n" + body)

    async with RawServer(script) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, FetchError) and message in result.message, result


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("gzip", gzip.compress(FEED, mtime=0)),
        ("x-gzip", gzip.compress(FEED, mtime=0)),
        ("gzip", gzip.compress(FEED[:1000], mtime=0) + gzip.compress(FEED[1000:], mtime=0)),  # multi-member
        ("deflate", deflate(FEED)),
        ("deflate", deflate(FEED, raw=True)),
        ("br", brotli.compress(FEED)),
        ("identity", FEED),
        ("", FEED),
    ],
    ids=["gzip", "x-gzip", "gzip-multi", "deflate", "raw-deflate", "br", "identity", "none"],
)
async def test_supported_codings_decode(coding: str, encoded: bytes) -> None:
    headers = {"Content-Encoding": coding} if coding else {}
    async with RawServer(respond(200, encoded, headers)) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, Fetched), result
    assert result.body == FEED
    assert b"Accept-Encoding: gzip, deflate, br\r\n" in server.heads[0]


async def test_raw_bytes_are_capped_too() -> None:
    noise = os.urandom(CAP + 4096)  # incompressible: the gzip form is over the cap on the wire
    body = gzip.compress(noise, compresslevel=1)
    script = respond(200, body, {"Content-Encoding": "gzip"})
    async with RawServer(script) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, FetchError) and "response too large" in result.message


def test_decoder_rejects_unknown_and_stacked_codings_directly() -> None:
    for values in (["gzip,br"], ["zstd"], ["gzip", "gzip"]):
        with pytest.raises(FetchFailedError):
            make_decoder(values)
    assert make_decoder(["identity", " IDENTITY "]).name == "identity"


# A16 and the no-decoding rule


@pytest.mark.parametrize("status", [200, 204])
async def test_empty_response_is_an_error(status: int) -> None:
    async with RawServer(respond(status, b"")) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, FetchError) and result.message == "empty response"


async def test_body_is_returned_as_bytes_never_decoded() -> None:
    body = b"<rss>\xff\xfe caf\xe9 \x00</rss>"
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    async with RawServer(respond(200, body, headers)) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, Fetched)
    assert result.body == body and result.content_type == "text/xml; charset=utf-8"


async def test_body_exactly_at_the_cap_is_accepted() -> None:
    body = b"a" * CAP
    async with RawServer(respond(200, body)) as server, make_fetcher() as fetcher:
        result = await fetcher.fetch(server.url())
    assert isinstance(result, Fetched) and len(result.body) == CAP
