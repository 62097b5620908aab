"""Recording what an engine run came to, in one short transaction each: succeeded (with its
field rows), retried later, failed, or released at shutdown. Every write first checks that
the lease is still ours; a worker that lost its lease discards its result."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from typing import Any

import structlog
from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.extraction.engine import EngineResult
from scriptsensei.extraction.normalize import normalize_value
from scriptsensei.jobs.claim import ClaimedRun
from scriptsensei.jobs.progress import count_engine, report_engine, requeue_if_untouched
from scriptsensei.jobs.rollup import roll_up
from scriptsensei.jobs.wakeup import wake_workers
from scriptsensei.models import EngineRun, ExtractionResult
from scriptsensei.models.types import utcnow

log = structlog.get_logger(__name__)

_NO_LEASE: dict[str, Any] = {"lease_owner": None, "lease_expires_at": None}


async def _update_if_ours(session: AsyncSession, claimed: ClaimedRun, **values: Any) -> bool:
    """Update the run only while this worker still holds its lease for this attempt."""
    params = {f"new_{key}": value for key, value in values.items()}
    params.update(run_id=claimed.id, owner=claimed.owner, attempt=claimed.attempt)
    result = await session.execute(_lease_update(tuple(values)), params)
    return result.first() is not None


@cache
def _lease_update(columns: tuple[str, ...]) -> Any:
    """The lease-checked update of these columns, built once: every engine outcome runs one."""
    return (
        update(EngineRun)
        .where(
            EngineRun.id == bindparam("run_id"),
            EngineRun.status == "running",
            EngineRun.lease_owner == bindparam("owner"),
            EngineRun.attempts == bindparam("attempt"),
        )
        .values({column: bindparam(f"new_{column}") for column in columns})
        .returning(EngineRun.id)
        .execution_options(synchronize_session=False)
    )


def _result_rows(claimed: ClaimedRun, result: EngineResult) -> list[dict[str, Any]]:
    per_field_ms = result.duration_ms
    return [
        {
            "prescription_id": claimed.prescription_id,
            "model_name": claimed.engine_name,
            "field_name": value.path,
            "extracted_value": value.value,
            "confidence": value.confidence,
            "processing_time": per_field_ms,
            "engine_run_id": claimed.id,
            "engine_version": result.engine_version,
            "normalized_value": normalize_value(value.path, value.value),
            "page": value.page,
            "bbox": value.bbox.as_dict() if value.bbox else None,
        }
        for value in result.fields
    ]


async def _cancelled(session: AsyncSession, claimed: ClaimedRun) -> None:
    await session.execute(
        update(EngineRun)
        .where(EngineRun.id == claimed.id)
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )


async def _count_and_report(
    session: AsyncSession,
    claimed: ClaimedRun,
    *,
    status: str,
    rows: Sequence[dict[str, Any]] = (),
) -> bool:
    """Count the engine on its processing run, store its field rows, roll up after the last
    engine. False when the run was cancelled meanwhile (the engine run is marked cancelled
    and its values are not stored)."""
    succeeded = status == "succeeded"
    progress = await count_engine(session, claimed.processing_run_id, succeeded=succeeded)
    if progress is None:
        await _cancelled(session, claimed)
        return False
    if rows:
        await session.execute(insert(ExtractionResult), list(rows))
    await report_engine(session, claimed, progress, status)
    if progress.finished:
        await roll_up(session, progress)
    return True


async def record_success(session: AsyncSession, claimed: ClaimedRun, result: EngineResult) -> bool:
    """Store the engine's values; False when the lease was lost (nothing written)."""
    ours = await _update_if_ours(
        session,
        claimed,
        status="succeeded",
        engine_version=result.engine_version,
        raw_output=result.raw_output,
        duration_ms=result.duration_ms,
        input_tokens=result.input_tokens,
        output_tokens=result.output_tokens,
        cost_usd=result.cost_usd,
        prompt=result.prompt,
        error=None,
        error_transient=None,
        finished_at=utcnow(),
        **_NO_LEASE,
    )
    if not ours:
        return False
    rows = _result_rows(claimed, result)
    await _count_and_report(session, claimed, status="succeeded", rows=rows)
    return True


def retry_delay(attempt: int, backoff_seconds: float, retry_after: float | None) -> float:
    """Exponential backoff with jitter (so retries of many runs do not arrive together),
    never sooner than the engine's `retry_after`."""
    delay = backoff_seconds * 2 ** max(attempt - 1, 0) * random.uniform(0.8, 1.2)
    return float(max(delay, retry_after or 0.0))


async def _retry_later(
    session: AsyncSession, claimed: ClaimedRun, error: str, delay: float
) -> bool:
    available = utcnow() + timedelta(seconds=delay)
    ours = await _update_if_ours(
        session,
        claimed,
        status="queued",
        available_at=available,
        error=error,
        error_transient=True,
        **_NO_LEASE,
    )
    if ours:
        await wake_workers(session)  # so every worker sets its timer for the new due time
        await publish(
            session,
            EventType.ENGINE_PROGRESS,
            claimed.prescription_id,
            engine=claimed.engine_name,
            engineStatus="retrying",
            attempt=claimed.attempt,
            error=error,
            retryAt=available.isoformat(),
            processingRunId=claimed.processing_run_id,
        )
    return ours


async def record_failure(
    session: AsyncSession,
    claimed: ClaimedRun,
    error: str,
    *,
    transient: bool,
    retry_after: float | None = None,
    backoff_seconds: float = 5.0,
) -> bool:
    """A transient error with attempts left is retried later; anything else fails the
    engine run with its reason. False when the lease was lost."""
    if transient and claimed.attempt < claimed.max_attempts:
        delay = retry_delay(claimed.attempt, backoff_seconds, retry_after)
        return await _retry_later(session, claimed, error, delay)
    if transient:
        error = f"{error} (gave up after {claimed.attempt} attempts)"
    ours = await _update_if_ours(
        session,
        claimed,
        status="failed",
        error=error,
        error_transient=transient,
        finished_at=utcnow(),
        **_NO_LEASE,
    )
    if ours:
        await _count_and_report(session, claimed, status="failed")
    return ours


async def release_runs(session: AsyncSession, claimed: Sequence[ClaimedRun]) -> int:
    """Give runs back to the queue at shutdown, without counting the attempt."""
    released = 0
    for run in claimed:
        if await _update_if_ours(
            session,
            run,
            status="queued",
            attempts=run.attempt - 1,  # the lease check pins attempts to run.attempt
            available_at=utcnow(),
            **_NO_LEASE,
        ):
            released += 1
    if released:
        for processing_run_id in {run.processing_run_id for run in claimed}:
            await requeue_if_untouched(session, processing_run_id)
        await wake_workers(session)
    return released


LEASE_EXPIRED = "the worker running it stopped responding (lease expired)"


async def reap_expired(session: AsyncSession, expired: Sequence[ClaimedRun]) -> None:
    """Runs whose worker died go back to the queue at once, or fail when out of attempts."""
    for run in expired:
        log.warning("engine_run_lease_expired", run=run.id, engine=run.engine_name, owner=run.owner)
        await record_failure(session, run, LEASE_EXPIRED, transient=True, backoff_seconds=0.0)
