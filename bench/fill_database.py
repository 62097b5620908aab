"""Fill a PostgreSQL database with N prescriptions and M result rows, fast (COPY), for the
list and export benchmarks.

    .venv/bin/python bench/fill_database.py postgresql://postgres@127.0.0.1/scriptsensei_bench \
        --prescriptions 100000 --results-per 30

The database is created if missing and migrated first. Rows look like real ones: spread
over a year, statuses mostly completed, 30 field rows per prescription from two engines.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.settings import Settings

FIELDS = [
    "patientDetails.patientName", "patientDetails.age", "patientDetails.gender",
    "patientDetails.date", "doctorDetails.doctorName", "doctorDetails.registrationNo",
    "clinicDetails.clinicName", "vitals.bloodPressure", "vitals.pulse",
    "medications.0.drugName", "medications.0.strength", "medications.0.frequency",
    "medications.0.duration", "medications.1.drugName", "medications.1.strength",
]  # fmt: skip
ENGINES = ["tesseract", "rapidocr"]
NAMES = ["Priya Nair", "Anil Sharma", "John Smith", "Meera Iyer", "Rahul Gupta", "Sara Khan"]
DRUGS = ["Paracetamol", "Azithromycin", "Pantoprazole", "Cetirizine", "Metformin", "Dolo 650"]
STATUSES = ["completed"] * 17 + ["failed", "queued", "processing"]


async def ensure_database(dsn: str) -> None:
    base, name = dsn.rsplit("/", 1)
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    db = Database(Settings(database_url=url, data_dir=Path("/tmp")), url)
    await migrate.upgrade(db)
    await db.dispose()


def prescription_rows(count: int, rng: random.Random) -> list[tuple[object, ...]]:
    start = datetime(2025, 11, 1, tzinfo=UTC)
    rows = []
    for i in range(count):
        uploaded = start + timedelta(seconds=i * 300 + rng.randint(0, 299))
        status = rng.choice(STATUSES)
        review = "pending" if status == "completed" and rng.random() < 0.3 else "none"
        needing = rng.randint(1, 6) if review == "pending" else 0  # as the roll-up sets them
        rows.append((
            str(uuid.UUID(int=rng.getrandbits(128), version=4)), f"rx-{i:06d}.jpg",
            str(rng.randint(40_000, 900_000)), uploaded.replace(tzinfo=None), status,
            rng.choice(NAMES), ", ".join(rng.sample(DRUGS, 2)), review, needing,
            uploaded.replace(tzinfo=None), "upload",
        ))  # fmt: skip
    return rows


def result_rows(rx_ids: list[str], per: int, rng: random.Random) -> list[tuple[object, ...]]:
    rows = []
    created = datetime(2025, 11, 1)
    for rx_id in rx_ids:
        for j in range(per):
            engine = ENGINES[j % 2]
            field = FIELDS[(j // 2) % len(FIELDS)]
            value = rng.choice(NAMES + DRUGS)
            rows.append((
                str(uuid.UUID(int=rng.getrandbits(128), version=4)), rx_id, engine, field,
                value, round(rng.random(), 3), float(rng.randint(300, 2000)), created,
            ))  # fmt: skip
    return rows


async def fill(dsn: str, count: int, per: int, seed: int) -> None:
    rng = random.Random(seed)
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        rx = prescription_rows(count, rng)
        await conn.copy_records_to_table(
            "prescriptions",
            records=rx,
            columns=["id", "file_name", "file_size", "uploaded_at", "processing_status",
                     "patient_name", "drug_names", "review_status", "fields_needing_review",
                     "created_at", "source"],
        )  # fmt: skip
        ids = [r[0] for r in rx]
        batch = 2000
        for i in range(0, len(ids), batch):
            await conn.copy_records_to_table(
                "extraction_results",
                records=result_rows(ids[i : i + batch], per, rng),  # type: ignore[arg-type]
                columns=["id", "prescription_id", "model_name", "field_name", "extracted_value",
                         "confidence", "processing_time", "created_at"],
            )  # fmt: skip
        await conn.execute("ANALYZE")
        total = await conn.fetchval("SELECT count(*) FROM extraction_results")
        print(
            f"filled {count} prescriptions, {total} result rows in {time.perf_counter() - started:.0f}s"
        )
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dsn", help="postgresql://user@host:port/database")
    parser.add_argument("--prescriptions", type=int, default=100_000)
    parser.add_argument("--results-per", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(ensure_database(args.dsn))
    asyncio.run(fill(args.dsn, args.prescriptions, args.results_per, args.seed))


if __name__ == "__main__":
    main()
