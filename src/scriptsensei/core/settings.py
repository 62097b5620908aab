"""One settings object for the whole application (env prefix `SCRIPTSENSEI_`, `.env` read)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-this-is-not-a-secret"  # noqa: S105 - refused in production


class LLMEngineSettings(BaseModel):
    """One vision LLM reached through an OpenAI-compatible chat-completions endpoint."""

    name: str
    model: str
    base_url: str = "https://openrouter.ai/api/v1"
    api_key_env: str | None = "OPENROUTER_API_KEY"  # environment variable holding the key
    requires_key: bool = True  # local servers (Ollama, vLLM) need none
    input_price_per_mtok: float = 0.0  # USD per million input tokens
    output_price_per_mtok: float = 0.0
    timeout_seconds: float = 120.0
    max_retries: int = 3
    max_output_tokens: int = 4096
    enabled: bool = True


def default_llm_engines() -> list[LLMEngineSettings]:
    """The earlier app's three names, through OpenRouter by default."""
    return [
        LLMEngineSettings(
            name="openai", model="openai/gpt-4o", input_price_per_mtok=2.5, output_price_per_mtok=10
        ),
        LLMEngineSettings(
            name="claude",
            model="anthropic/claude-sonnet-4",
            input_price_per_mtok=3,
            output_price_per_mtok=15,
        ),
        LLMEngineSettings(
            name="gemini",
            model="google/gemini-2.5-flash",
            input_price_per_mtok=0.3,
            output_price_per_mtok=2.5,
        ),
    ]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SCRIPTSENSEI_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: a SQLite file under data_dir
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=5, ge=0)
    db_pool_timeout: float = 5.0  # seconds to wait for a pooled connection before a 503
    db_connect_timeout: float = 5.0
    host: str = "127.0.0.1"
    port: int = Field(default=5000, ge=1, le=65535)
    secret_key: str = DEFAULT_SECRET_KEY
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    run_migrations_on_startup: bool = True

    # Workers
    embedded_workers: bool = True  # run workers inside the web process
    ocr_processes: int = 0  # 0: one per core
    llm_concurrency: int = 8  # LLM calls in flight per worker process
    run_lease_seconds: float = 60.0
    run_max_attempts: int = 4
    retry_backoff_seconds: float = 5.0
    shutdown_grace_seconds: float = 30.0

    # Intake
    max_file_bytes: int = 20 * 1024 * 1024
    max_files_per_request: int = 50
    max_request_bytes: int = 200 * 1024 * 1024  # one upload request, all its files together
    max_pages_per_document: int = 40
    max_image_pixels: int = 60_000_000
    duplicate_policy: Literal["link", "new"] = "new"
    upload_and_process_timeout: float = 60.0

    # Engines
    local_engines: list[str] = Field(default_factory=lambda: ["tesseract", "rapidocr"])
    llm_engines: list[LLMEngineSettings] = Field(default_factory=default_llm_engines)
    max_custom_prompt_chars: int = 2000

    # Consensus defaults (a config can override them)
    agreement_threshold: float = Field(default=0.67, ge=0, le=1)
    confidence_threshold: float = Field(default=0.6, ge=0, le=1)

    # Web, auth
    cors_origins: list[str] = Field(default_factory=list)
    session_max_age_seconds: int = 12 * 3600
    cookie_secure: bool = False  # set true behind HTTPS
    login_attempts_per_minute: int = 10
    metrics_token: str | None = None

    # Live events (WebSocket)
    event_retention_days: int = Field(default=7, ge=1)
    ws_send_queue_size: int = Field(default=256, ge=4)  # per client; a full queue drops it
    ws_ping_seconds: float = Field(default=25.0, gt=0)  # keeps idle proxies from closing

    # Backups
    backup_dir: Path | None = None  # default: data_dir / "backups"
    backup_keep: int = Field(default=7, ge=1)
    backup_schedule: str | None = None  # cron expression or an interval such as "6h"

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env == "production" and self.secret_key == DEFAULT_SECRET_KEY:
            raise ValueError(
                "SCRIPTSENSEI_SECRET_KEY must be set to a random value when "
                "SCRIPTSENSEI_ENV=production (generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'scriptsensei.db').resolve()}"

    @property
    def is_postgres(self) -> bool:
        return self.resolved_database_url.startswith("postgresql")

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def resolved_backup_dir(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"


@lru_cache
def get_settings() -> Settings:
    return Settings()
