"""Keyset pagination, newest first, with filters; big columns are never loaded in lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import InvalidRequestError

from scriptsensei.core.db import Database
from scriptsensei.core.errors import BadRequest
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import EngineRun, ExtractionResult, Prescription, ProcessingRun
from scriptsensei.prescriptions.listing import (
    MAX_LIMIT,
    PrescriptionFilters,
    check_limit,
    list_prescriptions,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def _add(
    db: Database, count: int, *, at: datetime | None = None, **values: object
) -> list[str]:
    ids = []
    async with unit_of_work(db) as session:
        for index in range(count):
            row = Prescription(
                file_name=values.get("file_name", f"rx-{index}.png"),
                file_size="10",
                uploaded_at=at or T0 + timedelta(minutes=index),
                processing_status=values.get("status", "queued"),
                patient_name=values.get("patient_name"),
                drug_names=values.get("drug_names"),
                fields_needing_review=values.get("needing", 0),
                image_data="QUJD",
                extracted_data={"patientDetails": {"patientName": "x"}},
            )
            session.add(row)
            await session.flush()
            ids.append(row.id)
    return ids


async def _all_pages(
    db: Database, limit: int, filters: PrescriptionFilters | None = None
) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        async with db.sessions() as session:
            page = await list_prescriptions(session, filters, cursor, limit)
        pages.append([p.id for p in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


async def test_pages_continue_where_the_last_ended(db: Database) -> None:
    ids = await _add(db, 7)
    pages = await _all_pages(db, 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == list(reversed(ids))  # newest first


async def test_equal_timestamps_are_ordered_by_id_without_gaps(db: Database) -> None:
    ids = await _add(db, 5, at=T0)
    later = await _add(db, 1, at=T0 + timedelta(seconds=1))
    pages = await _all_pages(db, 2)
    flat = [i for page in pages for i in page]
    assert flat == later + sorted(ids, reverse=True)


async def test_exact_page_size_has_no_empty_next_page(db: Database) -> None:
    await _add(db, 4)
    assert [len(p) for p in await _all_pages(db, 2)] == [2, 2]


async def test_lists_never_load_images_and_data_only_when_asked(db: Database) -> None:
    await _add(db, 1)
    async with db.sessions() as session:
        page = await list_prescriptions(session)
        with pytest.raises(InvalidRequestError):
            _ = page.items[0].image_data
        with pytest.raises(InvalidRequestError):
            _ = page.items[0].extracted_data
        with_data = await list_prescriptions(session, with_data=True)
        assert with_data.items[0].extracted_data == {"patientDetails": {"patientName": "x"}}


async def test_status_date_and_review_filters(db: Database) -> None:
    done = await _add(db, 2, status="completed", needing=3)
    await _add(db, 2, status="failed", at=T0 + timedelta(days=2))
    async with db.sessions() as session:
        completed = await list_prescriptions(session, PrescriptionFilters(statuses=["completed"]))
        two_kinds = await list_prescriptions(
            session, PrescriptionFilters(statuses=["completed", "failed"])
        )
        ranged = await list_prescriptions(
            session,
            PrescriptionFilters(
                uploaded_from=T0 + timedelta(days=1), uploaded_to=T0 + timedelta(days=3)
            ),
        )
        review = await list_prescriptions(session, PrescriptionFilters(needs_review=True))
        no_review = await list_prescriptions(session, PrescriptionFilters(needs_review=False))
    assert sorted(p.id for p in completed.items) == sorted(done)
    assert len(two_kinds.items) == 4
    assert {p.processing_status for p in ranged.items} == {"failed"}
    assert sorted(p.id for p in review.items) == sorted(done)
    assert len(no_review.items) == 2


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ASHA", "patient"),
        ("augmentin", "drug"),
        ("ward-7", "file"),
        ("50%", "percent"),
        ("zzz", None),
    ],
)
async def test_text_search_in_name_patient_and_drugs(
    db: Database, search: str, expected: str | None
) -> None:
    found = {
        "patient": (await _add(db, 1, patient_name="Asha Rao"))[0],
        "drug": (await _add(db, 1, drug_names="Augmentin 625; Pan 40"))[0],
        "file": (await _add(db, 1, file_name="Ward-7 scan.pdf"))[0],
        "percent": (await _add(db, 1, file_name="dextrose 50% order.png"))[0],
    }
    await _add(db, 1, file_name="dextrose 50 order.png")  # `%` is literal, not a wildcard
    async with db.sessions() as session:
        page = await list_prescriptions(session, PrescriptionFilters(search=search))
    assert [p.id for p in page.items] == ([found[expected]] if expected else [])


async def test_engine_and_field_filters(db: Database) -> None:
    ours, legacy, other = await _add(db, 3)
    async with unit_of_work(db) as session:
        run = ProcessingRun(
            prescription_id=ours,
            selected_engines=["openai"],
            selected_fields=[],
            agreement_threshold=0.6,
            confidence_threshold=0.6,
        )
        session.add(run)
        await session.flush()
        session.add(EngineRun(processing_run_id=run.id, prescription_id=ours, engine_name="openai"))
        session.add(
            ExtractionResult(
                prescription_id=legacy, model_name="openai", field_name="medications.0.drugName"
            )
        )
        session.add(
            ExtractionResult(prescription_id=other, model_name="claude", field_name="vitals.pulse")
        )
    async with db.sessions() as session:
        by_engine = await list_prescriptions(session, PrescriptionFilters(engine="openai"))
        by_group = await list_prescriptions(session, PrescriptionFilters(field="medications"))
        by_path = await list_prescriptions(session, PrescriptionFilters(field="vitals.pulse"))
        none = await list_prescriptions(session, PrescriptionFilters(field="vitals.pul"))
    assert sorted(p.id for p in by_engine.items) == sorted([ours, legacy])
    assert [p.id for p in by_group.items] == [legacy]
    assert [p.id for p in by_path.items] == [other]
    assert none.items == []


async def test_filters_apply_across_pages(db: Database) -> None:
    wanted = await _add(db, 5, status="completed")
    await _add(db, 5, status="failed")
    pages = await _all_pages(db, 2, PrescriptionFilters(statuses=["completed"]))
    assert sorted(i for page in pages for i in page) == sorted(wanted)


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WyJ4Il0", "%%%"])
async def test_invalid_cursor_is_refused(db: Database, cursor: str) -> None:
    with pytest.raises(BadRequest, match="cursor is not valid"):
        async with db.sessions() as session:
            await list_prescriptions(session, cursor=cursor)


async def test_empty_cursor_is_the_first_page(db: Database) -> None:
    await _add(db, 2)
    async with db.sessions() as session:
        assert len((await list_prescriptions(session, cursor="")).items) == 2


async def test_unknown_status_is_refused(db: Database) -> None:
    with pytest.raises(BadRequest, match="Unknown status"):
        async with db.sessions() as session:
            await list_prescriptions(session, PrescriptionFilters(statuses=["done"]))


def test_limit_defaults_and_bounds() -> None:
    assert check_limit(None) == 50
    assert check_limit(500) == MAX_LIMIT
    with pytest.raises(BadRequest):
        check_limit(0)
