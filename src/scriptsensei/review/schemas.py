"""Bodies of the review endpoints and of the prescription detail the review page reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from scriptsensei.models import FieldConsensus, ReviewDecision
from scriptsensei.prescriptions.schemas import ExtractionResultOut, PrescriptionOut, RunOut
from scriptsensei.review.service import ReviewView


class ConsensusOut(BaseModel):
    fieldName: str
    value: str | None
    normalizedValue: str | None
    agreement: float | None = Field(description="Share of the reading engines' weight agreeing")
    confidence: float | None
    status: str = Field(description="agreed | conflict | low_confidence | single | missing")
    needsReview: bool
    engineValues: dict[str, Any] = Field(description="engine -> {value, confidence, path}")

    @classmethod
    def of(cls, row: FieldConsensus) -> ConsensusOut:
        return cls(
            fieldName=row.field_name,
            value=row.value,
            normalizedValue=row.normalized_value,
            agreement=row.agreement,
            confidence=row.confidence,
            status=row.status,
            needsReview=row.needs_review,
            engineValues=dict(row.engine_values or {}),
        )


class DecisionOut(BaseModel):
    id: str
    prescriptionId: str
    processingRunId: str | None
    fieldName: str
    previousValue: str | None
    finalValue: str | None
    action: str = Field(description="accept | correct")
    sourceEngine: str | None
    actorType: str
    actorId: str | None
    actorName: str | None
    comment: str | None
    decidedAt: datetime

    @classmethod
    def of(cls, row: ReviewDecision) -> DecisionOut:
        return cls(
            id=row.id,
            prescriptionId=row.prescription_id,
            processingRunId=row.processing_run_id,
            fieldName=row.field_name,
            previousValue=row.previous_value,
            finalValue=row.final_value,
            action=row.action,
            sourceEngine=row.source_engine,
            actorType=row.actor_type,
            actorId=row.actor_id,
            actorName=row.actor_name,
            comment=row.comment,
            decidedAt=row.decided_at,
        )


class PrescriptionDetailOut(BaseModel):
    """What the review page needs in one answer."""

    prescription: PrescriptionOut
    runs: list[RunOut] = Field(description="Oldest first, each with its engine runs")
    consensus: list[ConsensusOut] = Field(description="Of the latest completed run")
    extractionResults: list[ExtractionResultOut] = Field(
        description="Every engine's values of the latest completed run"
    )
    decisions: list[DecisionOut] = Field(description="Newest first")

    @classmethod
    def of(cls, view: ReviewView) -> PrescriptionDetailOut:
        return cls(
            prescription=PrescriptionOut.of(view.prescription),
            runs=[RunOut.of(run, engine_runs) for run, engine_runs in view.runs],
            consensus=[ConsensusOut.of(c) for c in view.consensus],
            extractionResults=[ExtractionResultOut.of(r) for r in view.results],
            decisions=[DecisionOut.of(d) for d in view.decisions],
        )


class FieldUpdates(BaseModel):
    """The earlier app's body: `{fieldUpdates: {dottedField: value}}` (a whole group as an
    object is accepted too)."""

    fieldUpdates: dict[str, Any] = Field(
        examples=[{"patientDetails.patientName": "Ravi Kumar", "medications.0.strength": "500 mg"}]
    )
    comment: str | None = Field(default=None, max_length=2000)


class ReviewedPrescription(PrescriptionOut):
    decisions: list[DecisionOut] = Field(description="The decisions this request recorded")


class AcceptRequest(BaseModel):
    fieldName: str = Field(max_length=200, examples=["medications.0.strength"])
    engine: str | None = Field(
        default=None, max_length=100, description="Accept this engine's value; null: consensus"
    )


class ApproveRequest(BaseModel):
    force: bool = Field(default=False, description="Approve although fields still need review")
    comment: str | None = Field(default=None, max_length=2000)


class ReviewQueueNext(BaseModel):
    prescription: PrescriptionOut | None = Field(description="null when the queue is empty")
    remaining: int = Field(description="Prescriptions waiting for review, this one included")


class ResultUpdate(BaseModel):
    """The earlier app's `PUT /api/extraction-results/{id}` body."""

    extractedValue: str | int | float | bool | None = Field(
        description="The reviewer's value for this result's field"
    )


class ResultDecision(ExtractionResultOut):
    finalValue: str | None = Field(description="The value the prescription now carries")
    decision: DecisionOut
