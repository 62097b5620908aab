"""The engine registry of one process, kept equal to the environment's declarations with
the stored overrides applied.

Web processes reload it when an `engine_settings_updated` event arrives (from any
process, through the event bus); workers re-read the overrides in each claim transaction.
Either way an idle process sends no query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.engine_settings.repository import load_overrides
from scriptsensei.extraction.registry import EngineOverride, EngineRegistry, build_registry

log = structlog.get_logger(__name__)

Overrides = Mapping[str, EngineOverride]


class EngineCatalog:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.overrides: Overrides = {}
        self.registry = build_registry(settings)
        self._preview: tuple[Overrides, EngineRegistry] | None = None
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()

    def registry_for(self, overrides: Overrides) -> EngineRegistry:
        """The registry these overrides give: the current one, or one built for them (kept
        until the next call, so applying the same overrides later builds nothing)."""
        if overrides == self.overrides:
            return self.registry
        if self._preview is None or self._preview[0] != overrides:
            replaced = [self._preview[1]] if self._preview else []
            self._preview = (dict(overrides), build_registry(self.settings, overrides))
            self._release(replaced)
        return self._preview[1]

    def apply(self, overrides: Overrides) -> EngineRegistry:
        if overrides != self.overrides:
            replaced = self.registry
            self.registry = self.registry_for(overrides)
            self.overrides = dict(overrides)
            self._preview = None
            self._release([replaced])
            log.info("engine_settings_applied", overridden=sorted(overrides))
        return self.registry

    def _release(self, registries: Iterable[EngineRegistry]) -> None:
        """Close the connections of engines no registry in use holds any more (an LLM
        engine's HTTP pool); each closes once its calls in flight have ended."""
        kept = {id(engine) for registry in self._in_use() for engine in _engines(registry)}
        dropped = [
            engine
            for registry in registries
            for engine in _engines(registry)
            if id(engine) not in kept and hasattr(engine, "aclose")
        ]
        if not dropped:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: no connection was ever opened either
            return
        for engine in dropped:
            task = loop.create_task(engine.aclose())
            self._closing.add(task)  # a reference, so the task is not collected midway
            task.add_done_callback(self._closing.discard)

    def _in_use(self) -> list[EngineRegistry]:
        return [self.registry] + ([self._preview[1]] if self._preview else [])

    async def refresh(self, session: AsyncSession) -> EngineRegistry:
        """Apply the overrides as this session's transaction sees them."""
        return self.apply(await load_overrides(session))

    async def reload(self, db: Database) -> None:
        # One reload at a time: what was read last is applied last.
        async with self._lock, db.sessions() as session:
            await self.refresh(session)


def _engines(registry: EngineRegistry) -> list[object]:
    return [registry.get(name) for name in registry.names()]
