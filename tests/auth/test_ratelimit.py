"""The sliding-window limiter of failed sign-ins, on a clock the test moves."""

from __future__ import annotations

import pytest

from scriptsensei.auth.ratelimit import LoginRateLimiter, login_keys
from scriptsensei.core.errors import RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_the_limit_then_refuses_with_retry_after() -> None:
    clock = Clock()
    limiter = LoginRateLimiter(3, clock)
    for _ in range(3):
        limiter.check("user:a")
        limiter.record_failure("user:a")
        clock.now += 1
    with pytest.raises(RateLimited) as caught:
        limiter.check("user:a")
    assert caught.value.headers == {"Retry-After": "57"}
    assert "try again in 57 seconds" in caught.value.detail


def test_window_slides() -> None:
    clock = Clock()
    limiter = LoginRateLimiter(2, clock)
    limiter.record_failure("ip:1")
    clock.now += 30
    limiter.record_failure("ip:1")
    assert limiter.retry_after("ip:1") == pytest.approx(30)
    clock.now += 30.5  # the first failure has left the window
    limiter.check("ip:1")


def test_keys_are_independent_and_any_over_limit_blocks() -> None:
    limiter = LoginRateLimiter(1, Clock())
    limiter.record_failure("user:a")
    limiter.check("user:b", "ip:2")
    with pytest.raises(RateLimited):
        limiter.check("user:b", "user:a")


def test_login_keys_fold_case() -> None:
    assert login_keys(" Alice ", "10.0.0.1") == ("user:alice", "ip:10.0.0.1")
    assert login_keys("bob", None) == ("user:bob", "ip:unknown")
