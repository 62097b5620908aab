"""What the health endpoint reports, measured with real queries."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog
from sqlalchemy import text

from scriptsensei import __version__
from scriptsensei.core.migrate import current_revision, head_revision
from scriptsensei.core.runtime import Runtime

log = structlog.get_logger(__name__)

DB_CHECK_TIMEOUT_SECONDS = 3.0


async def _database_status(runtime: Runtime) -> dict[str, Any]:
    async def probe() -> str | None:
        async with runtime.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return await current_revision(runtime.db)

    try:
        revision = await asyncio.wait_for(probe(), DB_CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure to reach the database means "not ready"
        log.warning(
            "health_database_unreachable",
            error=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__,
        )
        return {
            "reachable": False,
            "backend": runtime.db.engine.dialect.name,
            "error": "unreachable",
        }
    return {
        "reachable": True,
        "backend": runtime.db.engine.dialect.name,
        "revision": revision,
        "headRevision": head_revision(),
        "current": revision == head_revision(),
    }


async def health_report(runtime: Runtime) -> dict[str, Any]:
    database = await _database_status(runtime)
    return {
        "status": "ok" if database["reachable"] else "unavailable",
        "version": __version__,
        "uptimeSeconds": round(runtime.uptime_seconds, 1),
        "database": database,
    }
