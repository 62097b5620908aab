"""Settings: prefix, .env file, production refuses the default secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from scriptsensei.core.settings import DEFAULT_SECRET_KEY, Settings


def test_env_prefix_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIPTSENSEI_PORT", "5123")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.port == 5123
    assert settings.db_pool_size == 10
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")


def test_reads_a_dotenv_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SCRIPTSENSEI_DATABASE_URL=postgresql+asyncpg://u@db/x\n")
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.is_postgres


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="SCRIPTSENSEI_SECRET_KEY"):
        Settings(env="production", secret_key=DEFAULT_SECRET_KEY, _env_file=None)  # type: ignore[call-arg]
    assert Settings(env="production", secret_key="x" * 40, _env_file=None).env == "production"  # type: ignore[call-arg]


def test_cli_reports_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from scriptsensei.cli import app
    from scriptsensei.core.settings import get_settings

    monkeypatch.setenv("SCRIPTSENSEI_ENV", "production")
    monkeypatch.delenv("SCRIPTSENSEI_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["db", "current"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "SCRIPTSENSEI_SECRET_KEY" in result.output


def test_every_setting_is_described() -> None:
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert missing == []


def test_configuration_reference_is_current() -> None:
    from typer.testing import CliRunner

    from scriptsensei.cli import app

    docs = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
    generated = CliRunner().invoke(app, ["config-reference"]).output
    assert docs.read_text() == generated, (
        "run: scriptsensei config-reference > docs/configuration.md"
    )
