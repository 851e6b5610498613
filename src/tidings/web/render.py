"""Templates and their filters: everything that turns data into HTML.

Autoescape is on for every template. Only two things are ever marked safe:
entry HTML, passed through the nh3 sanitizer again (``sanitized``), and search
highlights built here from escaped text (``highlighted``). Every URL goes
through ``safe_url`` (HOSTILE C6, C7).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from tidings.content.media import deferred_frames, format_duration, format_size, media_badge
from tidings.content.sanitize import sanitize_html
from tidings.content.source import source_line
from tidings.content.text import first_paragraph, fragment_html, shown_lead
from tidings.core.search import MARK_END, MARK_START

HERE = Path(__file__).parent


def safe_url(url: str | None) -> str:
    """Only http(s) URLs reach an href or src; anything else becomes '#' (HOSTILE C6)."""
    if not url:
        return "#"
    cleaned = url.strip()
    if any(ord(ch) < 32 for ch in cleaned):
        return "#"
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return "#"
    return cleaned if scheme in {"http", "https"} else "#"


def relative_time(dt: datetime | None, now: datetime | None = None) -> str:
    if dt is None:
        return ""
    seconds = int(((now or datetime.now(UTC)) - dt).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            if unit == "day" and n > 30:
                return dt.strftime("%d %b %Y")
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return ""


def highlighted(text: str | None) -> Markup:
    """Escape ``text``, then turn the search markers into ``<mark>`` elements."""
    escaped = str(escape(text or ""))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def iso(dt: datetime | None) -> str:
    return dt.astimezone(UTC).isoformat() if dt else ""


def when(dt: datetime | None) -> str:
    return dt.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC") if dt else "never"


def path_part(value: str) -> str:
    """Quote a value for one URL path segment (a category name, say)."""
    return quote(value, safe="")


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )
    env.filters.update(
        safe_url=safe_url,
        reltime=relative_time,
        lead=first_paragraph,
        # the lead above a story's text, unless it is the text's first paragraph (#11)
        shown_lead=lambda e: shown_lead(e.lead, e.summary, e.content or e.summary),
        source=source_line,
        iso=iso,
        when=when,
        highlighted=highlighted,
        path_part=path_part,
        # media (#15): a card's "▶ podcast 42 min", a player's duration and size
        media_badge=lambda e: media_badge(e.enclosures, e.link, e.guid),
        duration=format_duration,
        filesize=format_size,
        urlencode=lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")}),
        # entry HTML was sanitized at ingest; it is sanitized again here (nh3, ~0.4 ms
        # for 12 KB) so that no stored markup reaches a page unchecked (HOSTILE C1); its
        # text without tags is shown with its paragraphs and links, its video frames load
        # only on a click (#15)
        sanitized=lambda html: Markup(deferred_frames(sanitize_html(fragment_html(html or "")))),
    )
    return env


class Renderer:
    """Renders full pages and fragments with the request's CSP nonce."""

    def __init__(self) -> None:
        self.env = make_environment()

    def html(self, request: Request, template: str, context: dict[str, Any]) -> str:
        context.setdefault("nonce", request.state.csp_nonce)
        context["request"] = request
        return self.env.get_template(template).render(**context)

    def page(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        return HTMLResponse(self.html(request, template, context), status_code=status)
