"""Engine settings bodies. Keys not sent stay as they are; a key sent as null gives that
setting back to the environment's declaration."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scriptsensei.engine_settings.service import API_NAMES, UNSET, EngineChanges, EngineView

KeyState = Literal["present", "missing", "not needed"]


class EngineSettingsOut(BaseModel):
    name: str
    kind: str = Field(description="ocr | llm, or a plugin's own kind")
    version: str
    enabled: bool
    available: bool = Field(description="Whether it can run (enabled, key set, loaded...)")
    reason: str | None = Field(description="Why not available, in words an admin can act on")
    model: str | None = Field(description="Model id sent to the endpoint (LLM engines)")
    baseUrl: str | None = Field(description="OpenAI-compatible endpoint (LLM engines)")
    apiKeyVariable: str | None = Field(description="Environment variable holding the key")
    apiKey: KeyState = Field(description="Whether that variable is set; never the key itself")
    inputPricePerMTok: float | None = Field(description="USD per million input tokens")
    outputPricePerMTok: float | None = Field(description="USD per million output tokens")
    editable: list[str] = Field(description="The keys PUT accepts for this engine")
    overridden: list[str] = Field(description="Keys set here instead of in the environment")
    updatedAt: datetime | None
    updatedBy: str | None

    @classmethod
    def of(cls, view: EngineView) -> EngineSettingsOut:
        return cls(
            name=view.name,
            kind=view.kind,
            version=view.version,
            enabled=view.enabled,
            available=view.available,
            reason=view.reason,
            model=view.model,
            baseUrl=view.base_url,
            apiKeyVariable=view.key_variable,
            apiKey=view.key_state,  # type: ignore[arg-type]
            inputPricePerMTok=view.input_price_per_mtok,
            outputPricePerMTok=view.output_price_per_mtok,
            editable=[API_NAMES[k] for k in view.editable],
            overridden=[API_NAMES[k] for k in view.overridden],
            updatedAt=view.updated_at,
            updatedBy=view.updated_by,
        )


class EngineSettingsUpdate(BaseModel):
    """Checked by the service (400 with the reason); only wrong types give 422."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    model: str | None = None
    baseUrl: str | None = None
    inputPricePerMTok: float | None = None
    outputPricePerMTok: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and {"apiKey", "api_key", "key"} & set(data):
            raise ValueError(
                "API keys are not stored here: set the environment variable the engine "
                "names (apiKeyVariable) on every host."
            )
        return data

    def changes(self) -> EngineChanges:
        sent = self.model_fields_set

        def pick(key: str) -> Any:
            return getattr(self, key) if key in sent else UNSET

        return EngineChanges(
            enabled=pick("enabled"),
            model=pick("model"),
            base_url=pick("baseUrl"),
            input_price_per_mtok=pick("inputPricePerMTok"),
            output_price_per_mtok=pick("outputPricePerMTok"),
        )
