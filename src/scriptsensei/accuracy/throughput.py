"""How many prescriptions finished in a period (the dashboard's "today")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scriptsensei.models import Prescription


async def finished_since(session: AsyncSession, since: datetime) -> dict[str, int]:
    """Prescriptions that reached completed or failed at or after `since`, per status."""
    rows = await session.execute(
        select(Prescription.processing_status, func.count())
        .where(
            Prescription.status_changed_at >= since,
            Prescription.processing_status.in_(("completed", "failed")),
        )
        .group_by(Prescription.processing_status)
    )
    found = {str(status): int(count) for status, count in rows}
    return {"completed": found.get("completed", 0), "failed": found.get("failed", 0)}
