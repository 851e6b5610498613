"""Publishing a feed: Tidings' writer (lxml directly) against feedgen, same items (#14).

    python3 -m venv /tmp/fg && /tmp/fg/bin/pip install feedgen lxml     # once, not the project venv
    PYTHONPATH=src .venv/bin/python benchmarks/publish_render.py --feedgen-python /tmp/fg/bin/python

Both sides build the same documents from the same plain data: N news items
(headline, link, guid, author, dates, two categories, a ~3 KB HTML text, an
enclosure, the source credited) as RSS 2.0 and as Atom 1.0. Tidings' side times
``tidings.publish.render`` from its ``Entry`` objects (so what it does besides
writing XML, the credit and "also reported by" paragraphs and the cleaning of
every string, is in its figure); feedgen's side times ``FeedGenerator`` filled
with the same fields then ``rss_str``/``atom_str``, in its own interpreter (it is
not a project dependency). Each side runs in a child process of its own, the two
alternating for ``--rounds`` rounds so that a loaded machine's noise falls on both;
the figures are the median (and min) over all rounds of ms per document, in CPU
time of the child (``time.process_time``: what a loaded machine perturbs least)
and in wall time, and the ratio is feedgen / Tidings (above 1: feedgen is slower).

It then feeds each side what ``tests/publish/test_hostile.py`` feeds Tidings (a
NUL, an escape, a lone surrogate, U+FFFF in a title; "]]>" in CDATA content) and
reports whether the document came out, and well-formed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PARAGRAPH = (
    "<p>The harbour authority approved a new breakwater after a decade of storms, and "
    'the council <a href="https://news.example/x">said</a> the work starts in spring. '
    "Residents, engineers &amp; fishermen were consulted over three winters.</p>"
)
HOSTILE = ["NUL \x00 title", "escape \x1b[31m title", "surrogate \ud800 title", "U+FFFF \uffff"]


def stories(n: int) -> list[dict[str, Any]]:
    """Plain data both sides build from (no tidings import: feedgen's side has none)."""
    return [
        {
            "guid": f"https://news.example/article/{i}",
            "title": f"Story {i}: the harbour & the breakwater",
            "link": f"https://news.example/article/{i}",
            "author": "Ada Reporter",
            "published": T0 - timedelta(minutes=i),
            "categories": ["Russia & Former Soviet Union", "ports"],
            "content": PARAGRAPH * 12,
            "lead": "The harbour authority approved a new breakwater after a decade of storms.",
            "enclosure": (f"https://news.example/a{i}.mp3", "audio/mpeg", 1234),
            "source": ("https://news.example/feed.xml", "Fixture Times"),
        }
        for i in range(n)
    ]


# --- Tidings ------------------------------------------------------------------


def _tidings_side(n: int, fmt: str, repeats: int) -> list[tuple[float, float]]:
    from tidings.publish import render

    channel, entries, origins = _tidings_inputs(stories(n))
    render(channel, entries, origins, fmt)  # type: ignore[arg-type]  # warm-up
    times = []
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        render(channel, entries, origins, fmt)  # type: ignore[arg-type]
        times.append(_elapsed(cpu, wall))
    return times


def _elapsed(cpu: float, wall: float) -> tuple[float, float]:
    """(CPU ms of this process, wall ms) since ``cpu`` and ``wall``."""
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def _tidings_inputs(data: list[dict[str, Any]]) -> tuple[Any, list[Any], dict[Any, Any]]:
    from tidings.model import Enclosure, Entry, EntryId, FeedId
    from tidings.publish import Channel, Origin

    channel = Channel(
        title="World",
        self_url="https://reader.example/p/x/World.atom",
        home_url="https://reader.example/category/World",
        id="tag:reader.example,2026:publication/1",
        updated=T0,
    )
    origins = {FeedId(1): Origin(FeedId(1), "https://news.example/feed.xml", "Fixture Times")}
    entries = [
        Entry(
            id=EntryId(i),
            feed_id=FeedId(1),
            feed_url=d["source"][0],
            feed_title=d["source"][1],
            category="World",
            guid=d["guid"],
            title=d["title"],
            link=d["link"],
            author=d["author"],
            published=d["published"],
            updated=None,
            summary=None,
            content=d["content"],
            categories=tuple(d["categories"]),
            enclosures=(Enclosure(*d["enclosure"]),),
            image=None,
            comments=None,
            first_seen=T0,
            lead=d["lead"],
            source="Fixture Times",
            section="Russia & Former Soviet Union",
        )
        for i, d in enumerate(data)
    ]
    return channel, entries, origins


def _tidings_escaping() -> dict[str, str]:
    from tidings.publish import render

    out = {}
    for text in HOSTILE:
        data = stories(1)
        data[0]["title"] = text
        channel, entries, origins = _tidings_inputs(data)
        out[repr(text)] = _outcome(render, channel, entries, origins, "rss")
    data = stories(1)
    data[0]["content"] = "<p>a ]]> b</p>"
    channel, entries, origins = _tidings_inputs(data)
    out["']]>' in content"] = _outcome(render, channel, entries, origins, "rss")
    return out


# --- feedgen ------------------------------------------------------------------


def _feedgen_build(data: list[dict[str, Any]], *, cdata: bool = False) -> Any:
    if str(HERE) in sys.path:  # benchmarks/feedgen.py (the refresh's fixture feeds) is not it
        sys.path.remove(str(HERE))
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id("tag:reader.example,2026:publication/1")
    fg.title("World")
    fg.link(href="https://reader.example/p/x/World.atom", rel="self")
    fg.link(href="https://reader.example/category/World", rel="alternate")
    fg.description("World")
    fg.updated(T0)
    for d in reversed(data):  # feedgen prepends each new entry
        fe = fg.add_entry()
        fe.id(d["guid"])
        fe.guid(d["guid"], permalink=False)
        fe.title(d["title"])
        fe.link(href=d["link"], rel="alternate")
        fe.author({"name": d["author"], "email": "desk@news.example"})
        fe.published(d["published"])
        fe.updated(d["published"])
        for term in d["categories"]:
            fe.category(term=term)
        fe.summary(d["lead"])
        fe.content(d["content"], type="CDATA" if cdata else "html")
        url, mime, length = d["enclosure"]
        fe.enclosure(url, str(length), mime)
        fe.source(url=d["source"][0], title=d["source"][1])
    return fg


def _feedgen_side(n: int, fmt: str, repeats: int) -> list[tuple[float, float]]:
    data = stories(n)
    times = []
    for i in range(repeats + 1):
        cpu, wall = time.process_time(), time.perf_counter()
        fg = _feedgen_build(data)
        fg.rss_str() if fmt == "rss" else fg.atom_str()
        if i:  # the first is a warm-up
            times.append(_elapsed(cpu, wall))
    return times


def _feedgen_escaping() -> dict[str, str]:
    out = {}
    for text in HOSTILE:
        data = stories(1)
        data[0]["title"] = text
        out[repr(text)] = _outcome(lambda d: _feedgen_build(d).rss_str(), data)
    data = stories(1)
    data[0]["content"] = "<p>a ]]> b</p>"
    out["']]>' in content"] = _outcome(lambda d: _feedgen_build(d, cdata=True).rss_str(), data)
    return out


def _outcome(make: Any, *args: Any) -> str:
    from lxml import etree

    try:
        body = make(*args)
    except Exception as exc:  # what each library does is the finding
        return f"raises {type(exc).__name__}: {str(exc)[:60]}"
    try:
        etree.fromstring(body)
    except etree.XMLSyntaxError as exc:
        return f"not well-formed: {exc}"[:80]
    return "well-formed"


# --- the run ------------------------------------------------------------------


def _child(args: argparse.Namespace) -> None:
    if args.child == "tidings-escaping":
        print(json.dumps(_tidings_escaping()))
    elif args.child == "feedgen-escaping":
        print(json.dumps(_feedgen_escaping()))
    else:
        side = _tidings_side if args.child == "tidings" else _feedgen_side
        print(json.dumps(side(args.n, args.fmt, args.repeats)))


def _run(python: str, *argv: str) -> Any:
    out = subprocess.run(
        [python, __file__, *argv], check=True, capture_output=True, text=True, env=os.environ
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feedgen-python", default="/tmp/fg/bin/python")
    parser.add_argument("--sizes", default="100,500")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fmt", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    print(f"load average at start: {os.getloadavg()}, cores: {os.cpu_count()}")
    print("ms per document, median (min) over all rounds; ratio = feedgen / tidings")
    print(
        f"{'format':6} {'items':>5}  {'tidings CPU':>14} {'feedgen CPU':>14} {'ratio':>5}   "
        f"{'tidings wall':>14} {'feedgen wall':>14} {'ratio':>5}"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        for fmt in ("rss", "atom"):
            ours: list[list[float]] = []
            theirs: list[list[float]] = []
            common = ("--n", str(n), "--fmt", fmt, "--repeats", str(args.repeats))
            for _ in range(args.rounds):
                ours += _run(sys.executable, "--child", "tidings", *common)
                theirs += _run(args.feedgen_python, "--child", "feedgen", *common)
            row = f"{fmt:6} {n:5}"
            for k in (0, 1):  # CPU, wall
                a = statistics.median(t[k] for t in ours)
                b = statistics.median(t[k] for t in theirs)
                low_a, low_b = min(t[k] for t in ours), min(t[k] for t in theirs)
                row += f"  {a:7.2f} ({low_a:5.2f}) {b:7.2f} ({low_b:5.2f}) {b / a:5.2f} "
            print(row)
    print("hostile input (RSS):")
    mine = _run(sys.executable, "--child", "tidings-escaping")
    feedgen = _run(args.feedgen_python, "--child", "feedgen-escaping")
    for case in mine:
        print(f"  {case:24} tidings: {mine[case]:14} feedgen: {feedgen[case]}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
