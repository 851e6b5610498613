"""Clutter never reaches the stored text; the story's own text always does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidings.content.clutter import (
    InvalidSelectorError,
    clean_html,
    compile_selector,
    is_clutter_line,
    strip_tracking,
)
from tidings.content.text import html_to_text

STORY = "<p>The council approved the new bridge on Tuesday after a long debate.</p>"

CLUTTER = [
    "You can share this story on social media:",
    "Share this story",
    "Share on Facebook",
    "Share Tweet Email",
    "Follow us on Twitter",
    "Like this: Like Loading...",
    "Subscribe to our newsletter",
    "Sign up for our daily newsletter",
    "Source link",
    "Read more",
    "Read more »",
    "READ MORE: Council votes on bridge",
    "Read the full story",
    "Continue reading…",
    "Continue reading “The bridge”",
    "Click here to read more",
    "The post The bridge vote appeared first on City Blog.",
    "Advertisement",
    "Story continues below advertisement",
    "Related stories",
    "Related: Council votes on bridge",
]


def _text(html: str | None) -> str:
    return html_to_text(html)


@pytest.mark.parametrize("line", CLUTTER)
@pytest.mark.parametrize(
    "wrap",
    [
        "<p>{}</p>",
        "<div>{}</div>",
        "<ul><li>{}</li></ul>",
        "<h3>{}</h3>",
        '<p><a href="https://site.example/more">{}</a></p>',
        "<p>Line before<br>{}<br></p>",
    ],
)
def test_clutter_lines_never_survive(line: str, wrap: str) -> None:
    out = clean_html(STORY + wrap.format(line))
    text = _text(out)
    assert "council approved the new bridge" in text
    assert line.lower().rstrip(".…»: ") not in text.lower()


@pytest.mark.parametrize("line", CLUTTER)
def test_a_fragment_that_is_only_clutter_becomes_nothing(line: str) -> None:
    assert clean_html(f"<p>{line}</p>") is None
    assert clean_html(line) is None


@pytest.mark.parametrize(
    "prose",
    [
        "Readers who read more than ten books a year are happier, the survey found.",
        "She said the share of renewable energy grew to 40 percent last year.",
        "Subscribers complained; the company said it would continue reading the letters.",
        "Advertisement spending fell by a third during the downturn, analysts said.",
    ],
)
def test_prose_that_mentions_clutter_words_is_kept(prose: str) -> None:
    assert _text(clean_html(f"<p>{prose}</p>")) == prose


def test_read_more_link_closing_a_paragraph_goes_but_the_sentence_stays() -> None:
    out = clean_html(
        '<p>The bridge opens in May. <a href="https://x.example/a">Read more »</a></p>'
    )
    assert _text(out) == "The bridge opens in May."


def test_read_more_link_inside_prose_stays() -> None:
    html = '<p>You can <a href="https://x.example/a">read more</a> about it in our guide.</p>'
    assert "read more" in _text(clean_html(html))


def test_share_bars_newsletter_boxes_and_pixels_go() -> None:
    html = (
        STORY + '<div><a href="https://www.facebook.com/sharer/sharer.php?u=1">f</a>'
        '<a href="https://twitter.com/intent/tweet?url=1">t</a>'
        '<a href="https://site.example/post?share=email&nb=1">Email</a>'
        '<a href="mailto:?subject=Bridge&body=https://x">Mail</a></div>'
        '<a href="https://feeds.feedburner.com/~ff/site?a=1"><img src="https://feeds.feedburner.com/~ff/site?d=1"></a>'
        "<aside><h4>Newsletter</h4><p>Get the morning briefing in your inbox.</p>"
        "<p>Enter your email address to subscribe.</p></aside>"
        '<img src="https://site.example/photo.jpg" width="600" height="400">'
        '<img src="https://stats.example/p.gif" width="1" height="1">'
        '<img src="https://feeds.feedburner.com/~r/site/~4/abc">'
    )
    out = clean_html(html) or ""
    assert "sharer" not in out and "intent" not in out and "share=email" not in out
    assert "mailto" not in out and "feedburner" not in out and "p.gif" not in out
    assert "newsletter" not in out.lower() and "inbox" not in out
    assert "photo.jpg" in out
    assert "council approved" in out


def test_tracking_parameters_are_stripped_from_links_and_images() -> None:
    html = (
        '<p><a href="https://x.example/a?id=7&utm_source=rss&utm_medium=feed&fbclid=Z">a</a>'
        '<img src="https://x.example/i.jpg?w=600&gclid=1&mc_eid=2"></p>'
    )
    out = clean_html(html) or ""
    assert 'href="https://x.example/a?id=7"' in out
    assert 'src="https://x.example/i.jpg?w=600"' in out


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/a?utm_source=a&utm_campaign=b", "https://x.example/a"),
        ("https://x.example/a?id=1&fbclid=2", "https://x.example/a?id=1"),
        (
            "https://www.dailymail.co.uk/news/a.html?ns_mchannel=rss&ito=1490&ns_campaign=1490",
            "https://www.dailymail.co.uk/news/a.html",
        ),
        ("https://x.example/a?page=2", "https://x.example/a?page=2"),
        ("https://x.example/a", "https://x.example/a"),
    ],
)
def test_strip_tracking(url: str, expected: str) -> None:
    assert strip_tracking(url) == expected


def test_per_feed_selectors_cut_more() -> None:
    html = STORY + "<blockquote><p>A pull quote repeated from the text.</p></blockquote>"
    assert "pull quote" not in _text(clean_html(html, remove=["blockquote"]))
    assert "pull quote" in _text(clean_html(html))


def test_bad_selector_is_a_clear_error() -> None:
    with pytest.raises(InvalidSelectorError):
        compile_selector("div[[")


def test_tables_keep_their_cells() -> None:
    html = "<table><tr><td>Share</td><td>Price</td></tr><tr><td>ACME</td><td>12</td></tr></table>"
    assert "ACME 12" in _text(clean_html(html))


@given(st.text(max_size=200))
def test_clean_html_never_raises_and_is_idempotent(text: str) -> None:
    once = clean_html(text)
    assert clean_html(once) == once


@given(st.text(alphabet=st.characters(categories=["L", "N", "Zs"]), min_size=400, max_size=600))
def test_long_lines_are_prose(text: str) -> None:
    assert not is_clutter_line("Read more " + text)
