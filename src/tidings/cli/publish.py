"""``tidings publish``: your private feed addresses, and public publications (#14)."""

from __future__ import annotations

import click

from tidings.cli.context import Context, pass_ctx
from tidings.cli.terminal import echo, echo_json


@click.group()
def publish() -> None:
    """Feeds of your stories for other apps, and public pages (administrators).

    SELECTION is all, unread, starred, category/NAME, feed/ID, tag/NAME or
    search/QUERY: as your river lists it, newest first, each story once.
    """


@publish.command()
@click.argument("selection")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["atom", "rss", "json"]),
    default="atom",
    show_default=True,
    help="Atom 1.0, RSS 2.0 or JSON Feed 1.1.",
)
@pass_ctx
def url(c: Context, selection: str, fmt: str) -> None:
    """Print the private address of a feed of SELECTION (needs base_url).

    Anyone with the address reads the feed: `tidings publish revoke` replaces it.
    """
    with c.app() as (agg, user):
        echo(agg.publishing.private_url(user, selection, fmt))  # type: ignore[arg-type]


@publish.command()
@pass_ctx
def revoke(c: Context) -> None:
    """Replace your private feed addresses: the old ones answer 404 from now on."""
    with c.app() as (agg, user):
        agg.publishing.revoke_token(user)
    echo("revoked: your earlier private feed addresses answer 404; see `tidings publish url`")


@publish.command()
@click.argument("selection")
@click.option("--public", is_flag=True, help="Publish for everyone, at /p/NAME (required).")
@click.option("--full/--excerpt", default=False, help="The whole text, or the lead and the link.")
@click.option("--name", "slug", help="The address: /p/NAME (default: from SELECTION).")
@click.option("--title", help="The publication's title (default: from SELECTION).")
@pass_ctx
def add(
    c: Context, selection: str, public: bool, full: bool, slug: str | None, title: str | None
) -> None:
    """Publish SELECTION of your stories as a public page and feeds (administrators)."""
    if not public:
        raise click.UsageError(
            "private feeds need no adding (see `tidings publish url`); "
            "pass --public to publish for everyone"
        )
    with c.app() as (agg, user):
        made = agg.publishing.add_publication(
            user, selection, full_text=full, slug=slug, title=title
        )
        echo(f"published {made.selection} at {_address(c, made.slug)}")


@publish.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def list_publications(c: Context, as_json: bool) -> None:
    """The public publications."""
    with c.aggregator() as agg:
        found = agg.publishing.get_publications()
        owners = {u.id: u.name for u in agg.accounts.get_users()}
    if as_json:
        echo_json(
            [
                {
                    "name": p.slug,
                    "selection": p.selection,
                    "full_text": p.full_text,
                    "title": p.title,
                    "user": owners.get(p.user_id),
                    "url": _address(c, p.slug),
                    "created": p.created_at.isoformat(),
                }
                for p in found
            ]
        )
        return
    for p in found:
        kind = "full text" if p.full_text else "excerpts"
        echo(f"{p.slug}  {p.selection}  ({kind}, {owners.get(p.user_id)})  {_address(c, p.slug)}")


@publish.command()
@click.argument("name")
@pass_ctx
def remove(c: Context, name: str) -> None:
    """Stop publishing NAME (administrators)."""
    with c.app() as (agg, user):
        agg.publishing.remove_publication(user, name)
    echo(f"removed {name}")


def _address(c: Context, slug: str) -> str:
    return f"{c.settings.base_url.rstrip('/')}/p/{slug}"
