"""``tidings copy-db`` (#13): a whole database moves between engines, ids kept,
checked by counts and checksums; a second run is refused or verified, a failed
one leaves nothing behind.

The source is built through the CLI on a real SQLite file; the target is a
PostgreSQL schema of its own (TEST_DATABASE_URL), or another SQLite file.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Tidings
from feeds import atom, rss
from feedserver import FeedServer

from tidings.aggregator import make_app
from tidings.settings import load_settings

pytestmark = pytest.mark.postgres  # its PostgreSQL schemas are its own

PASSWORDS = {"ana": "ana's long password", "bob": "bob's long password"}
API_PASSWORD = "ana's api password"






def _with_stdin(tidings: Tidings, text: str, *args: str) -> None:
    exe = Path(sys.executable).with_name("tidings")
    subprocess.run(
        [str(exe), *args], input=text + "\n", env=tidings.env, check=True,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def build_source(tidings: Tidings, server: FeedServer) -> dict[str, Any]:
    """Two users, shared and own feeds in categories, read/starred marks, a tag
    rule, an API password, a web session and an API token; what was made."""
    _with_stdin(tidings, PASSWORDS["ana"], "user", "add", "ana", "--admin", "--password-stdin")
    _with_stdin(tidings, PASSWORDS["bob"], "user", "add", "bob", "--password-stdin")
    _with_stdin(tidings, API_PASSWORD, "user", "api-password", "ana", "--password-stdin")
    server.set("/news.xml", rss(6, title="Daily News"))
    server.set("/blog.xml", atom(3, title="A Blog"))
    ana = ("--user", "ana")
    bob = ("--user", "bob")
    tidings.run(*ana, "rules", "add", "--field", "title", "--pattern", "number 2",
                "--action", "tag", "--value", "two")  # fmt: skip
    tidings.run(*ana, "add", server.url("/news.xml"), "--category", "News")
    tidings.run(*ana, "add", server.url("/blog.xml"), "--category", "Blogs")
    tidings.run(*bob, "add", server.url("/news.xml"), "--category", "World")
    tidings.run(*ana, "saved", "add", "Posts", "p*", "-story")  # saved searches (#15)
    tidings.run(*bob, "saved", "add", "posts", "post")
    server.set("/mirror.xml", rss(3, title="Mirror"))  # the same stories: clusters
    tidings.run(*bob, "add", server.url("/mirror.xml"))
    tidings.run("refresh", "--all", "-q")
    ana_entries = tidings.json(*ana, "entries")
    assert len(ana_entries) == 9
    tidings.run(*ana, "mark", str(ana_entries[0]["id"]), str(ana_entries[1]["id"]), "--read")
    tidings.run(*ana, "mark", str(ana_entries[2]["id"]), "--star")
    tidings.run(*bob, "mark", str(tidings.json(*bob, "entries")[0]["id"]), "--read", "--star")
    with make_app(load_settings({"db": tidings.env["TIDINGS_DB"]})) as agg:
        user = agg.user_id("ana")
        session = agg.accounts.start_session(user)
        login = agg.accounts.api_login("ana", API_PASSWORD)
        assert login is not None
        token = agg.accounts.issue_api_token(login)
    return {"session": session, "token": token}


def view(tidings: Tidings) -> dict[str, Any]:
    """What each user sees: entries with flags and tags, feeds in categories with their
    counts, rules, saved searches, and a search (prefix, excluded word: the full-text index)."""
    seen: dict[str, Any] = {}
    for name in PASSWORDS:
        u = ("--user", name)
        seen[name] = {
            "entries": tidings.json(*u, "entries"),
            "feeds": [
                (f["id"], f["url"], f["category"], f["entries"], f["unread"])
                for f in tidings.json(*u, "feeds")
            ],
            "rules": tidings.json(*u, "rules", "list"),
            "saved": tidings.json(*u, "saved", "list"),
            "search": [
                (e["id"], e["title"])
                for e in json.loads(tidings.run(*u, "search", "--json", "--", "p*", "-story").stdout)
            ],
        }
    return seen


def copy_db(tidings: Tidings, source: str, target: str, *args: str) -> subprocess.CompletedProcess[str]:
    return tidings.run("copy-db", "--from", source, "--to", target, *args, check=False)


def report(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_sqlite_to_postgresql_copies_everything_and_a_second_run_only_verifies(
    tidings: Tidings, feed_server: FeedServer, pg_url: str
) -> None:
    made = build_source(tidings, feed_server)
    before = view(tidings)
    ana = before["ana"]["entries"]
    assert [e for e in ana if e["starred"]] and [e for e in ana if e["tags"] == ["two"]]
    assert len(before["ana"]["search"]) == 3  # the blog's posts, not the news stories
    assert [e for e in before["bob"]["entries"] if e["duplicates"]]  # stories in clusters
    source = tidings.env["TIDINGS_DB"]

    proc = copy_db(tidings, source, pg_url)
    assert proc.returncode == 0, proc.stderr
    assert "MISMATCH" not in proc.stdout and "copied" in proc.stdout
    for table in ("users", "entries", "entry_states", "entry_tags", "sessions", "api_tokens",
                  "saved_searches"):
        assert any(line.split()[:1] == [table] and line.endswith("ok")
                   for line in proc.stdout.splitlines()), (table, proc.stdout)  # fmt: skip

    pg = Tidings({**tidings.env, "TIDINGS_DB": pg_url})
    assert view(pg) == before
    assert pg.json("user", "list") == tidings.json("user", "list")
    with make_app(load_settings({"db": pg_url})) as agg:
        accounts = agg.accounts
        assert accounts.authenticate("ana", PASSWORDS["ana"]) is not None
        assert accounts.authenticate("bob", PASSWORDS["bob"]) is not None
        assert accounts.authenticate("bob", PASSWORDS["ana"]) is None
        session_user = accounts.session_user(made["session"])
        assert session_user is not None and session_user.name == "ana"
        token_user = accounts.api_token_user(made["token"])
        assert token_user is not None and token_user.name == "ana"
        fever = hashlib.md5(f"ana:{API_PASSWORD}".encode()).hexdigest()
        fever_user = accounts.fever_user(fever)  # the server secret came along
        assert fever_user is not None and fever_user.name == "ana"

    first = report(copy_db(tidings, source, pg_url, "--verify", "--json"))
    again = copy_db(tidings, source, pg_url)
    assert again.returncode == 0 and "already copied, verified" in again.stdout
    assert report(copy_db(tidings, source, pg_url, "--verify", "--json")) == first
    assert view(pg) == before

    # once the target has changed, a copy is refused and --verify names the table
    pg.run("--user", "bob", "mark", str(before["bob"]["entries"][-1]["id"]), "--star")
    refused = copy_db(tidings, source, pg_url)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "target is not empty: 2 users, 3 feeds" in refused.stderr
    assert "--verify" in refused.stderr
    verify = copy_db(tidings, source, pg_url, "--verify")
    assert verify.returncode == 1
    assert [ln.split()[0] for ln in verify.stdout.splitlines() if ln.endswith("MISMATCH")] == [
        "entry_states"
    ]


def _analyzed(url: str) -> set[str]:
    """The tables with column statistics (``pg_stats``) in the URL's schema."""
    import psycopg

    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()"
        ).fetchall()
    return {name for (name,) in found}


