"""Safe migrations: create, re-run, adopt the earlier app's database, agree with the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.core.transaction import unit_of_work
from scriptsensei.models import Base, ExtractionConfig, ExtractionResult, Prescription
from tests.conftest import make_settings
from tests.support import databases


def _database(url: str, tmp_path: Path) -> Database:
    return Database(make_settings(url, tmp_path / "data"), url)


def _snapshot_sync(conn: sa.Connection) -> dict[str, Any]:
    inspector = sa.inspect(conn)
    return {
        table: {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
            ),
            "indexes": sorted(ix["name"] or "" for ix in inspector.get_indexes(table)),
        }
        for table in inspector.get_table_names()
    }


async def _snapshot(db: Database) -> dict[str, Any]:
    async with db.engine.connect() as conn:
        return await conn.run_sync(_snapshot_sync)


async def test_fresh_upgrade_creates_every_table_and_index(empty_url: str, tmp_path: Path) -> None:
    db = _database(empty_url, tmp_path)
    try:
        assert await migrate.current_revision(db) is None
        revision = await migrate.upgrade(db)
        assert revision == migrate.head_revision()
        snapshot = await _snapshot(db)
        for table in Base.metadata.sorted_tables:
            assert table.name in snapshot, f"table {table.name} missing"
            expected_indexes = {ix.name for ix in table.indexes}
            assert expected_indexes <= set(snapshot[table.name]["indexes"]), table.name
        assert await migrate.schema_differences(db, Base.metadata) == []
    finally:
        await db.dispose()


async def test_upgrade_again_changes_nothing(empty_url: str, tmp_path: Path) -> None:
    db = _database(empty_url, tmp_path)
    try:
        await migrate.upgrade(db)
        before = await _snapshot(db)
        async with unit_of_work(db) as session:
            configs_before = (await session.execute(select(ExtractionConfig))).scalars().all()
        await migrate.upgrade(db)
        assert await _snapshot(db) == before
        async with unit_of_work(db) as session:
            configs_after = (await session.execute(select(ExtractionConfig))).scalars().all()
        assert [c.id for c in configs_after] == [c.id for c in configs_before]
    finally:
        await db.dispose()


async def test_default_config_inserted_once_and_never_again(empty_url: str, tmp_path: Path) -> None:
    db = _database(empty_url, tmp_path)
    try:
        await migrate.upgrade(db)
        async with unit_of_work(db) as session:
            configs = (await session.execute(select(ExtractionConfig))).scalars().all()
            assert [(c.name, c.is_default) for c in configs] == [("Default Configuration", True)]
            await session.delete(configs[0])
        await migrate.upgrade(db)
        async with unit_of_work(db) as session:
            assert (await session.execute(select(ExtractionConfig))).first() is None
    finally:
        await db.dispose()


async def test_check_detects_a_model_that_differs_from_the_migrations(
    database_url: str, tmp_path: Path
) -> None:
    db = _database(database_url, tmp_path)
    try:
        assert await migrate.schema_differences(db, Base.metadata) == []
        altered = sa.MetaData()
        for table in Base.metadata.sorted_tables:
            table.to_metadata(altered)
        altered.tables["prescriptions"].append_column(sa.Column("unmigrated_column", sa.Text()))
        differences = await migrate.schema_differences(db, altered)
        assert any(d[0] == "add_column" and d[3].name == "unmigrated_column" for d in differences)
    finally:
        await db.dispose()


LEGACY_SQL = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "legacy"
    / "scriptsensei_legacy_schema.sql"
)


def _legacy_sql() -> str:
    path = LEGACY_SQL if LEGACY_SQL.exists() else Path(__file__).parent / "legacy_schema.sql"
    return path.read_text()


async def _load_legacy(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(_legacy_sql())
    finally:
        await conn.close()


async def _legacy_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        out = {}
        for table, columns in {
            "prescriptions": "id, file_name, file_size, uploaded_at, processing_status, extracted_data::text, image_data, created_at",
            "extraction_results": "id, prescription_id, model_name, field_name, extracted_value, confidence, processing_time, created_at",
            "extraction_configs": "id, name, selected_models, selected_fields, custom_prompts::text, is_default, created_at",
        }.items():
            rows = await conn.fetch(f"SELECT {columns} FROM {table} ORDER BY id")
            out[table] = [tuple(r) for r in rows]
        return out
    finally:
        await conn.close()


@pytest.mark.postgres
async def test_adopts_the_earlier_apps_database_keeping_every_row(tmp_path: Path) -> None:
    with databases.empty_postgres_database() as url:
        await _load_legacy(url)
        before = await _legacy_rows(url)
        db = _database(url, tmp_path)
        try:
            await migrate.upgrade(db)
            await migrate.upgrade(db)
            assert await _legacy_rows(url) == before
            assert await migrate.schema_differences(db, Base.metadata) == []
            await _assert_legacy_readable_through_models(db)
        finally:
            await db.dispose()


async def _assert_legacy_readable_through_models(db: Database) -> None:
    async with unit_of_work(db) as session:
        rx = await session.get(Prescription, "11111111-1111-4111-8111-111111111111")
        assert rx is not None
        assert rx.file_name == "rx-0001.jpg"
        assert rx.extracted_data is not None
        assert rx.extracted_data["patientDetails"]["patientName"] == "Priya Nair"
        assert rx.image_data is not None and rx.image_data.startswith("/9j/")
        assert rx.source == "legacy"
        assert rx.uploaded_at.year == 2025 and rx.uploaded_at.tzinfo is not None
        statuses = (
            (
                await session.execute(
                    select(Prescription.processing_status).order_by(Prescription.id)
                )
            )
            .scalars()
            .all()
        )
        assert statuses == ["completed", "failed", "queued"]
        results = (
            (
                await session.execute(
                    select(ExtractionResult).where(ExtractionResult.model_name == "claude")
                )
            )
            .scalars()
            .all()
        )
        assert sorted(r.extracted_value or "" for r in results) == [
            "500mg",
            "Paracetamol",
            "Priya Nair",
        ]
        configs = (await session.execute(select(ExtractionConfig))).scalars().all()
        assert len(configs) == 1
        assert configs[0].selected_models == ["openai", "claude", "gemini"]
        assert configs[0].is_default is True
