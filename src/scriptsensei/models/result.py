"""Per-field values: every engine's (the earlier app's table, extended) and the consensus."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import REAL

from scriptsensei.models.base import Base
from scriptsensei.models.types import JSONType, UTCDateTime, new_id, utcnow


class ExtractionResult(Base):
    """One engine's value for one field. Written once; never overwritten by a reviewer."""

    __tablename__ = "extraction_results"
    __table_args__ = (
        Index("idx_extraction_results_prescription_id", "prescription_id"),
        Index("idx_extraction_results_model_name", "model_name"),
        Index("idx_extraction_results_field_name", "field_name"),
        # A retried engine run replaces nothing and duplicates nothing.
        Index(
            "extraction_results_engine_run_id_field_name_key",
            "engine_run_id",
            "field_name",
            unique=True,
        ),
        Index("ix_extraction_results_created_at_id", "created_at", "id"),
    )

    # Columns of the earlier app, unchanged.
    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id", ondelete="CASCADE"))
    model_name: Mapped[str] = mapped_column(Text)
    field_name: Mapped[str] = mapped_column(Text)
    extracted_value: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(REAL)
    processing_time: Mapped[float | None] = mapped_column(REAL)  # milliseconds
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=False), default=utcnow)

    # Ours: provenance and location.
    engine_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("engine_runs.id", ondelete="CASCADE")
    )
    engine_version: Mapped[str | None] = mapped_column(Text)
    normalized_value: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[dict[str, float] | None] = mapped_column(JSONType)


class FieldConsensus(Base):
    """The engines' agreement on one field for one processing run."""

    __tablename__ = "field_consensus"
    __table_args__ = (
        Index(
            "field_consensus_processing_run_id_field_name_key",
            "processing_run_id",
            "field_name",
            unique=True,
        ),
        Index("ix_field_consensus_prescription_id_field_name", "prescription_id", "field_name"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id", ondelete="CASCADE"))
    processing_run_id: Mapped[str] = mapped_column(
        ForeignKey("processing_runs.id", ondelete="CASCADE")
    )
    field_name: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
    normalized_value: Mapped[str | None] = mapped_column(Text)
    agreement: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(Text)  # agreed|conflict|low_confidence|single|missing
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    engine_values: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # engine -> value
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewDecision(Base):
    """A reviewer's final value for a field: an audit trail beside the engines' values."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        Index("ix_review_decisions_prescription_id_decided_at", "prescription_id", "decided_at"),
        Index("ix_review_decisions_decided_at", "decided_at"),
        Index("ix_review_decisions_field_name", "field_name"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id", ondelete="CASCADE"))
    processing_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("processing_runs.id", ondelete="SET NULL")
    )
    field_name: Mapped[str] = mapped_column(Text)
    previous_value: Mapped[str | None] = mapped_column(Text)
    final_value: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)  # accept|correct
    source_engine: Mapped[str | None] = mapped_column(
        Text
    )  # when a reviewer accepted an engine's value
    actor_type: Mapped[str] = mapped_column(Text)  # user|api_key|system
    actor_id: Mapped[str | None] = mapped_column(Text)
    actor_name: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
