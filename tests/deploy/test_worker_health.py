"""The `worker` service's health check: `scriptsensei worker` touches its heartbeat file
while it runs (a timer, no database query) and removes it when it stops; the check script
passes only on a fresh heartbeat."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from scriptsensei.jobs.commands import touch_heartbeat
from tests.deploy.conftest import DOCKER
from tests.jobs.processes import plugin_dir, worker_env, worker_process

HEALTH = DOCKER / "worker-health.sh"


def _health(heartbeat: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SCRIPTSENSEI_WORKER_HEARTBEAT_FILE"}
    if heartbeat is not None:
        env["SCRIPTSENSEI_WORKER_HEARTBEAT_FILE"] = str(heartbeat)
    return subprocess.run(
        ["sh", str(HEALTH), *args], env=env, capture_output=True, text=True, timeout=10
    )


def _wait_for(path: Path, present: bool, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while path.exists() != present:
        assert time.monotonic() < deadline, f"{path} still {'absent' if present else 'there'}"
        time.sleep(0.1)


def test_health_check_reads_the_heartbeats_age(tmp_path: Path) -> None:
    heartbeat = tmp_path / "worker.heartbeat"
    unset = _health(None)
    assert unset.returncode == 1
    assert "SCRIPTSENSEI_WORKER_HEARTBEAT_FILE" in unset.stderr
    assert _health(heartbeat).returncode == 1  # no heartbeat yet
    heartbeat.touch()
    fresh = _health(heartbeat)
    assert fresh.returncode == 0, fresh.stderr
    assert "worker alive" in fresh.stdout
    two_minutes_ago = time.time() - 120
    os.utime(heartbeat, (two_minutes_ago, two_minutes_ago))
    stale = _health(heartbeat)
    assert stale.returncode == 1
    assert "stuck" in stale.stderr
    assert _health(heartbeat, "300").returncode == 0  # a longer limit, as an argument


async def test_the_heartbeat_is_touched_again_and_again(tmp_path: Path) -> None:
    heartbeat = tmp_path / "beats" / "worker.heartbeat"
    task = asyncio.create_task(touch_heartbeat(heartbeat, every=0.05))
    try:
        await asyncio.sleep(0.1)
        long_ago = time.time() - 600
        os.utime(heartbeat, (long_ago, long_ago))
        await asyncio.sleep(0.2)
        assert heartbeat.stat().st_mtime > time.time() - 5
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_a_running_worker_is_healthy_and_a_stopped_one_is_not(
    database_url: str, tmp_path: Path
) -> None:
    heartbeat = tmp_path / "run" / "worker.heartbeat"
    env = worker_env(
        database_url,
        tmp_path / "data",
        plugin_dir(tmp_path / "plugins"),
        worker_heartbeat_file=str(heartbeat),
    )
    with worker_process(env, tmp_path / "worker.log") as worker:
        _wait_for(heartbeat, present=True, seconds=60)
        healthy = _health(heartbeat)
        assert healthy.returncode == 0, healthy.stderr
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, (tmp_path / "worker.log").read_text()
    assert not heartbeat.exists()
    assert _health(heartbeat).returncode == 1
