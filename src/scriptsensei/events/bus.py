"""Fan-out of committed events to subscribers inside one process.

Subscribers get a bounded queue: a subscriber that does not keep up is marked overflowed
and dropped (its client reconnects and asks for what it missed), so it never slows others.
On SQLite `publish` feeds `deliver` after commit; on PostgreSQL the listener
(`events.listener`) feeds it with the events committed by every process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog

log = structlog.get_logger(__name__)

DEFAULT_QUEUE_SIZE = 256

DeliveryHook = Callable[[dict[str, Any]], None]


class Subscription:
    def __init__(self, maxsize: int) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        self.overflowed = False
        # Set once the queue overflowed, so the owner can drop its client without waiting
        # for a send that a stalled client may never let finish.
        self.overflow_signal = asyncio.Event()

    def offer(self, message: dict[str, Any]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True
            self.overflow_signal.set()

    async def get(self) -> dict[str, Any]:
        return await self.queue.get()


class LocalEventBus:
    """Delivers events to this process's subscribers."""

    def __init__(self, latest_seq: int = 0) -> None:
        self._subscriptions: set[Subscription] = set()
        self._hooks: list[DeliveryHook] = []
        self.delivered = 0
        # The newest sequence number seen, told to clients on connect (no query needed).
        self.latest_seq = latest_seq

    def deliver(self, message: dict[str, Any]) -> None:
        self.delivered += 1
        seq = message.get("seq")
        if isinstance(seq, int) and seq > self.latest_seq:
            self.latest_seq = seq
        for subscription in list(self._subscriptions):
            subscription.offer(message)
        for hook in self._hooks:
            hook(message)

    def add_hook(self, hook: DeliveryHook) -> None:
        """Call `hook` for every delivered event (e.g. retention: prune only while writing)."""
        self._hooks.append(hook)

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