def _indexes_and_triggers(url: str) -> tuple[set[str], set[tuple[str, str]]]:
    import psycopg

    with psycopg.connect(url) as conn:
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
        ).fetchall()
        triggers = conn.execute(
            "SELECT tgname, tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = to_regnamespace(current_schema()) AND NOT tgisinternal"
        ).fetchall()
    assert len(indexes) > 20 and len(triggers) > 4
    return {f"{n}: {d}" for n, d in indexes}, {(n, str(e)) for n, e in triggers}


def test_after_a_copy_a_refresh_on_postgresql_adds_entries_with_new_ids(
    tidings: Tidings, feed_server: FeedServer, pg_url: str
) -> None:
    build_source(tidings, feed_server)
    pg = Tidings({**tidings.env, "TIDINGS_DB": pg_url})
    pg.run("user", "list")  # migrated, empty
    fresh = _indexes_and_triggers(pg_url)
    assert copy_db(tidings, tidings.env["TIDINGS_DB"], pg_url).returncode == 0
    assert _indexes_and_triggers(pg_url) == fresh  # dropped for the copy, made again
    # analyzed: the planner knows the copied rows before autovacuum's next look
    assert {"entries", "entry_states", "feeds", "subscriptions"} <= _analyzed(pg_url)
    old = {e["id"] for e in pg.json("--user", "ana", "entries")}
    feed_server.set("/news.xml", rss(4, start=6, title="Daily News"))
    assert "4 new" in pg.run("refresh", "--all").stdout
    entries = pg.json("--user", "ana", "entries")
    new = {e["id"] for e in entries} - old
    assert len(entries) == 13 and len(new) == 4 and min(new) > max(old)
    # the unread counters follow the copied marks and the new entries
    news = next(f for f in pg.json("--user", "ana", "feeds") if f["url"].endswith("/news.xml"))
    unread = [e for e in entries if e["feed_url"] == news["url"] and not e["read"]]
    assert news["entries"] == 10 and news["unread"] == len(unread)
    _with_stdin(pg, "carol's long password", "user", "add", "carol", "--password-stdin")
    pg.run("--user", "carol", "add", feed_server.url("/blog.xml"), "--category", "Mine")
    pg.run("--user", "ana", "rules", "add", "--field", "title", "--pattern", "x",
           "--action", "read")  # fmt: skip
    assert [u["name"] for u in pg.json("user", "list")] == ["ana", "bob", "carol"]


