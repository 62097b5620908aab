"""Reviewer decisions: corrections and acceptances stored as their own rows (who, when,
previous and final value), never written over an engine's value; approval; the queue.

`extractedData` is always recomputed as the latest run's consensus with the latest decision
per field on top (`apply_review`). Rows of the earlier app have no consensus: their stored
`extractedData` is the base instead. Functions flush only; the caller commits. Each records
an audit entry and publishes `review_updated` in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from scriptsensei.audit.service import AuditActor, record
from scriptsensei.core.errors import BadRequest, Conflict, NotFound
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.extraction.consensus import apply_review
from scriptsensei.extraction.fields import (
    FIELD_GROUPS,
    MEDICATIONS,
    clean_value,
    flatten,
    is_valid_path,
    medication_path,
)
from scriptsensei.models import (
    EngineRun,
    ExtractionResult,
    FieldConsensus,
    Prescription,
    ProcessingRun,
    ReviewDecision,
)
from scriptsensei.models.types import utcnow
from scriptsensei.prescriptions import repository as rx_repository
from scriptsensei.prescriptions.service import require
from scriptsensei.review import repository

MAX_UPDATES = 500
MAX_VALUE_CHARS = 5000
MAX_MEDICATIONS = 100


@dataclass
class ReviewView:
    """Everything the review page shows for one prescription."""

    prescription: Prescription
    runs: list[tuple[ProcessingRun, list[EngineRun]]]  # oldest first
    consensus: list[FieldConsensus]  # of the latest completed run
    results: list[ExtractionResult]  # of the latest completed run (all, for legacy rows)
    decisions: list[ReviewDecision]  # newest first


@dataclass
class ReviewOutcome:
    prescription: Prescription
    decisions: list[ReviewDecision] = field(default_factory=list)


async def review_view(session: AsyncSession, prescription_id: str) -> ReviewView:
    prescription = await require(session, prescription_id)
    runs = await rx_repository.runs_of(session, prescription_id)
    engine_runs = await repository.engine_runs_by_run(session, prescription_id)
    latest = await repository.latest_completed_run(session, prescription_id)
    if latest is not None:
        consensus = await repository.consensus_of(session, latest.id)
        results = await repository.results_of_run(session, latest.id)
    else:
        consensus, results = [], await rx_repository.results_of(session, prescription_id)
    decisions = await repository.decisions_of(session, prescription_id)
    pairs = [(run, engine_runs.get(run.id, [])) for run in runs]
    return ReviewView(prescription, pairs, consensus, results, decisions)


def _value(path: str, raw: Any) -> str | None:
    if isinstance(raw, Mapping):
        raise BadRequest(f"The value for '{path}' must be text, a number or null, not an object.")
    value = clean_value(raw)
    if value is not None and len(value) > MAX_VALUE_CHARS:
        raise BadRequest(f"The value for '{path}' is longer than {MAX_VALUE_CHARS} characters.")
    return value


def _check_path(path: str) -> str:
    if not is_valid_path(path):
        raise BadRequest(
            f"'{path}' is not a field: use a dotted path such as 'patientDetails.patientName' "
            "or 'medications.0.drugName'."
        )
    parts = path.split(".")
    if parts[0] == MEDICATIONS and int(parts[1]) >= MAX_MEDICATIONS:
        raise BadRequest(f"A prescription holds at most {MAX_MEDICATIONS} medications.")
    return path


def _expand_group(group: str, raw: Any) -> dict[str, Any]:
    """The earlier app's whole-group updates (`{patientDetails: {...}}`) as dotted paths."""
    if group == MEDICATIONS and isinstance(raw, list):
        out: dict[str, Any] = {}
        for index, med in enumerate(raw):
            if not isinstance(med, Mapping):
                raise BadRequest("Each medication must be an object of its fields.")
            out.update({medication_path(index, str(k)): v for k, v in med.items()})
        return out
    if isinstance(raw, Mapping):
        return {f"{group}.{k}": v for k, v in raw.items()}
    raise BadRequest(f"'{group}' is a group: send its fields as an object, or dotted paths.")


def expand_updates(updates: Mapping[str, Any]) -> dict[str, str | None]:
    """`{dottedField or group: value}` -> `{dotted path: clean value}`; BadRequest if invalid."""
    flat: dict[str, Any] = {}
    for key, raw in updates.items():
        flat.update(_expand_group(key, raw) if key in FIELD_GROUPS else {key: raw})
    if not flat:
        raise BadRequest("fieldUpdates is empty: name at least one field to change.")
    if len(flat) > MAX_UPDATES:
        raise BadRequest(f"At most {MAX_UPDATES} fields can be changed at once.")
    return {_check_path(path): _value(path, raw) for path, raw in flat.items()}


