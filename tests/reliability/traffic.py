"""Client side of fault tests: distinct small images, uploads through the API, API keys."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from websockets.asyncio.client import connect

from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from tests.conftest import make_settings
from tests.support.sleepy_engines import ENGINE_NAMES

REQUEST_SECONDS = 30.0
FINISH_EVENTS = {"prescription_completed", "prescription_failed"}


def page_png(seed: int) -> bytes:
    """A small PNG whose content (and so hash) differs for every seed."""
    image = Image.new("RGB", (64, 48), (seed % 251, (seed // 251) % 251, 200))
    image.putpixel((seed % 64, 0), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def admin_key(url: str, data_dir: Path) -> str:
    db = Database(make_settings(url, data_dir))
    try:
        async with unit_of_work(db) as session:
            created = await create_api_key(session, "reliability", Role.ADMIN)
            return str(created.key)
    finally:
        await db.dispose()


def api_client(base_url: str, key: str, timeout: float = REQUEST_SECONDS) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base_url, headers={"X-API-Key": key}, timeout=timeout)


async def upload(client: httpx.AsyncClient, seeds: Sequence[int]) -> httpx.Response:
    files = [("files", (f"rx-{s}.png", page_png(s), "image/png")) for s in seeds]
    data = {"selectedModels": ",".join(ENGINE_NAMES)}
    return await client.post("/api/prescriptions/upload", files=files, data=data)


def accepted_ids(response: httpx.Response) -> list[str]:
    if response.status_code not in (201, 207):
        return []
    return [f["id"] for f in response.json()["files"] if f["status"] == "created"]


@dataclass
class Outcome:
    """One request made under fault: when, how long, what came back."""

    kind: str
    started: float
    seconds: float
    status: int | None  # None: no HTTP answer (connection refused or reset)
    body: Any = None


@dataclass
class Recorder:
    outcomes: list[Outcome] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)

    async def call(self, kind: str, request: Any) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response: httpx.Response = await request
        except httpx.HTTPError as exc:
            seconds = time.monotonic() - started
            self.outcomes.append(Outcome(kind, started, seconds, None, repr(exc)))
            return None
        body = _json(response)
        self.outcomes.append(
            Outcome(kind, started, time.monotonic() - started, response.status_code, body)
        )
        return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


async def gather_ready(*processes: Any) -> None:
    """Start processes side by side (each start waits in its own thread)."""
    await asyncio.gather(*(asyncio.to_thread(p.start) for p in processes))


class EventWatcher:
    """A browser's WebSocket: every message it receives, collected in the background."""

    def __init__(self, ws_url: str, key: str) -> None:
        self.ws_url = ws_url
        self.key = key
        self.events: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def __aenter__(self) -> EventWatcher:
        self._task = asyncio.create_task(self._read())
        async with asyncio.timeout(REQUEST_SECONDS):
            await self._connected.wait()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _read(self) -> None:
        headers = {"X-API-Key": self.key}
        async with connect(self.ws_url, additional_headers=headers, open_timeout=30) as ws:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "connected":
                    self._connected.set()
                elif message.get("type") != "ping":
                    self.events.append(message)

    def seqs(self) -> list[int]:
        return [int(e["seq"]) for e in self.events if "seq" in e]

    async def wait_for_seqs(self, count: int, timeout: float) -> list[int]:
        """Until `count` events with sequence numbers arrived; their numbers."""
        async with asyncio.timeout(timeout):
            while len(self.seqs()) < count:
                await asyncio.sleep(0.1)
        return self.seqs()

    def types_for(self, prescription_id: str) -> list[str]:
        return [e["type"] for e in self.events if e.get("prescriptionId") == prescription_id]

    async def wait_for_finish(self, ids: Collection[str], timeout: float) -> None:
        """Until a completed or failed event arrived for every id."""
        async with asyncio.timeout(timeout):
            while missing := [i for i in ids if not FINISH_EVENTS & set(self.types_for(i))]:
                assert self._task is not None
                if self._task.done():
                    raise AssertionError(f"the WebSocket closed; {len(missing)} unfinished")
                await asyncio.sleep(0.1)
