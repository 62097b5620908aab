"""What the load benchmarks share: generated uploads, a fake LLM engine for the server's
worker, clients (WebSocket browsers, pollers, operators, reviewers), per-endpoint latency
records and /proc sampling of the server processes.

Every client loop stops at a deadline, so a run always ends by itself."""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from live_support import (
    CLK_TCK,
    ServerProcess,
    admin_execute,
    percentile,
    process_tree,
    settings_for,
)
from websockets.asyncio.client import connect

from scriptsensei.auth.apikeys import create_api_key
from scriptsensei.auth.permissions import Role
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.samples import SampleOptions, write_samples

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the fake LLM lives in tests/fakes
from tests.fakes.openai_server import spawn  # noqa: E402

FAKE_ENGINE = "fake"


# -- set-up ---------------------------------------------------------------------------------
def sample_files(count: int) -> list[Path]:
    """Clean single-page PNG prescriptions, generated once per run."""
    out = Path(tempfile.mkdtemp(prefix="ss-load-samples-"))
    written = write_samples(out, count, seed=11, options=SampleOptions(profile="clean"))
    return [out / sample.image for sample in written if sample.image.endswith(".png")]


@contextmanager
def fake_llm(samples_dir: Path) -> Iterator[dict[str, str]]:
    """The fake OpenAI-compatible server in its own process; yields the server's env."""
    with spawn(samples_dir, cwd=ROOT) as base_url:
        engine = {
            "name": FAKE_ENGINE,
            "model": "fake/vision",
            "base_url": base_url,
            "api_key_env": None,
            "requires_key": False,
        }
        yield {"SCRIPTSENSEI_LLM_ENGINES": json.dumps([engine]), "SCRIPTSENSEI_LOCAL_ENGINES": "[]"}


async def api_key(database: str, role: Role) -> str:
    db = Database(settings_for(database, Path(tempfile.gettempdir())))
    try:
        async with unit_of_work(db) as session:
            key: str = (await create_api_key(session, f"load-{role}", role)).key
            return key
    finally:
        await db.dispose()


