"""A real HTTP server (uvicorn) on a random 127.0.0.1 port, in a thread of the test
process, for clients that speak HTTP over a socket (requests, schemathesis, browsers)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from scriptsensei.app import create_app
from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    settings: Settings

    def api_key(self, role: Role, name: str | None = None) -> str:
        """A new API key, written through a connection of its own."""

        async def create() -> str:
            db = Database(self.settings)
            try:
                async with unit_of_work(db) as session:
                    return (await create_api_key(session, name or f"live-{role.value}", role)).key
            finally:
                await db.dispose()

        return asyncio.run(create())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(settings: Settings, start_timeout: float = 30.0) -> Iterator[LiveServer]:
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
