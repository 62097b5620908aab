"""Which LLM engines can run: keys from the environment, local servers without one."""

from __future__ import annotations

import json

import pytest

from scriptsensei.core.settings import LLMEngineSettings, Settings, default_llm_engines
from scriptsensei.extraction.engine import ExtractionSettings, PermanentEngineError
from scriptsensei.extraction.llm.engine import ChatCompletionsEngine
from scriptsensei.extraction.registry import build_registry
from tests.extraction.llm.conftest import make_page
from tests.fakes.openai_server import FakeOpenAIServer


def test_default_engines_need_the_openrouter_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    engines = [ChatCompletionsEngine(cfg) for cfg in default_llm_engines()]
    assert [e.name for e in engines] == ["openai", "claude", "gemini"]
    for engine in engines:
        availability = engine.availability()
        assert availability.available is False
        assert "OPENROUTER_API_KEY" in (availability.reason or "")


def test_a_blank_key_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "   ")
    assert ChatCompletionsEngine(default_llm_engines()[0]).availability().available is False


def test_available_once_the_key_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    assert all(ChatCompletionsEngine(c).availability().available for c in default_llm_engines())


def test_a_local_server_needs_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OLLAMA_KEY", raising=False)
    cfg = LLMEngineSettings(
        name="llava",
        model="llava:13b",
        base_url="http://127.0.0.1:11434/v1",
        api_key_env="OLLAMA_KEY",
        requires_key=False,
    )
    assert ChatCompletionsEngine(cfg).availability().available is True


def test_a_key_required_without_a_variable_is_unavailable() -> None:
    cfg = LLMEngineSettings(name="x", model="m", api_key_env=None, requires_key=True)
    reason = ChatCompletionsEngine(cfg).availability().reason or ""
    assert "no api_key_env" in reason


def test_a_base_url_that_is_not_http_is_unavailable() -> None:
    cfg = LLMEngineSettings(name="x", model="m", base_url="ftp://host/v1", requires_key=False)
    availability = ChatCompletionsEngine(cfg).availability()
    assert availability.available is False
    assert "ftp://host/v1" in (availability.reason or "")


async def test_extract_on_an_unavailable_engine_is_a_clear_error(
    fake_llm: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MISSING_KEY_VAR", raising=False)
    cfg = LLMEngineSettings(
        name="openai", model="m", base_url=fake_llm.base_url, api_key_env="MISSING_KEY_VAR"
    )
    engine = ChatCompletionsEngine(cfg)
    with pytest.raises(PermanentEngineError, match="set the environment variable MISSING_KEY_VAR"):
        await engine.extract([make_page()], ExtractionSettings())
    assert fake_llm.chat_requests == []


def test_engines_declared_in_the_environment_reach_the_registry(
    monkeypatch: pytest.MonkeyPatch, fake_llm: FakeOpenAIServer
) -> None:
    declared = [
        {"name": "openai", "model": "openai/gpt-4o"},
        {
            "name": "local-vllm",
            "model": "qwen2-vl",
            "base_url": fake_llm.base_url,
            "api_key_env": None,
            "requires_key": False,
        },
    ]
    monkeypatch.setenv("SCRIPTSENSEI_LLM_ENGINES", json.dumps(declared))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    registry = build_registry(Settings(local_engines=[]))
    statuses = {s.name: s for s in registry.statuses()}
    assert set(statuses) >= {"openai", "local-vllm"}
    assert statuses["local-vllm"].available is True
    assert statuses["local-vllm"].kind == "llm"
    assert statuses["openai"].available is False
    assert isinstance(registry.get("local-vllm"), ChatCompletionsEngine)
