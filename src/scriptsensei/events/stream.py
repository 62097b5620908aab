"""One client's live connection: the events it missed (`since`), then live events, in
order, without duplicates or gaps across the switch-over.

The connection subscribes to the bus before it reads the missed events, so an event
committed meanwhile is either in the replay or queued live; sequence numbers already
sent are skipped. Sends go through one lock so a replay is never interleaved with live
events. A client that does not keep up fills its bounded queue and is dropped with
`CLOSE_TOO_SLOW`; it reconnects and resumes, and no other client waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect

from scriptsensei.events.bus import Subscription
from scriptsensei.events.types import INTERNAL_EVENT_TYPES

log = structlog.get_logger(__name__)

CLOSE_NORMAL = 1000
CLOSE_TOO_BIG = 1009
CLOSE_SERVER_ERROR = 1011
CLOSE_TOO_SLOW = 1013  # "try again later": reconnect and resume with `since`
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
REPLAY_LIMIT = 1000  # more missed events than this: the client is told to reload instead
MAX_CLIENT_MESSAGE_CHARS = 1024
CLOSE_TIMEOUT_SECONDS = 2.0
SENT_SEQS_KEPT = 4 * REPLAY_LIMIT
MAX_SEQ = 2**63 - 1  # the events table's bigint

Replay = Callable[[int, int], Awaitable[list[dict[str, Any]]]]
# Whether an access_revoked event ends this connection's credentials.
RevokedBy = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class CloseReason:
    code: int
    reason: str


UNAVAILABLE = CloseReason(CLOSE_SERVER_ERROR, "events are unavailable right now: reconnect")
REVOKED = CloseReason(CLOSE_UNAUTHORIZED, "your access was revoked or ended: sign in again")
EXPIRED = CloseReason(CLOSE_UNAUTHORIZED, "your session has expired: sign in again")


class ClientMessageError(ValueError):
    """A message from the client that we cannot act on; told back to it, not fatal."""


def timestamp() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def parse_since(raw: Any) -> int:
    """A client's `since`: a non-negative event sequence number (an integer, or its digits
    as text, as in `?since=42`)."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 19:
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_SEQ:
        return raw
    raise ClientMessageError("`since` must be a non-negative integer sequence number.")


class MessageEncoder:
    """JSON text of a message, encoded once however many clients it goes to: every
    subscriber receives the same dict object, so recent ones are remembered by identity
    (the dict is kept alongside, so its id cannot be reused while remembered)."""

    def __init__(self, kept: int = 256) -> None:
        self.kept = kept
        self._recent: OrderedDict[int, tuple[dict[str, Any], str]] = OrderedDict()

    def encode(self, message: dict[str, Any]) -> str:
        found = self._recent.get(id(message))
        if found is not None and found[0] is message:
            return found[1]
        text = json.dumps(message, separators=(",", ":"))
        if "seq" in message:  # only bus events are shared; replies are one-off
            self._recent[id(message)] = (message, text)
            if len(self._recent) > self.kept:
                self._recent.popitem(last=False)
        return text


