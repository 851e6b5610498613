"""The scheduler loop behind ``tidings worker`` and the background of ``tidings serve``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from datetime import UTC, datetime

from tidings.aggregator import Aggregator
from tidings.core import schedule
from tidings.errors import StorageError, TidingsError
from tidings.model import BatchSummary

log = logging.getLogger(__name__)


async def run_worker(
    agg: Aggregator, *, once: bool = False, stop: asyncio.Event | None = None
) -> BatchSummary:
    """Refresh due feeds, then sleep until the next one is due (at most
    ``refresh_every`` seconds, at least one); until ``stop`` is set.

    One pass at a time: a pass ends before the next starts, and
    ``Aggregator.refresh`` claims its feeds with a lease, so feeds another
    refresh holds (in this process or another) are skipped. Returns the
    summary of the last pass. A pass the store failed is logged and the loop
    goes on; with ``once``, that ``StorageError`` is raised (after its log line).
    """
    stop = stop or asyncio.Event()
    wake = agg.scheduling.waker()
    # a refresh asked for elsewhere (a stateless web server, the CLI) wakes this loop
    unlisten = None if once else await asyncio.to_thread(agg.scheduling.listen)
    try:
        return await _loop(agg, once, stop, wake)
    finally:
        if unlisten is not None:
            await asyncio.to_thread(unlisten)
        agg.scheduling.forget(wake)


async def _loop(
    agg: Aggregator, once: bool, stop: asyncio.Event, wake: asyncio.Event
) -> BatchSummary:
    summary = BatchSummary()
    icons: asyncio.Task[None] | None = None  # the icon fetch runs beside the next pass
    cleanup: asyncio.Task[None] | None = None  # and so does the cleanup, when due (#15)
    halt = threading.Event()  # the cleanup's thread stops between two batches
    try:
        while not stop.is_set():
            wake.clear()
            summary = await _pass(agg, once) or summary
            await _subscribe_hubs(agg)
            if once:
                await _fetch_icons(agg)
                await _clean_up(agg, halt)
                break
            if icons is None or icons.done():
                icons = asyncio.create_task(_fetch_icons(agg))
            if cleanup is None or cleanup.done():
                cleanup = asyncio.create_task(_clean_up(agg, halt))
            await _sleep(await _delay(agg), stop, wake)
    finally:
        if icons is not None and not icons.done():
            icons.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await icons
        if cleanup is not None:
            halt.set()  # a thread cannot be cancelled: it ends after its batch
            await cleanup
    return summary


async def _pass(agg: Aggregator, once: bool = False) -> BatchSummary | None:
    """One refresh pass; a failure is logged (the loop goes on) and gives None;
    with ``once``, a storage failure is raised (``tidings worker --once`` exits 1)."""
    try:
        summary = await agg.refresh()
    except Exception as exc:  # the loop must survive anything one pass does
        _log_failure("scheduler pass failed", exc)  # read-only, full, locked, away: one line
        storage = _storage_error(exc)
        if once and storage is not None:
            raise storage from exc
        return None
    if summary.results:
        log.info(
            "refreshed %d feeds: %d ok, %d not modified, %d failed, %d new entries",
            len(summary.results),
            summary.ok,
            summary.not_modified,
            summary.failed,
            summary.new_entries,
        )
    return summary


def _storage_error(exc: BaseException) -> StorageError | None:
    """The storage fault behind a failed pass (raised, or in a task group's group)."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if (found := _storage_error(inner)) is not None:
                return found
    return None


async def _subscribe_hubs(agg: Aggregator) -> None:
    """Ask the hubs of freshly refreshed feeds to push (needs ``base_url``)."""
    if not agg.websub.enabled:
        return
    try:
        await agg.websub.subscribe_due()
    except Exception as exc:  # like a pass: the loop survives it
        _log_failure("websub subscriptions failed", exc)


async def _fetch_icons(agg: Aggregator) -> None:
    """Fetch the icons of feeds that have none (or an old one, or a failed try)."""
    try:
        await agg.icons.fetch_due()
    except Exception as exc:  # like a pass: the loop survives it
        _log_failure("feed icons failed", exc)


async def _clean_up(agg: Aggregator, halt: threading.Event) -> None:
    """Delete old entries if a cleanup is due (``cleanup_every``; one process at a
    time: the store's lease), in a thread: its batches wait for the writer."""
    try:
        await asyncio.to_thread(agg.cleanup.run_due, halt=halt.is_set)
    except Exception as exc:  # like a pass: the loop survives it
        _log_failure("cleanup failed", exc)


def _log_failure(what: str, exc: Exception) -> None:
    """A storage fault in one line (it is the database's news, said by the pass
    too); anything else with its traceback (a bug)."""
    storage = _storage_error(exc)
    if storage is not None:
        log.error("%s: %s", what, storage)
    else:
        log.exception(what)


async def _sleep(seconds: float, *events: asyncio.Event) -> None:
    """Sleep ``seconds`` or until one of ``events`` is set."""
    waits = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()


async def _delay(agg: Aggregator) -> float:
    """Sleep until the next feed is due, at most ``refresh_every`` seconds."""
    every = float(agg.settings.refresh_every)
    try:
        next_due = await asyncio.to_thread(agg.scheduling.next_check_at)
    except TidingsError as exc:
        _log_failure("cannot read the next due time", exc)
        next_due = None
    return schedule.pass_delay(next_due, datetime.now(UTC), every)
