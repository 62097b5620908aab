"""Cancellation, graceful shutdown, crashed workers (lease expiry), idleness, fan-out."""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, func, select, text, update

from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.extraction.registry import EngineRegistry
from scriptsensei.jobs import worker as worker_module
from scriptsensei.jobs.claim import claim_next_run
from scriptsensei.jobs.worker import Worker
from scriptsensei.models import EngineRun, ExtractionResult, Prescription, ProcessingRun
from tests.jobs.factories import (
    create_and_enqueue,
    enqueue,
    page_png,
    wait_for,
    wait_until_settled,
)
from tests.jobs.fake_engines import DEFAULT_VALUES, FakeEngine
from tests.jobs.test_worker import engine_runs, prescription

StartWorker = Callable[..., Any]


def run_status(run_id: str) -> Any:
    return select(EngineRun.status).where(EngineRun.id == run_id)


async def only_run(db: Database, prescription_id: str) -> EngineRun:
    runs = await engine_runs(db, prescription_id)
    assert len(runs) == 1
    return next(iter(runs.values()))


async def cancel(db: Database, processing_run_id: str) -> None:
    """What the prescription service does to cancel: mark the processing run."""
    async with unit_of_work(db) as session:
        await session.execute(
            update(ProcessingRun)
            .where(ProcessingRun.id == processing_run_id)
            .values(status="cancelled")
        )


async def test_cancelled_before_start_is_never_run(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    engine = FakeEngine("llm")
    rx_id, run_id = await create_and_enqueue(db, settings, ["llm"])
    await cancel(db, run_id)
    await start_worker(engine)
    await wait_until_settled(db)
    assert (await only_run(db, rx_id)).status == "cancelled"
    assert engine.calls == []


async def test_cancelled_while_running_stores_nothing(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    gate = asyncio.Event()
    engine = FakeEngine("llm", gate=gate)
    await start_worker(engine)
    rx_id, run_id = await create_and_enqueue(db, settings, ["llm"])
    run = await only_run(db, rx_id)
    await wait_for(db, run_status(run.id), "running")
    await cancel(db, run_id)
    gate.set()
    await wait_for(db, run_status(run.id), "cancelled")
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ExtractionResult)) == 0


