"""Files no row names are swept once old enough; files in use or still young are kept."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time

from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.documents.component import lifespan as storage_lifespan
from scriptsensei.documents.storage import LocalFileStorage, original_key, page_key
from scriptsensei.prescriptions.component import lifespan as sweep_lifespan
from scriptsensei.prescriptions.intake import IntakeContext
from scriptsensei.prescriptions.orphans import sweep_orphans
from tests.prescriptions.conftest import stored_keys, upload_one

ORPHAN = hashlib.sha256(b"orphan").hexdigest()
YOUNG = hashlib.sha256(b"young").hexdigest()


def _age(storage: LocalFileStorage, key: str, seconds: float) -> None:
    path = storage.local_path(key)
    assert path is not None
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))


async def _scene(intake_ctx: IntakeContext, storage: LocalFileStorage) -> list[str]:
    await upload_one(intake_ctx)
    in_use = await stored_keys(storage)
    for key in in_use:
        _age(storage, key, 7200)
    await storage.put_bytes(original_key(ORPHAN), b"left by a killed process")
    await storage.put_bytes(page_key(ORPHAN, 0), b"page")
    _age(storage, original_key(ORPHAN), 7200)
    _age(storage, page_key(ORPHAN, 0), 7200)
    await storage.put_bytes(original_key(YOUNG), b"an upload still committing")
    return in_use


async def test_sweep_deletes_only_old_unreferenced_files(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage
) -> None:
    in_use = await _scene(intake_ctx, storage)
    deleted = await sweep_orphans(db, storage)
    assert sorted(deleted) == sorted([original_key(ORPHAN), page_key(ORPHAN, 0)])
    assert sorted(await stored_keys(storage)) == sorted([*in_use, original_key(YOUNG)])


async def test_components_start_storage_and_sweep_in_the_background(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage, settings: Settings
) -> None:
    await _scene(intake_ctx, storage)
    runtime = Runtime(settings=settings, db=db)
    async with storage_lifespan(runtime), sweep_lifespan(runtime):
        assert isinstance(runtime.components["storage"], LocalFileStorage)
        for _ in range(200):
            if not await storage.exists(original_key(ORPHAN)):
                break
            await asyncio.sleep(0.05)
    assert not await storage.exists(original_key(ORPHAN))
    assert await storage.exists(original_key(YOUNG))
    assert "storage" not in runtime.components
