"""Push latency: a status change committed -> the message received by every client.

A prescription's status is updated and its event published in one transaction by this
process; the commit's wall-clock time is taken when the commit returns. Clients (200 by
default) run in a separate process and stamp each message on arrival; the difference is
the latency of one delivery. Scenarios, all on PostgreSQL, servers on 127.0.0.1:
- one instance: one uvicorn process, every client connected to it;
- two instances: two uvicorn processes on one database, clients split between them, the
  publisher (this process) a third process;
- baseline (the earlier app's behaviour reproduced with our server): clients polling the
  list every 2 s; the latency is commit -> the first poll that shows the new status.

    .venv/bin/python bench/push_latency.py --events 100 --clients 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from live_support import (
    ServerProcess,
    fresh_database,
    percentile,
    seed,
    server_process,
    settings_for,
)
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect

from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.events.publish import publish
from scriptsensei.events.types import EventType
from scriptsensei.models import Prescription

STATUSES = [
    (EventType.PRESCRIPTION_PROCESSING, "processing"),
    (EventType.PRESCRIPTION_COMPLETED, "completed"),
]
POLL_SECONDS = 2.0
CLIENT_DEADLINE_SECONDS = 120.0


async def change_status(db: Database, prescription_id: str, index: int) -> tuple[int, float]:
    """One status change and its event, committed together; (seq, commit wall time)."""
    event_type, status = STATUSES[index % len(STATUSES)]
    async with unit_of_work(db) as session:
        await session.execute(
            update(Prescription)
            .where(Prescription.id == prescription_id)
            .values(processing_status=status)
        )
        record = await publish(session, event_type, prescription_id, status=status)
    return record.seq, time.time()


# ---- the client process -------------------------------------------------------------


async def run_clients(urls: list[str], key: str, clients: int, events: int, out: Path) -> None:
    sockets: list[ClientConnection] = []
    for index in range(clients):
        url = urls[index % len(urls)]
        ws = await connect(url, additional_headers={"X-API-Key": key}, open_timeout=30)
        assert json.loads(await ws.recv())["type"] == "connected"
        sockets.append(ws)
    print("READY", flush=True)
    arrivals: dict[int, list[float]] = {}
    await asyncio.gather(*(collect(ws, events, arrivals) for ws in sockets))
    out.write_text(json.dumps(arrivals))
    for ws in sockets:
        await ws.close()


async def collect(ws: ClientConnection, events: int, arrivals: dict[int, list[float]]) -> None:
    received = 0
    deadline = time.monotonic() + CLIENT_DEADLINE_SECONDS
    while received < events and time.monotonic() < deadline:
        try:
            raw = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            return
        arrived = time.time()
        message = json.loads(raw)
        if "prescriptionId" in message:
            arrivals.setdefault(message["seq"], []).append(arrived)
            received += 1


# ---- the publisher (this process) ---------------------------------------------------


async def push_scenario(
    servers: list[ServerProcess], key: str, rx_ids: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    out = Path(tempfile.mkstemp(prefix="ss-push-", suffix=".json")[1])
    urls = ",".join(server.ws for server in servers)
    command = [
        sys.executable,
        __file__,
        "--client-role",
        "--urls",
        urls,
        "--key",
        key,
        "--clients",
        str(args.clients),
        "--events",
        str(args.events),
        "--out",
        str(out),
    ]
    clients = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert clients.stdout is not None
    ready = await asyncio.to_thread(clients.stdout.readline)
    if ready.strip() != "READY":
        raise RuntimeError("the client process did not connect its clients")
    db = Database(settings_for(servers[0].database, Path(tempfile.gettempdir())))
    commits: dict[int, float] = {}
    try:
        for index in range(args.events):
            seq, committed = await change_status(db, rx_ids[index % len(rx_ids)], index)
            commits[seq] = committed
            await asyncio.sleep(args.interval)
    finally:
        await db.dispose()
    await asyncio.to_thread(clients.wait, CLIENT_DEADLINE_SECONDS + 30)
    arrivals = {int(seq): times for seq, times in json.loads(out.read_text()).items()}
    return summarise(commits, arrivals, args.clients)


def summarise(
    commits: dict[int, float], arrivals: dict[int, list[float]], clients: int
) -> dict[str, Any]:
    latencies = [
        (arrived - commits[seq]) * 1000
        for seq, times in arrivals.items()
        if seq in commits
        for arrived in times
    ]
    expected = len(commits) * clients
    return {
        "deliveries": len(latencies),
        "expected": expected,
        "p50_ms": round(percentile(latencies, 0.50), 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 2) if latencies else None,
        "max_ms": round(max(latencies), 2) if latencies else None,
    }


async def polling_baseline(
    server: ServerProcess, key: str, rx_ids: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """Pollers every 2 s; latency = commit -> first poll showing the new status."""
    target = rx_ids[-1]
    seen: dict[int, dict[int, float]] = {}  # change index -> poller -> when seen
    current: dict[str, Any] = {"index": -1, "status": None}
    stop = asyncio.Event()

    async def poller(number: int, http: httpx.AsyncClient) -> None:
        await asyncio.sleep(random.uniform(0, POLL_SECONDS))
        while not stop.is_set():
            rows = (await http.get("/api/prescriptions", params={"limit": 200})).json()
            status = next(row["processingStatus"] for row in rows if row["id"] == target)
            if current["index"] >= 0 and status == current["status"]:
                seen.setdefault(current["index"], {}).setdefault(number, time.time())
            await asyncio.sleep(POLL_SECONDS)

    db = Database(settings_for(server.database, Path(tempfile.gettempdir())))
    commits: dict[int, float] = {}
    limits = httpx.Limits(max_connections=args.pollers)
    async with httpx.AsyncClient(
        base_url=server.http, headers={"X-API-Key": key}, limits=limits, timeout=30
    ) as http:
        tasks = [asyncio.create_task(poller(n, http)) for n in range(args.pollers)]
        try:
            await asyncio.sleep(POLL_SECONDS)
            for index in range(args.baseline_changes):
                current["status"] = STATUSES[index % len(STATUSES)][1]
                _, commits[index] = await change_status(db, target, index)
                current["index"] = index
                await asyncio.sleep(POLL_SECONDS + 1.0)
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            await db.dispose()
    latencies = [
        (when - commits[index]) * 1000 for index, by in seen.items() for when in by.values()
    ]
    return {
        "deliveries": len(latencies),
        "expected": args.baseline_changes * args.pollers,
        "p50_ms": round(percentile(latencies, 0.50), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
    }


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"clients={args.clients} events={args.events} interval={args.interval}s pollers={args.pollers}"
    )
    print(f"{'scenario':44}{'delivered':>16}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, row in results.items():
        delivered = f"{row['deliveries']}/{row['expected']}"
        print(
            f"{name:44}{delivered:>16}{row['p50_ms']!s:>10}{row['p99_ms']!s:>10}{row['max_ms']!s:>10}"
        )


async def main(args: argparse.Namespace) -> None:
    results: dict[str, dict[str, Any]] = {}
    async with fresh_database("bench_push") as database:
        key, rx_ids = await seed(database, 200)
        async with server_process(database) as first:
            if not args.skip_baseline:
                results["baseline: polling the list every 2 s"] = await polling_baseline(
                    first, key, rx_ids, args
                )
            results["ours: one instance"] = await push_scenario([first], key, rx_ids, args)
            async with server_process(database) as second:
                results["ours: two instances, publisher in a third"] = await push_scenario(
                    [first, second], key, rx_ids, args
                )
    report(results, args)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--events", type=int, default=100, help="status changes per scenario")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between changes")
    parser.add_argument("--pollers", type=int, default=50, help="baseline: polling clients")
    parser.add_argument("--baseline-changes", type=int, default=5)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--client-role", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--urls", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.client_role:
        asyncio.run(
            run_clients(
                arguments.urls.split(","),
                arguments.key,
                arguments.clients,
                arguments.events,
                arguments.out,
            )
        )
    else:
        asyncio.run(main(arguments))
