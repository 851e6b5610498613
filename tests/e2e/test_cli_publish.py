"""`tidings publish` (#14): private feed URLs, revoking them, public publications."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import Tidings

BASE = "https://reader.example.org"


def _setup(tidings: Tidings) -> Tidings:
    tidings.run("add", "https://a.example/feed.xml", "--no-discover", "--category", "Harbour")
    return Tidings({**tidings.env, "TIDINGS_BASE_URL": BASE})


def test_url_prints_the_private_feed_and_revoke_replaces_it(tidings: Tidings) -> None:
    t = _setup(tidings)
    url = t.run("publish", "url", "category/Harbour").stdout.strip()
    assert url.startswith(f"{BASE}/published/") and url.endswith("/category/Harbour.atom")
    token = url.split("/")[4]
    assert len(token) == 32
    assert t.run("publish", "url", "all", "--format", "json").stdout.strip() == (
        f"{BASE}/published/{token}/all.json"
    )
    assert (
        t.run("publish", "url", "starred", "--format", "rss")
        .stdout.strip()
        .endswith("/starred.rss")
    )
    revoked = t.run("publish", "revoke")
    assert "revoked" in revoked.stdout and token not in revoked.stdout
    new = t.run("publish", "url", "all").stdout.strip()
    assert token not in new and new.endswith("/all.atom")


def test_url_needs_base_url_and_a_known_selection(tidings: Tidings) -> None:
    _setup(tidings)
    proc = tidings.run("publish", "url", "all", check=False)
    assert proc.returncode == 1 and "base_url" in proc.stderr
    t = Tidings({**tidings.env, "TIDINGS_BASE_URL": BASE})
    for selection, message in (
        ("category/Nope", "no category 'Nope'"),
        ("everything", "no selection 'everything'"),
        ("search/-x", "narrows a search"),
    ):
        proc = t.run("publish", "url", selection, check=False)
        assert proc.returncode == 1 and message in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_an_admin_adds_lists_and_removes_public_publications(tidings: Tidings) -> None:
    t = _setup(tidings)
    added = t.run("publish", "add", "category/Harbour", "--public", "--full", "--name", "harbour")
    assert f"{BASE}/p/harbour" in added.stdout
    t.run("publish", "add", "starred", "--public")  # excerpts, named after the selection
    listed = t.run("publish", "list").stdout
    assert "harbour" in listed and "category/Harbour" in listed and "full text" in listed
    assert "starred" in listed and "excerpts" in listed
    rows = t.json("publish", "list")
    assert [(r["name"], r["selection"], r["full_text"]) for r in rows] == [
        ("harbour", "category/Harbour", True),
        ("starred", "starred", False),
    ]
    assert rows[0]["url"] == f"{BASE}/p/harbour"
    again = t.run("publish", "add", "all", "--public", "--name", "harbour", check=False)
    assert again.returncode == 1 and "exists already" in again.stderr
    t.run("publish", "remove", "harbour")
    assert [r["name"] for r in t.json("publish", "list")] == ["starred"]
    gone = t.run("publish", "remove", "harbour", check=False)
    assert gone.returncode == 1 and "no publication 'harbour'" in gone.stderr
    private = t.run("publish", "add", "all", check=False)
    assert private.returncode == 2 and "--public" in private.stderr


def test_only_an_administrator_publishes(tidings: Tidings) -> None:
    t = _setup(tidings)
    exe = Path(sys.executable).with_name("tidings")
    subprocess.run(
        [str(exe), "user", "add", "bob", "--password-stdin"],
        input="a long password\n",
        env=t.env,
        check=True,
        capture_output=True,
        text=True,
    )
    t.run("--user", "bob", "add", "https://b.example/feed.xml", "--no-discover")
    proc = t.run("--user", "bob", "publish", "add", "all", "--public", check=False)
    assert proc.returncode == 1 and "administrator" in proc.stderr
    t.run("publish", "add", "all", "--public", "--name", "front")
    proc = t.run("--user", "bob", "publish", "remove", "front", check=False)
    assert proc.returncode == 1 and "administrator" in proc.stderr
    assert t.run("--user", "bob", "publish", "url", "all").stdout.startswith(BASE)


def test_publish_has_help(tidings: Tidings) -> None:
    out = tidings.run("publish", "--help").stdout
    assert all(cmd in out for cmd in ("url", "revoke", "add", "list", "remove"))
    assert "search/QUERY" in out
    assert "--excerpt" in tidings.run("publish", "add", "--help").stdout
