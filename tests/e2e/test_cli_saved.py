"""``tidings saved`` (#15): saved searches from the command line, each user's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import Tidings
from feeds import rss
from feedserver import FeedServer


def _add_user(tidings: Tidings, name: str) -> None:
    exe = Path(sys.executable).with_name("tidings")
    subprocess.run(
        [str(exe), "user", "add", name, "--password-stdin"],
        input=f"{name}'s long password\n", env=tidings.env, check=True,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_saved_searches_added_listed_run_renamed_and_removed(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/feed.xml", rss(5))
    tidings.run("add", feed_server.url("/feed.xml"))
    tidings.run("refresh")
    assert tidings.run("saved", "list").stdout.strip() == "no saved searches"
    assert tidings.json("saved", "list") == []

    out = tidings.run("saved", "add", "Fourth", '"story number 4"').stdout
    assert out.strip() == 'saved "Fourth": "story number 4"'
    tidings.run("saved", "add", "lead", "story", '-"number 3"')  # words and -words, as search takes
    (first, second) = tidings.json("saved", "list")
    assert (first["name"], first["query"]) == ("Fourth", '"story number 4"')
    assert first["url"] == "/search?q=%22story+number+4%22"
    assert (second["name"], second["query"]) == ("lead", 'story -"number 3"')
    assert "Fourth" in tidings.run("saved", "list").stdout

    (hit,) = tidings.json("saved", "run", "fourth")  # a name, whatever its case
    assert hit["guid"] == "story-4"
    ran = tidings.json("saved", "run", "lead")
    searched = tidings.json("search", "story", '-"number 3"')
    assert len(ran) == 4 and "story-3" not in {e["guid"] for e in ran}
    assert sorted(e["guid"] for e in ran) == sorted(e["guid"] for e in searched)

    taken = tidings.run("saved", "add", "FOURTH", "story", check=False)
    assert taken.returncode == 1 and 'already have a saved search called "Fourth"' in taken.stderr
    bad = tidings.run("saved", "add", "nothing", "-story", check=False)
    assert bad.returncode == 1 and "Add a word to search for" in bad.stderr
    assert "Traceback" not in taken.stderr + bad.stderr

    assert "renamed" in tidings.run("saved", "rename", "fourth", "Number four").stdout
    assert [s["name"] for s in tidings.json("saved", "list")] == ["lead", "Number four"]
    clash = tidings.run("saved", "rename", "lead", "number FOUR", check=False)
    assert clash.returncode == 1 and "already have" in clash.stderr

    assert "removed" in tidings.run("saved", "remove", "Number four").stdout
    assert [s["name"] for s in tidings.json("saved", "list")] == ["lead"]
    gone = tidings.run("saved", "remove", "Number four", check=False)
    assert gone.returncode == 1 and "no saved search" in gone.stderr


def test_a_users_saved_searches_are_theirs_alone(tidings: Tidings) -> None:
    _add_user(tidings, "ana")
    _add_user(tidings, "bob")
    tidings.run("--user", "ana", "saved", "add", "jobs", "vacancy")
    assert tidings.json("--user", "bob", "saved", "list") == []
    proc = tidings.run("--user", "bob", "saved", "remove", "jobs", check=False)
    assert proc.returncode == 1 and "no saved search" in proc.stderr
    proc = tidings.run("--user", "bob", "saved", "rename", "jobs", "mine", check=False)
    assert proc.returncode == 1
    assert [s["name"] for s in tidings.json("--user", "ana", "saved", "list")] == ["jobs"]


def test_names_are_cleaned_capped_and_printed_safely(tidings: Tidings) -> None:
    evil = tidings.run("saved", "add", "\x1b[31mred\x07", "tide", check=False)
    assert "\x1b" not in evil.stdout + evil.stderr and "\x07" not in evil.stdout
    (saved,) = tidings.json("saved", "list")
    assert "\x1b" not in saved["name"]  # control characters are spaces, trimmed
    long = tidings.run("saved", "add", "x" * 101, "tide", check=False)
    assert long.returncode == 1 and "at most 100 characters" in long.stderr
    assert "Usage:" in tidings.run("saved", "--help").stdout
