"""`GET /ws`: live events for signed-in browsers and API clients.

Protocol (JSON text messages):
- server -> client on connect: `{type: "connected", timestamp, seq}` (seq: newest event);
- then every event: `{type, prescriptionId, status?, timestamp, seq, ...payload}`;
- `{type: "ping", timestamp}` after `ws_ping_seconds` of silence; answer optional;
- client -> server: `{type: "resume", since: N}` (or connect with `?since=N`) sends the
  events after N in order, then live ones, without duplicates; more than REPLAY_LIMIT
  missed gives `{type: "resync", seq}` (reload the data instead); `{type: "ping"}` gives
  `{type: "pong"}`; anything else gives `{type: "error", detail}`.
Close codes: 4401 not authenticated, 1013 too slow (reconnect and resume), 1009 message
too large, 1008 invalid `since` in the URL.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, WebSocket

from scriptsensei.core.runtime import Runtime
from scriptsensei.events.component import events_component
from scriptsensei.events.repository import missed_messages
from scriptsensei.events.stream import (
    CLOSE_UNAUTHORIZED,
    ClientMessageError,
    CloseReason,
    LiveConnection,
    close_quietly,
    parse_since,
)

log = structlog.get_logger(__name__)

router = APIRouter(tags=["events"])

CLOSE_POLICY = 1008


async def authenticate_websocket(websocket: WebSocket) -> Any:
    """The caller of the handshake (session cookie or API key), or None."""
    return None


def _runtime(websocket: WebSocket) -> Runtime:
    runtime: Runtime = websocket.app.state.runtime
    return runtime


@router.websocket("/ws")
async def live_events(websocket: WebSocket) -> None:
    principal = await authenticate_websocket(websocket)
    await websocket.accept()
    if principal is None:
        reason = "authentication required: sign in or send an API key"
        await close_quietly(websocket, CloseReason(CLOSE_UNAUTHORIZED, reason))
        return
    try:
        raw = websocket.query_params.get("since")
        since = None if raw is None else parse_since(raw)
    except ClientMessageError as exc:
        await close_quietly(websocket, CloseReason(CLOSE_POLICY, str(exc)[:120]))
        return
    await _serve(websocket, _runtime(websocket), since)


async def _serve(websocket: WebSocket, runtime: Runtime, since: int | None) -> None:
    component = events_component(runtime)
    bus = component.bus

    async def replay(after: int, limit: int) -> list[dict[str, Any]]:
        async with component.replay_slots:  # a reconnect storm queues here, bounded
            return await missed_messages(runtime.db, after, limit)

    settings = runtime.settings
    async with bus.subscribe(settings.ws_send_queue_size) as subscription:
        connection = LiveConnection(
            websocket, subscription, replay, lambda: bus.latest_seq, settings.ws_ping_seconds
        )
        outcome = await connection.run(since)
    if outcome is not None:
        log.info("websocket_closed", code=outcome.code, reason=outcome.reason)
        await close_quietly(websocket, outcome)
