"""``tidings serve``: uvicorn around the web app, with the scheduler in the background.

Logging is the caller's (``tidings.logs.configure``): uvicorn's records go to the
root logger like every other, in the same format.
"""

from __future__ import annotations

import asyncio
import logging
import re

import uvicorn

from tidings.aggregator import make_app
from tidings.settings import Settings
from tidings.web.app import make_web_app
from tidings.worker.loop import run_worker

log = logging.getLogger(__name__)
_TOKEN_PATH = re.compile(r"^/published/[^/?]+")


class HideTokens(logging.Filter):
    """uvicorn's access log writes every request's path: a private feed's token (its
    secret, #14) becomes ``…`` there."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], _TOKEN_PATH.sub("/published/…", args[2]), *args[3:])
        return True


def run_server(settings: Settings, *, host: str, port: int, background_refresh: bool) -> None:
    agg = make_app(settings)

    async def background() -> None:
        stop = asyncio.Event()
        await run_worker(agg, stop=stop)

    if not background_refresh:
        log.info("background refresh is off: run `tidings worker` to refresh feeds")
    app = make_web_app(agg, background=background if background_refresh else None)
    logging.getLogger("uvicorn.access").addFilter(HideTokens())
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,  # no handlers of its own: its records reach ours
            log_level=None,
            proxy_headers=False,
            server_header=False,
            date_header=False,  # SecurityHeaders sends it, on every answer
        )
    finally:
        agg.close()
