"""Per-engine progress of a processing run ("2 of 3 engines"), stored so a reload shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.jobs.claim import ClaimedRun
from scriptsensei.models import EngineRun, Prescription, ProcessingRun
from scriptsensei.models.types import UTCDateTime, utcnow


@dataclass(frozen=True)
class RunProgress:
    processing_run_id: str
    prescription_id: str
    created_at: datetime
    engines_total: int
    engines_done: int
    engines_failed: int
    agreement_threshold: float
    confidence_threshold: float

    @property
    def finished(self) -> bool:
        return self.engines_done + self.engines_failed >= self.engines_total

    def counts(self) -> dict[str, int]:
        return {
            "enginesTotal": self.engines_total,
            "enginesDone": self.engines_done,
            "enginesFailed": self.engines_failed,
        }


async def count_engine(
    session: AsyncSession, processing_run_id: str, *, succeeded: bool
) -> RunProgress | None:
    """Count one more finished engine. The UPDATE locks the processing run's row, so two
    workers finishing the last engines at once are serialised and roll up once. None when
    the run was cancelled meanwhile."""
    column = "engines_done" if succeeded else "engines_failed"
    result = await session.execute(_count_statement(column), {"run_id": processing_run_id})
    row = result.first()
    return RunProgress(*row) if row else None


@cache
def _count_statement(column: str) -> Any:
    # Built once per column: every engine outcome counts itself.
    return (
        update(ProcessingRun)
        .where(ProcessingRun.id == bindparam("run_id"), ProcessingRun.status != "cancelled")
        .values({column: getattr(ProcessingRun, column) + 1})
        .returning(
            ProcessingRun.id,
            ProcessingRun.prescription_id,
            ProcessingRun.created_at,
            ProcessingRun.engines_total,
            ProcessingRun.engines_done,
            ProcessingRun.engines_failed,
            ProcessingRun.agreement_threshold,
            ProcessingRun.confidence_threshold,
        )
        .execution_options(synchronize_session=False)
    )


def is_latest_run(prescription_id: Any, created_at: Any) -> Any:
    """SQL condition: no newer processing run exists for the prescription (an older run
    finishing late must not overwrite what a reprocess shows)."""
    return ~exists().where(
        ProcessingRun.prescription_id == prescription_id, ProcessingRun.created_at > created_at
    )


async def update_prescription(session: AsyncSession, progress: RunProgress, **values: Any) -> bool:
    """Write `values` on the prescription if this run is its latest; True when written."""
    params = {f"new_{key}": value for key, value in values.items()}
    params.update(rx=progress.prescription_id, run_created_at=progress.created_at)
    result = await session.execute(_prescription_update(tuple(values)), params)
    return result.first() is not None


@cache
def _prescription_update(columns: tuple[str, ...]) -> Any:
    """The update of these columns, if the run is the prescription's latest, built once."""
    prescription_id: Any = bindparam("rx")
    run_created_at = bindparam("run_created_at", type_=UTCDateTime())
    return (
        update(Prescription)
        .where(Prescription.id == prescription_id, is_latest_run(prescription_id, run_created_at))
        .values({column: bindparam(f"new_{column}") for column in columns})
        .returning(Prescription.id)
        .execution_options(synchronize_session=False)
    )


async def report_engine(
    session: AsyncSession, claimed: ClaimedRun, progress: RunProgress, status: str
) -> None:
    """Store the counters on the prescription and tell the browsers."""
    counts = {
        "engines_total": progress.engines_total,
        "engines_done": progress.engines_done,
        "engines_failed": progress.engines_failed,
    }
    await update_prescription(session, progress, **counts)
    await publish(
        session,
        EventType.ENGINE_PROGRESS,
        claimed.prescription_id,
        engine=claimed.engine_name,
        engineStatus=status,
        attempt=claimed.attempt,
        processingRunId=claimed.processing_run_id,
        **progress.counts(),
    )


async def mark_processing(session: AsyncSession, claimed: ClaimedRun) -> ClaimedRun:
    """Fill in what the engine is asked for; the first claimed engine of a run moves the run
    and its prescription to `processing`."""
    run = (
        await session.execute(
            select(ProcessingRun).where(ProcessingRun.id == claimed.processing_run_id)
        )
    ).scalar_one()
    if run.status == "queued":
        now = utcnow()
        run.status, run.started_at = "processing", now
        progress = RunProgress(
            run.id, run.prescription_id, run.created_at, run.engines_total, 0, 0, 0.0, 0.0
        )
        written = await update_prescription(
            session,
            progress,
            processing_status="processing",
            status_changed_at=now,
            error=None,
            engines_total=run.engines_total,
            engines_done=0,
            engines_failed=0,
        )
        if written:
            await publish(
                session, EventType.PRESCRIPTION_PROCESSING, run.prescription_id, status="processing"
            )
    return ClaimedRun(
        claimed.id,
        claimed.processing_run_id,
        claimed.prescription_id,
        claimed.engine_name,
        claimed.attempt,
        claimed.max_attempts,
        claimed.owner,
        tuple(run.selected_fields or ()),
        dict(run.custom_prompts or {}),
    )


async def requeue_if_untouched(session: AsyncSession, processing_run_id: str) -> None:
    """After a shutdown gave every engine of a run back to the queue, the run and its
    prescription read `queued` again rather than `processing` with nobody on it."""
    started = exists().where(
        EngineRun.processing_run_id == processing_run_id, EngineRun.status != "queued"
    )
    result = await session.execute(
        update(ProcessingRun)
        .where(
            ProcessingRun.id == processing_run_id, ProcessingRun.status == "processing", ~started
        )
        .values(status="queued", started_at=None)
        .returning(ProcessingRun.prescription_id, ProcessingRun.created_at)
        .execution_options(synchronize_session=False)
    )
    row = result.first()
    if row is None:
        return
    await session.execute(
        update(Prescription)
        .where(
            Prescription.id == row.prescription_id,
            Prescription.processing_status == "processing",
            is_latest_run(row.prescription_id, row.created_at),
        )
        .values(processing_status="queued", status_changed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
