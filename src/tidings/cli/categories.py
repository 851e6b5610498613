"""``tidings category``: list, rename and delete your categories (#15)."""

from __future__ import annotations

import click

from tidings.cli.context import Context, pass_ctx
from tidings.cli.terminal import echo, terminal_safe


@click.group()
def category() -> None:
    """List, rename or delete your categories (the folders feeds are filed under)."""


@category.command("list")
@pass_ctx
def list_categories(c: Context) -> None:
    """Your categories with their unread counts."""
    with c.app() as (agg, user):
        counts = agg.reading.get_sidebar(user).categories
    for found in counts:
        echo(f"{found.unread:>6}  {terminal_safe(found.name)}")


@category.command()
@click.argument("old")
@click.argument("new")
@pass_ctx
def rename(c: Context, old: str, new: str) -> None:
    """Rename category OLD to NEW (into NEW if it exists), and the tag of that name."""
    if not new.strip() or len(new.strip()) > 200:
        raise click.BadParameter("a category name is 1 to 200 characters", param_hint="NEW")
    with c.app() as (agg, user):
        agg.subscriptions.rename_category(user, old, new)
    echo(f"renamed {terminal_safe(old)} to {terminal_safe(new.strip())}")


@category.command()
@click.argument("name")
@pass_ctx
def delete(c: Context, name: str) -> None:
    """Delete category NAME (its feeds stay, in no category) and the tag of that name."""
    with c.app() as (agg, user):
        agg.subscriptions.delete_category(user, name)
    echo(f"deleted {terminal_safe(name)}")
