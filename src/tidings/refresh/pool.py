"""Worker processes of the refresh's process pool: they end with the process that made them.

A pool shut down by its owner ends its workers. An owner that is killed (SIGKILL,
the OOM killer) cannot: its workers would wait on their task queue for ever, and,
holding the forkserver's "alive" pipe, keep the forkserver alive too: ~50 MB each,
for every killed ``tidings refresh``, ``serve`` or ``worker``. So each worker
watches its owner and exits once it is gone.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from tidings.refresh.process import Processed, process_document

__all__ = ["CHECK_SECONDS", "Processors", "watch_owner"]

CHECK_SECONDS = 2.0
T = TypeVar("T")


def watch_owner(owner: int, every: float = CHECK_SECONDS) -> None:
    """Pool initializer: a daemon thread that ends this process once ``owner`` is gone."""

    def watch() -> None:
        while True:
            time.sleep(every)
            try:
                os.kill(owner, 0)
            except ProcessLookupError:
                os._exit(0)  # nothing to clean up: the owner took the work with it
            except PermissionError:
                pass  # a process we may not signal holds the pid: it exists

    threading.Thread(target=watch, name="tidings-owner-watch", daemon=True).start()


class Processors:
    """Runs ``process_document`` on a thread or in a pool of worker processes."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(
                ["tidings.refresh.pool", "tidings.refresh.process", "tidings.content.story"]
            )
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=watch_owner, initargs=(os.getpid(),)
            )
        return self._pool

    async def threaded(self, *args: Any) -> Processed:
        return await asyncio.to_thread(process_document, *args)

    async def pooled(self, *args: Any) -> Processed:
        return await asyncio.get_running_loop().run_in_executor(
            self.pool(), process_document, *args
        )

    async def call(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run any picklable function in the pool (the enrich step's extraction)."""
        return await asyncio.get_running_loop().run_in_executor(self.pool(), fn, *args)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
