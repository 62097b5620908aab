"""Crashes: a worker and then the web process are killed with SIGKILL while a hundred
prescriptions are being uploaded and processed; after a restart every accepted upload
ends completed or failed exactly once, with no duplicated field rows and no stray files."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from scriptsensei.core.db import Database
from scriptsensei.documents.storage import LocalFileStorage
from scriptsensei.prescriptions.orphans import sweep_orphans
from tests.conftest import make_settings
from tests.reliability.traffic import accepted_ids, admin_key, api_client, gather_ready, upload
from tests.support import inventory
from tests.support.processes import AppProcess, Deployment
from tests.support.sleepy_engines import ENGINE_NAMES, FIELDS_PER_RUN

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(400)]

BATCH = 5


async def _upload_all(
    base_url: str,
    key: str,
    seeds: list[int],
    accepted: list[str],
    hold: tuple[int, asyncio.Event] | None = None,
) -> None:
    """Batch after batch until done or the web process goes away; what was answered 201
    is accepted, and its seeds are taken off the list. With `hold` = (count, event), the
    stream waits at `count` accepted files for the event, then goes on at a steady pace,
    so that it is still running whenever the web process is killed (uploads outrun the
    engines on a fast machine)."""
    async with api_client(base_url, key) as client:
        while seeds:
            if hold is not None and len(accepted) >= hold[0]:
                await hold[1].wait()
                await asyncio.sleep(0.1)
            batch = seeds[:BATCH]
            response = await upload(client, batch)
            assert response.status_code == 201, response.text
            accepted += accepted_ids(response)
            del seeds[:BATCH]


async def _wait_for(url: str, sql: str, at_least: int) -> None:
    async with asyncio.timeout(120):
        while await inventory.fetchval(url, sql) < at_least:
            await asyncio.sleep(0.1)


@pytest.mark.parametrize("total", [100, pytest.param(400, marks=pytest.mark.slow)])
async def test_killed_worker_and_web_process_lose_nothing(
    deployment: Deployment, processes: list[AppProcess], total: int
) -> None:
    deployment.settings["SCRIPTSENSEI_LLM_CONCURRENCY"] = "2"  # keeps work in flight longer
    web, worker = deployment.web(), deployment.worker()
    processes += [web, worker]
    await gather_ready(web, worker)
    url = deployment.database_url
    key = await admin_key(url, deployment.data_dir)
    seeds, accepted = list(range(total)), list[str]()
    worker_killed = asyncio.Event()
    hold = (total * 3 // 10, worker_killed)
    uploading = asyncio.create_task(_upload_all(web.url, key, seeds, accepted, hold))

    # The worker dies holding leases, after some work is done.
    await _wait_for(url, "SELECT count(*) FROM engine_runs WHERE status = 'succeeded'", 10)
    await _wait_for(url, "SELECT count(*) FROM engine_runs WHERE status = 'running'", 1)
    worker.kill()
    worker_killed.set()
    # Then the web process, in the middle of the upload stream.
    await _wait_for(url, "SELECT count(*) FROM prescriptions", total * 2 // 5)
    web.kill()
    with pytest.raises(httpx.HTTPError):  # the request in flight is cut off
        await uploading
    assert 0 < len(accepted) < total
    accepted_before_kill = len(accepted)
    restarted_at = time.monotonic()

    await gather_ready(web, worker)
    await _upload_all(web.url, key, seeds, accepted)  # the files never answered 201
    rows = await inventory.fetchval(url, "SELECT count(*) FROM prescriptions")
    await inventory.wait_settled(url, rows, timeout=180)

    report = await inventory.check_nothing_lost(
        url, deployment.storage_dir, accepted, ENGINE_NAMES, FIELDS_PER_RUN
    )
    assert not report, report.problems
    assert len(set(accepted)) == total
    assert rows >= total  # rows of the request cut short by the kill are processed too
    retried = await inventory.fetchval(url, "SELECT count(*) FROM engine_runs WHERE attempts > 1")
    assert retried >= 1  # the killed worker's runs were taken over after their leases
    leftovers = inventory.interrupted_writes(deployment.storage_dir)
    print(
        f"crashes: accepted {accepted_before_kill} before the kills, {total} in all; "
        f"{rows} rows; {await inventory.status_counts(url)}; {retried} engine runs retried; "
        f"settled {time.monotonic() - restarted_at:.1f}s after the restart began; "
        f"{len(leftovers)} half-written temp files left by the killed web process"
    )
    # What the killed process left half-written goes with the start-up sweep (run here
    # without its age limit, as a start-up an hour later would).
    db = Database(make_settings(url, deployment.data_dir))
    try:
        await sweep_orphans(db, LocalFileStorage(deployment.storage_dir), 0)
    finally:
        await db.dispose()
    assert inventory.interrupted_writes(deployment.storage_dir) == []
    assert await inventory.files_match_rows(url, deployment.storage_dir) == []
