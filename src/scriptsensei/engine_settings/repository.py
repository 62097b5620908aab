"""Reading and writing the engine overrides table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.extraction.registry import EngineOverride
from scriptsensei.models import EngineSetting


def override_of(row: EngineSetting) -> EngineOverride:
    return EngineOverride(
        enabled=row.enabled,
        model=row.model,
        base_url=row.base_url,
        input_price_per_mtok=row.input_price_per_mtok,
        output_price_per_mtok=row.output_price_per_mtok,
    )


async def load_rows(session: AsyncSession) -> dict[str, EngineSetting]:
    rows = await session.scalars(select(EngineSetting))
    return {row.name: row for row in rows}


async def load_overrides(session: AsyncSession) -> dict[str, EngineOverride]:
    return {name: override_of(row) for name, row in (await load_rows(session)).items()}


async def row_for(session: AsyncSession, name: str) -> EngineSetting:
    """The engine's row, added to the session when it has none yet."""
    row = await session.get(EngineSetting, name)
    if row is None:
        row = EngineSetting(name=name)
        session.add(row)
    return row
