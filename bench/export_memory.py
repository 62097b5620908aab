"""Export at scale: every prescription of a filled database (100k, see fill_database.py) as
NDJSON, wide CSV and long CSV, streamed by one server process; prints the time, the bytes
and the server's resident memory before, at its peak during, and after each export, so
"constant memory" is a figure, not a claim.

    .venv/bin/python bench/fill_database.py postgresql://postgres@127.0.0.1/scriptsensei_bench
    .venv/bin/python bench/export_memory.py postgresql://postgres@127.0.0.1/scriptsensei_bench
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import httpx
from list_latency import make_key, start_server, wait_ready

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.tcp_proxy import free_port

EXPORTS = {
    "NDJSON": ("/api/export/ndjson", {}),
    "CSV, one row per prescription": ("/api/export/csv", {}),
    "CSV long, one row per engine and field": ("/api/export/csv", {"format": "long"}),
}


def rss_mb(pid: int) -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * 4096 / 1e6


async def export(
    client: httpx.AsyncClient, pid: int, path: str, params: dict[str, str]
) -> tuple[float, int, int, float]:
    """(seconds, bytes, lines, peak RSS MB) of one streamed export, read and discarded."""
    started, size, lines, peak = time.perf_counter(), 0, 0, rss_mb(pid)
    async with client.stream("GET", path, params=params) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
            peak = max(peak, rss_mb(pid))
    return time.perf_counter() - started, size, lines, peak


async def run(dsn: str) -> None:
    key = await make_key(dsn, "operator")  # exporting needs more than viewing
    port = free_port()
    server = start_server(dsn, port, Path("/tmp/scriptsensei-bench-export"))
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": key}, timeout=600
        ) as client:
            await wait_ready(client)
            print("| export | time | size | lines | server RSS before | peak | after |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for label, (path, params) in EXPORTS.items():
                before = rss_mb(server.pid)
                seconds, size, lines, peak = await export(client, server.pid, path, params)
                after = rss_mb(server.pid)
                print(
                    f"| {label} | {seconds:.1f} s | {size / 1e6:.1f} MB | {lines:,} | "
                    f"{before:.0f} MB | {peak:.0f} MB | {after:.0f} MB |"
                )
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dsn")
    asyncio.run(run(parser.parse_args().dsn))


if __name__ == "__main__":
    main()
