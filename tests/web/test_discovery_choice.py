"""Autodiscovery's choice in the web (#15): a site page naming several feeds is
answered with the list (title, URL, type) and nothing is subscribed until the
reader picks one; the pick is a second POST (CSRF-protected) whose URL must be
one of the feeds the page names, found again by the same guarded discovery.
A page naming one feed, or a feed's own address, subscribes at once as before."""

from __future__ import annotations

import re
from typing import Any

from feedserver import FeedServer

from web.conftest import WebServer

RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
    "<link>https://site.example/</link><item><title>One</title><guid>{title}-1</guid>"
    "<link>https://site.example/1</link></item></channel></rss>"
)
ATOM = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    "<title>{title}</title><id>urn:{title}</id><updated>2026-01-01T00:00:00Z</updated>"
    "<entry><title>A</title><id>urn:{title}:1</id><updated>2026-01-01T00:00:00Z</updated>"
    "</entry></feed>"
)
PAGE = (
    "<html><head><title>A site</title>"
    '<link rel="alternate" type="application/atom+xml" title="Posts &amp; notes" href="/posts.atom">'
    '<link rel="alternate" type="application/rss+xml" '
    'title="&lt;script&gt;alert(1)&lt;/script&gt;Comments\x07" href="/comments.rss">'
    "</head><body>A site</body></html>"
)


def _site(feed_server: FeedServer) -> str:
    feed_server.set("/posts.atom", ATOM.format(title="Posts").encode(), "application/atom+xml")
    feed_server.set("/comments.rss", RSS.format(title="Comments").encode())
    feed_server.set("/", PAGE.encode(), content_type="text/html")
    return feed_server.url("/")


def _signed_in(web: WebServer) -> Any:
    client = web.client()
    client.login("admin")
    client.get("/subscriptions")
    return client


def _followed(web: WebServer) -> list[str]:
    admin = web.agg.accounts.get_users()[0]
    return sorted(f.state.url for f in web.agg.get_feeds(admin.id))


def _choices(body: str) -> list[str]:
    return re.findall(r'<input type="radio" name="feed" value="([^"]+)"', body)


def test_a_page_naming_two_feeds_is_answered_with_the_list(
    web: WebServer, feed_server: FeedServer
) -> None:
    site = _site(feed_server)
    client = _signed_in(web)
    page = client.post("/subscriptions", {"url": site, "category": "Blogs"})
    assert page.status == 200
    assert _choices(page.body) == [feed_server.url("/posts.atom"), feed_server.url("/comments.rss")]
    assert "names 2 feeds" in page.body
    assert "Posts &amp; notes" in page.body and "Atom" in page.body and "RSS" in page.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Comments" in page.body  # escaped
    assert "<script>alert" not in page.body and "\x07" not in page.body
    # the form carries what the next POST needs: the page's address, the category, the token
    form = page.body[page.body.index('class="choose-feed"') :]
    form = form[: form.index("</form>")]
    assert f'name="url" value="{site}"' in form and 'name="category" value="Blogs"' in form
    assert 'name="csrf"' in form
    assert _followed(web) == []  # nothing yet


def test_choosing_the_second_subscribes_to_it(web: WebServer, feed_server: FeedServer) -> None:
    site = _site(feed_server)
    client = _signed_in(web)
    client.post("/subscriptions", {"url": site, "category": "Blogs"})
    chosen = client.post(
        "/subscriptions",
        {"url": site, "category": "Blogs", "feed": feed_server.url("/comments.rss")},
    )
    assert chosen.status == 303 and "added=" in (chosen.header("location") or "")
    assert _followed(web) == [feed_server.url("/comments.rss")]
    admin = web.agg.accounts.get_users()[0]
    assert [f.category for f in web.agg.get_feeds(admin.id)] == ["Blogs"]
    again = client.post("/subscriptions", {"url": site})  # the list says which is followed
    items = re.findall(r"<li><label>.*?</label></li>", again.body, re.S)
    assert len(items) == 2
    assert "following" not in items[0] and 'class="badge following"' in items[1]


