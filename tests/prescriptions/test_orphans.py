"""Files no row names are swept once old enough; files in use or still young are kept."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from pathlib import Path

import pytest

from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings
from scriptsensei.documents.component import lifespan as storage_lifespan
from scriptsensei.documents.storage import LocalFileStorage, original_key, page_key
from scriptsensei.prescriptions import orphans
from scriptsensei.prescriptions.component import lifespan as sweep_lifespan
from scriptsensei.prescriptions.intake import IntakeContext
from scriptsensei.prescriptions.orphans import delete_unreferenced, sweep_orphans
from tests.conftest import make_settings
from tests.prescriptions.conftest import stored_keys, upload_one
from tests.support.tcp_proxy import TcpProxy

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


async def test_sweep_removes_old_partial_writes_and_keeps_young_ones(
    db: Database, storage: LocalFileStorage
) -> None:
    # what a process killed in the middle of writing a file leaves: a temp file beside its key
    directory = storage.root / "pages" / ORPHAN
    directory.mkdir(parents=True)
    old, young = directory / ".put-abandoned", directory / ".put-in-flight"
    old.write_bytes(b"half a page")
    young.write_bytes(b"being written now")
    stamp = time.time() - 7200
    os.utime(old, (stamp, stamp))

    await sweep_orphans(db, storage)

    assert not old.exists()
    assert young.exists()


@pytest.mark.postgres
@pytest.mark.parametrize("db_backend", ["postgres"])
async def test_clean_up_waits_for_the_database_and_then_happens(
    database_url: str, storage: LocalFileStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outage that broke an upload's transaction cannot be asked which files rows name;
    the files are kept, and removed once the database answers again (no restart)."""
    monkeypatch.setattr(orphans, "RETRY_FIRST_DELAY", 0.05)
    proxy = TcpProxy(target_port=5432)
    proxy.start()
    url = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    db = Database(make_settings(url, tmp_path, db_connect_timeout=1, db_pool_timeout=1))
    await storage.put_bytes(original_key(ORPHAN), b"stored before the outage")
    try:
        proxy.stop(drop_connections=True)
        assert await delete_unreferenced(db, storage, [original_key(ORPHAN)]) == []
        await asyncio.sleep(0.5)  # a few retries fail while the database is away
        assert await storage.exists(original_key(ORPHAN))

        proxy.start()
        for _ in range(200):
            if not await storage.exists(original_key(ORPHAN)):
                break
            await asyncio.sleep(0.05)
        assert not await storage.exists(original_key(ORPHAN))
        assert orphans.deferred_cleanup(db, storage).keys == set()
    finally:
        await orphans.close_deferred_cleanup(storage)
        await db.dispose()  # while the proxy still carries its connections
        proxy.shutdown()


async def test_clean_up_never_removes_a_file_a_row_names(
    intake_ctx: IntakeContext, db: Database, storage: LocalFileStorage
) -> None:
    in_use = await _scene(intake_ctx, storage)
    assert await delete_unreferenced(db, storage, in_use) == []
    assert sorted(await stored_keys(storage)) == sorted([*in_use, *_orphan_keys()])


def _orphan_keys() -> list[str]:
    return [original_key(ORPHAN), page_key(ORPHAN, 0), original_key(YOUNG)]
