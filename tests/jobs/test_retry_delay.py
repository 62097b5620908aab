"""Backoff between attempts: exponential, jittered, never sooner than the engine asks."""

from __future__ import annotations

from scriptsensei.jobs.outcome import retry_delay


def test_delay_doubles_per_attempt_within_jitter() -> None:
    for attempt, base in ((1, 5.0), (2, 10.0), (3, 20.0)):
        delays = [retry_delay(attempt, 5.0, None) for _ in range(50)]
        assert all(0.8 * base <= d <= 1.2 * base for d in delays)
        assert len(set(delays)) > 1  # jittered, so retries of many runs spread out


def test_retry_after_is_honoured() -> None:
    assert retry_delay(1, 0.1, retry_after=30.0) == 30.0
    assert retry_delay(1, 100.0, retry_after=1.0) >= 80.0
