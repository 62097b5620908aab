"""Where a worker finds a prescription's pages: one query, then none for the run's other
engines; legacy base64 images; clear errors when there is nothing to read."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from sqlalchemy import event

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.extraction.engine import PermanentEngineError
from scriptsensei.jobs.pages import DirectoryBlobs, StoredPages
from scriptsensei.models import Prescription
from tests.jobs.factories import create_prescription, page_png


def _count_queries(db: Database) -> list[str]:
    seen: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    return seen


async def test_the_pages_are_looked_up_once_per_prescription(
    db: Database, settings: Settings
) -> None:
    rx_id = await create_prescription(db, settings, seed=3)
    pages = StoredPages(db, DirectoryBlobs(settings.storage_dir))
    queries = _count_queries(db)
    first = await pages.pages_for(rx_id)
    looked_up = len(queries)
    again = await pages.pages_for(rx_id)
    assert [p.data for p in again] == [p.data for p in first] == [page_png(3)]
    assert (first[0].width, first[0].height, first[0].content_type) == (60, 40, "image/png")
    assert looked_up == 1 and len(queries) == 1  # the second engine of the run asks nothing


async def test_a_legacy_image_is_decoded(db: Database, settings: Settings) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(buffer, "JPEG")
    encoded = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
    async with unit_of_work(db) as session:
        legacy = Prescription(file_name="old.jpg", file_size="1", image_data=encoded)
        session.add(legacy)
        await session.flush()
        rx_id = legacy.id
    pages = await StoredPages(db, DirectoryBlobs(settings.storage_dir)).pages_for(rx_id)
    assert [(p.width, p.height) for p in pages] == [(30, 20)]


async def test_nothing_to_read_is_a_permanent_error(db: Database, settings: Settings) -> None:
    async with unit_of_work(db) as session:
        empty = Prescription(file_name="none.jpg", file_size="0")
        session.add(empty)
        await session.flush()
        empty_id = empty.id
    pages = StoredPages(db, DirectoryBlobs(settings.storage_dir))
    with pytest.raises(PermanentEngineError, match="no stored page images"):
        await pages.pages_for(empty_id)
    with pytest.raises(PermanentEngineError, match="no longer exists"):
        await pages.pages_for("no-such-id")
