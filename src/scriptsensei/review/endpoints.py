"""Review endpoints: corrections (the earlier app's PATCH), acceptances, approval, history,
and the next prescription of the review queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.responses import error_responses
from scriptsensei.audit.service import record
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_session
from scriptsensei.prescriptions.schemas import PrescriptionOut
from scriptsensei.review import service
from scriptsensei.review.schemas import (
    AcceptRequest,
    ApproveRequest,
    DecisionOut,
    FieldUpdates,
    ReviewedPrescription,
    ReviewQueueNext,
)
from scriptsensei.review.service import ReviewOutcome

router = APIRouter(tags=["review"])

REVIEW = require(Permission.PRESCRIPTIONS_REVIEW)
READ = require(Permission.PRESCRIPTIONS_READ)


def _reviewed(outcome: ReviewOutcome) -> ReviewedPrescription:
    base = PrescriptionOut.of(outcome.prescription).model_dump()
    return ReviewedPrescription(**base, decisions=[DecisionOut.of(d) for d in outcome.decisions])


@router.patch(
    "/api/prescriptions/{prescription_id}/extracted-data",
    response_model=ReviewedPrescription,
    summary="Correct fields: each becomes a reviewer decision; engines' values are kept",
    responses=error_responses(400, 404, 422),
)
async def patch_extracted_data(
    prescription_id: str,
    body: FieldUpdates,
    request: Request,
    principal: Principal = Depends(REVIEW),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ReviewedPrescription:
    outcome = await service.update_fields(
        session,
        prescription_id,
        body.fieldUpdates,
        principal,
        comment=body.comment,
        request=request,
    )
    return _reviewed(outcome)


@router.post(
    "/api/prescriptions/{prescription_id}/review/accept",
    response_model=ReviewedPrescription,
    summary="Accept an engine's value, or the consensus value, for one field",
    responses=error_responses(400, 404, 409, 422),
)
async def accept_value(
    prescription_id: str,
    body: AcceptRequest,
    request: Request,
    principal: Principal = Depends(REVIEW),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ReviewedPrescription:
    outcome = await service.accept_value(
        session, prescription_id, body.fieldName, body.engine, principal, request=request
    )
    return _reviewed(outcome)


@router.post(
    "/api/prescriptions/{prescription_id}/approve",
    response_model=PrescriptionOut,
    summary="Approve; refused (409) while fields still need review unless force=true",
    responses=error_responses(404, 409, 422),
)
async def approve(
    prescription_id: str,
    request: Request,
    body: ApproveRequest | None = None,
    principal: Principal = Depends(REVIEW),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> PrescriptionOut:
    options = body or ApproveRequest()
    prescription = await service.approve(
        session,
        prescription_id,
        principal,
        force=options.force,
        comment=options.comment,
        request=request,
    )
    return PrescriptionOut.of(prescription)


@router.get(
    "/api/prescriptions/{prescription_id}/review-history",
    response_model=list[DecisionOut],
    summary="Every reviewer decision on the prescription, newest first",
    responses=error_responses(404),
)
async def review_history(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> list[DecisionOut]:
    decisions = await service.history(session, prescription_id)
    await record(
        session, principal, "prescription.read", "prescription", prescription_id,
        {"view": "review-history"}, request,
    )  # fmt: skip
    return [DecisionOut.of(d) for d in decisions]


@router.get(
    "/api/review/next",
    response_model=ReviewQueueNext,
    summary="The next prescription waiting for review (oldest first, after `after`)",
    responses=error_responses(404, 422),
)
async def next_for_review(
    after: str | None = Query(None, max_length=100, description="The prescription just reviewed"),
    _: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ReviewQueueNext:
    found, remaining = await service.next_for_review(session, after)
    return ReviewQueueNext(
        prescription=PrescriptionOut.of(found) if found else None, remaining=remaining
    )
