"""Refresh requests across processes (#13): ``request_refresh`` sends a NOTIFY on
commit (``Dialect.notify_requests``); a worker's listener thread, on a connection
of its own, hears it and wakes the worker, wherever the request was made (a
stateless web server, the CLI, another machine)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)

CHANNEL = "tidings_refresh"
POLL_SECONDS = 1.0  # how often the listener looks at its stop flag
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)  # between tries to listen again after a failure


class PostgresListen:
    """``listen_for_requests`` on PostgreSQL: LISTEN in a daemon thread."""

    url: str

    def listen_for_requests(self, on_request: Callable[[], None]) -> Callable[[], None] | None:
        stop = threading.Event()
        thread = threading.Thread(
            target=_listen, args=(self.url, on_request, stop), name="tidings-listen", daemon=True
        )
        thread.start()

        def stop_listening() -> None:
            stop.set()
            thread.join(timeout=POLL_SECONDS * 5)

        return stop_listening


def _listen(url: str, on_request: Callable[[], None], stop: threading.Event) -> None:
    """Listen until ``stop``; a lost connection is tried again, with a growing pause.
    After a reconnection the worker is woken too: a request may have come meanwhile."""
    failures = 0
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
                conn.execute(f"LISTEN {CHANNEL}")
                if failures:
                    log.info("listening for refresh requests again")
                    on_request()
                failures = 0
                while not stop.is_set():
                    for _ in conn.notifies(timeout=POLL_SECONDS):
                        on_request()
        except psycopg.Error as exc:
            pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
            failures += 1
            log.warning("cannot listen for refresh requests (%s); again in %.0f s", exc, pause)
            stop.wait(pause)
