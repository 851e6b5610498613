"""`--user` names an existing user; only the first command on an empty database
makes one, the default CLI user (#10)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import Tidings


def _users(tidings: Tidings) -> list[str]:
    return [u["name"] for u in tidings.json("user", "list")]


def test_an_unknown_user_is_refused_not_created(tidings: Tidings) -> None:
    for args in (["--user", "typo", "entries"], ["--user", "typo", "add", "https://a.example/"]):
        proc = tidings.run(*args, check=False)
        assert proc.returncode == 1
        assert "no user 'typo'" in proc.stderr and "tidings user add typo" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert _users(tidings) == []
    tidings.run("add", "https://a.example/feed.xml", "--no-discover")  # a newcomer's first command
    assert [(u["name"], u["admin"]) for u in tidings.json("user", "list")] == [("admin", True)]
    proc = tidings.run("--user", "typo", "feeds", check=False)
    assert proc.returncode == 1 and "tidings user add typo" in proc.stderr
    assert _users(tidings) == ["admin"]


def test_a_user_added_first_is_used_and_no_default_user_appears(tidings: Tidings) -> None:
    exe = Path(sys.executable).with_name("tidings")
    subprocess.run(
        [str(exe), "user", "add", "ana", "--password-stdin"],
        input="a long password\n",
        env=tidings.env,
        check=True,
        capture_output=True,
        text=True,
    )
    tidings.run("--user", "ana", "add", "https://a.example/feed.xml", "--no-discover")
    assert [f["url"] for f in tidings.json("--user", "ana", "feeds")] == [
        "https://a.example/feed.xml"
    ]
    proc = tidings.run("entries", check=False)  # the default user was never made
    assert proc.returncode == 1 and "tidings user add admin" in proc.stderr
    assert _users(tidings) == ["ana"]