def test_a_feed_the_page_does_not_name_is_refused_and_never_fetched(
    web: WebServer, feed_server: FeedServer
) -> None:
    site = _site(feed_server)
    feed_server.set("/smuggled.xml", RSS.format(title="Smuggled").encode())
    client = _signed_in(web)
    for smuggled in (
        feed_server.url("/smuggled.xml"),
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        feed_server.url("/posts.atom") + "?x=1",
    ):
        refused = client.post("/subscriptions", {"url": site, "feed": smuggled})
        assert refused.status == 400, smuggled
        assert "not one of the feeds" in refused.body
    assert feed_server.hits("/smuggled.xml") == 0
    assert _followed(web) == []


def test_the_choice_is_found_again_so_a_page_that_dropped_it_is_refused(
    web: WebServer, feed_server: FeedServer
) -> None:
    site = _site(feed_server)
    client = _signed_in(web)
    client.post("/subscriptions", {"url": site})
    one = PAGE.replace('href="/comments.rss"', 'href="/other.rss"')
    feed_server.set("/", one.encode(), content_type="text/html")
    refused = client.post("/subscriptions", {"url": site, "feed": feed_server.url("/comments.rss")})
    assert refused.status == 400 and "not one of the feeds" in refused.body
    assert feed_server.hits("/comments.rss") == 0
    assert _followed(web) == []


def test_the_choice_needs_the_csrf_token(web: WebServer, feed_server: FeedServer) -> None:
    site = _site(feed_server)
    client = _signed_in(web)
    form = {"url": site, "feed": feed_server.url("/comments.rss")}
    assert client.post("/subscriptions", form, csrf=False).status == 403
    assert _followed(web) == []


def test_a_chosen_feed_that_is_not_readable_says_so(
    web: WebServer, feed_server: FeedServer
) -> None:
    site = _site(feed_server)
    feed_server.set("/comments.rss", b"<html>not a feed</html>", content_type="text/html")
    client = _signed_in(web)
    page = client.post("/subscriptions", {"url": site})
    assert page.status == 200 and len(_choices(page.body)) == 2
    broken = client.post("/subscriptions", {"url": site, "feed": feed_server.url("/comments.rss")})
    assert broken.status == 400 and "not a feed Tidings can read" in broken.body
    assert _followed(web) == []


def test_a_page_naming_one_feed_subscribes_at_once(web: WebServer, feed_server: FeedServer) -> None:
    feed_server.set("/posts.atom", ATOM.format(title="Posts").encode(), "application/atom+xml")
    one = '<html><head><link rel="alternate" type="application/atom+xml" href="/posts.atom">'
    feed_server.set("/", one.encode(), content_type="text/html")
    client = _signed_in(web)
    added = client.post("/subscriptions", {"url": feed_server.url("/")})
    assert added.status == 303 and "added=" in (added.header("location") or "")
    assert _followed(web) == [feed_server.url("/posts.atom")]


def test_a_feeds_own_address_subscribes_at_once(web: WebServer, feed_server: FeedServer) -> None:
    feed_server.set("/comments.rss", RSS.format(title="Comments").encode())
    client = _signed_in(web)
    added = client.post("/subscriptions", {"url": feed_server.url("/comments.rss")})
    assert added.status == 303
    assert _followed(web) == [feed_server.url("/comments.rss")]


def test_a_page_naming_no_feed_says_so(web: WebServer, feed_server: FeedServer) -> None:
    feed_server.set("/", b"<html><body>Nothing here</body></html>", content_type="text/html")
    client = _signed_in(web)
    page = client.post("/subscriptions", {"url": feed_server.url("/")})
    assert page.status == 400 and "no feed found" in page.body
    assert _followed(web) == []
