"""sanitize_html, safe_url and clean_text: the hostile-HTML catalogue (HOSTILE.md C)."""

from __future__ import annotations

import time

import pytest

from tidings.content.sanitize import (
    MAX_HTML_CHARS,
    clean_text,
    html_to_text,
    safe_url,
    sanitize_html,
)

BASE = "https://example.com/posts/1"

VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title='</noscript><img src=x onerror=alert(1)>'></noscript>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<iframe src='https://evil.example/'></iframe>",
    "<object data='x.swf'></object><embed src='x.swf'>",
    "<form action='https://evil/'><input name=p><button formaction='x'>b</button></form>",
    "<meta http-equiv='refresh' content='0;url=https://evil/'>",
    "<base href='https://evil/'><link rel=stylesheet href='x.css'>",
    "<template><script>alert(1)</script></template>",
    "<a href='&#106;avascript:alert(1)'>x</a>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<a href='javascript&colon;alert(1)'>x</a>",
    "<a href='JAVASCRIPT:alert(1)'>x</a>",
    "<a href=' javascript:alert(1)'>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "<div style='position:fixed;inset:0;background:url(https://t/)'>x</div>",
    "<p onmouseover='x()' ONCLICK='y()'>x</p>",
    "<a href='/x' target='_blank' ping='https://t/'>x</a>",
    "<img src='/x.png' referrerpolicy='unsafe-url' srcset='https://t/1.png 1x'>",
]


@pytest.mark.parametrize("vector", VECTORS)
def test_vectors_are_neutralized(vector: str) -> None:
    out = sanitize_html(vector, BASE)
    lowered = out.lower()
    for bad in ("<script", "javascript:", "vbscript:", "data:", "onerror", "onload", "onclick"):
        assert bad not in lowered
    for bad in ("<svg", "<math", "<style", "<form", "<input", "<meta", "<base", "<link", "<object"):
        assert bad not in lowered
    assert "style=" not in lowered and "ping=" not in lowered and "srcset" not in lowered
    assert "unsafe-url" not in lowered
    assert sanitize_html(out, BASE) == out


def test_links_get_rel_and_absolute_urls() -> None:
    out = sanitize_html('<a href="../other">x</a>', BASE)
    assert out == '<a href="https://example.com/other" rel="noopener noreferrer nofollow">x</a>'


def test_images_get_privacy_attributes() -> None:
    out = sanitize_html('<img src="p.png" alt="a">', BASE)
    assert 'src="https://example.com/posts/p.png"' in out
    assert 'referrerpolicy="no-referrer"' in out and 'loading="lazy"' in out


@pytest.mark.parametrize(
    "img",
    [
        '<img src="https://t.example/p.gif" width="1" height="1">',
        '<img src="https://t.example/p.gif" width="0" height="0">',
        '<img src="https://t.example/p.gif" height="0">',
    ],
)
def test_tracking_pixels_are_dropped(img: str) -> None:
    assert "<img" not in sanitize_html(f"<p>a{img}b</p>", BASE)


def test_normal_images_stay() -> None:
    assert "<img" in sanitize_html('<img src="/a.png" width="1" height="300">', BASE)


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube-nocookie.com/embed/abc",
        "https://player.vimeo.com/video/1",
        "https://www.dailymotion.com/embed/video/x",
    ],
)
def test_video_iframes_are_kept_sandboxed(src: str) -> None:
    out = sanitize_html(f'<iframe src="{src}" onload="x()" width="560"></iframe>', BASE)
    assert f'src="{src}"' in out and "sandbox=" in out and "onload" not in out


def test_youtube_players_are_the_cookie_less_ones() -> None:
    out = sanitize_html('<iframe src="https://www.youtube.com/embed/abc?start=5"></iframe>', BASE)
    assert 'src="https://www.youtube-nocookie.com/embed/abc?start=5"' in out
    assert sanitize_html(out, BASE) == out


@pytest.mark.parametrize(
    "src", ["https://evil.example/embed", "http://www.youtube.com/embed/x", "//youtube.com/x", "x"]
)
def test_other_iframes_are_dropped(src: str) -> None:
    assert "iframe" not in sanitize_html(f'<p>a</p><iframe src="{src}"></iframe>', BASE)


def test_plain_text_is_untouched() -> None:
    assert sanitize_html("just text > here", BASE) == "just text > here"


def test_oversized_input_is_truncated_with_marker() -> None:
    out = sanitize_html("<p>" + "x" * (MAX_HTML_CHARS + 10) + "</p>", BASE)
    assert out.endswith("[content truncated]</em></p>")
    assert len(out) < MAX_HTML_CHARS + 200


@pytest.mark.parametrize("payload", ["<div>" * 40_000, "<div>" * 5000 + "</div>" * 5000])
def test_deep_nesting_is_cheap(payload: str) -> None:
    started = time.process_time()
    out = sanitize_html(payload + "text", BASE)
    assert "text" in out and "too deeply nested" in out
    assert time.process_time() - started < 2.0  # nh3 alone would take seconds


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://a.example/x", None, "https://a.example/x"),
        ("/x", "https://a.example/feed", "https://a.example/x"),
        ("x?y=1", "https://a.example/d/feed", "https://a.example/d/x?y=1"),
        ("//cdn.example/x", "https://a.example/", "https://cdn.example/x"),
        ("  https://a.example/x \n", None, "https://a.example/x"),
        ("javascript:alert(1)", "https://a.example/", None),
        (" JavaScript:alert(1)", "https://a.example/", None),
        ("java\tscript:alert(1)", "https://a.example/", None),
        ("data:text/html,x", None, None),
        ("vbscript:x", None, None),
        ("file:///etc/passwd", None, None),
        ("ftp://a.example/", None, None),
        ("mailto:a@b.c", None, None),
        ("https:///nohost", None, None),
        ("/relative-without-base", None, None),
        ("", "https://a.example/", None),
        (None, None, None),
        ("http://[::1", None, None),
    ],
)
def test_safe_url(url: str | None, base: str | None, expected: str | None) -> None:
    assert safe_url(url, base) == expected


def test_clean_text() -> None:
    assert clean_text("a\x00b\x01c\ud800d\ufffee\tf\ng") == "abcde\tf\ng"
    assert clean_text("fine") == "fine"


def test_html_to_text() -> None:
    assert html_to_text("<b>Bold</b> &amp; <i>it</i>&nbsp;x") == "Bold & it x"


def test_recent_results_are_remembered_and_bounded() -> None:
    from tidings.content import sanitize

    sanitize.clear_sanitize_cache()
    text = "<p>" + "word " * 200 + '<a href="/x">x</a></p>'
    first = sanitize_html(text, BASE)
    assert sanitize_html(text, BASE) == first
    assert sanitize_html(text, "https://other.example/") != first  # keyed by base too
    cache = sanitize._RecentResults(max_chars=8000)
    for i in range(50):
        cache.put((None, f"{i:04d}" + "x" * 500), "y" * 400)
    assert cache.get((None, "0049" + "x" * 500)) == "y" * 400
    assert cache.get((None, "0000" + "x" * 500)) is None  # evicted, oldest first
    sanitize.clear_sanitize_cache()
