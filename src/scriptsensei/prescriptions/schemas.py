"""Bodies of the prescription endpoints: the earlier app's camelCase rows, extended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import inspect as sa_inspect

from scriptsensei.models import EngineRun, ExtractionResult, Prescription, ProcessingRun


def _loaded_data(row: Prescription) -> dict[str, Any] | None:
    # A list may leave `extracted_data` unloaded (and raising on access): say null then.
    if "extracted_data" in sa_inspect(row).unloaded:
        return None
    return row.extracted_data


class PrescriptionOut(BaseModel):
    """The earlier app's prescription row (without its base64 image) plus ours."""

    id: str
    fileName: str
    fileSize: str = Field(description="Bytes, as text (the earlier app's type)")
    uploadedAt: datetime
    processingStatus: str = Field(description="queued | processing | completed | failed")
    extractedData: dict[str, Any] | None = Field(
        description="Consensus of the engines with reviewers' decisions on top; null in "
        "lists asked with includeData=false, and before the first completed run"
    )
    createdAt: datetime | None
    imageUrl: str = Field(description="The first page's image (never sent inline)")
    reviewStatus: str = Field(description="none | pending | reviewed | approved")
    fieldsNeedingReview: int
    enginesTotal: int
    enginesDone: int
    enginesFailed: int
    pageCount: int | None
    contentType: str | None
    source: str
    error: str | None
    configId: str | None
    approvedAt: datetime | None
    approvedBy: str | None
    updatedAt: datetime | None

    @classmethod
    def of(cls, row: Prescription) -> PrescriptionOut:
        return cls(
            id=row.id,
            fileName=row.file_name,
            fileSize=row.file_size,
            uploadedAt=row.uploaded_at,
            processingStatus=row.processing_status,
            extractedData=_loaded_data(row),
            createdAt=row.created_at,
            imageUrl=f"/api/prescriptions/{row.id}/image",
            reviewStatus=row.review_status,
            fieldsNeedingReview=row.fields_needing_review,
            enginesTotal=row.engines_total,
            enginesDone=row.engines_done,
            enginesFailed=row.engines_failed,
            pageCount=row.page_count,
            contentType=row.content_type,
            source=row.source,
            error=row.error,
            configId=row.config_id,
            approvedAt=row.approved_at,
            approvedBy=row.approved_by,
            updatedAt=row.updated_at,
        )


class ExtractionResultOut(BaseModel):
    """One engine's value for one field (the earlier app's row plus provenance)."""

    id: str
    prescriptionId: str
    modelName: str
    fieldName: str = Field(description="Dotted path, e.g. medications.0.drugName")
    extractedValue: str | None = Field(description="What the engine read; never overwritten")
    confidence: float | None
    processingTime: float | None = Field(description="Milliseconds")
    createdAt: datetime
    engineVersion: str | None
    normalizedValue: str | None
    page: int | None = Field(description="0-based page index the value was read on")
    bbox: dict[str, float] | None = Field(description="Fractions 0..1 of the page")
    engineRunId: str | None

    @classmethod
    def of(cls, row: ExtractionResult) -> ExtractionResultOut:
        return cls(
            id=row.id,
            prescriptionId=row.prescription_id,
            modelName=row.model_name,
            fieldName=row.field_name,
            extractedValue=row.extracted_value,
            confidence=row.confidence,
            processingTime=row.processing_time,
            createdAt=row.created_at,
            engineVersion=row.engine_version,
            normalizedValue=row.normalized_value,
            page=row.page,
            bbox=row.bbox,
            engineRunId=row.engine_run_id,
        )


class PrescriptionWithResults(BaseModel):
    """The earlier app's `GET /api/prescriptions/{id}`."""

    prescription: PrescriptionOut
    extractionResults: list[ExtractionResultOut]


class EngineRunOut(BaseModel):
    id: str
    engineName: str
    engineVersion: str | None
    status: str = Field(description="queued | running | succeeded | failed | cancelled")
    attempts: int
    maxAttempts: int
    error: str | None
    errorTransient: bool | None
    durationMs: float | None
    inputTokens: int | None
    outputTokens: int | None
    costUsd: float | None
    startedAt: datetime | None
    finishedAt: datetime | None

    @classmethod
    def of(cls, row: EngineRun) -> EngineRunOut:
        return cls(
            id=row.id,
            engineName=row.engine_name,
            engineVersion=row.engine_version,
            status=row.status,
            attempts=row.attempts,
            maxAttempts=row.max_attempts,
            error=row.error,
            errorTransient=row.error_transient,
            durationMs=row.duration_ms,
            inputTokens=row.input_tokens,
            outputTokens=row.output_tokens,
            costUsd=row.cost_usd,
            startedAt=row.started_at,
            finishedAt=row.finished_at,
        )


