"""What every command gets: the settings, the ``--user``, and the facade opened for it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from tidings import logs
from tidings.aggregator import Aggregator, make_app
from tidings.errors import NotFoundError, SettingsError, TidingsError
from tidings.model import UserId
from tidings.settings import Settings


class Context:
    def __init__(self, settings: Settings, user: str) -> None:
        self.settings = settings
        self.user_name = user

    def log_to_stderr(self) -> None:
        """Log lines on stderr (``serve``, ``worker`` and ``refresh``); stdout is unchanged."""
        logs.configure(self.settings.log_format, self.settings.log_level)

    @contextmanager
    def aggregator(self) -> Iterator[Aggregator]:
        """The facade, for commands that act for no user (refresh, worker, user)."""
        try:
            agg = make_app(self.settings)
        except TidingsError as exc:
            raise cli_error(exc) from exc
        try:
            yield agg
        except TidingsError as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            agg.close()

    @contextmanager
    def app(self) -> Iterator[tuple[Aggregator, UserId]]:
        """The facade and the ``--user``'s id; an unknown user is an error, never made."""
        with self.aggregator() as agg:
            try:
                user = agg.user_id(self.user_name)
            except NotFoundError:
                raise click.ClickException(
                    f"no user {self.user_name!r}: create it with "
                    f"`tidings user add {self.user_name}`, or pick one with --user"
                ) from None
            yield agg, user


pass_ctx = click.make_pass_decorator(Context)


def cli_error(exc: TidingsError) -> click.ClickException:
    """The error a command ends with: exit status 2 for a bad setting (what was typed
    is wrong, as with a bad option), 1 for the rest."""
    if isinstance(exc, SettingsError):
        return SettingsUsageError(str(exc))
    return click.ClickException(str(exc))


class SettingsUsageError(click.ClickException):
    """A bad setting or --db: exit status 2, as click gives a bad option."""

    exit_code = 2
