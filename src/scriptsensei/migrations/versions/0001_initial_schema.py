"""Initial schema: adopts a database left by the earlier app, or creates everything.

Every step creates only what is missing, so a database of the earlier app keeps every
row: its three tables gain new columns, its indexes are reused under their own names,
and its default config is left as it is. The default config is inserted only when this
migration creates the configs table, so it is never re-inserted after a user deletes or
renames it.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _is_pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _json() -> sa.types.TypeEngine[Any]:
    return postgresql.JSONB() if _is_pg() else sa.JSON()


def _text_list() -> sa.types.TypeEngine[Any]:
    return postgresql.ARRAY(sa.Text()) if _is_pg() else sa.JSON()


def _bigint_pk() -> sa.types.TypeEngine[int]:
    return sa.BigInteger() if _is_pg() else sa.Integer()


def _tstz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _now() -> sa.TextClause:
    return sa.text("now()") if _is_pg() else sa.text("CURRENT_TIMESTAMP")


def _uuid_default() -> sa.TextClause | None:
    return sa.text("gen_random_uuid()") if _is_pg() else None


def _inspector() -> sa.Inspector:
    return sa.inspect(op.get_bind())


def _has_table(name: str) -> bool:
    return _inspector().has_table(name)


def _create_table_if_missing(name: str, *items: sa.schema.SchemaItem) -> bool:
    if _has_table(name):
        return False
    op.create_table(name, *items)
    return True


def _add_missing_columns(table: str, columns: list[sa.Column[Any]]) -> None:
    present = {c["name"] for c in _inspector().get_columns(table)}
    for column in columns:
        if column.name not in present:
            op.add_column(table, column)


def _create_index_if_missing(
    name: str, table: str, columns: list[str | sa.TextClause], **kw: object
) -> None:
    present = {ix["name"] for ix in _inspector().get_indexes(table)}
    if name not in present:
        op.create_index(name, table, columns, **kw)  # type: ignore[arg-type]


def _id_column() -> sa.Column[Any]:
    return sa.Column("id", sa.String(), primary_key=True, server_default=_uuid_default())


def _fk(column: str, target: str, ondelete: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(
        column, sa.String(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable
    )


# --- the earlier app's tables -------------------------------------------------------


def _prescription_new_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(), server_default=_now(), nullable=True),
        _fk("document_id", "documents.id", "RESTRICT"),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False, server_default="legacy"),
        sa.Column("uploaded_by", sa.Text(), nullable=True),
        _fk("config_id", "extraction_configs.id", "SET NULL"),
        sa.Column("engines_total", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("engines_done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("engines_failed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("review_status", sa.Text(), nullable=False, server_default="none"),
        sa.Column("fields_needing_review", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("approved_at", _tstz(), nullable=True),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("patient_name", sa.Text(), nullable=True),
        sa.Column("drug_names", sa.Text(), nullable=True),
        sa.Column("status_changed_at", _tstz(), nullable=True),
        sa.Column("updated_at", _tstz(), nullable=True),
    ]


def _prescriptions() -> None:
    created = _create_table_if_missing(
        "prescriptions",
        _id_column(),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_size", sa.Text(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False, server_default=_now()),
        sa.Column("processing_status", sa.Text(), nullable=False, server_default="queued"),
        sa.Column("extracted_data", _json(), nullable=True),
        sa.Column("image_data", sa.Text(), nullable=True),
        *_prescription_new_columns(),
    )
    if not created:
        _add_missing_columns("prescriptions", _prescription_new_columns())
    _create_index_if_missing("idx_prescriptions_status", "prescriptions", ["processing_status"])
    _create_index_if_missing(
        "idx_prescriptions_uploaded_at", "prescriptions", [sa.text("uploaded_at DESC")]
    )
    _create_index_if_missing(
        "ix_prescriptions_uploaded_at_id", "prescriptions", ["uploaded_at", "id"]
    )
    _create_index_if_missing(
        "ix_prescriptions_status_uploaded_at_id",
        "prescriptions",
        ["processing_status", "uploaded_at", "id"],
    )
    _create_index_if_missing(
        "ix_prescriptions_review_status_uploaded_at_id",
        "prescriptions",
        ["review_status", "uploaded_at", "id"],
    )
    _create_index_if_missing("ix_prescriptions_document_id", "prescriptions", ["document_id"])


def _config_new_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("agreement_threshold", sa.Float(), nullable=True),
        sa.Column("confidence_threshold", sa.Float(), nullable=True),
        sa.Column("updated_at", _tstz(), nullable=True),
    ]


def _extraction_configs() -> None:
    created = _create_table_if_missing(
        "extraction_configs",
        _id_column(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("selected_models", _text_list(), nullable=False),
        sa.Column("selected_fields", _text_list(), nullable=False),
        sa.Column("custom_prompts", _json(), nullable=True),
        sa.Column("is_default", sa.Boolean(), nullable=True, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=_now()),
        *_config_new_columns(),
    )
    if not created:
        _add_missing_columns("extraction_configs", _config_new_columns())
    _create_index_if_missing(
        "idx_extraction_configs_is_default",
        "extraction_configs",
        ["is_default"],
        postgresql_where=sa.text("is_default = true"),
        sqlite_where=sa.text("is_default = 1"),
    )
    if created:
        _insert_default_config()


def _insert_default_config() -> None:
    table = sa.table(
        "extraction_configs",
        sa.column("id", sa.String()),
        sa.column("name", sa.Text()),
        sa.column("selected_models", _text_list()),
        sa.column("selected_fields", _text_list()),
        sa.column("custom_prompts", _json()),
        sa.column("is_default", sa.Boolean()),
    )
    groups = [
        "prescriptionType", "patientDetails", "clinicalDetails", "vitals",
        "medications", "advice", "doctorDetails", "clinicDetails",
    ]  # fmt: skip
    op.bulk_insert(
        table,
        [
            {
                "id": "00000000-0000-4000-8000-000000000001",
                "name": "Default Configuration",
                "selected_models": ["tesseract", "rapidocr"],
                "selected_fields": groups,
                "custom_prompts": {},
                "is_default": True,
            }
        ],
    )


def _result_new_columns() -> list[sa.Column[Any]]:
    return [
        _fk("engine_run_id", "engine_runs.id", "CASCADE"),
        sa.Column("engine_version", sa.Text(), nullable=True),
        sa.Column("normalized_value", sa.Text(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("bbox", _json(), nullable=True),
    ]


def _extraction_results() -> None:
    created = _create_table_if_missing(
        "extraction_results",
        _id_column(),
        _fk("prescription_id", "prescriptions.id", "CASCADE", nullable=False),
        sa.Column("model_name", sa.Text(), nullable=False),
        sa.Column("field_name", sa.Text(), nullable=False),
        sa.Column("extracted_value", sa.Text(), nullable=True),
        sa.Column("confidence", sa.REAL(), nullable=True),
        sa.Column("processing_time", sa.REAL(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=_now()),
        *_result_new_columns(),
    )
    if not created:
        _add_missing_columns("extraction_results", _result_new_columns())
    for column in ("prescription_id", "model_name", "field_name"):
        _create_index_if_missing(f"idx_extraction_results_{column}", "extraction_results", [column])
    _create_index_if_missing(
        "extraction_results_engine_run_id_field_name_key",
        "extraction_results",
        ["engine_run_id", "field_name"],
        unique=True,
    )
    _create_index_if_missing(
        "ix_extraction_results_created_at_id",
        "extraction_results",
        ["created_at", "id"],
    )


# --- our tables -----------------------------------------------------------------------


def _documents() -> None:
    _create_table_if_missing(
        "documents",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("byte_size", sa.BigInteger(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("created_at", _tstz(), nullable=False, server_default=_now()),
    )
    _create_table_if_missing(
        "document_pages",
        sa.Column("id", sa.String(), primary_key=True),
        _fk("document_id", "documents.id", "CASCADE", nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
    )
    _create_index_if_missing(
        "document_pages_document_id_page_index_key",
        "document_pages",
        ["document_id", "page_index"],
        unique=True,
    )


def _processing_runs() -> None:
    _create_table_if_missing(
        "processing_runs",
        sa.Column("id", sa.String(), primary_key=True),
        _fk("prescription_id", "prescriptions.id", "CASCADE", nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _fk("config_id", "extraction_configs.id", "SET NULL"),
        sa.Column("selected_engines", _text_list(), nullable=False),
        sa.Column("selected_fields", _text_list(), nullable=False),
        sa.Column("custom_prompts", _json(), nullable=True),
        sa.Column("agreement_threshold", sa.Float(), nullable=False),
        sa.Column("confidence_threshold", sa.Float(), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=True),
        sa.Column("engines_total", sa.Integer(), nullable=False),
        sa.Column("engines_done", sa.Integer(), nullable=False),
        sa.Column("engines_failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _tstz(), nullable=False),
        sa.Column("started_at", _tstz(), nullable=True),
        sa.Column("finished_at", _tstz(), nullable=True),
    )
    _create_index_if_missing(
        "ix_processing_runs_prescription_id_created_at",
        "processing_runs",
        ["prescription_id", "created_at"],
    )
    active = sa.text("status IN ('queued', 'processing')")
    _create_index_if_missing(
        "ix_processing_runs_active", "processing_runs", ["status"],
        postgresql_where=active, sqlite_where=active,
    )  # fmt: skip


def _engine_runs() -> None:
    _create_table_if_missing(
        "engine_runs",
        sa.Column("id", sa.String(), primary_key=True),
        _fk("processing_run_id", "processing_runs.id", "CASCADE", nullable=False),
        _fk("prescription_id", "prescriptions.id", "CASCADE", nullable=False),
        sa.Column("engine_name", sa.Text(), nullable=False),
        sa.Column("engine_version", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", _tstz(), nullable=False),
        sa.Column("lease_owner", sa.Text(), nullable=True),
        sa.Column("lease_expires_at", _tstz(), nullable=True),
        sa.Column("heartbeat_at", _tstz(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_transient", sa.Boolean(), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("raw_output", _json(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=True),
        sa.Column("output_tokens", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=True),
        sa.Column("created_at", _tstz(), nullable=False),
        sa.Column("started_at", _tstz(), nullable=True),
        sa.Column("finished_at", _tstz(), nullable=True),
    )
    queued = sa.text("status = 'queued'")
    running = sa.text("status = 'running'")
    _create_index_if_missing(
        "ix_engine_runs_claimable", "engine_runs",
        ["priority", "available_at", "created_at"],
        postgresql_where=queued, sqlite_where=queued,
    )  # fmt: skip
    _create_index_if_missing(
        "ix_engine_runs_lease", "engine_runs", ["lease_expires_at"],
        postgresql_where=running, sqlite_where=running,
    )  # fmt: skip
    for columns in (["processing_run_id"], ["prescription_id"], ["engine_name", "finished_at"]):
        _create_index_if_missing(
            f"ix_engine_runs_{'_'.join(columns)}", "engine_runs", list(columns)
        )


def _field_consensus() -> None:
    _create_table_if_missing(
        "field_consensus",
        sa.Column("id", sa.String(), primary_key=True),
        _fk("prescription_id", "prescriptions.id", "CASCADE", nullable=False),
        _fk("processing_run_id", "processing_runs.id", "CASCADE", nullable=False),
        sa.Column("field_name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("normalized_value", sa.Text(), nullable=True),
        sa.Column("agreement", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("engine_values", _json(), nullable=True),
        sa.Column("created_at", _tstz(), nullable=False),
    )
    _create_index_if_missing(
        "field_consensus_processing_run_id_field_name_key",
        "field_consensus",
        ["processing_run_id", "field_name"],
        unique=True,
    )
    _create_index_if_missing(
        "ix_field_consensus_prescription_id_field_name",
        "field_consensus",
        ["prescription_id", "field_name"],
    )


def _review_decisions() -> None:
    _create_table_if_missing(
        "review_decisions",
        sa.Column("id", sa.String(), primary_key=True),
        _fk("prescription_id", "prescriptions.id", "CASCADE", nullable=False),
        _fk("processing_run_id", "processing_runs.id", "SET NULL"),
        sa.Column("field_name", sa.Text(), nullable=False),
        sa.Column("previous_value", sa.Text(), nullable=True),
        sa.Column("final_value", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("source_engine", sa.Text(), nullable=True),
        sa.Column("actor_type", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_at", _tstz(), nullable=False),
    )
    _create_index_if_missing(
        "ix_review_decisions_prescription_id_decided_at",
        "review_decisions",
        ["prescription_id", "decided_at"],
    )
    _create_index_if_missing("ix_review_decisions_decided_at", "review_decisions", ["decided_at"])
    _create_index_if_missing("ix_review_decisions_field_name", "review_decisions", ["field_name"])


def _auth() -> None:
    _create_table_if_missing(
        "users",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("username", sa.Text(), nullable=False, unique=True),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _tstz(), nullable=False),
        sa.Column("updated_at", _tstz(), nullable=True),
        sa.Column("last_login_at", _tstz(), nullable=True),
    )
    _create_table_if_missing(
        "api_keys",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.Text(), nullable=False),
        _fk("created_by", "users.id", "SET NULL"),
        sa.Column("created_at", _tstz(), nullable=False),
        sa.Column("last_used_at", _tstz(), nullable=True),
        sa.Column("revoked_at", _tstz(), nullable=True),
    )
    _create_index_if_missing("ix_api_keys_prefix", "api_keys", ["prefix"])
    _create_table_if_missing(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _fk("user_id", "users.id", "CASCADE", nullable=False),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        sa.Column("created_at", _tstz(), nullable=False),
        sa.Column("expires_at", _tstz(), nullable=False),
        sa.Column("last_seen_at", _tstz(), nullable=True),
        sa.Column("ip", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
    )
    _create_index_if_missing("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    _create_index_if_missing("ix_user_sessions_expires_at", "user_sessions", ["expires_at"])


def _ops() -> None:
    _create_table_if_missing(
        "audit_log",
        sa.Column("id", _bigint_pk(), primary_key=True, autoincrement=True),
        sa.Column("occurred_at", _tstz(), nullable=False),
        sa.Column("actor_type", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=True),
        sa.Column("actor_name", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("target_type", sa.Text(), nullable=True),
        sa.Column("target_id", sa.Text(), nullable=True),
        sa.Column("detail", _json(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("ip", sa.Text(), nullable=True),
    )
    _create_index_if_missing("ix_audit_log_occurred_at", "audit_log", ["occurred_at"])
    _create_index_if_missing(
        "ix_audit_log_target_type_target_id", "audit_log", ["target_type", "target_id"]
    )
    _create_table_if_missing(
        "events",
        sa.Column("seq", _bigint_pk(), primary_key=True, autoincrement=True),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("prescription_id", sa.Text(), nullable=True),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("created_at", _tstz(), nullable=False),
    )
    _create_index_if_missing("ix_events_created_at", "events", ["created_at"])
    _create_table_if_missing(
        "backup_runs",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("manifest", _json(), nullable=True),
        sa.Column("started_at", _tstz(), nullable=False),
        sa.Column("finished_at", _tstz(), nullable=True),
    )
    _create_index_if_missing("ix_backup_runs_started_at", "backup_runs", ["started_at"])
    _create_table_if_missing(
        "app_state",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value", _json(), nullable=True),
        sa.Column("updated_at", _tstz(), nullable=False),
    )


STEPS: list[Callable[[], None]] = [
    _documents,
    _extraction_configs,
    _prescriptions,
    _processing_runs,
    _engine_runs,
    _extraction_results,
    _field_consensus,
    _review_decisions,
    _auth,
    _ops,
]


def upgrade() -> None:
    for step in STEPS:
        step()


def downgrade() -> None:
    # Downgrades would drop data; ScriptSensei only moves forward.
    raise NotImplementedError("downgrade is not supported")
