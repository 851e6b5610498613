"""Clutter removal: what a story is wrapped in, cut away; the text kept.

A small curated rule set, applied to feed content and extracted articles alike:

- lines and blocks that are only clutter ("You can share this story on social
  media:", "Read more", "Source link", "The post … appeared first on …",
  follow/subscribe prompts, "Advertisement", "Related stories" headings with
  their link lists), matched on the *whole* line, so text that merely mentions
  these words stays;
- share links (facebook sharer, twitter intent, ``?share=…``, FeedBurner flares)
  and the bars they leave empty; newsletter sign-up boxes;
- 1x1 and tracker images;
- tracking query parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_eid`` …) in
  links and image sources.

Per-feed CSS selectors cut more (``remove``). The output is HTML for the
sanitizer, which always runs after this (it is not a sanitizer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from lxml import etree, html

from tidings.core.urls import strip_tracking
from tidings.errors import TidingsError

__all__ = [
    "InvalidSelectorError",
    "clean_html",
    "clean_parsed",
    "compile_selector",
    "is_clutter_line",
    "select",
    "strip_tracking",
]

_LINE_RULES = (
    r"(you can )?share (this|the) (story|article|post|page|video)( on social media| with .{1,30})?",
    r"share (this|on|via|to)( \w+)?",
    r"share( this)?( on| via)? (facebook|twitter|x|linkedin|whatsapp|e-?mail|reddit|pinterest"
    r"|telegram|messenger)",
    r"((share|tweet|e-?mail|print|comments?|facebook|twitter|linkedin|whatsapp|save)\W*){2,}",
    r"(follow|like|find) us on .{1,60}",
    r"like this:?( like loading\W*)?|like loading\W*",
    r"subscribe( now| today)?( to| for| and)? .{0,80}",
    r"(sign up|signup|register|subscribe) (for|to) (our|the|my|a) .{0,40}newsletters?.{0,80}",
    r"get (our|the) .{0,30}newsletter.{0,60}|(the |our )?newsletters?( sign[- ]?up)?",
    r"source link",
    r"(related|read more|read also|also read|see also|more on this( story)?)\s*:.{1,200}",
    r"(click here to )?read (more|the (full|rest of the|original) (story|article|post))\b.{0,60}",
    r"continue reading\b.{0,100}",
    r"click here to (read|continue|subscribe|sign up|see|view|download)\b.{0,80}",
    r"the post .{1,300} appeared first on .{1,120}",
    r"advertisement|ad|sponsored|story continues below( advertisement)?",
    r"(related|more|recommended|popular|trending|top) "
    r"(stories|articles|posts|links|news|reads|videos)",
    r"related( coverage| content| reading)?|recommended( for you)?|you (may|might) also like",
    r"(most (read|popular|viewed|shared))( (stories|articles|now|today))?",
    r"(view|see) (comments|all comments)",
    r"(photo|image) gallery|(open|view) (gallery|slideshow)",
)
_LINE_RE = re.compile(
    r"\A\W*(?:" + "|".join(f"(?:{r})" for r in _LINE_RULES) + r")[\s:.…»›→>\-|]*\Z",
    re.IGNORECASE,
)
_MAX_LINE = 320  # longer lines are prose, whatever their first words
_RELATED_RE = re.compile(
    r"\A\W*(related|more|recommended|popular|trending|top)?\s*(stories|articles|posts|links|news|"
    r"reads|coverage|content|reading)?\W*\Z|\A\W*(related|recommended|you (may|might) also like|"
    r"(more|most) (read|popular|from .{1,40}))\W*\Z",
    re.IGNORECASE,
)
_NEWSLETTER_RE = re.compile(r"newsletter", re.IGNORECASE)
_SIGNUP_RE = re.compile(
    r"sign up|signup|subscribe|inbox|e-?mail address|your e-?mail", re.IGNORECASE
)
_SHARE_URL_RE = re.compile(
    r"(facebook\.com/(sharer|share\.php|dialog/(share|feed))|(twitter|x)\.com/(intent|share|home\?status)"
    r"|linkedin\.com/(share|shareArticle|cws/share)|pinterest\.[a-z.]+/pin/create|reddit\.com/submit"
    r"|(api\.)?whatsapp\.com/send|wa\.me/\?|t\.me/share|telegram\.me/share|tumblr\.com/(share|widgets/share)"
    r"|news\.ycombinator\.com/submitlink|getpocket\.com/(save|edit)|flipboard\.com/bookmarklet"
    r"|mix\.com/add|vk\.com/share|xing\.com/(app/user\?op=share|spi/shares)"
    r"|feeds\.feedburner\.com/~(ff|a|at)/|addtoany\.com/(share|add_to)|sharethis\.com"
    r"|[?&]share=(twitter|facebook|email|linkedin|reddit|pinterest|tumblr|pocket|telegram"
    r"|jetpack-whatsapp|print|skype|mastodon|bluesky|threads|nextdoor|x)\b)",
    re.IGNORECASE,
)
_MAILTO_SHARE_RE = re.compile(r"^mailto:[^?]*\?.*\b(subject|body)=", re.IGNORECASE)
_TRACKER_SRC_RE = re.compile(
    r"(feeds\.feedburner\.com/~r/|feedsportal\.com|stats\.wordpress\.com|pixel\.wp\.com"
    r"|doubleclick\.net|google-analytics\.com|/pixel(\.gif|\.png)?\b|/beacon\b|/1x1\.|/blank\.gif"
    r"|/spacer\.gif|/tracking/|[?&]utm_medium=email_pixel)",
    re.IGNORECASE,
)

_BLOCK_TAGS = "p div li h1 h2 h3 h4 h5 h6 blockquote section aside header footer figure figcaption"
_BLOCKS = frozenset([*_BLOCK_TAGS.split(), "dd", "dt", "caption", "center", "nav", "form"])
_CONTAINERS = frozenset(
    ["div", "section", "aside", "form", "footer", "header", "nav", "table", "center"]
)
_INLINE_TAGS = "ul ol dl span a strong em b i small u font table tbody thead tfoot tr"
_PRUNABLE = _BLOCKS | frozenset(_INLINE_TAGS.split())
_MEDIA = "img|video|audio|iframe|picture|svg|object|embed|source|hr|math"
_MEDIA_TAGS = tuple(_MEDIA.split("|"))


def _has_media(el: etree._Element) -> bool:
    """Does ``el`` hold an image, a video or other media (10x an XPath query)?"""
    return next(el.iterdescendants(*_MEDIA_TAGS), None) is not None


class InvalidSelectorError(TidingsError, ValueError):
    """A per-feed CSS selector that does not parse."""


@lru_cache(maxsize=512)
def compile_selector(selector: str) -> etree.XPath:
    """Compile a CSS selector (cached); raises ``InvalidSelectorError``.

    Needs the ``cssselect`` package, imported only when a feed has selectors.
    """
    try:
        from lxml.cssselect import CSSSelector, SelectorError
    except ImportError:  # pragma: no cover - cssselect is a dependency
        raise InvalidSelectorError("CSS selectors need the cssselect package") from None
    try:
        return CSSSelector(selector, translator="html")
    except (SelectorError, SyntaxError, ValueError) as exc:
        raise InvalidSelectorError(f"invalid CSS selector {selector!r}: {exc}") from None


def is_clutter_line(text: str) -> bool:
    """Is this whole line (a paragraph, list item, link text) clutter?"""
    text = " ".join(text.split())
    return 0 < len(text) <= _MAX_LINE and _LINE_RE.match(text) is not None


def clean_html(fragment: str | None, *, remove: Sequence[str] = ()) -> str | None:
    """``fragment`` with clutter cut away; ``remove`` adds per-feed CSS selectors.

    Returns the input unchanged when it holds no markup and is not itself
    clutter, and None when nothing but clutter was there.
    """
    return clean_parsed(fragment, remove=remove)[0]


def clean_parsed(
    fragment: str | None, *, remove: Sequence[str] = ()
) -> tuple[str | None, html.HtmlElement | None]:
    """``clean_html``, and the fragment's parsed tree (wrapped in a ``div``) when
    nothing was cut from it, so the caller need not parse the same markup again."""
    if not fragment:
        return fragment, None
    if "<" not in fragment:
        return (None if is_clutter_line(html_text_of(fragment)) else fragment), None
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment, None
    if not clean_tree(root, remove=remove):
        return fragment, root  # nothing to cut: the input as it was
    if not _has_content(root):
        return None, None
    out = (root.text or "") + "".join(html.tostring(child, encoding="unicode") for child in root)
    return out.strip() or None, None


def html_text_of(text: str) -> str:
    """Entity-decoded plain text of a markup-free string."""
    return _text(html.fromstring(f"<p>{text}</p>")) if "&" in text else text


def clean_tree(root: html.HtmlElement, *, remove: Sequence[str] = ()) -> int:
    """Cut clutter from a parsed tree, in place (the root itself is kept).

    Returns how many cuts it made (0: the tree is as it was).
    """
    cuts = sum(_drop_all(select(selector, root)) for selector in remove)
    cuts += _drop_all(el for el in root.iter("img") if _is_tracker_image(el))
    cuts += _drop_all(el for el in root.iter("a") if _is_share_link(el) or _is_clutter_link(el))
    cuts += _drop_newsletter_boxes(root)
    cuts += _drop_clutter_lines(root)
    cuts += _strip_tracking_params(root)
    if cuts:
        _prune_empty(root)
    return cuts


def _text(el: etree._Element) -> str:
    """All the text inside ``el`` (lxml's ``text_content`` for any element)."""
    return str(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def select(selector: str, root: etree._Element) -> list[etree._Element]:
    """The elements a (compiled, cached) CSS selector finds under ``root``."""
    found = compile_selector(selector)(root)
    return [el for el in found if isinstance(el, etree._Element)] if isinstance(found, list) else []


def _drop_all(elements: Iterable[etree._Element]) -> int:
    found = list(elements)
    for el in found:
        _drop(el)
    return len(found)


def _drop(el: etree._Element) -> None:
    """Remove ``el`` but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _is_tracker_image(img: etree._Element) -> bool:
    dims = [img.get("width"), img.get("height")]
    sizes = [_int(d) for d in dims if d is not None]
    if sizes and all(s is not None and s <= 1 for s in sizes):
        return True
    src = img.get("src") or ""
    return bool(src) and _TRACKER_SRC_RE.search(src) is not None


def _int(value: str) -> int | None:
    digits = re.match(r"\s*(\d+)", value)
    return int(digits.group(1)) if digits else None


def _is_share_link(a: etree._Element) -> bool:
    href = a.get("href") or ""
    return _SHARE_URL_RE.search(href) is not None or _MAILTO_SHARE_RE.match(href) is not None


def _is_clutter_link(a: etree._Element) -> bool:
    """A "Read more »" link alone on its line or closing its paragraph (not one in prose)."""
    if not is_clutter_line(_text(a)) or _has_media(a):
        return False
    nxt = a.getnext()
    closes_line = not (a.tail or "").strip(" .…»›→") and (nxt is None or nxt.tag == "br")
    parent = a.getparent()
    alone = parent is not None and _text(parent).strip() == _text(a).strip()
    return closes_line or alone


def _drop_clutter_lines(root: html.HtmlElement) -> int:
    cuts = 0
    for el in list(root.iter(*_BLOCKS)):
        if el is root or el.getparent() is None:
            continue
        text = _text(el)
        if len(text) > _MAX_LINE * 2 or not is_clutter_line(text) or _has_media(el):
            continue
        if el.tag.startswith("h") and _RELATED_RE.match(text):
            cuts += _drop_following_list(el)
        _drop(el)
        cuts += 1
    return cuts + _drop_clutter_br_lines(root)


def _drop_following_list(heading: etree._Element) -> int:
    nxt = heading.getnext()
    if nxt is not None and nxt.tag in ("ul", "ol") and not (heading.tail or "").strip():
        _drop(nxt)
        return 1
    return 0


def _drop_clutter_br_lines(root: html.HtmlElement) -> int:
    """Plain-text lines between ``<br>`` tags (teasers often end with one)."""
    cuts = 0
    for br in list(root.iter("br")):
        tail = br.tail or ""
        nxt = br.getnext()
        if tail.strip() and (nxt is None or nxt.tag == "br") and is_clutter_line(tail):
            br.tail = None
            cuts += 1
    for el in list(root.iter(*_BLOCKS)):
        first = el[0] if len(el) else None
        alone = first is None or first.tag == "br"
        if el is not root and el.text and alone and is_clutter_line(el.text):
            el.text = None
            cuts += 1
    return cuts


def _drop_newsletter_boxes(root: html.HtmlElement) -> int:
    """Short containers (a box, not the article) that ask for a newsletter sign-up."""
    cuts = 0
    for el in list(root.iter(*_CONTAINERS)):
        if el is root or el.getparent() is None:
            continue
        text = _text(el)
        if len(text) > 600 or not _NEWSLETTER_RE.search(text) or not _SIGNUP_RE.search(text):
            continue
        if len(el.findall(".//p")) <= 3:
            _drop(el)
            cuts += 1
    return cuts


def _strip_tracking_params(root: html.HtmlElement) -> int:
    cuts = 0
    for el in root.iter("a", "img", "source", "video", "audio"):
        for attr in ("href", "src"):
            value = el.get(attr)
            if value and "?" in value:
                clean = strip_tracking(value)
                if clean != value:
                    el.set(attr, clean)
                    cuts += 1
    return cuts


def _has_content(el: etree._Element) -> bool:
    return bool(_text(el).strip()) or _has_media(el)


def _prune_empty(root: html.HtmlElement) -> None:
    """Remove elements the cuts left without text or media (trailing ``<br>`` too)."""
    for el in reversed(list(root.iter(*_PRUNABLE))):
        if el is not root and el.getparent() is not None and not _has_content(el):
            _drop(el)
    for parent in [root, *root.iter(*_BLOCKS)]:
        while len(parent) and parent[-1].tag == "br" and not (parent[-1].tail or "").strip():
            parent.remove(parent[-1])