async def test_graceful_shutdown_releases_unfinished_runs(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    engine = FakeEngine("llm", gate=asyncio.Event())  # never finishes
    worker: Worker = await start_worker(engine)
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    run = await only_run(db, rx_id)
    await wait_for(db, run_status(run.id), "running")
    await worker.stop(grace=0.2)

    released = await only_run(db, rx_id)
    assert (released.status, released.attempts, released.lease_owner) == ("queued", 0, None)
    assert (await prescription(db, rx_id)).processing_status == "queued"  # not left "processing"
    # another worker picks it up and finishes it
    await start_worker(FakeEngine("llm"))
    await wait_until_settled(db)
    finished = await only_run(db, rx_id)
    assert (finished.status, finished.attempts) == ("succeeded", 1)


async def test_graceful_shutdown_waits_for_runs_that_finish_in_time(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    gate = asyncio.Event()
    worker: Worker = await start_worker(FakeEngine("llm", gate=gate))
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    await wait_for(db, run_status((await only_run(db, rx_id)).id), "running")
    asyncio.get_running_loop().call_later(0.2, gate.set)
    await worker.stop(grace=10)
    assert (await only_run(db, rx_id)).status == "succeeded"
    assert (await prescription(db, rx_id)).processing_status == "completed"


async def test_expired_lease_of_a_crashed_worker_is_taken_over(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    async with unit_of_work(db) as session:  # a worker that claims, then dies
        crashed = await claim_next_run(session, "crashed-worker", lease_seconds=0.5)
    assert crashed is not None
    await start_worker(FakeEngine("llm"))
    await wait_until_settled(db)

    run = await only_run(db, rx_id)
    assert (run.status, run.attempts) == ("succeeded", 2)
    assert run.lease_owner is None
    assert (await prescription(db, rx_id)).processing_status == "completed"
    async with db.sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(ExtractionResult))
    assert rows == len(DEFAULT_VALUES)


async def test_expired_lease_on_the_last_attempt_fails_the_run(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"], max_attempts=1)
    async with unit_of_work(db) as session:
        assert await claim_next_run(session, "crashed-worker", lease_seconds=0.3) is not None
    await start_worker(FakeEngine("llm"))
    await wait_until_settled(db)
    run = await only_run(db, rx_id)
    assert run.status == "failed" and run.error is not None and "lease expired" in run.error
    assert (await prescription(db, rx_id)).processing_status == "failed"


async def test_late_result_of_a_worker_that_lost_its_lease_is_discarded(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    gate = asyncio.Event()
    slow = FakeEngine("llm", gate=gate, values={"patientDetails.patientName": "Late"})
    stalled: Worker = await start_worker(slow)
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    run = await only_run(db, rx_id)
    await wait_for(db, run_status(run.id), "running")
    # the stalled worker's lease is taken over: another attempt by someone else
    async with unit_of_work(db) as session:
        await session.execute(
            update(EngineRun).where(EngineRun.id == run.id).values(lease_owner="other", attempts=2)
        )
    gate.set()
    await asyncio.sleep(0.3)
    assert stalled.in_flight == 0
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ExtractionResult)) == 0
    assert (await only_run(db, rx_id)).status == "running"


async def test_idle_worker_issues_no_queries_and_still_wakes(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    await start_worker(FakeEngine("llm"))
    await asyncio.sleep(0.5)  # the start-up round
    statements.clear()
    await asyncio.sleep(2.0)
    assert statements == []
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    await wait_until_settled(db)
    assert (await prescription(db, rx_id)).processing_status == "completed"


async def test_two_workers_process_many_prescriptions_exactly_once(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    first, second = FakeEngine("ocr", kind="ocr"), FakeEngine("ocr", kind="ocr")
    llm_a, llm_b = FakeEngine("llm"), FakeEngine("llm")
    await start_worker(first, llm_a)
    await start_worker(second, llm_b)
    ids = [(await create_and_enqueue(db, settings, ["ocr", "llm"], seed=i))[0] for i in range(20)]
    await wait_until_settled(db, timeout=60)

    assert len(first.calls) + len(second.calls) == 20
    assert len(llm_a.calls) + len(llm_b.calls) == 20
    async with db.sessions() as session:
        statuses = (await session.execute(select(Prescription.processing_status))).scalars().all()
        rows = await session.scalar(select(func.count()).select_from(ExtractionResult))
    assert sorted(statuses) == ["completed"] * len(ids)
    assert rows == 20 * 2 * len(DEFAULT_VALUES)


async def test_legacy_base64_image_is_processed(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    engine = FakeEngine("llm")
    async with unit_of_work(db) as session:
        legacy = Prescription(file_name="old.png", file_size="100", source="legacy",
                              image_data=base64.b64encode(page_png()).decode())  # fmt: skip
        session.add(legacy)
        await session.flush()
        legacy_id = legacy.id
    await enqueue(db, legacy_id, ["llm"])
    await start_worker(engine)
    await wait_until_settled(db)
    assert (await prescription(db, legacy_id)).processing_status == "completed"
    assert engine.calls[0][0] == 1


async def test_results_of_an_older_run_do_not_overwrite_a_newer_one(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    gate = asyncio.Event()
    old_engine = FakeEngine("old", gate=gate, values={"patientDetails.patientName": "Old Reading"})
    worker: Worker = Worker(db, settings, EngineRegistry([old_engine, FakeEngine("new")]))
    rx_id, _ = await create_and_enqueue(db, settings, ["old"])
    await worker.start()
    try:
        await wait_for(
            db, select(func.count()).select_from(EngineRun).where(EngineRun.status == "running"), 1
        )
        await enqueue(db, rx_id, ["new"])  # a reprocess while the first run is still going
        await wait_for(
            db, select(Prescription.patient_name).where(Prescription.id == rx_id), "Ravi Kumar"
        )
        gate.set()
        await wait_until_settled(db)
    finally:
        await worker.stop()
    assert (await prescription(db, rx_id)).patient_name == "Ravi Kumar"


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"])
async def test_listener_reconnects_after_its_connection_is_killed(
    db: Database, settings: Settings, start_worker: StartWorker
) -> None:
    worker: Worker = await start_worker(FakeEngine("llm"))
    assert worker.listener is not None
    await asyncio.wait_for(worker.listener.connected.wait(), 10)
    async with unit_of_work(db) as session:  # what a PostgreSQL restart does to it
        killed = await session.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %scriptsensei_jobs%'"
            )
        )
    assert killed == 1
    await wait_for_reconnection(worker)
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    await wait_until_settled(db)
    assert (await prescription(db, rx_id)).processing_status == "completed"


async def wait_for_reconnection(worker: Worker) -> None:
    assert worker.listener is not None
    for _ in range(600):
        if worker.listener.connections >= 2 and worker.listener.connected.is_set():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the listener did not reconnect")


@pytest.mark.parametrize("db_backend", ["sqlite"])
async def test_the_drug_lexicon_loads_off_the_event_loop_before_the_first_claim(
    db: Database, settings: Settings, start_worker: StartWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Loading takes seconds; on the loop it would stall heartbeats past a short lease.
    loaded_on: list[threading.Thread] = []
    real = worker_module.get_lexicon

    def recording() -> object:
        loaded_on.append(threading.current_thread())
        return real()

    monkeypatch.setattr(worker_module, "get_lexicon", recording)
    rx_id, _ = await create_and_enqueue(db, settings, ["llm"])
    await start_worker(FakeEngine("llm"))
    await wait_until_settled(db)

    assert (await prescription(db, rx_id)).processing_status == "completed"
    assert len(loaded_on) == 1
    assert loaded_on[0] is not threading.main_thread()
