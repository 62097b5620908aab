"""One settings object for the whole application (env prefix `SCRIPTSENSEI_`, `.env` read)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-this-is-not-a-secret"  # noqa: S105 - refused in production
MIN_SECRET_KEY_LENGTH = 32
# Words of values copied from examples and templates (`.env.example` has `change-me`),
# matched lower-cased without separators.
PLACEHOLDER_MARKERS = ("changeme", "notasecret", "replaceme", "yoursecret", "placeholder")
KEY_GENERATION_HINT = (
    "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
)


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
        hide_input_in_errors=True,  # errors are logged; inputs hold secrets
    )

    env: Literal["development", "production", "test"] = Field(
        "development",
        description="`production` switches logs to JSON, refuses a placeholder or short secret "
        "key and makes cookies Secure unless `SCRIPTSENSEI_COOKIE_SECURE=false`.",
    )
    data_dir: Path = Field(
        Path("data"), description="Database file (SQLite), stored files, backups, setup token."
    )
    database_url: str = Field(
        "",
        description="`sqlite+aiosqlite:///path.db` or `postgresql+asyncpg://user:pass@host/db`; "
        "empty: a SQLite file under the data directory.",
    )
    db_pool_size: int = Field(10, ge=1, le=200, description="PostgreSQL connection pool size.")
    db_max_overflow: int = Field(5, ge=0, description="Connections allowed beyond the pool.")
    db_pool_timeout: float = Field(
        5.0, description="Seconds to wait for a pooled connection before answering 503."
    )
    db_connect_timeout: float = Field(5.0, description="Seconds to wait for a new connection.")
    host: str = Field("127.0.0.1", description="Interface `serve` listens on.")
    port: int = Field(5000, ge=1, le=65535, description="Port `serve` listens on.")
    secret_key: str = Field(
        DEFAULT_SECRET_KEY,
        description=f"Random secret; in production at least {MIN_SECRET_KEY_LENGTH} characters "
        "and not a placeholder such as `change-me`.",
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="`auto`: JSON in production or when not on a terminal."
    )
    run_migrations_on_startup: bool = Field(
        True, description="Apply pending migrations when a process starts."
    )

    # Workers
    embedded_workers: bool = Field(True, description="Run workers inside the web process.")
    ocr_processes: int = Field(0, ge=0, description="OCR worker processes; 0: one per core.")
    llm_concurrency: int = Field(8, ge=1, description="LLM calls in flight per worker process.")
    run_lease_seconds: float = Field(
        60.0, gt=0, description="A claimed run is retried if its worker is silent this long."
    )
    run_max_attempts: int = Field(4, ge=1, description="Attempts per engine run.")
    retry_backoff_seconds: float = Field(
        5.0, ge=0, description="First retry delay after a transient error; doubles each time."
    )
    shutdown_grace_seconds: float = Field(
        30.0, ge=0, description="On SIGTERM, time to finish in-flight runs before releasing them."
    )
    worker_heartbeat_file: Path | None = Field(
        None,
        description="File `scriptsensei worker` touches every 10 seconds, for a health check "
        "that reads its age (`scriptsensei-worker-health` in the image); unset: none.",
    )

    # Intake
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Largest accepted file.")
    max_files_per_request: int = Field(50, ge=1, description="Files in one upload request.")
    max_request_bytes: int = Field(
        200 * 1024 * 1024, ge=1, description="One upload request, all its files together."
    )
    max_pages_per_document: int = Field(40, ge=1, description="Pages in one document.")
    max_image_pixels: int = Field(
        60_000_000, ge=1, description="Pixels per page (guards against decompression bombs)."
    )
    duplicate_policy: Literal["link", "new"] = Field(
        "new",
        description="Identical content uploaded again: `link` returns the existing "
        "prescription, `new` creates another sharing the stored file.",
    )
    upload_and_process_timeout: float = Field(
        60.0, gt=0, description="Seconds upload-and-process waits before answering 202."
    )

    # Engines
    local_engines: list[str] = Field(
        default_factory=lambda: ["tesseract", "rapidocr"],
        description="Offline OCR engines to offer (JSON list).",
    )
    llm_engines: list[LLMEngineSettings] = Field(
        default_factory=default_llm_engines,
        description="Vision LLM engines (JSON list of objects: name, model, base_url, "
        "api_key_env, requires_key, input/output price per million tokens...).",
    )
    max_custom_prompt_chars: int = Field(2000, ge=1, description="Longest per-field custom prompt.")

    # Consensus defaults (a config can override them)
    agreement_threshold: float = Field(
        0.67, ge=0, le=1, description="Below this share of agreeing engines, a field needs review."
    )
    confidence_threshold: float = Field(
        0.6, ge=0, le=1, description="Below this confidence, a field needs review."
    )

    # Web, auth
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (JSON list); empty: closed."
    )
    session_max_age_seconds: int = Field(12 * 3600, ge=60, description="Sign-in lifetime.")
    cookie_secure: bool = Field(
        False,
        description="Send cookies over HTTPS only; `false` for a plain-HTTP intranet.",
        json_schema_extra={"reference_default": "true in production, else false"},
    )
    login_attempts_per_minute: int = Field(10, ge=1, description="Per user name and per address.")
    metrics_token: str | None = Field(
        None, description="Bearer token for /metrics; unset: local requests only."
    )

    # Live events (WebSocket)
    event_retention_days: int = Field(7, ge=1, description="Days events are kept for resume.")
    ws_send_queue_size: int = Field(
        256, ge=4, description="Messages queued per client; a client that falls behind is dropped."
    )
    ws_ping_seconds: float = Field(
        25.0, gt=0, description="Keep-alive interval (keeps idle proxies from closing)."
    )

    # Backups
    backup_dir: Path | None = Field(
        None, description="Where archives go; default data_dir/backups."
    )
    backup_keep: int = Field(7, ge=1, description="Archives kept; older ones are deleted.")
    backup_schedule: str | None = Field(
        None, description='Cron expression ("0 2 * * *") or interval ("6h"); unset: off.'
    )

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        problem = secret_key_problem(self.secret_key) if self.env == "production" else None
        if problem:
            raise ValueError(
                f"SCRIPTSENSEI_SECRET_KEY {problem}; it must be a random value when "
                f"SCRIPTSENSEI_ENV=production ({KEY_GENERATION_HINT})"
            )
        return self

    @model_validator(mode="after")
    def _secure_cookies_in_production(self) -> Settings:
        # Only an explicit setting (environment, .env or argument) turns them off.
        if self.env == "production" and "cookie_secure" not in self.model_fields_set:
            self.cookie_secure = True
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


def secret_key_problem(key: str) -> str | None:
    """Why `key` is unfit for production, or None."""
    folded = "".join(c for c in key.lower() if c.isalnum())
    if any(marker in folded for marker in PLACEHOLDER_MARKERS):
        return "is a placeholder (such as `change-me` from .env.example)"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"is too short ({len(key)} characters, at least {MIN_SECRET_KEY_LENGTH})"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()


def settings_reference() -> str:
    """The configuration reference as a Markdown table, generated from the fields above."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if name == "llm_engines":
            default = "openai, claude, gemini via OpenRouter"
        extra = field.json_schema_extra
        if isinstance(extra, dict) and "reference_default" in extra:
            default = extra["reference_default"]
        shown = "" if default in (None, "", []) else str(default)
        rows.append(f"| `SCRIPTSENSEI_{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(rows)
