"""Filter rules: a declarative, time-bounded match; never ``eval`` (HOSTILE E14).

A rule belongs to one user and covers one of their feeds or all of them. It
tests one field (title, content, author, url, or any one of the entry's
categories) against a regular expression (the ``regex`` module,
case-insensitive) and, when it matches (or,
for a *keep* rule, when it does not), applies one action to that user's view
of the entry: drop (hide), mark read, star, tag, or file under a category.
The shared entry row is never changed, and other users are not affected.

Every match runs with a timeout (``MATCH_TIMEOUT``) on input capped at
``MAX_SUBJECT_CHARS``: a catastrophic pattern such as ``(a+)+$`` gives up
instead of stalling a refresh. A rule that times out counts as not matching
and is skipped for the rest of that batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from tidings.errors import TidingsError
from tidings.model import Rule, RuleAction, RuleField, RuleOutcome, UserId

__all__ = [
    "MATCH_TIMEOUT",
    "InvalidRuleError",
    "RuleSubject",
    "Verdict",
    "apply_rules",
    "evaluate",
    "validate_rule",
]

log = logging.getLogger(__name__)

MATCH_TIMEOUT = 0.05  # seconds per match
MAX_SUBJECT_CHARS = 100_000
MAX_PATTERN_CHARS = 500
MAX_VALUE_CHARS = 100


class InvalidRuleError(TidingsError, ValueError):
    """A rule that cannot be saved: bad pattern, missing tag or category."""


@dataclass(frozen=True, slots=True)
class RuleSubject:
    """The fields of one entry that rules look at (plain text)."""

    title: str = ""
    content: str = ""
    author: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()

    def values(self, name: RuleField) -> tuple[str, ...]:
        """The texts a rule on ``name`` tests (each category on its own)."""
        if name == RuleField.CATEGORY:
            return self.categories
        return (str(getattr(self, name.value)),)


@dataclass(slots=True)
class Verdict:
    """How one batch of rule evaluations went (timeouts are remembered)."""

    timed_out: set[int] = field(default_factory=set)


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE)


def validate_rule(rule: Rule) -> Rule:
    """Check a rule before it is stored; raises ``InvalidRuleError``."""
    if not rule.pattern or len(rule.pattern) > MAX_PATTERN_CHARS:
        raise InvalidRuleError(f"the pattern must have 1 to {MAX_PATTERN_CHARS} characters")
    try:
        _compile(rule.pattern)
    except (regex.error, ValueError, OverflowError) as exc:
        raise InvalidRuleError(f"invalid pattern {rule.pattern!r}: {exc}") from None
    needs_value = rule.action in (RuleAction.TAG, RuleAction.CATEGORY)
    value = (rule.value or "").strip()
    if needs_value and not value:
        raise InvalidRuleError(f"action {rule.action.value!r} needs a value (the name)")
    if len(value) > MAX_VALUE_CHARS:
        raise InvalidRuleError(f"the value must have at most {MAX_VALUE_CHARS} characters")
    return rule


def evaluate(rule: Rule, subject: RuleSubject, verdict: Verdict | None = None) -> bool:
    """Does ``rule`` fire on ``subject``? A timed-out match does not fire."""
    if verdict is not None and rule.id in verdict.timed_out:
        return False
    pattern = _compile(rule.pattern)
    try:
        found = any(
            pattern.search(text[:MAX_SUBJECT_CHARS], timeout=MATCH_TIMEOUT) is not None
            for text in subject.values(rule.field)
        )
    except TimeoutError:
        log.warning(
            "rule %s timed out (pattern %.60r); treated as not matching", rule.id, rule.pattern
        )
        if verdict is not None:
            verdict.timed_out.add(rule.id)
        return False
    except regex.error:
        return False
    return found != rule.keep


def _outcome(user_id: UserId, fired: Iterable[Rule]) -> RuleOutcome | None:
    hidden = read = starred = False
    tags: list[str] = []
    category: str | None = None
    any_fired = False
    for rule in fired:
        any_fired = True
        value = (rule.value or "").strip()
        if rule.action == RuleAction.DROP:
            hidden = True
        elif rule.action == RuleAction.READ:
            read = True
        elif rule.action == RuleAction.STAR:
            starred = True
        elif rule.action == RuleAction.TAG and value not in tags:
            tags.append(value)
        elif rule.action == RuleAction.CATEGORY and category is None:
            category = value
    if not any_fired:
        return None
    return RuleOutcome(user_id, hidden, read, starred, tuple(tags), category)


def apply_rules(
    rules: Sequence[Rule], feed_id: int, subject: RuleSubject, verdict: Verdict | None = None
) -> tuple[RuleOutcome, ...]:
    """Each user's outcome for one entry of feed ``feed_id`` (users with no hit left out)."""
    by_user: dict[UserId, list[Rule]] = {}
    for rule in sorted(rules, key=lambda r: r.id):
        if rule.feed_id is not None and rule.feed_id != feed_id:
            continue
        if evaluate(rule, subject, verdict):
            by_user.setdefault(rule.user_id, []).append(rule)
    outcomes = (_outcome(user, fired) for user, fired in sorted(by_user.items()))
    return tuple(o for o in outcomes if o is not None)
