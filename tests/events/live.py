"""A real server for WebSocket tests: uvicorn on a random local port, in the test's loop,
plus helpers to publish events and to read a client's messages."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from scriptsensei.app import create_app
from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType

STARTUP_SECONDS = 15.0
RECEIVE_SECONDS = 10.0


@dataclass
class LiveServer:
    app: FastAPI
    url: str  # ws://127.0.0.1:port/ws

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime


@asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_SECONDS
    while not server.started:
        if task.done() or loop.time() > deadline:
            raise RuntimeError("the test server did not start")
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(app, f"ws://127.0.0.1:{port}/ws")
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, STARTUP_SECONDS)


async def new_api_key(db: Database, role: Role = Role.VIEWER) -> str:
    async with unit_of_work(db) as session:
        created = await create_api_key(session, f"live-{role}", role)
    return str(created.key)


@asynccontextmanager
async def client(
    url: str, key: str | None, headers: dict[str, str] | None = None, **options: Any
) -> AsyncIterator[ClientConnection]:
    sent = dict(headers or {})
    if key:
        sent["X-API-Key"] = key
    async with connect(url, additional_headers=sent, open_timeout=10, **options) as ws:
        yield ws


@asynccontextmanager
async def stalled_client(
    url: str, key: str
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    """A WebSocket client that completes the handshake and then never reads. Its socket
    has a tiny receive buffer, so the server's sends block soon (the kernel would
    otherwise buffer megabytes for it)."""
    host, port = url.removeprefix("ws://").split("/", 1)[0].split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
    writer.write(_upgrade_request(host, port, key))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), RECEIVE_SECONDS)
    assert head.startswith(b"HTTP/1.1 101"), head
    try:
        yield reader, writer
    finally:
        writer.close()


def _upgrade_request(host: str, port: str, key: str) -> bytes:
    nonce = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /ws HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {nonce}",
        "Sec-WebSocket-Version: 13",
        f"X-API-Key: {key}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def read_until_closed(reader: asyncio.StreamReader, seconds: float) -> int:
    """Drain a stalled client's socket until the server closes it; the bytes read."""
    total = 0
    async with asyncio.timeout(seconds):
        while chunk := await reader.read(1 << 16):
            total += len(chunk)
    return total


async def wait_until(condition: Callable[[], bool], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.05)


async def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), RECEIVE_SECONDS))
    return message


async def receive_events(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` event messages (pings skipped)."""
    events: list[dict[str, Any]] = []
    while len(events) < count:
        message = await receive(ws)
        if message["type"] != "ping":
            events.append(message)
    return events


async def publish_all(db: Database, events: list[tuple[EventType, str, dict[str, Any]]]) -> None:
    """Each event in its own committed transaction, in order."""
    for event_type, prescription_id, payload in events:
        async with unit_of_work(db) as session:
            await publish(session, event_type, prescription_id, **payload)


async def publish_together(
    db: Database, events: list[tuple[EventType, str, dict[str, Any]]]
) -> None:
    """Every event in one committed transaction."""
    async with unit_of_work(db) as session:
        for event_type, prescription_id, payload in events:
            await publish(session, event_type, prescription_id, **payload)


def lifecycle(prescription_id: str) -> list[tuple[EventType, str, dict[str, Any]]]:
    """What an upload that is processed successfully raises."""
    return [
        (EventType.PRESCRIPTION_CREATED, prescription_id, {"status": "queued"}),
        (EventType.PRESCRIPTION_PROCESSING, prescription_id, {"status": "processing"}),
        (EventType.PRESCRIPTION_COMPLETED, prescription_id, {"status": "completed"}),
    ]
