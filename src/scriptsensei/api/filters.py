"""The list filters of `GET /api/prescriptions`, the exports, the history page and
`GET /api/extraction-results`, as dependencies: the prescription's own filters (status,
upload dates, needs review, text) are declared once and mean the same on every list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from fastapi import Depends, Query

from scriptsensei.core.errors import BadRequest
from scriptsensei.prescriptions.listing import PrescriptionFilters
from scriptsensei.results.listing import ResultFilters


def parse_moment(value: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date or date-time (UTC when no zone is given). A bare date as `to` means the
    end of that day, so `from=2025-01-01&to=2025-01-31` covers all of January."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            start = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
            return start + timedelta(days=1) if end_of_day else start
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"{name} must be a date (2025-01-31) or a date-time (2025-01-31T08:00:00Z)."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _statuses(values: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


def prescription_scope(
    status: list[str] = Query(
        [],
        description="Prescription status: queued, processing, completed, failed "
        "(repeat or comma-separate)",
    ),
    from_: str | None = Query(
        None, alias="from", max_length=40, description="Prescription uploaded from"
    ),
    to: str | None = Query(
        None, max_length=40, description="Prescription uploaded before (a date: through it)"
    ),
    needsReview: bool | None = Query(None, description="The prescription has fields to review"),
    q: str | None = Query(
        None, max_length=200, description="In the prescription's file name, patient and drugs"
    ),
) -> PrescriptionFilters:
    return PrescriptionFilters(
        statuses=_statuses(status),
        uploaded_from=parse_moment(from_, "from"),
        uploaded_to=parse_moment(to, "to", end_of_day=True),
        needs_review=needsReview,
        search=q,
    )


def prescription_filters(
    engine: str | None = Query(None, max_length=100, description="Read by this engine"),
    field: str | None = Query(None, max_length=200, description="Has a value for this field"),
    scope: PrescriptionFilters = Depends(prescription_scope),
) -> PrescriptionFilters:
    return replace(scope, engine=engine or None, field=field or None)


def result_filters(
    prescriptionId: str | None = Query(None, max_length=100),
    engine: str | None = Query(None, max_length=100, description="Values read by this engine"),
    field: str | None = Query(None, max_length=200, description="A field's path, or a group"),
    scope: PrescriptionFilters = Depends(prescription_scope),
) -> ResultFilters:
    return ResultFilters(prescriptionId or None, engine or None, field or None, scope)