async def _base_values(
    session: AsyncSession, prescription: Prescription, run: ProcessingRun | None
) -> tuple[dict[str, str | None], list[FieldConsensus]]:
    if run is None:
        return flatten(prescription.extracted_data), []
    rows = await repository.consensus_of(session, run.id)
    return {r.field_name: r.value for r in rows}, rows


def _review_status(prescription: Prescription, needing: int, decided: bool) -> str:
    if needing:
        return "pending"
    return "reviewed" if decided else "none"


def _search_columns(prescription: Prescription, data: dict[str, Any]) -> None:
    drugs = [m.get("drugName") for m in data.get(MEDICATIONS) or [] if m.get("drugName")]
    prescription.patient_name = (data.get("patientDetails") or {}).get("patientName")
    prescription.drug_names = ", ".join(drugs) or None


async def refresh(session: AsyncSession, prescription: Prescription) -> None:
    """Recompute extractedData, fields needing review and the review status from the
    latest completed run's consensus and every decision. An approval is withdrawn: a
    change after approval needs a new one."""
    run = await repository.latest_completed_run(session, prescription.id)
    base, consensus = await _base_values(session, prescription, run)
    decisions = await repository.latest_decisions(session, prescription.id)
    data = apply_review(base, decisions)
    needing = sum(1 for c in consensus if c.needs_review and c.field_name not in decisions)
    prescription.extracted_data = data
    prescription.fields_needing_review = needing
    prescription.review_status = _review_status(prescription, needing, bool(decisions))
    prescription.approved_at = prescription.approved_by = None
    _search_columns(prescription, data)
    await session.flush()


async def _locked(session: AsyncSession, prescription_id: str) -> Prescription:
    """The row, write-locked for the rest of the transaction and read after the lock, so
    two reviewers deciding at once are serialised and neither works on stale values."""
    if not await rx_repository.lock_prescription(session, prescription_id):
        raise NotFound(f"There is no prescription with id '{prescription_id}'.")
    prescription = await session.get(
        Prescription,
        prescription_id,
        options=[rx_repository.WITHOUT_IMAGE],
        populate_existing=True,
    )
    assert prescription is not None
    return prescription


async def _announce(
    session: AsyncSession,
    prescription: Prescription,
    actor: AuditActor,
    action: str,
    detail: dict[str, Any],
    request: HTTPConnection | None,
) -> None:
    await record(session, actor, action, "prescription", prescription.id, detail, request)
    await publish(
        session,
        EventType.REVIEW_UPDATED,
        prescription.id,
        status=prescription.processing_status,
        reviewStatus=prescription.review_status,
        fieldsNeedingReview=prescription.fields_needing_review,
        **detail,
    )


@dataclass(frozen=True)
class DecisionInput:
    """One field's final value, and how it was reached."""

    field: str
    value: str | None
    source_engine: str | None = None  # when accepting an engine's value
    accept: bool = False  # accepting a value shown (engine or consensus) rather than typing


async def decide(
    session: AsyncSession,
    prescription_id: str,
    inputs: Sequence[DecisionInput],
    actor: AuditActor,
    *,
    comment: str | None = None,
    request: HTTPConnection | None = None,
) -> ReviewOutcome:
    """Record one decision per input and refresh the prescription."""
    prescription = await _locked(session, prescription_id)
    previous = flatten(prescription.extracted_data)
    run = await repository.latest_completed_run(session, prescription_id)
    now = utcnow()
    made = []
    for item in inputs:
        decision = ReviewDecision(
            prescription_id=prescription_id,
            processing_run_id=run.id if run else None,
            field_name=item.field,
            previous_value=previous.get(item.field),
            final_value=item.value,
            action="accept" if item.accept or previous.get(item.field) == item.value else "correct",
            source_engine=item.source_engine,
            actor_type=actor.type,
            actor_id=actor.id,
            actor_name=actor.name,
            comment=comment,
            decided_at=now,
        )
        session.add(decision)
        made.append(decision)
    await session.flush()
    await refresh(session, prescription)
    fields = [d.field_name for d in made]
    await _announce(
        session, prescription, actor, "prescription.review", {"fields": fields}, request
    )
    return ReviewOutcome(prescription, made)


