"""``tidings rules`` and ``tidings feed-options`` (issues #5, #4: the interval, #10)."""

from __future__ import annotations

import json

import click

from tidings.aggregator import UNSET, Unset
from tidings.api.serialize import rule_json
from tidings.core.schedule import parse_interval
from tidings.model import FullTextMode, Rule, RuleAction, RuleField

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
        click.echo(json.dumps([rule_json(r) for r in found], indent=2, ensure_ascii=False))
        return
    for rule in found:
        click.echo(_rule_line(rule))
    if not found:
        click.echo("no rules")


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
                click.echo(f"{e.id:>7}  {e.title or '(untitled)'}  — {e.feed_title or ''}")
            note = " (the pattern timed out on some entries)" if result.timed_out else ""
            click.echo(
                f"dry run: {len(result.matched)} of {result.checked} stored entries "
                f"would {action}{note}; nothing saved"
            )
            return
        saved = agg.stories.add_rule(user, rule)
    click.echo(f"added rule {saved.id}: {_rule_line(saved).strip()}")


@rules.command("remove")
@click.argument("rule_id", type=int)
@click.pass_context
def remove_rule(ctx: click.Context, rule_id: int) -> None:
    """Remove one of your rules."""
    with ctx.obj.app() as (agg, user):
        agg.stories.remove_rule(user, rule_id)
    click.echo(f"removed rule {rule_id}")


@click.command("feed-options")
@click.argument("url")
@click.option("--category", help="File the feed under this category ('' for none).")
@click.option("--title", help="Your name for the feed ('' for the feed's own title).")
@click.option(
    "--full-text",
    type=click.Choice([m.value for m in FullTextMode]),
    help="Fetch the article for teasers (auto), for every entry (always), or never.",
)
@click.option("--body", "body_selector", help="CSS selector of the article body on its pages.")
@click.option(
    "--remove", "remove_selectors", multiple=True, help="CSS selector of clutter to cut (repeat)."
)
@click.option("--clear-selectors", is_flag=True, help="Forget the feed's CSS selectors.")
@click.option(
    "--interval",
    metavar="DURATION",
    help="Check the feed this often (90s, 30m, 2h, 1d; a bare number is minutes), "
    "or 'auto' to follow its posting rate again.",
)
@click.pass_context
def feed_options(
    ctx: click.Context,
    url: str,
    category: str | None,
    title: str | None,
    full_text: str | None,
    body_selector: str | None,
    remove_selectors: tuple[str, ...],
    clear_selectors: bool,
    interval: str | None,
) -> None:
    """Show or set a feed's category, title, full-text mode, refresh interval and
    extraction selectors."""
    body: str | Unset | None = _given(body_selector)
    remove: tuple[str, ...] | Unset = remove_selectors or UNSET
    if clear_selectors:
        body, remove = None, ()
    seconds = UNSET if interval is None else _interval(interval)
    with ctx.obj.app() as (agg, user):
        feed_id = agg.subscriptions.feed_id_for(user, url)
        feed = agg.subscriptions.update_subscription(
            user,
            feed_id,
            category=_given(category),
            title=_given(title),
            interval=seconds,
            full_text=_given(full_text),
            body_selector=body,
            remove_selectors=remove,
        )
        options = agg.subscriptions.get_story_options(user, feed_id)
    override = feed.state.interval_override
    click.echo(f"category: {feed.category or '(none)'}")
    click.echo(f"full text: {feed.state.full_text.value}")
    click.echo(f"interval: {_duration(override) if override else 'auto (posting rate)'}")
    click.echo(f"body: {options.body_selector or '(automatic)'}")
    click.echo("remove: " + (", ".join(options.remove_selectors) or "(none)"))


def _given(value: str | None) -> str | Unset:
    """An option's value; UNSET when it was not given."""
    return UNSET if value is None else value


def _interval(text: str) -> int | None:
    try:
        return parse_interval(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--interval") from None


def _duration(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
