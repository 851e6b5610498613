"""Stories: filter rules and per-feed extraction options (issue #5).

Part of the ``Aggregator`` facade (``agg.stories``). Rules belong to the user
who makes them; a rule for one feed needs a subscription to it. Extraction
options (CSS selectors) and the full-text mode are properties of the shared
feed: every subscriber benefits from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tidings.content.clutter import compile_selector
from tidings.content.rules import RuleSubject, Verdict, evaluate, validate_rule
from tidings.content.text import html_to_text
from tidings.errors import NotFoundError
from tidings.model import Entry, FullTextMode, Rule, StoryOptions, UserId
from tidings.ports import Store

__all__ = ["DryRun", "Stories"]

MAX_SELECTORS = 20
DRY_RUN_ENTRIES = 5000


@dataclass(frozen=True, slots=True)
class DryRun:
    """What a rule would match among the user's stored entries."""

    rule: Rule
    checked: int
    matched: tuple[Entry, ...]
    timed_out: bool


class Stories:
    """Rules and extraction options, scoped to one user's subscriptions."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # rules

    def get_rules(self, user: UserId) -> list[Rule]:
        return self.store.get_rules(user)

    def add_rule(self, user: UserId, rule: Rule) -> Rule:
        """Validate and store a rule (it applies to entries that arrive from now on)."""
        validate_rule(rule)
        return self.store.add_rule(user, rule, now=datetime.now(UTC))

    def remove_rule(self, user: UserId, rule_id: int) -> None:
        self.store.remove_rule(user, rule_id)

    def dry_run(self, user: UserId, rule: Rule, *, limit: int = DRY_RUN_ENTRIES) -> DryRun:
        """The stored entries ``rule`` would act on (nothing is saved or changed)."""
        validate_rule(rule)
        entries = self.store.get_rule_entries(user, rule.feed_url, limit)
        verdict = Verdict()
        probe = replace(rule, id=-1)
        matched = tuple(e for e in entries if evaluate(probe, rule_subject(e), verdict))
        return DryRun(rule, len(entries), matched, bool(verdict.timed_out))

    # per-feed options

    def set_options(
        self,
        user: UserId,
        url: str,
        *,
        full_text: FullTextMode | None = None,
        body_selector: str | None = None,
        remove_selectors: Sequence[str] | None = None,
    ) -> StoryOptions:
        """Change a followed feed's full-text mode and CSS selectors (None: keep;
        an empty body selector or list clears it)."""
        feed = next((f for f in self.store.get_feeds(user) if f.state.url == url), None)
        if feed is None:
            raise NotFoundError(f"not subscribed: {url}")
        current = self.store.get_story_options(feed.state.id)
        body = current.body_selector if body_selector is None else (body_selector.strip() or None)
        remove = (
            current.remove_selectors
            if remove_selectors is None
            else tuple(s.strip() for s in remove_selectors if s.strip())[:MAX_SELECTORS]
        )
        for selector in (body, *remove):
            if selector:
                compile_selector(selector)  # raises InvalidSelectorError
        options = StoryOptions(body_selector=body, remove_selectors=remove)
        self.store.set_story_options(feed.state.id, options)
        if full_text is not None:
            self.store.set_feed_options(feed.state.id, full_text=full_text.value)
        return options

    def get_options(self, user: UserId, url: str) -> tuple[FullTextMode, StoryOptions]:
        feed = next((f for f in self.store.get_feeds(user) if f.state.url == url), None)
        if feed is None:
            raise NotFoundError(f"not subscribed: {url}")
        return feed.state.full_text, self.store.get_story_options(feed.state.id)


def rule_subject(entry: Entry) -> RuleSubject:
    """The fields of a stored entry that rules look at."""
    text = html_to_text(entry.content or entry.summary)
    if entry.summary and entry.content:
        text = f"{text}\n{html_to_text(entry.summary)}"
    return RuleSubject(
        title=entry.title or "",
        content=text,
        author=entry.author or "",
        url=entry.link or "",
        categories=entry.categories,
    )
