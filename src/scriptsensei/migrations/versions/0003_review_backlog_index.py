"""Review backlog index: newest-first pages of the prescriptions that need review.

A partial index (PostgreSQL and SQLite both support them) over the rows whose
`fields_needing_review > 0`, so `needsReview=true` reads only the backlog. Only creates
what is missing, like 0001, so that running it again changes nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NAME = "ix_prescriptions_needing_review_uploaded_at_id"
CONDITION = sa.text("fields_needing_review > 0")


def upgrade() -> None:
    existing = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("prescriptions")}
    if NAME in existing:
        return
    op.create_index(
        NAME,
        "prescriptions",
        ["uploaded_at", "id"],
        postgresql_where=CONDITION,
        sqlite_where=CONDITION,
    )


def downgrade() -> None:
    # Downgrades would drop data; ScriptSensei only moves forward.
    raise NotImplementedError("downgrade is not supported")
