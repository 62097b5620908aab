"""Idle cost with browsers connected: database statements and server CPU.

Ours: N WebSocket clients connected to /ws for the window, nothing happening.
Baseline (the earlier app's behaviour reproduced with our server): N clients polling the
list every 2 s instead. The list is `GET /api/prescriptions?limit=200` with 200 rows in the
table, so every poll returns the whole table, as the earlier unpaginated list did.

Both phases run against the same server process (uvicorn, 127.0.0.1, PostgreSQL). Database
activity comes from pg_stat_statements when it is loaded, else from pg_stat_database
(transactions, rows returned and fetched) of the benchmark's own database; the script says
which. CPU is user+system time of the server process tree from /proc/<pid>/stat.

    .venv/bin/python bench/ws_idle.py --seconds 60 --clients 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from typing import Any

import asyncpg
import httpx
from live_support import (
    STATS_FLUSH_SECONDS,
    ServerProcess,
    cpu_seconds,
    database_counters,
    difference,
    fresh_database,
    seed,
    server_process,
    sqlalchemy_url,
)
from websockets.asyncio.client import ClientConnection, connect

ROWS = 200
POLL_SECONDS = 2.0
COUNT_STATEMENTS = False  # set at start when pg_stat_statements answers


async def statement_count(database: str) -> int | None:
    """Statements recorded by pg_stat_statements for `database`, or None when the
    extension is not loaded (it needs shared_preload_libraries)."""
    dsn = sqlalchemy_url(database).replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        value = await conn.fetchval(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1 "
            "AND s.query NOT ILIKE '%pg_stat_statements%'",
            database,
        )
        return int(value)
    except asyncpg.PostgresError:
        return None
    finally:
        await conn.close()


async def measure(
    server: ServerProcess, database: str, seconds: float, activity: Any
) -> dict[str, Any]:
    """Counters and CPU over `seconds` while `activity` runs; quiet periods around it."""
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    statements_before = await statement_count(database) if COUNT_STATEMENTS else None
    before, cpu_before, started = (
        await database_counters(database),
        cpu_seconds(server.process.pid),
        time.monotonic(),
    )
    await activity(seconds)
    elapsed = time.monotonic() - started
    cpu_used = cpu_seconds(server.process.pid) - cpu_before
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    counters: dict[str, Any] = difference(await database_counters(database), before)
    statements_after = await statement_count(database) if COUNT_STATEMENTS else None
    if statements_before is not None and statements_after is not None:
        counters["statements"] = statements_after - statements_before
    counters["cpu_percent_of_a_core"] = round(100 * cpu_used / elapsed, 2)
    counters["seconds"] = round(elapsed, 1)
    return counters


async def idle_websockets(
    server: ServerProcess, key: str, clients: int, seconds: float
) -> tuple[dict[str, Any], int]:
    sockets: list[ClientConnection] = []
    try:
        for _ in range(clients):
            ws = await connect(server.ws, additional_headers={"X-API-Key": key}, open_timeout=20)
            sockets.append(ws)
            assert json.loads(await ws.recv())["type"] == "connected"

        async def hold(window: float) -> None:
            await asyncio.sleep(window)  # clients stay connected; pings are answered by the library

        result = await measure(server, server.database, seconds, hold)
        still_open = sum(1 for ws in sockets if ws.state.name == "OPEN")
        return result, still_open
    finally:
        for ws in sockets:
            await ws.close()


async def polling(
    server: ServerProcess, key: str, clients: int, seconds: float
) -> tuple[dict[str, Any], dict[int, int]]:
    statuses: dict[int, int] = {}  # HTTP status (0: connection error) -> responses

    async def poller(http: httpx.AsyncClient, window: float) -> None:
        deadline = time.monotonic() + window
        await asyncio.sleep(random.uniform(0, POLL_SECONDS))  # browsers opened at different times
        while time.monotonic() < deadline:
            try:
                response = await http.get("/api/prescriptions", params={"limit": ROWS})
                status = response.status_code
                if status == 200:
                    assert len(response.json()) == ROWS
            except httpx.TransportError:  # e.g. a keep-alive connection closed under load
                status = 0
            statuses[status] = statuses.get(status, 0) + 1
            await asyncio.sleep(POLL_SECONDS)

    async def run(window: float) -> None:
        limits = httpx.Limits(max_connections=clients)
        async with httpx.AsyncClient(
            base_url=server.http, headers={"X-API-Key": key}, limits=limits, timeout=60
        ) as http:
            await asyncio.gather(*(poller(http, window) for _ in range(clients)))

    result = await measure(server, server.database, seconds, run)
    return result, statuses


def per_minute(result: dict[str, Any], key: str) -> float:
    return round(float(result[key]) * 60 / float(result["seconds"]), 1)


def report(
    ours: dict[str, Any],
    open_after: int,
    baseline: dict[str, Any],
    statuses: dict[int, int],
    args: argparse.Namespace,
) -> None:
    source = (
        "pg_stat_statements"
        if "statements" in ours
        else "pg_stat_database (pg_stat_statements is not loaded)"
    )
    print(f"clients={args.clients} window={args.seconds}s rows_in_list={ROWS} counting={source}")
    keys = ["statements"] if "statements" in ours else []
    keys += ["transactions", "tup_returned", "tup_fetched", "sessions"]
    print(f"{'':34}{'baseline (polling 2 s)':>26}{'ours (WebSocket, idle)':>26}")
    for key in keys:
        print(f"{key + ' in window':34}{baseline[key]:>26}{ours[key]:>26}")
        print(f"{key + ' per minute':34}{per_minute(baseline, key):>26}{per_minute(ours, key):>26}")
    print(
        f"{'server CPU, % of one core':34}{baseline['cpu_percent_of_a_core']:>26}{ours['cpu_percent_of_a_core']:>26}"
    )
    answered = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
    print(f"{'list requests (by HTTP status)':34}{answered:>26}{'none':>26}")
    print(f"{'WebSockets still open at the end':34}{'-':>26}{open_after:>26}")


async def main(args: argparse.Namespace) -> None:
    global COUNT_STATEMENTS
    async with fresh_database("bench_ws_idle") as database:
        # Probed once, before the server starts: no reading connection inside a window.
        COUNT_STATEMENTS = await statement_count(database) is not None
        key, _ = await seed(database, ROWS)
        async with server_process(database) as server:
            ours, open_after = await idle_websockets(server, key, args.clients, args.seconds)
            baseline, statuses = await polling(server, key, args.clients, args.seconds)
    report(ours, open_after, baseline, statuses, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measurement window per phase")
    parser.add_argument("--clients", type=int, default=50)
    asyncio.run(main(parser.parse_args()))
