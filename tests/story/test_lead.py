"""The lead (#11): the feed's standfirst is kept as the lead and shown between the
source line and the text, unless it is the text's own first paragraph; anchors the
sanitizer left without an href or without anything to click are gone."""

from __future__ import annotations

from conftest import Tidings
from feedserver import FeedServer

from story.pages import article_page, paragraphs
from tidings.content.sanitize import sanitize_html
from tidings.content.story import FeedInfo, Page, build_update, build_updates
from tidings.content.text import shown_lead
from tidings.model import EntryData, EntryUpdate, StoryContext

URL = "https://news.example/harbour/0"
STANDFIRST = "Russia is ready to declare an immediate ceasefire, the Kremlin said on Tuesday."
# a standfirst of the harbour story (tests/story/pages.py) that is not its opening
HARBOUR = "After a decade of storms, a new breakwater for the harbour: the authority approved it."


def _update(summary: str | None, content: str | None = None) -> EntryUpdate:
    data = EntryData(id="e1", title="Ceasefire", link=URL, summary=summary, content=content)
    return EntryUpdate(data, "hash", is_new=True)


def test_a_standfirst_above_the_fetched_article_is_the_lead() -> None:
    pages = {"news.example/harbour/0": Page(URL, article_page(0), "text/html")}
    (out,) = build_updates([_update(f"<p>{HARBOUR}</p>")], FeedInfo(id=1), StoryContext(), pages)
    story = out.story
    assert story is not None and story.full_content is not None
    assert story.lead == HARBOUR
    assert shown_lead(story.lead, out.data.summary, story.full_content) == HARBOUR


def test_a_standfirst_above_the_feeds_content_is_the_lead() -> None:
    body = "<p>" + "</p><p>".join(paragraphs(0)) + "</p>"
    out = build_update(_update(f"<p>{STANDFIRST}</p>", body), FeedInfo(id=1), None, ())
    assert out.story is not None and out.story.lead == STANDFIRST
    assert shown_lead(out.story.lead, out.data.summary, out.data.content) == STANDFIRST


def test_a_lead_that_is_the_texts_first_paragraph_is_not_shown_twice() -> None:
    first = paragraphs(0)[0]
    body = "<p>" + "</p><p>".join(paragraphs(0)) + "</p>"
    out = build_update(_update(body), FeedInfo(id=1), None, ())
    assert out.story is not None and out.story.lead == first
    assert shown_lead(out.story.lead, out.data.summary, out.data.summary) is None
    # a teaser that is the article's opening, cut short, is not a lead of its own
    teaser = f"<p>{first[:80]}…</p>"
    assert shown_lead(None, teaser, body) is None
    assert shown_lead(first[:80] + "…", teaser, body) is None


def test_anchors_without_href_or_content_are_removed() -> None:
    out = sanitize_html('<p>Text <a href="javascript:alert(1)">more</a></p>')
    assert "<a" not in out and "more" in out
    assert "<a" not in sanitize_html('<p>x <a href="https://e.example/"> </a></p>')
    assert "<a" not in sanitize_html('<p>x <a href="https://e.example/">&nbsp;</a></p>')
    kept = sanitize_html('<a href="https://e.example/"><img src="https://e.example/i.png"></a>')
    assert 'href="https://e.example/"' in kept
    assert "<a " in sanitize_html('<p>See <a href="https://e.example/">this</a>.</p>')


STANDFIRST_FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Wire</title><link>https://wire.example/</link><description>d</description>
<item><title>Ceasefire</title><link>https://wire.example/1</link><guid>w1</guid>
<description>{STANDFIRST}</description>
<content:encoded><![CDATA[<p>{paragraphs(0)[0]}</p><p>{paragraphs(0)[1]}</p>]]></content:encoded>
</item></channel></rss>""".encode()


def test_cli_and_story_page_show_the_lead(tidings: Tidings, feed_server: FeedServer) -> None:
    feed_server.set("/wire.xml", STANDFIRST_FEED)
    tidings.run("add", feed_server.url("/wire.xml"))
    tidings.run("refresh")
    (entry,) = tidings.json("entries")
    shown = tidings.run("show", str(entry["id"])).stdout
    lines = shown.splitlines()
    lead_at = lines.index(STANDFIRST)
    assert lines.index("Wire") < lead_at < lines.index(paragraphs(0)[0])
