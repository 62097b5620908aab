"""Login rate limiting: a sliding one-minute window of failed attempts per username and per
client address, kept in process memory.

The memory window answers without a query; `login_failures` counts the same window across
every web process from the audit log, so that N instances do not allow N times the limit.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

from scriptsensei.core.errors import RateLimited

WINDOW_SECONDS = 60.0
# Memory stays bounded even when every request comes from a new address.
MAX_TRACKED_KEYS = 50_000


class LoginRateLimiter:
    def __init__(self, attempts_per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.limit = max(1, attempts_per_minute)
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.get(key, deque())
        while stamps and stamps[0] <= now - WINDOW_SECONDS:
            stamps.popleft()
        if not stamps:
            self._failures.pop(key, None)
        return stamps

    def retry_after(self, *keys: str) -> float:
        """Seconds until another attempt is allowed for all of `keys` (0: allowed now)."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            stamps = self._recent(key, now)
            if len(stamps) >= self.limit:
                wait = max(wait, stamps[-self.limit] + WINDOW_SECONDS - now)
        return wait

    def check(self, *keys: str) -> None:
        refuse_while_waiting(self.retry_after(*keys))

    def record_failure(self, *keys: str) -> None:
        now = self._clock()
        if len(self._failures) >= MAX_TRACKED_KEYS:
            self._forget_oldest()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def _forget_oldest(self) -> None:
        # Dicts keep insertion order: drop the first tenth, the keys tracked the longest.
        for key in list(self._failures)[: MAX_TRACKED_KEYS // 10]:
            del self._failures[key]


def refuse_while_waiting(wait: float) -> None:
    """RateLimited (429 with Retry-After) while `wait` seconds remain."""
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise RateLimited(
            f"Too many failed sign-in attempts; try again in {seconds} seconds.",
            headers={"Retry-After": str(seconds)},
        )


def login_keys(username: str, ip: str | None) -> tuple[str, str]:
    return f"user:{username.strip().lower()[:128]}", f"ip:{ip or 'unknown'}"
