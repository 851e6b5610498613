"""Fuzz targets for the parser and sanitizer, with their oracles (HOSTILE.md B11).

Each ``fuzz_*`` function takes raw bytes and raises AssertionError when an
oracle is violated. ``test_properties.py`` drives them with Hypothesis; run
this file directly for a longer campaign: with atheris if it is installed
(``pip install atheris``), else with Hypothesis for ``--seconds`` seconds::

    .venv/bin/python tests/parser/fuzz_targets.py parse_feed --seconds 60
"""

from __future__ import annotations

import html
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC

from lxml import etree
from lxml import html as lxml_html

from tidings.content.sanitize import sanitize_html
from tidings.errors import ParseError
from tidings.model import FeedData
from tidings.parser import find_feed_links, parse_feed, parse_opml
from tidings.parser.dates import parse_date

URL = "https://fuzz.example/feed"
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_URL_ATTRS = ("href", "src", "cite", "action", "formaction", "poster", "background")


def check_html(fragment: str) -> None:
    """The sanitizer oracle: no script, no on* attribute, no dangerous URL scheme."""
    assert _BAD_CHARS.search(fragment) is None, "illegal character in HTML"
    if "<" not in fragment:
        return
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag.lower() not in ("script", "style", "svg", "math", "object", "embed")
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), f"event handler {name}"
            assert name.lower() != "style"
            if name.lower() in _URL_ATTRS:
                scheme = re.sub(r"[\s\x00-\x20]", "", html.unescape(value)).lower()
                assert not scheme.startswith(_BAD_SCHEMES), f"{name}={value!r}"


def check_text(value: str | None) -> None:
    if value is not None:
        assert _BAD_CHARS.search(value) is None, f"illegal character in {value!r}"


def check_url(value: str | None) -> None:
    if value is not None:
        assert value.startswith(("http://", "https://")), value


def check_feed(feed: FeedData) -> None:
    """Every field of a parsed feed obeys the output contract."""
    for url in (feed.link, feed.image, feed.icon, feed.hub, feed.self_url):
        check_url(url)
    for text in (feed.title, feed.language, feed.version):
        check_text(text)
    if feed.description is not None:
        check_html(feed.description)
    assert feed.updated is None or feed.updated.tzinfo is UTC
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == len(set(ids)), "duplicate entry ids"
    for entry in feed.entries:
        assert entry.id
        for url in (entry.link, entry.image, entry.comments):
            check_url(url)
        for enclosure in entry.enclosures:
            check_url(enclosure.url)
            assert enclosure.length is None or enclosure.length >= 0
        for text in (entry.id, entry.title, entry.author, entry.language, *entry.categories):
            check_text(text)
        for fragment in (entry.summary, entry.content):
            if fragment is not None:
                check_html(fragment)
        for date in (entry.published, entry.updated):
            assert date is None or date.tzinfo is UTC


def fuzz_parse_feed(data: bytes) -> None:
    """Any bytes: a valid FeedData or ParseError, never another exception."""
    try:
        feed = parse_feed(data, url=URL, max_entries=50)
    except ParseError:
        return
    check_feed(feed)


def fuzz_sanitize(data: bytes) -> None:
    """Sanitizer output is safe and idempotent."""
    text = data.decode("utf-8", "replace")
    once = sanitize_html(text, URL)
    check_html(once)
    assert sanitize_html(once, URL) == once, "sanitizer is not idempotent"


def fuzz_parse_date(data: bytes) -> None:
    parsed = parse_date(data.decode("utf-8", "replace"))
    assert parsed is None or parsed.tzinfo is UTC


def fuzz_parse_opml(data: bytes) -> None:
    try:
        feeds = parse_opml(data)
    except ParseError:
        return
    for feed in feeds:
        check_url(feed.url)
        check_text(feed.title)
        check_text(feed.category)


def fuzz_find_feed_links(data: bytes) -> None:
    for url in find_feed_links(data, URL):
        check_url(url)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "parse_feed": fuzz_parse_feed,
    "sanitize": fuzz_sanitize,
    "parse_date": fuzz_parse_date,
    "parse_opml": fuzz_parse_opml,
    "find_feed_links": fuzz_find_feed_links,
}


def _run_hypothesis(target: Callable[[bytes], None], seconds: float) -> None:
    """Batches of random examples (a fresh seed each) until the time is up."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=4096))
    def run(data: bytes) -> None:
        target(data)

    deadline = time.monotonic() + seconds
    batches = 0
    while time.monotonic() < deadline:
        run()  # a failure raises with Hypothesis' minimal example
        batches += 1
    print(f"{batches * 500} examples, no failure found")


def main(argv: list[str]) -> int:
    name = argv[0] if argv else "parse_feed"
    seconds = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else 60.0
    target = TARGETS[name]
    try:
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        _run_hypothesis(target, seconds)
        return 0
    atheris.Setup([sys.argv[0], f"-max_total_time={int(seconds)}"], target)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
