"""Every exception Tidings raises on purpose.

::

    TidingsError
    ├── ParseError(ValueError)            the bytes are not a feed we can read
    ├── FetchFailedError                  an outbound request failed (carries a message)
    │   ├── DestinationNotAllowedError    SSRF guard: scheme, address or port refused
    │   └── ResponseTooLargeError         body over the size cap (after decompression)
    ├── DiscoveryError(ValueError)        no feed found at a site address
    ├── InvalidURLError(ValueError)       not an http(s) URL
    ├── NotFoundError(LookupError)        no such feed / entry / user (for this user)
    ├── StorageError                      the database failed; driver errors are wrapped here
    │   ├── StorageLockedError            another process held the write lock past the wait bound
    │   ├── StorageFullError              the database or its disk is full
    │   └── StorageReadOnlyError          the database (file or file system) is read-only
    ├── WorkerDiedError                   a worker process died while it held the task
    ├── SubscriptionLimitError(ValueError)  the user follows max_subscriptions_per_user feeds
    ├── AccountError(ValueError)          a bad user name or password, or setup already done
    ├── PermissionDeniedError(PermissionError)  a shared setting this user may not change
    ├── SearchQueryError(ValueError)      a search query that cannot be run (friendly message)
    ├── SavedSearchError(ValueError)      a saved search's name is no name, or too many (#15)
    │   └── SavedSearchTakenError         the user has a saved search of that name
    ├── CopyRefusedError                  copy-db will not copy: a target with rows, another schema
    └── SettingsError(ValueError)         a setting has a bad value
"""

from __future__ import annotations


class TidingsError(Exception):
    """Base of every error Tidings raises on purpose."""


class ParseError(TidingsError, ValueError):
    """The document is not a feed Tidings can read."""


class FetchFailedError(TidingsError):
    """An outbound HTTP request failed."""


class DestinationNotAllowedError(FetchFailedError):
    """The URL's scheme, address or port is refused by the network policy."""


class ResponseTooLargeError(FetchFailedError):
    """The response body exceeded the size cap."""


class DiscoveryError(TidingsError, ValueError):
    """No feed could be found at the given address."""


class InvalidURLError(TidingsError, ValueError):
    """The text is not an http(s) URL."""


class NotFoundError(TidingsError, LookupError):
    """The feed, entry or user does not exist (for this user)."""


class StorageError(TidingsError):
    """The storage engine failed."""


class StorageLockedError(StorageError):
    """Another writer held the database past the wait bound; trying later may work."""


class StorageFullError(StorageError):
    """The database or the disk it lives on is full; nothing was written."""


class StorageReadOnlyError(StorageError):
    """The database cannot be written (a read-only file or file system); reads still work."""


class WorkerDiedError(TidingsError):
    """A worker process died (crashed, was killed, ran out of memory) while it held
    this task, and did so again when the task ran alone: the task killed it."""


class PermissionDeniedError(TidingsError, PermissionError):
    """A setting of a shared feed that only an administrator (or its only subscriber) may change."""


class SubscriptionLimitError(TidingsError, ValueError):
    """The user already follows as many feeds as ``max_subscriptions_per_user`` allows."""


class AccountError(TidingsError, ValueError):
    """A user name or password is not acceptable, or the action is not allowed."""


class SearchQueryError(TidingsError, ValueError):
    """The search query cannot be run; the message is meant for the reader."""


class SavedSearchError(TidingsError, ValueError):
    """A saved search cannot be made or renamed: its name is taken, empty or too long (#15)."""


class SavedSearchTakenError(SavedSearchError):
    """The user already has a saved search of that name (whatever its case)."""


class PublicationError(TidingsError, ValueError):
    """A publication cannot be made: its name is taken or is not a name (#14)."""


class CopyRefusedError(TidingsError):
    """``copy-db`` will not copy: no source, not a Tidings database, another schema
    version, or a target that already holds rows (and not the same ones)."""


class SettingsError(TidingsError, ValueError):
    """A setting has an invalid value."""
