"""Generate a large Tidings SQLite database for ``benchmarks/web.py``.

    .venv/bin/python benchmarks/gen_web_db.py /tmp/tidings-web.db --feeds 1000 --entries 1000000

One user (``bench`` / ``benchmark password``) follows every feed, filed under
twelve categories. Entries spread over two years; titles of 6–14 words, a
summary of about 40 words, and for 60% of entries an article of about 250 words
(~1.8 KB of HTML), drawn from a Zipf-distributed vocabulary so that search
terms have realistic document frequencies. 70% of entries older than a day
are read, and 2% starred. Rows are written with SQL in large transactions, the
schema's triggers keeping the unread counters and the FTS index as the app does.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tidings.adapters.store import open_store
from tidings.aggregator.accounts import Accounts
from tidings.content.text import plain_text

USER, PASSWORD = "bench", "benchmark password"
CATEGORIES = [
    "World",
    "Politics",
    "Business",
    "Technology",
    "Science",
    "Health",
    "Sport",
    "Culture",
    "Climate",
    "Local",
    "Opinion",
    "Blogs",
]
NEWS_WORDS = [
    "election",
    "government",
    "minister",
    "climate",
    "summit",
    "market",
    "shares",
    "bank",
    "inflation",
    "football",
    "league",
    "match",
    "court",
    "ruling",
    "police",
    "hospital",
    "vaccine",
    "research",
    "study",
    "university",
    "energy",
    "prices",
    "oil",
    "gas",
    "wind",
    "solar",
    "storm",
    "flood",
    "wildfire",
    "drought",
    "parliament",
    "vote",
    "budget",
    "tax",
    "trade",
    "tariff",
    "export",
    "company",
    "profit",
    "startup",
    "software",
    "security",
    "breach",
    "privacy",
    "data",
    "model",
    "robot",
    "space",
    "rocket",
    "launch",
    "planet",
    "mission",
    "film",
    "music",
    "festival",
    "theatre",
    "museum",
    "book",
    "novel",
    "author",
    "award",
    "council",
    "city",
    "housing",
    "transport",
    "rail",
    "strike",
    "union",
    "workers",
    "wages",
    "school",
    "students",
    "teachers",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "ti",
    "vo",
    "ber",
    "dan",
    "gel",
    "hor",
    "jin",
    "kal",
    "mor",
    "nis",
    "pra",
    "qua",
    "ral",
    "sen",
    "tor",
    "ul",
    "ven",
    "wis",
]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: list[str] = list(NEWS_WORDS)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    head, tail = words[: len(NEWS_WORDS)], words[len(NEWS_WORDS) :]
    rng.shuffle(tail)
    # the news words sit at ranks 40-200: frequent, but not stop-word frequent
    return tail[:40] + head + tail[40:]


class Texts:
    def __init__(self, rng: random.Random, size: int = 30_000) -> None:
        self.rng = rng
        self.words = vocabulary(rng, size)
        self.cum = list(itertools.accumulate(1 / (rank + 1) for rank in range(size)))

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentence(self, n: int) -> str:
        words = self.words_(n)
        return " ".join(words).capitalize() + "."

    def title(self) -> str:
        return " ".join(self.words_(self.rng.randint(6, 14))).capitalize()

    def summary(self) -> str:
        return f"<p>{self.sentence(40)}</p>"

    def article(self) -> str:
        paragraphs = [
            " ".join(self.sentence(self.rng.randint(12, 20)) for _ in range(3)) for _ in range(4)
        ]
        return "".join(f"<p>{p}</p>" for p in paragraphs)


def make_feeds(conn: sqlite3.Connection, texts: Texts, user_id: int, n: int, now: int) -> None:
    with conn:
        for i in range(n):
            cur = conn.execute(
                "INSERT INTO feeds (url, title, link, next_check_at, created_at, last_fetched_at, "
                "last_success_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    f"https://site{i}.example/feed.xml",
                    f"{texts.title()[:40]} News",
                    f"https://site{i}.example/",
                    now + 10 * 365 * 86400,
                    now,
                    now - 600,
                    now - 600,
                ),
            )
            category = CATEGORIES[i % len(CATEGORIES)]
            conn.execute(
                "INSERT OR IGNORE INTO categories (user_id, name) VALUES (?, ?)",
                (user_id, category),
            )
            cat_id = conn.execute(
                "SELECT id FROM categories WHERE user_id = ? AND name = ?", (user_id, category)
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO subscriptions (user_id, feed_id, category_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (user_id, cur.lastrowid, cat_id, now),
            )


def make_entries(conn: sqlite3.Connection, texts: Texts, feeds: int, total: int, now: int) -> None:
    rng = texts.rng
    span = 2 * 365 * 86400
    batch = 20_000
    started = time.monotonic()
    for start in range(0, total, batch):
        rows, search = [], []
        for i in range(start, min(total, start + batch)):
            feed_id = 1 + i % feeds
            at = now - int(span * (1 - i / total)) - rng.randint(0, 3600)
            title, summary = texts.title(), texts.summary()
            content = texts.article() if rng.random() < 0.6 else None
            rows.append(
                (
                    i + 1,
                    feed_id,
                    f"guid-{i}",
                    title,
                    f"https://site{feed_id - 1}.example/{i}",
                    at,
                    summary,
                    content,
                    f"h{i}",
                    at,
                    at,
                )
            )
            search.append((i + 1, title, plain_text(content or summary), f"f{feed_id}"))
        with conn:
            conn.executemany(
                "INSERT INTO entries (id, feed_id, guid, title, link, published_at, summary, "
                "content, content_hash, first_seen_at, sort_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO entry_search (id, title, body, feed) VALUES (?, ?, ?, ?)", search
            )
        done = min(total, start + batch)
        rate = done / (time.monotonic() - started)
        print(f"\r{done:>9,} entries  ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def make_states(
    conn: sqlite3.Connection, user_id: int, total: int, now: int, rng: random.Random
) -> None:
    with conn:
        conn.execute(
            "INSERT INTO entry_states (user_id, entry_id, read, starred, read_at) "
            "SELECT ?, id, 1, 0, ? FROM entries WHERE sort_at < ? AND (id * 7919) % 10 < 7",
            (user_id, now, now - 86400),
        )
        starred = rng.sample(range(1, total + 1), max(1, total // 50))
        conn.executemany(
            "INSERT INTO entry_states (user_id, entry_id, starred, starred_at) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (user_id, entry_id) DO UPDATE SET starred = 1",
            [(user_id, e, now) for e in starred],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if args.db.exists():
        sys.exit(f"{args.db} exists; remove it first")
    store = open_store(f"sqlite:///{args.db}")
    user = Accounts(store).add_user(USER, PASSWORD, is_admin=True)
    store.close()
    rng = random.Random(args.seed)
    texts = Texts(rng)
    now = int(time.time())
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-400000")
    make_feeds(conn, texts, user.id, args.feeds, now)
    make_entries(conn, texts, args.feeds, args.entries, now)
    print("read and starred states…", file=sys.stderr)
    make_states(conn, user.id, args.entries, now, rng)
    print("optimizing…", file=sys.stderr)
    conn.execute("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(
        f"wrote {args.db} ({args.db.stat().st_size / 1e9:.2f} GB); sign in as {USER} / {PASSWORD}"
    )


if __name__ == "__main__":
    main()
