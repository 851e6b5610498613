"""A PostgreSQL URL opens the PostgreSQL engine (#13): one that cannot be reached
gets a clear message (no traceback, no password), and the CLI works on one."""

from __future__ import annotations

import pytest
from conftest import Tidings
from feeds import atom
from feedserver import FeedServer

from tidings.settings import SETTINGS

pytestmark = pytest.mark.postgres  # its PostgreSQL schemas are its own

# port 1 on loopback: nothing listens, the connection is refused at once
UNREACHABLE = ("postgresql://tidings:s3cret@127.0.0.1:1/tidings", "postgres://127.0.0.1:1/db")


def test_an_unreachable_postgresql_url_fails_clearly(tidings: Tidings) -> None:
    for url in UNREACHABLE:
        proc = tidings.run("--db", url, "feeds", check=False)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert "cannot connect to PostgreSQL" in proc.stderr and "s3cret" not in proc.stderr
    env = Tidings({**tidings.env, "TIDINGS_DB": UNREACHABLE[1]})
    proc = env.run("worker", "--once", check=False)
    assert proc.returncode == 1 and "cannot connect to PostgreSQL" in proc.stderr


def test_help_names_both_engines(tidings: Tidings) -> None:
    assert "postgresql://" in tidings.run("--help").stdout
    assert any("postgresql://" in s.help for s in SETTINGS)




def test_the_cli_works_on_postgresql(
    tidings: Tidings, feed_server: FeedServer, pg_url: str
) -> None:
    pg = Tidings({**tidings.env, "TIDINGS_DB": pg_url})
    feed_server.set("/a.xml", atom(3))
    pg.run("add", feed_server.url("/a.xml"), "--category", "News")
    assert "3 new" in pg.run("refresh").stdout
    entries = pg.json("entries")
    assert len(entries) == 3
    pg.run("mark", str(entries[0]["id"]), "--read", "--star")
    assert len(pg.json("entries", "--unread")) == 2
    assert pg.json("search", "post")  # the tsvector index
    pg.run("category", "rename", "News", "World")
    assert pg.json("feeds")[0]["category"] == "World"
    assert tidings.json("feeds") == []  # the SQLite database is another one
