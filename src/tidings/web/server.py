"""``tidings serve``: uvicorn around the web app, with the scheduler in the background.

Logging is the caller's (``tidings.logs.configure``): uvicorn's records go to the
root logger like every other, in the same format.
"""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from tidings.aggregator import make_app
from tidings.settings import Settings
from tidings.web.app import make_web_app
from tidings.worker.loop import run_worker

log = logging.getLogger(__name__)


def run_server(settings: Settings, *, host: str, port: int, background_refresh: bool) -> None:
    agg = make_app(settings)

    async def background() -> None:
        stop = asyncio.Event()
        await run_worker(agg, stop=stop)

    if not background_refresh:
        log.info("background refresh is off: run `tidings worker` to refresh feeds")
    app = make_web_app(agg, background=background if background_refresh else None)
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
