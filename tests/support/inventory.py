"""What a PostgreSQL database and a file store hold, read from outside the app: row counts,
per-table checksums, the queue's state, stored files against the keys rows name.

Used by fault tests to prove that nothing accepted was lost or done twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

FINISHED = ("completed", "failed")
STORE_AREAS = ("originals", "pages")  # what intake writes; the rest is the store's own


def plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def fetch(url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_dsn(url), timeout=10)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def fetchval(url: str, sql: str, *args: Any) -> Any:
    rows = await fetch(url, sql, *args)
    return rows[0][0] if rows else None


async def status_counts(url: str) -> dict[str, int]:
    rows = await fetch(
        url, "SELECT processing_status, count(*) FROM prescriptions GROUP BY 1 ORDER BY 1"
    )
    return {row[0]: row[1] for row in rows}


async def unsettled_runs(url: str) -> int:
    """Engine runs still queued or running, and processing runs not finished."""
    engine = await fetchval(
        url, "SELECT count(*) FROM engine_runs WHERE status IN ('queued', 'running')"
    )
    processing = await fetchval(
        url, "SELECT count(*) FROM processing_runs WHERE status IN ('queued', 'processing')"
    )
    return int(engine) + int(processing)


async def wait_settled(url: str, expected: int, timeout: float) -> dict[str, int]:
    """Until `expected` prescriptions are completed or failed and the queue is empty."""
    deadline = time.monotonic() + timeout
    while True:
        counts = await status_counts(url)
        finished = sum(counts.get(s, 0) for s in FINISHED)
        if finished >= expected and await unsettled_runs(url) == 0:
            return counts
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled after {timeout:.0f}s: {counts}")
        await asyncio.sleep(0.5)


TEMP_PREFIX = ".put-"  # the local store's half-written files (see documents.storage)


def _files(storage_dir: Path) -> list[Path]:
    found: list[Path] = []
    for area in STORE_AREAS:
        root = storage_dir / area
        if root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file()]
    return found


def stored_keys(storage_dir: Path) -> set[str]:
    """Files intake wrote (originals and page images), as storage keys."""
    return {
        p.relative_to(storage_dir).as_posix()
        for p in _files(storage_dir)
        if not p.name.startswith(TEMP_PREFIX)
    }


def interrupted_writes(storage_dir: Path) -> list[str]:
    """Temp files of writes cut short by a killed process (no key names them)."""
    return sorted(
        p.relative_to(storage_dir).as_posix()
        for p in _files(storage_dir)
        if p.name.startswith(TEMP_PREFIX)
    )


async def referenced_keys(url: str) -> set[str]:
    rows = await fetch(
        url,
        "SELECT storage_key FROM documents UNION SELECT storage_key FROM document_pages",
    )
    return {row[0] for row in rows}


@dataclass(frozen=True)
class LossReport:
    """Everything wrong with the queue and the store after a fault; empty when sound."""

    problems: list[str]

    def __bool__(self) -> bool:
        return bool(self.problems)


async def check_nothing_lost(
    url: str,
    storage_dir: Path,
    accepted: Collection[str],
    engines: Collection[str],
    fields_per_run: int,
) -> LossReport:
    problems: list[str] = []
    problems += await _accepted_finished(url, accepted)
    problems += await _exactly_once(url, engines, fields_per_run)
    problems += await files_match_rows(url, storage_dir)
    return LossReport(problems)


async def _accepted_finished(url: str, accepted: Collection[str]) -> list[str]:
    rows = await fetch(
        url,
        "SELECT id, processing_status FROM prescriptions WHERE id = ANY($1::varchar[])",
        list(accepted),
    )
    found = {row[0]: row[1] for row in rows}
    problems = [f"accepted {i} has no row" for i in accepted if i not in found]
    problems += [f"{i} ended {s}" for i, s in found.items() if s not in FINISHED]
    unfinished = await fetchval(
        url,
        "SELECT count(*) FROM prescriptions WHERE processing_status NOT IN ('completed', 'failed')",
    )
    if unfinished:
        problems.append(f"{unfinished} prescriptions are neither completed nor failed")
    return problems


async def _exactly_once(url: str, engines: Collection[str], fields_per_run: int) -> list[str]:
    problems: list[str] = []
    runs = await fetch(
        url,
        "SELECT p.id, count(r.id) AS runs FROM prescriptions p "
        "LEFT JOIN processing_runs r ON r.prescription_id = p.id GROUP BY p.id HAVING count(r.id) <> 1",
    )
    problems += [f"{row[0]} has {row[1]} processing runs" for row in runs]
    per_engine = await fetch(
        url,
        "SELECT processing_run_id, engine_name, count(*), "
        "count(*) FILTER (WHERE status = 'succeeded') FROM engine_runs GROUP BY 1, 2",
    )
    problems += [f"run {r[0]}: {r[2]} engine runs of {r[1]}" for r in per_engine if r[2] != 1]
    problems += [f"run {r[0]}: {r[1]} succeeded {r[3]} times" for r in per_engine if r[3] > 1]
    engine_sets = await fetch(
        url,
        "SELECT processing_run_id, array_agg(engine_name ORDER BY engine_name) FROM engine_runs GROUP BY 1",
    )
    problems += [f"run {r[0]} has engines {r[1]}" for r in engine_sets if r[1] != sorted(engines)]
    problems += await _field_rows(url, fields_per_run)
    return problems


async def _field_rows(url: str, fields_per_run: int) -> list[str]:
    duplicates = await fetchval(
        url,
        "SELECT count(*) FROM (SELECT engine_run_id, field_name FROM extraction_results "
        "GROUP BY 1, 2 HAVING count(*) > 1) d",
    )
    wrong = await fetch(
        url,
        "SELECT e.id, e.status, count(x.id) FROM engine_runs e "
        "LEFT JOIN extraction_results x ON x.engine_run_id = e.id GROUP BY e.id, e.status",
    )
    problems = [f"{duplicates} duplicated field rows"] if duplicates else []
    for run_id, status, rows in wrong:
        expected = fields_per_run if status == "succeeded" else 0
        if rows != expected:
            problems.append(f"engine run {run_id} ({status}) has {rows} field rows")
    return problems


async def files_match_rows(url: str, storage_dir: Path) -> list[str]:
    """Every stored file named by a row, every named file stored."""
    stored, named = stored_keys(storage_dir), await referenced_keys(url)
    problems = [f"orphaned file {k}" for k in sorted(stored - named)]
    problems += [f"missing file {k}" for k in sorted(named - stored)]
    return problems


async def table_columns(url: str) -> dict[str, list[str]]:
    rows = await fetch(
        url,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


async def table_fingerprints(url: str, columns: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row's text in order) per table, over the given columns
    only, so a column added later does not change the fingerprint of the old data."""
    out: dict[str, tuple[int, str]] = {}
    for table, names in columns.items():
        row = ", ".join(f'"{n}"' for n in names)
        sql = (
            f"SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) "
            f'FROM (SELECT ROW({row})::text AS r FROM "{table}") t'
        )
        result = (await fetch(url, sql))[0]
        out[table] = (int(result[0]), str(result[1]))
    return out