class RunOut(BaseModel):
    id: str
    status: str
    reason: str = Field(description="upload | process | retry | reprocess")
    selectedEngines: list[str]
    selectedFields: list[str]
    customPrompts: dict[str, Any]
    agreementThreshold: float
    confidenceThreshold: float
    configId: str | None
    requestedBy: str | None
    enginesTotal: int
    enginesDone: int
    enginesFailed: int
    error: str | None
    createdAt: datetime
    finishedAt: datetime | None
    engineRuns: list[EngineRunOut]

    @classmethod
    def of(cls, run: ProcessingRun, engine_runs: list[EngineRun]) -> RunOut:
        return cls(
            id=run.id,
            status=run.status,
            reason=run.reason,
            selectedEngines=list(run.selected_engines or []),
            selectedFields=list(run.selected_fields or []),
            customPrompts=dict(run.custom_prompts or {}),
            agreementThreshold=run.agreement_threshold,
            confidenceThreshold=run.confidence_threshold,
            configId=run.config_id,
            requestedBy=run.requested_by,
            enginesTotal=run.engines_total,
            enginesDone=run.engines_done,
            enginesFailed=run.engines_failed,
            error=run.error,
            createdAt=run.created_at,
            finishedAt=run.finished_at,
            engineRuns=[EngineRunOut.of(r) for r in engine_runs],
        )


class FileOutcomeOut(BaseModel):
    """What became of one uploaded file."""

    fileName: str
    status: str = Field(description="created | linked (duplicate, policy link) | rejected")
    id: str | None = Field(default=None, description="The prescription, unless rejected")
    duplicateOf: list[str] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Why it was rejected (a code)")
    detail: str | None = Field(default=None, description="Why it was rejected (a sentence)")


class UploadResult(BaseModel):
    """Per-file outcomes in the order sent, and the accepted prescriptions' rows. When no
    file was accepted (a 4xx answer) `error` and `detail` say why, as every error does."""

    files: list[FileOutcomeOut]
    accepted: int
    rejected: int
    prescriptions: list[PrescriptionOut]
    error: str | None = Field(default=None, description="Set when no file was accepted")
    detail: str | None = Field(default=None, description="Set when no file was accepted")


class ModelResult(BaseModel):
    """One engine's reading of the prescription in the latest run."""

    status: str
    error: str | None
    durationMs: float | None
    costUsd: float | None
    values: dict[str, str | None] = Field(description="Dotted field path -> value read")


class ProcessedResult(BaseModel):
    """The earlier app's upload-and-process answer."""

    id: str
    status: str
    fileName: str
    extractedData: dict[str, Any] | None
    modelResults: dict[str, ModelResult]
    error: str | None = None
    reviewStatus: str
    fieldsNeedingReview: int


class PendingResult(BaseModel):
    """Answered with 202 when processing outlasts the wait: poll nothing, follow statusUrl
    or the live events instead."""

    id: str
    status: str
    fileName: str
    statusUrl: str


class ProcessRequest(BaseModel):
    """The earlier app's `selectedModels` / `customPrompts`, plus fields and a config.
    Anything left out comes from the config (configId, else the default config)."""

    selectedModels: list[str] | None = Field(default=None, max_length=50)
    customPrompts: dict[str, str] | None = None
    selectedFields: list[str] | None = Field(default=None, max_length=200)
    configId: str | None = Field(default=None, max_length=100)


class RunQueued(BaseModel):
    id: str = Field(description="The prescription")
    status: str
    runId: str
    reason: str
    engines: list[str]
    statusUrl: str

    @classmethod
    def of(cls, run: ProcessingRun, status: str) -> RunQueued:
        return cls(
            id=run.prescription_id,
            status=status,
            runId=run.id,
            reason=run.reason,
            engines=list(run.selected_engines or []),
            statusUrl=f"/api/prescriptions/{run.prescription_id}",
        )


class Deleted(BaseModel):
    id: str
    deleted: bool = True
