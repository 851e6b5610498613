"""Only SQLite works today: a PostgreSQL URL gets a clear message, and no help offers one."""

from __future__ import annotations

from conftest import Tidings

from tidings.settings import SETTINGS


def test_postgresql_url_is_refused_clearly(tidings: Tidings) -> None:
    for url in ("postgresql://tidings@localhost/tidings", "postgres://h/db"):
        proc = tidings.run("--db", url, "feeds", check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert "postgresql:// URLs are not supported: use sqlite:///path" in proc.stderr
    env = Tidings({**tidings.env, "TIDINGS_DB": "postgresql://h/db"})
    proc = env.run("worker", "--once", check=False)
    assert proc.returncode == 2 and "postgresql:// URLs are not supported" in proc.stderr


def test_no_help_offers_postgresql(tidings: Tidings) -> None:
    assert "postgres" not in tidings.run("--help").stdout.lower()
    assert all("postgres" not in s.help.lower() for s in SETTINGS)
