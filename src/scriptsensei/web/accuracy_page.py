"""`/accuracy`: per engine and per field, accuracy against reviewers' final values,
agreement rates, mean time and cost per prescription, over a chosen period of uploads;
charts (bars per engine and field group, a daily trend) and the table as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from scriptsensei.accuracy.service import AccuracyReport, Period, accuracy_report
from scriptsensei.api.filters import parse_moment
from scriptsensei.auth.permissions import Permission
from scriptsensei.auth.principal import Principal
from scriptsensei.core.http import get_session
from scriptsensei.web.access import page_access
from scriptsensei.web.routing import page_router
from scriptsensei.web.security import secure
from scriptsensei.web.templating import render

router = page_router()

READ = page_access(Permission.PRESCRIPTIONS_READ)
EXPORT = page_access(Permission.EXPORT)
DEFAULT_DAYS = 30
CSV_COLUMNS = ("engine", "group", "field", "correct", "total", "accuracy")


def _period(start: str | None, end: str | None) -> tuple[Period, str, str]:
    """The chosen period (default: the last 30 days), and its bounds as form values."""
    today = datetime.now(UTC).date()
    start = start or (today - timedelta(days=DEFAULT_DAYS)).isoformat()
    end = end or today.isoformat()
    period = Period(parse_moment(start, "from"), parse_moment(end, "to", end_of_day=True))
    return period, start, end


def chart_data(report: AccuracyReport) -> dict[str, Any]:
    """What the page's script draws: bars per engine per group, a daily trend per engine."""
    days = sorted({day for per_day in report.trend.values() for day in per_day})
    return {
        "groups": report.groups,
        "bars": {
            engine: [report.by_group[(engine, g)].rate for g in report.groups]
            for engine in report.engines
        },
        "days": [d.isoformat() for d in days],
        "trend": {
            engine: [
                report.trend[engine][d].rate if d in report.trend[engine] else None for d in days
            ]
            for engine in report.engines
        },
    }


@router.get("/accuracy")
async def accuracy_page(
    request: Request,
    from_: str | None = Query(None, alias="from", max_length=40),
    to: str | None = Query(None, max_length=40),
    principal: Principal = Depends(READ),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    period, start, end = _period(from_, to)
    report = await accuracy_report(session, period)
    context = {
        "title": "Accuracy",
        "report": report,
        "start": start,
        "end": end,
        "chart": chart_data(report),
        "can_export": principal.can(Permission.EXPORT),
    }
    return render(request, "accuracy.html", principal, context)


@router.get("/accuracy/export.csv")
async def accuracy_csv(
    from_: str | None = Query(None, alias="from", max_length=40),
    to: str | None = Query(None, max_length=40),
    _: Principal = Depends(EXPORT),
    session: AsyncSession = Depends(get_session, scope="function"),
) -> Response:
    period, start, end = _period(from_, to)
    report = await accuracy_report(session, period)
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(report.rows())
    disposition = f'attachment; filename="scriptsensei-accuracy-{start}-{end}.csv"'
    response = Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = disposition
    return secure(response)