# -- records --------------------------------------------------------------------------------
@dataclass
class Records:
    """Latency (ms) and failures per endpoint label; events; UI update sightings."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    unanswered: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # why requests went unanswered: "label: exception class" -> count
    transport_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    events: int = 0
    ws_open: int = 0  # connected now
    ws_held: int = 0  # connected when the window ended
    ws_failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # seconds from the completed event's timestamp to the browser receiving it (WebSocket)
    pushed: list[float] = field(default_factory=list)
    # (prescription id, epoch seconds) when a poller first saw a row completed
    polled: list[tuple[str, float]] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    still_busy: int = 0  # uploads not yet processed when a load phase gave up waiting

    async def call(
        self, label: str, http: httpx.AsyncClient, method: str, url: str, **kw: Any
    ) -> httpx.Response | None:
        """One request; a transport error or a 4xx/5xx answer counts as an error."""
        started = time.monotonic()
        try:
            response = await http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.errors[label] += 1
            self.unanswered[label] += 1
            self.transport_errors[f"{label}: {type(exc).__name__}"] += 1
            self.statuses[0] += 1
            return None
        self.latency[label].append(1000 * (time.monotonic() - started))
        self.statuses[response.status_code] += 1
        if response.status_code >= 400:
            self.errors[label] += 1
        return response

    def requests(self) -> int:
        return sum(self.statuses.values())

    def error_count(self) -> int:
        return sum(self.errors.values())

    def table(self) -> list[str]:
        lines = [
            "| endpoint | requests | errors | p50 ms | p95 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label in sorted(set(self.latency) | set(self.errors)):
            values = self.latency.get(label, [])
            stats = [f"{percentile(values, q):.0f}" if values else "-" for q in (0.5, 0.95, 0.99)]
            total = len(values) + self.unanswered.get(label, 0)
            lines.append(
                f"| {label} | {total} | {self.errors[label]} | " + " | ".join(stats) + " |"
            )
        return lines


def event_time(message: dict[str, Any]) -> float:
    """The event's timestamp (its transaction's time in PostgreSQL) as epoch seconds."""
    return datetime.fromisoformat(message["timestamp"].replace("Z", "+00:00")).timestamp()


# -- clients --------------------------------------------------------------------------------
async def browser(
    server: ServerProcess, key: str, deadline: float, records: Records, stagger: float = 10.0
) -> None:
    """A browser on /ws, opened at a random moment of the first `stagger` seconds and
    reconnected with exponential backoff (at most 10 attempts), as the web page does.
    Counts messages; completed events give the UI latency."""
    await asyncio.sleep(random.uniform(0, stagger))
    for attempt in range(10):
        if time.monotonic() >= deadline:
            return
        try:
            await _listen(server, key, deadline, records)
            return
        except Exception as exc:  # any failure to connect or stay connected is counted
            records.ws_failures[type(exc).__name__] += 1
        await asyncio.sleep(min(10.0, 2.0**attempt) * random.uniform(0.5, 1.0))


async def _listen(server: ServerProcess, key: str, deadline: float, records: Records) -> None:
    async with connect(server.ws, additional_headers={"X-API-Key": key}, open_timeout=60) as ws:
        records.ws_open += 1
        try:
            while (left := deadline - time.monotonic()) > 0:
                try:
                    raw = await asyncio.wait_for(ws.recv(), timeout=left)
                except TimeoutError:
                    return
                message = json.loads(raw)
                if message.get("type") in ("connected", "ping"):
                    continue
                records.events += 1
                if message.get("type") == "prescription_completed":
                    records.pushed.append(time.time() - event_time(message))
        finally:
            records.ws_open -= 1
            records.ws_held += 1 if time.monotonic() >= deadline else 0


async def operator(
    http: httpx.AsyncClient,
    files: list[Path],
    deadline: float,
    pause: float,
    records: Records,
    limit: list[int],
) -> None:
    """Uploads one generated page, then waits `pause` s (about), until the deadline or the shared upload budget runs out."""
    await asyncio.sleep(random.uniform(0, pause))
    while time.monotonic() < deadline and limit[0] > 0:
        limit[0] -= 1
        path = random.choice(files)
        files_field = {"files": (path.name, path.read_bytes(), "image/png")}
        response = await records.call(
            "POST /api/prescriptions/upload",
            http,
            "POST",
            "/api/prescriptions/upload",
            files=files_field,
            data={"selectedModels": FAKE_ENGINE},
        )
        if response is not None and response.status_code in (201, 207):
            records.uploaded.extend(
                f["id"] for f in response.json().get("files", []) if f.get("id")
            )
        await asyncio.sleep(random.uniform(0.5 * pause, 1.5 * pause))


async def reviewer(
    http: httpx.AsyncClient, deadline: float, pause: float, records: Records
) -> None:
    """Browses the list (up to three pages by cursor), then one prescription's views."""
    await asyncio.sleep(random.uniform(0, pause))
    while time.monotonic() < deadline:
        ids: list[tuple[str, bool]] = []  # (id, has a stored page: the seeded rows have none)
        cursor: str | None = None
        for _ in range(3):
            params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
            response = await records.call(
                "GET /api/prescriptions?limit=50", http, "GET", "/api/prescriptions", params=params
            )
            if response is None or response.status_code != 200:
                break
            ids += [(row["id"], bool(row.get("pageCount"))) for row in response.json()]
            cursor = response.headers.get("X-Next-Cursor")
            if not cursor:
                break
        if ids:
            rx, has_page = random.choice(ids)
            views = ["", "/detail"] + (["/image"] if has_page else [])
            for label, suffix in ((v, v) for v in views):
                await records.call(
                    f"GET /api/prescriptions/{{id}}{label}",
                    http,
                    "GET",
                    f"/api/prescriptions/{rx}{suffix}",
                )
        await asyncio.sleep(random.uniform(0.5 * pause, 1.5 * pause))


