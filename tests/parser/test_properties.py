"""Property tests: parser and sanitizer never break their contracts, whatever the input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tidings.content.sanitize import clean_text, safe_url, sanitize_html

from .fuzz_targets import (
    check_html,
    fuzz_find_feed_links,
    fuzz_parse_date,
    fuzz_parse_feed,
    fuzz_parse_opml,
    fuzz_sanitize,
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEEDS = [
    p.read_bytes()
    for p in sorted((Path(__file__).parent / "data").glob("*"))
    if p.is_file() and p.stat().st_size < 20_000
]

TAGS = ["p", "a", "img", "script", "style", "iframe", "svg", "math", "div", "b", "table"]
TAGS += ["noscript", "template", "object", "form", "input", "base", "meta", "title", "textarea"]
ATTRS = ["href", "src", "onclick", "onerror", "style", "width", "height", "srcset", "xlink:href"]
VALUES = [
    "javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "jav&#x09;ascript:x",
    " JaVaScRiPt:x",
    "data:text/html,x",
    "vbscript:x",
    "/relative",
    "https://ok.example/",
    "1",
    "0",
    "\"'><script>alert(1)</script>",
]


@st.composite
def html_soup(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            attrs = draw(
                st.lists(st.tuples(st.sampled_from(ATTRS), st.sampled_from(VALUES)), max_size=3)
            )
            quoted = " ".join(f'{a}="{v}"' for a, v in attrs)
            parts.append(f"<{tag} {quoted}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(st.text(max_size=20)))
        else:
            parts.append(
                draw(st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "&lt;", "&", "<"]))
            )
    return "".join(parts)


@FAST
@given(st.binary(max_size=2048))
@example(b"<rss><channel><item><title>x</title></item></channel></rss>")
@example(b'{"version": "https://jsonfeed.org/version/1", "items": [{}]}')
@example(b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'><entry/></feed>")
def test_parse_feed_any_bytes(data: bytes) -> None:
    fuzz_parse_feed(data)


@st.composite
def mutated_feed(draw: st.DrawFn) -> bytes:
    """A real feed document with a few random byte-level edits."""
    seed = bytearray(draw(st.sampled_from(SEEDS))) if SEEDS else bytearray(b"<rss/>")
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, max(0, len(seed) - 1)))
        op = draw(st.integers(0, 2))
        chunk = draw(st.binary(min_size=1, max_size=8))
        if op == 0:
            seed[pos : pos + len(chunk)] = chunk
        elif op == 1:
            seed[pos:pos] = chunk
        else:
            del seed[pos : pos + len(chunk)]
    return bytes(seed)


@FAST
@given(mutated_feed())
def test_parse_feed_mutated_real_feeds(data: bytes) -> None:
    fuzz_parse_feed(data)


@FAST
@given(
    st.text(max_size=200).map(
        lambda t: (
            f"<rss><channel><item><title>{t}</title><description>{t}</description></item></channel></rss>".encode(
                "utf-8", "surrogatepass"
            )
        )
    )
)
def test_parse_feed_any_text_in_fields(data: bytes) -> None:
    fuzz_parse_feed(data)


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
        ),
        max_leaves=20,
    )


FIELDS = [
    "id",
    "url",
    "title",
    "content_html",
    "content_text",
    "summary",
    "date_published",
    "tags",
    "attachments",
    "authors",
    "image",
]


@FAST
@given(
    st.lists(st.dictionaries(st.sampled_from(FIELDS), _json_values(), max_size=6), max_size=5),
    _json_values(),
)
def test_json_feed_with_wrong_types(items: list[dict[str, Any]], title: Any) -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": title, "items": items}
    fuzz_parse_feed(json.dumps(doc).encode())


@FAST
@given(html_soup() | st.text(max_size=300))
@example('<a href="&#106;avascript:alert(1)">x</a>')
@example("<svg><p><style><img src=x onerror=alert(1)></style></p></svg>")
@example("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>")
@example('<noscript><p title="</noscript><img src=x onerror=alert(1)>">')
@example("<p ><object ><p >")  # an unwrapped scope boundary nested a <p> in a <p>
def test_sanitizer_safe_and_idempotent(text: str) -> None:
    fuzz_sanitize(text.encode("utf-8", "surrogatepass"))


@FAST
@given(st.text(max_size=300))
def test_sanitizer_accepts_any_str(text: str) -> None:
    once = sanitize_html(text, "https://example.com/")
    check_html(once)
    assert sanitize_html(once, "https://example.com/") == once


@FAST
@given(st.text(max_size=60))
def test_parse_date_never_raises(text: str) -> None:
    fuzz_parse_date(text.encode("utf-8", "surrogatepass"))


@FAST
@given(st.text(max_size=100), st.sampled_from([None, "https://base.example/a/", "javascript:x"]))
def test_safe_url_is_http_or_none(url: str, base: str | None) -> None:
    result = safe_url(url, base)
    assert result is None or result.startswith(("http://", "https://"))


@FAST
@given(st.text())
def test_clean_text_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    once.encode("utf-8")  # no lone surrogates left


@FAST
@given(
    st.binary(max_size=1024)
    | st.builds(
        lambda s: f"<opml><body>{s}</body></opml>".encode("utf-8", "surrogatepass"),
        st.text(max_size=100),
    )
)
def test_opml_any_bytes(data: bytes) -> None:
    fuzz_parse_opml(data)


@FAST
@given(st.binary(max_size=1024) | html_soup().map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_discovery_any_bytes(data: bytes) -> None:
    fuzz_find_feed_links(data)
