"""The Google Reader API (issue 12): README.md says what is supported."""

from tidings.api.greader.endpoint import PATHS, GReaderApi

__all__ = ["PATHS", "GReaderApi"]
