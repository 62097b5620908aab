"""Two web instances and two workers on one database: a browser on either instance sees
every event of uploads made through the other, no run is processed twice, and a rolling
restart (SIGTERM, start again, one process at a time) loses nothing."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.reliability.traffic import (
    EventWatcher,
    accepted_ids,
    admin_key,
    api_client,
    gather_ready,
    upload,
)
from tests.support import inventory
from tests.support.processes import AppProcess, Deployment
from tests.support.sleepy_engines import ENGINE_NAMES, FIELDS_PER_RUN

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(400)]

CLAIMED = re.compile(r"engine_run_claimed .*run=([0-9a-f-]{36})")
# Nobody is killed here, so no lease may expire: a long lease keeps a process that is
# slow for a moment (a loaded machine) from having its run taken over.
LEASE_SECONDS = "30"


async def _upload_through(web: AppProcess, key: str, seeds: list[int]) -> list[str]:
    async with api_client(web.url, key) as client:
        response = await upload(client, seeds)
    assert response.status_code == 201, response.text
    return accepted_ids(response)


def _claims_in_logs(workers: list[AppProcess]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for worker in workers:
        counts.update(CLAIMED.findall(worker.log_path.read_text()))
    return counts


async def _check_processed_once(url: str, workers: list[AppProcess]) -> None:
    """Each engine run was handed to an engine once, by one worker, in one attempt."""
    claims = _claims_in_logs(workers)
    assert [run for run, n in claims.items() if n > 1] == []
    rows = await inventory.fetch(url, "SELECT id, attempts FROM engine_runs")
    assert set(claims) == {row[0] for row in rows}
    assert {row[1] for row in rows} == {1}


async def test_every_browser_sees_every_event_across_instances(
    deployment: Deployment, processes: list[AppProcess]
) -> None:
    deployment.settings["SCRIPTSENSEI_RUN_LEASE_SECONDS"] = LEASE_SECONDS
    webs = [deployment.web("web-1"), deployment.web("web-2")]
    workers = [deployment.worker("worker-1"), deployment.worker("worker-2")]
    processes += [*webs, *workers]
    await gather_ready(*webs, *workers)
    url = deployment.database_url
    key = await admin_key(url, deployment.data_dir)

    async with EventWatcher(webs[0].ws_url, key) as one, EventWatcher(webs[1].ws_url, key) as two:
        ids: list[str] = []
        for batch in range(5):
            ids += await _upload_through(webs[batch % 2], key, [batch * 4 + i for i in range(4)])
        await one.wait_for_finish(ids, timeout=90)
        await two.wait_for_finish(ids, timeout=90)
    for rx in ids:
        seen = one.types_for(rx)
        assert seen == two.types_for(rx)
        assert seen[0] == "prescription_created" and seen[-1] == "prescription_completed"

    # Rolling restart: work keeps arriving through whichever web instance is up.
    for step, process in enumerate([*workers, *webs]):
        serving = webs[1] if process is webs[0] else webs[0]
        ids += await _upload_through(serving, key, [100 + step * 4 + i for i in range(4)])
        process.stop()
        process.start()
    await inventory.wait_settled(url, len(ids), timeout=120)

    report = await inventory.check_nothing_lost(
        url, deployment.storage_dir, ids, ENGINE_NAMES, FIELDS_PER_RUN
    )
    assert not report, report.problems
    assert await inventory.status_counts(url) == {"completed": len(ids)}
    await _check_processed_once(url, workers)
