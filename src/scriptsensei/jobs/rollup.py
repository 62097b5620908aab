"""The end of a processing run: once every engine is finished, the consensus is formed and
stored, and the prescription becomes `completed` (at least one engine succeeded; failed
engines stay visible as such) or `failed` (every engine failed, with every reason)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.extraction.consensus import (
    Consensus,
    EngineReading,
    Thresholds,
    apply_review,
    build_consensus,
)
from scriptsensei.extraction.engine import FieldValue
from scriptsensei.jobs.progress import RunProgress, update_prescription
from scriptsensei.models import (
    EngineRun,
    ExtractionResult,
    FieldConsensus,
    ProcessingRun,
    ReviewDecision,
)
from scriptsensei.models.types import new_id, utcnow

FIELD_CONSENSUS = cast(Table, FieldConsensus.__table__)


async def _readings(session: AsyncSession, processing_run_id: str) -> list[EngineReading]:
    rows = await session.execute(
        select(ExtractionResult)
        .join(EngineRun, EngineRun.id == ExtractionResult.engine_run_id)
        .where(EngineRun.processing_run_id == processing_run_id, EngineRun.status == "succeeded")
        .order_by(EngineRun.engine_name, ExtractionResult.field_name)
    )
    by_engine: dict[str, list[FieldValue]] = defaultdict(list)
    for result in rows.scalars():
        value = FieldValue(
            result.field_name, result.extracted_value, result.confidence, result.page
        )
        by_engine[result.model_name].append(value)
    return [EngineReading(engine, values) for engine, values in by_engine.items()]


async def _failures(session: AsyncSession, processing_run_id: str) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(EngineRun.engine_name, EngineRun.error)
        .where(EngineRun.processing_run_id == processing_run_id, EngineRun.status == "failed")
        .order_by(EngineRun.engine_name)
    )
    return [(name, error or "no reason recorded") for name, error in rows]


async def latest_decisions(session: AsyncSession, prescription_id: str) -> dict[str, str | None]:
    """Each field's latest reviewer decision (dotted path -> final value)."""
    rows = await session.execute(
        select(ReviewDecision.field_name, ReviewDecision.final_value)
        .where(ReviewDecision.prescription_id == prescription_id)
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    )
    return {field: value for field, value in rows}


async def _store_consensus(session: AsyncSession, run: RunProgress, consensus: Consensus) -> None:
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "prescription_id": run.prescription_id,
            "processing_run_id": run.processing_run_id,
            "field_name": f.path,
            "value": f.value,
            "normalized_value": f.normalized,
            "agreement": f.agreement,
            "confidence": f.confidence,
            "status": f.status,
            "needs_review": f.needs_review,
            "engine_values": f.engine_values(),
            "created_at": now,
        }
        for f in consensus.fields
    ]
    if rows:
        # Core executemany: one round trip for every field of the prescription.
        await session.execute(insert(FIELD_CONSENSUS), rows)


def _search_columns(data: dict[str, Any]) -> dict[str, str | None]:
    drugs = [m.get("drugName") for m in data.get("medications") or [] if m.get("drugName")]
    return {
        "patient_name": (data.get("patientDetails") or {}).get("patientName"),
        "drug_names": ", ".join(drugs) or None,
    }


async def _finish_run(
    session: AsyncSession, run: RunProgress, status: str, error: str | None
) -> None:
    await session.execute(
        update(ProcessingRun)
        .where(ProcessingRun.id == run.processing_run_id)
        .values(status=status, error=error, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def _complete(session: AsyncSession, run: RunProgress, readings: list[EngineReading]) -> None:
    thresholds = Thresholds(run.agreement_threshold, run.confidence_threshold)
    consensus = build_consensus(readings, thresholds)
    await _store_consensus(session, run, consensus)
    decisions = await latest_decisions(session, run.prescription_id)
    data = apply_review(consensus, decisions)
    needing = [f for f in consensus.needing_review() if f.path not in decisions]
    await _finish_run(session, run, "completed", None)
    written = await update_prescription(
        session,
        run,
        extracted_data=data,
        fields_needing_review=len(needing),
        review_status="pending" if needing else "none",
        processing_status="completed",
        status_changed_at=utcnow(),
        error=None,
        **_search_columns(data),
    )
    if written:
        summary = {**consensus.summary(), "needingReview": len(needing)}
        await publish(
            session,
            EventType.PRESCRIPTION_COMPLETED,
            run.prescription_id,
            status="completed",
            consensus=summary,
            **run.counts(),
        )


async def _fail(session: AsyncSession, run: RunProgress) -> None:
    failures = await _failures(session, run.processing_run_id)
    error = "; ".join(f"{engine}: {reason}" for engine, reason in failures)
    error = error or "no engine produced a result"
    await _finish_run(session, run, "failed", error)
    written = await update_prescription(
        session, run, processing_status="failed", status_changed_at=utcnow(), error=error
    )
    if written:
        await publish(
            session,
            EventType.PRESCRIPTION_FAILED,
            run.prescription_id,
            status="failed",
            error=error,
            **run.counts(),
        )


async def roll_up(session: AsyncSession, run: RunProgress) -> None:
    """Called in the transaction that finished the run's last engine."""
    readings = await _readings(session, run.processing_run_id)
    if readings or run.engines_done > 0:
        await _complete(session, run, readings)
    else:
        await _fail(session, run)
