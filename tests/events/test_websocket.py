"""`/ws` against a real server on both backends: events, resume, refusals, slow clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from scriptsensei.auth.permissions import Role
from scriptsensei.core.settings import Settings
from scriptsensei.events.stream import REPLAY_LIMIT
from scriptsensei.events.types import EventType
from tests.events.live import (
    LiveServer,
    client,
    lifecycle,
    live_server,
    new_api_key,
    publish_all,
    publish_together,
    read_until_closed,
    receive,
    receive_events,
    stalled_client,
    wait_until,
)


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[LiveServer]:
    async with live_server(settings) as running:
        yield running


@pytest.fixture
async def key(server: LiveServer) -> str:
    return await new_api_key(server.runtime.db)


async def test_connected_then_upload_processing_completed(server: LiveServer, key: str) -> None:
    async with client(server.url, key) as ws:
        connected = await receive(ws)
        assert connected["type"] == "connected"
        assert isinstance(connected["seq"], int)
        assert connected["timestamp"].endswith("Z")
        await publish_all(server.runtime.db, lifecycle("rx-1"))
        events = await receive_events(ws, 3)
    assert [e["type"] for e in events] == [
        "prescription_created",
        "prescription_processing",
        "prescription_completed",
    ]
    assert [e["status"] for e in events] == ["queued", "processing", "completed"]
    assert all(e["prescriptionId"] == "rx-1" for e in events)
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    assert seqs[0] > connected["seq"]


async def test_connected_reports_newest_seq(server: LiveServer, key: str) -> None:
    await publish_all(server.runtime.db, lifecycle("rx-2"))
    async with client(server.url, key) as ws:
        first = await receive(ws)
    await publish_all(server.runtime.db, lifecycle("rx-3")[:1])
    async with client(server.url, key) as ws:
        second = await receive(ws)
    assert first["seq"] >= 3
    assert second["seq"] == first["seq"] + 1


async def test_resume_with_since_in_url_sends_exactly_the_missed(
    server: LiveServer, key: str
) -> None:
    db = server.runtime.db
    await publish_all(db, lifecycle("rx-a"))
    async with client(server.url, key) as ws:
        since = (await receive(ws))["seq"]
    await publish_all(db, lifecycle("rx-b"))  # missed while disconnected
    async with client(f"{server.url}?since={since}", key) as ws:
        assert (await receive(ws))["type"] == "connected"
        missed = await receive_events(ws, 3)
        await publish_all(db, lifecycle("rx-c")[:1])
        live = await receive_events(ws, 1)
        await ws.send(json.dumps({"type": "ping"}))
        pong = await receive_events(ws, 1)
    assert [(e["prescriptionId"], e["status"]) for e in missed] == [
        ("rx-b", "queued"),
        ("rx-b", "processing"),
        ("rx-b", "completed"),
    ]
    assert live[0]["prescriptionId"] == "rx-c"
    assert live[0]["seq"] == missed[-1]["seq"] + 1
    assert pong[0]["type"] == "pong"  # nothing was sent twice before it


async def test_resume_message_skips_events_already_sent(server: LiveServer, key: str) -> None:
    db = server.runtime.db
    async with client(server.url, key) as ws:
        start = (await receive(ws))["seq"]
        await publish_all(db, lifecycle("rx-d"))
        live = await receive_events(ws, 3)
        # Asking again from the start: everything was already sent, so nothing repeats.
        await ws.send(json.dumps({"type": "resume", "since": start}))
        await ws.send(json.dumps({"type": "ping"}))
        after = await receive_events(ws, 1)
    assert len(live) == 3
    assert after == [{"type": "pong", "timestamp": after[0]["timestamp"]}]


async def test_resume_from_zero_replays_in_order(server: LiveServer, key: str) -> None:
    db = server.runtime.db
    await publish_all(db, lifecycle("rx-e") + lifecycle("rx-f"))
    async with client(server.url, key) as ws:
        await receive(ws)
        await ws.send(json.dumps({"type": "resume", "since": 0}))
        replayed = await receive_events(ws, 6)
    assert [e["prescriptionId"] for e in replayed] == ["rx-e"] * 3 + ["rx-f"] * 3
    assert [e["seq"] for e in replayed] == sorted(e["seq"] for e in replayed)


async def test_too_many_missed_events_ask_for_a_reload(server: LiveServer, key: str) -> None:
    db = server.runtime.db
    created: list[tuple[EventType, str, dict[str, Any]]] = [
        (EventType.PRESCRIPTION_UPDATED, f"rx-{i}", {}) for i in range(REPLAY_LIMIT + 1)
    ]
    await publish_together(db, created)
    async with client(f"{server.url}?since=0", key) as ws:
        connected = await receive(ws)
        resync = await receive(ws)
    assert resync["type"] == "resync"
    assert resync["seq"] == connected["seq"]
    assert "reload" in resync["detail"]


async def test_anonymous_handshake_is_refused(server: LiveServer) -> None:
    async with client(server.url, None) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    assert "API key" in closed.value.rcvd.reason


async def test_wrong_key_is_refused(server: LiveServer) -> None:
    async with client(server.url, "ss_00000000_" + "x" * 40) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_cookie_from_foreign_origin_is_refused(server: LiveServer) -> None:
    headers = {"Cookie": "session=whatever"}
    async with client(server.url, None, headers, origin="https://evil.example") as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert "origin" in closed.value.rcvd.reason


async def test_invalid_since_in_url_is_refused(server: LiveServer, key: str) -> None:
    async with client(f"{server.url}?since=-4", key) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008
    assert "since" in closed.value.rcvd.reason


async def test_bad_client_messages_get_clear_errors(server: LiveServer, key: str) -> None:
    async with client(server.url, key) as ws:
        await receive(ws)
        await ws.send("not json")
        await ws.send(json.dumps({"type": "resume", "since": "yesterday"}))
        await ws.send(json.dumps({"type": "subscribe"}))
        await ws.send(json.dumps([1, 2]))
        errors = await receive_events(ws, 4)
        await ws.send(json.dumps({"type": "ping"}))
        still_open = await receive_events(ws, 1)
    assert [e["type"] for e in errors] == ["error"] * 4
    assert "not valid JSON" in errors[0]["detail"]
    assert "since" in errors[1]["detail"]
    assert "subscribe" in errors[2]["detail"]
    assert "JSON object" in errors[3]["detail"]
    assert still_open[0]["type"] == "pong"


async def test_oversized_client_message_closes(server: LiveServer, key: str) -> None:
    async with client(server.url, key) as ws:
        await receive(ws)
        await ws.send(json.dumps({"type": "ping", "pad": "x" * 5000}))
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


async def test_slow_client_is_dropped_while_another_keeps_receiving(settings: Settings) -> None:
    slow_settings = settings.model_copy(update={"ws_send_queue_size": 8})
    async with live_server(slow_settings) as server:
        key = await new_api_key(server.runtime.db)
        bus = server.runtime.db.event_bus
        async with client(server.url, key) as fast, stalled_client(server.url, key) as slow:
            await receive(fast)
            await wait_until(lambda: bus.subscriber_count == 2, 10)
            # Big events fill the socket buffers of the client that never reads.
            pad = "x" * 64_000
            batch = [(EventType.ENGINE_PROGRESS, f"rx-{i}", {"pad": pad}) for i in range(200)]
            reader = asyncio.create_task(receive_events(fast, len(batch)))
            await publish_all(server.runtime.db, batch)
            received = await asyncio.wait_for(reader, 60)
            assert [e["prescriptionId"] for e in received] == [f"rx-{i}" for i in range(200)]
            await wait_until(lambda: bus.subscriber_count == 1, 10)
            # The server let go of it: reading what was in flight ends in end-of-stream.
            in_flight = await read_until_closed(slow[0], 30)
        assert in_flight < len(batch) * len(pad)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ADMIN])
async def test_every_role_may_listen(server: LiveServer, role: Role) -> None:
    key = await new_api_key(server.runtime.db, role)
    async with client(server.url, key) as ws:
        assert (await receive(ws))["type"] == "connected"


async def test_key_in_the_query_string_is_not_accepted(server: LiveServer, key: str) -> None:
    async with client(f"{server.url}?api_key={key}", None) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


async def test_silence_is_broken_by_pings(settings: Settings) -> None:
    async with live_server(settings.model_copy(update={"ws_ping_seconds": 0.2})) as server:
        key = await new_api_key(server.runtime.db)
        async with client(server.url, key) as ws:
            await receive(ws)
            ping = await receive(ws)
    assert ping["type"] == "ping"
    assert ping["timestamp"].endswith("Z")


async def test_a_reconnect_storm_gets_every_missed_event(server: LiveServer, key: str) -> None:
    db = server.runtime.db
    async with client(server.url, key) as ws:
        since = (await receive(ws))["seq"]
    await publish_all(db, lifecycle("rx-storm"))

    async def reconnect() -> list[str]:
        async with client(f"{server.url}?since={since}", key) as ws:
            await receive(ws)
            return [e["status"] for e in await receive_events(ws, 3)]

    results = await asyncio.gather(*(reconnect() for _ in range(40)))
    assert results == [["queued", "processing", "completed"]] * 40
