"""A stream request's parameters (``stream/items/ids``, ``stream/contents``), checked
(clientapis.md §1.4): ``s`` the stream (absent: the reading list), ``xt`` streams to
exclude and ``it`` streams to include (each repeatable), ``ot``/``nt`` crawl times
(Unix seconds: crawled at or after ``ot``, before ``nt``), ``n`` the page size,
``r=o`` oldest first, ``c`` the continuation. Anything malformed is a ``ValueError``
whose message names the parameter: the endpoint answers 400, never a partial list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tidings.api.greader.ids import Stream, parse_stream

__all__ = ["MAX_PAGE", "Continuation", "StreamQuery", "parse_query"]

MAX_PAGE = 10_000  # the largest page honoured; a list stays complete through `c`
_MAX_N_DIGITS = 10  # beyond this an `n` is not a page size but a mistake
_MAX_TIME = 253402300799  # 9999-12-31T23:59:59Z
_READING_LIST = Stream("state", state="reading-list")

Params = Callable[[str], Sequence[str]]  # a repeatable parameter's values (getlist)


@dataclass(frozen=True, slots=True)
class Continuation:
    """Where the next page starts: after the entry ``(sort, id)`` in the page's order."""

    sort: int
    id: int

    def __str__(self) -> str:  # digits, '-' and '.': nothing a client must escape
        return f"{self.sort}.{self.id}"


@dataclass(frozen=True, slots=True)
class StreamQuery:
    stream: Stream
    exclude: tuple[Stream, ...] = ()
    include: tuple[Stream, ...] = ()
    oldest: int | None = None  # ot
    newest: int | None = None  # nt
    count: int = 20  # n
    oldest_first: bool = False  # r=o
    after: Continuation | None = None  # c


def parse_query(
    get: Params, *, path_stream: str | None = None, default_count: int = 20
) -> StreamQuery:
    """The stream query of a request; ``get(name)`` gives a parameter's values (query
    string and form merged). ``path_stream`` is a stream given in the URL path."""
    streams = [path_stream] if path_stream else list(get("s"))
    if len(streams) > 1:
        raise ValueError("s: one stream per request")
    return StreamQuery(
        stream=_stream("s", streams[0]) if streams and streams[0] else _READING_LIST,
        exclude=tuple(_stream("xt", v) for v in get("xt") if v),
        include=tuple(_stream("it", v) for v in get("it") if v),
        oldest=_time("ot", _one(get, "ot")),
        newest=_time("nt", _one(get, "nt")),
        count=_count(_one(get, "n"), default_count),
        oldest_first=_one(get, "r") == "o",
        after=_continuation(_one(get, "c")),
    )


def _one(get: Params, name: str) -> str | None:
    values = [v for v in get(name) if v != ""]
    return values[-1].strip() if values else None


def _stream(name: str, value: str) -> Stream:
    try:
        return parse_stream(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _integer(name: str, value: str, digits: int) -> int:
    body = value[1:] if value[:1] == "-" else value
    if not body or len(body) > digits or not (body.isascii() and body.isdigit()):
        raise ValueError(f"{name}: not a whole number: {value[:40]!r}")
    return int(value)


def _time(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    seconds = _integer(name, value, 12)
    if not 0 <= seconds <= _MAX_TIME:
        raise ValueError(f"{name}: not a time in Unix seconds: {value!r}")
    return seconds


def _count(value: str | None, default: int) -> int:
    if value is None:
        return default
    n = _integer("n", value, _MAX_N_DIGITS)
    if n < 1:
        raise ValueError(f"n: must be at least 1: {value!r}")
    return min(n, MAX_PAGE)


def _continuation(value: str | None) -> Continuation | None:
    if value is None:
        return None
    sort, dot, entry = value.partition(".")
    if not dot:
        raise ValueError(f"c: not a continuation this server gave: {value[:40]!r}")
    try:
        after = Continuation(_integer("c", sort, 12), _integer("c", entry, 16))
    except ValueError:
        raise ValueError(f"c: not a continuation this server gave: {value[:40]!r}") from None
    if after.id < 1:
        raise ValueError(f"c: not a continuation this server gave: {value[:40]!r}")
    return after
