"""Login throttling per client address and per account (HOSTILE E2).

After ``free`` failures within ``window`` seconds, each further attempt must
wait ``base * 2**(failures - free)`` seconds (at most ``cap``) from the last
failure; during that time even the right password is refused with 429 and
``Retry-After``. Success clears the account's and the address's record.
State is in memory (one process) and bounded in size.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int
    last: float


class LoginThrottle:
    def __init__(
        self,
        *,
        free_per_account: int = 5,
        free_per_address: int = 20,
        base: float = 15.0,
        cap: float = 900.0,
        window: float = 3600.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = {"account": free_per_account, "address": free_per_address}
        self.base, self.cap, self.window = base, cap, window
        self.max_keys = max_keys
        self.clock = clock
        self._records: OrderedDict[tuple[str, str], _Record] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str, account: str) -> int:
        """Seconds to wait before this attempt may be checked (0: go ahead)."""
        now = self.clock()
        with self._lock:
            waits = [
                self._wait(self._records.get(key), self.free[key[0]], now)
                for key in self._keys(address, account)
            ]
        return math.ceil(max(waits))

    def failed(self, address: str, account: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(address, account):
                record = self._records.pop(key, None)
                if record is None or now - record.last > self.window:
                    record = _Record(0, now)
                record.failures += 1
                record.last = now
                self._records[key] = record
            while len(self._records) > self.max_keys:
                self._records.popitem(last=False)

    def succeeded(self, address: str, account: str) -> None:
        with self._lock:
            for key in self._keys(address, account):
                self._records.pop(key, None)

    def _wait(self, record: _Record | None, free: int, now: float) -> float:
        if record is None or now - record.last > self.window or record.failures < free:
            return 0.0
        delay: float = min(self.cap, self.base * 2.0 ** (record.failures - free))
        return max(0.0, record.last + delay - now)

    @staticmethod
    def _keys(address: str, account: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("address", address), ("account", account.strip().lower()[:64])
