#!/usr/bin/env bash
# Refresh the README's media screenshots (#15): docs/screenshots/podcast.png (a
# podcast story with its player, resuming where it was paused) and youtube.png (a
# YouTube story before its click-to-load player is clicked), taken by the Chromium
# tests in tests/web/test_browser_media.py from their own fixture feeds (made-up
# stories, a generated tone and pictures: nothing third-party is pictured).
# Needs Debian's /usr/bin/chromium; the whole browser suite also takes the others:
#   TIDINGS_SCREENSHOTS=docs/screenshots .venv/bin/pytest -m browser
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
TIDINGS_SCREENSHOTS=docs/screenshots exec "$PYTHON" -m pytest -q -p no:cacheprovider \
  tests/web/test_browser_media.py -k "podcast_plays or youtube_video" "$@"
