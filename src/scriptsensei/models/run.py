"""Processing runs and the per-engine runs that form the job queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from scriptsensei.models.base import Base
from scriptsensei.models.types import JSONType, TextList, UTCDateTime, new_id, utcnow


class ProcessingRun(Base):
    """One request to read a prescription with a set of engines (upload, process, retry...)."""

    __tablename__ = "processing_runs"
    __table_args__ = (
        Index("ix_processing_runs_prescription_id_created_at", "prescription_id", "created_at"),
        Index(
            "ix_processing_runs_active",
            "status",
            postgresql_where=text("status IN ('queued', 'processing')"),
            sqlite_where=text("status IN ('queued', 'processing')"),
        ),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(Text, default="queued")
    reason: Mapped[str] = mapped_column(Text, default="upload")  # upload|process|retry|reprocess
    config_id: Mapped[str | None] = mapped_column(
        ForeignKey("extraction_configs.id", ondelete="SET NULL")
    )
    # A snapshot of the config at the time of the request: later edits do not rewrite history.
    selected_engines: Mapped[list[str]] = mapped_column(TextList())
    selected_fields: Mapped[list[str]] = mapped_column(TextList())
    custom_prompts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    agreement_threshold: Mapped[float] = mapped_column(Float)
    confidence_threshold: Mapped[float] = mapped_column(Float)
    requested_by: Mapped[str | None] = mapped_column(Text)
    engines_total: Mapped[int] = mapped_column(Integer, default=0)
    engines_done: Mapped[int] = mapped_column(Integer, default=0)
    engines_failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EngineRun(Base):
    """One engine reading one prescription: the unit of work a worker claims."""

    __tablename__ = "engine_runs"
    __table_args__ = (
        # What a worker asks for: queued runs that are due, highest priority, oldest first.
        Index(
            "ix_engine_runs_claimable",
            "priority",
            "available_at",
            "created_at",
            postgresql_where=text("status = 'queued'"),
            sqlite_where=text("status = 'queued'"),
        ),
        # Runs whose worker died: their lease expires.
        Index(
            "ix_engine_runs_lease",
            "lease_expires_at",
            postgresql_where=text("status = 'running'"),
            sqlite_where=text("status = 'running'"),
        ),
        Index("ix_engine_runs_processing_run_id", "processing_run_id"),
        Index("ix_engine_runs_prescription_id", "prescription_id"),
        Index("ix_engine_runs_engine_name_finished_at", "engine_name", "finished_at"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    processing_run_id: Mapped[str] = mapped_column(
        ForeignKey("processing_runs.id", ondelete="CASCADE")
    )
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id", ondelete="CASCADE"))
    engine_name: Mapped[str] = mapped_column(Text)
    engine_version: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        Text, default="queued"
    )  # queued|running|succeeded|failed|cancelled
    priority: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=4)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(Text)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    error_transient: Mapped[bool | None] = mapped_column(Boolean)
    prompt: Mapped[str | None] = mapped_column(Text)
    raw_output: Mapped[Any | None] = mapped_column(JSONType)
    duration_ms: Mapped[float | None] = mapped_column(Float)
    input_tokens: Mapped[int | None] = mapped_column(Integer)
    output_tokens: Mapped[int | None] = mapped_column(Integer)
    cost_usd: Mapped[float | None] = mapped_column(Numeric(12, 6, asdecimal=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
