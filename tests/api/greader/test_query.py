"""Stream request parameters as the clients send them (clientapis.md §1.4)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.api.greader.ids import Stream
from tidings.api.greader.query import MAX_PAGE, Continuation, parse_query

READ = Stream("state", state="read")
STARRED = Stream("state", state="starred")
READING_LIST = Stream("state", state="reading-list")


def _get(query: str):  # type: ignore[no-untyped-def]
    values = parse_qs(query, keep_blank_values=True)

    def get(name: str) -> Sequence[str]:
        return values.get(name, [])

    return get


def test_netnewswire_unread_and_since() -> None:
    q = parse_query(
        _get(
            "n=1000&output=json&s=user/-/state/com.google/reading-list"
            "&xt=user/-/state/com.google/read"
        )
    )
    assert q.stream == READING_LIST and q.exclude == (READ,) and q.count == 1000
    q = parse_query(_get("n=1000&output=json&ot=1764000000&s=feed/12"))
    assert q.stream == Stream("feed", feed_id=12) and q.oldest == 1764000000


def test_vienna_and_read_you_freshrss_mode_use_it() -> None:
    q = parse_query(_get("client=ViennaRSS&s=feed/3&it=user/-/state/com.google/starred&n=1000"))
    assert q.include == (STARRED,)
    q = parse_query(_get("s=user/-/state/com.google/reading-list&it=user/-/state/com.google/read"))
    assert q.include == (READ,)


def test_defaults_stream_in_the_path_and_paging() -> None:
    q = parse_query(_get("output=json&n=1000"))  # Fluent's stream/contents: no stream
    assert q.stream == READING_LIST and not q.oldest_first and q.after is None
    q = parse_query(_get("r=o&c=42"), path_stream="user/-/label/World")
    assert q.stream == Stream("label", label="World") and q.oldest_first
    assert q.after == Continuation(42) and str(q.after) == "42"
    assert parse_query(_get(""), default_count=1000).count == 1000
    assert parse_query(_get("n=50000")).count == MAX_PAGE  # honoured up to 10000; `c` goes on


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("s=user/-/state/com.google/nope", "s"),
        ("xt=splice/1", "xt"),
        ("it=feed/0", "it"),
        ("ot=yesterday", "ot"),
        ("ot=-5", "ot"),
        ("nt=" + "9" * 40, "nt"),
        ("n=0", "n"),
        ("n=" + "9" * 30, "n"),
        ("n=1e3", "n"),
        ("c=abc", "c"),
        ("c=0", "c"),
        ("c=-3", "c"),
        ("c=1.5", "c"),
        ("c=" + "9" * 17, "c"),
        ("s=feed/1&s=feed/2", "s"),
    ],
)
def test_malformed_parameters_name_themselves(query: str, name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name}:"):
        parse_query(_get(query))


@given(st.integers(1, 2**53 - 1))
def test_a_continuation_reads_back(entry: int) -> None:
    c = Continuation(entry)
    assert parse_query(_get(f"c={c}")).after == c
    assert not set(str(c)) & set("=&+% ")
