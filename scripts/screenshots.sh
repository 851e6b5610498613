#!/usr/bin/env bash
# Refresh the README's screenshots in docs/screenshots from the browser tests
# (Debian's chromium driven by Playwright, against fixture feeds on loopback).
#   scripts/screenshots.sh                 every screenshot
#   scripts/screenshots.sh -k feeds_page   only the phone feeds page (phone-feeds.png, 390 px)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
export TIDINGS_SCREENSHOTS="$PWD/docs/screenshots"
exec "$PYTHON" -m pytest -q -p no:cacheprovider -m browser \
  tests/web/test_browser.py tests/web/test_browser_reading.py "$@"
