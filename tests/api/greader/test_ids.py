"""Google Reader ids in every form the clients send (clientapis.md §1.3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.api.greader.ids import (
    MAX_ITEM_ID,
    Stream,
    feed_stream,
    item_long_id,
    item_ref_id,
    label_stream,
    parse_item_id,
    parse_stream,
    state_stream,
)

IDS = st.integers(min_value=1, max_value=MAX_ITEM_ID)


@given(IDS)
def test_every_client_form_of_an_id_reads_back(entry_id: int) -> None:
    long = item_long_id(entry_id)
    assert long == f"tag:google.com,2005:reader/item/{entry_id:016x}"
    forms = [
        item_ref_id(entry_id),  # itemRefs, Read You's and Liferea's i=
        long,  # NetNewsWire, Capy, Vienna
        long.upper().replace(
            "TAG:GOOGLE.COM,2005:READER/ITEM/", "tag:google.com,2005:reader/item/"
        ),
        f"tag:google.com,2005:reader/item/{entry_id:x}",  # NetNewsWire before 2026-08
        f"{entry_id:016x}",  # Reeder: bare 16-hex
        str(entry_id - 2**64),  # Fluent: the hex read as a signed 64-bit number
    ]
    for form in forms:
        assert parse_item_id(form) == entry_id, form


def test_a_sixteen_digit_decimal_is_decimal() -> None:
    assert parse_item_id("1234567890123456") == 1234567890123456
    assert parse_item_id("0000000000000123") == 0x123


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "0",
        "-",
        "abc",
        "tag:google.com,2005:reader/item/",
        "1e5",
        "١٢٣",
        "tag:google.com,2005:reader/item/xyz",
        str(2**53),
        "9" * 5000,
        "tag:google.com,2005:reader/item/" + "f" * 17,
        "ffffffffffffffff",
    ],
)
def test_what_names_no_entry_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an item id"):
        parse_item_id(bad)


def test_streams_in_and_out() -> None:
    assert state_stream("reading-list") == "user/-/state/com.google/reading-list"
    for who in ("-", "1", "someone"):
        for state in ("reading-list", "read", "starred", "kept-unread"):
            assert parse_stream(f"user/{who}/state/com.google/{state}") == Stream(
                "state", state=state
            )
        assert parse_stream(f"user/{who}/label/World News") == Stream("label", label="World News")
    assert parse_stream(label_stream("Tech")) == Stream("label", label="Tech")
    assert parse_stream(feed_stream(42)) == Stream("feed", feed_id=42)
    assert parse_stream("feed/feed/42") == Stream("feed", feed_id=42)  # Reeder
    url = "https://news.example/rss?x=1&y=2"
    assert parse_stream(f"feed/{url}") == Stream("feed", feed_url=url)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "user/-/state/com.google/broadcast",
        "user/-/label/",
        "user/-",
        "feed/",
        "feed/0",
        "feed/ftp://x",
        "feed/" + "9" * 30,
        "label/x",
        "splice/1",
    ],
)
def test_unknown_streams_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown stream"):
        parse_stream(bad)
