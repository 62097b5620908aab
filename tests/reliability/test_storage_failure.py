"""Unwritable storage during uploads: each file is refused with a clear 503, no row is
written without its file and no file is left without its row; once storage is writable
again the same process accepts uploads.

The tests may run as root, for whom permission bits do not stop writes, so storage is made
unwritable by putting a regular file where intake needs a directory: creating the
directories under it fails for everyone."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.reliability.traffic import admin_key, api_client, upload
from tests.support import inventory
from tests.support.processes import AppProcess, Deployment

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(200)]


def block(directory: Path) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    directory.write_bytes(b"")  # a file where a directory must be


def unblock(directory: Path) -> None:
    directory.unlink()


async def _rows(url: str) -> dict[str, int]:
    tables = ("prescriptions", "documents", "document_pages", "processing_runs", "engine_runs")
    return {t: await inventory.fetchval(url, f"SELECT count(*) FROM {t}") for t in tables}


async def _refused_cleanly(client: httpx.AsyncClient, url: str, storage_dir: Path) -> None:
    refused = await upload(client, [1, 2, 3])
    assert refused.status_code == 503, refused.text
    for outcome in refused.json()["files"]:
        assert (outcome["status"], outcome["error"]) == ("rejected", "not_saved")
        assert "could not be written to storage" in outcome["detail"]
    assert set((await _rows(url)).values()) == {0}
    assert inventory.stored_keys(storage_dir) == set()
    assert inventory.interrupted_writes(storage_dir) == []


async def test_unwritable_storage_refuses_uploads_cleanly(
    deployment: Deployment, processes: list[AppProcess]
) -> None:
    web = deployment.web()
    processes.append(web)
    web.start()
    url, storage_dir = deployment.database_url, deployment.storage_dir
    key = await admin_key(url, deployment.data_dir)
    async with api_client(web.url, key) as client:
        # Originals cannot be written; then pages cannot (the original, written first,
        # must be removed again).
        for area in ("originals", "pages"):
            block(storage_dir / area)
            await _refused_cleanly(client, url, storage_dir)
            unblock(storage_dir / area)  # the operator frees the disk; no restart
        accepted = await upload(client, [1, 2, 3])
        assert accepted.status_code == 201, accepted.text
    assert (await _rows(url))["prescriptions"] == 3
    assert await inventory.files_match_rows(url, storage_dir) == []
