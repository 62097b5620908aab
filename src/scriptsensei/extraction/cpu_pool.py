"""A process pool for CPU-bound work (OCR), one process per core.

OCR holds the GIL and a core for a second or more per page, so it runs in worker
processes while the event loop stays responsive. Each worker loads its models lazily on
first use and keeps them (module-level caches in the reader modules). Workers are
started with `spawn`: forking a process that runs an event loop and threads is unsafe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

import structlog

log = structlog.get_logger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

# Native libraries would otherwise start one thread per core in every worker and the
# workers would fight over the cores; the pool is the parallelism.
_SINGLE_THREAD_ENV = {"OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1"}


ORPHAN_CHECK_SECONDS = 1.0


def _init_worker() -> None:
    os.environ.update(_SINGLE_THREAD_ENV)
    watchdog = threading.Thread(
        target=_exit_when_orphaned, args=(os.getppid(),), name="orphan-watchdog", daemon=True
    )
    watchdog.start()


def _exit_when_orphaned(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL, OOM) would otherwise live on, holding
    its models in memory; it notices the new parent and exits."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


def pool_size(requested: int) -> int:
    """`requested` processes, or one per core when it is 0."""
    return requested if requested > 0 else max(1, os.cpu_count() or 1)


class CpuPool:
    """Runs picklable functions in worker processes; restarts the pool if a worker dies."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = pool_size(processes)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                )
                log.info("cpu_pool_started", processes=self.processes)
            return self._executor

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if kwargs:
            raise TypeError("CpuPool.run takes positional arguments only")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), fn, *args)
        except BrokenProcessPool:
            # A worker was killed (out of memory, a crash in native code): the next call
            # gets a fresh pool instead of failing forever.
            self._discard()
            raise

    def _discard(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
            log.warning("cpu_pool_restarted_after_worker_death")

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
            log.info("cpu_pool_stopped")


_shared: dict[int, CpuPool] = {}
_shared_lock = threading.Lock()


def shared_pool(processes: int = 0) -> CpuPool:
    """The process-wide pool (engines share it so OCR never oversubscribes the cores)."""
    size = pool_size(processes)
    with _shared_lock:
        if size not in _shared:
            _shared[size] = CpuPool(size)
        return _shared[size]


def shutdown_shared_pools() -> None:
    with _shared_lock:
        pools = list(_shared.values())
        _shared.clear()
    for pool in pools:
        pool.shutdown()
