"""The Fever API (feedafever.com/api), as Read You, Fluent Reader, Reeder, Unread,
FeedMe and FocusReader speak it: see README.md."""

from tidings.api.fever.endpoint import PATHS, FeverApi, Throttle

__all__ = ["PATHS", "FeverApi", "Throttle"]
