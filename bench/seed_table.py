"""The seed's "Performance Metrics" table, measured: (a) the earlier app's behaviour
reproduced with our server (browsers polling both unpaginated lists every 1-5 s, no
WebSocket) and (b) ScriptSensei as built (browsers on /ws, no polling), same server, same
database, same run; then data persistence across a restart and an upgrade.

Phases, each over the same window: (b) idle, (a) idle, (b) under load, (a) under load.
"Under load" adds operators uploading generated prescriptions, read by the fake
OpenAI-compatible engine (tests/fakes) in the server's embedded worker. The table holds at
most 200 rows, so `?limit=200` returns all of it, as the earlier unpaginated list did.
UI update latency: a prescription's completed event (its timestamp, taken in the
committing transaction) to the browser receiving it (b) or a poll first showing it (a).

    .venv/bin/python bench/seed_table.py [--seconds 60] [--clients 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import ws_idle
from live_support import (
    STATS_FLUSH_SECONDS,
    ServerProcess,
    fresh_database,
    percentile,
    seed,
    server_process,
    sqlalchemy_url,
)
from load_support import Records, api_key, browser, fake_llm, operator, poller, sample_files

from scriptsensei.auth.permissions import Role

SEEDED_ROWS = 150
UPLOADS_PER_LOAD_PHASE = 25  # two load phases: at most 200 rows, one list page
CHECKED_TABLES = (
    "prescriptions",
    "documents",
    "document_pages",
    "processing_runs",
    "engine_runs",
    "extraction_results",
    "field_consensus",
    "review_decisions",
)
DRAIN_SECONDS = 240.0
POLL_MAX_SECONDS = 5.0
Activity = Callable[[float], Awaitable[None]]


def dsn(database: str) -> str:
    return sqlalchemy_url(database).replace("postgresql+asyncpg://", "postgresql://")


# -- phases -----------------------------------------------------------------------------------
async def uploads(
    server: ServerProcess, key: str, files: list[Path], window: float, records: Records
) -> None:
    """Five operators share the phase's upload budget, spread over the window; then the
    phase lasts until every upload is processed (bounded), so no work spills into the next."""
    budget = [UPLOADS_PER_LOAD_PHASE]
    pause = window * 5 / UPLOADS_PER_LOAD_PHASE
    async with httpx.AsyncClient(
        base_url=server.http, headers={"X-API-Key": key}, timeout=60
    ) as http:
        deadline = time.monotonic() + window
        await asyncio.gather(
            *(operator(http, files, deadline, pause, records, budget) for _ in range(5))
        )
    records.still_busy = await drained(server.database, DRAIN_SECONDS)
    await asyncio.sleep(POLL_MAX_SECONDS)  # the slowest poller gets one more look


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def websocket_phase(
    server: ServerProcess, keys: dict[str, str], load: Activity | None, args: argparse.Namespace
) -> tuple[dict[str, Any], Records]:
    """(b): browsers connected before the window and held through it."""
    records = Records()
    stagger = 5.0
    deadline = time.monotonic() + 2 * STATS_FLUSH_SECONDS + args.seconds + DRAIN_SECONDS + 30
    browsers = [
        asyncio.create_task(browser(server, keys["viewer"], deadline, records, stagger))
        for _ in range(args.clients)
    ]
    await asyncio.sleep(stagger + 1)

    async def activity(window: float) -> None:
        await (load(window) if load else asyncio.sleep(window))

    result = await ws_idle.measure(server, server.database, args.seconds, activity)
    await stop(browsers)
    return result, records


async def polling_phase(
    server: ServerProcess, keys: dict[str, str], load: Activity | None, args: argparse.Namespace
) -> tuple[dict[str, Any], Records]:
    """(a): browsers polling both lists every 1-5 s during the window."""
    records = Records()

    async def activity(window: float) -> None:
        limits = httpx.Limits(max_connections=args.clients)
        async with httpx.AsyncClient(
            base_url=server.http, headers={"X-API-Key": keys["viewer"]}, limits=limits, timeout=60
        ) as http:
            # Under load the pollers poll until the uploads are processed (bounded).
            deadline = time.monotonic() + window + (DRAIN_SECONDS + 30 if load else 0)
            pollers = [
                asyncio.create_task(poller(http, deadline, records)) for _ in range(args.clients)
            ]
            if load:
                await load(window)
                await stop(pollers)
            else:
                await asyncio.gather(*pollers)

    result = await ws_idle.measure(server, server.database, args.seconds, activity)
    return result, records


async def polled_latencies(database: str, records: Records) -> list[float]:
    """Seconds from each completed event to the first poll that showed the row completed."""
    conn = await asyncpg.connect(dsn(database))
    try:
        rows = await conn.fetch(
            "SELECT prescription_id, created_at FROM events WHERE type = 'prescription_completed'"
        )
    finally:
        await conn.close()
    committed = {row["prescription_id"]: row["created_at"].timestamp() for row in rows}
    return [seen - committed[rx] for rx, seen in records.polled if rx in committed]


# -- persistence ------------------------------------------------------------------------------
async def snapshot(database: str) -> dict[str, tuple[int, str]]:
    """Row count and an md5 of every row's text, per table."""
    conn = await asyncpg.connect(dsn(database))
    try:
        out = {}
        for table in CHECKED_TABLES:
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM {table} t"
            )
            out[table] = (int(row["n"]), str(row["sum"]))
        return out
    finally:
        await conn.close()


