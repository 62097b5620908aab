"""Engine settings fixtures: an environment declaring the tesseract engine and two LLM
engines on a fake endpoint, `vision` (no key needed) and `keyed` (its key variable unset),
and no registry published in their place, so the settings page's changes apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from scriptsensei.audit.service import Actor
from scriptsensei.core.settings import Settings
from tests.conftest import make_settings
from tests.fakes.fixtures import engine_settings_for
from tests.fakes.openai_server import FakeOpenAIServer
from tests.support.auth_clients import (  # noqa: F401
    admin_client,
    role_clients,
    viewer_client,
)

KEY_VARIABLE = "SCRIPTSENSEI_TEST_KEY_NEVER_SET"
ADMIN = Actor("user", "admin-id", "admin")


@pytest.fixture
def settings(
    database_url: str, tmp_path: Path, fake_llm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    keyed = engine_settings_for(fake_llm, "keyed", requires_key=True, api_key_env=KEY_VARIABLE)
    return make_settings(
        database_url,
        tmp_path / "data",
        local_engines=["tesseract"],
        llm_engines=[engine_settings_for(fake_llm, "vision"), keyed],
        retry_backoff_seconds=0.05,
        run_lease_seconds=5.0,
        shutdown_grace_seconds=2.0,
    )
