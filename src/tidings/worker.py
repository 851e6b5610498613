"""The scheduler loop behind ``tidings worker`` and the background of ``tidings serve``."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tidings.app import Aggregator
from tidings.model import BatchSummary

log = logging.getLogger(__name__)


async def run_worker(
    agg: Aggregator, *, once: bool = False, stop: asyncio.Event | None = None
) -> BatchSummary:
    """Refresh due feeds, then sleep until the next pass; until ``stop`` is set.

    Returns the summary of the last pass.
    """
    stop = stop or asyncio.Event()
    summary = BatchSummary()
    while not stop.is_set():
        try:
            summary = await agg.refresh()
        except Exception:  # the loop must survive anything one pass does
            log.exception("scheduler pass failed")
        else:
            if summary.results:
                log.info(
                    "refreshed %d feeds: %d ok, %d not modified, %d failed, %d new entries",
                    len(summary.results),
                    summary.ok,
                    summary.not_modified,
                    summary.failed,
                    summary.new_entries,
                )
        if once:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=agg.settings.refresh_every)
    return summary
