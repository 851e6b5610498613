"""`tidings cleanup` end to end (#15): counts, deletes, and a deleted entry its feed
still carries is not stored or announced again at the next refresh."""

from __future__ import annotations

from conftest import Tidings
from feeds import rss
from feedserver import FeedServer
from rawdb import raw_db

DAY = 86400


def _age(db_url: str, days: int) -> None:
    """Every entry stored ``days`` earlier than it was (the clock moves on)."""
    with raw_db(db_url) as db:
        db.execute("UPDATE entries SET first_seen_at = first_seen_at - ?", (days * DAY,))


def _count(db_url: str, table: str) -> int:
    with raw_db(db_url) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_cleanup_counts_deletes_and_the_feed_does_not_bring_them_back(
    tidings: Tidings, feed_server: FeedServer, db_url: str
) -> None:
    tidings.env["TIDINGS_RETENTION_KEEP_PER_FEED"] = "2"
    feed_server.set("/news.xml", rss(6))
    url = feed_server.url("/news.xml")
    tidings.run("add", url)
    assert "6 new entries" in tidings.run("refresh").stdout
    first = {e["title"]: e["id"] for e in tidings.json("entries")}
    tidings.run("mark", "--read", str(first["Story number 1 & more"]))
    tidings.run("mark", "--star", str(first["Story number 0 & more"]))

    nothing = tidings.json("cleanup", "--dry-run")
    assert (nothing["dry_run"], nothing["entries"]) == (True, 0)
    assert nothing["retention"] == {"read_days": 60, "unread_days": 180, "keep_per_feed": 2}

    _age(db_url, 100)  # read ones are past 60 days, unread ones not yet past 180
    out = tidings.run("cleanup", "--dry-run").stdout
    assert "would delete 1 entries (1 read by everyone)" in out
    assert len(tidings.json("entries")) == 6  # a dry run deletes nothing

    _age(db_url, 100)
    done = tidings.json("cleanup")
    assert (done["dry_run"], done["entries"], done["read"]) == (False, 3, 1)
    assert done["search_rows"] == 3 and done["tombstones"] == 3
    # the 2 newest (stories 5 and 4) and the starred one stay
    titles = {e["title"] for e in tidings.json("entries")}
    assert titles == {"Story number 5 & more", "Story number 4 & more", "Story number 0 & more"}
    assert _count(db_url, "entry_tombstones") == 3

    # the feed still carries every story, and one more: only that one is new
    feed_server.set("/news.xml", rss(7))
    out = tidings.run("refresh", "--all").stdout
    assert "1 ok, 0 not modified, 0 failed; 1 new entries" in out
    assert len(tidings.json("entries")) == 4
    # the next document drops stories 1 and 2: their tombstones go, story 3's stays
    feed_server.set("/news.xml", rss(4, start=3))
    assert "0 new entries" in tidings.run("refresh", "--all").stdout
    assert _count(db_url, "entry_tombstones") == 1

    # story 4 is no longer among the 2 newest (6 and 5)
    assert tidings.run("cleanup").stdout.startswith("deleted 1 entries (0 read by everyone)")
    assert tidings.run("cleanup").stdout.startswith("deleted 0 entries")


def test_cleanup_with_everything_kept_deletes_nothing(
    tidings: Tidings, feed_server: FeedServer, db_url: str
) -> None:
    tidings.env.update(TIDINGS_RETENTION_READ_DAYS="0", TIDINGS_RETENTION_UNREAD_DAYS="0")
    feed_server.set("/news.xml", rss(3))
    tidings.run("add", feed_server.url("/news.xml"))
    tidings.run("refresh")
    _age(db_url, 4000)
    out = tidings.run("cleanup").stdout
    assert "deleted 0 entries" in out and "read entries kept for ever, unread for ever" in out
    assert len(tidings.json("entries")) == 3


def test_a_bad_retention_setting_is_refused(tidings: Tidings) -> None:
    tidings.env["TIDINGS_RETENTION_READ_DAYS"] = "-1"
    proc = tidings.run("cleanup", check=False)
    assert proc.returncode == 2 and "retention_read_days" in proc.stderr


def test_the_worker_cleans_up_once_an_interval_whichever_process_runs(
    tidings: Tidings, feed_server: FeedServer, db_url: str
) -> None:
    tidings.env["TIDINGS_RETENTION_KEEP_PER_FEED"] = "1"
    feed_server.set("/news.xml", rss(3))
    tidings.run("add", feed_server.url("/news.xml"))
    tidings.run("worker", "--once")
    assert len(tidings.json("entries")) == 3  # nothing old yet; the cleanup ran
    _age(db_url, 400)
    tidings.run("worker", "--once")  # the last cleanup started just now: not due
    assert len(tidings.json("entries")) == 3
    with raw_db(db_url) as db:  # a day later
        db.execute("UPDATE maintenance SET started_at = started_at - ?", (DAY,))
    tidings.run("worker", "--once")
    assert len(tidings.json("entries")) == 1
    tidings.env["TIDINGS_CLEANUP_EVERY"] = "0"  # off: only `tidings cleanup`
    feed_server.set("/news.xml", rss(2, start=3))
    tidings.run("refresh", "--all")
    _age(db_url, 400)
    with raw_db(db_url) as db:
        db.execute("UPDATE maintenance SET started_at = started_at - ?", (DAY,))
    tidings.run("worker", "--once")
    assert len(tidings.json("entries")) == 3
    assert tidings.json("cleanup")["entries"] == 2
