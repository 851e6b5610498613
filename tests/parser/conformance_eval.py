"""Run Tidings' parser over feedparser's own test cases and grade the results.

Each file of ``<corpus>/feedparser-tests`` carries ``Description:``/``Expect:``
lines (a Python expression over feedparser's result) and optional ``Header:``
lines (simulated HTTP headers). We parse the file with ``parse_feed`` and
evaluate the expression against a feedparser-shaped *view* of the FeedData.

Outcomes:

- ``pass``: the expression holds as written;
- ``equivalent``: it holds once HTML is compared modulo sanitizer policy (both
  sides canonicalized by one neutral nh3 pass: Tidings' added ``rel``,
  ``referrerpolicy``, ``loading`` and feedparser's kept ``style`` set aside)
  and titles are compared as text (Tidings' titles are plain text by design);
- ``fail``: it does not hold, or raised;
- ``n/a``: it needs something Tidings does not model (``encoding``, ``bozo``
  alone, ``links``, ``*_detail`` beyond value/name, iTunes flags ...).

The expressions come from a known corpus; they are evaluated with no builtins.

Run as a script to print the table (``--write`` also rewrites docs/conformance.md
and the floors in conformance_floor.json).
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import nh3

from tidings.content.sanitize import html_to_text
from tidings.errors import ParseError
from tidings.model import EntryData, FeedData
from tidings.parser import parse_feed

try:
    from parser.conformance_reasons import reason
except ImportError:  # run as a script: tests/parser is the first path
    from conformance_reasons import reason  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "feedparser-tests"
FLOOR_FILE = Path(__file__).with_name("conformance_floor.json")
DOC_FILE = REPO / "docs" / "conformance.md"
BASE_URL = "http://127.0.0.1:8097/"
OUTCOMES = ("pass", "equivalent", "fail", "n/a")


class Unmapped(Exception):
    """The expression asks for something Tidings does not model."""


_EQUIVALENT: list[bool] = []  # set by the loose comparisons during one evaluation

_CANON = nh3.Cleaner(
    tags=nh3.ALLOWED_TAGS | {"audio", "video", "source", "iframe"},
    attributes={  # where each attribute means something (``<span alt="">`` is policy noise)
        "*": {"title", "lang", "dir"},
        "a": {"href"},
        "img": {"src", "alt", "width", "height"},
        **{tag: {"cite"} for tag in ("blockquote", "q", "del", "ins")},
        **{tag: {"src", "width", "height"} for tag in ("audio", "video", "source", "iframe")},
    },
    link_rel=None,
    url_relative="pass_through",
)
_WS = re.compile(r"\s+")


_URL_ATTR = re.compile(r'((?:href|src)=")([^"]*%[0-9A-Fa-f]{2}[^"]*)"')


def _canonical(value: str) -> str:
    """One neutral nh3 pass, whitespace collapsed, URLs as IRIs (``%C3%80`` is ``À``)."""
    clean = _URL_ATTR.sub(lambda m: m.group(1) + unquote(m.group(2)) + '"', _CANON.clean(value))
    return _WS.sub(" ", clean).strip()


class HtmlStr(str):
    """An HTML value: equal to the same HTML modulo sanitizer policy (noted as equivalent)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if str.__eq__(self, other):
            return True
        if isinstance(other, str) and _canonical(self) == _canonical(other):
            _EQUIVALENT.append(True)
            return True
        return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


