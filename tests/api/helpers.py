"""Plain helpers for API tests: files to upload, uploads, waiting for the queue, and rows
written straight to the database for list tests."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import select

from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import ExtractionResult, Prescription
from tests.jobs.factories import wait_until_settled


def png(seed: int = 0, size: tuple[int, int] = (120, 80)) -> bytes:
    """A small PNG whose bytes differ per seed (so each upload is a new document)."""
    picture = Image.new("RGB", size, (255, 255 - seed % 250, 255 - seed // 250 % 250))
    picture.putpixel((seed % size[0], 3), (0, 0, 0))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def files(*items: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, data, "application/octet-stream")) for name, data in items]


async def upload(
    client: httpx.AsyncClient, *items: tuple[str, bytes], **data: Any
) -> httpx.Response:
    return await client.post("/api/prescriptions/upload", files=files(*items), data=data)


async def upload_one(client: httpx.AsyncClient, name: str = "rx.png", seed: int = 0) -> str:
    response = await upload(client, (name, png(seed)))
    assert response.status_code == 201, response.text
    return str(response.json()["files"][0]["id"])


def app_db(app: FastAPI) -> Database:
    db: Database = app.state.runtime.db
    return db


async def settle(app: FastAPI) -> None:
    """Until no engine run is queued or running (the test fails after a time-out)."""
    await wait_until_settled(app_db(app))


async def processed(app: FastAPI, client: httpx.AsyncClient, count: int = 1) -> list[str]:
    """Upload `count` prescriptions and let the running worker complete them."""
    ids = [await upload_one(client, f"rx-{i}.png", seed=i) for i in range(count)]
    await settle(app)
    await _until_final(app, ids)
    return ids


async def _until_final(app: FastAPI, ids: list[str]) -> None:
    # The roll-up commits with the last engine run; this only guards the ordering.
    for _ in range(200):
        async with app_db(app).sessions() as session:
            statuses = set(
                await session.scalars(
                    select(Prescription.processing_status).where(Prescription.id.in_(ids))
                )
            )
        if statuses <= {"completed", "failed"}:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"prescriptions not final: {statuses}")


async def create_prescriptions(app: FastAPI, count: int, **values: Any) -> list[str]:
    """`count` rows written straight to the database (no files, no runs): cheap rows for
    list tests. `values` set columns on every row."""
    async with unit_of_work(app_db(app)) as session:
        rows = [
            Prescription(**{"file_name": f"bulk-{n}.png", "file_size": "1", **values})
            for n in range(count)
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


async def create_results(
    app: FastAPI, prescription_id: str, engines: list[str], fields: list[str]
) -> list[str]:
    """One value per engine and field, written straight to the database."""
    async with unit_of_work(app_db(app)) as session:
        rows = [
            ExtractionResult(
                prescription_id=prescription_id,
                model_name=engine,
                field_name=field,
                extracted_value=f"{engine}:{field}",
            )
            for engine in engines
            for field in fields
        ]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]
