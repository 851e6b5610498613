"""Stories: filter rules (issue #5).

Part of the ``Aggregator`` facade (``agg.stories``). Rules belong to the user
who makes them; a rule for one feed needs a subscription to it. A feed's
extraction options (CSS selectors) and full-text mode are set through
``agg.subscriptions`` (#10).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tidings.content.rules import RuleSubject, Verdict, evaluate, validate_rule
from tidings.content.text import html_to_text
from tidings.model import Entry, Rule, UserId
from tidings.ports import Store

__all__ = ["DryRun", "Stories"]

DRY_RUN_ENTRIES = 5000


@dataclass(frozen=True, slots=True)
class DryRun:
    """What a rule would match among the user's stored entries."""

    rule: Rule
    checked: int
    matched: tuple[Entry, ...]
    timed_out: bool


class Stories:
    """Rules, scoped to one user's subscriptions."""

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