class TextStr(str):
    """A plain-text title: equal to feedparser's HTML title with the same text."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if str.__eq__(self, other):
            return True
        if isinstance(other, str) and html_to_text(other) == " ".join(self.split()):
            _EQUIVALENT.append(True)
            return True
        return False

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


class View(dict[str, Any]):
    """A feedparser-like dict: known-but-empty keys raise KeyError, unknown ones Unmapped."""

    def __init__(self, known: frozenset[str], **values: Any) -> None:
        super().__init__({k: v for k, v in values.items() if v is not None})
        self.known = known

    def __getitem__(self, key: str) -> Any:
        if key not in self.known:
            raise Unmapped(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.known:
            raise Unmapped(key)
        return super().get(key, default)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def has_key(self, key: str) -> bool:
        if key not in self.known:
            raise Unmapped(key)
        return key in self

    def __contains__(self, key: object) -> bool:
        if key not in self.known:
            raise Unmapped(str(key))
        return super().__contains__(key)


def _tt(value: datetime | None) -> Any:
    return value.utctimetuple() if value else None


def _html(value: str | None) -> HtmlStr | None:
    return HtmlStr(value) if value is not None else None


def _text(value: str | None) -> TextStr | None:
    return TextStr(value) if value is not None else None


def _detail(value: Any) -> View | None:
    return View(frozenset({"value"}), value=value) if value is not None else None


FEED_KEYS = frozenset(
    {"title", "title_detail", "link", "subtitle", "subtitle_detail", "description", "tagline"}
    | {"tagline_detail", "language", "updated_parsed", "image", "icon"}
)
ENTRY_KEYS = frozenset(
    {"id", "guid", "title", "title_detail", "link", "author", "author_detail", "published_parsed"}
    | {"updated_parsed", "summary", "summary_detail", "description", "content", "tags"}
    | {"category", "enclosures", "comments"}
)


def feed_view(feed: FeedData) -> View:
    desc = _html(feed.description)
    image = View(frozenset({"href", "url"}), href=feed.image, url=feed.image)
    return View(
        FEED_KEYS,
        title=_text(feed.title),
        title_detail=_detail(_text(feed.title)),
        link=feed.link,
        subtitle=desc,
        subtitle_detail=_detail(desc),
        description=desc,
        tagline=desc,
        tagline_detail=_detail(desc),
        language=feed.language,
        updated_parsed=_tt(feed.updated),
        image=image if feed.image else None,
        icon=feed.icon,
    )


def entry_view(entry: EntryData) -> View:
    summary = _html(entry.summary if entry.summary is not None else entry.content)
    tags = [View(frozenset({"term"}), term=c) for c in entry.categories]
    enclosures = [
        View(
            frozenset({"href", "type", "length"}),
            href=e.url,
            type=e.type,
            length=str(e.length) if e.length is not None else None,
        )
        for e in entry.enclosures
    ]
    return View(
        ENTRY_KEYS,
        id=entry.id,
        guid=entry.id,
        title=_text(entry.title),
        title_detail=_detail(_text(entry.title)),
        link=entry.link,
        author=entry.author,
        author_detail=View(frozenset({"name"}), name=entry.author) if entry.author else None,
        published_parsed=_tt(entry.published),
        updated_parsed=_tt(entry.updated),
        summary=summary,
        summary_detail=_detail(summary),
        description=summary,
        content=[_detail(_html(entry.content))] if entry.content else None,
        tags=tags or None,
        category=entry.categories[0] if entry.categories else None,
        enclosures=enclosures or None,
        comments=entry.comments,
    )


@dataclass(frozen=True)
class Case:
    path: Path
    description: str
    expect: str
    headers: dict[str, str]


_HEADER_RE = re.compile(r"^(Description|Expect|Header):\s*(.*?)\s*$", re.MULTILINE)


def read_case(path: Path) -> Case | None:
    head = path.read_bytes()[:4096].decode("utf-8", "replace")
    fields: dict[str, str] = {}
    headers: dict[str, str] = {}
    for name, value in _HEADER_RE.findall(head):
        if name == "Header":
            key, _, val = value.partition(":")
            headers[key.strip().lower()] = val.strip()
        else:
            fields.setdefault(name, value)
    if "Expect" not in fields:
        return None
    return Case(path, fields.get("Description", ""), fields["Expect"], headers)


def case_url(case: Case) -> str:
    """The URL ``parse_feed`` gets, as a fetcher would give it: the document's own
    URL, or its ``Content-Location`` resolved against it (http(s) only)."""
    url = BASE_URL + case.path.relative_to(CORPUS).as_posix()
    location = case.headers.get("content-location")
    if location:
        resolved = urljoin(url, location)
        if urlsplit(resolved).scheme in ("http", "https"):
            return resolved
    return url


def evaluate(case: Case) -> tuple[str, str]:
    """(outcome, detail) for one case."""
    expr = case.expect.strip()
    if expr.startswith("not bozo and "):
        expr = expr[len("not bozo and ") :]
    if re.search(r"\bbozo\b", expr):
        return "n/a", "bozo"
    try:
        feed = parse_feed(
            case.path.read_bytes(),
            url=case_url(case),
            content_type=case.headers.get("content-type"),
        )
    except ParseError as exc:
        return ("pass", "") if expr == "1" else ("fail", f"ParseError: {exc}")
    names: dict[str, Any] = {
        "feed": feed_view(feed),
        "entries": [entry_view(e) for e in feed.entries],
        "version": feed.version,
        "len": len,
        "ord": ord,
        "isinstance": isinstance,
        "str": str,
        "dict": dict,
        "list": list,
        "tuple": tuple,
        "True": True,
        "False": False,
        "None": None,
    }
    _EQUIVALENT.clear()
    try:
        ok = bool(eval(expr, {"__builtins__": {}}, names))  # known corpus, no builtins
    except Unmapped as exc:
        return "n/a", f"unmapped {exc}"
    except NameError as exc:
        return "n/a", f"unmapped {exc}"
    except Exception as exc:  # the expression itself failed on our view
        return "fail", f"{exc.__class__.__name__}: {exc}"[:200]
    if not ok:
        return "fail", "expression is false"
    return ("equivalent" if _EQUIVALENT else "pass"), ""


def folder_of(path: Path) -> str:
    rel = path.relative_to(CORPUS).parent.as_posix()
    return rel or "."


def run_all() -> dict[str, Counter[str]]:
    """Outcome counts per folder; also returns the failures via ``run_all.failures``."""
    counts: dict[str, Counter[str]] = {}
    failures: list[tuple[str, str, str, str]] = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or path.suffix not in (".xml", ".rdf", ".json", ".atom", ".rss"):
            continue
        case = read_case(path)
        if case is None:
            continue
        outcome, detail = evaluate(case)
        counts.setdefault(folder_of(path), Counter())[outcome] += 1
        if outcome == "fail":
            failures.append((folder_of(path), path.name, case.expect, detail))
    run_all.failures = failures  # type: ignore[attr-defined]
    return counts


def rate(counter: Counter[str]) -> float:
    """Share of the mapped cases that pass or are equivalent."""
    mapped = counter["pass"] + counter["equivalent"] + counter["fail"]
    return (counter["pass"] + counter["equivalent"]) / mapped if mapped else 1.0


def table(counts: dict[str, Counter[str]]) -> str:
    lines = [
        "| folder | pass | equivalent | fail | n/a | pass rate (mapped) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    total: Counter[str] = Counter()
    for folder in sorted(counts):
        c = counts[folder]
        total.update(c)
        lines.append(
            f"| {folder} | {c['pass']} | {c['equivalent']} | {c['fail']} | {c['n/a']} "
            f"| {rate(c):.1%} |"
        )
    lines.append(
        f"| **all** | {total['pass']} | {total['equivalent']} | {total['fail']} "
        f"| {total['n/a']} | {rate(total):.1%} |"
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}")
        return 1
    started = time.perf_counter()
    counts = run_all()
    print(table(counts))
    print(f"({time.perf_counter() - started:.1f} s)")
    if "--write" in argv:
        floors = {folder: math.floor(rate(c) * 1000) / 1000 for folder, c in sorted(counts.items())}
        FLOOR_FILE.write_text(json.dumps(floors, indent=2) + "\n")
        failures = run_all.failures  # type: ignore[attr-defined]
        lines = [
            f"| {f} | {n} | `{e[:150].replace('|', '¦')}` | {d[:80].replace('|', '¦')} "
            f"| {reason(f, n)} |"
            for f, n, e, d in failures
        ]
        doc = DOC_FILE.read_text()
        head, _, _ = doc.partition("<!-- failures -->")
        before, _, after = head.partition("<!-- table -->")
        after = after.split("\n## ", 1)[1] if "\n## " in after else after
        DOC_FILE.write_text(
            f"{before}<!-- table -->\n\n{table(counts)}\n\n## {after}"
            + "<!-- failures -->\n\n| folder | file | Expect | result | why |\n"
            + "|---|---|---|---|---|\n"
            + "\n".join(line.replace("\n", " ") for line in lines)
            + "\n"
        )
        print(f"wrote {FLOOR_FILE} and {DOC_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
