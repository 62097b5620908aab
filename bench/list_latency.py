"""List latency at scale: `GET /api/prescriptions?limit=50` on a PostgreSQL database of
100k prescriptions and 3M result rows, page 1 against page 1000 (keyset cursor), plus
requests per second, and the OFFSET query an offset-paginated list would run, for contrast.

    .venv/bin/python bench/fill_database.py postgresql://postgres@127.0.0.1/scriptsensei_bench
    .venv/bin/python bench/list_latency.py postgresql://postgres@127.0.0.1/scriptsensei_bench

The server runs in its own process (uvicorn, workers off) on 127.0.0.1; requests are
bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.tcp_proxy import free_port

FILTERS = {
    "status=completed": {"status": "completed"},
    "needsReview=true": {"needsReview": "true"},
    "q=Priya (file, patient, drug)": {"q": "Priya"},
    "engine=tesseract": {"engine": "tesseract"},
}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def make_key(dsn: str, role: str = "viewer") -> str:
    from scriptsensei.auth.apikeys import create_api_key
    from scriptsensei.auth.permissions import Role
    from scriptsensei.core.db import Database
    from scriptsensei.core.settings import Settings
    from scriptsensei.core.transaction import unit_of_work

    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    db = Database(Settings(database_url=url, data_dir=Path("/tmp")), url)
    async with unit_of_work(db) as session:
        created = await create_api_key(session, name="bench", role=Role(role))
    await db.dispose()
    return created.key


def start_server(dsn: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SCRIPTSENSEI_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        "SCRIPTSENSEI_DATA_DIR": str(data_dir),
        "SCRIPTSENSEI_EMBEDDED_WORKERS": "false",
        "SCRIPTSENSEI_LOG_LEVEL": "WARNING",
        "SCRIPTSENSEI_PORT": str(port),
    }
    exe = Path(sys.executable).parent / "scriptsensei"
    return subprocess.Popen(
        [str(exe), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(120):
        try:
            if (await client.get("/api/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError("server did not start")


async def timed(client: httpx.AsyncClient, params: dict[str, str]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = await client.get("/api/prescriptions", params=params)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response


async def cursor_of_page(
    client: httpx.AsyncClient, page: int, filters: dict[str, str] | None = None
) -> str:
    cursor = ""
    for _ in range(page - 1):
        params = {"limit": "50", **(filters or {}), **({"cursor": cursor} if cursor else {})}
        _, response = await timed(client, params)
        following = response.headers.get("X-Next-Cursor")
        if following is None:  # a filter with fewer pages: its last one
            return cursor
        cursor = following
    return cursor


async def measure(client: httpx.AsyncClient, params: dict[str, str], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        elapsed, response = await timed(client, params)
        assert len(response.json()) == 50
        samples.append(elapsed)
    return samples


async def throughput(client: httpx.AsyncClient, seconds: float, concurrency: int) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await timed(client, {"limit": "50"})
            done += 1

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return done / seconds


def wrk_throughput(url: str, key: str, seconds: float, connections: int) -> str | None:
    """Requests per second and latency percentiles from `wrk` (Debian package `wrk`), or
    None when it is not installed."""
    if shutil.which("wrk") is None:
        return None
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
         "-H", f"X-API-Key: {key}", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    wanted = ("Requests/sec", "50%", "90%", "99%", "Non-2xx", "Socket errors")
    return "; ".join(
        " ".join(line.split())
        for line in result.stdout.splitlines()
        if line.strip().startswith(wanted)
    )


async def filtered_p95(client: httpx.AsyncClient, requests: int) -> list[str]:
    """Page 1 and page 20 of filtered lists: what the filters cost (they use no cursor
    column of their own)."""
    lines = []
    for label, params in FILTERS.items():
        first = await measure_any(client, {"limit": "50", **params}, requests)
        cursor = await cursor_of_page(client, 20, params)
        later = await measure_any(client, {"limit": "50", "cursor": cursor, **params}, requests)
        lines.append(
            f"filter {label}: page 1 p95 {percentile(first, 95):.1f} ms, "
            f"page 20 p95 {percentile(later, 95):.1f} ms"
        )
    return lines


async def measure_any(client: httpx.AsyncClient, params: dict[str, str], count: int) -> list[float]:
    return [(await timed(client, params))[0] for _ in range(count)]


async def offset_query_ms(dsn: str, offset: int, runs: int = 20) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await conn.fetch(
                "SELECT id, file_name, uploaded_at, processing_status FROM prescriptions "
                "ORDER BY uploaded_at DESC, id DESC OFFSET $1 LIMIT 50",
                offset,
            )
            samples.append((time.perf_counter() - started) * 1000)
        return percentile(samples, 95)
    finally:
        await conn.close()


async def run(dsn: str, requests: int, seconds: float) -> None:
    key = await make_key(dsn)
    port = free_port()
    server = start_server(dsn, port, Path("/tmp/scriptsensei-bench-list"))
    headers = {"X-API-Key": key}
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30
        ) as client:
            await wait_ready(client)
            await measure(client, {"limit": "50"}, 20)  # warm-up
            first = await measure(client, {"limit": "50"}, requests)
            cursor = await cursor_of_page(client, 1000)
            later = await measure(client, {"limit": "50", "cursor": cursor}, requests)
            rps = await throughput(client, seconds, 8)
            filtered = await filtered_p95(client, max(20, requests // 5))
            wrk = wrk_throughput(
                f"http://127.0.0.1:{port}/api/prescriptions?limit=50", key, seconds, 16
            )
    finally:
        server.terminate()
        server.wait(30)
    offset = await offset_query_ms(dsn, 999 * 50)
    p95_first, p95_later = percentile(first, 95), percentile(later, 95)
    print(
        f"page 1:    p50 {statistics.median(first):.1f} ms  p95 {p95_first:.1f} ms  ({requests} requests)"
    )
    print(
        f"page 1000: p50 {statistics.median(later):.1f} ms  p95 {p95_later:.1f} ms  ({requests} requests)"
    )
    print(f"ratio page 1000 / page 1 (p95): {p95_later / p95_first:.2f}")
    print(
        f"throughput: {rps:.0f} requests/s (8 concurrent clients, {seconds:.0f} s, one server process)"
    )
    print(f"wrk, 16 connections, {seconds:.0f} s: {wrk or 'not installed (apt install wrk)'}")
    print("\n".join(filtered))
    print(f"for contrast, OFFSET pagination to page 1000 in SQL alone: p95 {offset:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dsn")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    asyncio.run(run(args.dsn, args.requests, args.seconds))


if __name__ == "__main__":
    main()
