"""A PostgreSQL URL opens the PostgreSQL engine (#13): one that cannot be reached
gets a clear message (no traceback, no password), and no help offers one yet."""

from __future__ import annotations

from conftest import Tidings

from tidings.settings import SETTINGS

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


def test_no_help_offers_postgresql(tidings: Tidings) -> None:
    assert "postgres" not in tidings.run("--help").stdout.lower()
    assert all("postgres" not in s.help.lower() for s in SETTINGS)