async def update_fields(
    session: AsyncSession,
    prescription_id: str,
    updates: Mapping[str, Any],
    actor: AuditActor,
    *,
    comment: str | None = None,
    request: HTTPConnection | None = None,
) -> ReviewOutcome:
    """The earlier app's `PATCH extracted-data`: each `{field: value}` becomes a decision."""
    flat = expand_updates(updates)
    inputs = [DecisionInput(path, value) for path, value in flat.items()]
    return await decide(session, prescription_id, inputs, actor, comment=comment, request=request)


async def accept_value(
    session: AsyncSession,
    prescription_id: str,
    field_name: str,
    engine: str | None,
    actor: AuditActor,
    *,
    request: HTTPConnection | None = None,
) -> ReviewOutcome:
    """Accept an engine's value (`engine`) or the consensus value (None) for a field."""
    _check_path(field_name)
    await require(session, prescription_id)
    run = await repository.latest_completed_run(session, prescription_id)
    if run is None:
        raise Conflict("This prescription has no completed run whose values could be accepted.")
    value = await _offered_value(session, run, field_name, engine)
    inputs = [DecisionInput(field_name, value, source_engine=engine, accept=True)]
    return await decide(session, prescription_id, inputs, actor, request=request)


async def _offered_value(
    session: AsyncSession, run: ProcessingRun, field_name: str, engine: str | None
) -> str | None:
    if engine is not None:
        found = await repository.engine_value(session, run.id, engine, field_name)
        if found is None:
            raise NotFound(f"Engine '{engine}' read no value for '{field_name}' in the latest run.")
        return found.extracted_value
    rows = await repository.consensus_of(session, run.id)
    match = next((r for r in rows if r.field_name == field_name), None)
    if match is None:
        raise NotFound(f"The latest run has no consensus for '{field_name}'.")
    return match.value


async def decide_on_result(
    session: AsyncSession,
    result_id: str,
    value: Any,
    actor: AuditActor,
    *,
    request: HTTPConnection | None = None,
) -> tuple[ExtractionResult, ReviewOutcome]:
    """The earlier app's `PUT /api/extraction-results/{id}`: saved as a decision on that
    result's field; the engine's row itself stays as the engine read it."""
    result = await session.get(ExtractionResult, result_id)
    if result is None:
        raise NotFound(f"There is no extraction result with id '{result_id}'.")
    path = _check_path(result.field_name)
    final = _value(path, value)
    same = final == result.extracted_value
    item = DecisionInput(
        path, final, source_engine=result.model_name if same else None, accept=same
    )
    outcome = await decide(session, result.prescription_id, [item], actor, request=request)
    return result, outcome


async def approve(
    session: AsyncSession,
    prescription_id: str,
    actor: AuditActor,
    *,
    force: bool = False,
    comment: str | None = None,
    request: HTTPConnection | None = None,
) -> Prescription:
    """Mark the prescription approved. Refused (409) before it completed, and while fields
    still need review unless `force` (the reviewer then vouches for the remaining values)."""
    prescription = await _locked(session, prescription_id)
    if prescription.processing_status != "completed":
        raise Conflict("Only a completed prescription can be approved.")
    if prescription.fields_needing_review and not force:
        raise Conflict(
            f"{prescription.fields_needing_review} field(s) still need review; decide them "
            "first, or approve with force=true."
        )
    prescription.review_status = "approved"
    prescription.approved_at = utcnow()
    prescription.approved_by = actor.name
    await session.flush()
    detail = {"approved": True, "forced": bool(force and prescription.fields_needing_review)}
    if comment:
        detail["comment"] = comment  # type: ignore[assignment]
    await _announce(session, prescription, actor, "prescription.approve", detail, request)
    return prescription


async def history(session: AsyncSession, prescription_id: str) -> list[ReviewDecision]:
    """Every decision on the prescription, newest first."""
    await require(session, prescription_id)
    return await repository.decisions_of(session, prescription_id)


async def next_for_review(
    session: AsyncSession, after_id: str | None = None
) -> tuple[Prescription | None, int]:
    """The next prescription waiting for review (oldest first, after `after_id` in upload
    order, wrapping round to the oldest) and how many wait in all."""
    after = await require(session, after_id) if after_id else None
    found = await repository.first_in_queue(session, after)
    if found is None and after is not None:
        found = await repository.first_in_queue(session, None)
        found = None if found is not None and found.id == after.id else found
    return found, await repository.queue_length(session)
