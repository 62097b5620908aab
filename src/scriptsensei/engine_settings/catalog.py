"""The engine registry of one process, kept equal to the environment's declarations with
the stored overrides applied.

Web processes reload it when an `engine_settings_updated` event arrives (from any
process, through the event bus); workers re-read the overrides in each claim transaction.
Either way an idle process sends no query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

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

    def registry_for(self, overrides: Overrides) -> EngineRegistry:
        """The registry these overrides give: the current one, or one built for them (kept
        until the next call, so applying the same overrides later builds nothing)."""
        if overrides == self.overrides:
            return self.registry
        if self._preview is None or self._preview[0] != overrides:
            self._preview = (dict(overrides), build_registry(self.settings, overrides))
        return self._preview[1]

    def apply(self, overrides: Overrides) -> EngineRegistry:
        if overrides != self.overrides:
            self.registry = self.registry_for(overrides)
            self.overrides = dict(overrides)
            self._preview = None
            log.info("engine_settings_applied", overridden=sorted(overrides))
        return self.registry

    async def refresh(self, session: AsyncSession) -> EngineRegistry:
        """Apply the overrides as this session's transaction sees them."""
        return self.apply(await load_overrides(session))

    async def reload(self, db: Database) -> None:
        # One reload at a time: what was read last is applied last.
        async with self._lock, db.sessions() as session:
            await self.refresh(session)
