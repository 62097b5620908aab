"""What a request left behind: rows of the tables intake and processing write, and the files
in the store and the upload spool. Taken before and after a hostile request, the two must
be equal (nothing half-written).

    before = await footprint(app)
    ... the request ...
    assert await footprint(app) == before
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import text

from scriptsensei.core.db import Database
from scriptsensei.documents.spool import temp_dir

# Tables a refused upload, process or review request must not have touched.
WRITTEN_TABLES = (
    "prescriptions",
    "documents",
    "document_pages",
    "processing_runs",
    "engine_runs",
    "extraction_results",
    "field_consensus",
    "review_decisions",
    "extraction_configs",
)


@dataclass(frozen=True)
class Footprint:
    rows: dict[str, int]
    files: frozenset[str]

    def difference(self, other: Footprint) -> list[str]:
        """What changed from `self` to `other`, one sentence per table or file."""
        changes = [
            f"{table}: {count} -> {other.rows.get(table)} rows"
            for table, count in self.rows.items()
            if other.rows.get(table) != count
        ]
        changes += [f"new file {name}" for name in sorted(other.files - self.files)]
        changes += [f"file gone {name}" for name in sorted(self.files - other.files)]
        return changes


def _files_under(root: Path) -> set[str]:
    if not root.is_dir():
        return set()
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


async def row_counts(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        return {
            table: int((await session.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())
            for table in WRITTEN_TABLES
        }


async def footprint(app: FastAPI) -> Footprint:
    runtime = app.state.runtime
    settings = runtime.settings
    files = {f"store/{n}" for n in _files_under(settings.storage_dir)}
    files |= {f"spool/{n}" for n in _files_under(temp_dir(settings.data_dir))}
    return Footprint(await row_counts(runtime.db), frozenset(files))
