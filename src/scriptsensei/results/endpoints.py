"""`GET /api/extraction-results` (keyset pages, filtered like the prescription list, each
request audited) and the earlier app's `PUT /api/extraction-results/{id}`, which here really
saves: as a reviewer decision on the result's field. The engine's row keeps what the engine
read."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.api.filters import result_filters
from scriptsensei.api.responses import error_responses, set_next_page
from scriptsensei.audit.service import record_list_read
from scriptsensei.auth.dependencies import require
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_session
from scriptsensei.prescriptions.schemas import ExtractionResultOut
from scriptsensei.results.listing import ResultFilters, list_results
from scriptsensei.review.schemas import DecisionOut, ResultDecision, ResultUpdate
from scriptsensei.review.service import decide_on_result

router = APIRouter(tags=["extraction results"])


@router.get(
    "/api/extraction-results",
    response_model=list[ExtractionResultOut],
    summary="Engines' values, newest first; next page's cursor in Link and X-Next-Cursor",
    responses=error_responses(400, 422),
)
async def list_all(
    request: Request,
    response: Response,
    cursor: str | None = Query(None, max_length=300),
    limit: int | None = Query(None, description="Default 50, at most 200"),
    principal: Principal = Depends(require(Permission.PRESCRIPTIONS_READ)),
    filters: ResultFilters = Depends(result_filters),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> list[ExtractionResultOut]:
    page = await list_results(session, filters, cursor, limit)
    rows = len(page.items)
    await record_list_read(
        session, principal, "extraction-results", filters, rows, request, cursor=cursor
    )
    set_next_page(request, response, page.next_cursor)
    return [ExtractionResultOut.of(row) for row in page.items]


@router.put(
    "/api/extraction-results/{result_id}",
    response_model=ResultDecision,
    summary="Save a reviewer's value for this result's field (the engine's value is kept)",
    responses=error_responses(400, 404, 422),
)
async def update(
    result_id: str,
    body: ResultUpdate,
    request: Request,
    principal: Principal = Depends(require(Permission.PRESCRIPTIONS_REVIEW)),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> ResultDecision:
    result, outcome = await decide_on_result(
        session, result_id, body.extractedValue, principal, request=request
    )
    [decision] = outcome.decisions
    base = ExtractionResultOut.of(result).model_dump()
    return ResultDecision(
        **base, finalValue=decision.final_value, decision=DecisionOut.of(decision)
    )
