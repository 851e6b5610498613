"""What a feed wrote reaches a terminal as text (#11): control characters are shown
as escapes, Rich markup in a title is printed as written, --json stays valid."""

from __future__ import annotations

import json

from conftest import Tidings
from feeds import rss
from feedserver import FeedServer
from rawdb import raw_db

# an OSC window retitle, a CSI colour, a C1 CSI (8-bit), a carriage return, rich markup
TITLE = "Pwned\x1b]0;owned\x07 \x1b[31mred\x9b2J\rover [bold red]loud[/] [/oops]"


def _poison(tidings: Tidings) -> int:
    with raw_db(tidings.env["TIDINGS_DB"]) as db:  # what an older version or another tool left there
        db.execute("UPDATE entries SET title = ?", (TITLE,))
        db.execute("UPDATE feeds SET title = ?, last_error = ?", (TITLE, TITLE))
        (entry_id,) = db.execute("SELECT MIN(id) FROM entries").fetchone()
    return int(entry_id)


def test_controls_and_markup_from_the_database_are_shown_as_text(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/n.xml", rss(2))
    tidings.run("add", feed_server.url("/n.xml"))
    tidings.run("refresh")
    entry_id = _poison(tidings)

    for args in (("entries",), ("show", str(entry_id)), ("feeds",)):
        out = tidings.run(*args).stdout
        for bad in ("\x1b", "\x07", "\x9b", "\r"):
            assert bad not in out, (args, bad)
        assert "\\x1b]0;owned\\x07" in out or (args == ("feeds",) and "\\x1b" in out)

    table = Tidings({**tidings.env, "COLUMNS": "400"}).run("feeds").stdout
    assert "[bold red]loud[/]" in table and "[/oops]" in table

    raw = tidings.run("entries", "--json").stdout
    assert "\x9b" not in raw and "\x1b" not in raw
    assert json.loads(raw)[0]["title"] == TITLE
