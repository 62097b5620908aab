"""The worker end to end on both backends: every run ends completed or failed, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.extraction.engine import PageImage, PermanentEngineError, TransientEngineError
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs.pages import DirectoryBlobs, StoredPages
from scriptsensei.jobs.worker import Worker
from scriptsensei.models import (
    EngineRun,
    EventRecord,
    ExtractionResult,
    FieldConsensus,
    Prescription,
    ProcessingRun,
)
from tests.jobs.factories import create_and_enqueue, wait_until_settled
from tests.jobs.fake_engines import DEFAULT_VALUES, FakeEngine

StartWorker = Callable[..., Any]


async def prescription(db: Database, prescription_id: str) -> Prescription:
    async with db.sessions() as session:
        found = await session.get(Prescription, prescription_id)
        assert found is not None
        return found


async def engine_runs(db: Database, prescription_id: str) -> dict[str, EngineRun]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(EngineRun).where(EngineRun.prescription_id == prescription_id)
        )
        return {run.engine_name: run for run in rows.scalars()}


async def event_types(db: Database, prescription_id: str) -> list[str]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(EventRecord.type)
            .where(EventRecord.prescription_id == prescription_id)
            .order_by(EventRecord.seq)
        )
        return list(rows.scalars())


async def count(db: Database, model: Any, **where: Any) -> int:
    async with db.sessions() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(await session.scalar(query) or 0)


async def test_all_engines_succeed_completes_with_consensus(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    ocr = FakeEngine(
        "ocr", kind="ocr", values={**DEFAULT_VALUES, "medications.0.strength": "500mg"}
    )
    llm = FakeEngine("llm")
    await start_worker(ocr, llm)
    rx_id, _ = await create_and_enqueue(db, settings, ["ocr", "llm"])
    await wait_until_settled(db)

    rx = await prescription(db, rx_id)
    assert rx.processing_status == "completed"
    assert (rx.engines_total, rx.engines_done, rx.engines_failed) == (2, 2, 0)
    assert rx.extracted_data is not None
    assert rx.extracted_data["patientDetails"]["patientName"] == "Ravi Kumar"
    assert rx.patient_name == "Ravi Kumar" and rx.drug_names == "Paracetamol"
    assert rx.review_status == "none" and rx.fields_needing_review == 0
    assert await count(db, ExtractionResult, prescription_id=rx_id) == 2 * len(DEFAULT_VALUES)
    assert await count(db, FieldConsensus, prescription_id=rx_id, status="agreed") == len(
        DEFAULT_VALUES
    )
    types = await event_types(db, rx_id)
    assert types[0] == "prescription_processing" and types[-1] == "prescription_completed"
    assert types.count("engine_progress") == 2
    assert len(ocr.calls) == 1 and ocr.calls[0][0] == 1  # one page read from storage


async def test_one_engine_failing_still_completes_and_shows_the_failure(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    await start_worker(
        FakeEngine("good"), FakeEngine("bad", script=[PermanentEngineError("invalid API key")])
    )
    rx_id, _ = await create_and_enqueue(db, settings, ["good", "bad"])
    await wait_until_settled(db)

    rx = await prescription(db, rx_id)
    assert rx.processing_status == "completed"
    assert (rx.engines_done, rx.engines_failed) == (1, 1)
    runs = await engine_runs(db, rx_id)
    assert runs["bad"].status == "failed" and runs["bad"].error == "invalid API key"
    assert runs["good"].status == "succeeded"
    # a field read by one engine alone needs a look when it is clinical
    assert rx.review_status == "pending" and rx.fields_needing_review == 3


async def test_all_engines_failing_fails_with_every_reason(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    await start_worker(
        FakeEngine("a", script=[PermanentEngineError("image unreadable")]),
        FakeEngine("b", script=[ValueError("parser exploded")]),
    )
    rx_id, run_id = await create_and_enqueue(db, settings, ["a", "b"])
    await wait_until_settled(db)

    rx = await prescription(db, rx_id)
    assert rx.processing_status == "failed"
    assert rx.error == "a: image unreadable; b: ValueError: parser exploded"
    async with db.sessions() as session:
        run = await session.get(ProcessingRun, run_id)
        assert run is not None and run.status == "failed" and run.error == rx.error
    assert (await event_types(db, rx_id))[-1] == "prescription_failed"
    assert await count(db, ExtractionResult, prescription_id=rx_id) == 0


async def test_transient_error_is_retried_with_backoff_then_succeeds(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    flaky = FakeEngine(
        "flaky", script=[TransientEngineError("HTTP 503"), TransientEngineError("timed out")]
    )
    await start_worker(flaky)
    rx_id, _ = await create_and_enqueue(db, settings, ["flaky"])
    await wait_until_settled(db)

    runs = await engine_runs(db, rx_id)
    assert runs["flaky"].status == "succeeded" and runs["flaky"].attempts == 3
    assert len(flaky.calls) == 3
    assert (await prescription(db, rx_id)).processing_status == "completed"
    async with db.sessions() as session:
        retries = (
            await session.execute(
                select(EventRecord.payload)
                .where(EventRecord.type == "engine_progress")
                .order_by(EventRecord.seq)
            )
        ).scalars()
        statuses = [p["engineStatus"] for p in retries]
    assert statuses == ["retrying", "retrying", "succeeded"]


async def test_exhausted_attempts_fail_the_engine(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    down = FakeEngine("down", script=[TransientEngineError("HTTP 429", retry_after=0.01)] * 5)
    await start_worker(down)
    rx_id, _ = await create_and_enqueue(db, settings, ["down"], max_attempts=3)
    await wait_until_settled(db)

    run = (await engine_runs(db, rx_id))["down"]
    assert (run.status, run.attempts, run.error_transient) == ("failed", 3, True)
    assert run.error == "HTTP 429 (gave up after 3 attempts)"
    assert len(down.calls) == 3
    assert (await prescription(db, rx_id)).processing_status == "failed"


async def test_permanent_error_fails_at_once(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    broken = FakeEngine("broken", script=[PermanentEngineError("model not found")])
    await start_worker(broken)
    rx_id, _ = await create_and_enqueue(db, settings, ["broken"])
    await wait_until_settled(db)
    run = (await engine_runs(db, rx_id))["broken"]
    assert (run.status, run.attempts, run.error_transient) == ("failed", 1, False)
    assert len(broken.calls) == 1


async def test_unknown_and_unavailable_engines_fail_with_a_reason(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    await start_worker(FakeEngine("off", available=False))
    rx_id, _ = await create_and_enqueue(db, settings, ["off", "nonexistent"])
    await wait_until_settled(db)
    runs = await engine_runs(db, rx_id)
    assert runs["off"].error == "engine 'off' is unavailable: switched off in test"
    assert runs["nonexistent"].error == "engine 'nonexistent' is not configured (configured: off)"
    assert (await prescription(db, rx_id)).processing_status == "failed"


async def test_missing_page_file_fails_the_run(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"], seed=7)
    for path in settings.storage_dir.rglob("*.png"):
        path.unlink()
    await start_worker(FakeEngine("llm"))
    await wait_until_settled(db)
    run = (await engine_runs(db, rx_id))["llm"]
    assert run.status == "failed" and run.error is not None and "is missing" in run.error


@pytest.mark.parametrize("selected", [["patientDetails"]])
async def test_engine_receives_the_runs_fields_and_prompts(
    db: Database, settings: Settings, start_worker: StartWorker, selected: list[str]
) -> None:
    engine = FakeEngine("llm")
    await start_worker(engine)
    await create_and_enqueue(
        db,
        settings,
        ["llm"],
        fields=selected,
        custom_prompts={"patientDetails.age": "Age in years"},
    )
    await wait_until_settled(db)
    _pages, asked = engine.calls[0]
    assert asked.selected_fields == ("patientDetails",)
    assert dict(asked.custom_prompts) == {"patientDetails.age": "Age in years"}


class FlakyPages:
    """Page loading that fails like an unreachable database the first time."""

    def __init__(self, inner: StoredPages, failure: BaseException) -> None:
        self.inner, self.failure, self.calls = inner, failure, 0

    async def pages_for(self, prescription_id: str) -> list[PageImage]:
        self.calls += 1
        if self.calls == 1:
            raise self.failure
        return await self.inner.pages_for(prescription_id)


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_pages_briefly_unreadable_is_retried_not_blamed_on_the_engine(
    db: Database, settings: Settings, workers: list[Worker]
) -> None:
    pages = FlakyPages(StoredPages(db, DirectoryBlobs(settings.storage_dir)), TimeoutError())
    worker = Worker(db, settings, EngineRegistry([FakeEngine("llm")]), pages=pages)
    workers.append(worker)
    await worker.start()
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    await wait_until_settled(db)
    run = (await engine_runs(db, rx_id))["llm"]
    assert (run.status, run.attempts) == ("succeeded", 2)


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_storage_reporting_a_missing_page_fails_at_once(
    db: Database, settings: Settings, workers: list[Worker]
) -> None:
    pages = FlakyPages(
        StoredPages(db, DirectoryBlobs(settings.storage_dir)), FileNotFoundError("pages/ab.png")
    )
    worker = Worker(db, settings, EngineRegistry([FakeEngine("llm")]), pages=pages)
    workers.append(worker)
    await worker.start()
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    await wait_until_settled(db)
    run = (await engine_runs(db, rx_id))["llm"]
    assert (run.status, run.attempts) == ("failed", 1)
    assert run.error == "a stored page image is missing: pages/ab.png"
