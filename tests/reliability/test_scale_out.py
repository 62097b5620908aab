"""Two web instances and two workers on one database: a browser on either instance sees
every event of uploads made through the other, no run is processed twice, and a rolling
restart (SIGTERM, start again, one process at a time) loses nothing."""

from __future__ import annotations

import re

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

TAKEOVER = re.compile(r"engine_run_lease_expired|engine_run_lease_lost\S*")
# Nobody is killed here, so no lease may expire: a long lease keeps a process that is
# slow for a moment (a loaded machine) from having its run taken over.
LEASE_SECONDS = "30"


async def _upload_through(web: AppProcess, key: str, seeds: list[int]) -> list[str]:
    async with api_client(web.url, key) as client:
        response = await upload(client, seeds)
    assert response.status_code == 201, response.text
    return accepted_ids(response)


def _takeovers_in_logs(workers: list[AppProcess]) -> list[str]:
    lines: list[str] = []
    for worker in workers:
        lines += TAKEOVER.findall(worker.log_path.read_text())
    return lines


async def _check_processed_once(url: str, workers: list[AppProcess]) -> None:
    """No run was taken over from a live worker or retried: each engine run's result was
    produced by one attempt (a run released at shutdown before it finished is given back
    with its attempt undone, and runs once elsewhere)."""
    assert _takeovers_in_logs(workers) == []
    rows = await inventory.fetch(url, "SELECT attempts, count(*) FROM engine_runs GROUP BY 1")
    assert {row[0] for row in rows} == {1}, rows


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

    start = await inventory.fetchval(url, "SELECT coalesce(max(seq), 0) FROM events")
    async with EventWatcher(webs[0].ws_url, key) as one, EventWatcher(webs[1].ws_url, key) as two:
        ids: list[str] = []
        for batch in range(5):
            ids += await _upload_through(webs[batch % 2], key, [batch * 4 + i for i in range(4)])
        await one.wait_for_finish(ids, timeout=90)
        await two.wait_for_finish(ids, timeout=90)
        # Every event committed meanwhile reached both browsers, once, in sequence order:
        # events are numbered in commit order, so "everything after N" is exact.
        rows = await inventory.fetch(url, "SELECT seq FROM events WHERE seq > $1 ORDER BY 1", start)
        committed = [row[0] for row in rows]
        for browser in (one, two):
            received = await browser.wait_for_seqs(len(committed), timeout=30)
            assert received == committed, set(committed) ^ set(received)
    for rx in ids:
        seen = one.types_for(rx)
        assert seen[0] == "prescription_created" and "prescription_completed" in seen

    first_round = len(ids)
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
    print(
        f"scale-out: {first_round} uploads through two web instances, {len(one.events)} "
        f"events seen alike by a browser on each; {len(ids) - first_round} more across 4 "
        f"rolling restarts; {len(ids)} completed, one attempt per engine run, no takeover"
    )
