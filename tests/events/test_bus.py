"""The in-process bus: fan-out, bounded queues, newest sequence number, hooks; and the
encoder that serialises a fanned-out event once."""

from __future__ import annotations

import json
from typing import Any

from scriptsensei.events.bus import LocalEventBus
from scriptsensei.events.stream import MessageEncoder


def _event(seq: int) -> dict[str, Any]:
    return {"type": "prescription_updated", "prescriptionId": "rx", "seq": seq}


async def test_every_subscriber_gets_every_event() -> None:
    bus = LocalEventBus()
    async with bus.subscribe() as first, bus.subscribe() as second:
        bus.deliver(_event(1))
        bus.deliver(_event(2))
        assert [(await first.get())["seq"] for _ in range(2)] == [1, 2]
        assert [(await second.get())["seq"] for _ in range(2)] == [1, 2]
    assert bus.subscriber_count == 0


async def test_a_full_queue_marks_only_that_subscriber() -> None:
    bus = LocalEventBus()
    async with bus.subscribe(maxsize=2) as slow, bus.subscribe(maxsize=10) as fast:
        for seq in range(1, 4):
            bus.deliver(_event(seq))
        assert slow.overflowed
        assert slow.overflow_signal.is_set()
        assert not fast.overflowed
        assert fast.queue.qsize() == 3
        bus.deliver(_event(4))  # nothing more is queued for a dropped subscriber
        assert slow.queue.qsize() == 2


async def test_latest_seq_only_grows() -> None:
    bus = LocalEventBus(latest_seq=10)
    bus.deliver(_event(12))
    bus.deliver(_event(11))  # a late commit of an earlier number
    assert bus.latest_seq == 12


async def test_hooks_see_every_event() -> None:
    bus = LocalEventBus()
    seen: list[int] = []
    bus.add_hook(lambda message: seen.append(message["seq"]))
    bus.deliver(_event(1))
    bus.deliver(_event(2))
    assert seen == [1, 2]


def test_encoder_reuses_the_text_of_a_shared_event() -> None:
    encoder = MessageEncoder(kept=2)
    event = _event(1)
    first = encoder.encode(event)
    assert encoder.encode(event) is first
    assert json.loads(first) == event
    # A different dict with the same content is encoded on its own, and correctly.
    changed = {**event, "status": "failed"}
    assert json.loads(encoder.encode(changed))["status"] == "failed"
