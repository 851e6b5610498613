"""Reading an untrusted HTTP body: bounded decompression and a size cap.

Used only by ``http_fetcher``. The cap applies to the raw bytes on the wire
*and* to the decompressed bytes, and decompression is bounded by output
(``zlib`` ``max_length``, brotli ``output_buffer_limit``), so a compression
bomb never expands past the cap plus one step (HOSTILE.md A7, A8).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, Iterator, Sequence
from typing import Protocol

import brotli

from tidings.errors import FetchFailedError, ResponseTooLargeError

__all__ = ["ACCEPT_ENCODING", "Decoder", "check_content_length", "make_decoder", "read_body"]

ACCEPT_ENCODING = "gzip, deflate, br"

_STEP = 64 * 1024  # largest piece one decompression call may produce
_GZIP_MAGIC = b"\x1f\x8b"


class Decoder(Protocol):
    """An incremental decoder whose every yielded piece is at most ``_STEP`` bytes."""

    name: str

    def decompress(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> None:
        """Raise ``FetchFailedError`` if the stream ended early."""
        ...


class _Identity:
    name = "identity"

    def decompress(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), _STEP):
            yield data[start : start + _STEP]

    def finish(self) -> None:
        return None


class _Zlib:
    """gzip (multi-member) or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._gzip = name == "gzip"
        self._wbits = 16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS
        self._d = zlib.decompressobj(self._wbits)
        self._started = False
        self._done = False

    def decompress(self, data: bytes) -> Iterator[bytes]:
        while data and not self._done:
            if self._d.eof:
                if not (self._gzip and data[:2] == _GZIP_MAGIC[: len(data[:2])]):
                    self._done = True  # trailing bytes after the stream are ignored
                    return
                self._d = zlib.decompressobj(self._wbits)
            out = self._inflate(data)
            if out:
                yield out
            data = self._d.unused_data if self._d.eof else self._d.unconsumed_tail

    def _inflate(self, data: bytes) -> bytes:
        try:
            out = self._d.decompress(data, _STEP)
        except zlib.error as exc:
            if self._gzip or self._started:
                raise FetchFailedError(f"invalid {self.name} body: {exc}") from None
            self._wbits = -zlib.MAX_WBITS  # raw deflate without the zlib header
            self._d = zlib.decompressobj(self._wbits)
            try:
                out = self._d.decompress(data, _STEP)
            except zlib.error as exc2:
                raise FetchFailedError(f"invalid {self.name} body: {exc2}") from None
        self._started = True
        return out

    def finish(self) -> None:
        if not self._d.eof and not self._done:
            raise FetchFailedError(f"truncated {self.name} body")


class _Brotli:
    name = "br"

    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def decompress(self, data: bytes) -> Iterator[bytes]:
        try:
            out: bytes = self._d.process(data, output_buffer_limit=_STEP)
            if out:
                yield out
            while not self._d.can_accept_more_data():
                out = self._d.process(b"", output_buffer_limit=_STEP)
                if out:
                    yield out
        except brotli.error as exc:
            raise FetchFailedError(f"invalid br body: {exc}") from None

    def finish(self) -> None:
        if not self._d.is_finished():
            raise FetchFailedError("truncated br body")


def make_decoder(content_encodings: Sequence[str]) -> Decoder:
    """A decoder for the response's ``Content-Encoding`` header values.

    Only one of gzip/x-gzip, deflate and br is accepted; ``identity`` is
    ignored; stacked or unknown codings raise ``FetchFailedError``.
    """
    codings = [
        token.strip().lower()
        for value in content_encodings
        for token in value.split(",")
        if token.strip() and token.strip().lower() != "identity"
    ]
    if len(codings) > 1:
        raise FetchFailedError(f"stacked Content-Encoding not supported: {', '.join(codings)}")
    if not codings:
        return _Identity()
    coding = codings[0]
    if coding in ("gzip", "x-gzip"):
        return _Zlib("gzip")
    if coding == "deflate":
        return _Zlib("deflate")
    if coding == "br":
        return _Brotli()
    raise FetchFailedError(f"unsupported Content-Encoding: {coding[:40]!r}")


def check_content_length(value: str | None, cap: int) -> None:
    """Reject early when a declared ``Content-Length`` is over the cap."""
    if value is None:
        return
    text = value.strip()
    if text.isascii() and text.isdigit() and (len(text) > 19 or int(text) > cap):
        raise ResponseTooLargeError(f"response too large (Content-Length {text[:20]} > {cap})")


async def read_body(chunks: AsyncIterable[bytes], decoder: Decoder, cap: int) -> bytes:
    """Read and decode the whole body, aborting at ``cap`` raw or decoded bytes."""
    body = bytearray()
    raw = 0
    async for chunk in chunks:
        raw += len(chunk)
        if raw > cap:
            raise ResponseTooLargeError(f"response too large (over {cap} bytes on the wire)")
        for piece in decoder.decompress(chunk):
            if len(body) + len(piece) > cap:
                raise ResponseTooLargeError(f"response too large (over {cap} bytes)")
            body += piece
    decoder.finish()
    return bytes(body)
