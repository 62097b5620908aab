"""Putting work on the queue: a processing run and one engine run per selected engine,
inserted in the caller's transaction so they exist exactly when the caller's change commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.jobs.wakeup import wake_workers
from scriptsensei.models import EngineRun, ProcessingRun


@dataclass(frozen=True)
class RunRequest:
    """What to read a prescription with: a snapshot of the config at request time."""

    engines: Sequence[str]
    fields: Sequence[str] = ()
    custom_prompts: dict[str, Any] = field(default_factory=dict)
    agreement_threshold: float = 0.67
    confidence_threshold: float = 0.6
    config_id: str | None = None
    reason: str = "upload"  # upload|process|retry|reprocess
    requested_by: str | None = None
    max_attempts: int = 4
    priority: int = 0


async def enqueue_run(
    session: AsyncSession, prescription_id: str, request: RunRequest
) -> ProcessingRun:
    run = ProcessingRun(
        prescription_id=prescription_id,
        status="queued",
        reason=request.reason,
        config_id=request.config_id,
        selected_engines=list(request.engines),
        selected_fields=list(request.fields),
        custom_prompts=dict(request.custom_prompts),
        agreement_threshold=request.agreement_threshold,
        confidence_threshold=request.confidence_threshold,
        requested_by=request.requested_by,
        engines_total=len(request.engines),
        engines_done=0,
        engines_failed=0,
    )
    session.add(run)
    await session.flush()
    for engine in request.engines:
        session.add(
            EngineRun(
                processing_run_id=run.id,
                prescription_id=prescription_id,
                engine_name=engine,
                status="queued",
                priority=request.priority,
                attempts=0,
                max_attempts=request.max_attempts,
            )
        )
    await session.flush()
    await wake_workers(session)
    return run
