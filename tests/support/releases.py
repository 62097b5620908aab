"""A later release's migrations, for tests: today's migrations plus one test-only revision
on top of the head, written into a directory the migration runner can be pointed at."""

from __future__ import annotations

import shutil
from pathlib import Path

import scriptsensei.migrations
from scriptsensei.core import migrate

REVISION_HEADER = '''"""{title}

Revision ID: 9999
Revises: {head}
"""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None
'''

# A later release that adds: a nullable column and a table (applied over data).
COURIER_PICKUPS = """

def upgrade() -> None:
    op.add_column("prescriptions", sa.Column("courier_note", sa.Text(), nullable=True))
    op.create_table(
        "courier_pickups",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("prescription_id", sa.String, sa.ForeignKey("prescriptions.id")),
        if_not_exists=True,
    )


def downgrade() -> None:
    op.drop_table("courier_pickups")
    op.drop_column("prescriptions", "courier_note")
"""


def release_with(directory: Path, title: str, body: str) -> Path:
    """The package's migrations plus revision 9999 (`body`: its upgrade and downgrade)."""
    target = directory / "migrations"
    shutil.copytree(
        Path(scriptsensei.migrations.__file__).parent,
        target,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    header = REVISION_HEADER.format(title=title, head=migrate.head_revision())
    (target / "versions" / "9999_later_release.py").write_text(header + body)
    return target


def newer_release(directory: Path) -> Path:
    """A release newer than today's: a new column and a new table."""
    return release_with(
        directory, "A later release: a new nullable column and a table.", COURIER_PICKUPS
    )
