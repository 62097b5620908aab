"""What the live-event benchmarks share: a fresh PostgreSQL database, seeded rows, an API
key, our server in its own process (uvicorn, 127.0.0.1 only), and its CPU time and the
database's counters read from outside."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import Prescription

ADMIN_DSN = os.environ.get(
    "SCRIPTSENSEI_BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CLK_TCK = os.sysconf("SC_CLK_TCK")
# PostgreSQL 15 flushes a backend's statistics at most every 10 s when it goes idle: wait
# this long before reading counters, so that both readings include everything before them.
STATS_FLUSH_SECONDS = 11.0

SAMPLE_DATA: dict[str, Any] = {
    "patientDetails": {"patientName": "A. Kumar", "age": "54", "gender": "M"},
    "clinicalDetails": {"diagnosis": "Type 2 diabetes", "chiefComplaints": "fatigue"},
    "medications": [
        {"drugName": "Metformin", "strength": "500 mg", "frequency": "BD", "duration": "30 days"},
        {"drugName": "Glimepiride", "strength": "1 mg", "frequency": "OD", "duration": "30 days"},
    ],
    "doctorDetails": {"doctorName": "Dr. R. Iyer", "registrationNo": "KMC 12345"},
}


def sqlalchemy_url(database: str) -> str:
    base = ADMIN_DSN.rsplit("/", 1)[0]
    return f"{base}/{database}".replace("postgresql://", "postgresql+asyncpg://", 1)


@asynccontextmanager
async def fresh_database(prefix: str) -> AsyncIterator[str]:
    """A new, migrated PostgreSQL database; yields its name; dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await admin_execute(f'CREATE DATABASE "{name}"')
    try:
        db = Database(settings_for(name, Path(tempfile.gettempdir())))
        await migrate.upgrade(db)
        await db.dispose()
        yield name
    finally:
        await admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def admin_execute(sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(ADMIN_DSN, timeout=10)
    try:
        return await conn.fetchrow(sql, *args)
    finally:
        await conn.close()


def settings_for(database: str, data_dir: Path) -> Settings:
    return Settings(env="test", database_url=sqlalchemy_url(database), data_dir=data_dir)


async def seed(database: str, prescriptions: int) -> tuple[str, list[str]]:
    """`prescriptions` completed rows with extracted data, and a viewer API key."""
    db = Database(settings_for(database, Path(tempfile.gettempdir())))
    try:
        async with unit_of_work(db) as session:
            rows = [
                Prescription(
                    file_name=f"rx-{i:05d}.jpg",
                    file_size="182734",
                    processing_status="completed",
                    extracted_data=SAMPLE_DATA,
                )
                for i in range(prescriptions)
            ]
            session.add_all(rows)
            key = await create_api_key(session, "bench", Role.VIEWER)
        return key.key, [row.id for row in rows]
    finally:
        await db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    database: str

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@asynccontextmanager
async def server_process(database: str, **env: str) -> AsyncIterator[ServerProcess]:
    """Our server (one uvicorn process) on a free local port, on `database`."""
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="ss-bench-"))
    environment = {
        **os.environ,
        "SCRIPTSENSEI_ENV": "test",
        "SCRIPTSENSEI_DATABASE_URL": sqlalchemy_url(database),
        "SCRIPTSENSEI_DATA_DIR": str(work / "data"),
        "SCRIPTSENSEI_LLM_ENGINES": "[]",
        "SCRIPTSENSEI_LOG_LEVEL": "WARNING",
        **env,
    }
    log_path = work / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "scriptsensei.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=work,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(process, port, log_path, database)
    try:
        await _wait_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


async def _wait_ready(server: ServerProcess, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"the server exited: see {server.log_path}")
            try:
                if (await client.get(f"{server.http}/api/health", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the server did not become ready: see {server.log_path}")


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants, from /proc/<pid>/stat."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


async def database_counters(database: str) -> dict[str, int]:
    """Cumulative counters of one database from pg_stat_database, read over a connection
    to another database so the reading itself is not counted."""
    row = await admin_execute(
        "SELECT xact_commit + xact_rollback AS transactions, tup_returned, tup_fetched, "
        "sessions FROM pg_stat_database WHERE datname = $1",
        database,
    )
    return {
        key: int(row[key]) for key in ("transactions", "tup_returned", "tup_fetched", "sessions")
    }


def difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before[key] for key in after}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
