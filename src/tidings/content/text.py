"""HTML fragments to plain text (for the terminal, leads and search), and plain
text to HTML (``text_to_html``: a text construct, a YouTube description)."""

from __future__ import annotations

import html as html_entities
import re

from lxml import etree, html

from tidings.core.search import MARK_END, MARK_START

_BLOCKS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "section",
        "article",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "table",
        "header",
        "footer",
    ]
)
_CELLS = frozenset(["td", "th"])  # cells of a row stay on one line, apart
_TO_SPACE = "\t\r\f\v\u00a0"
_SPACE_RUNS = re.compile(" {2,}")
_BLANKS = re.compile(r"\n\s*\n+")
MAX_SEARCH_CHARS = 100_000
_TAG = re.compile(r"<[^>]*>")
_MARKERS = re.compile(f"[{MARK_START}{MARK_END}\x00]")


def html_to_text(fragment: str | None) -> str:
    """Readable text from an HTML fragment: blocks become paragraphs."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return fragment
    return tree_text(root)


def tree_text(root: etree._Element) -> str:
    """``html_to_text`` of a fragment already parsed (``root`` is its wrapper)."""
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCKS:
                parts.append("\n\n" if tag != "br" else "\n")
            if tag == "li":
                parts.append("• ")
            elif tag in _CELLS:
                parts.append(" ")
            if el.text and tag not in {"script", "style"}:
                parts.append(el.text)
        else:
            if tag in _BLOCKS and tag != "br":
                parts.append("\n\n")
            if el is not root and el.tail:
                parts.append(el.tail)
    return _tidy("".join(parts))


def _tidy(text: str) -> str:
    """Each line's runs of spaces made one and the line stripped; blank lines
    collapsed (str methods: 10x a regular expression with this class; #4)."""
    for char in _TO_SPACE:  # str.translate with this table is 10x slower
        if char in text:
            text = text.replace(char, " ")
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def first_paragraph(fragment: str | None, max_chars: int = 400) -> str:
    """The lead: the first paragraph of text, cut at a word boundary."""
    return first_paragraph_of_text(html_to_text(fragment), max_chars)


def first_paragraph_of_text(text: str, max_chars: int = 400) -> str:
    """``first_paragraph`` of text already converted by ``html_to_text``."""
    lead = text.split("\n\n", 1)[0].strip()
    if len(lead) <= max_chars:
        return lead
    cut = lead[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


_WORDS = re.compile(r"\w+")


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def opens_with(text: str, lead: str) -> bool:
    """Whether plain ``text`` begins with ``lead`` (or with its first half, for a lead
    cut short), ignoring case, punctuation and spacing."""
    probe = _words(lead)
    probe = probe[: max(20, len(probe) // 2)]
    return bool(probe) and _words(text[: 2 * len(lead) + 200]).startswith(probe)


def shown_lead(lead: str | None, summary: str | None, body: str | None) -> str | None:
    """The lead to show between a story's source line and its text (#11): its lead
    (for entries stored without one, the summary's first paragraph when the text
    shown is other content), unless it is just the text's own first paragraph."""
    if not lead and summary and body and summary != body:
        lead = first_paragraph(summary)
    if not lead:
        return None
    return None if opens_with(html_to_text(body), lead) else lead


def plain_text(fragment: str | None) -> str:
    """Searchable text of a sanitized HTML fragment (tags dropped, entities decoded,
    search highlight markers removed), at most ``MAX_SEARCH_CHARS``."""
    if not fragment:
        return ""
    text = fragment[: MAX_SEARCH_CHARS * 2]
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html_entities.unescape(text)
    text = " ".join(text.split())  # what ``\s+`` -> " " does, 10x faster
    if MARK_START in text or MARK_END in text or "\x00" in text:
        text = _MARKERS.sub(" ", text).strip()
    return text[:MAX_SEARCH_CHARS]


_URL_RE = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?'\")]}*"
_PARAGRAPHS = re.compile(r"\n[ \t\f\v]*\n\s*")
_LINK_REL = "noopener noreferrer nofollow"  # what the sanitizer gives every link


def text_to_html(text: str) -> str:
    """Plain ``text`` as HTML (#15): escaped, its blank lines separating paragraphs,
    its other line breaks kept (``<br>``), its http(s) URLs links. Text of one line
    without a URL is only escaped, as before. The result is stable under the
    sanitizer (sanitizing it again changes nothing)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\n" not in text and "://" not in text:
        return html_entities.escape(text, quote=False)
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text)]
    return "".join(
        "<p>" + "<br>".join(_linked(line.strip()) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p
    )


def fragment_html(fragment: str) -> str:
    """A stored HTML fragment as a page shows it: one without any tag is text (entries
    stored before #15 kept a YouTube description so), its paragraphs and URLs made
    HTML by :func:`text_to_html`; one with tags is left as it is."""
    if "<" in fragment:
        return fragment
    return text_to_html(html_entities.unescape(fragment) if "&" in fragment else fragment)


def _linked(line: str) -> str:
    """One line of text, escaped, its URLs made links."""
    out: list[str] = []
    at = 0
    for match in _URL_RE.finditer(line):
        url = _trimmed(match.group(0))
        start, end = match.start(), match.start() + len(url)
        out.append(html_entities.escape(line[at:start], quote=False))
        shown = html_entities.escape(url, quote=False)
        out.append(f'<a href="{html_entities.escape(url)}" rel="{_LINK_REL}">{shown}</a>')
        at = end
    out.append(html_entities.escape(line[at:], quote=False))
    return "".join(out)


def _trimmed(url: str) -> str:
    """A URL found in text without the punctuation that closes its sentence; a
    closing parenthesis stays when the URL opened one (Wikipedia's ``(film)``)."""
    while url and url[-1] in _URL_TAIL:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url
