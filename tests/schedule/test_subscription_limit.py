"""A per-user subscription cap, and imports that do not make every feed due at once
(#11 item 18)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Tidings

from tidings.aggregator import make_app
from tidings.errors import SubscriptionLimitError
from tidings.settings import load_settings


def _opml(n: int, host: str = "o") -> bytes:
    outlines = "".join(
        f'<outline text="F{i}" type="rss" xmlUrl="https://{host}{i}.example/feed"/>'
        for i in range(n)
    )
    return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()


def test_subscribing_past_the_limit_is_an_error_naming_it(db_url: str) -> None:
    settings = load_settings(
        {"db": db_url, "max_subscriptions_per_user": 2}, environ={}
    )
    with make_app(settings) as agg:
        user = agg.user_id()
        for host in ("a", "b"):
            asyncio.run(agg.add_feed(user, f"https://{host}.example/feed", discover=False))
        again = asyncio.run(agg.add_feed(user, "https://a.example/feed", discover=False))
        assert again.url == "https://a.example/feed"  # one already followed is no new one
        with pytest.raises(SubscriptionLimitError, match="2"):
            asyncio.run(agg.add_feed(user, "https://c.example/feed", discover=False))
        other = agg.accounts.add_user("bob", "correct horse battery").id
        asyncio.run(agg.add_feed(other, "https://c.example/feed", discover=False))  # per user
        assert len(agg.get_feeds(user)) == 2


def test_an_import_subscribes_up_to_the_limit_and_reports_the_rest(db_url: str) -> None:
    settings = load_settings(
        {"db": db_url, "max_subscriptions_per_user": 3}, environ={}
    )
    with make_app(settings) as agg:
        user = agg.user_id()
        asyncio.run(agg.add_feed(user, "https://o0.example/feed", discover=False))
        added, problems = agg.import_opml(user, _opml(5))
        assert added == 2 and len(agg.get_feeds(user)) == 3  # o1, o2 (o0 was followed)
        skipped = [p for p in problems if "limit" in p]
        assert len(skipped) == 2 and "3" in skipped[0]
        assert "https://o4.example/feed" in skipped[-1]


def test_imported_feeds_are_due_over_a_few_minutes(db_url: str) -> None:
    settings = load_settings({"db": db_url}, environ={})
    with make_app(settings) as agg:
        user = agg.user_id()
        before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
        added, _ = agg.import_opml(user, _opml(300))
        after = datetime.now(UTC)
        assert added == 300
        due = sorted(f.state.next_check_at for f in agg.get_feeds(user) if f.state.next_check_at)
        assert len(due) == 300
        assert before <= due[0] <= after and due[-1] <= after + timedelta(minutes=5)
        assert due[-1] - due[0] >= timedelta(minutes=4)  # spread, not all at once
        # the first hundred are due at once (the next refresh fetches a small import)
        assert 100 <= len(agg.store.get_due_feeds(after)) < 110


def test_the_cli_import_reports_the_skipped(tidings: Tidings, tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(_opml(3))
    env = {**tidings.env, "TIDINGS_MAX_SUBSCRIPTIONS_PER_USER": "1"}
    run = Tidings(env).run("import-opml", str(path))
    assert "imported 1 feeds" in run.stdout
    assert run.stderr.count("subscription limit") == 2
