"""Extraction configs: which engines, which fields, per-field prompts, consensus thresholds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from scriptsensei.models.base import Base
from scriptsensei.models.types import JSONType, TextList, UTCDateTime, new_id, utcnow


class ExtractionConfig(Base):
    __tablename__ = "extraction_configs"
    __table_args__ = (
        Index(
            "idx_extraction_configs_is_default",
            "is_default",
            postgresql_where=text("is_default = true"),
            sqlite_where=text("is_default = 1"),
        ),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text)
    selected_models: Mapped[list[str]] = mapped_column(TextList())
    selected_fields: Mapped[list[str]] = mapped_column(TextList())
    custom_prompts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    is_default: Mapped[bool | None] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=False), default=utcnow)

    # Ours: null means "use the settings' default".
    agreement_threshold: Mapped[float | None] = mapped_column(Float)
    confidence_threshold: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow
    )
