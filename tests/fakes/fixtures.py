"""Pytest fixtures for the fake OpenAI-compatible server.

Register once in `tests/conftest.py` with `pytest_plugins = ["tests.fakes.fixtures"]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scriptsensei.core.settings import LLMEngineSettings
from tests.fakes.openai_server import FakeOpenAIServer


def engine_settings_for(
    server: FakeOpenAIServer | str, name: str = "fake", **overrides: Any
) -> LLMEngineSettings:
    """Settings for an engine that talks to `server` (or a base URL from `spawn`),
    needing no key unless overridden."""
    values: dict[str, Any] = {
        "name": name,
        "model": f"fake/{name}",
        "base_url": server if isinstance(server, str) else server.base_url,
        "api_key_env": None,
        "requires_key": False,
        "input_price_per_mtok": 1.0,
        "output_price_per_mtok": 4.0,
        "timeout_seconds": 10.0,
        "max_retries": 2,
    }
    values.update(overrides)
    return LLMEngineSettings(**values)


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    """A fresh fake endpoint on a random port, stopped after the test."""
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(scope="session")
def fake_llm_session() -> Iterator[FakeOpenAIServer]:
    """One endpoint for a whole session (e.g. behind a long-lived app); call `reset()`
    in tests that script it."""
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def fake_llm_settings(fake_llm: FakeOpenAIServer) -> LLMEngineSettings:
    return engine_settings_for(fake_llm)
