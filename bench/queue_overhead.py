"""What the job queue costs per prescription, engine time excluded, and OCR throughput.

    .venv/bin/python bench/queue_overhead.py [--prescriptions 200] [--workers 1 2 4]
        [--ocr-pages 16] [--skip-ocr]

Queue: worker *processes* on a fresh PostgreSQL database (SCRIPTSENSEI_BENCH_PG_DSN, default
postgresql://postgres@127.0.0.1:5432/postgres) read prescriptions with two zero-latency
engines (bench/zero_engine.py). Each prescription is enqueued in its own transaction, as an
upload would; the clock runs from the first enqueue to the last `completed`. Reported:
prescriptions per second, wall ms per prescription per worker, and the workers' own CPU ms
per prescription (less sensitive to a shared machine).

OCR: the real Tesseract engine on generated samples (`scriptsensei.samples`), pages per
second with one worker process with one OCR process, two worker processes with one OCR
process each, and one worker process with an OCR pool sized to the cores (the default).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select

from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.logging import configure_logging
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.extraction.cpu_pool import shutdown_shared_pools
from scriptsensei.extraction.registry import EngineRegistry, build_registry
from scriptsensei.jobs.queue import RunRequest, enqueue_run
from scriptsensei.jobs.worker import Worker
from scriptsensei.models import Document, DocumentPage, Prescription

ADMIN_DSN = os.environ.get(
    "SCRIPTSENSEI_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ZERO_ENGINES = ["zero-ocr", "zero-llm"]


# -- databases ------------------------------------------------------------------------------
async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def fresh_database() -> tuple[str, str]:
    name = f"ssbench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + name
    return name, url


def bench_settings(url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": "test",
        "database_url": url,
        "data_dir": data_dir,
        "embedded_workers": False,
        "llm_engines": [],
        "local_engines": [],
        "log_level": "WARNING",
        "run_lease_seconds": 120.0,
    }
    values.update(overrides)
    return Settings(**values)


# -- worker processes -------------------------------------------------------------------------
@dataclass(frozen=True)
class WorkerSpec:
    url: str
    data_dir: Path
    ocr: bool  # the real Tesseract engine instead of the zero-latency ones
    ocr_processes: int


def _registry(spec: WorkerSpec, settings: Settings) -> EngineRegistry:
    if spec.ocr:
        return build_registry(settings)
    from zero_engine import ZeroLatencyEngine

    return EngineRegistry(
        [ZeroLatencyEngine("zero-ocr", "ocr"), ZeroLatencyEngine("zero-llm", "llm")]
    )


async def _serve(spec: WorkerSpec, ready: Any, begin: MpEvent, end: MpEvent, cpu: Any) -> None:
    local = ["tesseract"] if spec.ocr else []
    settings = bench_settings(
        spec.url, spec.data_dir, local_engines=local, ocr_processes=spec.ocr_processes
    )
    configure_logging(settings)
    db = Database(settings)
    worker = Worker(db, settings, _registry(spec, settings))
    await worker.start()
    assert worker.listener is not None
    await worker.listener.connected.wait()
    ready.put(os.getpid())
    await asyncio.to_thread(begin.wait)
    started = time.process_time()
    await asyncio.to_thread(end.wait)
    cpu.put(time.process_time() - started)
    await worker.stop(grace=5)
    # As `scriptsensei worker` does: a spawned process joins its children at exit, so the
    # OCR pool's processes must be told to stop first.
    await asyncio.to_thread(shutdown_shared_pools)
    await db.dispose()


def worker_process(spec: WorkerSpec, ready: Any, begin: MpEvent, end: MpEvent, cpu: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(_serve(spec, ready, begin, end, cpu))


class WorkerPool:
    def __init__(self, spec: WorkerSpec, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.ready, self.cpu = ctx.Queue(), ctx.Queue()
        self.begin, self.end = ctx.Event(), ctx.Event()
        self.processes = [
            ctx.Process(
                target=worker_process, args=(spec, self.ready, self.begin, self.end, self.cpu)
            )
            for _ in range(count)
        ]

    def __enter__(self) -> WorkerPool:
        for process in self.processes:
            process.start()
        for _ in self.processes:
            self.ready.get(timeout=120)
        return self

    def measure(self) -> None:
        self.begin.set()

    def cpu_seconds(self) -> float:
        self.end.set()
        return sum(self.cpu.get(timeout=120) for _ in self.processes)

    def __exit__(self, *_exc: object) -> None:
        self.end.set()
        for process in self.processes:
            process.join(timeout=60)


# -- prescriptions ------------------------------------------------------------------------------
def _store(data_dir: Path, data: bytes, key: str) -> None:
    path = data_dir / "files" / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def create_prescriptions(
    db: Database, data_dir: Path, pages: list[tuple[bytes, int, int]]
) -> list[str]:
    """One prescription per page image, stored as intake stores them."""
    ids = []
    async with unit_of_work(db) as session:
        for i, (png, width, height) in enumerate(pages):
            key = f"pages/{uuid.uuid4().hex}.png"
            _store(data_dir, png, key)
            document = Document(sha256=uuid.uuid4().hex + uuid.uuid4().hex, storage_key=key,
                                content_type="image/png", byte_size=len(png), page_count=1)  # fmt: skip
            session.add(document)
            await session.flush()
            session.add(DocumentPage(document_id=document.id, page_index=0, storage_key=key,
                                     sha256=document.sha256, content_type="image/png",
                                     width=width, height=height))  # fmt: skip
            prescription = Prescription(file_name=f"bench-{i}.png", file_size=str(len(png)),
                                        document_id=document.id, page_count=1)  # fmt: skip
            session.add(prescription)
            await session.flush()
            ids.append(prescription.id)
    return ids


async def enqueue_all(db: Database, ids: list[str], engines: list[str]) -> float:
    """Seconds spent enqueueing, one transaction per prescription."""
    started = time.perf_counter()
    for prescription_id in ids:
        async with unit_of_work(db) as session:
            await enqueue_run(session, prescription_id, RunRequest(engines=engines))
    return time.perf_counter() - started


async def wait_finished(db: Database, expected: int, timeout: float = 900) -> None:
    deadline = time.perf_counter() + timeout
    done = (
        select(func.count())
        .select_from(Prescription)
        .where(Prescription.processing_status.in_(["completed", "failed"]))
    )
    while True:
        async with db.sessions() as session:
            if (await session.scalar(done) or 0) >= expected:
                return
        if time.perf_counter() > deadline:
            raise TimeoutError("prescriptions not finished in time")
        await asyncio.sleep(0.02)


# -- scenarios ----------------------------------------------------------------------------------
@dataclass
class Measured:
    label: str
    items: int
    seconds: float
    enqueue_seconds: float
    worker_cpu_seconds: float
    workers: int


async def run_scenario(label: str, spec_args: dict[str, Any], workers: int,
                       pages: list[tuple[bytes, int, int]], engines: list[str], warmup: int) -> Measured:  # fmt: skip
    name, url = await fresh_database()
    data_dir = Path(tempfile.mkdtemp(prefix="ssbench-"))
    db = Database(bench_settings(url, data_dir), url)
    try:
        await migrate.upgrade(db)
        warm_ids = await create_prescriptions(db, data_dir, pages[:warmup])
        ids = await create_prescriptions(db, data_dir, pages[warmup:])
        spec = WorkerSpec(url=url, data_dir=data_dir, **spec_args)
        with WorkerPool(spec, workers) as pool:
            await enqueue_all(db, warm_ids, engines)  # loads lexicons, models, pools
            await wait_finished(db, len(warm_ids))
            pool.measure()
            started = time.perf_counter()
            enqueue_seconds = await enqueue_all(db, ids, engines)
            await wait_finished(db, len(warm_ids) + len(ids))
            elapsed = time.perf_counter() - started
            cpu = pool.cpu_seconds()
        return Measured(label, len(ids), elapsed, enqueue_seconds, cpu, workers)
    finally:
        await db.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


def blank_pages(count: int) -> list[tuple[bytes, int, int]]:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(buffer, "PNG")
    return [(buffer.getvalue(), 64, 48)] * count


def sample_pages(count: int) -> list[tuple[bytes, int, int]]:
    from scriptsensei.extraction.pages import load_file
    from scriptsensei.samples.dataset import write_samples
    from scriptsensei.samples.generator import SampleOptions

    out = Path(tempfile.mkdtemp(prefix="ssbench-samples-"))
    try:
        written = write_samples(out, count, seed=7, options=SampleOptions("clean", 0.0, 0.0, 0.0))
        pages = []
        for sample in written:
            image = next(
                p for p in out.iterdir() if p.stem == sample.name and p.suffix in (".png", ".jpg")
            )
            page = load_file(image)[0]
            pages.append((page.data, page.width, page.height))
        return pages
    finally:
        shutil.rmtree(out, ignore_errors=True)


def report_queue(result: Measured) -> None:
    per_worker_ms = result.seconds * 1000 * result.workers / result.items
    print(
        f"{result.label:<28} {result.items / result.seconds:8.1f} prescriptions/s   "
        f"{per_worker_ms:6.1f} ms wall per prescription per worker   "
        f"{result.worker_cpu_seconds * 1000 / result.items:6.1f} ms worker CPU per prescription   "
        f"enqueue {result.enqueue_seconds * 1000 / result.items:5.2f} ms each"
    )


def report_ocr(result: Measured, baseline: Measured | None) -> None:
    rate = result.items / result.seconds
    ratio = f"{rate / (baseline.items / baseline.seconds):.2f}x" if baseline else "1.00x"
    print(
        f"{result.label:<44} {rate:6.2f} pages/s   {result.seconds:6.1f} s for {result.items} pages   {ratio}"
    )


async def main(args: argparse.Namespace) -> None:
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    print(f"queue: {args.prescriptions} prescriptions x {len(ZERO_ENGINES)} zero-latency engines")
    pages = blank_pages(args.prescriptions + 10)
    for workers in args.workers:
        label = f"{workers} worker process{'es' if workers > 1 else ''}"
        report_queue(await run_scenario(label, {"ocr": False, "ocr_processes": 0}, workers,
                                        pages, ZERO_ENGINES, warmup=10))  # fmt: skip
    if args.skip_ocr:
        return
    print(f"ocr: tesseract on {args.ocr_pages} generated pages (clean profile)")
    pages = sample_pages(args.ocr_pages + 2)
    baseline = None
    for label, workers, processes in (
        ("1 worker process, 1 OCR process", 1, 1),
        ("2 worker processes, 1 OCR process each", 2, 1),
        ("1 worker process, OCR pool = cores", 1, 0),
    ):
        result = await run_scenario(label, {"ocr": True, "ocr_processes": processes}, workers,
                                    pages, ["tesseract"], warmup=2 * workers)  # fmt: skip
        report_ocr(result, baseline)
        baseline = baseline or result
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prescriptions", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--ocr-pages", type=int, default=16)
    parser.add_argument("--skip-ocr", action="store_true")
    asyncio.run(main(parser.parse_args()))
