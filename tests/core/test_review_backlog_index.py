"""The review backlog has its own partial index, and the needsReview list uses it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from scriptsensei.core import migrate
from scriptsensei.core.db import Database
from scriptsensei.prescriptions.listing import PrescriptionFilters, list_query
from tests.conftest import make_settings

INDEX = "ix_prescriptions_needing_review_uploaded_at_id"


def _plan(conn: sa.Connection) -> str:
    query = list_query(PrescriptionFilters(needs_review=True), None, 50, with_data=False)
    if conn.dialect.name == "postgresql":
        # An empty table is cheaper to scan than any index: forbid the scan, so the plan
        # shows whether the index can serve the query at all (its predicate must match).
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN "
    else:
        explain = "EXPLAIN QUERY PLAN "
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    rows = conn.exec_driver_sql(explain + str(compiled))
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


def _index_predicate(conn: sa.Connection) -> str:
    for index in sa.inspect(conn).get_indexes("prescriptions"):
        if index["name"] == INDEX:
            options = index.get("dialect_options", {})
            where = options.get("postgresql_where") or options.get("sqlite_where")
            return str(where) if where is not None else ""
    raise AssertionError(f"{INDEX} missing")


async def test_needs_review_pages_are_read_from_the_backlog_index(
    empty_url: str, tmp_path: Path
) -> None:
    db = Database(make_settings(empty_url, tmp_path / "data"), empty_url)
    try:
        await migrate.upgrade(db)
        async with db.engine.begin() as conn:
            plan = await conn.run_sync(_plan)
        assert INDEX in plan, plan
        async with db.engine.connect() as conn:
            predicate = await conn.run_sync(_index_predicate)
        if db.engine.dialect.name == "postgresql":  # SQLite's inspector does not report it
            assert "fields_needing_review > 0" in predicate, predicate
    finally:
        await db.dispose()
