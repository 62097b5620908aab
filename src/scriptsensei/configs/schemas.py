"""Config bodies: the earlier app's names (`selectedModels`, `selectedFields`,
`customPrompts`, `isDefault`; their snake_case spellings are accepted too) plus thresholds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, Field

from scriptsensei.configs.prompts import PromptDefault
from scriptsensei.configs.service import UNSET, ConfigChanges
from scriptsensei.extraction.registry import EngineStatus
from scriptsensei.models import ExtractionConfig


class ConfigOut(BaseModel):
    id: str
    name: str
    selectedModels: list[str]
    selectedFields: list[str]
    customPrompts: dict[str, Any]
    isDefault: bool
    agreementThreshold: float | None = Field(description="null: the server's default")
    confidenceThreshold: float | None = Field(description="null: the server's default")
    createdAt: datetime | None
    updatedAt: datetime | None

    @classmethod
    def of(cls, row: ExtractionConfig) -> ConfigOut:
        return cls(
            id=row.id,
            name=row.name,
            selectedModels=list(row.selected_models or []),
            selectedFields=list(row.selected_fields or []),
            customPrompts=dict(row.custom_prompts or {}),
            isDefault=bool(row.is_default),
            agreementThreshold=row.agreement_threshold,
            confidenceThreshold=row.confidence_threshold,
            createdAt=row.created_at,
            updatedAt=row.updated_at,
        )


def _alias(camel: str, snake: str) -> Any:
    return AliasChoices(camel, snake)


class ConfigUpdate(BaseModel):
    """Every key optional: only the keys sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    selectedModels: list[str] | None = Field(
        default=None, max_length=50, validation_alias=_alias("selectedModels", "selected_models")
    )
    selectedFields: list[str] | None = Field(
        default=None, max_length=200, validation_alias=_alias("selectedFields", "selected_fields")
    )
    customPrompts: dict[str, str] | None = Field(
        default=None, validation_alias=_alias("customPrompts", "custom_prompts")
    )
    agreementThreshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        validation_alias=_alias("agreementThreshold", "agreement_threshold"),
    )
    confidenceThreshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        validation_alias=_alias("confidenceThreshold", "confidence_threshold"),
    )
    isDefault: bool | None = Field(default=None, validation_alias=_alias("isDefault", "is_default"))

    def changes(self) -> ConfigChanges:
        sent = self.model_fields_set

        def pick(key: str) -> Any:
            return getattr(self, key) if key in sent else UNSET

        return ConfigChanges(
            name=pick("name") if self.name is not None else UNSET,
            selected_models=pick("selectedModels") if self.selectedModels is not None else UNSET,
            selected_fields=pick("selectedFields") if self.selectedFields is not None else UNSET,
            custom_prompts=pick("customPrompts"),
            agreement_threshold=pick("agreementThreshold"),
            confidence_threshold=pick("confidenceThreshold"),
            is_default=pick("isDefault") if self.isDefault is not None else UNSET,
        )


class ConfigCreate(ConfigUpdate):
    name: str = Field(min_length=1, max_length=200)  # type: ignore[assignment]
    selectedModels: list[str] = Field(  # type: ignore[assignment]
        min_length=1, max_length=50, validation_alias=_alias("selectedModels", "selected_models")
    )


class EngineStatusOut(BaseModel):
    name: str
    kind: str = Field(description="ocr | llm")
    version: str
    available: bool
    reason: str | None = Field(description="Why not available (missing key, model files...)")

    @classmethod
    def of(cls, status: EngineStatus) -> EngineStatusOut:
        return cls(
            name=status.name,
            kind=status.kind,
            version=status.version,
            available=status.available,
            reason=status.reason,
        )


class FieldPromptOut(BaseModel):
    field: str = Field(description="A group or a dotted field path, as configs name them")
    group: str
    defaultPrompt: str | None = Field(
        description="The built-in instruction a custom prompt replaces; null: none"
    )

    @classmethod
    def of(cls, default: PromptDefault) -> FieldPromptOut:
        return cls(field=default.selector, group=default.group, defaultPrompt=default.default)
