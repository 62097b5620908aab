"""Filling the scrape-time gauges and the engine run histogram from the database and the
process's components."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.core.runtime import Runtime
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import BackupRun, EngineRun, Prescription
from scriptsensei.observability.registry import DurationTally, Metrics

FINISHED = ("succeeded", "failed")


async def _status_counts(session: AsyncSession, metrics: Metrics) -> None:
    rows = await session.execute(
        select(Prescription.processing_status, func.count()).group_by(
            Prescription.processing_status
        )
    )
    metrics.prescriptions.clear()
    for status, count in rows:
        metrics.prescriptions.labels(status).set(count)
    backlog = await session.scalar(
        select(func.count()).where(Prescription.review_status == "pending")
    )
    metrics.review_backlog.set(backlog or 0)


async def _queue(session: AsyncSession, metrics: Metrics) -> None:
    rows = await session.execute(
        select(EngineRun.status, func.count())
        .where(EngineRun.status.in_(("queued", "running")))
        .group_by(EngineRun.status)
    )
    counts: dict[str, int] = {status: count for status, count in rows}
    for status in ("queued", "running"):
        metrics.queue_depth.labels(status).set(counts.get(status, 0))


async def _engines(session: AsyncSession, metrics: Metrics) -> None:
    rows = await session.execute(
        select(
            EngineRun.engine_name,
            EngineRun.status,
            func.count(),
            func.coalesce(func.sum(EngineRun.input_tokens), 0),
            func.coalesce(func.sum(EngineRun.output_tokens), 0),
            func.coalesce(func.sum(EngineRun.cost_usd), 0),
        )
        .where(EngineRun.status.in_(FINISHED))
        .group_by(EngineRun.engine_name, EngineRun.status)
    )
    totals: dict[str, list[float]] = {}
    for engine, status, count, *sums in rows:
        metrics.engine_runs.labels(engine, status).set(count)
        acc = totals.setdefault(engine, [0.0, 0.0, 0.0])
        for i, value in enumerate(sums):
            acc[i] += float(value or 0)
    for engine, (tokens_in, tokens_out, cost) in totals.items():
        metrics.engine_tokens.labels(engine, "input").set(tokens_in)
        metrics.engine_tokens.labels(engine, "output").set(tokens_out)
        metrics.engine_cost.labels(engine).set(cost)


async def _durations(session: AsyncSession, metrics: Metrics) -> None:
    """Each bucket counted in the database: one query, however many runs there are."""
    collector = metrics.engine_durations
    ms = EngineRun.duration_ms
    at_most = [func.sum(case((ms <= bound * 1000, 1), else_=0)) for bound in collector.buckets]
    rows = await session.execute(
        select(EngineRun.engine_name, func.count(ms), func.coalesce(func.sum(ms), 0), *at_most)
        .where(EngineRun.status.in_(FINISHED), ms.is_not(None))
        .group_by(EngineRun.engine_name)
    )
    collector.tallies = {
        engine: DurationTally([int(n or 0) for n in buckets], int(count), float(total) / 1000)
        for engine, count, total, *buckets in rows
    }


async def _backup(session: AsyncSession, metrics: Metrics) -> None:
    last = await session.scalar(select(BackupRun).order_by(BackupRun.started_at.desc()).limit(1))
    ok = await session.scalar(
        select(func.max(BackupRun.finished_at)).where(BackupRun.status == "succeeded")
    )
    metrics.last_backup_age.set((datetime.now(UTC) - ok).total_seconds() if ok else -1)
    metrics.last_backup_ok.set(1 if last is not None and last.status == "succeeded" else 0)


def _process(runtime: Runtime, metrics: Metrics) -> None:
    pool: Any = runtime.db.engine.pool
    checked_out = getattr(pool, "checkedout", None)
    metrics.db_pool_in_use.set(checked_out() if callable(checked_out) else 0)
    events: Any = runtime.components.get("events")
    bus = getattr(events, "bus", None)
    metrics.ws_clients.set(getattr(bus, "subscriber_count", 0))


async def collect(runtime: Runtime, metrics: Metrics) -> None:
    async with unit_of_work(runtime.db) as session:
        await _status_counts(session, metrics)
        await _queue(session, metrics)
        await _engines(session, metrics)
        await _durations(session, metrics)
        await _backup(session, metrics)
    _process(runtime, metrics)
