"""The connection logic on its own: `since` parsing and what happens when the missed
events cannot be read (a stand-in socket records what would be sent)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import pytest
from starlette.websockets import WebSocket

from scriptsensei.events.bus import LocalEventBus
from scriptsensei.events.stream import (
    CLOSE_SERVER_ERROR,
    ClientMessageError,
    LiveConnection,
    parse_since,
)


class RecordingSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_text(self, text: str) -> None:
        self.sent.append(json.loads(text))

    async def receive(self) -> dict[str, Any]:
        await asyncio.Event().wait()  # a client that says nothing
        return {}


@pytest.mark.parametrize(
    "raw", ["-1", "abc", "", None, True, -3, 2.5, 1.5e400, "1e3", "٣", 2**63, "9" * 19]
)
def test_since_must_be_a_non_negative_integer(raw: Any) -> None:
    with pytest.raises(ClientMessageError, match="since"):
        parse_since(raw)


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("42", 42), (7, 7)])
def test_since_accepts_integers(raw: Any, expected: int) -> None:
    assert parse_since(raw) == expected


async def test_unreadable_missed_events_close_with_a_retryable_code() -> None:
    async def broken_replay(since: int, limit: int) -> list[dict[str, Any]]:
        raise ConnectionRefusedError("the database is down")

    socket = RecordingSocket()
    bus = LocalEventBus(latest_seq=9)
    async with bus.subscribe() as subscription:
        connection = LiveConnection(
            cast(WebSocket, socket), subscription, broken_replay, lambda: bus.latest_seq, 30
        )
        outcome = await asyncio.wait_for(connection.run(since=3), 5)
    assert outcome is not None
    assert outcome.code == CLOSE_SERVER_ERROR
    assert "reconnect" in outcome.reason
    assert socket.sent[0]["type"] == "connected"
    assert socket.sent[0]["seq"] == 9