async def drained(database: str, seconds: float) -> int:
    """Waits (bounded) until no prescription is queued or processing; returns how many still are."""
    deadline = time.monotonic() + seconds
    while True:
        conn = await asyncpg.connect(dsn(database))
        try:
            busy = int(
                await conn.fetchval(
                    "SELECT count(*) FROM prescriptions WHERE processing_status IN ('queued', 'processing')"
                )
            )
        finally:
            await conn.close()
        if busy == 0 or time.monotonic() > deadline:
            return busy
        await asyncio.sleep(2)


def cli_upgrade(database: str) -> str:
    """`scriptsensei db upgrade` against the benchmark's database, as a redeploy runs it."""
    env = {
        **os.environ,
        "SCRIPTSENSEI_DATABASE_URL": sqlalchemy_url(database),
        "SCRIPTSENSEI_ENV": "test",
    }
    command = [str(Path(sys.executable).with_name("scriptsensei")), "db", "upgrade"]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return f"exit {done.returncode}: {(done.stdout + done.stderr).strip().splitlines()[-1:]}"


def compare(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> str:
    changed = [t for t in before if before[t] != after[t]]
    rows = before["prescriptions"][0]
    if not changed:
        return f"kept: {rows} of {rows} prescriptions, all {len(before)} tables' checksums equal"
    return f"CHANGED: {', '.join(f'{t} {before[t][0]} -> {after[t][0]}' for t in changed)}"


# -- report -----------------------------------------------------------------------------------
def per_minute(result: dict[str, Any], key: str) -> float:
    return float(result[key]) * 60 / float(result["seconds"])


def ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b > 0 else ("no activity in (b)" if a > 0 else "-")


def latency(values: list[float]) -> str:
    if not values:
        return "none seen"
    return f"p50 {1000 * percentile(values, 0.5):.0f} ms, p99 {1000 * percentile(values, 0.99):.0f} ms (n={len(values)})"


def table(m: dict[str, Any], persistence: dict[str, str], args: argparse.Namespace) -> list[str]:
    db_key = "statements" if "statements" in m["b_idle"] else "transactions"
    lines = [
        f"| metric | (a) earlier app's behaviour: {args.clients} browsers polling 1-5 s | (b) ScriptSensei: {args.clients} browsers on /ws | a / b | seed: before / after |",
        "|---|---:|---:|---:|---|",
    ]
    for phase, seed_text in (("idle", "90-100% / 5-20%"), ("load", "")):
        a, b = m[f"a_{phase}"], m[f"b_{phase}"]
        label = "idle" if phase == "idle" else f"under load ({UPLOADS_PER_LOAD_PHASE} uploads)"
        lines.append(
            f"| server CPU, % of one core, {label} | {a['cpu_percent_of_a_core']:.1f} | {b['cpu_percent_of_a_core']:.1f} | {ratio(a['cpu_percent_of_a_core'], b['cpu_percent_of_a_core'])} | {seed_text} |"
        )
    for phase, seed_text in (("idle", "120+ / ~5-10 queries"), ("load", "")):
        a, b = per_minute(m[f"a_{phase}"], db_key), per_minute(m[f"b_{phase}"], db_key)
        label = "idle" if phase == "idle" else "under load"
        lines.append(
            f"| DB {db_key} per minute, {label} | {a:.0f} | {b:.0f} | {ratio(a, b)} | {seed_text} |"
        )
    a_lat, b_lat = m["a_latency"], m["b_latency"]
    lat_ratio = ratio(percentile(a_lat, 0.5), percentile(b_lat, 0.5)) if a_lat and b_lat else "-"
    lines.append(
        f"| UI update latency (completed event -> browser) | {latency(a_lat)} | {latency(b_lat)} | {lat_ratio} (p50) | 1-5 s / <100 ms |"
    )
    lines.append(
        f"| data across a restart (SIGTERM, start) | not reproduced (same code as b) | {persistence['restart']} | - | lost on updates / survives |"
    )
    lines.append(
        f"| data across an upgrade (`scriptsensei db upgrade`, start) | lost (the seed's own report: schema push) | {persistence['upgrade']} | - | lost on updates / survives |"
    )
    return lines


# -- main -------------------------------------------------------------------------------------
async def phases(
    server: ServerProcess, keys: dict[str, str], files: list[Path], args: argparse.Namespace
) -> dict[str, Any]:
    m: dict[str, Any] = {}
    load_records = Records()

    async def load(window: float) -> None:
        await uploads(server, keys["operator"], files, window, load_records)

    m["b_idle"], b_idle = await websocket_phase(server, keys, None, args)
    m["a_idle"], a_idle = await polling_phase(server, keys, None, args)
    m["b_load"], b_load = await websocket_phase(server, keys, load, args)
    m["a_load"], a_load = await polling_phase(server, keys, load, args)
    m["b_latency"] = b_load.pushed
    m["a_latency"] = await polled_latencies(server.database, a_load)
    for name, rec in (
        ("b idle", b_idle),
        ("a idle", a_idle),
        ("b load", b_load),
        ("a load", a_load),
    ):
        print(
            f"{name}: requests {rec.requests()} (errors {rec.error_count()}, by status {dict(rec.statuses)}), websockets held {rec.ws_held}, failures {dict(rec.ws_failures)}, events {rec.events}"
        )
    print(
        f"uploads accepted {len(load_records.uploaded)}, failed {load_records.error_count()}, "
        f"unprocessed after a load phase {load_records.still_busy}"
    )
    return m


async def persistence_checks(database: str, env: dict[str, str]) -> dict[str, str]:
    first = await snapshot(database)
    async with server_process(database, **env):  # the restart: the first server got SIGTERM
        restarted = await snapshot(database)
    upgrade = cli_upgrade(database)
    async with server_process(database, **env):
        upgraded = await snapshot(database)
    print(f"db upgrade: {upgrade}")
    return {"restart": compare(first, restarted), "upgrade": compare(first, upgraded)}


async def main(args: argparse.Namespace) -> None:
    files = sample_files(4)
    print(f"load average at the start: {os.getloadavg()}")
    with fake_llm(files[0].parent) as env:
        async with fresh_database("bench_seed_table") as database:
            ws_idle.COUNT_STATEMENTS = await ws_idle.statement_count(database) is not None
            viewer, _ = await seed(database, SEEDED_ROWS)
            keys = {"viewer": viewer, "operator": await api_key(database, Role.OPERATOR)}
            async with server_process(database, **env) as server:
                measured = await phases(server, keys, files, args)
                print(f"still queued or processing at the end: {await drained(database, 60)}")
            persistence = await persistence_checks(database, env)
    source = (
        "pg_stat_statements"
        if ws_idle.COUNT_STATEMENTS
        else "pg_stat_database transactions (pg_stat_statements is not loaded)"
    )
    print(
        f"window {args.seconds:.0f} s per phase; database activity from {source}; load average at the end: {os.getloadavg()}"
    )
    print()
    print("\n".join(table(measured, persistence, args)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="window per phase")
    parser.add_argument("--clients", type=int, default=50)
    asyncio.run(main(parser.parse_args()))
