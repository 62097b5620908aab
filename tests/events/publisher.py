"""Run as a separate process: publishes an upload's lifecycle events through `publish`,
as a worker process would (`python -m tests.events.publisher <database-url> <id>`)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType

STEPS = [
    (EventType.PRESCRIPTION_CREATED, "queued"),
    (EventType.PRESCRIPTION_PROCESSING, "processing"),
    (EventType.PRESCRIPTION_COMPLETED, "completed"),
]


async def main(url: str, prescription_id: str) -> None:
    settings = Settings(env="test", database_url=url, data_dir=Path(tempfile.gettempdir()))
    db = Database(settings)
    try:
        for event_type, status in STEPS:
            async with unit_of_work(db) as session:
                await publish(session, event_type, prescription_id, status=status)
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
