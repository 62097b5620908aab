"""Mixed load: 200 browsers on /ws, 20 operators uploading, 10 reviewers browsing.

Our server (one uvicorn process on 127.0.0.1, with its embedded worker) on a fresh
PostgreSQL database created and dropped here; the worker reads each upload with the fake
OpenAI-compatible engine from tests/fakes (its own process), so processing is real but
cheap. Prints error rate, p50/p95/p99 per endpoint, CPU and peak RSS per process (from
/proc), database statements (or transactions) per minute and events delivered.

    .venv/bin/python bench/load_scenario.py [--seconds 300] [--browsers 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

import httpx
from live_support import (
    STATS_FLUSH_SECONDS,
    database_counters,
    difference,
    fresh_database,
    percentile,
    seed,
    server_process,
)
from load_support import (
    ProcessWatch,
    Records,
    api_key,
    browser,
    fake_llm,
    operator,
    postgres_server_pid,
    postgres_summary,
    reviewer,
    sample_files,
)
from ws_idle import statement_count

from scriptsensei.auth.permissions import Role


async def run_clients(
    server: Any, keys: dict[str, str], files: list[Any], args: argparse.Namespace
) -> tuple[Records, float]:
    records = Records()
    deadline = time.monotonic() + args.seconds
    limits = httpx.Limits(max_connections=args.operators + args.reviewers)

    def client(key: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=server.http, headers={"X-API-Key": key}, limits=limits, timeout=60
        )

    budget = [args.max_uploads]
    started = time.monotonic()
    async with client(keys["operator"]) as ops, client(keys["reviewer"]) as rev:
        await asyncio.gather(
            *(
                browser(server, keys["viewer"], deadline, records, args.connect_over)
                for _ in range(args.browsers)
            ),
            *(
                operator(ops, files, deadline, args.upload_pause, records, budget)
                for _ in range(args.operators)
            ),
            *(reviewer(rev, deadline, args.browse_pause, records) for _ in range(args.reviewers)),
        )
    return records, time.monotonic() - started


def report(
    records: Records,
    watches: tuple[ProcessWatch, ProcessWatch | None],
    db: dict[str, Any],
    seconds: float,
    args: argparse.Namespace,
) -> None:
    watch, postgres = watches
    load = os.getloadavg()
    print(
        f"window {seconds:.0f} s; browsers {args.browsers}, operators {args.operators}, reviewers {args.reviewers}; load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    total, failed = records.requests(), records.error_count()
    print(
        f"HTTP requests {total}, errors {failed} ({100 * failed / max(1, total):.2f} %); by status {dict(sorted(records.statuses.items()))}"
    )
    if records.transport_errors:
        print(f"unanswered requests: {dict(records.transport_errors)}")
    print(
        f"uploads accepted {len(records.uploaded)}; WebSockets connected at the end {records.ws_held} of {args.browsers}, failed connects/drops {dict(records.ws_failures)}; events delivered {records.events}"
    )
    if records.pushed:
        pushed = sorted(records.pushed)
        print(
            f"completed event -> browser: p50 {1000 * percentile(pushed, 0.5):.0f} ms, p99 {1000 * percentile(pushed, 0.99):.0f} ms ({len(pushed)} deliveries)"
        )
    print()
    print("\n".join(records.table()))
    print()
    print("| process | CPU, % of one core | peak RSS MB |\n|---|---:|---:|")
    for pid, command, cpu, rss in watch.rows(seconds):
        print(f"| {pid} `{command}` | {cpu:.1f} | {rss:.0f} |")
    if postgres is not None:
        cpu, rss, count = postgres_summary(postgres, seconds)
        print(f"| PostgreSQL, {count} processes together | {cpu:.1f} | {rss:.0f} (largest one) |")
    print()
    minutes = db["seconds"] / 60
    for key, value in db.items():
        if key != "seconds":
            print(f"database {key}: {value} ({value / minutes:.0f} per minute)")


async def measure(
    server: Any, keys: dict[str, str], files: list[Any], args: argparse.Namespace
) -> None:
    database = server.database
    counting = await statement_count(database) is not None
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    before, statements = (
        await database_counters(database),
        await statement_count(database) if counting else None,
    )
    watch = ProcessWatch(os.getpid())  # this script, the fake LLM and the server
    postmaster = await postgres_server_pid()
    postgres = ProcessWatch(postmaster) if postmaster else None
    started = time.monotonic()
    watchers = [asyncio.create_task(watch.run(started + args.seconds + 5))]
    if postgres is not None:
        watchers.append(asyncio.create_task(postgres.run(started + args.seconds + 5)))
    records, seconds = await run_clients(server, keys, files, args)
    await asyncio.gather(*watchers)
    elapsed = time.monotonic() - started
    await asyncio.sleep(STATS_FLUSH_SECONDS)
    db: dict[str, Any] = difference(await database_counters(database), before)
    if statements is not None:
        db["statements (pg_stat_statements)"] = (await statement_count(database) or 0) - statements
    else:
        print("pg_stat_statements is not loaded: database activity is pg_stat_database deltas")
    db["seconds"] = elapsed
    report(records, (watch, postgres), db, seconds, args)


async def main(args: argparse.Namespace) -> None:
    files = sample_files(args.samples)
    with fake_llm(files[0].parent) as engine_env:
        async with fresh_database("bench_load") as database:
            viewer, _ = await seed(database, args.rows)
            keys = {
                "viewer": viewer,
                "operator": await api_key(database, Role.OPERATOR),
                "reviewer": await api_key(database, Role.REVIEWER),
            }
            async with server_process(database, **engine_env) as server:
                await measure(server, keys, files, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--browsers", type=int, default=200)
    parser.add_argument(
        "--connect-over", type=float, default=10.0, help="seconds over which browsers connect"
    )
    parser.add_argument("--operators", type=int, default=20)
    parser.add_argument("--reviewers", type=int, default=10)
    parser.add_argument(
        "--upload-pause",
        type=float,
        default=5.0,
        help="seconds between an operator's uploads (about)",
    )
    parser.add_argument(
        "--browse-pause",
        type=float,
        default=2.0,
        help="seconds between a reviewer's rounds (about)",
    )
    parser.add_argument("--max-uploads", type=int, default=2000, help="bound on uploads in the run")
    parser.add_argument(
        "--rows", type=int, default=200, help="completed prescriptions before the run"
    )
    parser.add_argument(
        "--samples", type=int, default=8, help="generated images to upload (reused)"
    )
    asyncio.run(main(parser.parse_args()))
