"""Uploads become exactly one prescription with a queued run and stored files, or a clear
per-file error that leaves no row and no file behind."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import tempfile
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from starlette.datastructures import UploadFile

from scriptsensei.core.db import Database
from scriptsensei.core.errors import BadRequest, PayloadTooLarge
from scriptsensei.core.settings import Settings
from scriptsensei.documents.storage import LocalFileStorage, original_key, page_key
from scriptsensei.models import EngineRun, EventRecord, Prescription, ProcessingRun
from scriptsensei.prescriptions.intake import (
    IncomingFile,
    IntakeContext,
    IntakeOptions,
    intake_files,
)
from tests.documents import samples
from tests.prescriptions.conftest import (
    NO_ROWS,
    incoming,
    row_counts,
    stored_keys,
    temp_files,
)

ACCEPTED = [
    ("scan.jpg", samples.jpeg(), "image/jpeg", 1),
    ("scan.png", samples.png(), "image/png", 1),
    ("photo.webp", samples.webp(), "image/webp", 1),
    ("fax.tiff", samples.tiff(3), "image/tiff", 3),
    ("phone.heic", samples.heic(), "image/heic", 1),
    ("letter.pdf", samples.pdf(2), "application/pdf", 2),
]


@pytest.mark.parametrize(("name", "data", "content_type", "pages"), ACCEPTED)
async def test_accepted_upload_creates_one_prescription_run_and_files(
    intake_ctx: IntakeContext,
    db: Database,
    storage: LocalFileStorage,
    settings: Settings,
    name: str,
    data: bytes,
    content_type: str,
    pages: int,
) -> None:
    [outcome] = await intake_files(
        intake_ctx, [incoming(name, data)], IntakeOptions(source="api", uploaded_by="user-1")
    )
    assert outcome.status == "created", outcome.as_dict()
    assert outcome.as_dict() == {
        "id": outcome.prescription_id,
        "fileName": name,
        "status": "created",
        "duplicateOf": [],
    }
    assert await row_counts(db) == {
        "prescriptions": 1,
        "documents": 1,
        "document_pages": pages,
        "processing_runs": 1,
        "engine_runs": 2,
    }
    async with db.sessions() as session:
        rx = (await session.scalars(select(Prescription))).one()
        run = (await session.scalars(select(ProcessingRun))).one()
        engines = sorted((await session.scalars(select(EngineRun.engine_name))).all())
        events = (await session.scalars(select(EventRecord))).all()
    assert (rx.file_name, rx.file_size, rx.content_type) == (name, str(len(data)), content_type)
    assert (rx.page_count, rx.processing_status, rx.engines_total) == (pages, "queued", 2)
    assert (rx.source, rx.uploaded_by, rx.image_data) == ("api", "user-1", None)
    assert (run.status, run.reason, run.prescription_id) == ("queued", "upload", rx.id)
    assert engines == ["rapidocr", "tesseract"]  # the default config's engines
    assert [(e.type, e.prescription_id) for e in events] == [("prescription_created", rx.id)]
    sha = hashlib.sha256(data).hexdigest()
    assert sorted(await stored_keys(storage)) == sorted(
        [original_key(sha), *(page_key(sha, i) for i in range(pages))]
    )
    assert await storage.read(original_key(sha)) == data
    assert temp_files(settings) == []


REJECTED = [
    ("lying-extension.png", samples.HTML, "unsupported_type", 415),
    ("drawing.svg", samples.SVG, "unsupported_type", 415),
    ("page.jpg", samples.POLYGLOT_JPEG_HTML, "corrupt_file", 422),
    ("archive.pdf", samples.ZIP, "unsupported_type", 415),
    ("notes.txt", samples.TEXT, "unsupported_type", 415),
    ("anim.gif", samples.GIF, "unsupported_type", 415),
    ("half.png", samples.truncated(samples.noisy_png()), "corrupt_file", 422),
    ("half.pdf", samples.truncated(samples.pdf(2)), "corrupt_file", 422),
    ("bomb.png", samples.png_bomb(), "too_many_pixels", 422),
    ("thick.pdf", samples.pdf(3000), "too_many_pages", 422),
    ("huge-page.pdf", samples.pdf(1, (14_400, 14_400)), "too_many_pixels", 422),
    ("empty.png", b"", "empty_file", 400),
]


@pytest.mark.parametrize(
    ("name", "data", "error", "status"), REJECTED, ids=[r[0] for r in REJECTED]
)
async def test_rejected_upload_leaves_no_row_and_no_file(
    intake_ctx: IntakeContext,
    db: Database,
    storage: LocalFileStorage,
    settings: Settings,
    name: str,
    data: bytes,
    error: str,
    status: int,
) -> None:
    [outcome] = await intake_files(intake_ctx, [incoming(name, data)])
    assert outcome.status == "rejected"
    assert outcome.error is not None
    assert (outcome.error.error, outcome.error.status_code) == (error, status)
    body = outcome.as_dict()
    assert body["fileName"] == name
    assert body["error"] == error
    assert len(body["detail"]) > 20  # a sentence, not a code
    assert await row_counts(db) == NO_ROWS
    assert await stored_keys(storage) == []
    assert temp_files(settings) == []


async def test_too_large_upload_is_cut_without_reading_everything(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage, settings: Settings
) -> None:
    ctx = dataclasses.replace(
        intake_ctx, settings=settings.model_copy(update={"max_file_bytes": 1024 * 1024})
    )
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        yield samples.png()
        while True:
            pulled += 65536
            yield b"\x00" * 65536

    [outcome] = await intake_files(ctx, [IncomingFile("big.png", endless())])
    assert outcome.error is not None and outcome.error.error == "file_too_large"
    assert "1 MB" in outcome.error.detail
    assert pulled <= 1024 * 1024 + 65536
    assert await row_counts(db) == NO_ROWS
    assert await stored_keys(storage) == []
    assert temp_files(settings) == []


async def test_other_files_of_the_request_still_succeed(
    intake_ctx: IntakeContext, db: Database
) -> None:
    outcomes = await intake_files(
        intake_ctx,
        [
            incoming("good-1.png", samples.png(color="white")),
            incoming("bad.svg", samples.SVG),
            incoming("good-2.jpg", samples.jpeg(color="gray")),
        ],
    )
    assert [o.status for o in outcomes] == ["created", "rejected", "created"]
    assert (await row_counts(db))["prescriptions"] == 2


async def test_names_that_are_paths_are_refused_before_reading(
    intake_ctx: IntakeContext, db: Database, settings: Settings
) -> None:
    hostile = "../../etc/\x00pass\u202ewd.png"
    [outcome] = await intake_files(intake_ctx, [incoming(hostile, samples.png())])
    assert outcome.status == "rejected"
    assert outcome.error is not None and outcome.error.error == "bad_file_name"
    assert "/" not in outcome.file_name and "\x00" not in outcome.file_name
    assert (await row_counts(db))["prescriptions"] == 0
    assert temp_files(settings) == []


async def test_a_blank_name_gets_a_name_from_the_detected_type(intake_ctx: IntakeContext) -> None:
    [outcome] = await intake_files(intake_ctx, [incoming("   ", samples.pdf(1))])
    assert outcome.file_name == "upload.pdf"


async def test_too_many_files_are_refused_before_reading_any(
    intake_ctx: IntakeContext, settings: Settings, db: Database
) -> None:
    limit = settings.max_files_per_request
    files = [incoming(f"{i}.png", samples.png()) for i in range(limit + 1)]
    with pytest.raises(PayloadTooLarge) as caught:
        await intake_files(intake_ctx, files)
    assert caught.value.body()["error"] == "too_many_files"
    assert await row_counts(db) == NO_ROWS


async def test_unknown_engine_is_refused_before_reading(
    intake_ctx: IntakeContext, db: Database
) -> None:
    with pytest.raises(BadRequest, match="Unknown engine 'nope'"):
        await intake_files(
            intake_ctx, [incoming("a.png", samples.png())], IntakeOptions(selected_models=["nope"])
        )
    assert await row_counts(db) == NO_ROWS


async def test_chosen_engines_are_queued(intake_ctx: IntakeContext, db: Database) -> None:
    options = IntakeOptions(selected_models=["openai"], fields=["medications"])
    await intake_files(intake_ctx, [incoming("a.png", samples.png())], options)
    async with db.sessions() as session:
        run = (await session.scalars(select(ProcessingRun))).one()
        rx = (await session.scalars(select(Prescription))).one()
    assert (run.selected_engines, run.selected_fields) == (["openai"], ["medications"])
    assert rx.engines_total == 1


async def test_duplicate_with_policy_new_shares_the_stored_file(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage
) -> None:
    data = samples.pdf(2)
    [first] = await intake_files(intake_ctx, [incoming("a.pdf", data)])
    keys_before = await stored_keys(storage)
    [second] = await intake_files(intake_ctx, [incoming("b.pdf", data)])
    assert second.status == "created"
    assert second.prescription_id != first.prescription_id
    assert second.as_dict()["duplicateOf"] == [first.prescription_id]
    counts = await row_counts(db)
    assert (counts["prescriptions"], counts["documents"], counts["document_pages"]) == (2, 1, 2)
    assert counts["processing_runs"] == 2
    assert await stored_keys(storage) == keys_before


async def test_duplicate_with_policy_link_returns_the_existing_prescription(
    intake_ctx: IntakeContext, db: Database, settings: Settings
) -> None:
    ctx = dataclasses.replace(
        intake_ctx, settings=settings.model_copy(update={"duplicate_policy": "link"})
    )
    [first] = await intake_files(ctx, [incoming("a.png", samples.png())])
    [second] = await intake_files(ctx, [incoming("again.png", samples.png())])
    assert second.status == "linked"
    assert second.prescription_id == first.prescription_id
    assert second.duplicate_of == [first.prescription_id]
    assert (await row_counts(db))["prescriptions"] == 1


async def _refuse_file_name_by_trigger(db: Database, name: str) -> None:
    async with db.engine.begin() as conn:
        if db.is_postgres:
            await conn.execute(
                text(
                    "CREATE FUNCTION refuse_name() RETURNS trigger AS $$ BEGIN "
                    f"IF NEW.file_name = '{name}' THEN RAISE EXCEPTION 'refused by test'; "
                    "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            await conn.execute(
                text(
                    "CREATE TRIGGER refuse_name BEFORE INSERT ON prescriptions "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_name()"
                )
            )
        else:
            await conn.execute(
                text(
                    "CREATE TRIGGER refuse_name BEFORE INSERT ON prescriptions "
                    f"WHEN NEW.file_name = '{name}' "
                    "BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
                )
            )


async def test_failed_transaction_leaves_no_orphan_file(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage, settings: Settings
) -> None:
    await _refuse_file_name_by_trigger(db, "boom.png")
    outcomes = await intake_files(
        intake_ctx,
        [incoming("boom.png", samples.png(color="red")), incoming("fine.png", samples.png())],
    )
    assert [o.status for o in outcomes] == ["rejected", "created"]
    assert outcomes[0].error is not None
    assert (outcomes[0].error.error, outcomes[0].error.status_code) == ("not_saved", 503)
    counts = await row_counts(db)
    assert (counts["prescriptions"], counts["documents"]) == (1, 1)
    red = hashlib.sha256(samples.png(color="red")).hexdigest()
    keys = await stored_keys(storage)
    assert not any(red in key for key in keys)
    assert len(keys) == 2  # the good file's original and page
    assert temp_files(settings) == []


async def test_failed_duplicate_keeps_the_files_of_the_existing_document(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage
) -> None:
    await intake_files(intake_ctx, [incoming("first.png", samples.png())])
    keys = await stored_keys(storage)
    await _refuse_file_name_by_trigger(db, "boom.png")
    [outcome] = await intake_files(intake_ctx, [incoming("boom.png", samples.png())])
    assert outcome.status == "rejected"
    assert await stored_keys(storage) == keys
    assert (await row_counts(db))["prescriptions"] == 1


async def test_unwritable_storage_gives_a_clear_error_and_no_row(
    intake_ctx: IntakeContext, db: Database, settings: Settings
) -> None:
    blocker = settings.data_dir / "blocked"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"a file where the storage directory should be")
    ctx = dataclasses.replace(intake_ctx, storage=LocalFileStorage(blocker))
    [outcome] = await intake_files(ctx, [incoming("a.png", samples.png())])
    assert outcome.error is not None
    assert outcome.error.error == "not_saved"
    assert "storage" in outcome.error.detail
    assert await row_counts(db) == NO_ROWS


async def test_concurrent_uploads_of_the_same_file_share_one_document(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage
) -> None:
    data = samples.tiff(2)
    outcomes = await asyncio.gather(
        *(intake_files(intake_ctx, [incoming(f"copy-{i}.tiff", data)]) for i in range(3))
    )
    assert [o.status for [o] in outcomes] == ["created"] * 3
    counts = await row_counts(db)
    assert (counts["prescriptions"], counts["documents"], counts["document_pages"]) == (3, 1, 2)
    sha = hashlib.sha256(data).hexdigest()
    assert sorted(await stored_keys(storage)) == sorted(
        [original_key(sha), page_key(sha, 0), page_key(sha, 1)]
    )


async def test_starlette_upload_files_are_accepted_and_size_checked(
    intake_ctx: IntakeContext, db: Database, settings: Settings
) -> None:
    def upload(name: str, data: bytes, size: int | None = None) -> UploadFile:
        spooled = tempfile.SpooledTemporaryFile(max_size=1024)  # noqa: SIM115 - UploadFile owns it
        spooled.write(data)
        spooled.seek(0)
        return UploadFile(spooled, filename=name, size=len(data) if size is None else size)

    outcomes = await intake_files(
        intake_ctx,
        [
            IncomingFile.from_upload(upload("scan.jpg", samples.jpeg())),
            IncomingFile.from_upload(upload("big.png", samples.png(), size=10**9)),
        ],
    )
    assert [o.status for o in outcomes] == ["created", "rejected"]
    assert outcomes[1].error is not None and outcomes[1].error.error == "file_too_large"
    assert (await row_counts(db))["prescriptions"] == 1
