"""``tidings user``: add users, change passwords, list users (issue #6)."""

from __future__ import annotations

import sys

import click

from tidings.cli.terminal import echo, echo_json
from tidings.errors import TidingsError


def _password(from_stdin: bool, prompt: str = "Password") -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return value


@click.group()
def user() -> None:
    """Manage the users who sign in to the web reader."""


@user.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def add_user(ctx: click.Context, name: str, admin: bool, password_stdin: bool) -> None:
    """Create a user (or give a password to one the command line made)."""
    with ctx.obj.aggregator() as agg:
        try:
            created = agg.accounts.add_user(name, _password(password_stdin), is_admin=admin)
        except TidingsError as exc:
            raise click.ClickException(str(exc)) from exc
    echo(f"added {created.name}" + (" (admin)" if created.is_admin else ""))


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def passwd(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Set a user's password; the user's web sessions end."""
    with ctx.obj.aggregator() as agg:
        found = [u for u in agg.accounts.get_users() if u.name == name]
        if not found:
            raise click.ClickException(f"no user {name!r}")
        try:
            agg.accounts.set_password(found[0].id, _password(password_stdin))
        except TidingsError as exc:
            raise click.ClickException(str(exc)) from exc
    echo(f"password changed for {name}")


@user.command("api-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the API password from standard input.")
@click.option("--generate", is_flag=True, help="Make a random API password and print it.")
@click.pass_context
def api_password(ctx: click.Context, name: str, password_stdin: bool, generate: bool) -> None:
    """Set a user's API password, for apps that sync over the Google Reader or Fever
    API (separate from the web password); the user's API sessions end."""
    if password_stdin and generate:
        raise click.UsageError("--password-stdin and --generate exclude each other")
    with ctx.obj.aggregator() as agg:
        found = [u for u in agg.accounts.get_users() if u.name == name]
        if not found:
            raise click.ClickException(f"no user {name!r}")
        password = (
            agg.accounts.generate_api_password()
            if generate
            else _password(password_stdin, "API password")
        )
        try:
            agg.accounts.set_api_password(found[0].id, password)
        except TidingsError as exc:
            raise click.ClickException(str(exc)) from exc
    if generate:
        echo(password)
    else:
        echo(f"API password changed for {name}")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """List users."""

    with ctx.obj.aggregator() as agg:
        users = agg.accounts.get_users()
    if as_json:
        rows = [{"name": u.name, "admin": u.is_admin, "password": u.has_password} for u in users]
        echo_json(rows)
        return
    for u in users:
        flags = ", ".join(
            f for f, on in (("admin", u.is_admin), ("no password", not u.has_password)) if on
        )
        echo(u.name + (f"  ({flags})" if flags else ""))
