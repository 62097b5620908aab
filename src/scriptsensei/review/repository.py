"""Queries behind reviewing: the latest completed run, its consensus and values, decisions."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from scriptsensei.models import (
    EngineRun,
    ExtractionResult,
    FieldConsensus,
    Prescription,
    ProcessingRun,
    ReviewDecision,
)

IN_QUEUE = and_(
    Prescription.review_status == "pending", Prescription.processing_status == "completed"
)


async def latest_completed_run(session: AsyncSession, prescription_id: str) -> ProcessingRun | None:
    return await session.scalar(
        select(ProcessingRun)
        .where(
            ProcessingRun.prescription_id == prescription_id,
            ProcessingRun.status == "completed",
        )
        .order_by(ProcessingRun.created_at.desc(), ProcessingRun.id.desc())
        .limit(1)
    )


async def consensus_of(session: AsyncSession, processing_run_id: str) -> list[FieldConsensus]:
    rows = await session.scalars(
        select(FieldConsensus)
        .where(FieldConsensus.processing_run_id == processing_run_id)
        .order_by(FieldConsensus.field_name)
    )
    return list(rows)


async def results_of_run(session: AsyncSession, processing_run_id: str) -> list[ExtractionResult]:
    rows = await session.scalars(
        select(ExtractionResult)
        .join(EngineRun, EngineRun.id == ExtractionResult.engine_run_id)
        .where(EngineRun.processing_run_id == processing_run_id)
        .order_by(ExtractionResult.model_name, ExtractionResult.field_name)
    )
    return list(rows)


async def engine_value(
    session: AsyncSession, processing_run_id: str, engine: str, field: str
) -> ExtractionResult | None:
    return await session.scalar(
        select(ExtractionResult)
        .join(EngineRun, EngineRun.id == ExtractionResult.engine_run_id)
        .where(
            EngineRun.processing_run_id == processing_run_id,
            ExtractionResult.model_name == engine,
            ExtractionResult.field_name == field,
        )
        .limit(1)
    )


async def engine_runs_by_run(
    session: AsyncSession, prescription_id: str
) -> dict[str, list[EngineRun]]:
    rows = await session.scalars(
        select(EngineRun)
        .where(EngineRun.prescription_id == prescription_id)
        .order_by(EngineRun.created_at, EngineRun.engine_name)
    )
    grouped: dict[str, list[EngineRun]] = defaultdict(list)
    for row in rows:
        grouped[row.processing_run_id].append(row)
    return grouped


async def decisions_of(session: AsyncSession, prescription_id: str) -> list[ReviewDecision]:
    """Every decision on the prescription, newest first."""
    rows = await session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.prescription_id == prescription_id)
        .order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc())
    )
    return list(rows)


async def latest_decisions(session: AsyncSession, prescription_id: str) -> dict[str, str | None]:
    """Each field's latest decision (dotted path -> final value)."""
    rows = await session.execute(
        select(ReviewDecision.field_name, ReviewDecision.final_value)
        .where(ReviewDecision.prescription_id == prescription_id)
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    )
    return {field: value for field, value in rows}


async def first_in_queue(session: AsyncSession, after: Prescription | None) -> Prescription | None:
    """The oldest prescription waiting for review, after `after` in upload order if given."""
    query = (
        select(Prescription)
        .options(defer(Prescription.image_data, raiseload=True))
        .where(IN_QUEUE)
        .order_by(Prescription.uploaded_at, Prescription.id)
        .limit(1)
    )
    if after is not None:
        query = query.where(
            or_(
                Prescription.uploaded_at > after.uploaded_at,
                and_(Prescription.uploaded_at == after.uploaded_at, Prescription.id > after.id),
            )
        )
    return await session.scalar(query)


async def queue_length(session: AsyncSession) -> int:
    found = await session.scalar(select(func.count()).select_from(Prescription).where(IN_QUEUE))
    return int(found or 0)
