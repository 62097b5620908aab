"""Retry-After parsing and the backoff schedule."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from scriptsensei.extraction.llm.retry import BackoffPolicy, parse_retry_after

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def test_retry_after_in_seconds() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-4") == 0.0


def test_retry_after_as_an_http_date() -> None:
    assert parse_retry_after("Wed, 25 Nov 2026 12:00:42 GMT", NOW) == 42.0
    assert parse_retry_after("Wed, 25 Nov 2026 11:59:00 GMT", NOW) == 0.0


def test_retry_after_absent_or_garbage() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = BackoffPolicy(base_seconds=1.0, cap_seconds=8.0)
    rng = random.Random(7)
    for attempt, ceiling in enumerate([1, 2, 4, 8, 8, 8]):
        delays = {policy.delay(attempt, rng) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, so workers do not retry in step
