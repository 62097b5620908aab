"""`/prescriptions/{id}`: the review page. The image (every page) beside each field's
engine values, consensus and agreement; accepting, correcting and approving go through
the review API from the page's script. `/review/next` opens the next prescription of the
review queue."""

from __future__ import annotations

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.audit.service import record
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_session
from scriptsensei.review.service import next_for_review, review_view
from scriptsensei.web.access import page_access
from scriptsensei.web.review_view import (
    bbox_attr,
    engines_of,
    field_groups,
    medication_count,
    page_numbers,
)
from scriptsensei.web.routing import page_router
from scriptsensei.web.security import secure
from scriptsensei.web.templating import render

router = page_router()

READ = page_access(Permission.PRESCRIPTIONS_READ)


@router.get("/prescriptions/{prescription_id}")
async def review_page(
    prescription_id: str,
    request: Request,
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    view = await review_view(session, prescription_id)
    await record(
        session, principal, "prescription.read", "prescription", prescription_id,
        {"view": "review-page"}, request,
    )  # fmt: skip
    groups = field_groups(view)
    context = {
        "title": view.prescription.file_name,
        "rx": view.prescription,
        "view": view,
        "groups": groups,
        "engines": engines_of(view),
        "pages": page_numbers(view),
        "medications": medication_count(groups),
        "needing": sum(1 for g in groups for r in g.rows if r.needs_review),
        "bbox_attr": bbox_attr,
        "can_review": principal.can(Permission.PRESCRIPTIONS_REVIEW),
        "can_process": principal.can(Permission.PRESCRIPTIONS_PROCESS),
    }
    return render(request, "review.html", principal, context)


@router.get("/review/next")
async def next_in_review_queue(
    request: Request,
    after: str | None = Query(None, max_length=100),
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    found, remaining = await next_for_review(session, after)
    if found is None:
        context = {"title": "Review queue is empty", "remaining": remaining}
        return render(request, "review_empty.html", principal, context)
    return secure(RedirectResponse(f"/prescriptions/{found.id}", status_code=303))
