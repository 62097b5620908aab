"""Redeploying over existing data: a newer release's migration (simulated by the package's
migrations plus one more revision) applies to a database filled by real processes, and
every row survives: counts and checksums of every table equal before and after."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from tests.conftest import make_settings
from tests.reliability.traffic import accepted_ids, admin_key, api_client, upload
from tests.support import databases, inventory
from tests.support.processes import AppProcess, Deployment
from tests.support.releases import newer_release
from tests.support.sleepy_engines import ENGINE_NAMES, FIELDS_PER_RUN

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(200)]


async def _fill(deployment: Deployment, processes: list[AppProcess]) -> None:
    """Data made the ordinary way: uploads processed by a web process with its workers."""
    web = deployment.web(embedded=True)
    processes.append(web)
    web.start()
    key = await admin_key(deployment.database_url, deployment.data_dir)
    async with api_client(web.url, key) as client:
        ids = accepted_ids(await upload(client, list(range(8))))
    await inventory.wait_settled(deployment.database_url, len(ids), timeout=120)
    report = await inventory.check_nothing_lost(
        deployment.database_url, deployment.storage_dir, ids, ENGINE_NAMES, FIELDS_PER_RUN
    )
    assert not report, report.problems
    web.stop()


async def test_newer_schema_revision_keeps_every_row(
    deployment: Deployment, processes: list[AppProcess], tmp_path: Path
) -> None:
    await _fill(deployment, processes)
    url = deployment.database_url
    columns = await inventory.table_columns(url)
    del columns["alembic_version"]  # the one row a migration is meant to change
    before = await inventory.table_fingerprints(url, columns)
    filled = {t for t, (count, _) in before.items() if count}
    assert {"prescriptions", "engine_runs", "extraction_results", "events"} <= filled

    db = Database(make_settings(url, deployment.data_dir))
    try:
        script_location = str(newer_release(tmp_path))
        assert await migrate.upgrade(db, script_location) == "9999"
        assert await migrate.upgrade(db, script_location) == "9999"  # every start runs it
    finally:
        await db.dispose()

    after_columns = await inventory.table_columns(url)
    assert "courier_note" in after_columns["prescriptions"]
    assert "courier_pickups" in after_columns
    assert await inventory.table_fingerprints(url, columns) == before
    rows = sum(count for count, _ in before.values())
    print(f"redeploy: {len(before)} tables, {rows} rows, equal checksums after revision 9999")


@pytest.mark.slow  # tests/guard covers the same in one process; this is the real thing
async def test_redeploy_onto_an_empty_database_pauses_writes(
    deployment: Deployment, processes: list[AppProcess], postgres_template: str
) -> None:
    """The seed's data loss: a redeploy that comes up on a fresh database beside the old
    files. The new process serves reads but refuses writes until an admin confirms."""
    await _fill(deployment, processes)
    files = inventory.stored_keys(deployment.storage_dir)
    with databases.postgres_from_template(postgres_template) as fresh_url:
        deployment.database_url = fresh_url
        web = deployment.web("web-after-redeploy")
        processes.append(web)
        web.start()
        key = await admin_key(fresh_url, deployment.data_dir)
        async with api_client(web.url, key) as client:
            refused = await upload(client, [50])
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"] == "writes_paused"
            assert "scriptsensei guard confirm" in refused.json()["detail"]
            assert (await client.get("/api/prescriptions")).status_code == 200
            assert await inventory.fetchval(fresh_url, "SELECT count(*) FROM prescriptions") == 0
            assert inventory.stored_keys(deployment.storage_dir) == files

            confirmed = await client.post("/api/admin/guard/confirm")
            assert confirmed.status_code == 200, confirmed.text
            assert (await upload(client, [50])).status_code == 201
        web.stop()
