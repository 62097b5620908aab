"""Operations on a prescription and their state rules: process, retry, reprocess, cancel,
delete (files only when unreferenced), and get with its results."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from scriptsensei.core.db import Database
from scriptsensei.core.errors import BadRequest, Conflict, NotFound
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.documents.storage import LocalFileStorage
from scriptsensei.models import (
    Document,
    EngineRun,
    EventRecord,
    ExtractionConfig,
    ExtractionResult,
    Prescription,
    ProcessingRun,
)
from scriptsensei.prescriptions import service
from scriptsensei.prescriptions.context import ServiceContext
from scriptsensei.prescriptions.intake import IntakeContext
from scriptsensei.prescriptions.service import ProcessOptions
from tests.documents import samples
from tests.prescriptions.conftest import finish_latest_run, stored_keys, upload_one


async def _events(db: Database, prescription_id: str) -> list[tuple[str, dict[str, object]]]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(EventRecord)
            .where(EventRecord.prescription_id == prescription_id)
            .order_by(EventRecord.seq)
        )
        return [(r.type, r.payload) for r in rows]


async def _engine_statuses(db: Database, run_id: str) -> dict[str, str]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(EngineRun.engine_name, EngineRun.status).where(
                EngineRun.processing_run_id == run_id
            )
        )
        return {name: status for name, status in rows}


async def _prescription(db: Database, prescription_id: str) -> Prescription:
    async with db.sessions() as session:
        rx = await session.get(Prescription, prescription_id)
        assert rx is not None
        return rx


async def test_get_returns_results_runs_and_engines(
    intake_ctx: IntakeContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    async with unit_of_work(db) as session:
        detail = await service.get_prescription(session, rx_id)
    assert detail.prescription.id == rx_id
    assert detail.results == []
    assert [r.status for r in detail.runs] == ["queued"]
    assert sorted(r.engine_name for r in detail.engine_runs) == ["rapidocr", "tesseract"]


async def test_get_unknown_prescription_is_not_found(db: Database) -> None:
    async with unit_of_work(db) as session:
        with pytest.raises(NotFound, match="no prescription"):
            await service.get_prescription(session, "missing")


async def test_process_is_refused_while_a_run_is_active(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    for operation in (service.process, service.reprocess):
        with pytest.raises(Conflict) as caught:
            async with unit_of_work(db) as session:
                await operation(session, service_ctx, rx_id)
        assert caught.value.status_code == 409


async def test_process_with_chosen_engines_fields_and_prompts(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "succeeded", "rapidocr": "succeeded"})
    options = ProcessOptions(
        selected_models=["openai", "tesseract", "openai"],
        custom_prompts={"medications.drugName": "Brand names as printed."},
        fields=["medications", "patientDetails.patientName"],
        requested_by="user-7",
    )
    async with unit_of_work(db) as session:
        run = await service.process(session, service_ctx, rx_id, options)
    assert run.selected_engines == ["openai", "tesseract"]
    assert run.selected_fields == ["medications", "patientDetails.patientName"]
    assert run.custom_prompts == {"medications.drugName": "Brand names as printed."}
    assert (run.reason, run.requested_by) == ("process", "user-7")
    assert await _engine_statuses(db, run.id) == {"openai": "queued", "tesseract": "queued"}
    rx = await _prescription(db, rx_id)
    assert (rx.processing_status, rx.engines_total, rx.engines_done) == ("queued", 2, 0)
    assert (await _events(db, rx_id))[-1][0] == "prescription_updated"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ProcessOptions(selected_models=["gpt-9"]), "Unknown engine 'gpt-9'"),
        (ProcessOptions(fields=["patientDetails.shoeSize"]), "Unknown field"),
        (ProcessOptions(custom_prompts={"nowhere": "x"}), "not a field"),
        (ProcessOptions(custom_prompts={"vitals": "x" * 5000}), "the limit is 2000"),
        (ProcessOptions(custom_prompts={"vitals": 5}), "must be text"),  # type: ignore[dict-item]
    ],
)
async def test_invalid_process_requests_are_refused(
    intake_ctx: IntakeContext,
    service_ctx: ServiceContext,
    db: Database,
    options: ProcessOptions,
    message: str,
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "failed", "rapidocr": "failed"})
    with pytest.raises(BadRequest, match=message):
        async with unit_of_work(db) as session:
            await service.process(session, service_ctx, rx_id, options)
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessingRun)) == 1


async def test_process_with_an_unknown_config_is_not_found(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "failed", "rapidocr": "failed"})
    with pytest.raises(NotFound, match="no extraction config"):
        async with unit_of_work(db) as session:
            await service.process(session, service_ctx, rx_id, ProcessOptions(config_id="nope"))


async def test_config_thresholds_and_defaults_are_used(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "failed", "rapidocr": "failed"})
    async with unit_of_work(db) as session:
        config = ExtractionConfig(
            name="strict",
            selected_models=["rapidocr", "retired-engine"],
            selected_fields=["vitals", "not-a-field"],
            custom_prompts={"vitals.pulse": "beats per minute"},
            agreement_threshold=0.9,
        )
        session.add(config)
    async with unit_of_work(db) as session:
        options = ProcessOptions(config_id=config.id)
        run = await service.process(session, service_ctx, rx_id, options)
    # Unknown names in a stored config are dropped rather than blocking work.
    assert (run.selected_engines, run.selected_fields) == (["rapidocr"], ["vitals"])
    assert run.custom_prompts == {"vitals.pulse": "beats per minute"}
    assert (run.agreement_threshold, run.confidence_threshold) == (0.9, 0.6)
    assert run.config_id == config.id


async def test_cancel_marks_the_run_and_its_engine_runs(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    async with unit_of_work(db) as session:
        run = await service.cancel(session, rx_id, requested_by="user-2")
    assert run.status == "cancelled"
    assert await _engine_statuses(db, run.id) == {
        "tesseract": "cancelled",
        "rapidocr": "cancelled",
    }
    rx = await _prescription(db, rx_id)
    assert (rx.processing_status, rx.error) == ("failed", "Processing was cancelled.")
    event_type, payload = (await _events(db, rx_id))[-1]
    assert event_type == "prescription_failed"
    assert payload["cancelled"] is True
    with pytest.raises(Conflict, match="nothing to cancel"):
        async with unit_of_work(db) as session:
            await service.cancel(session, rx_id)
    # A cancelled prescription can be processed again.
    async with unit_of_work(db) as session:
        again = await service.process(session, service_ctx, rx_id)
    assert again.status == "queued"


async def test_cancel_leaves_finished_engine_runs_alone(
    intake_ctx: IntakeContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    async with unit_of_work(db) as session:
        await session.execute(
            EngineRun.__table__.update()
            .where(EngineRun.engine_name == "tesseract")
            .values(status="succeeded")
        )
        await session.execute(
            EngineRun.__table__.update()
            .where(EngineRun.engine_name == "rapidocr")
            .values(status="running")
        )
    async with unit_of_work(db) as session:
        run = await service.cancel(session, rx_id)
    assert await _engine_statuses(db, run.id) == {
        "tesseract": "succeeded",
        "rapidocr": "cancelled",
    }


async def test_cancel_after_an_earlier_completed_run_returns_to_completed(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "succeeded", "rapidocr": "succeeded"})
    async with unit_of_work(db) as session:
        await service.reprocess(session, service_ctx, rx_id)
    async with unit_of_work(db) as session:
        await service.cancel(session, rx_id)
    rx = await _prescription(db, rx_id)
    assert (rx.processing_status, rx.error) == ("completed", None)


async def test_retry_reruns_only_the_failed_engine_of_a_completed_prescription(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "succeeded", "rapidocr": "failed"})
    async with unit_of_work(db) as session:
        run = await service.retry(session, service_ctx, rx_id, requested_by="op")
    assert (run.reason, run.selected_engines) == ("retry", ["rapidocr"])
    assert await _engine_statuses(db, run.id) == {"rapidocr": "queued"}
    rx = await _prescription(db, rx_id)
    assert (rx.processing_status, rx.engines_total) == ("queued", 1)


async def test_retry_of_a_failed_prescription_reruns_every_failed_engine(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "failed", "rapidocr": "failed"})
    async with unit_of_work(db) as session:
        run = await service.retry(session, service_ctx, rx_id)
    assert sorted(run.selected_engines) == ["rapidocr", "tesseract"]


@pytest.mark.parametrize("state", ["queued", "completed-clean"])
async def test_retry_is_refused_when_nothing_failed(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database, state: str
) -> None:
    rx_id = await upload_one(intake_ctx)
    if state == "completed-clean":
        await finish_latest_run(db, rx_id, {"tesseract": "succeeded", "rapidocr": "succeeded"})
    with pytest.raises(Conflict):
        async with unit_of_work(db) as session:
            await service.retry(session, service_ctx, rx_id)


async def test_retry_of_an_engine_no_longer_available_is_refused(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "succeeded", "rapidocr": "failed"})
    narrow = dataclasses.replace(service_ctx, known_engines=frozenset({"tesseract"}))
    with pytest.raises(BadRequest, match="no longer available"):
        async with unit_of_work(db) as session:
            await service.retry(session, narrow, rx_id)


async def test_reprocess_keeps_earlier_runs_and_values(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "succeeded", "rapidocr": "succeeded"})
    async with unit_of_work(db) as session:
        first = await service.get_prescription(session, rx_id)
        session.add(
            ExtractionResult(
                prescription_id=rx_id,
                model_name="tesseract",
                field_name="patientDetails.patientName",
                extracted_value="Asha Rao",
                engine_run_id=first.engine_runs[0].id,
            )
        )
    async with unit_of_work(db) as session:
        run = await service.reprocess(session, service_ctx, rx_id)
    assert run.reason == "reprocess"
    async with unit_of_work(db) as session:
        detail = await service.get_prescription(session, rx_id)
    assert [r.status for r in detail.runs] == ["completed", "queued"]
    assert [r.extracted_value for r in detail.results] == ["Asha Rao"]
    assert {r.processing_run_id for r in detail.engine_runs} == {run.id}


async def test_delete_removes_files_only_when_no_one_uses_them(
    intake_ctx: IntakeContext,
    service_ctx: ServiceContext,
    db: Database,
    storage: LocalFileStorage,
) -> None:
    data = samples.pdf(2)
    first = await upload_one(intake_ctx, "a.pdf", data)
    second = await upload_one(intake_ctx, "b.pdf", data)  # shares the stored document
    other = await upload_one(intake_ctx, "c.png", samples.png())
    keys = await stored_keys(storage)
    assert len(keys) == 5  # pdf original + 2 pages, png original + 1 page
    async with unit_of_work(db) as session:
        await service.delete(session, service_ctx, first)
    assert await stored_keys(storage) == keys
    async with unit_of_work(db) as session:
        await service.delete(session, service_ctx, second)
    remaining = await stored_keys(storage)
    assert len(remaining) == 2
    assert all(key in keys for key in remaining)
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Document)) == 1
        assert await session.scalar(select(func.count()).select_from(ProcessingRun)) == 1
        assert await session.get(Prescription, other) is not None
    assert (await _events(db, second))[-1][0] == "prescription_deleted"


async def test_delete_cascades_and_rollback_keeps_files(
    intake_ctx: IntakeContext,
    service_ctx: ServiceContext,
    db: Database,
    storage: LocalFileStorage,
) -> None:
    rx_id = await upload_one(intake_ctx)
    keys = await stored_keys(storage)
    with pytest.raises(RuntimeError):
        async with unit_of_work(db) as session:
            await service.delete(session, service_ctx, rx_id)
            raise RuntimeError("the request failed after the delete")
    assert await stored_keys(storage) == keys  # files go only after a commit
    async with unit_of_work(db) as session:
        await service.delete(session, service_ctx, rx_id)
    assert await stored_keys(storage) == []
    async with db.sessions() as session:
        for model in (Prescription, Document, ProcessingRun, EngineRun):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


async def test_delete_unknown_prescription_is_not_found(
    service_ctx: ServiceContext, db: Database
) -> None:
    with pytest.raises(NotFound):
        async with unit_of_work(db) as session:
            await service.delete(session, service_ctx, "missing")


async def test_settings_without_any_known_engine_refuse_clearly(
    intake_ctx: IntakeContext, service_ctx: ServiceContext, db: Database, settings: Settings
) -> None:
    rx_id = await upload_one(intake_ctx)
    await finish_latest_run(db, rx_id, {"tesseract": "failed", "rapidocr": "failed"})
    bare = dataclasses.replace(service_ctx, known_engines=frozenset())
    with pytest.raises(Exception, match="No extraction engine"):
        async with unit_of_work(db) as session:
            await service.process(session, bare, rx_id)
