"""``tidings serve``: uvicorn around the web app, with the scheduler in the background."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from tidings.aggregator import make_app
from tidings.settings import Settings
from tidings.web.app import make_web_app
from tidings.worker.loop import run_worker


def run_server(settings: Settings, *, host: str, port: int, background_refresh: bool) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    agg = make_app(settings)

    async def background() -> None:
        stop = asyncio.Event()
        await run_worker(agg, stop=stop)

    app = make_web_app(agg, background=background if background_refresh else None)
    try:
        uvicorn.run(
            app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False
        )
    finally:
        agg.close()
