"""``tidings rules``: filter rules, listed, added (or tried) and removed (issue #5)."""

from __future__ import annotations

import click

from tidings.api.serialize import rule_json
from tidings.cli.terminal import echo, echo_json
from tidings.model import Rule, RuleAction, RuleField

_FIELDS = [f.value for f in RuleField]
_ACTIONS = [a.value for a in RuleAction]


def _rule_line(rule: Rule) -> str:
    scope = rule.feed_url or "all feeds"
    test = "does not match" if rule.keep else "matches"
    action = rule.action.value + (f" {rule.value}" if rule.value else "")
    return f"{rule.id:>4}  {scope}: when {rule.field.value} {test} /{rule.pattern}/ -> {action}"


@click.group()
def rules() -> None:
    """Filter rules: hide, mark read, star, tag or file new entries by a pattern.

    A rule belongs to you and covers one of your feeds (--feed) or all of them.
    It tests a field against a regular expression (case-insensitive, with a
    time limit); --keep inverts it (act on entries that do NOT match). Rules
    act on entries that arrive after they are added; try one first with
    --dry-run to see what it would match among the stored entries.
    """


@rules.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_rules(ctx: click.Context, as_json: bool) -> None:
    """List your rules."""
    with ctx.obj.app() as (agg, user):
        found = agg.stories.get_rules(user)
    if as_json:
        echo_json([rule_json(r) for r in found])
        return
    for rule in found:
        echo(_rule_line(rule))
    if not found:
        echo("no rules")


@rules.command("add")
@click.option("--field", "field_", type=click.Choice(_FIELDS), required=True)
@click.option("--pattern", required=True, help="A regular expression (case-insensitive).")
@click.option("--action", type=click.Choice(_ACTIONS), required=True)
@click.option("--value", help="The tag (action tag) or category (action category).")
@click.option("--keep", is_flag=True, help="Act on entries that do NOT match.")
@click.option("--feed", "feed_url", help="Only this feed (its URL); default all your feeds.")
@click.option("--dry-run", is_flag=True, help="Show what it would match; save nothing.")
@click.pass_context
def add_rule(
    ctx: click.Context,
    field_: str,
    pattern: str,
    action: str,
    value: str | None,
    keep: bool,
    feed_url: str | None,
    dry_run: bool,
) -> None:
    """Add a rule (or, with --dry-run, try it on the stored entries)."""
    rule = Rule(
        field=RuleField(field_),
        pattern=pattern,
        action=RuleAction(action),
        value=value,
        keep=keep,
        feed_url=feed_url,
    )
    with ctx.obj.app() as (agg, user):
        if dry_run:
            result = agg.stories.dry_run(user, rule)
            for e in result.matched:
                echo(f"{e.id:>7}  {e.title or '(untitled)'}  — {e.feed_title or ''}")
            note = " (the pattern timed out on some entries)" if result.timed_out else ""
            echo(
                f"dry run: {len(result.matched)} of {result.checked} stored entries "
                f"would {action}{note}; nothing saved"
            )
            return
        saved = agg.stories.add_rule(user, rule)
    echo(f"added rule {saved.id}: {_rule_line(saved).strip()}")


@rules.command("remove")
@click.argument("rule_id", type=int)
@click.pass_context
def remove_rule(ctx: click.Context, rule_id: int) -> None:
    """Remove one of your rules."""
    with ctx.obj.app() as (agg, user):
        agg.stories.remove_rule(user, rule_id)
    echo(f"removed rule {rule_id}")
