"""The CPU pool runs work in other processes, survives a dead worker and shuts down."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from scriptsensei.extraction.cpu_pool import CpuPool, pool_size, shared_pool, shutdown_shared_pools
from tests.extraction import pool_tasks


@pytest.fixture
def pool() -> Iterator[CpuPool]:
    pool = CpuPool(2)
    yield pool
    pool.shutdown()


async def test_work_runs_in_worker_processes(pool: CpuPool) -> None:
    pids = await asyncio.gather(*(pool.run(pool_tasks.worker_pid) for _ in range(4)))
    assert os.getpid() not in pids
    assert await pool.run(pool_tasks.square, 7) == 49


async def test_workers_are_limited_to_one_native_thread(pool: CpuPool) -> None:
    assert await pool.run(pool_tasks.thread_limit) == "1"


async def test_a_dead_worker_fails_its_task_and_the_pool_recovers(pool: CpuPool) -> None:
    with pytest.raises(BrokenProcessPool):
        await pool.run(pool_tasks.die)
    assert await pool.run(pool_tasks.square, 3) == 9


async def test_keyword_arguments_are_refused(pool: CpuPool) -> None:
    with pytest.raises(TypeError, match="positional"):
        await pool.run(pool_tasks.square, value=2)  # type: ignore[call-arg]


async def test_shutdown_is_clean_and_the_pool_can_start_again(pool: CpuPool) -> None:
    await pool.run(pool_tasks.square, 2)
    pool.shutdown()
    pool.shutdown()  # twice is harmless
    assert await pool.run(pool_tasks.square, 5) == 25


def test_size_defaults_to_the_cores() -> None:
    assert pool_size(0) == (os.cpu_count() or 1)
    assert pool_size(3) == 3


def test_shared_pool_is_one_per_size() -> None:
    try:
        assert shared_pool(2) is shared_pool(2)
        assert shared_pool(1) is not shared_pool(2)
    finally:
        shutdown_shared_pools()


KILLED_PARENT = """
import asyncio, sys
from scriptsensei.extraction.cpu_pool import CpuPool
from tests.extraction import pool_tasks

async def main():
    pool = CpuPool(1)
    print("worker", await pool.run(pool_tasks.worker_pid), flush=True)
    await asyncio.sleep(60)

if __name__ == "__main__":
    asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_workers_exit_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(KILLED_PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert parent.stdout is not None
    line = ""
    while not line.startswith("worker "):  # log lines may come first
        line = parent.stdout.readline()
        assert line, "the parent exited before reporting its worker"
    worker = int(line.split()[1])
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker)
