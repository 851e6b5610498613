"""core.urls.strip_tracking: a source's link without what only tracks the click (#14)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.core.urls import is_tracking_param, strip_tracking


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/a?utm_source=a&utm_campaign=b", "https://x.example/a"),
        ("https://x.example/a?id=1&fbclid=2", "https://x.example/a?id=1"),
        ("https://x.example/a?gclid=1&id=1&mc_cid=2&mc_eid=3&igshid=4", "https://x.example/a?id=1"),
        ("https://x.example/a?UTM_Medium=x&p=2#top", "https://x.example/a?p=2#top"),
        ("https://x.example/a?utm%5Fsource=x&p=2", "https://x.example/a?p=2"),
        # what is kept keeps its own encoding and order
        ("https://x.example/s?q=a+b&z=%2F&utm_term=x&a=1", "https://x.example/s?q=a+b&z=%2F&a=1"),
        ("https://x.example/a?page=2&&x", "https://x.example/a?page=2&&x"),
        ("https://x.example/a?page=2", "https://x.example/a?page=2"),
        ("https://x.example/a", "https://x.example/a"),
        ("https://x.example/a?", "https://x.example/a?"),
        ("https://x.example/utm_source/?id=1", "https://x.example/utm_source/?id=1"),
        ("http://[::1/a?utm_source=x", "http://[::1/a?utm_source=x"),  # unparseable: as is
    ],
)
def test_strip_tracking(url: str, expected: str) -> None:
    assert strip_tracking(url) == expected


def test_tracking_names() -> None:
    for name in ("utm_source", "utm_content", "fbclid", "gclid", "mc_cid", "mc_eid", "igshid"):
        assert is_tracking_param(name)
    for name in ("id", "page", "q", "utm", "source"):
        assert not is_tracking_param(name)


_query = st.lists(
    st.tuples(
        st.sampled_from(["id", "p", "utm_source", "fbclid", "q", "gclid", "x"]),
        st.text("ab1%+", max_size=4),
    ),
    max_size=6,
)


@given(_query)
def test_stripping_is_idempotent_and_keeps_the_rest(pairs: list[tuple[str, str]]) -> None:
    query = "&".join(f"{k}={v}" for k, v in pairs)
    url = f"https://x.example/a?{query}"
    once = strip_tracking(url)
    assert strip_tracking(once) == once
    assert "utm_source" not in once and "fbclid" not in once and "gclid" not in once
    kept = [f"{k}={v}" for k, v in pairs if k not in ("utm_source", "fbclid", "gclid")]
    if len(kept) == len(pairs):
        assert once == url
    else:
        assert once.partition("?")[2] == "&".join(kept)