async def poller(http: httpx.AsyncClient, deadline: float, records: Records) -> None:
    """The earlier app's browser: both unpaginated lists every 1-5 s, no WebSocket. A row
    first seen completed after being seen otherwise gives the UI latency (from its event)."""
    pending: set[str] = set()
    while time.monotonic() < deadline:
        response = await records.call(
            "GET /api/prescriptions?limit=200",
            http,
            "GET",
            "/api/prescriptions",
            params={"limit": 200},
        )
        await records.call(
            "GET /api/extraction-results?limit=200",
            http,
            "GET",
            "/api/extraction-results",
            params={"limit": 200},
        )
        if response is not None and response.status_code == 200:
            for row in response.json():
                if row["processingStatus"] in ("queued", "processing"):
                    pending.add(row["id"])
                elif row["id"] in pending and row["processingStatus"] == "completed":
                    pending.discard(row["id"])
                    records.polled.append((row["id"], time.time()))
        await asyncio.sleep(random.uniform(1.0, 5.0))


# -- processes ------------------------------------------------------------------------------
@dataclass
class ProcessSample:
    cpu_seconds: float
    rss_mb: float


def sample_process(pid: int) -> ProcessSample:
    """CPU time (user + system) and resident memory of one process, from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return ProcessSample(0.0, 0.0)
    page_mb = 4096 / 1e6
    return ProcessSample((int(stat[11]) + int(stat[12])) / CLK_TCK, rss_pages * page_mb)


def command_of(pid: int) -> str:
    """A short name for the processes a load run starts."""
    try:
        text = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"
    if "uvicorn" in text:
        return "server (uvicorn + embedded worker)"
    if "openai_server" in text:
        return "fake LLM endpoint"
    return "clients (this script)" if pid == os.getpid() else text[-40:]


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(stat[1])


async def postgres_server_pid() -> int | None:
    """The PostgreSQL postmaster's pid when the server runs on this machine (a backend's
    parent), so its CPU and memory can be watched with the rest; None when remote."""
    row = await admin_execute("SELECT pg_backend_pid() AS pid")
    try:
        return parent_of(int(row["pid"]))
    except (OSError, TypeError):
        return None


def postgres_summary(watch: ProcessWatch, seconds: float) -> tuple[float, float, int]:
    """(CPU % of one core of every PostgreSQL process together, the largest peak RSS of
    one of them in MB, how many processes were seen). RSS is not summed: PostgreSQL
    processes share their buffers, which every one of them counts."""
    rows = watch.rows(seconds)
    return sum(r[2] for r in rows), max((r[3] for r in rows), default=0.0), len(rows)


@dataclass
class ProcessWatch:
    """Peak RSS and CPU time used, per process of a tree, between start() and stop()."""

    root: int
    first: dict[int, ProcessSample] = field(default_factory=dict)
    peak_rss: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    last: dict[int, ProcessSample] = field(default_factory=dict)

    def poll(self) -> None:
        for pid in process_tree(self.root):
            sample = sample_process(pid)
            self.first.setdefault(pid, sample)
            self.last[pid] = sample
            self.peak_rss[pid] = max(self.peak_rss[pid], sample.rss_mb)

    async def run(self, deadline: float, every: float = 2.0) -> None:
        while time.monotonic() < deadline:
            self.poll()
            await asyncio.sleep(min(every, max(0.0, deadline - time.monotonic())))
        self.poll()

    def rows(self, seconds: float) -> list[tuple[int, str, float, float]]:
        """(pid, command, CPU % of one core over the window, peak RSS MB)."""
        return [
            (
                pid,
                command_of(pid),
                100 * (self.last[pid].cpu_seconds - self.first[pid].cpu_seconds) / seconds,
                self.peak_rss[pid],
            )
            for pid in self.last
        ]
