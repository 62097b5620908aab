"""The engine catalog of a web process: loaded at start, reloaded whenever any process
announces a change (`engine_settings_updated`). Started after the events component."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import structlog

from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.engine_settings.catalog import EngineCatalog
from scriptsensei.events.types import EventType

log = structlog.get_logger(__name__)

COMPONENT_NAME = "engine_catalog"
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 30.0


class ReloadOnEvent:
    """Reloads the catalog after each announced change; a burst of them costs one reload,
    and nothing at all happens between changes."""

    def __init__(self, catalog: EngineCatalog, db: Database) -> None:
        self.catalog = catalog
        self.db = db
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def on_event(self, message: dict[str, Any]) -> None:
        if message.get("type") == EventType.ENGINE_SETTINGS_UPDATED:
            self._wanted.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="engine-settings-reload")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        delay = RETRY_FIRST_SECONDS
        while True:
            await self._wanted.wait()
            self._wanted.clear()
            try:
                await self.catalog.reload(self.db)
                delay = RETRY_FIRST_SECONDS
            except Exception as exc:  # the database is away: try again, the change is stored
                log.warning("engine_settings_reload_failed", error=str(exc)[:200], retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                self._wanted.set()


@asynccontextmanager
async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
    catalog = EngineCatalog(runtime.settings)
    await catalog.reload(runtime.db)
    watcher = ReloadOnEvent(catalog, runtime.db)
    if runtime.db.event_bus is not None:
        runtime.db.event_bus.add_hook(watcher.on_event)
    watcher.start()
    runtime.components[COMPONENT_NAME] = catalog
    try:
        yield
    finally:
        runtime.components.pop(COMPONENT_NAME, None)
        await watcher.stop()


def catalog_of(runtime: Runtime) -> EngineCatalog:
    """The running catalog, or one made for this runtime when no component started (the
    command line, tests that build a Runtime by hand)."""
    found = runtime.components.get(COMPONENT_NAME)
    if isinstance(found, EngineCatalog):
        return found
    catalog = EngineCatalog(runtime.settings)
    runtime.components[COMPONENT_NAME] = catalog
    return catalog
