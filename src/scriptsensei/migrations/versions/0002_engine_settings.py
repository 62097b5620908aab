"""Engine settings: an admin's overrides of the engines the environment declares.

Only creates what is missing, like 0001, so that running it again changes nothing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("engine_settings"):
        return
    op.create_table(
        "engine_settings",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("input_price_per_mtok", sa.Float(), nullable=True),
        sa.Column("output_price_per_mtok", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    # Downgrades would drop data; ScriptSensei only moves forward.
    raise NotImplementedError("downgrade is not supported")
