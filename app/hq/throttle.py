"""Failed staff sign-ins are limited, per address and per user name.

The staff pages hold every signed evaluation and share the port the laptops sync to: without
a limit, a password can be tried as fast as the network allows. After ``MAX_FAILURES``
failures within ``WINDOW_S``, from one address or for one user name, the next try is
answered 429 with ``Retry-After`` until the oldest failure leaves the window. A successful
sign-in clears its address's and user's failures. Every failure is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW_S = 15 * 60.0
# Bounded memory whatever an attacker sends: the oldest keys are forgotten first.
MAX_KEYS = 10_000


class SignInThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] > WINDOW_S:
            times.popleft()
        return times

    def retry_after(self, address: str, user: str) -> int:
        """Seconds to wait before trying again; 0 when a try is allowed now."""
        now = self._clock()
        with self._lock:
            waits = [WINDOW_S - (now - times[0]) for key in self._keys(address, user)
                     if len(times := self._recent(key, now)) >= MAX_FAILURES]
        return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, address: str, user: str) -> None:
        now = self._clock()
        log.warning("staff sign-in failed from %s as %r", address, user)
        with self._lock:
            for key in self._keys(address, user):
                if key not in self._failures and len(self._failures) >= MAX_KEYS:
                    self._failures.pop(next(iter(self._failures)))
                self._failures.setdefault(key, deque(maxlen=MAX_FAILURES * 4)).append(now)

    def succeeded(self, address: str, user: str) -> None:
        with self._lock:
            for key in self._keys(address, user):
                self._failures.pop(key, None)

    @staticmethod
    def _keys(address: str, user: str) -> tuple[str, str]:
        return f"address:{address}", f"user:{user[:200]}"
