"""Prescriptions (the earlier app's table, extended) and the files they were read from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from scriptsensei.models.base import Base
from scriptsensei.models.types import JSONType, UTCDateTime, new_id, utcnow


class Document(Base):
    """An uploaded file, stored once per content hash outside the database."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    storage_key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(Text)
    byte_size: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DocumentPage(Base):
    """One page of a document, normalised to an image the engines read."""

    __tablename__ = "document_pages"
    __table_args__ = (
        Index(
            "document_pages_document_id_page_index_key", "document_id", "page_index", unique=True
        ),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    page_index: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(Text)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


NEEDING_REVIEW = "fields_needing_review > 0"


class Prescription(Base):
    __tablename__ = "prescriptions"
    __table_args__ = (
        # The earlier app's indexes, under their names.
        Index("idx_prescriptions_status", "processing_status"),
        # Keyset pagination: newest first, id breaks ties.
        Index("ix_prescriptions_uploaded_at_id", "uploaded_at", "id"),
        Index(
            "ix_prescriptions_status_uploaded_at_id",
            "processing_status",
            "uploaded_at",
            "id",
        ),
        Index(
            "ix_prescriptions_review_status_uploaded_at_id",
            "review_status",
            "uploaded_at",
            "id",
        ),
        Index("ix_prescriptions_document_id", "document_id"),
        # The review backlog (needsReview=true) is a small share of all prescriptions:
        # without its own index, a page of it walks the whole keyset index to find 50.
        Index(
            "ix_prescriptions_needing_review_uploaded_at_id",
            "uploaded_at",
            "id",
            postgresql_where=text(NEEDING_REVIEW),
            sqlite_where=text(NEEDING_REVIEW),
        ),
    )

    # Columns of the earlier app, unchanged.
    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    file_name: Mapped[str] = mapped_column(Text)
    file_size: Mapped[str] = mapped_column(Text)  # bytes, as text (the earlier app's type)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=False), default=utcnow)
    processing_status: Mapped[str] = mapped_column(Text, default="queued")
    extracted_data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    image_data: Mapped[str | None] = mapped_column(Text)  # legacy base64 JPEG; never for new rows
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=False), default=utcnow)

    # Ours.
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="RESTRICT"))
    page_count: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="upload", server_default="legacy")
    uploaded_by: Mapped[str | None] = mapped_column(Text)
    config_id: Mapped[str | None] = mapped_column(
        ForeignKey("extraction_configs.id", ondelete="SET NULL")
    )
    engines_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    engines_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    engines_failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    review_status: Mapped[str] = mapped_column(Text, default="none", server_default="none")
    fields_needing_review: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(Text)
    patient_name: Mapped[str | None] = mapped_column(Text)  # copied from the data, for search
    drug_names: Mapped[str | None] = mapped_column(Text)  # copied from the data, for search
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )


# The earlier app's index sorts descending; declared here so it can name the column.
Index("idx_prescriptions_uploaded_at", Prescription.uploaded_at.desc())
