"""`GET /ws`: live events for signed-in browsers and API clients.

Protocol (JSON text messages):
- server -> client on connect: `{type: "connected", timestamp, seq}` (seq: newest event);
- then every event: `{type, prescriptionId, status?, timestamp, seq, ...payload}`;
- `{type: "ping", timestamp}` after `ws_ping_seconds` of silence; answer optional;
- client -> server: `{type: "resume", since: N}` (or connect with `?since=N`) sends the
  events after N in order, then live ones, without duplicates; more than REPLAY_LIMIT
  missed gives `{type: "resync", seq}` (reload the data instead); `{type: "ping"}` gives
  `{type: "pong"}`; anything else gives `{type: "error", detail}`.
Close codes: 4401 not authenticated (also sent to an open connection whose API key is
revoked, whose browser session ends or expires, or whose user is deactivated), 4403 not
allowed (role, or a cookie from a foreign origin), 1011 events unavailable (retry), 1013
too slow (reconnect and resume), 1009 message too large, 1008 invalid `since` in the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from fastapi import APIRouter, WebSocket

from scriptsensei.auth.principal import Principal
from scriptsensei.auth.websocket import authenticate_websocket
from scriptsensei.core.errors import Forbidden, Unauthorized
from scriptsensei.core.runtime import Runtime
from scriptsensei.events.component import events_component
from scriptsensei.events.repository import missed_messages
from scriptsensei.events.stream import (
    CLOSE_FORBIDDEN,
    CLOSE_UNAUTHORIZED,
    UNAVAILABLE,
    ClientMessageError,
    CloseReason,
    LiveConnection,
    close_quietly,
    parse_since,
)

log = structlog.get_logger(__name__)

router = APIRouter(tags=["events"])

CLOSE_POLICY = 1008


async def _caller(websocket: WebSocket, runtime: Runtime) -> Principal | CloseReason:
    """The handshake's caller, or why they may not listen."""
    try:
        return await authenticate_websocket(websocket, runtime.db, runtime.settings)
    except Unauthorized as exc:
        return CloseReason(CLOSE_UNAUTHORIZED, _short(exc.detail))
    except Forbidden as exc:
        return CloseReason(CLOSE_FORBIDDEN, _short(exc.detail))
    except Exception as exc:  # the credentials could not be checked: the client retries
        log.warning("websocket_auth_unavailable", error=str(exc)[:200])
        return UNAVAILABLE


def revoked_by(principal: Principal) -> Callable[[dict[str, Any]], bool]:
    """Whether an access_revoked event ends the credentials this connection was opened
    with: its API key revoked, its browser session ended, or its user deactivated."""

    def matches(message: dict[str, Any]) -> bool:
        if principal.type == "api_key":
            return message.get("apiKeyId") == principal.id
        return message.get("userId") == principal.id or (
            principal.session_token_hash is not None
            and message.get("sessionHash") == principal.session_token_hash
        )

    return matches


def _short(reason: str) -> str:
    # A close reason is limited to 123 bytes of UTF-8.
    return reason.encode()[:120].decode(errors="ignore")


def _runtime(websocket: WebSocket) -> Runtime:
    runtime: Runtime = websocket.app.state.runtime
    return runtime


@router.websocket("/ws")
async def live_events(websocket: WebSocket) -> None:
    runtime = _runtime(websocket)
    caller = await _caller(websocket, runtime)
    # Accepted before closing so that the browser sees the close code and the reason (a
    # refused handshake is only "1006"), and stops reconnecting on 4401/4403.
    await websocket.accept()
    if isinstance(caller, CloseReason):
        await close_quietly(websocket, caller)
        return
    try:
        raw = websocket.query_params.get("since")
        since = None if raw is None else parse_since(raw)
    except ClientMessageError as exc:
        await close_quietly(websocket, CloseReason(CLOSE_POLICY, str(exc)[:120]))
        return
    await _serve(websocket, runtime, since, caller)


async def _serve(
    websocket: WebSocket, runtime: Runtime, since: int | None, caller: Principal
) -> None:
    component = events_component(runtime)
    bus = component.bus

    async def replay(after: int, limit: int) -> list[dict[str, Any]]:
        async with component.replay_slots:  # a reconnect storm queues here, bounded
            return await missed_messages(runtime.db, after, limit)

    settings = runtime.settings
    async with bus.subscribe(settings.ws_send_queue_size) as subscription:
        connection = LiveConnection(
            websocket,
            subscription,
            replay,
            lambda: bus.latest_seq,
            settings.ws_ping_seconds,
            component.encoder,
            revoked_by(caller),
            caller.session_expires_at,
        )
        outcome = await connection.run(since)
    if outcome is not None:
        log.info("websocket_closed", code=outcome.code, reason=outcome.reason)
        await close_quietly(websocket, outcome)
