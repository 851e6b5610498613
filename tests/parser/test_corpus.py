"""The real-world corpus: every feed parses, and the CDATA fast path changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.parser import cdata, parse_feed

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
REAL = CORPUS / "feeds-real"


def _real_files() -> list[Path]:
    if not REAL.exists():
        pytest.skip(f"corpus not found: {REAL} (needs ../shared beside the repository)")
    return sorted(p for p in REAL.iterdir() if p.suffix != ".tsv")


def test_every_real_feed_parses() -> None:
    failures, empty_json = [], []
    for path in _real_files():
        try:
            feed = parse_feed(path.read_bytes(), url="https://example.com/feed", sanitize=False)
        except Exception as exc:  # collect them all for one readable failure
            failures.append(f"{path.name}: {exc}")
            continue
        if path.suffix == ".json" and not feed.entries:
            empty_json.append(path.name)
    assert failures == []
    assert empty_json == []


def test_cdata_lifting_is_invisible(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing with large CDATA sections lifted gives exactly the same FeedData."""
    files = [p for p in _real_files() if p.suffix == ".xml"][::4]
    lifted = [parse_feed(p.read_bytes(), url="https://example.com/f") for p in files]
    monkeypatch.setattr(cdata, "MIN_LIFT", 10**12)
    whole = [parse_feed(p.read_bytes(), url="https://example.com/f") for p in files]
    for path, a, b in zip(files, lifted, whole, strict=True):
        assert a == b, path.name


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # CRLF inside a lifted section is normalized like libxml2 does.
        (
            b"<rss><channel><title><![CDATA[" + b"a\r\nb " * 40 + b"]]></title></channel></rss>",
            "a b " * 39 + "a b",
        ),
        # Control characters inside a lifted section are dropped.
        (
            b"<rss><channel><title><![CDATA[" + b"x\x01" * 100 + b"]]></title></channel></rss>",
            "x" * 100,
        ),
        # A CDATA opener inside a comment: the document is parsed whole.
        (
            b"<rss><channel><!-- <![CDATA[ --><title>t"
            + b"y" * 200
            + b"</title><x><![CDATA[ ]]></x></channel></rss>",
            "t" + "y" * 200,
        ),
        # A document that already holds the placeholder character is never lifted.
        (
            "<rss><channel><title>\ue0000\ue001<![CDATA[{}]]></title></channel></rss>".format(
                "z" * 200
            ).encode(),
            "\ue0000\ue001" + "z" * 200,
        ),
    ],
)
def test_cdata_edge_cases(body: bytes, expected: str) -> None:
    assert parse_feed(body, url="https://example.com/f").title == expected