def test_a_copy_that_fails_midway_leaves_the_target_empty(
    tidings: Tidings, feed_server: FeedServer, pg_url: str
) -> None:
    import psycopg

    build_source(tidings, feed_server)
    source = tidings.env["TIDINGS_DB"]
    pg = Tidings({**tidings.env, "TIDINGS_DB": pg_url})
    pg.run("user", "list")  # the target's schema, migrated
    # a fault late in the copy: the tag rows (the next to last table) cannot go in
    fail = "ALTER TABLE entry_tags ADD CONSTRAINT disk_on_fire CHECK (tag <> 'two')"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(fail)
    proc = copy_db(tidings, source, pg_url)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "nothing was written: table entry_tags:" in proc.stderr and "disk_on_fire" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    with psycopg.connect(pg_url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name <> 'schema_version'"
        )]  # fmt: skip
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]
        assert len(counts) > 10 and set(counts.values()) == {0}, counts
        conn.execute("ALTER TABLE entry_tags DROP CONSTRAINT disk_on_fire")
    proc = copy_db(tidings, source, pg_url)
    assert proc.returncode == 0, proc.stderr
    assert pg.json("--user", "ana", "entries") == tidings.json("--user", "ana", "entries")


def test_a_copy_interrupted_halfway_writes_nothing(
    tidings: Tidings, pg_url: str, tmp_path: Path
) -> None:
    """Ctrl-C while the entries stream into PostgreSQL: exit 1, no traceback, and the
    target's tables stay empty (the one transaction is rolled back)."""
    import psycopg

    source = tmp_path / "big.db"
    gen = Path(__file__).resolve().parents[2] / "benchmarks" / "gen_web_db.py"
    subprocess.run(
        [sys.executable, str(gen), str(source), "--feeds", "20", "--entries", "6000"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    exe = Path(sys.executable).with_name("tidings")
    copy = subprocess.Popen(
        [str(exe), "copy-db", "--from", f"sqlite:///{source}", "--to", pg_url],
        env=tidings.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    busy = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY \"entr%%'"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        deadline = time.monotonic() + 120
        while not conn.execute(busy).fetchone()[0]:  # type: ignore[index]
            assert copy.poll() is None and time.monotonic() < deadline, copy.communicate()
            time.sleep(0.02)
        copy.send_signal(signal.SIGINT)
        _, err = copy.communicate(timeout=60)
        assert copy.returncode == 1 and "Traceback" not in err, err
        assert err.strip() == "Error: the copy was interrupted, nothing was written"
        while conn.execute(busy).fetchone()[0]:  # type: ignore[index]
            time.sleep(0.05)  # the server's side of the copy ends
        for table in ("users", "feeds", "entries", "entry_search", "entry_states"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    proc = copy_db(tidings, f"sqlite:///{source}", pg_url)
    assert proc.returncode == 0, proc.stderr


def test_postgresql_to_sqlite_and_sqlite_to_sqlite(
    tidings: Tidings, feed_server: FeedServer, pg_url: str, tmp_path: Path
) -> None:
    build_source(tidings, feed_server)
    before = view(tidings)
    assert copy_db(tidings, tidings.env["TIDINGS_DB"], pg_url).returncode == 0
    back = f"sqlite:///{tmp_path / 'back.db'}"
    proc = copy_db(tidings, pg_url, back)
    assert proc.returncode == 0, proc.stderr
    assert view(Tidings({**tidings.env, "TIDINGS_DB": back})) == before
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert copy_db(tidings, back, other).returncode == 0
    assert view(Tidings({**tidings.env, "TIDINGS_DB": other})) == before


def test_bad_sources_and_targets_fail_clearly(
    tidings: Tidings, feed_server: FeedServer, tmp_path: Path
) -> None:
    missing = copy_db(tidings, f"sqlite:///{tmp_path / 'nope.db'}", f"sqlite:///{tmp_path / 't.db'}")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "source database does not exist" in missing.stderr
    assert not (tmp_path / "nope.db").exists()

    proc = copy_db(tidings, "postgresql://u:s3cret@127.0.0.1:1/gone", f"sqlite:///{tmp_path / 't.db'}")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "s3cret" not in proc.stderr
    assert "source database: cannot connect to PostgreSQL" in proc.stderr
    assert not (tmp_path / "t.db").exists()

    stranger = tmp_path / "stranger.db"
    import sqlite3

    with sqlite3.connect(stranger) as conn:
        conn.execute("CREATE TABLE notes (x)")
    proc = copy_db(tidings, f"sqlite:///{stranger}", f"sqlite:///{tmp_path / 't.db'}")
    assert proc.returncode == 1 and "not a Tidings database" in proc.stderr

    build_source(tidings, feed_server)
    source = tidings.env["TIDINGS_DB"]
    proc = copy_db(tidings, source, "postgresql://tidings:s3cret@127.0.0.1:1/tidings")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "target database" in proc.stderr and "cannot connect to PostgreSQL" in proc.stderr
    assert "s3cret" not in proc.stderr
    proc = copy_db(tidings, source, source)
    assert proc.returncode == 1 and "the same database" in proc.stderr
    proc = copy_db(tidings, source, f"sqlite:///{tmp_path / 'new.db'}", "--verify")
    assert proc.returncode == 1 and "nothing to verify" in proc.stderr
    assert not (tmp_path / "new.db").exists()


def test_every_table_of_both_engines_is_copied(tmp_path: Path, pg_url: str) -> None:
    from tidings.adapters.store import open_store
    from tidings.adapters.store.transfer import TABLES, copied_tables

    for url in (f"sqlite:///{tmp_path / 'fresh.db'}", pg_url):
        store = open_store(url)
        try:
            assert copied_tables(store) == [t.name for t in TABLES]
        finally:
            store.close()
