"""Worker processes of the refresh's process pool: they end with the process that made them.

A pool shut down by its owner ends its workers. An owner that is killed (SIGKILL,
the OOM killer) cannot: its workers would wait on their task queue for ever, and,
holding the forkserver's "alive" pipe, keep the forkserver alive too: ~50 MB each,
for every killed ``tidings refresh``, ``serve`` or ``worker``. So each worker
watches its owner and exits once it is gone.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["CHECK_SECONDS", "watch_owner"]

CHECK_SECONDS = 2.0


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
