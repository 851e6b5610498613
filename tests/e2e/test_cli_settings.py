"""Nothing created by a typo (#11): a --db in a missing directory, a malformed
TIDINGS_ALLOW_PRIVATE_NETWORKS are errors with exit status 2 naming what is
expected; ``localhost`` opens loopback; a refused private address names the setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Tidings
from feeds import rss
from feedserver import FeedServer


def test_a_db_in_a_missing_directory_is_an_error_and_creates_nothing(
    tidings: Tidings, tmp_path: Path
) -> None:
    missing = tmp_path / "missing" / "dir"
    proc = tidings.run("--db", f"sqlite:///{missing / 'x.db'}", "entries", check=False)
    assert proc.returncode == 2, proc.stderr
    assert str(missing) in proc.stderr and "does not exist" in proc.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("value", ["10.0.0.0/33", "not a network!", "127.0.0.1:http", "a/b"])
def test_a_malformed_allowlist_is_an_error(tidings: Tidings, value: str) -> None:
    env = {**tidings.env, "TIDINGS_ALLOW_PRIVATE_NETWORKS": value}
    proc = Tidings(env).run("feeds", check=False)
    assert proc.returncode == 2, proc.stderr
    assert "allow_private_networks" in proc.stderr and "127.0.0.0/8" in proc.stderr


def test_localhost_opens_loopback_and_a_refusal_names_the_setting(
    tidings: Tidings, feed_server: FeedServer
) -> None:
    feed_server.set("/n.xml", rss(2))
    url = feed_server.url("/n.xml")  # http://127.0.0.1:PORT/n.xml
    closed = Tidings({**tidings.env, "TIDINGS_ALLOW_PRIVATE_NETWORKS": ""})
    proc = closed.run("add", url, check=False)
    assert proc.returncode != 0 and "TIDINGS_ALLOW_PRIVATE_NETWORKS" in proc.stderr

    opened = Tidings({**tidings.env, "TIDINGS_ALLOW_PRIVATE_NETWORKS": "localhost"})
    opened.run("add", url)
    assert "1 ok" in opened.run("refresh").stdout
    assert len(opened.json("entries")) == 2
