"""An admin's overrides of the engines the environment declares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Text
from sqlalchemy.orm import Mapped, mapped_column

from scriptsensei.models.base import Base
from scriptsensei.models.types import UTCDateTime, utcnow


class EngineSetting(Base):
    """One engine's overrides; a null column keeps the environment's declaration. API keys
    are never stored: they stay in the environment variables the declaration names."""

    __tablename__ = "engine_settings"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    enabled: Mapped[bool | None] = mapped_column(Boolean)
    model: Mapped[str | None] = mapped_column(Text)
    base_url: Mapped[str | None] = mapped_column(Text)
    input_price_per_mtok: Mapped[float | None] = mapped_column(Float)
    output_price_per_mtok: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(Text)
