"""When to ask an endpoint again: `Retry-After` and capped exponential backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delay seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class BackoffPolicy:
    base_seconds: float = 1.0
    cap_seconds: float = 30.0  # no single wait inside the engine is longer than this

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Wait before retry number `attempt` (0-based): base * 2^attempt, capped, with
        "equal jitter" (half fixed, half random) so many workers do not retry in step."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0**attempt)
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
