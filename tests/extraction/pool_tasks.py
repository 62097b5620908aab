"""Functions the CPU-pool tests send to worker processes (importable by spawned workers)."""

from __future__ import annotations

import os


def worker_pid() -> int:
    return os.getpid()


def thread_limit() -> str | None:
    return os.environ.get("OMP_THREAD_LIMIT")


def square(value: int) -> int:
    return value * value


def die() -> None:
    os._exit(3)  # a worker killed mid-task, as by the out-of-memory killer
