"""Publishing over HTTP (#14): private feeds by token, public publications' feeds and
pages. See README.md in this folder for the URLs and their caching."""

from tidings.web.publishing.views import PublishingViews

__all__ = ["PublishingViews"]
