"""Alembic environment. Migrations always run on a connection handed in by
`scriptsensei.core.migrate`, which holds the lock that keeps concurrent starts safe."""

from __future__ import annotations

from alembic import context

from scriptsensei.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by core.migrate
    raise RuntimeError("run migrations with `scriptsensei db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
