"""What production refuses and defaults to: no placeholder or short secret key (copying
.env.example without editing it fails loudly), and Secure cookies unless turned off."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from scriptsensei.core.settings import DEFAULT_SECRET_KEY, Settings

ROOT = Path(__file__).resolve().parents[2]
A_REAL_KEY = secrets.token_urlsafe(48)


def _example_secret() -> str:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith("SCRIPTSENSEI_SECRET"))


def production(**values: object) -> Settings:
    return Settings(env="production", _env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize(
    "placeholder",
    [
        _example_secret(),
        DEFAULT_SECRET_KEY,
        "CHANGE_ME",
        "please-replace-me-with-a-long-random-value",
    ],
)
def test_production_refuses_placeholder_keys(placeholder: str) -> None:
    with pytest.raises(ValidationError, match="SCRIPTSENSEI_SECRET_KEY is a placeholder") as info:
        production(secret_key=placeholder)
    assert "secrets.token_urlsafe" in str(info.value)  # says how to make one


def test_production_refuses_short_keys_without_echoing_them() -> None:
    short = "k" * 31
    with pytest.raises(ValidationError, match="too short \\(31 characters, at least 32\\)") as info:
        production(secret_key=short)
    assert short not in str(info.value)


def test_production_accepts_a_random_key_and_other_modes_any() -> None:
    assert production(secret_key=A_REAL_KEY).secret_key == A_REAL_KEY
    assert Settings(env="development", secret_key="change-me", _env_file=None).env  # type: ignore[call-arg]


def test_the_example_env_file_fails_loudly_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dot_env = tmp_path / ".env"
    dot_env.write_text((ROOT / ".env.example").read_text() + "SCRIPTSENSEI_ENV=production\n")
    monkeypatch.delenv("SCRIPTSENSEI_SECRET_KEY", raising=False)
    monkeypatch.delenv("SCRIPTSENSEI_ENV", raising=False)
    with pytest.raises(ValidationError, match="SCRIPTSENSEI_SECRET_KEY is a placeholder"):
        Settings(_env_file=dot_env)  # type: ignore[call-arg]


def test_cookies_are_secure_in_production_unless_turned_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SCRIPTSENSEI_COOKIE_SECURE", raising=False)
    assert production(secret_key=A_REAL_KEY).cookie_secure is True
    assert Settings(_env_file=None).cookie_secure is False  # type: ignore[call-arg]
    assert production(secret_key=A_REAL_KEY, cookie_secure=False).cookie_secure is False
    monkeypatch.setenv("SCRIPTSENSEI_COOKIE_SECURE", "false")  # a plain-HTTP intranet
    assert production(secret_key=A_REAL_KEY).cookie_secure is False
