"""Worker processes of the refresh's process pool: they end with the process that made them,
and one that dies costs only the task it held.

A pool shut down by its owner ends its workers. An owner that is killed (SIGKILL,
the OOM killer) cannot: its workers would wait on their task queue for ever, and,
holding the forkserver's "alive" pipe, keep the forkserver alive too: ~50 MB each,
for every killed ``tidings refresh``, ``serve`` or ``worker``. So each worker
holds the read end of a pipe whose only write end the owner holds, and exits at
its end of file: the kernel closes an owner's files when it dies, reaped or not
(``kill(owner, 0)`` succeeds on a zombie; #11). ``PR_SET_PDEATHSIG`` would not
do: a worker's parent is the forkserver, not the owner.

A worker that dies (a crash in a C extension, the OOM killer, a kill) breaks
its pool: every task queued or running on it fails. Each of those tasks runs
again, one at a time, on a pool of one worker; a task that breaks that one too
is the one that killed its worker, and fails alone with ``WorkerDiedError``.
The shared pool is rebuilt for the tasks after (#11).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from tidings.errors import WorkerDiedError
from tidings.refresh.process import Processed, process_document

__all__ = ["WORKER_DIED", "Processors", "watch_owner"]

T = TypeVar("T")
WORKER_DIED = "the parsing worker died (it crashed, was killed or ran out of memory)"
_PRELOAD = ["tidings.refresh.pool", "tidings.refresh.process", "tidings.content.story"]


def watch_owner(owner: Connection) -> None:
    """Pool initializer: a daemon thread that ends this process once the owner is gone
    (``owner``, the read end of its pipe, reaches end of file)."""

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            owner.recv_bytes()  # nothing is ever sent: this returns only at the end
        os._exit(0)  # nothing to clean up: the owner took the work with it

    threading.Thread(target=watch, name="tidings-owner-watch", daemon=True).start()


class _Pool:
    """A process pool and the write end of the pipe its workers watch."""

    def __init__(self, workers: int) -> None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        # workers start on demand, each with its own copy of the read end
        self._reader, self._alive = ctx.Pipe(duplex=False)
        self.executor = concurrent.futures.ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=watch_owner, initargs=(self._reader,)
        )

    def shutdown(self, *, wait: bool) -> None:
        self.executor.shutdown(wait=wait, cancel_futures=True)
        self._reader.close()
        self._alive.close()  # and any worker still there goes


class Processors:
    """Runs ``process_document`` on a thread or in a pool of worker processes.

    ``process`` stands in for ``process_document`` in the workers (tests; a
    picklable, importable function).
    """

    def __init__(self, workers: int, process: Callable[..., Processed] = process_document) -> None:
        self.workers = workers
        self._process = process
        self._pool: _Pool | None = None
        self._alone: _Pool | None = None  # one worker: the tasks that saw a worker die
        # one call at a time on it, of each event loop (a Processors outlives a loop)
        self._alone_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
        self._alone_turns = weakref.WeakKeyDictionary()

    def pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _Pool(self.workers)
        return self._pool.executor

    async def threaded(self, *args: Any) -> Processed:
        return await asyncio.to_thread(self._process, *args)

    async def pooled(self, *args: Any) -> Processed:
        return await self.call(self._process, *args)

    async def call(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run any picklable function in the pool (the enrich step's extraction).

        Raises ``WorkerDiedError`` when the call killed the worker that ran it.
        """
        loop = asyncio.get_running_loop()
        executor = self.pool()
        try:
            return await loop.run_in_executor(executor, fn, *args)
        except BrokenProcessPool:
            self._discard(executor)
        # A worker died while this call was queued or running: alone, it either
        # runs (another call killed the worker) or kills its worker again.
        turn = self._alone_turns.setdefault(loop, asyncio.Lock())
        async with turn:
            if self._alone is None:
                self._alone = _Pool(1)
            try:
                return await loop.run_in_executor(self._alone.executor, fn, *args)
            except BrokenProcessPool:
                self._alone.shutdown(wait=False)
                self._alone = None
                raise WorkerDiedError(WORKER_DIED) from None

    def _discard(self, executor: concurrent.futures.ProcessPoolExecutor) -> None:
        """Drop the broken pool (once: many calls see it break); the next call makes one."""
        if self._pool is not None and self._pool.executor is executor:
            self._pool.shutdown(wait=False)
            self._pool = None

    def shutdown(self) -> None:
        for pool in (self._pool, self._alone):
            if pool is not None:
                pool.shutdown(wait=True)
        self._pool = self._alone = None
