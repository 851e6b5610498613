"""Realistic fixture feeds for the browser tests and screenshots (served on loopback)."""

from __future__ import annotations

import math
import struct
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

STORIES = [
    (
        "Harbour bridge reopens after two years of repairs",
        "The swing bridge carried its first buses at dawn, ahead of schedule and under budget.",
        "Local",
    ),
    (
        "Council approves a car-free old town from next spring",
        "Delivery vans will keep a morning window; residents get permits for their own streets.",
        "Politics",
    ),
    (
        "Night trains return to the coast line",
        "A sleeper service links the capital with the three ferry ports, four nights a week.",
        "Transport",
    ),
    (
        "Researchers map the seagrass meadows off the north shore",
        "Divers and drones counted twice the area first estimated, storing carbon as fast as forest.",
        "Science",
    ),
    (
        "Library extends opening hours through the winter",
        "Reading rooms stay open until ten, with heating, study desks and a free evening café.",
        "Culture",
    ),
    (
        "Fishing cooperative signs a ten-year deal with local schools",
        "Lunch menus will feature the day's catch, and pupils visit the harbour market each term.",
        "Business",
    ),
    (
        "Storm season forecast: fewer gales, higher tides",
        "The met office expects three spring tides above the flood wall in February.",
        "Weather",
    ),
    (
        "Rowing club wins the regatta for the first time since 1987",
        "The eight crossed the line half a length ahead after a duel through the harbour mouth.",
        "Sport",
    ),
    (
        "Old customs house to become a maritime museum",
        "The building's cellars will show the smugglers' tunnels found during the survey.",
        "Culture",
    ),
    (
        "Wind farm cable comes ashore at Saltwick beach",
        "Engineers pulled the export cable through a duct drilled under the dunes.",
        "Energy",
    ),
    (
        "Ferry timetable changes for the holiday weekend",
        "Extra sailings run on Friday evening; the last boat on Monday leaves at 21:30.",
        "Transport",
    ),
    (
        "Tidal pool restored by volunteers in record time",
        "Two hundred people cleared the silt and relaid the steps over three weekends.",
        "Local",
    ),
]

COLOURS = ["#1b6ca8", "#9c2f1b", "#2e7d32", "#6a4c93", "#c77d00", "#00838f"]


def thumbnail(i: int, width: int = 160, height: int = 110) -> bytes:
    """A PNG: a colour field with a lighter swell across its lower third. A PNG, not an
    SVG, because the reader proxies story images and refuses SVG (#15)."""
    r, g, b = (int(COLOURS[i % len(COLOURS)][k : k + 2], 16) for k in (1, 3, 5))
    light = bytes((r + 255) // 2 for r in (r, g, b))
    dark = bytes((r, g, b))
    rows = []
    for y in range(height):
        row = bytearray(b"\0")  # filter: none
        for x in range(width):
            wave = height * 0.72 + 7 * math.sin((x + 13 * i) / 16)
            row += light if y > wave else dark
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def gazette(
    base: str,
    *,
    count: int = len(STORIES),
    title: str = "Harbour Gazette",
    extra: list[tuple[str, str, str]] | None = None,
) -> bytes:
    """An RSS feed of local news, newest first, with thumbnails at ``base``/img/N.png."""
    now = datetime.now(UTC).replace(microsecond=0)
    stories = (extra or []) + STORIES[:count]
    items = []
    for i, (headline, lead, section) in enumerate(stories):
        body = (
            f"<p>{escape(lead)}</p><p>Officials said the work would continue through "
            f"the season, and that residents could follow progress at the town hall.</p>"
            f"<p>“It is a good day for the harbour,” said the mayor.</p>"
        )
        items.append(f"""<item>
  <title>{escape(headline)}</title>
  <link>https://gazette.example/{i}</link>
  <guid isPermaLink="false">{escape(headline)}</guid>
  <pubDate>{format_datetime(now - timedelta(minutes=47 * i + 5))}</pubDate>
  <category>{escape(section)}</category>
  <media:thumbnail url="{base}/img/{i % 6}.png"/>
  <description>{escape(body)}</description>
</item>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>
<title>{escape(title)}</title><link>https://gazette.example/</link>
<description>News from the harbour town</description>
{"".join(items)}
</channel></rss>""".encode()


def opml(urls: list[tuple[str, str, str]]) -> bytes:
    outlines = "".join(
        f'<outline text="{escape(c)}">'
        f'<outline type="rss" text="{escape(t)}" xmlUrl="{escape(u)}"/></outline>'
        for t, u, c in urls
    )
    return (
        f'<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head>'
        f"<body>{outlines}</body></opml>"
    ).encode()