class LiveConnection:
    def __init__(
        self,
        websocket: WebSocket,
        subscription: Subscription,
        replay: Replay,
        latest_seq: Callable[[], int],
        ping_seconds: float,
        encoder: MessageEncoder | None = None,
        revoked_by: RevokedBy | None = None,
        expires_at: datetime | None = None,
    ) -> None:
        self.encoder = encoder or MessageEncoder()
        self.revoked_by = revoked_by or (lambda _message: False)
        self.expires_at = expires_at
        self.websocket = websocket
        self.subscription = subscription
        self.replay = replay
        self.latest_seq = latest_seq
        self.ping_seconds = ping_seconds
        self._send_lock = asyncio.Lock()
        self._last_sent = 0.0  # loop time of the last message sent
        self._sent: deque[int] = deque(maxlen=SENT_SEQS_KEPT)
        self._sent_set: set[int] = set()

    async def run(self, since: int | None) -> CloseReason | None:
        """Serve until the client leaves (None) or must be closed (the reason)."""
        try:
            await self._start(since)
        except (WebSocketDisconnect, RuntimeError):  # the client went away
            return None
        except Exception as exc:  # the missed events could not be read: let it retry
            log.warning("websocket_resume_failed", error=str(exc)[:200])
            return UNAVAILABLE
        return await self._serve()

    async def _start(self, since: int | None) -> None:
        await self._send({"type": "connected", "timestamp": timestamp(), "seq": self.latest_seq()})
        if since is not None:
            await self.resume(since)

    async def _serve(self) -> CloseReason | None:
        tasks = [
            asyncio.create_task(self._pump_live()),
            asyncio.create_task(self._keep_alive()),
            asyncio.create_task(self._read_client()),
            asyncio.create_task(self._watch_overflow()),
        ]
        if self.expires_at is not None:
            tasks.append(asyncio.create_task(self._expire(self.expires_at)))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return _outcome(done)

    async def resume(self, since: int) -> None:
        # Holding the send lock through the query keeps live events queued (not sent)
        # until the missed ones are out, so the client sees them in order.
        async with self._send_lock:
            missed = await self.replay(since, REPLAY_LIMIT + 1)
            if len(missed) > REPLAY_LIMIT:
                await self._send_now(_resync_message(self.latest_seq()))
                return
            for message in missed:
                if message.get("type") not in INTERNAL_EVENT_TYPES:
                    await self._send_event(message)

    async def _pump_live(self) -> CloseReason | None:
        queue = self.subscription.queue
        while True:
            message = await queue.get()
            if message.get("type") in INTERNAL_EVENT_TYPES:
                if self.revoked_by(message):
                    return REVOKED
                continue
            async with self._send_lock:
                await self._send_event(message)

    async def _keep_alive(self) -> CloseReason | None:
        """A ping after `ping_seconds` without any message, so that proxies keep an idle
        connection open (one timer per connection, none per message)."""
        loop = asyncio.get_running_loop()
        while True:
            silent = loop.time() - self._last_sent
            if silent < self.ping_seconds:
                await asyncio.sleep(self.ping_seconds - silent)
                continue
            await self._send({"type": "ping", "timestamp": timestamp()})

    async def _expire(self, expires_at: datetime) -> CloseReason:
        """A session-cookie connection ends when its session does: nothing else would tell
        it (an expired session sends no event), and its events would keep flowing."""
        await asyncio.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()))
        return EXPIRED

    async def _read_client(self) -> CloseReason | None:
        while True:
            incoming = await self.websocket.receive()
            if incoming["type"] == "websocket.disconnect":
                return None
            text = incoming.get("text")
            if text is None:
                await self._send(_error("Send JSON text messages, not binary ones."))
                continue
            if len(text) > MAX_CLIENT_MESSAGE_CHARS:
                return CloseReason(CLOSE_TOO_BIG, "message too large")
            await self._handle(text)

    async def _handle(self, text: str) -> None:
        try:
            message = json.loads(text)
            if not isinstance(message, dict):
                raise ClientMessageError('Send a JSON object such as {"type": "resume"}.')
            await self._dispatch(message)
        except json.JSONDecodeError:
            await self._send(_error("The message is not valid JSON."))
        except ClientMessageError as exc:
            await self._send(_error(str(exc)))

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "resume":
            await self.resume(parse_since(message.get("since")))
        elif kind == "ping":
            await self._send({"type": "pong", "timestamp": timestamp()})
        elif kind != "pong":
            raise ClientMessageError(f"Unknown message type {kind!r}: use 'resume' or 'ping'.")

    async def _watch_overflow(self) -> CloseReason:
        await self.subscription.overflow_signal.wait()
        return CloseReason(CLOSE_TOO_SLOW, "too slow: reconnect and resume with since")

    async def _send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            await self._send_now(message)

    async def _send_event(self, message: dict[str, Any]) -> None:
        seq = message.get("seq")
        if isinstance(seq, int):
            if seq in self._sent_set:
                return
            self._remember(seq)
        await self._send_now(message)

    async def _send_now(self, message: dict[str, Any]) -> None:
        await self.websocket.send_text(self.encoder.encode(message))
        self._last_sent = asyncio.get_running_loop().time()

    def _remember(self, seq: int) -> None:
        if len(self._sent) == self._sent.maxlen:
            self._sent_set.discard(self._sent[0])
        self._sent.append(seq)
        self._sent_set.add(seq)


def _error(detail: str) -> dict[str, Any]:
    return {"type": "error", "detail": detail, "timestamp": timestamp()}


def _resync_message(seq: int) -> dict[str, Any]:
    return {
        "type": "resync",
        "seq": seq,
        "timestamp": timestamp(),
        "detail": f"More than {REPLAY_LIMIT} events were missed: reload the page's data.",
    }


def _outcome(done: set[asyncio.Task[CloseReason | None]]) -> CloseReason | None:
    for task in done:
        if task.cancelled():
            continue
        error = task.exception()
        if error is None:
            return task.result()
        if isinstance(error, (WebSocketDisconnect, RuntimeError)):
            return None  # the client went away
        log.error("websocket_failed", error_type=type(error).__name__, error=str(error)[:200])
        return UNAVAILABLE
    return None


async def close_quietly(websocket: WebSocket, reason: CloseReason) -> None:
    """Close, but never wait long on a client that stopped reading."""
    with contextlib.suppress(TimeoutError, RuntimeError, OSError, WebSocketDisconnect):
        await asyncio.wait_for(websocket.close(reason.code, reason.reason), CLOSE_TIMEOUT_SECONDS)
