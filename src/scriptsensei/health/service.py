"""What the health endpoint reports, measured with real queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, select, text

from scriptsensei import __version__
from scriptsensei.core.migrate import current_revision, head_revision
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import BackupRun, EngineRun

log = structlog.get_logger(__name__)

DB_CHECK_TIMEOUT_SECONDS = 3.0
WORKER_RECENT = timedelta(minutes=5)


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


async def _activity(runtime: Runtime) -> dict[str, Any]:
    """Queue depth, workers that held a run recently, and the last backup."""
    since = datetime.now(UTC) - WORKER_RECENT
    async with unit_of_work(runtime.db) as session:
        depth = await session.execute(
            select(EngineRun.status, func.count())
            .where(EngineRun.status.in_(("queued", "running")))
            .group_by(EngineRun.status)
        )
        counts = {status: count for status, count in depth}
        owners = await session.execute(
            select(EngineRun.lease_owner)
            .where(EngineRun.heartbeat_at >= since, EngineRun.lease_owner.is_not(None))
            .distinct()
        )
        backup = await session.scalar(
            select(BackupRun).order_by(BackupRun.started_at.desc()).limit(1)
        )
    return {
        "queue": {"queued": counts.get("queued", 0), "running": counts.get("running", 0)},
        "workers": {
            "embedded": "worker" in runtime.components,
            "recentlyActive": sorted(o for o in owners.scalars() if o),
        },
        "lastBackup": None
        if backup is None
        else {
            "status": backup.status,
            "startedAt": backup.started_at.isoformat(),
            "finishedAt": backup.finished_at.isoformat() if backup.finished_at else None,
            "error": backup.error,
        },
    }


async def health_report(runtime: Runtime) -> dict[str, Any]:
    database = await _database_status(runtime)
    report: dict[str, Any] = {
        "status": "ok" if database["reachable"] else "unavailable",
        "version": __version__,
        "uptimeSeconds": round(runtime.uptime_seconds, 1),
        "database": database,
    }
    guard = runtime.components.get("write_guard")
    if guard:
        report["writesPaused"] = str(guard)
    if database["reachable"] and database.get("current"):
        try:
            report.update(await asyncio.wait_for(_activity(runtime), DB_CHECK_TIMEOUT_SECONDS))
        except Exception as exc:  # the core answer stands even if the extras fail
            log.warning("health_activity_failed", error=type(exc).__name__)
    return report
