"""Fan-out of committed events to subscribers inside one process.

Subscribers get a bounded queue: a subscriber that does not keep up is marked overflowed
and dropped (its client reconnects and asks for what it missed), so it never slows others.
The PostgreSQL listener (another module) feeds `deliver` with events from every process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog

log = structlog.get_logger(__name__)

DEFAULT_QUEUE_SIZE = 256


class Subscription:
    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        self.overflowed = False

    def offer(self, message: dict[str, Any]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True

    async def get(self) -> dict[str, Any]:
        return await self.queue.get()


class LocalEventBus:
    """Delivers events to this process's subscribers."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self.delivered = 0

    def deliver(self, message: dict[str, Any]) -> None:
        self.delivered += 1
        for subscription in list(self._subscriptions):
            subscription.offer(message)

    @asynccontextmanager
    async def subscribe(self, maxsize: int = DEFAULT_QUEUE_SIZE) -> AsyncIterator[Subscription]:
        subscription = Subscription(maxsize)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)
