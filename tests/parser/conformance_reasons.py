"""Why each remaining conformance failure fails (docs/conformance.md, column "why").

Patterns match ``folder/file``; the first match wins. A failure no pattern
explains is reported as "unexplained" and should be fixed or added here.
"""

from __future__ import annotations

import re

SANITIZER = "sanitizer policy: nh3 allowlist drops it (field empty, so absent)"
REASONS: tuple[tuple[str, str], ...] = (
    (r"sanitize/acceptable_element_br\.", "HTML5: `</br>` is a second `<br>`"),
    (r"sanitize/acceptable_element_a\.", "an anchor with nothing to click is removed (#11)"),
    (r"sanitize/acceptable_element_", SANITIZER),
    (r"namespace/.*(svg|mathml|xlink)", "sanitizer policy: no SVG/MathML"),
    (r"_iframe\.", "refused iframe dropped with its body (HTML5 fallback text)"),
    (r"_crazy\.", "script bodies and comments dropped; titles are text"),
    (r"sanitize/.*title_on\w+\.", "titles are text: a title that is only an `<img>` is empty"),
    (r"script_nested_cdata", "HTML5 parse of `<![CDATA[` in HTML: a bogus comment"),
    (r"xml_declaration_unexpected_character", "HTML5: `<!DOCTYPE ~` is markup, not text"),
    (r"author_map_author\.", "authors are names: feedparser keeps `Name (email)`"),
    (r"text_plain_brackets", 'content is HTML: `type="text"` is escaped'),
    (r"tag_in_attr", "titles are text: an `<img>`-only title is empty"),
    (r"/cdf|cdf_", "CDF (Microsoft, 1997) not supported"),
    (r"author_url_base", "author URIs not modelled (names only)"),
    (r"_id_base_", "ids are opaque: not resolved against xml:base"),
    (r"http_content_language\.", "Content-Language is not passed to parse_feed"),
    (r"node_precedence/atom10_id", "duplicate ids get `|link` appended"),
    (r"entities/(l|r)ang\.", "HTML5 entity table (U+27E8/9), not HTML4's"),
    (r"description_shorttag", "empty elements are absent, not ''"),
    (r"entity_in_doctype", "internal DTD entities not expanded (XXE hardening)"),
    (r"(description_and_summary|summary_and_description)", "RSS `<summary>` is not an element"),
    (r"not_a_doctype", "HTML5: `<!'` opens a bogus comment"),
    (r"madeup_tags_element", "made-up `<tags>` element not read"),
    (r"rss_version_", "Tidings' own version names (rss091, rss20)"),
)
_COMPILED = tuple((re.compile(pattern), why) for pattern, why in REASONS)


def reason(folder: str, name: str) -> str:
    """The documented reason a case fails, or "unexplained"."""
    path = f"{folder}/{name}"
    for pattern, why in _COMPILED:
        if pattern.search(path):
            return why
    return "unexplained"
