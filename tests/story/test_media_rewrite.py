"""The media proxy's pure half (#15): which bytes pass, and the rewriting of image
addresses in sanitized story HTML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.content.proxy import rewrite_media_urls, sniff_proxy_image
from tidings.content.sanitize import sanitize_html

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 17


def mark(url: str) -> str:
    return "/P/" + url


def test_sniffing_passes_the_five_types_and_nothing_else() -> None:
    assert sniff_proxy_image(PNG) == "image/png"
    assert sniff_proxy_image(b"\xff\xd8\xff\xe0" + b"\0" * 20) == "image/jpeg"
    assert sniff_proxy_image(b"GIF89a\1\0\1\0") == "image/gif"
    assert sniff_proxy_image(b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 8) == "image/webp"
    assert sniff_proxy_image(b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf") == "image/avif"
    # an AVIF named among the compatible brands of another major brand
    assert sniff_proxy_image(b"\0\0\0\x1cftypmif1\0\0\0\0mif1avifmiaf") == "image/avif"
    for refused in (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?><svg/>',
        b"<html><body>hi</body></html>",
        b"\0\0\1\0\1\0" + b"\0" * 16,  # an ICO: an icon, not a story's image
        b"\0\0\0\x1cftypmp42\0\0\0\0isommp41mp42",  # a video
        b"",
    ):
        assert sniff_proxy_image(refused) is None, refused[:20]


def test_image_addresses_are_rewritten_and_nothing_else() -> None:
    html = sanitize_html(
        '<p>See <a href="http://a.example/page">this</a>.</p>'
        '<img src="http://a.example/1.png" alt="x &gt; y" title="a src=&quot;b&quot;">'
        '<video src="http://a.example/v.mp4" poster="http://a.example/p.jpg" controls></video>'
        '<audio src="http://a.example/a.mp3" controls></audio>'
    )
    out = rewrite_media_urls(html, mark)
    assert 'src="/P/http://a.example/1.png"' in out
    assert 'poster="/P/http://a.example/p.jpg"' in out
    assert 'href="http://a.example/page"' in out  # links stay
    assert 'src="http://a.example/v.mp4"' in out and 'src="http://a.example/a.mp3"' in out
    assert 'alt="x &gt; y"' in out and 'title="a src=&quot;b&quot;"' in out
    assert out.count("/P/") == 2


def test_srcset_candidates_keep_their_descriptors_and_urls_are_escaped() -> None:
    html = (
        '<picture><source srcset="http://a/1.webp 1x, http://a/2.webp 2x">'
        '<img src="http://a/q?x=1&amp;y=2" srcset="http://a/s.png 640w,http://a/l.png 1280w">'
        "</picture>"
    )
    out = rewrite_media_urls(html, lambda u: "/P/" + u.replace("http://", "").replace('"', "'"))
    assert 'srcset="/P/a/1.webp 1x, /P/a/2.webp 2x"' in out
    assert 'srcset="/P/a/s.png 640w, /P/a/l.png 1280w"' in out
    assert 'src="/P/a/q?x=1&amp;y=2"' in out  # unescaped for rewrite, escaped again


def test_a_tag_inside_an_attribute_value_is_text_and_an_odd_tag_is_dropped() -> None:
    html = '<a title="<img src=&quot;http://a/x.png&quot;>" href="http://a/">x</a>'
    assert rewrite_media_urls(html, mark) == html
    assert rewrite_media_urls('<p><img src="http://a/1.png" ="x"></p>', mark) == "<p></p>"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="<>\"'=/ &;abcimgsrcpostervideo:", max_size=200))
def test_rewriting_sanitized_html_keeps_it_sanitized(text: str) -> None:
    clean = sanitize_html(text)
    out = rewrite_media_urls(clean, mark)
    assert sanitize_html(out) == out
    assert rewrite_media_urls(sanitize_html(f'<img src="{text}">'), mark).count("<img") <= 1
