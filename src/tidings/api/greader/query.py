"""A stream request's parameters (``stream/items/ids``, ``stream/contents``), checked
(clientapis.md §1.4): ``s`` the stream (absent: the reading list), ``xt`` streams to
exclude and ``it`` streams to include (each repeatable), ``ot``/``nt`` crawl times
(Unix seconds: crawled at or after ``ot``, before ``nt``), ``n`` the page size,
``r=o`` oldest first, ``c`` the continuation. Anything malformed is a ``ValueError``
whose message names the parameter: the endpoint answers 400, never a partial list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tidings.api.greader.ids import Stream, parse_stream
from tidings.model import EntryFilter, FeedId

__all__ = ["MAX_PAGE", "Continuation", "StreamQuery", "entry_filter", "parse_query"]

MAX_PAGE = 10_000  # the largest page honoured; a list stays complete through `c`
_MAX_N_DIGITS = 10  # beyond this an `n` is not a page size but a mistake
_MAX_TIME = 253402300799  # 9999-12-31T23:59:59Z
_READING_LIST = Stream("state", state="reading-list")

Params = Callable[[str], Sequence[str]]  # a repeatable parameter's values (getlist)


@dataclass(frozen=True, slots=True)
class Continuation:
    """Where the next page starts: past the entry ``id`` in the page's order (ids grow
    in crawl order, so this is a keyset on crawl time)."""

    id: int

    def __str__(self) -> str:  # digits: nothing a client must escape
        return str(self.id)


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
    if not (value.isascii() and value.isdigit()) or len(value) > 16 or int(value) < 1:
        raise ValueError(f"c: not a continuation this server gave: {value[:40]!r}")
    return Continuation(int(value))


class _Empty(Exception):
    """The streams asked for exclude each other: the answer is an empty list."""


def entry_filter(
    query: StreamQuery, feed_ids: Mapping[str, FeedId], *, limit: int
) -> EntryFilter | None:
    """The entries a stream query selects: ``s`` and every ``it`` (all must hold),
    less every ``xt``, in the crawl-time window; None if nothing can match (``s=read``
    with ``xt=read``, a feed URL the user does not follow). ``feed_ids`` maps the
    user's feed URLs to ids."""
    f = EntryFilter(limit=limit)
    if query.oldest is not None:
        f = replace(f, seen_from=datetime.fromtimestamp(query.oldest, UTC))
    if query.newest is not None:
        f = replace(f, seen_before=datetime.fromtimestamp(query.newest, UTC))
    try:
        for stream in (query.stream, *query.include):
            f = _include(f, stream, feed_ids)
        for stream in query.exclude:
            f = _exclude(f, stream, feed_ids)
    except _Empty:
        return None
    if (f.read and f.unread) or (f.starred and f.unstarred):
        return None
    if f.feed_id is not None and f.feed_id in f.exclude_feed_ids:
        return None
    if f.label is not None and f.label in f.exclude_labels:
        return None
    return f


def _feed_id(stream: Stream, feed_ids: Mapping[str, FeedId]) -> FeedId:
    if stream.feed_id is not None:
        return FeedId(stream.feed_id)
    found = feed_ids.get(stream.feed_url or "")
    if found is None:
        raise _Empty
    return found


def _include(f: EntryFilter, stream: Stream, feed_ids: Mapping[str, FeedId]) -> EntryFilter:
    if stream.kind == "feed":
        feed = _feed_id(stream, feed_ids)
        if f.feed_id is not None and f.feed_id != feed:
            raise _Empty
        return replace(f, feed_id=feed)
    if stream.kind == "label":
        if f.label is not None and f.label != stream.label:
            raise ValueError("it: one label per request")
        return replace(f, label=stream.label)
    return {
        "reading-list": f,
        "read": replace(f, read=True),
        "kept-unread": replace(f, unread=True),
        "starred": replace(f, starred=True),
    }[stream.state or "reading-list"]


def _exclude(f: EntryFilter, stream: Stream, feed_ids: Mapping[str, FeedId]) -> EntryFilter:
    if stream.kind == "feed":
        try:
            feed = _feed_id(stream, feed_ids)
        except _Empty:
            return f  # not followed: nothing of it to exclude
        return replace(f, exclude_feed_ids=(*f.exclude_feed_ids, feed))
    if stream.kind == "label":
        assert stream.label is not None
        return replace(f, exclude_labels=(*f.exclude_labels, stream.label))
    if stream.state == "reading-list":
        raise _Empty
    return {
        "read": replace(f, unread=True),
        "kept-unread": replace(f, read=True),
        "starred": replace(f, unstarred=True),
    }[stream.state or "read"]
